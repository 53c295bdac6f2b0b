// Search responses are cached in Redis: a repeated search gives the same bytes, and the API log says
// "cache":"hit" for the request id of the repeat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { api, brief, newRequestId, waitUntil, API_LOG, useSharedStack } from './helpers.mjs';

useSharedStack();

/** The API log line (one JSON object per request) that carries this request id. */
function logLineFor(id) {
  let text;
  try {
    const fd = fs.openSync(API_LOG, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, 8 * 1024 * 1024);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw new Error(`cannot read ${API_LOG}: ${err.code || err.message}`);
  }
  for (const line of text.split('\n')) {
    if (!line.includes(id)) continue;
    try {
      const o = JSON.parse(line);
      if (Object.values(o).includes(id)) return o;
    } catch {
      // not a JSON line
    }
  }
  return null;
}

const findLog = (id) => waitUntil(() => logLineFor(id), { timeout: 10000, what: `a JSON line for request ${id} in ${API_LOG}` });

async function search(q, requestId) {
  const res = await api(`/api/v1/search?q=${encodeURIComponent(q)}&limit=7`, { requestId });
  assert.equal(res.status, 200, brief(res));
  assert.equal(res.headers.get('x-request-id'), requestId);
  return res;
}

test('the same search twice gives identical JSON', async () => {
  for (const q of ['quartier', 'jardin partagé', '']) {
    const a = await search(q, newRequestId('cache'));
    const b = await search(q, newRequestId('cache'));
    assert.equal(b.text, a.text, `q=${JSON.stringify(q)}: the repeat differs`);
  }
});

test('a repeated search is a cache hit in the API log', async () => {
  // a query never asked before cannot be a hit the first time
  const q = `zz${crypto.randomBytes(6).toString('hex')}`;
  const id1 = newRequestId('miss');
  const id2 = newRequestId('hit');
  const a = await search(q, id1);
  const la = await findLog(id1);
  assert.notEqual(la.cache, 'hit', `first request for a new query logged as a hit: ${JSON.stringify(la)}`);
  const b = await search(q, id2);
  assert.equal(b.text, a.text);
  const lb = await findLog(id2);
  assert.equal(lb.cache, 'hit', `repeat not served from the cache: ${JSON.stringify(lb)}`);

  // the log line says what was asked and answered
  assert.equal(lb.status, 200, `log line status: ${JSON.stringify(lb)}`);
  assert.ok(JSON.stringify(lb).includes('/api/v1/search'), `log line has no path: ${JSON.stringify(lb)}`);

  // and a search with results
  const id3 = newRequestId('hit');
  await search('quartier', newRequestId('warm'));
  await search('quartier', id3);
  assert.equal((await findLog(id3)).cache, 'hit');
});
