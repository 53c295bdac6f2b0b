// Who may do what in a community: every community endpoint × every standing of the person asking ×
// every visibility, walked against the real stack. The expected status of each cell is written in
// the table below; the policy (backend/src/domain/people/policy.c) is the one place that decides.
//
// Standings: anonymous; "other" (signed in, member of another community only); pending (asked to
// join); member; moderator; owner; site moderator (a moderator of the site who is not a member:
// no right inside a community — documented in docs/api.md "Communities"); banned.
//
// Writes are sent with a body that fails validation where the person is allowed ({"bogus": 1} →
// 400 invalid_field), so that an allowed cell is told apart from a refused one (401, 403, or 404
// for a private community the person may not know of) without changing anything; the endpoints
// without a body act, each cell on a community of its own. Anonymous writes are 401 before anything
// is looked up (no session: nothing about the community is said).

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { publishedIds, signUpAndLogIn } from './accounts-helpers.mjs';
import { people } from './communities-helpers.mjs';
import { api, sqlJson } from './helpers.mjs';

const ROLES = ['anonymous', 'other', 'pending', 'member', 'moderator', 'owner', 'siteModerator', 'banned'];
const BAD = { bogus: 1 };

// [label, method, path (from the ids of a community: id, tid, rid, col, victim), body, perCell,
//  expected statuses by visibility, in the order of ROLES]
// prettier-ignore
const TABLE = [
  ['read the community', 'GET', (c) => `/${c.id}`, undefined, false, {
    public:     [200, 200, 200, 200, 200, 200, 200, 200],
    restricted: [200, 200, 200, 200, 200, 200, 200, 200],
    private:    [404, 404, 404, 200, 200, 200, 404, 404] }],
  ['change it', 'PATCH', (c) => `/${c.id}`, BAD, false, {
    public:     [401, 403, 403, 403, 400, 400, 403, 403],
    restricted: [401, 403, 403, 403, 400, 400, 403, 403],
    private:    [401, 404, 404, 403, 400, 400, 404, 404] }],
  ['delete it', 'DELETE', (c) => `/${c.id}`, undefined, true, {
    public:     [401, 403, 403, 403, 403, 204, 403, 403],
    restricted: [401, 403, 403, 403, 403, 204, 403, 403],
    private:    [401, 404, 404, 403, 403, 204, 404, 404] }],
  ['join', 'POST', (c) => `/${c.id}/membership`, BAD, false, {
    public:     [401, 400, 400, 400, 400, 400, 400, 403],
    restricted: [401, 400, 400, 400, 400, 400, 400, 403],
    private:    [401, 404, 404, 400, 400, 400, 404, 404] }],
  ['my preferences', 'PATCH', (c) => `/${c.id}/membership`, BAD, false, {
    public:     [401, 403, 400, 400, 400, 400, 403, 403],
    restricted: [401, 403, 400, 400, 400, 400, 403, 403],
    private:    [401, 404, 404, 400, 400, 400, 404, 404] }],
  ['leave', 'DELETE', (c) => `/${c.id}/membership`, undefined, false, {
    public:     [401, 403, 204, 204, 204, 409, 403, 403],
    restricted: [401, 403, 204, 204, 204, 409, 403, 403],
    private:    [401, 404, 404, 204, 204, 409, 404, 404] }],
  ['members', 'GET', (c) => `/${c.id}/members`, undefined, false, {
    public:     [401, 403, 403, 200, 200, 200, 403, 403],
    restricted: [401, 403, 403, 200, 200, 200, 403, 403],
    private:    [404, 404, 404, 200, 200, 200, 404, 404] }],
  ['requests to join', 'GET', (c) => `/${c.id}/members?status=pending`, undefined, false, {
    public:     [401, 403, 403, 403, 200, 200, 403, 403],
    restricted: [401, 403, 403, 403, 200, 200, 403, 403],
    private:    [404, 404, 404, 403, 200, 200, 404, 404] }],
  ['approve, ban', 'PATCH', (c) => `/${c.id}/members/${c.victim}`, BAD, false, {
    public:     [401, 403, 403, 403, 400, 400, 403, 403],
    restricted: [401, 403, 403, 403, 400, 400, 403, 403],
    private:    [401, 404, 404, 403, 400, 400, 404, 404] }],
  ['change a role', 'PATCH', (c) => `/${c.id}/members/${c.victim}`, { role: 'moderator' }, true, {
    public:     [401, 403, 403, 403, 403, 200, 403, 403],
    restricted: [401, 403, 403, 403, 403, 200, 403, 403],
    private:    [401, 404, 404, 403, 403, 200, 404, 404] }],
  ['remove a member', 'DELETE', (c) => `/${c.id}/members/${c.victim}`, undefined, true, {
    public:     [401, 403, 403, 403, 204, 204, 403, 403],
    restricted: [401, 403, 403, 403, 204, 204, 403, 403],
    private:    [401, 404, 404, 403, 204, 204, 404, 404] }],
  ['hand over', 'POST', (c) => `/${c.id}/owner`, BAD, false, {
    public:     [401, 403, 403, 403, 403, 400, 403, 403],
    restricted: [401, 403, 403, 403, 403, 400, 403, 403],
    private:    [401, 404, 404, 403, 403, 400, 404, 404] }],
  ['invite', 'POST', (c) => `/${c.id}/invitations`, BAD, false, {
    public:     [401, 403, 403, 403, 400, 400, 403, 403],
    restricted: [401, 403, 403, 403, 400, 400, 403, 403],
    private:    [401, 404, 404, 403, 400, 400, 404, 404] }],
  ['threads', 'GET', (c) => `/${c.id}/threads`, undefined, false, {
    public:     [200, 200, 200, 200, 200, 200, 200, 200],
    restricted: [401, 403, 403, 200, 200, 200, 403, 403],
    private:    [404, 404, 404, 200, 200, 200, 404, 404] }],
  ['open a thread', 'POST', (c) => `/${c.id}/threads`, BAD, false, {
    public:     [401, 403, 403, 400, 400, 400, 403, 403],
    restricted: [401, 403, 403, 400, 400, 400, 403, 403],
    private:    [401, 404, 404, 400, 400, 400, 404, 404] }],
  ['a thread', 'GET', (c) => `/${c.id}/threads/${c.tid}`, undefined, false, {
    public:     [200, 200, 200, 200, 200, 200, 200, 200],
    restricted: [401, 403, 403, 200, 200, 200, 403, 403],
    private:    [404, 404, 404, 200, 200, 200, 404, 404] }],
  ['edit a thread (its author is the member)', 'PATCH', (c) => `/${c.id}/threads/${c.tid}`, { version: 999, title: 'x' }, false, {
    public:     [401, 403, 403, 409, 403, 403, 403, 403],
    restricted: [401, 403, 403, 409, 403, 403, 403, 403],
    private:    [401, 404, 404, 409, 403, 403, 404, 404] }],
  ['pin a thread', 'PATCH', (c) => `/${c.id}/threads/${c.tid}`, { version: 999, pinned: true }, false, {
    public:     [401, 403, 403, 403, 409, 409, 403, 403],
    restricted: [401, 403, 403, 403, 409, 409, 403, 403],
    private:    [401, 404, 404, 403, 409, 409, 404, 404] }],
  ['delete a thread', 'DELETE', (c) => `/${c.id}/threads/${c.tid}`, undefined, true, {
    public:     [401, 403, 403, 204, 204, 204, 403, 403],
    restricted: [401, 403, 403, 204, 204, 204, 403, 403],
    private:    [401, 404, 404, 204, 204, 204, 404, 404] }],
  ['replies', 'GET', (c) => `/${c.id}/threads/${c.tid}/replies`, undefined, false, {
    public:     [200, 200, 200, 200, 200, 200, 200, 200],
    restricted: [401, 403, 403, 200, 200, 200, 403, 403],
    private:    [404, 404, 404, 200, 200, 200, 404, 404] }],
  ['reply', 'POST', (c) => `/${c.id}/threads/${c.tid}/replies`, BAD, false, {
    public:     [401, 403, 403, 400, 400, 400, 403, 403],
    restricted: [401, 403, 403, 400, 400, 400, 403, 403],
    private:    [401, 404, 404, 400, 400, 400, 404, 404] }],
  ['edit a reply (its author is the member)', 'PATCH', (c) => `/${c.id}/replies/${c.rid}`, { version: 999, body: 'x' }, false, {
    public:     [401, 403, 403, 409, 403, 403, 403, 403],
    restricted: [401, 403, 403, 409, 403, 403, 403, 403],
    private:    [401, 404, 404, 409, 403, 403, 404, 404] }],
  ['delete a reply', 'DELETE', (c) => `/${c.id}/replies/${c.rid}`, undefined, true, {
    public:     [401, 403, 403, 204, 204, 204, 403, 403],
    restricted: [401, 403, 403, 204, 204, 204, 403, 403],
    private:    [401, 404, 404, 204, 204, 204, 404, 404] }],
  ['report', 'POST', (c) => `/${c.id}/reports`, BAD, false, {
    public:     [401, 403, 403, 400, 400, 400, 403, 403],
    restricted: [401, 403, 403, 400, 400, 400, 403, 403],
    private:    [401, 404, 404, 400, 400, 400, 404, 404] }],
  ['reports filed in it', 'GET', (c) => `/${c.id}/reports`, undefined, false, {
    public:     [401, 403, 403, 403, 200, 200, 403, 403],
    restricted: [401, 403, 403, 403, 200, 200, 403, 403],
    private:    [404, 404, 404, 403, 200, 200, 404, 404] }],
  ['feed', 'GET', (c) => `/${c.id}/feed`, undefined, false, {
    public:     [200, 200, 200, 200, 200, 200, 200, 200],
    restricted: [401, 403, 403, 200, 200, 200, 403, 403],
    private:    [404, 404, 404, 200, 200, 200, 404, 404] }],
  ['map', 'GET', (c) => `/${c.id}/map`, undefined, false, {
    public:     [200, 200, 200, 200, 200, 200, 200, 200],
    restricted: [401, 403, 403, 200, 200, 200, 403, 403],
    private:    [404, 404, 404, 200, 200, 200, 404, 404] }],
  ['collections', 'GET', (c) => `/${c.id}/collections`, undefined, false, {
    public:     [200, 200, 200, 200, 200, 200, 200, 200],
    restricted: [401, 403, 403, 200, 200, 200, 403, 403],
    private:    [404, 404, 404, 200, 200, 200, 404, 404] }],
  ['a collection of the community', 'GET', (c) => `/../collections/${c.col}`, undefined, false, {
    public:     [200, 200, 200, 200, 200, 200, 200, 200],
    restricted: [401, 403, 403, 200, 200, 200, 403, 403],
    private:    [404, 404, 404, 200, 200, 200, 404, 404] }],
  // The collection endpoints read the body first: a valid one, each cell on its own community.
  ['add to its collection', 'POST', (c) => `/../collections/${c.col}/items`, () => ({ initiative_id: initiative }), true, {
    public:     [401, 403, 403, 403, 201, 201, 403, 403],
    restricted: [401, 403, 403, 403, 201, 201, 403, 403],
    private:    [401, 404, 404, 403, 201, 201, 404, 404] }],
  ['create a collection', 'POST', (c) => `/${c.id}/collections`, BAD, false, {
    public:     [401, 403, 403, 403, 400, 400, 403, 403],
    restricted: [401, 403, 403, 403, 400, 400, 403, 403],
    private:    [401, 404, 404, 403, 400, 400, 404, 404] }],
  ['proposals', 'GET', (c) => `/${c.id}/proposals`, undefined, false, {
    public:     [401, 403, 403, 403, 200, 200, 403, 403],
    restricted: [401, 403, 403, 403, 200, 200, 403, 403],
    private:    [404, 404, 404, 403, 200, 200, 404, 404] }],
  ['propose', 'POST', (c) => `/${c.id}/proposals`, BAD, false, {
    public:     [401, 403, 403, 400, 400, 400, 403, 403],
    restricted: [401, 403, 403, 400, 400, 400, 403, 403],
    private:    [401, 404, 404, 400, 400, 400, 404, 404] }],
  ['decide on a proposal', 'POST', (c) => `/${c.id}/proposals/1/decision`, BAD, false, {
    public:     [401, 403, 403, 403, 400, 400, 403, 403],
    restricted: [401, 403, 403, 403, 400, 400, 403, 403],
    private:    [401, 404, 404, 403, 400, 400, 404, 404] }],
];

