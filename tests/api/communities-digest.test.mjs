// The community digest e-mail, sent by the job runner of the stack (task "communities", then
// "mail"): what is new in the feed since the member's previous digest, through the outbox; nothing
// when nothing is new. Time moves through sc_clock, never by sleeping for a day.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { signUpAndLogIn } from './accounts-helpers.mjs';
import { C, addMember, createCommunity } from './communities-helpers.mjs';
import { brief, scaled, sql, useExclusiveStack, waitUntil } from './helpers.mjs';
import { PUBLIC_URL, mailsTo, moveClock, readMail, resetClock } from './mail.mjs';

useExclusiveStack(); // the clock moves for every rule of the stack while this file runs

let owner, reader, community;

before(async () => {
  await resetClock();
  owner = await signUpAndLogIn({ name: 'Olga Digest', prefix: 'cd-owner' });
  reader = await signUpAndLogIn({ name: 'Rita Lectrice', prefix: 'cd-reader' });
  community = await createCommunity(owner, { name: `Veille ${Date.now().toString(36)}`, visibility: 'restricted' });
  await addMember(community.id, reader, owner);
  const prefs = await reader.patch(`${C}/${community.id}/membership`, { digest: 'daily' });
  assert.equal(prefs.status, 200, brief(prefs));
  // The owner keeps the weekly default; this file checks the reader's daily digest.
});

after(async () => {
  await resetClock();
});

const lastDigest = async () =>
  Date.parse(await sql(`SELECT to_char(last_digest_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM community_member WHERE community_id = ${community.id} AND account_id = ${reader.id}`));

test('a daily digest lists what is new since the last one, with the link to the community', async () => {
  const t = await owner.post(`${C}/${community.id}/threads`, { title: 'Marché de Noël : qui vient ?', body: 'Détails à venir' });
  assert.equal(t.status, 201, brief(t));
  await moveClock('1 day 1 minute');
  const digests = () => mailsTo(reader.email).map(readMail).filter((m) => m.subject.startsWith('Du nouveau'));
  const [mail] = await waitUntil(() => (digests().length ? digests() : null), { timeout: scaled(30000), what: 'the digest e-mail' });
  assert.equal(mail.subject, `Du nouveau dans « ${community.name} »`);
  assert.ok(mail.body.includes('Marché de Noël : qui vient ?'), mail.body);
  assert.ok(mail.body.replace(/=\r?\n/g, '').includes(`${PUBLIC_URL}/communautes/${community.id}`), mail.body);
});

test('nothing new: the next digest is due, handled, and sends nothing', async () => {
  const sent = mailsTo(reader.email).length;
  const queued = Number(await sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = '${reader.email}' AND kind = 'community_digest'`));
  const last = await lastDigest();
  await moveClock('1 day 1 minute');
  await waitUntil(async () => (await lastDigest()) > last, { timeout: scaled(30000), what: 'the runner to handle the due digest' });
  assert.equal(Number(await sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = '${reader.email}' AND kind = 'community_digest'`)), queued, 'nothing queued');
  assert.equal(mailsTo(reader.email).length, sent, 'nothing sent');
});
