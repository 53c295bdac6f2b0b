// Answers nginx makes itself under /api/: JSON in the one error shape with the request id, for any
// method, size or protocol oddity; and one request id joining nginx's access log and the API's log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { api, assertError, newRequestId, rawRequest, useSharedStack, waitUntil, BASE_URL, VAR_DIR, API_LOG } from './helpers.mjs';

useSharedStack();

const { hostname, port } = new URL(BASE_URL);

/** Sends raw bytes and returns the answer's status, headers and body (the server closes). */
function rawHttp(text) {
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => s.end(text));
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (c) => { data += c; });
    s.on('error', reject);
    s.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const headers = {};
      for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      resolve({ status: Number(lines[0].split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

const assertJsonError = (res, status, code) => {
  assert.equal(res.status, status, JSON.stringify(res));
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.equal(JSON.parse(res.body).error.code, code);
  assert.ok(res.headers['x-request-id'], 'X-Request-Id');
};

test('TRACE and CONNECT are refused in JSON with a request id', async () => {
  for (const m of ['TRACE', 'CONNECT']) {
    assertJsonError(await rawHttp(`${m} /api/v1/health HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`), 405, 'method_not_allowed');
  }
});

test('a request line in another HTTP version is refused in JSON', async () => {
  assertJsonError(await rawHttp(`GET /api/v1/health HTTP/2.0\r\nHost: ${hostname}\r\n\r\n`), 505, 'http_version_not_supported');
});

test('an address too long for FastCGI is a JSON 414 carrying the client\'s request id, not an HTML 500', async () => {
  const id = newRequestId('long');
  for (const n of [16000, 21700, 30000]) {
    const res = await api(`/api/v1/${'a'.repeat(n)}`, { requestId: id });
    assert.ok(res.status === 414 || res.status === 400, `${n} bytes: ${res.status}`);
    assertError(res, res.status, res.status === 414 ? 'uri_too_long' : 'invalid_parameter');
    assert.equal(res.headers.get('x-request-id'), id);
  }
});

test('errors nginx makes itself give the client\'s request id back', async () => {
  const id = newRequestId('big');
  const res = await rawRequest('/api/v1/health', { method: 'POST', headers: { 'x-request-id': id, 'content-type': 'application/json' }, body: Buffer.alloc(3 * 1024 * 1024, 32) });
  assert.equal(res.status, 413);
  assert.equal(res.headers.get('x-request-id'), id);
  assertError(res, 413, 'payload_too_large');
});

test('one request id in nginx\'s access log and in the API\'s log', async () => {
  const id = newRequestId('join');
  const res = await api('/api/v1/health', { requestId: id });
  assert.equal(res.headers.get('x-request-id'), id);
  const access = path.join(VAR_DIR, 'log', 'nginx-access.log');
  await waitUntil(() => fs.readFileSync(access, 'utf8').includes(`id=${id} `), { timeout: 5000, what: `id=${id} in ${access}` });
  await waitUntil(() => fs.readFileSync(API_LOG, 'utf8').includes(`"request_id":"${id}"`), { timeout: 5000, what: `${id} in ${API_LOG}` });
});

test('a long request line is cut in the access log', async () => {
  const id = newRequestId('cut');
  const res = await api(`/api/v1/search?q=${'a'.repeat(12000)}`, { requestId: id });
  assert.equal(res.status, 400);
  const access = path.join(VAR_DIR, 'log', 'nginx-access.log');
  const line = await waitUntil(() => fs.readFileSync(access, 'utf8').split('\n').find((l) => l.includes(`id=${id} `)), { timeout: 5000, what: `id=${id} in ${access}` });
  assert.ok(line.length < 1400, `${line.length} bytes`);
  assert.ok(line.includes('"GET /api/v1/search?q=aaaa'));
});
