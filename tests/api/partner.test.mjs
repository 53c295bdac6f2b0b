// Partner sites (docs/api.md, "API keys and quotas", "CORS", "Conditional requests"): a member's API
// keys (secret shown once, only its hash kept, revocation at once), quotas per key and per client
// address (RateLimit headers, 429 with Retry-After), CORS on the public GETs only, and ETag / 304.
//
// The test stack does not limit 127.0.0.1 without a key (scripts/stack.sh: SC_QUOTA_EXEMPT), so the
// per-address quota is met from other loopback addresses (127.x.y.z reach the same nginx), drawn at
// random so that a second run within the quota's window starts afresh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';

import { api, BASE_URL, brief, sleep, sql, useSharedStack, waitUntil } from './helpers.mjs';
import { signUpAndLogIn } from './accounts-helpers.mjs';

useSharedStack();

const V1 = '/api/v1';
let member;
let unverified;

before(async () => {
  member = await signUpAndLogIn({ name: 'Partenaire', prefix: 'keys-owner' });
  unverified = await signUpAndLogIn({ name: 'Pas encore confirmé', prefix: 'keys-unverified', verified: false });
});

after(async () => {
  for (const c of [member, unverified]) if (c) await c.remove();
});

/** GET from a given loopback source address, with headers; resolves like api(). */
function from(address, p, headers = {}) {
  const url = new URL(BASE_URL + p);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'GET', localAddress: address, headers: { accept: 'application/json', ...headers }, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = null;
          }
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : String(v));
          resolve({ status: res.statusCode, headers: h, text, json, url: url.href, method: 'GET' });
        });
      },
    );
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const randomLoopback = () => `127.${1 + crypto.randomInt(250)}.${crypto.randomInt(256)}.${1 + crypto.randomInt(250)}`;
const bearer = (secret) => ({ authorization: `Bearer ${secret}` });

/** Parses `"minute";r=4;t=12` and `"minute";q=5;w=60, "day";q=…` into objects by name. */
function fields(value) {
  const out = {};
  for (const part of (value || '').split(',')) {
    const m = /^\s*"([a-z]+)"((?:;[a-z]+=\d+)*)\s*$/.exec(part);
    assert.ok(m, `a structured-field item: ${value}`);
    out[m[1]] = Object.fromEntries(m[2].split(';').filter(Boolean).map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])]));
  }
  return out;
}

async function newKey(name = 'Site de test') {
  const res = await member.post(`${V1}/me/keys`, { name });
  assert.equal(res.status, 201, brief(res));
  return res.json;
}

test('a key is created with its secret shown once; the list and the database never hold the secret', async () => {
  const key = await newKey('Carte des tiers-lieux');
  assert.match(key.secret, /^sck_[A-Za-z0-9_-]{43}$/);
  assert.equal(key.name, 'Carte des tiers-lieux');
  assert.ok(key.secret.startsWith(key.prefix) && key.prefix.length > 4, 'the prefix is the start of the secret');
  assert.equal(key.revoked_at, null);
  const created = await member.get(`${V1}/me/keys`);
  assert.equal(created.status, 200, brief(created));
  assert.equal(created.headers.get('cache-control'), 'private, no-store');
  assert.equal(created.headers.get('access-control-allow-origin'), null, 'no CORS on a personal answer');
  const listed = created.json.items.find((k) => k.id === key.id);
  assert.ok(listed, 'the new key is listed');
  assert.equal(listed.secret, undefined, 'the list never gives the secret again');
  assert.ok(!created.text.includes(key.secret.slice(4)), 'nor any part of it beyond the prefix');
  assert.equal(listed.use.length, 14, 'fourteen days of use');
  assert.ok(listed.use.every((d) => d.requests === 0));
  // The database holds SHA-256(secret), and no column holds the secret.
  const stored = await sql(`SELECT encode(hash, 'hex') || ' ' || row_to_json(k)::text FROM api_key k WHERE id = ${Number(key.id)}`);
  assert.equal(stored.split(' ')[0], crypto.createHash('sha256').update(key.secret).digest('hex'));
  assert.ok(!stored.includes(key.secret.slice(4)), 'the secret is nowhere in the row');
});

