// The authorisation matrix of the personal endpoints (DESIGN.md §12b): every endpoint × four actors —
// anonymous, another member, the owner, a moderator. What one may not see is a 404 exactly like what
// does not exist; a write without session is a 401, without the CSRF token or from another site a 403
// csrf_failed; every answer is private. Adding an endpoint means adding a row to ROWS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { api, brief, newRequestId, qs, sql, useSharedStack } from './helpers.mjs';
import { logIn, publishedIds, signUpAndLogIn } from './accounts-helpers.mjs';

useSharedStack();

const V1 = '/api/v1';
const ACTORS = ['anonymous', 'other', 'owner', 'moderator'];

const clients = {}; // actor name → Client (anonymous: none)
let ids;

before(async () => {
  clients.owner = await signUpAndLogIn({ name: 'Propriétaire', prefix: 'authz-owner' });
  clients.other = await signUpAndLogIn({ name: 'Autre membre', prefix: 'authz-other' });
  clients.moderator = await signUpAndLogIn({ name: 'Modération', prefix: 'authz-moderator', role: 'moderator' });
  ids = await publishedIds(3);
});

after(async () => {
  for (const c of Object.values(clients)) await c.remove();
});

// Fixtures, made afresh for each actor by the owner through the API, so that a write that succeeds
// never changes what the next actor meets.
const owner = () => clients.owner;
async function created(res, status = 201) {
  assert.equal(res.status, status, brief(res));
  return res.json;
}
const privateCollection = async () => created(await owner().post(`${V1}/collections`, { title: 'Privée' }));
const publicCollection = async () => created(await owner().post(`${V1}/collections`, { title: 'Publique', visibility: 'public' }));
async function withItem(collection) {
  await created(await owner().post(`${V1}/collections/${collection.id}/items`, { initiative_id: ids[0] }));
  return collection;
}
const savedSearch = async () => created(await owner().post(`${V1}/me/searches`, { name: 'Jardins', params: { q: 'jardin' } }));
async function versionOf(actor) {
  return (await clients[actor].get(`${V1}/me`)).json.user.version;
}

