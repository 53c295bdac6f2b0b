// Faults: a worker killed, Redis gone, PostgreSQL restarted or stopped, workers replaced, the API stopped.
// They cost at most the requests in flight. These tests change the stack, so they hold it alone
// (see useExclusiveStack) and put back what they stopped even when they fail.
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  api,
  brief,
  getJson,
  assertError,
  stack,
  masterPid,
  childrenOf,
  isAlive,
  waitUntil,
  scaled,
  useExclusiveStack,
} from './helpers.mjs';
import { commonWord } from './demo-words.mjs';

useExclusiveStack();

const state = { touched: false, redisStopped: false, pgStopped: false, apiStopped: false };

async function healthIs(status, extra = {}) {
  const res = await api('/api/v1/health', { timeout: 5000 });
  if (res.json?.status !== status) throw new Error(brief(res));
  for (const [k, v] of Object.entries(extra)) if (res.json[k] !== v) throw new Error(brief(res));
  return res;
}

const waitHealthy = (ms, what = 'health ok') => waitUntil(() => healthIs('ok'), { timeout: ms, interval: 200, what });

/** Puts back whatever a test stopped, then waits for a healthy stack. */
async function restore() {
  if (!state.touched) return;
  const errors = [];
  for (const [flag, action] of [
    ['pgStopped', 'start-pg'],
    ['redisStopped', 'start-redis'],
    ['apiStopped', 'start-api'],
  ]) {
    if (!state[flag]) continue;
    try {
      await stack(action);
      state[flag] = false;
    } catch (err) {
      errors.push(err.message);
    }
  }
  try {
    await waitHealthy(scaled(20000), 'health ok after restoring the stack');
  } catch (err) {
    errors.push(err.message);
    try {
      await stack('start');
      await waitHealthy(scaled(30000), 'health ok after stack.sh start');
      errors.push('(the stack was started again with stack.sh start)');
    } catch (err2) {
      errors.push(err2.message);
    }
  }
  if (errors.length) throw new Error(`could not restore the stack:\n${errors.join('\n')}`);
}

// a word of the demo data found in a few dozen records, and the answer expected for it
let word;
let expected;

const pickWord = () => commonWord({ min: 5, max: 200, target: 30 });

const searchPath = () => `/api/v1/search?q=${encodeURIComponent(word)}&limit=100`;

/** A search that must give the answer seen on the healthy stack. */
async function searchRight(where) {
  const res = await api(searchPath());
  assert.equal(res.status, 200, `${where}: ${brief(res)}`);
  assert.equal(res.json.total, expected.total, `${where}: total for q=${word}`);
  assert.deepEqual(res.json.items.map((i) => i.id), expected.ids, `${where}: results for q=${word}`);
}

/** Requests of every kind, enough to reach every worker several times. All must succeed. */
async function everythingAnswers(n, where) {
  const some = expected.ids[0];
  for (let i = 0; i < n; i++) {
    await searchRight(`${where}, round ${i + 1}`);
    const list = await api('/api/v1/initiatives?limit=5');
    assert.equal(list.status, 200, `${where}, round ${i + 1}: ${brief(list)}`);
    assert.equal(list.json.items.length, 5);
    const one = await api(`/api/v1/initiatives/${some}`);
    assert.equal(one.status, 200, `${where}, round ${i + 1}: ${brief(one)}`);
    assert.equal(one.json.id, some);
    const voc = await api('/api/v1/vocabularies?lang=en');
    assert.equal(voc.status, 200, `${where}, round ${i + 1}: ${brief(voc)}`);
  }
}

