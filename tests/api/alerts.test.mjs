// Saved-search alerts end to end: a due alert becomes one e-mail in the local SMTP sink (through the
// job runner of the stack), with the new initiative's link and the one-click unsubscribe headers;
// nothing is sent when nothing is new; the signed link turns the alert off, and a forged one is a 400
// that changes nothing. Time moves through sc_clock, never by sleeping for a day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, brief, assertError, sql, sqlLiteral as lit, useExclusiveStack, waitUntil, scaled } from './helpers.mjs';
import { givenAlert, givenInitiative, moveClock, resetClock, forget, waitForMail, mailsTo, uniqueWord, PUBLIC_URL } from './mail.mjs';

useExclusiveStack(); // the clock moves for every rule of the stack while this file runs

const word = uniqueWord();
const email = `alerte-${word}@example.org`;
const slug = `alerte-${word}`;
const name = `Potagers ${word} à Lyon`;
let alert;
let initiativeId;
let mail;

before(async () => {
  await resetClock();
  alert = await givenAlert({ email, name, params: { q: word }, alert: 'daily' });
});

after(async () => {
  await resetClock();
  await forget({ emails: [email], slugs: [slug] });
});

const alertRow = async () => JSON.parse(await sql(`SELECT row_to_json(s) FROM (SELECT alert, last_alert_at FROM saved_search WHERE id = ${alert.searchId}) s`));

test('a daily alert with something new sends one e-mail listing it, with the one-click unsubscribe headers', async () => {
  initiativeId = await givenInitiative(slug, `Jardin partagé ${word}`);
  const before1 = await alertRow();
  await moveClock('1 day 1 minute');
  mail = await waitForMail(email);
  assert.equal(mail.subject, `1 nouveauté pour votre recherche « ${name} »`);
  assert.equal(mail.headers.to, email);
  assert.match(mail.headers['message-id'], /^<outbox-\d+@[^>]+>$/);
  assert.match(mail.headers['content-type'], /^text\/plain; charset=utf-8$/i);
  assert.match(mail.body, new RegExp(`Jardin partagé ${word}\\r\\n  ${PUBLIC_URL}/initiatives/${initiativeId}\\r\\n`));
  assert.ok(mail.body.includes(`${PUBLIC_URL}/?q=${word}`), `the whole search is linked:\n${mail.body}`);
  const m = /^<(http:\/\/[^>]+\/api\/v1\/alerts\/unsubscribe\?token=(\d+\.[A-Za-z0-9_-]{43}))>$/.exec(mail.headers['list-unsubscribe']);
  assert.ok(m, `List-Unsubscribe: ${mail.headers['list-unsubscribe']}`);
  assert.ok(m[1].startsWith(`${PUBLIC_URL}/`));
  assert.equal(Number(m[2].split('.')[0]), alert.searchId);
  assert.equal(mail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  assert.ok(mail.body.includes(`${PUBLIC_URL}/desabonnement?token=${m[2]}`), `a visible one-click link:\n${mail.body}`);
  // CRLF only, lines within limits, no line of the body starting with a dot.
  assert.doesNotMatch(mail.raw, /[^\r]\n|\r[^\n]/);
  // Body lines within 76 characters (quoted-printable); header lines within the hard limit of 998 (a
  // long link cannot be folded).
  const [head, ...rest] = mail.raw.split('\r\n\r\n');
  for (const line of head.split('\r\n')) assert.ok(line.length <= 998, `header line too long: ${line}`);
  for (const line of rest.join('\r\n\r\n').split('\r\n')) {
    assert.ok(line.length <= 76, `body line too long: ${line}`);
    assert.ok(!line.startsWith('.'), `a body line starts with a dot: ${line}`);
  }
  const row = await alertRow();
  assert.ok(Date.parse(row.last_alert_at) > Date.parse(before1.last_alert_at) + 86400000, 'the next alert counts from now (on the moved clock)');
  assert.equal(mailsTo(email).length, 1, 'one e-mail');
  const out = JSON.parse(await sql(`SELECT json_agg(json_build_object('status', status, 'kind', kind)) FROM mail_outbox WHERE to_addr = ${lit(email)}`));
  assert.deepEqual(out, [{ status: 'sent', kind: 'alert' }]);
});

test('a due alert with nothing new sends nothing, and its next alert still counts from now', async () => {
  const before1 = await alertRow();
  await moveClock('1 day 1 minute');
  await waitUntil(async () => (await alertRow()).last_alert_at !== before1.last_alert_at, { timeout: scaled(15000), what: 'the alert was run' });
  assert.equal(mailsTo(email).length, 1, 'no second e-mail');
  assert.equal(await sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = ${lit(email)}`), '1');
});

test('the unsubscribe link: GET tells, a forged token is a 400 that changes nothing, POST turns the alert off', async () => {
  const token = /token=([^>]+)>/.exec(mail.headers['list-unsubscribe'])[1];
  const [id, sig] = token.split('.');
  const url = (t) => `/api/v1/alerts/unsubscribe?token=${encodeURIComponent(t)}`;
  let r = await api(url(token));
  assert.equal(r.status, 200, brief(r));
  assert.deepEqual(r.json, { status: 'valid', name });
  assert.equal(r.headers.get('cache-control'), 'private, no-store');
  assert.equal((await alertRow()).alert, 'daily', 'a GET changes nothing');

  const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
  for (const forged of [`${id}.${flipped}`, `${Number(id) + 1}.${sig}`, `0${id}.${sig}`, id, '', 'x'.repeat(5000)]) {
    r = await api(url(forged), { method: 'POST' });
    assertError(r, 400, 'invalid_token');
    assert.equal(r.headers.get('cache-control'), 'private, no-store');
  }
  r = await api('/api/v1/alerts/unsubscribe', { method: 'POST' });
  assertError(r, 400, 'invalid_token');
  assert.equal((await alertRow()).alert, 'daily', 'a forged token changes nothing');

  r = await api(url(token), { method: 'POST' });
  assert.equal(r.status, 200, brief(r));
  assert.deepEqual(r.json, { status: 'unsubscribed', name });
  assert.equal((await alertRow()).alert, 'none');
  r = await api(url(token), { method: 'POST' });
  assert.equal(r.status, 200, 'a second click is harmless');
  r = await api(url(token));
  assert.deepEqual(r.json, { status: 'unsubscribed', name });

  // Turned off, the alert sends nothing even with something new.
  await sql(`UPDATE initiative SET updated_at = now() + interval '3 days' WHERE id = ${initiativeId}`);
  await moveClock('1 day 1 minute');
  await new Promise((res) => setTimeout(res, scaled(1000)));
  assert.equal(mailsTo(email).length, 1);
});
