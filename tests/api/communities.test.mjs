// Communities end to end: what a person checks — creating and finding one, writes that refuse bad
// input and stale versions without writing anything, text kept as typed, threads of thousands of
// replies paged in order, mentions that notify, private content that no one else ever sees
// (directory, feeds, map, threads, the response cache), invitations by e-mail accepted by a person
// who had no account yet.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { Client, logIn, publishedIds, signUpAndLogIn, testEmail } from './accounts-helpers.mjs';
import { C, addMember, addMemberSql, createCommunity } from './communities-helpers.mjs';
import { api, brief, rawRequest, sql, useSharedStack } from './helpers.mjs';
import { PUBLIC_URL, waitForMail } from './mail.mjs';

useSharedStack();

let owner, member, outsider;

before(async () => {
  owner = await signUpAndLogIn({ name: 'Olga Propriétaire', prefix: 'cf-owner' });
  member = await signUpAndLogIn({ name: 'Mia Membre', prefix: 'cf-member' });
  outsider = await signUpAndLogIn({ name: 'Otto Dehors', prefix: 'cf-out' });
});

const count = async (table, where) => Number(await sql(`SELECT count(*) FROM ${table} WHERE ${where}`));

test('create, read, find in the directory, change with its version (409 with current), delete', async () => {
  const word = `zq${Date.now().toString(36)}`;
  const c = await createCommunity(owner, { name: `Circuits courts ${word}`, description: 'Producteurs et mangeurs', territory: 'region:53', themes: ['ENV'] });
  assert.equal(c.territory.ref, 'region:53');
  assert.equal(c.territory.name, 'Bretagne');
  assert.deepEqual(c.themes.map((t) => t.code), ['ENV']);
  assert.ok(c.point && typeof c.point.lon === 'number');
  assert.deepEqual(c.me, { status: 'member', role: 'owner', listed: true, digest: 'weekly' });
  assert.equal(c.member_count, 1);

  // The directory: by words, theme, territory (inside Bretagne: a département of it finds none, the région finds it).
  for (const q of [`q=${word}`, `q=${word}&theme=ENV`, `q=${word}&territory=region:53`]) {
    const res = await api(`${C}?${q}`);
    assert.equal(res.status, 200, brief(res));
    assert.deepEqual(res.json.items.map((i) => i.id), [c.id], q);
    assert.equal(res.json.items[0].me, null, 'signed out: me is null');
    assert.match(res.headers.get('cache-control'), /private, no-store/);
  }
  for (const q of [`q=${word}&theme=EDU`, `q=${word}&territory=departement:69`]) {
    const res = await api(`${C}?${q}`);
    assert.deepEqual(res.json.items, [], q);
  }
  const mine = await owner.get('/api/v1/me/communities');
  assert.ok(mine.json.items.some((i) => i.id === c.id));

  const p1 = await owner.patch(`${C}/${c.id}`, { version: c.version, name: `Circuits courts bretons ${word}`, territory: '' });
  assert.equal(p1.status, 200, brief(p1));
  assert.equal(p1.json.version, c.version + 1);
  assert.equal(p1.json.territory, null, 'an empty territory removes it');
  const stale = await owner.patch(`${C}/${c.id}`, { version: c.version, name: 'Autre nom' });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'conflict');
  assert.equal(stale.json.current.name, `Circuits courts bretons ${word}`, '409 carries the current community');
  assert.equal((await owner.get(`${C}/${c.id}`)).json.name, `Circuits courts bretons ${word}`, 'the stale change wrote nothing');

  const del = await owner.del(`${C}/${c.id}`);
  assert.equal(del.status, 204);
  assert.equal((await owner.get(`${C}/${c.id}`)).status, 404);
});