// Each row: method, a label, prepare(actor) → {path, body}, and the status expected for each actor
// (null: not asked in the matrix, see the note). The owner of a thing is "owner"; for what is one's own
// (/me…), every signed-in actor is the owner of theirs.
const ROWS = [
  { method: 'GET', label: '/me', prepare: () => ({ path: `${V1}/me` }), expect: [401, 200, 200, 200] },
  {
    method: 'PATCH',
    label: '/me',
    prepare: async (actor) => ({ path: `${V1}/me`, body: { display_name: 'Nom', version: actor === 'anonymous' ? 1 : await versionOf(actor) } }),
    expect: [401, 200, 200, 200],
  },
  // A wrong current password: refused for everyone signed in, so that nothing changes.
  {
    method: 'PUT',
    label: '/me/password (wrong current password)',
    prepare: () => ({ path: `${V1}/me/password`, body: { current_password: 'pas le bon mot de passe', new_password: 'Un-nouveau-mot-de-passe-42' } }),
    expect: [401, 403, 403, 403],
  },
  {
    method: 'PUT',
    label: '/me/email (wrong password)',
    prepare: () => ({ path: `${V1}/me/email`, body: { email: 'ailleurs@example.org', password: 'pas le bon mot de passe' } }),
    expect: [401, 403, 403, 403],
  },
  { method: 'POST', label: '/account/verify/resend', prepare: () => ({ path: `${V1}/account/verify/resend`, body: {} }), expect: [401, 202, 202, 202] },
  { method: 'GET', label: '/me/sessions', prepare: () => ({ path: `${V1}/me/sessions` }), expect: [401, 200, 200, 200] },
  {
    method: 'DELETE',
    label: "/me/sessions/{id} (the owner's)",
    prepare: async () => {
      const second = await logIn(owner().email, owner().password);
      const list = (await second.get(`${V1}/me/sessions`)).json.items;
      return { path: `${V1}/me/sessions/${list.find((s) => s.current).id}` };
    },
    expect: [401, 404, 204, 404],
  },
  { method: 'GET', label: '/me/export', prepare: () => ({ path: `${V1}/me/export` }), expect: [401, 200, 200, 200] },
  // The owner's success is the last step of the file (it ends the account); a wrong password here.
  { method: 'DELETE', label: '/me (wrong password)', prepare: () => ({ path: `${V1}/me`, body: { password: 'pas le bon mot de passe' } }), expect: [401, 403, 403, 403] },
  { method: 'GET', label: '/me/favourites', prepare: () => ({ path: `${V1}/me/favourites` }), expect: [401, 200, 200, 200] },
  { method: 'GET', label: '/me/favourites/ids', prepare: () => ({ path: `${V1}/me/favourites/ids` }), expect: [401, 200, 200, 200] },
  { method: 'PUT', label: '/me/favourites/{id}', prepare: () => ({ path: `${V1}/me/favourites/${ids[1]}` }), expect: [401, 204, 204, 204] },
  { method: 'DELETE', label: '/me/favourites/{id}', prepare: () => ({ path: `${V1}/me/favourites/${ids[1]}` }), expect: [401, 204, 204, 204] },
  { method: 'GET', label: '/me/collections', prepare: () => ({ path: `${V1}/me/collections` }), expect: [401, 200, 200, 200] },
  { method: 'POST', label: '/collections', prepare: () => ({ path: `${V1}/collections`, body: { title: 'La mienne' } }), expect: [401, 201, 201, 201] },
  { method: 'GET', label: '/collections/{private}', prepare: async () => ({ path: `${V1}/collections/${(await privateCollection()).id}` }), expect: [404, 404, 200, 404] },
  { method: 'GET', label: '/collections/{public}', prepare: async () => ({ path: `${V1}/collections/${(await publicCollection()).id}` }), expect: [200, 200, 200, 200] },
  {
    method: 'PATCH',
    label: '/collections/{private}',
    prepare: async () => ({ path: `${V1}/collections/${(await privateCollection()).id}`, body: { version: 1, title: 'Changée' } }),
    expect: [401, 404, 200, 404],
  },
  {
    method: 'PATCH',
    label: '/collections/{public}',
    prepare: async () => ({ path: `${V1}/collections/${(await publicCollection()).id}`, body: { version: 1, title: 'Changée' } }),
    expect: [401, 403, 200, 403],
  },
  { method: 'DELETE', label: '/collections/{private}', prepare: async () => ({ path: `${V1}/collections/${(await privateCollection()).id}` }), expect: [401, 404, 204, 404] },
  { method: 'DELETE', label: '/collections/{public}', prepare: async () => ({ path: `${V1}/collections/${(await publicCollection()).id}` }), expect: [401, 403, 204, 403] },
  {
    method: 'POST',
    label: '/collections/{private}/items',
    prepare: async () => ({ path: `${V1}/collections/${(await privateCollection()).id}/items`, body: { initiative_id: ids[0] } }),
    expect: [401, 404, 201, 404],
  },
  {
    method: 'POST',
    label: '/collections/{public}/items',
    prepare: async () => ({ path: `${V1}/collections/${(await publicCollection()).id}/items`, body: { initiative_id: ids[0] } }),
    expect: [401, 403, 201, 403],
  },
  {
    method: 'PATCH',
    label: '/collections/{private}/items/{id}',
    prepare: async () => ({ path: `${V1}/collections/${(await withItem(await privateCollection())).id}/items/${ids[0]}`, body: { note: 'n' } }),
    expect: [401, 404, 200, 404],
  },
  {
    method: 'PATCH',
    label: '/collections/{public}/items/{id}',
    prepare: async () => ({ path: `${V1}/collections/${(await withItem(await publicCollection())).id}/items/${ids[0]}`, body: { position: 1 } }),
    expect: [401, 403, 200, 403],
  },
  {
    method: 'DELETE',
    label: '/collections/{private}/items/{id}',
    prepare: async () => ({ path: `${V1}/collections/${(await withItem(await privateCollection())).id}/items/${ids[0]}` }),
    expect: [401, 404, 204, 404],
  },
  {
    method: 'DELETE',
    label: '/collections/{public}/items/{id}',
    prepare: async () => ({ path: `${V1}/collections/${(await withItem(await publicCollection())).id}/items/${ids[0]}` }),
    expect: [401, 403, 204, 403],
  },
  { method: 'GET', label: '/me/searches', prepare: () => ({ path: `${V1}/me/searches` }), expect: [401, 200, 200, 200] },
  { method: 'POST', label: '/me/searches', prepare: () => ({ path: `${V1}/me/searches`, body: { name: 'À moi', params: { theme: 'ENV' } } }), expect: [401, 201, 201, 201] },
  {
    method: 'PATCH',
    label: "/me/searches/{id} (the owner's)",
    prepare: async () => ({ path: `${V1}/me/searches/${(await savedSearch()).id}`, body: { version: 1, alert: 'daily' } }),
    expect: [401, 404, 200, 404],
  },
  { method: 'DELETE', label: "/me/searches/{id} (the owner's)", prepare: async () => ({ path: `${V1}/me/searches/${(await savedSearch()).id}` }), expect: [401, 404, 204, 404] },
  // API keys: one's own only; another's key is not known to exist.
  { method: 'GET', label: '/me/keys', prepare: () => ({ path: `${V1}/me/keys` }), expect: [401, 200, 200, 200] },
  { method: 'POST', label: '/me/keys', prepare: () => ({ path: `${V1}/me/keys`, body: { name: 'Site partenaire' } }), expect: [401, 201, 201, 201] },
  {
    method: 'DELETE',
    label: "/me/keys/{id} (the owner's)",
    prepare: async () => ({ path: `${V1}/me/keys/${(await created(await owner().post(`${V1}/me/keys`, { name: 'À révoquer' }))).id}` }),
    expect: [401, 404, 204, 404],
  },
];

const CODES = { 401: 'unauthenticated', 403: null, 404: 'not_found' };
const unsafe = (method) => method !== 'GET';

