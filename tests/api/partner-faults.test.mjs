// Partner sites when a service is down (docs/api.md, "API keys and quotas"; docs/reliability.md):
// without Redis the quotas fail open — requests are answered, and the log says so once per worker,
// not once per request — while keys are still checked, in PostgreSQL; without PostgreSQL a cached
// answer still gets its 304, keyed or not.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import { api, API_LOG, BASE_URL, brief, childrenOf, masterPid, scaled, stack, useExclusiveStack, waitUntil } from './helpers.mjs';
import { signUpAndLogIn } from './accounts-helpers.mjs';

useExclusiveStack();

const V1 = '/api/v1';
const state = { redis: false, pg: false };
let member;

after(async () => {
  if (state.pg) await stack('start-pg');
  if (state.redis) await stack('start-redis');
  await waitUntil(async () => (await api(`${V1}/health`)).json?.status === 'ok', { timeout: scaled(20000), interval: 200, what: 'health ok' });
  if (member) await member.remove();
});

function from(address, p, headers = {}) {
  const url = new URL(BASE_URL + p);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, localAddress: address, headers, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const logSize = () => fs.statSync(API_LOG).size;
function logSince(offset) {
  const fd = fs.openSync(API_LOG, 'r');
  const size = fs.fstatSync(fd).size;
  const buf = Buffer.alloc(Math.max(0, size - offset));
  fs.readSync(fd, buf, 0, buf.length, offset);
  fs.closeSync(fd);
  return buf.toString('utf8');
}

test('Redis stopped: quotas fail open with one log line per worker, keys are still checked in PostgreSQL', async () => {
  member = await signUpAndLogIn({ name: 'Partenaire en panne', prefix: 'keys-faults' });
  const good = (await member.post(`${V1}/me/keys`, { name: 'Valide' })).json;
  const gone = (await member.post(`${V1}/me/keys`, { name: 'Révoquée' })).json;
  assert.equal((await member.del(`${V1}/me/keys/${gone.id}`)).status, 204);
  const workers = childrenOf(masterPid()).length;
  assert.ok(workers >= 1);
  const addr = `127.${1 + crypto.randomInt(250)}.${crypto.randomInt(256)}.${1 + crypto.randomInt(250)}`;
  const offset = logSize();
  state.redis = true;
  await stack('stop-redis');
  const n = 3 * 20 + 10; // more than the test stack's per-address quota (20 a minute)
  for (let i = 0; i < n; i++) {
    const res = await from(addr, `${V1}/vocabularies?lang=fr`);
    assert.equal(res.status, 200, `request ${i + 1} without Redis: ${res.status} ${res.text.slice(0, 200)}`);
    assert.equal(res.headers.ratelimit, undefined, 'no RateLimit header when no quota was counted');
  }
  const keyed = await api(`${V1}/vocabularies?lang=fr`, { headers: { authorization: `Bearer ${good.secret}` } });
  assert.equal(keyed.status, 200, `a valid key without Redis: ${brief(keyed)}`);
  const revoked = await api(`${V1}/vocabularies?lang=fr`, { headers: { authorization: `Bearer ${gone.secret}` } });
  assert.equal(revoked.status, 401, `a revoked key without Redis: ${brief(revoked)}`);
  const unknown = await api(`${V1}/vocabularies?lang=fr`, { headers: { authorization: `Bearer sck_${'B'.repeat(43)}` } });
  assert.equal(unknown.status, 401, brief(unknown));
  const lines = logSince(offset)
    .split('\n')
    .filter((l) => l.includes('quotas not applied'));
  assert.ok(lines.length >= 1, 'the log says that quotas are not applied');
  assert.ok(lines.length <= workers, `at most one line per worker (${workers}), not one per request (${n}): ${lines.length}`);
  await stack('start-redis');
  state.redis = false;
  // Back: the quota applies again (headers present).
  const res = await waitUntil(
    async () => {
      const r = await from(addr, `${V1}/vocabularies?lang=fr`);
      return r.headers.ratelimit ? r : null;
    },
    { timeout: scaled(5000), interval: 200, what: 'quotas counted again once Redis is back' },
  );
  assert.match(res.headers['ratelimit-policy'], /"minute";q=\d+;w=60/);
});

test('PostgreSQL stopped: a cached public answer still gets its 304, with and without a key', async () => {
  const key = (await member.post(`${V1}/me/keys`, { name: 'Pendant la panne' })).json;
  const p = `${V1}/search?q=jardin&limit=3`;
  // Cached, and the key known to Redis, before the stop.
  const first = await api(p, { headers: { authorization: `Bearer ${key.secret}` } });
  assert.equal(first.status, 200, brief(first));
  const tag = first.headers.get('etag');
  assert.ok(tag);
  state.pg = true;
  await stack('stop-pg');
  for (const headers of [{}, { authorization: `Bearer ${key.secret}` }]) {
    const res = await waitUntil(
      async () => {
        const r = await api(p, { headers: { ...headers, 'if-none-match': tag } });
        return r.headers.get('x-cache') === 'STALE' ? r : null;
      },
      { timeout: scaled(5000), interval: 100, what: 'an answer marked STALE' },
    );
    assert.equal(res.status, 304, brief(res));
    assert.equal(res.headers.get('etag'), tag);
    const full = await api(p, { headers });
    assert.equal(full.status, 200, `without If-None-Match: ${brief(full)}`);
    assert.equal(full.headers.get('etag'), tag);
  }
  await stack('start-pg');
  state.pg = false;
});
