// The authorisation matrix of contributions, claims, carrier edits, history and moderation
// (DESIGN.md §12b, docs/api.md "Contributions"): every endpoint × seven actors — anonymous, a member
// whose address is not confirmed, a member, the author (of the contribution in question), a carrier
// (of the initiative in question), a moderator, an administrator. What one may not see is a 404
// like what does not exist; a write without session is a 401; every personal answer is private.
// Adding an endpoint means adding a row to ROWS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { api, brief, sql } from './helpers.mjs';
import { resetRateLimits, signUpAndLogIn } from './accounts-helpers.mjs';

const V1 = '/api/v1';
const ACTORS = ['anonymous', 'unverified', 'member', 'author', 'carrier', 'moderator', 'admin'];
const clients = {};
let carried; // the initiative the carrier carries
let spare; // published initiatives to claim, one per actor

before(async () => {
  await resetRateLimits();
  clients.unverified = await signUpAndLogIn({ verified: false, name: 'Pas confirmé', prefix: 'cz-unverified' });
  clients.member = await signUpAndLogIn({ name: 'Membre', prefix: 'cz-member' });
  clients.author = await signUpAndLogIn({ name: 'Autrice', prefix: 'cz-author' });
  clients.carrier = await signUpAndLogIn({ name: 'Porteur', prefix: 'cz-carrier' });
  clients.moderator = await signUpAndLogIn({ name: 'Modération', prefix: 'cz-moderator', role: 'moderator' });
  clients.admin = await signUpAndLogIn({ name: 'Administration', prefix: 'cz-admin', role: 'admin' });
  const c = await created(await clients.author.post(`${V1}/contributions`, { kind: 'proposal', fields: { title: 'Initiative portée', themes: ['ENV'] }, submit: true }));
  carried = (await created(await clients.moderator.post(`${V1}/contributions/${c.id}/review`, { version: c.version, decision: 'approve' }), 200)).initiative.id;
  const claim = await created(await clients.carrier.post(`${V1}/initiatives/${carried}/claims`, {}));
  const ok = await clients.moderator.post(`${V1}/claims/${claim.id}/review`, { version: claim.version, decision: 'approve' });
  assert.equal(ok.status, 204, brief(ok));
  // Initiatives whose website is not at the test addresses' domain: a claim on them waits for a
  // moderator (at that domain it would be approved at once).
  spare = (await sql(`SELECT id FROM initiative WHERE status = 'published' AND coalesce(website, '') NOT LIKE '%example.org%'
     ORDER BY id LIMIT ${ACTORS.length}`)).split('\n').map(Number);
  assert.equal(spare.length, ACTORS.length);
});

// The initiatives published here are removed with their people (the suites after this one count
// the demonstration catalogue).
after(async () => {
  const ids = Object.values(clients).map((c) => Number(c.id));
  if (ids.length) await sql(`DELETE FROM initiative WHERE proposed_by IN (${ids.join(', ')})`);
  for (const c of Object.values(clients)) await c.remove();
});

async function created(res, status = 201) {
  assert.equal(res.status, status, brief(res));
  return res.json;
}

// Fixtures made afresh for each cell by their owner, so that a write that succeeds never changes
// what the next actor meets.
const draft = async () => created(await clients.author.post(`${V1}/contributions`, { kind: 'proposal', fields: { title: 'Brouillon' } }));
const pending = async () => created(await clients.author.post(`${V1}/contributions`, { kind: 'proposal', fields: { title: 'En attente' }, submit: true }));
const versionOf = async (id) => (await api(`${V1}/initiatives/${id}`)).json.version;
async function pendingClaim(actor) {
  // A claim by the member on one of the spare initiatives (one per actor, so never a duplicate).
  const id = spare[ACTORS.indexOf(actor)];
  await sql(`DELETE FROM claim WHERE initiative_id = ${id} AND user_id = ${clients.member.id}`);
  return created(await clients.member.post(`${V1}/initiatives/${id}/claims`, {}));
}
async function sourceChange() {
  const id = Number(await sql(`INSERT INTO source_change (initiative_id, field, ours, theirs) VALUES (${carried}, 'stage', 'null', '"emergence"')
     ON CONFLICT (initiative_id, field) WHERE status = 'open' DO UPDATE SET version = source_change.version RETURNING id`));
  const version = Number(await sql(`SELECT version FROM source_change WHERE id = ${id}`));
  return { id, version };
}