let who;
let initiative;
const setups = { public: [], restricted: [], private: [] };

before(async () => {
  who = await people();
  [initiative] = await publishedIds(1);
  // "other": a member of another community only.
  const other = await sqlJson(
    `WITH c AS (INSERT INTO community (name, visibility, member_count) VALUES ('Ailleurs', 'public', 1) RETURNING id)
     INSERT INTO community_member (community_id, account_id, role) SELECT id, ${who.outsider.id}, 'owner' FROM c RETURNING json_build_object('id', community_id)`,
  );
  assert.ok(other.id);
  const victim = await signUpAndLogIn({ name: 'Vic Victim', prefix: 'cm-victim' });
  // One community per row and visibility, and one per cell for the rows that act.
  const count = TABLE.reduce((n, row) => n + (row[4] ? ROLES.length : 1), 0);
  for (const vis of Object.keys(setups)) {
    const rows = await sqlJson(
      `WITH c AS (INSERT INTO community (name, visibility, member_count)
                  SELECT 'Matrice ' || g, '${vis}', 5 FROM generate_series(1, ${count}) g RETURNING id),
       m AS (INSERT INTO community_member (community_id, account_id, role, status)
             SELECT c.id, x.a, x.r, x.s FROM c, (VALUES (${who.owner.id}::bigint, 'owner', 'member'),
               (${who.moderator.id}, 'moderator', 'member'), (${who.member.id}, 'member', 'member'),
               (${who.pending.id}, 'member', 'pending'), (${who.banned.id}, 'member', 'banned'),
               (${victim.id}, 'member', 'member')) x (a, r, s) RETURNING 1),
       t AS (INSERT INTO community_thread (community_id, author_id, title, body, sort_key)
             SELECT c.id, ${who.member.id}, 'Sujet', 'Texte', community_sort_key(false, now()) FROM c
             RETURNING id, community_id),
       r AS (INSERT INTO community_reply (thread_id, community_id, author_id, body)
             SELECT t.id, t.community_id, ${who.member.id}, 'Réponse' FROM t RETURNING id, community_id),
       co AS (INSERT INTO collection (user_id, title, community_id)
              SELECT ${who.owner.id}, 'Sélection', c.id FROM c RETURNING id, community_id)
       SELECT json_agg(json_build_object('id', c.id, 'tid', t.id, 'rid', r.id, 'col', co.id, 'victim', ${victim.id}) ORDER BY c.id)
         FROM c JOIN t ON t.community_id = c.id JOIN r ON r.community_id = c.id JOIN co ON co.community_id = c.id`,
    );
    assert.equal(rows.length, count);
    setups[vis] = rows;
  }
});

