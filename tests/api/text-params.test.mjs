// Parameters that are not text, and values quoted back in messages: every answer stays JSON in
// the one error shape, valid UTF-8, naming the parameter — never a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertError, useSharedStack } from './helpers.mjs';

useSharedStack();

const ENDPOINTS = [
  (v) => `/api/v1/search?territory=${v}`,
  (v) => `/api/v1/map/choropleth?level=region&territory=${v}`,
  (v) => `/api/v1/map/clusters?bbox=-5,41,10,51&zoom=5&territory=${v}`,
];

test('a parameter value that is not UTF-8 is a 400 naming it, on every endpoint', async () => {
  for (const url of ENDPOINTS) {
    for (const raw of ['%FF', 'commune%3A%C3%28', 'x%00y']) {
      assertError(await api(url(raw)), 400, 'invalid_parameter', 'territory');
    }
  }
  assertError(await api('/api/v1/search?q=jardin%FF'), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/territories/%FF'), 400, 'invalid_parameter');
});

test('a long value quoted in a message is cut between characters, never inside one', async () => {
  // 41 bytes: "commune:" and then two-byte letters, so that byte 41 falls inside a character.
  const value = 'commune:' + 'é'.repeat(20);
  assert.ok(Buffer.byteLength(value) > 40);
  for (const url of ENDPOINTS) {
    const res = await api(url(encodeURIComponent(value)));
    const e = assertError(res, 400, 'invalid_parameter', 'territory');
    assert.ok(!e.message.includes('\ufffd'), e.message);
    assert.match(e.message, /« commune:é+ »/);
  }
  const ref = await api(`/api/v1/territories/${encodeURIComponent(value)}`);
  assert.ok(ref.status === 400 || ref.status === 404, ref.text);
  assert.ok(ref.json?.error, ref.text);
});

test('a NUL byte never cuts a parameter name: q%00evil is not q', async () => {
  const res = await api('/api/v1/search?q%00evil=jardin');
  assertError(res, 400, 'invalid_parameter', 'query');
  const res2 = await api('/api/v1/search?q%FF=jardin');
  assertError(res2, 400, 'invalid_parameter', 'query');
});