test('bad input is a 400 naming the field, and nothing is written', async () => {
  const before1 = await count('community', 'true');
  const cases = [
    [{ name: 'x', visibility: 'public', extra: 1 }, 'extra'],
    [{ name: 12, visibility: 'public' }, 'name'],
    [{ name: '', visibility: 'public' }, 'name'],
    [{ name: 'x'.repeat(121), visibility: 'public' }, 'name'],
    [{ name: 'x\ny', visibility: 'public' }, 'name'],
    [{ name: 'x', visibility: 'secret' }, 'visibility'],
    [{ name: 'x', visibility: 'public', territory: 'region:99' }, 'territory'],
    [{ name: 'x', visibility: 'public', territory: 'nowhere' }, 'territory'],
    [{ name: 'x', visibility: 'public', themes: ['NOPE'] }, 'themes'],
    [{ name: 'x', visibility: 'public', themes: 'ENV' }, 'themes'],
    [{ name: 'x', visibility: 'public', themes: [1] }, 'themes'],
    [{ name: 'x', visibility: 'public', description: 'd'.repeat(4001) }, 'description'],
  ];
  for (const [body, field] of cases) {
    const res = await owner.post(C, body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${brief(res)}`);
    assert.equal(res.json.error.field, field, JSON.stringify(body).slice(0, 80));
  }
  // Invalid UTF-8 and an oversized body.
  const bad = Buffer.concat([Buffer.from('{"name": "'), Buffer.from([0xc3, 0x28]), Buffer.from('", "visibility": "public"}')]);
  const utf = await owner.request(C, { method: 'POST', body: bad });
  assert.equal(utf.status, 400);
  assert.equal(utf.json.error.code, 'invalid_json');
  const big = await owner.post(C, { name: 'x', visibility: 'public', description: 'd'.repeat(70000) });
  assert.equal(big.status, 413);
  assert.equal(await count('community', 'true'), before1, 'nothing written');

  const c = await createCommunity(owner, { visibility: 'public' });
  await addMember(c.id, member, owner);
  const threads = await count('community_thread', `community_id = ${c.id}`);
  for (const [body, field] of [
    [{ title: 'x', body: '' }, 'body'],
    [{ title: 'x', body: 'y', mentions: [outsider.id] }, 'mentions'],
    [{ title: 'x', body: 'y', mentions: ['a'] }, 'mentions'],
    [{ title: 'x', body: 'y'.repeat(10001) }, 'body'],
    [{ body: 'y' }, 'title'],
  ]) {
    const res = await member.post(`${C}/${c.id}/threads`, body);
    assert.equal(res.status, 400, brief(res));
    assert.equal(res.json.error.field, field);
  }
  assert.equal(await count('community_thread', `community_id = ${c.id}`), threads, 'no thread written');
  const dir = await api(`${C}?theme=NOPE`);
  assert.equal(dir.status, 400);
  assert.equal(dir.json.error.field, 'theme');
  const dir2 = await api(`${C}?territory=region:99`);
  assert.equal(dir2.status, 400);
  assert.equal(dir2.json.error.field, 'territory');
});

test('text comes back exactly as typed (HTML and script are text)', async () => {
  const typed = '<script>alert("x")</script> & <b>gras</b> \u00e9t\u00e9 \u{1F331}';
  const c = await createCommunity(owner, { name: typed.slice(0, 60), description: typed, visibility: 'public' });
  assert.equal(c.description, typed);
  const t = await owner.post(`${C}/${c.id}/threads`, { title: typed.slice(0, 60), body: `${typed}\nligne 2` });
  assert.equal(t.status, 201, brief(t));
  const got = await api(`${C}/${c.id}/threads/${t.json.id}`);
  assert.equal(got.json.body, `${typed}\nligne 2`);
  assert.equal(got.json.title, typed.slice(0, 60));
  assert.match(got.headers.get('content-type'), /application\/json/);
  const r = await owner.post(`${C}/${c.id}/threads/${t.json.id}/replies`, { body: typed });
  assert.equal((await api(`${C}/${c.id}/threads/${t.json.id}/replies`)).json.items[0].body, typed);
  const stale = await owner.request(`${C}/${c.id}/replies/${r.json.id}`, { method: 'PATCH', body: { version: 7, body: 'autre' } });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.current.body, typed);
  const ts = await owner.patch(`${C}/${c.id}/threads/${t.json.id}`, { version: 9, title: 'x' });
  assert.equal(ts.status, 409);
  assert.equal(ts.json.current.version, 1);
});

test('a mention notifies the member, with an unread count kept on write; a locked thread refuses replies', async () => {
  const c = await createCommunity(owner, { visibility: 'restricted' });
  await addMember(c.id, member, owner);
  const before1 = (await member.get('/api/v1/me/notifications/unread')).json.unread;
  const t = await owner.post(`${C}/${c.id}/threads`, { title: 'Réunion', body: 'Bonjour @Mia Membre', mentions: [member.id] });
  assert.equal(t.status, 201, brief(t));
  assert.deepEqual(t.json.mentions, [{ account_id: member.id, display_name: 'Mia Membre' }]);
  const unread = await member.get('/api/v1/me/notifications/unread');
  assert.equal(unread.json.unread, before1 + 1);
  assert.match(unread.headers.get('cache-control'), /private, no-store/);
  const list = await member.get('/api/v1/me/notifications');
  const n = list.json.items[0];
  assert.equal(n.kind, 'mention');
  assert.equal(n.thread.id, t.json.id);
  assert.equal(n.community.id, c.id);
  assert.equal(n.read, false);
  // A reply notifies the thread's author.
  const ownerBefore = (await owner.get('/api/v1/me/notifications/unread')).json.unread;
  assert.equal((await member.post(`${C}/${c.id}/threads/${t.json.id}/replies`, { body: 'Présente !' })).status, 201);
  assert.equal((await owner.get('/api/v1/me/notifications/unread')).json.unread, ownerBefore + 1);
  // Read.
  assert.equal((await member.post('/api/v1/me/notifications/read', { ids: [n.id] })).status, 204);
  assert.equal((await member.get('/api/v1/me/notifications/unread')).json.unread, before1);
  assert.equal((await owner.post('/api/v1/me/notifications/read', { all: true })).status, 204);
  assert.equal((await owner.get('/api/v1/me/notifications/unread')).json.unread, 0);
  // Lock: moderators; replies refused.
  const lock = await owner.patch(`${C}/${c.id}/threads/${t.json.id}`, { version: 1, locked: true, pinned: true });
  assert.equal(lock.status, 200, brief(lock));
  const refused = await member.post(`${C}/${c.id}/threads/${t.json.id}/replies`, { body: 'encore' });
  assert.equal(refused.status, 409);
  assert.equal(refused.json.error.code, 'locked');
});

test('a thread of 3,000 replies pages by keyset: every reply once, in order', async () => {
  const c = await createCommunity(owner, { visibility: 'public' });
  const t = await owner.post(`${C}/${c.id}/threads`, { title: 'Long fil', body: 'début' });
  await sql(
    `INSERT INTO community_reply (thread_id, community_id, author_id, body)
     SELECT ${t.json.id}, ${c.id}, ${owner.id}, 'réponse ' || g FROM generate_series(1, 3000) g ORDER BY g`,
  );
  const seen = [];
  let cursor = null;
  let pages = 0;
  do {
    const res = await api(`${C}/${c.id}/threads/${t.json.id}/replies?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200, brief(res));
    seen.push(...res.json.items.map((r) => r.body));
    cursor = res.json.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  assert.equal(seen.length, 3000);
  assert.deepEqual(seen, Array.from({ length: 3000 }, (_, i) => `réponse ${i + 1}`));
  assert.equal(pages, 30);
  // The planner uses the (thread_id, id) index.
  const plan = await sql(
    `EXPLAIN SELECT r.id FROM community_reply r WHERE r.thread_id = ${t.json.id} AND r.community_id = ${c.id} AND r.id > 5 ORDER BY r.thread_id, r.id LIMIT 51`,
  );
  assert.match(plan, /community_reply_thread_idx/);
});

test('private content never reaches a non-member: directory, threads, feed, map, collections, cached answers', async () => {
  const word = `zp${Date.now().toString(36)}`;
  const c = await createCommunity(owner, { name: `Cercle ${word}`, visibility: 'private', territory: 'region:53', themes: ['ENV'] });
  await addMemberSql(c.id, member);
  const t = await member.post(`${C}/${c.id}/threads`, { title: `Secret ${word}`, body: 'entre nous' });
  assert.equal(t.status, 201, brief(t));
  const col = await owner.post(`${C}/${c.id}/collections`, { title: `Sélection ${word}` });
  assert.equal(col.status, 201, brief(col));
  const [ini] = await publishedIds(1);
  assert.equal((await owner.post(`/api/v1/collections/${col.json.id}/items`, { initiative_id: ini })).status, 201);
  const paths = [`${C}/${c.id}`, `${C}/${c.id}/threads`, `${C}/${c.id}/threads/${t.json.id}`, `${C}/${c.id}/threads/${t.json.id}/replies`, `${C}/${c.id}/feed`, `${C}/${c.id}/map`, `${C}/${c.id}/collections`, `/api/v1/collections/${col.json.id}`];
  // Asked by a member first: anything cacheable would now be cached.
  for (const p of paths) {
    const res = await member.get(p);
    assert.equal(res.status, 200, `${p}: ${brief(res)}`);
    assert.match(res.headers.get('cache-control'), /private, no-store/, p);
  }
  const site = await signUpAndLogIn({ name: 'Sita', prefix: 'cf-site', role: 'moderator' });
  const notFound = (await api(`${C}/999999999`)).json;
  for (const [who, client] of [['anonymous', null], ['outsider', outsider], ['site moderator', site]]) {
    for (const p of paths) {
      const res = client ? await client.get(p) : await api(p);
      assert.equal(res.status, 404, `${who} ${p}: ${brief(res)}`);
      assert.deepEqual(res.json, notFound, `${who} ${p}: the answer of an unknown id`);
      assert.ok(!res.text.includes(word), `${who} ${p}: nothing of it`);
    }
    const dir = client ? await client.get(`${C}?q=${word}`) : await api(`${C}?q=${word}`);
    assert.deepEqual(dir.json.items, [], `${who}: not in the directory`);
    const all = client ? await client.get(`${C}?territory=region:53&limit=100`) : await api(`${C}?territory=region:53&limit=100`);
    assert.ok(!all.text.includes(word), `${who}: not among the communities of its territory`);
  }
  // Not in the outsider's collections or notifications either.
  assert.ok(!(await outsider.get('/api/v1/me/collections')).text.includes(word));
  assert.ok(!(await owner.get('/api/v1/me/collections')).text.includes(word), "a community's collection is not its creator's own");
  // Joining a private community without an invitation: 404.
  assert.equal((await outsider.post(`${C}/${c.id}/membership`, {})).status, 404);
});

test('an invitation e-mail: a person without an account signs up from the link and becomes a member', async () => {
  const c = await createCommunity(owner, { name: `Invitations ${Date.now().toString(36)}`, visibility: 'private' });
  const email = testEmail('cf-invited');
  const inv = await owner.post(`${C}/${c.id}/invitations`, { email });
  assert.equal(inv.status, 202, brief(inv));
  assert.ok(Date.parse(inv.json.expires_at) > Date.now() + 13 * 86400000);
  const mail = await waitForMail(email);
  assert.match(mail.subject, /Invitation à rejoindre/);
  const m = /(http\S+\/communautes\/invitation\?token=(\d+\.[A-Za-z0-9_-]{43}))/.exec(mail.body.replace(/=\r?\n/g, ''));
  assert.ok(m, `a link in the e-mail:\n${mail.body}`);
  assert.ok(m[1].startsWith(`${PUBLIC_URL}/`));
  const token = m[2];
  const look = await api(`/api/v1/community-invitations?token=${encodeURIComponent(token)}`);
  assert.equal(look.status, 200, brief(look));
  assert.deepEqual(look.json.community, { id: c.id, name: c.name, visibility: 'private' });
  assert.equal(look.json.status, 'valid');
  // A forged token: 400.
  const forged = await api(`/api/v1/community-invitations?token=${token.slice(0, -2)}AA`);
  assert.equal(forged.status, 400);
  assert.equal(forged.json.error.code, 'invalid_token');
  // Sign up with the invited address, without following the verification link.
  const password = 'Pw-invitation-long-enough-42';
  const signup = await api('/api/v1/account/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, display_name: 'Nina Nouvelle', password }) });
  assert.equal(signup.status, 202, brief(signup));
  const nina = await logIn(email, password);
  assert.equal(nina.user.verified, false);
  assert.equal((await nina.get(`${C}/${c.id}`)).status, 404, 'not yet a member');
  const acc = await nina.post('/api/v1/community-invitations/accept', { token });
  assert.equal(acc.status, 200, brief(acc));
  assert.equal(acc.json.me.status, 'member');
  assert.equal((await nina.get(`${C}/${c.id}`)).status, 200);
  const me = await nina.get('/api/v1/me');
  assert.equal(me.json.verified ?? me.json.user?.verified, true, 'the invited address is thereby verified');
  assert.equal((await api(`/api/v1/community-invitations?token=${encodeURIComponent(token)}`)).json.status, 'accepted');
  // The owner is told.
  const notes = await owner.get('/api/v1/me/notifications');
  assert.ok(notes.json.items.some((n) => n.kind === 'invitation_accepted' && n.community.id === c.id));
});

test('membership: request, approve, leave; the owner must hand over first; ban', async () => {
  const c = await createCommunity(owner, { visibility: 'restricted' });
  const join = await member.post(`${C}/${c.id}/membership`, {});
  assert.equal(join.status, 202);
  assert.equal(join.json.status, 'pending');
  assert.equal((await member.get(`${C}/${c.id}/threads`)).status, 403, 'pending: not yet inside');
  const approve = await owner.patch(`${C}/${c.id}/members/${member.id}`, { status: 'member' });
  assert.equal(approve.status, 200, brief(approve));
  assert.equal((await member.get(`${C}/${c.id}/threads`)).status, 200);
  const prefs = await member.patch(`${C}/${c.id}/membership`, { listed: false, digest: 'daily' });
  assert.deepEqual(prefs.json, { status: 'member', role: 'member', listed: false, digest: 'daily' });
  const list = await owner.get(`${C}/${c.id}/members`);
  assert.ok(list.json.items.some((m) => m.account_id === member.id), 'moderators see unlisted members');
  const list2 = await member.get(`${C}/${c.id}/members`);
  assert.ok(!list2.json.items.some((m) => m.account_id === member.id), 'members see listed members only');
  assert.equal((await owner.del(`${C}/${c.id}/membership`)).json.error.code, 'owner_must_transfer');
  const hand = await owner.post(`${C}/${c.id}/owner`, { account_id: member.id });
  assert.equal(hand.status, 200, brief(hand));
  assert.equal(hand.json.me.role, 'moderator');
  assert.equal((await member.get(`${C}/${c.id}`)).json.me.role, 'owner');
  // The new owner bans the old one, who can no longer join.
  assert.equal((await member.patch(`${C}/${c.id}/members/${owner.id}`, { status: 'banned' })).status, 200);
  assert.equal((await owner.post(`${C}/${c.id}/membership`, {})).status, 403);
  assert.equal((await owner.get(`${C}/${c.id}/threads`)).status, 403);
});

test('proposals: a member proposes, a moderator accepts, the initiative joins the collection, the feed and the map', async () => {
  const c = await createCommunity(owner, { visibility: 'public' });
  await addMember(c.id, member, owner);
  const col = await owner.post(`${C}/${c.id}/collections`, { title: 'Nos coups de cœur' });
  const [ini] = await publishedIds(1);
  const p = await member.post(`${C}/${c.id}/proposals`, { collection_id: col.json.id, initiative_id: ini, note: 'À voir' });
  assert.equal(p.status, 201, brief(p));
  assert.equal((await owner.get(`${C}/${c.id}/proposals`)).json.items[0].id, p.json.id);
  const d = await owner.post(`${C}/${c.id}/proposals/${p.json.id}/decision`, { decision: 'accept' });
  assert.equal(d.status, 200, brief(d));
  const got = await api(`/api/v1/collections/${col.json.id}`);
  assert.deepEqual(got.json.items.map((i) => i.initiative.id), [ini]);
  const feed = await api(`${C}/${c.id}/feed`);
  assert.equal(feed.json.items[0].kind, 'collection_item');
  assert.equal(feed.json.items[0].collection.id, col.json.id);
  const map = await api(`${C}/${c.id}/map`);
  const located = Number(await sql(`SELECT count(*) FROM initiative WHERE id = ${ini} AND geom IS NOT NULL`));
  assert.equal(map.json.features.filter((f) => f.properties.origin === 'collection' && f.properties.id === ini).length, located);
});