function clientOf(role) {
  return role === 'anonymous' ? null : role === 'other' ? who.outsider : who[role];
}

async function ask(role, method, path, body) {
  const client = clientOf(role);
  const url = `/api/v1/communities${path}`.replace('/communities/../', '/');
  if (client === null) {
    return api(url, { method, headers: body !== undefined ? { 'content-type': 'application/json' } : {}, body: body !== undefined ? JSON.stringify(body) : undefined });
  }
  return client.request(url, { method, body });
}

test('the authorisation table of communities, every cell against the real stack', async () => {
  const misses = [];
  for (const vis of Object.keys(setups)) {
    let next = 0;
    for (const [label, method, path, body, perCell, expected] of TABLE) {
      const shared = perCell ? null : setups[vis][next++];
      for (let i = 0; i < ROLES.length; i++) {
        const c = shared ?? setups[vis][next++];
        const res = await ask(ROLES[i], method, path(c), typeof body === 'function' ? body(c) : body);
        if (res.status !== expected[vis][i]) misses.push(`${label} (${method}) · ${vis} · ${ROLES[i]}: ${res.status}, expected ${expected[vis][i]} ${res.text?.slice(0, 120) ?? ''}`);
        // Every answer about a community is personal.
        if (res.status !== 204) assert.match(res.headers.get('cache-control') || '', /private/, `${label} ${vis} ${ROLES[i]}: private answer`);
      }
    }
  }
  assert.deepEqual(misses, [], `cells that differ from the table:\n${misses.join('\n')}`);
});