// Each row: method, label, prepare(actor) → {path, body}, and the status expected per actor, in the
// order of ACTORS.
const ROWS = [
  {
    method: 'POST',
    label: '/contributions (a proposal)',
    prepare: () => ({ path: `${V1}/contributions`, body: { kind: 'proposal', fields: { title: 'Une idée' } } }),
    expect: [401, 403, 201, 201, 201, 201, 201],
  },
  { method: 'GET', label: '/me/contributions', prepare: () => ({ path: `${V1}/me/contributions` }), expect: [401, 200, 200, 200, 200, 200, 200] },
  { method: 'GET', label: "/contributions/{id} (the author's, pending)", prepare: async () => ({ path: `${V1}/contributions/${(await pending()).id}` }), expect: [401, 404, 404, 200, 404, 200, 200] },
  {
    method: 'PATCH',
    label: "/contributions/{id} (the author's draft)",
    prepare: async () => {
      const d = await draft();
      return { path: `${V1}/contributions/${d.id}`, body: { version: d.version, comment: 'Complété' } };
    },
    expect: [401, 404, 404, 200, 404, 403, 403],
  },
  { method: 'DELETE', label: "/contributions/{id} (the author's draft)", prepare: async () => ({ path: `${V1}/contributions/${(await draft()).id}` }), expect: [401, 404, 404, 204, 404, 403, 403] },
  {
    method: 'POST',
    label: '/contributions/{id}/review',
    prepare: async () => {
      const p = await pending();
      return { path: `${V1}/contributions/${p.id}/review`, body: { version: p.version, decision: 'reject', reason: 'Test' } };
    },
    expect: [401, 403, 403, 403, 403, 200, 200],
  },
  {
    method: 'POST',
    label: '/initiatives/{id}/corrections',
    prepare: async () => ({ path: `${V1}/initiatives/${carried}/corrections`, body: { version: await versionOf(carried), fields: { start_year: 2020 } } }),
    expect: [401, 403, 201, 201, 201, 201, 201],
  },
  {
    method: 'POST',
    label: '/initiatives/{id}/claims',
    prepare: async (actor) => {
      const id = spare[ACTORS.indexOf(actor)];
      if (clients[actor]) await sql(`DELETE FROM claim WHERE initiative_id = ${id} AND user_id = ${clients[actor].id}`);
      return { path: `${V1}/initiatives/${id}/claims`, body: { message: 'Je porte ce projet.' } };
    },
    expect: [401, 403, 201, 201, 201, 201, 201],
  },
  { method: 'GET', label: '/me/claims', prepare: () => ({ path: `${V1}/me/claims` }), expect: [401, 200, 200, 200, 200, 200, 200] },
  {
    method: 'POST',
    label: '/claims/{id}/review',
    prepare: async (actor) => {
      const c = await pendingClaim(actor);
      return { path: `${V1}/claims/${c.id}/review`, body: { version: c.version, decision: 'reject', reason: 'Test' } };
    },
    expect: [401, 403, 403, 403, 403, 204, 204],
  },
  {
    method: 'PATCH',
    label: "/initiatives/{id} (the carrier's initiative)",
    prepare: async () => ({ path: `${V1}/initiatives/${carried}`, body: { version: await versionOf(carried), fields: { start_year: 2000 + Math.floor(Math.random() * 20) } } }),
    expect: [401, 403, 403, 403, 200, 200, 200],
  },
  { method: 'GET', label: '/initiatives/{id}/history', prepare: () => ({ path: `${V1}/initiatives/${carried}/history` }), expect: [200, 200, 200, 200, 200, 200, 200] },
  {
    method: 'POST',
    label: '/initiatives/{id}/revert',
    prepare: async () => ({ path: `${V1}/initiatives/${carried}/revert`, body: { version: await versionOf(carried), to_version: 1, reason: 'Test' } }),
    expect: [401, 403, 403, 403, 403, 200, 200],
  },
  {
    method: 'POST',
    label: '/source-changes/{id}/review',
    prepare: async () => {
      const s = await sourceChange();
      return { path: `${V1}/source-changes/${s.id}/review`, body: { version: s.version, decision: 'keep' } };
    },
    expect: [401, 403, 403, 403, 403, 204, 204],
  },
  { method: 'GET', label: '/moderation/queue', prepare: () => ({ path: `${V1}/moderation/queue` }), expect: [401, 403, 403, 403, 403, 200, 200] },
];

const unsafe = (m) => m !== 'GET' && m !== 'HEAD';

function send(actor, method, path, body, opts = {}) {
  if (actor === 'anonymous') {
    const headers = body !== undefined ? { 'content-type': 'application/json' } : {};
    return api(path, { method, headers, body: body !== undefined ? JSON.stringify(body) : undefined });
  }
  return clients[actor].request(path, { method, body, ...opts });
}

for (const row of ROWS) {
  test(`${row.method} ${row.label}: ${ACTORS.map((a, i) => `${a} ${row.expect[i]}`).join(', ')}`, async () => {
    for (const [i, actor] of ACTORS.entries()) {
      const { path, body } = await row.prepare(actor);
      const res = await send(actor, row.method, path, body);
      assert.equal(res.status, row.expect[i], `${actor}: ${row.method} ${path}: ${brief(res)}`);
      if (row.label !== '/initiatives/{id}/history') {
        assert.equal(res.headers.get('cache-control'), 'private, no-store', `${actor}: a personal answer is private`);
      }
    }
  });

  if (unsafe(row.method)) {
    test(`${row.method} ${row.label}: without the CSRF token, or from another site, refused`, async () => {
      const actor = ACTORS.find((a, i) => a !== 'anonymous' && row.expect[i] < 300);
      for (const opts of [{ csrf: false }, { headers: { origin: 'https://evil.example' } }]) {
        const { path, body } = await row.prepare(actor);
        const res = await send(actor, row.method, path, body, opts);
        assert.equal(res.status, 403, `${actor} ${JSON.stringify(opts)}: ${brief(res)}`);
        assert.equal(res.json.error.code, 'csrf_failed');
      }
    });
  }
}

test('a pending contribution is the same 404 as one that does not exist, for everyone but its author and the moderators', async () => {
  const p = await pending();
  const hidden = await clients.member.get(`${V1}/contributions/${p.id}`);
  const missing = await clients.member.get(`${V1}/contributions/999999999`);
  assert.equal(hidden.status, 404);
  assert.deepEqual(hidden.json, missing.json);
});
