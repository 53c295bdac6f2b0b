// GET /api/v1/health and the X-Request-Id contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, brief, assertJsonContentType, assertError, newRequestId, useSharedStack } from './helpers.mjs';

useSharedStack();

const SAFE_TOKEN = /^[A-Za-z0-9._:-]{1,64}$/;

test('health answers ok for PostgreSQL and Redis', async () => {
  const res = await api('/api/v1/health');
  assert.equal(res.status, 200, brief(res));
  assertJsonContentType(res);
  assert.equal(res.json?.status, 'ok', brief(res));
  assert.equal(res.json?.postgres, 'ok', brief(res));
  assert.equal(res.json?.redis, 'ok', brief(res));
});

test('every response carries a fresh X-Request-Id', async () => {
  const a = await api('/api/v1/health');
  const b = await api('/api/v1/health');
  const ida = a.headers.get('x-request-id');
  const idb = b.headers.get('x-request-id');
  assert.ok(ida, `no X-Request-Id: ${brief(a)}`);
  assert.ok(idb, `no X-Request-Id: ${brief(b)}`);
  assert.match(ida, SAFE_TOKEN);
  assert.match(idb, SAFE_TOKEN);
  assert.notEqual(ida, idb, 'two requests got the same X-Request-Id');
  // also on an error answered by the API
  const nf = await api('/api/v1/initiatives/999999999');
  assert.ok(nf.headers.get('x-request-id'), `no X-Request-Id on a 404: ${brief(nf)}`);
  const bad = await api('/api/v1/initiatives?limit=0');
  assert.ok(bad.headers.get('x-request-id'), `no X-Request-Id on a 400: ${brief(bad)}`);
});

test('a safe X-Request-Id from the client is echoed back', async () => {
  const id = newRequestId('client');
  const res = await api('/api/v1/health', { requestId: id });
  assert.equal(res.status, 200, brief(res));
  assert.equal(res.headers.get('x-request-id'), id);

  const max = 'a'.repeat(54) + '0123456789'; // 64 characters, the longest accepted
  const res64 = await api('/api/v1/health', { requestId: max });
  assert.equal(res64.headers.get('x-request-id'), max, '64-character id not echoed');

  // also on an error
  const id2 = newRequestId('client');
  const err = await api('/api/v1/nope', { requestId: id2 });
  assertError(err, 404, 'not_found');
  assert.equal(err.headers.get('x-request-id'), id2);
});

test('an unsafe or over-long X-Request-Id is replaced by a generated one', async () => {
  for (const bad of ['a'.repeat(65), 'abc def', 'x<script>', 'a"b', 'tab\there']) {
    const res = await api('/api/v1/health', { requestId: bad });
    assert.equal(res.status, 200, `request id ${JSON.stringify(bad)}: ${brief(res)}`);
    const got = res.headers.get('x-request-id');
    assert.ok(got, `no X-Request-Id for client id ${JSON.stringify(bad)}`);
    assert.notEqual(got, bad, `unsafe client id echoed: ${JSON.stringify(bad)}`);
    assert.match(got, SAFE_TOKEN, `generated id is not a safe token: ${JSON.stringify(got)}`);
  }
});