test('a private community is the same 404 as an unknown id for a non-member', async () => {
  const priv = setups.private[0];
  for (const role of ['anonymous', 'other', 'siteModerator', 'banned']) {
    const a = await ask(role, 'GET', `/${priv.id}`);
    const b = await ask(role, 'GET', '/999999999');
    assert.equal(a.status, 404);
    assert.equal(b.status, 404);
    assert.deepEqual(a.json, b.json, `${role}: the same answer`);
  }
});

test('every community write without the CSRF token, or from another site, is refused and changes nothing', async () => {
  const c = setups.public[0];
  const before = await sqlJson(`SELECT json_build_object('v', version, 'n', member_count) FROM community WHERE id = ${c.id}`);
  const misses = [];
  for (const [label, method, path, body] of TABLE) {
    if (method === 'GET') continue;
    const payload = typeof body === 'function' ? body(c) : body;
    for (const [how, opts] of [
      ['no CSRF token', { csrf: false }],
      ['another site', { headers: { origin: 'https://ailleurs.example', 'sec-fetch-site': 'cross-site' } }],
    ]) {
      const url = `/api/v1/communities${path(c)}`.replace('/communities/../', '/');
      const res = await who.owner.request(url, { method, body: payload, ...opts });
      if (res.status !== 403 || res.json?.error?.code !== 'csrf_failed') misses.push(`${label} (${method}), ${how}: ${res.status} ${res.text?.slice(0, 100) ?? ''}`);
    }
  }
  assert.deepEqual(misses, [], `writes not refused:\n${misses.join('\n')}`);
  assert.deepEqual(await sqlJson(`SELECT json_build_object('v', version, 'n', member_count) FROM community WHERE id = ${c.id}`), before, 'nothing changed');
});
