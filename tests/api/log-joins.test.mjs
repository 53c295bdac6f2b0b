// Logs that join up while PostgreSQL is down: the API's line saying why a request failed carries
// that request's id, as do its own line and nginx's access line; the same failure repeated is
// written once per worker, not once per request. Stops PostgreSQL, so it holds the stack alone and
// starts it again even when it fails.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, brief, newRequestId, stack, waitUntil, scaled, useExclusiveStack, masterPid, childrenOf, API_LOG, VAR_DIR } from './helpers.mjs';

useExclusiveStack();

const ACCESS_LOG = path.join(VAR_DIR, 'log', 'nginx-access.log');
let pgStopped = false;

/** The lines appended to a log since offset (a rotation in between would reset it: none runs here). */
function since(file, offset) {
  const buf = fs.readFileSync(file);
  return buf.subarray(Math.min(offset, buf.length)).toString('utf8');
}
const jsonLines = (text) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { unparsed: l };
      }
    });

describe('logs while PostgreSQL is down', () => {
  after(async () => {
    if (pgStopped) {
      await stack('start-pg');
      pgStopped = false;
    }
    await waitUntil(async () => (await api('/api/v1/health')).json?.status === 'ok', {
      timeout: scaled(30000),
      interval: 200,
      what: 'health ok after PostgreSQL is back',
    });
  });

  test('the cause of a 503 carries its request id; the repeated cause is written once per worker', async () => {
    const workers = childrenOf(masterPid()).length;
    assert.ok(workers > 0, 'the API has workers');
    const apiOffset = fs.statSync(API_LOG).size;
    const accessOffset = fs.statSync(ACCESS_LOG).size;
    pgStopped = true;
    await stack('stop-pg');

    // Searches near distinct points: answers no cache holds, which need PostgreSQL.
    const ids = [];
    for (let i = 0; i < 40; i++) {
      const id = newRequestId('logjoin');
      ids.push(id);
      const res = await api(`/api/v1/search?near=45.${1000 + i},4.${2000 + i},5`, { requestId: id });
      assert.equal(res.status, 503, brief(res));
      assert.equal(res.json?.error?.code, 'unavailable', brief(res));
    }
    await stack('start-pg');
    pgStopped = false;

    const lines = await waitUntil(
      () => {
        const l = jsonLines(since(API_LOG, apiOffset));
        return ids.every((id) => l.some((o) => o.request_id === id && o.status === 503)) && l;
      },
      { timeout: 5000, what: 'the 503 line of every request in api.log' },
    );
    const causes = lines.filter((o) => typeof o.msg === 'string' && /^postgres: cannot connect/.test(o.msg));
    assert.ok(causes.length > 0, 'the failure to reach PostgreSQL is logged');
    const joined = causes.filter((o) => ids.includes(o.request_id));
    assert.ok(joined.length > 0, `a cause line carries the id of the request it failed: ${JSON.stringify(causes[0])}`);
    // Per worker, one line per 10 s for the same message (plus, at most, one that a worker's
    // earlier repeat count flushed): not one per request.
    assert.ok(causes.length <= 2 * workers, `${causes.length} "cannot connect" lines for 40 requests and ${workers} workers`);

    const access = since(ACCESS_LOG, accessOffset);
    for (const o of joined) assert.match(access, new RegExp(` 503 .* id=${o.request_id} `), `nginx's line for ${o.request_id}`);
  });
});