describe('faults', { concurrency: 1 }, () => {
  before(async () => {
    await waitHealthy(scaled(15000), 'a healthy stack before the fault tests');
    word = pickWord();
    const body = await getJson(searchPath());
    assert.ok(body.total > 0, `q=${word} finds nothing on the healthy stack`);
    expected = { total: body.total, ids: body.items.map((i) => i.id) };
  });
  afterEach(restore);
  after(restore);

  test('a killed worker is replaced and no request fails', async () => {
    const master = masterPid();
    const workers = childrenOf(master);
    assert.ok(workers.length >= 1, `the API master ${master} has no worker`);
    const victim = workers[0];
    state.touched = true;
    process.kill(victim, 'SIGKILL');
    for (let i = 0; i < 50; i++) {
      const res = await api('/api/v1/health');
      assert.equal(res.status, 200, `health request ${i + 1} of 50 after killing worker ${victim}: ${brief(res)}`);
      assert.equal(res.json.status, 'ok', `health request ${i + 1}: ${brief(res)}`);
    }
    const now = await waitUntil(
      () => {
        const c = childrenOf(master);
        return c.length === workers.length && !c.includes(victim) && c.some((p) => !workers.includes(p)) ? c : false;
      },
      { timeout: scaled(5000), what: `the master replacing worker ${victim} (workers before: ${workers.join(',')}; now: ${childrenOf(master).join(',')})` },
    );
    assert.equal(masterPid(), master, 'the master changed');
    assert.equal(now.length, workers.length);
    await everythingAnswers(2 * workers.length, 'after a worker was killed');
  });

  test('without Redis the API answers, uncached, and says it is degraded', async () => {
    const workers = childrenOf(masterPid()).length;
    state.touched = true;
    state.redisStopped = true;
    await stack('stop-redis');
    const res = await waitUntil(() => healthIs('degraded'), { timeout: scaled(5000), interval: 200, what: 'health degraded with Redis stopped' });
    assert.equal(res.status, 200, brief(res));
    assert.equal(res.json.postgres, 'ok');
    assert.equal(res.json.redis, 'down');
    for (let i = 0; i < 2 * workers; i++) {
      const h = await api('/api/v1/health');
      assert.equal(h.status, 200, `health ${i + 1} with Redis stopped: ${brief(h)}`);
      assert.deepEqual({ status: h.json.status, postgres: h.json.postgres, redis: h.json.redis }, { status: 'degraded', postgres: 'ok', redis: 'down' });
    }
    await everythingAnswers(2 * workers, 'with Redis stopped');
    // a query never asked before, so that no cache can answer it
    const fresh = await getJson(`/api/v1/search?q=zz${crypto.randomBytes(5).toString('hex')}`);
    assert.equal(fresh.total, 0);
    // Every worker says the cache was bypassed, not missed (docs/api.md): ask as many times as
    // there are workers, twice, so that each has met the stopped Redis at least once.
    for (let i = 0; i < 2 * workers; i++) {
      const r = await api(`/api/v1/search?q=jardin&limit=${1 + (i % 5)}`);
      assert.equal(r.status, 200, brief(r));
      if (i >= workers) assert.equal(r.headers.get('x-cache'), 'BYPASS', `X-Cache with Redis stopped: ${brief(r)}`);
    }

    await stack('start-redis');
    state.redisStopped = false;
    await waitHealthy(scaled(5000), 'health ok within 5 s of Redis coming back');
    // every worker reconnects: a run of answers that are all ok
    await waitUntil(
      async () => {
        for (let i = 0; i < 2 * workers; i++) await healthIs('ok');
        return true;
      },
      { timeout: scaled(5000), interval: 200, what: 'every worker reporting Redis ok' },
    );
    await everythingAnswers(workers, 'after Redis came back');
  });

  test('a PostgreSQL restart is absorbed without restarting the API', async () => {
    const master = masterPid();
    const workers = childrenOf(master);
    state.touched = true;
    state.pgStopped = true;
    await stack('restart-pg');
    state.pgStopped = false;
    await waitHealthy(scaled(10000), 'health ok within 10 s of the PostgreSQL restart');
    await everythingAnswers(3 * workers.length, 'after the PostgreSQL restart');
    assert.equal(masterPid(), master, 'the API master was restarted');
    assert.deepEqual(childrenOf(master), workers, 'workers died during the PostgreSQL restart (they should reconnect)');
  });

  test('with PostgreSQL stopped: health says down, requests get 503 unavailable, then it recovers', async () => {
    const master = masterPid();
    const workers = childrenOf(master);
    state.touched = true;
    state.pgStopped = true;
    await stack('stop-pg');
    const down = await waitUntil(
      async () => {
        const r = await api('/api/v1/health', { timeout: 5000 });
        return r.status === 503 ? r : false;
      },
      { timeout: scaled(10000), interval: 200, what: 'health 503 with PostgreSQL stopped' },
    );
    assert.match(down.contentType, /^application\/json/);
    assert.equal(down.json?.status, 'down', brief(down));
    assert.equal(down.json?.postgres, 'down', brief(down));
    assert.equal(down.json?.redis, 'ok', brief(down));
    for (let i = 0; i < 2 * workers.length; i++) {
      const res = await api(`/api/v1/search?q=zz${crypto.randomBytes(5).toString('hex')}`);
      assertError(res, 503, 'unavailable');
    }
    await stack('start-pg');
    state.pgStopped = false;
    await waitHealthy(scaled(10000), 'health ok within 10 s of PostgreSQL starting');
    await everythingAnswers(3 * workers.length, 'after PostgreSQL came back');
    assert.equal(masterPid(), master, 'the API master was restarted');
  });

  test('with PostgreSQL stopped, cached public answers are still served, marked STALE; the others get 503', async () => {
    const master = masterPid();
    const workers = childrenOf(master);
    const some = expected.ids[0];
    const cachedPaths = [searchPath(), `/api/v1/initiatives/${some}`, '/api/v1/vocabularies?lang=fr'];
    // Cached by every worker: each one asks until it answers HIT itself.
    const healthy = new Map();
    for (const p of cachedPaths) {
      for (let i = 0; i < 3 * workers.length; i++) {
        const res = await api(p);
        assert.equal(res.status, 200, `${p}: ${brief(res)}`);
        healthy.set(p, res.text);
      }
    }
    state.touched = true;
    state.pgStopped = true;
    await stack('stop-pg');
    for (let i = 0; i < 3 * workers.length; i++) {
      for (const p of cachedPaths) {
        const res = await api(p);
        assert.equal(res.status, 200, `${p} with PostgreSQL stopped, round ${i + 1}: ${brief(res)}`);
        assert.equal(res.headers.get('x-cache'), 'STALE', `${p}: a cached answer served without PostgreSQL says so`);
        assert.match(res.headers.get('x-stale-seconds') ?? '', /^\d+$/, `${p}: X-Stale-Seconds`);
        assert.equal(res.text, healthy.get(p), `${p}: the answer of the healthy stack`);
      }
      const other = await api(`/api/v1/search?q=zz${crypto.randomBytes(5).toString('hex')}`);
      assertError(other, 503, 'unavailable');
    }
    await stack('start-pg');
    state.pgStopped = false;
    await waitHealthy(scaled(10000), 'health ok within 10 s of PostgreSQL starting');
    for (let i = 0; i < 2 * workers.length; i++) {
      const res = await api(searchPath());
      assert.equal(res.headers.get('x-cache'), 'HIT', `confirmed again once PostgreSQL is back: ${brief(res)}`);
      assert.equal(res.headers.get('x-stale-seconds'), null);
    }
    assert.equal(masterPid(), master, 'the API master was restarted');
  });

  test('SIGHUP replaces every worker without failing requests in flight', async () => {
    const master = masterPid();
    const old = childrenOf(master);
    assert.ok(old.length >= 1, 'no worker');
    state.touched = true;
    const batch = Array.from({ length: 20 }, () => api(searchPath(), { timeout: scaled(15000) }));
    await new Promise((r) => setTimeout(r, 20)); // let the requests reach the server
    process.kill(master, 'SIGHUP');
    const results = await Promise.allSettled(batch);
    results.forEach((r, i) => {
      assert.equal(r.status, 'fulfilled', `request ${i + 1} of 20 failed during SIGHUP: ${r.reason?.message}`);
      assert.equal(r.value.status, 200, `request ${i + 1} of 20 during SIGHUP: ${brief(r.value)}`);
      assert.deepEqual(r.value.json.items.map((x) => x.id), expected.ids, `request ${i + 1}: results`);
    });
    const fresh = await waitUntil(
      () => {
        const c = childrenOf(master);
        return c.length === old.length && c.every((p) => !old.includes(p)) ? c : false;
      },
      { timeout: scaled(10000), what: `all workers replaced after SIGHUP (before: ${old.join(',')})` },
    );
    assert.equal(masterPid(), master, 'SIGHUP must not replace the master');
    assert.equal(fresh.length, old.length);
    await everythingAnswers(2 * old.length, 'after SIGHUP');
  });

  test('SIGTERM lets the requests already sent complete, then the API exits', async () => {
    const master = masterPid();
    const workers = childrenOf(master);
    state.touched = true;
    state.apiStopped = true;
    const batch = Array.from({ length: 20 }, () => api(searchPath(), { timeout: scaled(15000) }));
    await new Promise((r) => setTimeout(r, 20)); // let the requests reach the server
    process.kill(master, 'SIGTERM');
    const results = await Promise.allSettled(batch);
    results.forEach((r, i) => {
      assert.equal(r.status, 'fulfilled', `request ${i + 1} of 20 failed during SIGTERM: ${r.reason?.message}`);
      assert.equal(r.value.status, 200, `request ${i + 1} of 20 during SIGTERM: ${brief(r.value)}`);
      assert.deepEqual(r.value.json.items.map((x) => x.id), expected.ids, `request ${i + 1}: results`);
    });
    await waitUntil(() => !isAlive(master) && workers.every((p) => !isAlive(p)), {
      timeout: scaled(10000),
      what: `API master ${master} and workers ${workers.join(',')} gone after SIGTERM`,
    });
    assertError(await api('/api/v1/health'), 503, 'unavailable');
    await stack('start-api');
    state.apiStopped = false;
    await waitHealthy(scaled(10000), 'health ok after start-api');
  });

  test('with the API stopped, nginx answers 503 unavailable in JSON; it starts again cleanly', async () => {
    const master = masterPid();
    const workers = childrenOf(master);
    state.touched = true;
    state.apiStopped = true;
    await stack('stop-api');
    await waitUntil(() => !isAlive(master) && workers.every((p) => !isAlive(p)), {
      timeout: scaled(10000),
      what: `API master ${master} and workers ${workers.join(',')} gone after stop-api`,
    });
    for (const p of ['/api/v1/health', `/api/v1/search?q=${encodeURIComponent(word)}`, '/api/v1/initiatives/1']) {
      assertError(await api(p), 503, 'unavailable');
    }
    await stack('start-api');
    state.apiStopped = false;
    await waitHealthy(scaled(10000), 'health ok after start-api');
    const again = masterPid();
    assert.notEqual(again, master);
    assert.ok(childrenOf(again).length >= 1, 'the new master has no worker');
    await everythingAnswers(2, 'after the API was started again');
  });
});