function send(actor, method, path, body, opts = {}) {
  if (actor === 'anonymous') {
    const headers = body !== undefined ? { 'content-type': 'application/json' } : {};
    return api(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  return clients[actor].request(path, { method, body, ...opts });
}

function checkAnswer(res, expected, what) {
  assert.equal(res.status, expected, `${what}: ${brief(res)}`);
  assert.equal(res.headers.get('cache-control'), 'private, no-store', `${what}: every personal answer is private`);
  assert.notEqual(res.headers.get('x-cache'), 'HIT', `${what}: never from the shared cache`);
  if (CODES[expected]) assert.equal(res.json?.error?.code, CODES[expected], `${what}: ${brief(res)}`);
}

for (const row of ROWS) {
  test(`${row.method} ${row.label}: ${ACTORS.map((a, i) => `${a} ${row.expect[i]}`).join(', ')}`, async () => {
    for (const [i, actor] of ACTORS.entries()) {
      const { path, body } = await row.prepare(actor);
      const res = await send(actor, row.method, path, body);
      checkAnswer(res, row.expect[i], `${actor} ${row.method} ${path}`);
    }
  });

  if (unsafe(row.method)) {
    test(`${row.method} ${row.label}: the owner without the CSRF token, or from another site, is refused and nothing changes`, async () => {
      const attempts = [
        ['no CSRF token', { csrf: false }],
        ['a wrong CSRF token', { headers: { 'x-csrf-token': 'A'.repeat(43) }, csrf: false }],
        ['another Origin', { headers: { origin: 'https://evil.example' } }],
        ['a cross-site fetch', { headers: { 'sec-fetch-site': 'cross-site' } }],
      ];
      for (const [what, opts] of attempts) {
        const { path, body } = await row.prepare('owner');
        const before = row.method === 'DELETE' && !path.endsWith('/me') ? await clients.owner.get(path.replace(/\/items\/\d+$/, '')) : null;
        const res = await send('owner', row.method, path, body, opts);
        checkAnswer(res, 403, `${what}: ${row.method} ${path}`);
        assert.equal(res.json.error.code, 'csrf_failed', brief(res));
        if (before && before.status === 200) {
          const afterRes = await clients.owner.get(path.replace(/\/items\/\d+$/, ''));
          assert.deepEqual(afterRes.json, before.json, `${what}: nothing changed`);
        }
      }
    });
  }
}

test('a moderator gets no right on private spaces: the same 404 as for a thing that does not exist', async () => {
  const c = await privateCollection();
  const hidden = await send('moderator', 'GET', `${V1}/collections/${c.id}`);
  const missing = await send('moderator', 'GET', `${V1}/collections/999999999`);
  assert.equal(hidden.status, 404);
  assert.deepEqual(hidden.json, missing.json, 'a hidden collection and a missing one answer the same bytes');
  const s = await savedSearch();
  const hiddenSearch = await send('other', 'DELETE', `${V1}/me/searches/${s.id}`);
  const missingSearch = await send('other', 'DELETE', `${V1}/me/searches/999999999`);
  assert.deepEqual(hiddenSearch.json, missingSearch.json);
});

test('a public search asked with a session cookie is still served from the shared cache, with nothing personal in it', async () => {
  const owner = clients.owner;
  // A query of its own, so that the first request is a miss whatever ran before.
  const path = `${V1}/search${qs({ q: 'jardin', year_min: 1900 + Math.floor(Math.random() * 100), limit: 3 })}`;
  const first = await owner.get(path, { headers: { 'x-request-id': newRequestId('authz') } });
  assert.equal(first.status, 200, brief(first));
  const second = await owner.get(path);
  assert.equal(second.status, 200, brief(second));
  assert.equal(second.headers.get('x-cache'), 'HIT', 'the second request is served from the shared cache');
  assert.notEqual(second.headers.get('cache-control'), 'private, no-store');
  for (const res of [first, second]) {
    for (const secret of [owner.email, owner.csrf, 'Propriétaire', owner.cookie.split('=')[1]]) {
      assert.ok(!res.text.includes(secret), `a public answer holds nothing personal (${secret.slice(0, 12)}…)`);
    }
    assert.equal(res.headers.get('set-cookie'), null);
  }
  const anonymous = await api(path);
  assert.equal(anonymous.headers.get('x-cache'), 'HIT');
  assert.equal(anonymous.text, second.text, 'the same bytes with or without a session');
});

test('the owner deletes the account: 204, the session ends, the personal space is gone', async () => {
  const c = await privateCollection();
  const s = await savedSearch();
  const res = await clients.owner.del(`${V1}/me`, { body: { password: clients.owner.password } });
  assert.equal(res.status, 204, brief(res));
  assert.equal((await clients.owner.get(`${V1}/me`)).status, 401);
  assert.equal(await sql(`SELECT count(*) FROM collection WHERE id = ${c.id}`), '0');
  assert.equal(await sql(`SELECT count(*) FROM saved_search WHERE id = ${s.id}`), '0');
});
