// The error contract: one JSON shape, the right status, never an HTML page from nginx on an API path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, rawRequest, assertError, brief, getJson, useSharedStack } from './helpers.mjs';

useSharedStack();

test('an unknown route is a 404 not_found in the error shape', async () => {
  for (const p of ['/api/v1/nope', '/api/v1/healthz', '/api/v1/initiative', '/api/v2/health', '/api/nope', '/api/v1/search/extra']) {
    const res = await api(p);
    const e = assertError(res, 404, 'not_found');
    assert.ok(!('field' in e), `a 404 on a route names no field: ${brief(res)}`);
  }
});

test('a known path with another method is a 405 with an Allow header', async () => {
  const cases = [
    ['POST', '/api/v1/search'],
    ['POST', '/api/v1/health'],
    ['PUT', '/api/v1/vocabularies'],
    ['DELETE', '/api/v1/initiatives/1'],
    ['PATCH', '/api/v1/initiatives'],
  ];
  for (const [method, p] of cases) {
    const res = await api(p, { method, body: method === 'DELETE' ? undefined : '{"q":"jardin"}', headers: { 'content-type': 'application/json' } });
    assertError(res, 405, 'method_not_allowed');
    const allow = res.headers.get('allow');
    assert.ok(allow, `no Allow header: ${method} ${p}`);
    const methods = allow.split(',').map((m) => m.trim().toUpperCase());
    assert.ok(methods.includes('GET'), `Allow must list GET for ${p}: ${allow}`);
    assert.ok(!methods.includes(method), `Allow lists ${method}, which was refused: ${allow}`);
  }
});

test('a body over the limit is a 413 payload_too_large in JSON, not an nginx page', async () => {
  const body = Buffer.alloc(1536 * 1024, 'a');
  const res = await rawRequest('/api/v1/search', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
  assertError(res, 413, 'payload_too_large');
  // the service is unharmed
  const h = await getJson('/api/v1/health');
  assert.equal(h.status, 'ok');
});

test('a request line too long for the server is still answered in the error shape', async () => {
  const res = await api(`/api/v1/search?q=${'a'.repeat(20000)}`);
  assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx: ${brief(res)}`);
  assert.equal(typeof res.json?.error?.code, 'string', `not the error shape: ${brief(res)}`);
  assertError(res, res.status, res.json.error.code);
});

test('errors for bad parameters name the field and explain in French', async () => {
  const res = await api('/api/v1/initiatives?limit=1000');
  const e = assertError(res, 400, 'invalid_parameter', 'limit');
  // the message is meant for people: it is not a bare code
  assert.notEqual(e.message, e.code);
  assert.ok(e.message.length >= 10, `message too short to help: ${e.message}`);
});