test('key writes follow the conventions: the name is validated, CSRF, verified members only', async () => {
  for (const [body, field] of [
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(81) }, 'name'],
    [{ name: 'ok', secret: 'mine' }, 'secret'],
  ]) {
    const res = await member.post(`${V1}/me/keys`, body);
    assert.equal(res.status, 400, brief(res));
    assert.equal(res.json.error.field, field, brief(res));
  }
  const noCsrf = await member.post(`${V1}/me/keys`, { name: 'Sans jeton' }, { csrf: false });
  assert.equal(noCsrf.status, 403, brief(noCsrf));
  assert.equal(noCsrf.json.error.code, 'csrf_failed');
  const notYet = await unverified.post(`${V1}/me/keys`, { name: 'Trop tôt' });
  assert.equal(notYet.status, 403, brief(notYet));
  assert.equal(notYet.json.error.code, 'unverified');
  // Listing needs only a session (and shows nothing yet).
  const list = await unverified.get(`${V1}/me/keys`);
  assert.equal(list.status, 200, brief(list));
  assert.deepEqual(list.json.items, []);
});

test('a bad key is a 401 in French on any public GET; a revoked one is refused at once by every worker', async () => {
  const cases = [
    ['Bearer', 'no key'],
    ['Bearer abc', 'malformed'],
    [`Basic ${Buffer.from('a:b').toString('base64')}`, 'another scheme'],
    [`Bearer sck_${'A'.repeat(43)}`, 'unknown'],
    [`Bearer sck_${'A'.repeat(42)}!`, 'bad characters'],
  ];
  for (const [authorization, what] of cases) {
    const res = await api(`${V1}/search?q=jardin`, { headers: { authorization } });
    assert.equal(res.status, 401, `${what}: ${brief(res)}`);
    assert.equal(res.json.error.code, 'invalid_api_key', what);
    assert.match(res.json.error.message, /clé d'API|Authorization/, what);
    assert.match(res.headers.get('www-authenticate') || '', /^Bearer/, what);
  }
  const key = await newKey('À révoquer');
  // Enough requests that every worker has met the key (and knows it as valid).
  for (let i = 0; i < 12; i++) {
    const ok = await api(`${V1}/initiatives?limit=1`, { headers: bearer(key.secret) });
    assert.equal(ok.status, 200, brief(ok));
  }
  const revoked = await member.del(`${V1}/me/keys/${key.id}`);
  assert.equal(revoked.status, 204, brief(revoked));
  for (let i = 0; i < 12; i++) {
    const res = await api(`${V1}/initiatives?limit=1`, { headers: bearer(key.secret) });
    assert.equal(res.status, 401, `request ${i + 1} after revocation: ${brief(res)}`);
    assert.match(res.json.error.message, /révoquée/);
  }
  const listed = (await member.get(`${V1}/me/keys`)).json.items.find((k) => k.id === key.id);
  assert.ok(listed.revoked_at, 'the list says when it was revoked');
  // Forgotten by Redis (restart, expiry): PostgreSQL still says revoked.
  await sql(`SELECT 1`);
  const again = await api(`${V1}/search?q=jardin`, { headers: bearer(key.secret) });
  assert.equal(again.status, 401, brief(again));
});

test("deleting one's account refuses its keys at once", async () => {
  const leaving = await signUpAndLogIn({ name: 'Sur le départ', prefix: 'keys-leaving' });
  try {
    const key = (await leaving.post(`${V1}/me/keys`, { name: 'Dernière clé' })).json;
    for (let i = 0; i < 8; i++) assert.equal((await api(`${V1}/sources`, { headers: bearer(key.secret) })).status, 200);
    const gone = await leaving.del(`${V1}/me`, { body: { password: leaving.password } });
    assert.equal(gone.status, 204, brief(gone));
    for (let i = 0; i < 8; i++) {
      const res = await api(`${V1}/sources`, { headers: bearer(key.secret) });
      assert.equal(res.status, 401, `request ${i + 1} after the account was deleted: ${brief(res)}`);
    }
    // Also once Redis has forgotten it: PostgreSQL says so too.
    assert.equal(await sql(`SELECT revoked_at IS NOT NULL FROM api_key WHERE id = ${Number(key.id)}`), 't');
  } finally {
    await leaving.remove();
  }
});

test("a key's use is counted per day and shown in the list, with its last use", async () => {
  const key = await newKey('Compteur');
  for (let i = 0; i < 5; i++) assert.equal((await api(`${V1}/vocabularies`, { headers: bearer(key.secret) })).status, 200);
  const listed = await waitUntil(
    async () => {
      const k = (await member.get(`${V1}/me/keys`)).json.items.find((x) => x.id === key.id);
      return k.use.at(-1).requests >= 5 ? k : null;
    },
    { timeout: 10000, interval: 250, what: 'the five uses counted by the job runner' },
  );
  assert.equal(listed.use.at(-1).requests, 5);
  assert.equal(listed.use.at(-1).day, new Date().toISOString().slice(0, 10), 'today (UTC) is the last day');
  assert.ok(listed.last_used_at && Date.now() - Date.parse(listed.last_used_at) < 60000, `last use: ${listed.last_used_at}`);
});

test('a burst over a small per-key quota is refused with 429 and a correct Retry-After; the quota comes back', async () => {
  const key = await newKey('Petit quota');
  // A partner's own quota, set before the key's first use (Redis learns it then).
  await sql(`UPDATE api_key SET quota_minute = 5 WHERE id = ${Number(key.id)}`);
  const p = `${V1}/search?q=jardin&limit=1`;
  const remaining = [];
  for (let i = 0; i < 5; i++) {
    const res = await api(p, { headers: bearer(key.secret) });
    assert.equal(res.status, 200, `request ${i + 1}: ${brief(res)}`);
    const policy = fields(res.headers.get('ratelimit-policy'));
    assert.deepEqual(policy.minute, { q: 5, w: 60 });
    assert.equal(policy.day.w, 86400);
    const rl = fields(res.headers.get('ratelimit'));
    assert.ok(rl.minute, `the minute is the tighter policy: ${res.headers.get('ratelimit')}`);
    remaining.push(rl.minute.r);
  }
  assert.deepEqual(remaining, [4, 3, 2, 1, 0], 'RateLimit counts down');
  const t0 = Date.now();
  const over = await api(p, { headers: bearer(key.secret) });
  assert.equal(over.status, 429, brief(over));
  assert.equal(over.json.error.code, 'too_many_requests');
  assert.match(over.json.error.message, /quota/);
  const retry = Number(over.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 12, `Retry-After ${over.headers.get('retry-after')}: one request comes back every 12 s`);
  assert.equal(fields(over.headers.get('ratelimit')).minute.r, 0);
  assert.equal(over.headers.get('access-control-allow-origin'), '*', 'a partner page can read the refusal');
  // Before Retry-After: still refused; after it: answered.
  if (retry >= 2) assert.equal((await api(p, { headers: bearer(key.secret) })).status, 429);
  await sleep(Math.max(0, retry * 1000 - (Date.now() - t0)) + 300);
  const back = await api(p, { headers: bearer(key.secret) });
  assert.equal(back.status, 200, `after Retry-After: ${brief(back)}`);
  // Without the key, from the same (exempt) address: not limited by the key's quota.
  assert.equal((await api(p)).status, 200);
});

test('without a key, a client address has its own lower quota; with a key the same address is not held by it', async () => {
  const addr = randomLoopback();
  const p = `${V1}/vocabularies?lang=fr`;
  const first = await from(addr, p);
  assert.equal(first.status, 200, brief(first));
  const q = fields(first.headers.get('ratelimit-policy')).minute.q;
  const keyQ = fields((await api(p, { headers: bearer((await newKey('Comparaison')).secret) })).headers.get('ratelimit-policy')).minute.q;
  assert.ok(q < keyQ, `per address (${q}/min) below per key (${keyQ}/min)`);
  let refused = null;
  for (let i = 1; i < q + 3 && !refused; i++) {
    const res = await from(addr, p);
    if (res.status === 429) refused = { res, i };
    else assert.equal(res.status, 200, brief(res));
  }
  assert.ok(refused, `a 429 within ${q + 2} requests`);
  assert.equal(refused.i, q, `the ${q + 1}th request is the first refused`);
  assert.equal(refused.res.json.error.code, 'too_many_requests');
  assert.match(refused.res.json.error.message, /clé d'API/, 'the message points to keys');
  const retry = Number(refused.res.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= Math.ceil(60 / q) + 1, `Retry-After ${retry}`);
  const key = await newKey('Même adresse');
  const keyed = await from(addr, p, bearer(key.secret));
  assert.equal(keyed.status, 200, `with a key from a limited address: ${brief(keyed)}`);
  // Another address is not affected.
  assert.equal((await from(randomLoopback(), p)).status, 200);
});

test('CORS: public GETs answer any origin without credentials; preflights; personal endpoints and writes have none', async () => {
  const origin = { origin: 'https://partenaire.example' };
  const pre = await api(`${V1}/search?q=jardin`, {
    method: 'OPTIONS',
    headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, if-none-match' },
  });
  assert.equal(pre.status, 204, brief(pre));
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods'), /GET/);
  const allowed = pre.headers.get('access-control-allow-headers').toLowerCase();
  for (const h of ['authorization', 'if-none-match', 'x-request-id']) assert.ok(allowed.includes(h), `${h} allowed`);
  assert.ok(Number(pre.headers.get('access-control-max-age')) > 0);
  assert.equal(pre.headers.get('access-control-allow-credentials'), null);
  for (const p of [`${V1}/initiatives/1`, `${V1}/territories?q=lyon`, `${V1}/sources`, `${V1}/map/choropleth?level=region`]) {
    const r = await api(p, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'GET' } });
    assert.equal(r.status, 204, `${p}: ${brief(r)}`);
  }

  const simple = await api(`${V1}/search?q=jardin`, { headers: origin });
  assert.equal(simple.status, 200);
  assert.equal(simple.headers.get('access-control-allow-origin'), '*');
  assert.equal(simple.headers.get('access-control-allow-credentials'), null);
  const exposed = simple.headers.get('access-control-expose-headers').toLowerCase();
  for (const h of ['etag', 'ratelimit', 'ratelimit-policy', 'retry-after', 'x-request-id', 'x-cache']) assert.ok(exposed.split(/,\s*/).includes(h), `${h} exposed`);

  // Personal endpoints, the session and writes: no CORS header at all, with or without a cookie.
  for (const [method, p] of [
    ['GET', `${V1}/me`],
    ['GET', `${V1}/me/keys`],
    ['GET', `${V1}/me/favourites`],
    ['POST', `${V1}/me/keys`],
    ['POST', `${V1}/session`],
    ['DELETE', `${V1}/session`],
  ]) {
    const r = await member.request(p, { method, headers: origin, body: method === 'POST' ? { name: 'x' } : undefined });
    assert.equal(r.headers.get('access-control-allow-origin'), null, `${method} ${p}: ${brief(r)}`);
    assert.equal(r.headers.get('access-control-allow-credentials'), null);
    const pf = await api(p, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': method } });
    assert.notEqual(pf.status, 204, `no preflight for ${p}`);
    assert.equal(pf.headers.get('access-control-allow-origin'), null, `OPTIONS ${p}`);
  }
});

async function etagRoundTrip(p, what) {
  const first = await api(p);
  assert.equal(first.status, 200, `${what}: ${brief(first)}`);
  const tag = first.headers.get('etag');
  assert.match(tag || '', /^W\/"\d+-[0-9a-f]{16}"$/, `${what}: ETag`);
  const second = await api(p);
  assert.equal(second.headers.get('etag'), tag, `${what}: the same answer, the same tag`);
  for (const inm of [tag, tag.slice(2), `"autre", ${tag}`]) {
    const res = await api(p, { headers: { 'if-none-match': inm } });
    assert.equal(res.status, 304, `${what} with If-None-Match ${inm}: ${brief(res)}`);
    assert.equal(res.text, '', `${what}: no body`);
    assert.equal(res.headers.get('etag'), tag);
    assert.equal(res.headers.get('x-cache'), 'HIT', `${what}: a 304 on a cache hit`);
  }
  const other = await api(p, { headers: { 'if-none-match': 'W/"1-0000000000000000"' } });
  assert.equal(other.status, 200, `${what}: another tag gets the answer`);
  return tag;
}

test('ETag and 304 on search, initiative, territory, source and the other cached public GETs; a write changes the tag', async () => {
  const init = (await api(`${V1}/initiatives?limit=1`)).json.items[0];
  const source = (await api(`${V1}/sources`)).json.items?.[0] ?? (await api(`${V1}/sources`)).json[0];
  const paths = {
    search: `${V1}/search?q=jardin&facets=theme`,
    initiative: `${V1}/initiatives/${init.id}`,
    territory: `${V1}/territories/departement:69`,
    source: source ? `${V1}/sources/${source.slug ?? source.code}` : null,
    vocabularies: `${V1}/vocabularies?lang=en`,
    suggest: `${V1}/suggest?q=jar`,
  };
  const tags = {};
  for (const [what, p] of Object.entries(paths)) if (p) tags[what] = await etagRoundTrip(p, what);
  assert.equal(new Set(Object.values(tags)).size, Object.keys(tags).length, 'each answer has its own tag');
  // Different parameters, different tag.
  assert.notEqual((await api(`${V1}/search?q=jardins&facets=theme`)).headers.get('etag'), tags.search);
  // A write: the old tag no longer matches, and the new answer has a new one.
  await sql(`UPDATE initiative SET title = title WHERE id = ${Number(init.id)}`);
  const after = await api(paths.search, { headers: { 'if-none-match': tags.search } });
  assert.equal(after.status, 200, `after a write: ${brief(after)}`);
  assert.notEqual(after.headers.get('etag'), tags.search);
  // Never on personal answers.
  const me = await member.get(`${V1}/me`);
  assert.equal(me.headers.get('etag'), null);
  assert.equal((await member.get(`${V1}/me/keys`)).headers.get('etag'), null);
  // A key does not change the answer, nor its tag.
  const key = await newKey('Étiquettes');
  const keyed = await api(paths.search, { headers: { ...bearer(key.secret), 'if-none-match': after.headers.get('etag') } });
  assert.equal(keyed.status, 304, brief(keyed));
  assert.ok(keyed.headers.get('ratelimit'), 'a 304 still says the quota');
});
