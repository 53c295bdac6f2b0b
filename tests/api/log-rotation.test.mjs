// Log rotation of the local stack (scripts/stack.sh rotate, logrotate): a log over the size limit is
// rotated (renamed; nginx and the API reopen theirs on SIGUSR1), a log under it is left alone, the number of rotated files kept is bounded, and no line is
// lost around a rotation: requests sent before, during and after it are each in exactly one of the
// rotated and the new nginx access log and API log, joined by their X-Request-Id.
//
// Holds the stack alone: other files read api.log from a remembered offset, which a rotation resets.
// Skipped under the sanitizer build of the API (scripts/test.sh reads what that run added to api.log
// from an offset, and rotation does not depend on which API build runs).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { api, brief, newRequestId, stack, sleep, waitUntil, useExclusiveStack, masterPid, childrenOf, VAR_DIR } from './helpers.mjs';

useExclusiveStack();

const LOG_DIR = path.join(VAR_DIR, 'log');
const API_LOG = path.join(LOG_DIR, 'api.log');
const ACCESS_LOG = path.join(LOG_DIR, 'nginx-access.log');
const underSanitizer = /asan/.test(process.env.SC_API_BIN || '');
const SKIP = underSanitizer ? 'the API runs its sanitizer build: api.log is read from an offset by scripts/test.sh' : false;

const size = (f) => {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
};
const read = (f) => {
  try {
    const buf = fs.readFileSync(f);
    return (f.endsWith('.gz') ? zlib.gunzipSync(buf) : buf).toString('utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return '';
    throw err;
  }
};

/** Runs `stack.sh rotate` with the given SC_LOG_* settings (the stack's own loop keeps its own). */
async function rotate(settings) {
  const saved = {};
  for (const [k, v] of Object.entries(settings)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    return await stack('rotate', { timeout: 90000 });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * nginx's workers reopen their logs shortly after the master gets SIGUSR1, and the API's master
 * replaces its workers then (the new ones write to the new file): until then a line may still go to
 * the renamed file (which is why it is compressed one rotation later). Waits until a request's lines
 * reach both new logs.
 */
async function settle() {
  await waitUntil(
    async () => {
      const id = newRequestId('rot-probe');
      await tagged(id);
      await sleep(50);
      return accessCount(read(ACCESS_LOG), id) === 1 && apiCount(read(API_LOG), id) === 1;
    },
    { timeout: 10000, interval: 100, what: 'nginx and the API writing to their new logs' },
  );
}

/** A public search (cached after the first one) tagged with id; fails the test on anything but 200. */
async function tagged(id) {
  const res = await api('/api/v1/search?q=jardin&limit=5', { requestId: id });
  assert.equal(res.status, 200, brief(res));
  assert.equal(res.headers.get('x-request-id'), id, 'the answer carries the request id sent');
}

/** How many lines of text carry the id, in the API log's JSON form or in nginx's `id=` field. */
const apiCount = (text, id) => text.split(`"request_id":"${id}"`).length - 1;
const accessCount = (text, id) => text.split(` id=${id} `).length - 1;

describe('log rotation (scripts/stack.sh rotate)', { skip: SKIP }, () => {
  before(async () => {
    // The stack's loop rotates every minute with its own settings; make sure the logs exist.
    await tagged(newRequestId('rot-warm'));
  });

  test('a log under the size limit is left in place', async () => {
    await tagged(newRequestId('rot-small'));
    const before = { api: size(API_LOG), access: size(ACCESS_LOG), inode: fs.statSync(ACCESS_LOG).ino };
    const limitK = Math.ceil(Math.max(before.api, before.access) / 1024) + 1024;
    await rotate({ SC_LOG_MAX_SIZE: `${limitK}k` });
    assert.equal(fs.statSync(ACCESS_LOG).ino, before.inode, 'nginx-access.log was not renamed');
    assert.ok(size(API_LOG) >= before.api, `api.log was not truncated (${before.api} → ${size(API_LOG)} bytes)`);
    assert.ok(size(ACCESS_LOG) >= before.access, 'nginx-access.log was not truncated');
  });

  test('past the size limit both logs rotate, and every request is in exactly one of old and new', async () => {
    // Both logs start small (earlier suites may have left megabytes in one of them), then grow
    // past one limit.
    await rotate({ SC_LOG_MAX_SIZE: '1k' });
    await settle();
    // The margin holds what arrives after the rotation (the requests streamed while it settles, a
    // few hundred lines at most, about 36 KiB were seen) far below the limit.
    const limitK = Math.ceil(Math.max(size(API_LOG), size(ACCESS_LOG)) / 1024) + 256;
    const limit = limitK * 1024;
    const ids = { before: [], during: [], after: [] };

    // Write past the limit with real requests.
    let n = 0;
    while ((size(API_LOG) <= limit || size(ACCESS_LOG) <= limit) && n < 20000) {
      const batch = Array.from({ length: 8 }, () => newRequestId('rot-before'));
      ids.before.push(...batch);
      await Promise.all(batch.map(tagged));
      n += batch.length;
    }
    assert.ok(size(API_LOG) > limit && size(ACCESS_LOG) > limit, `both logs past ${limitK} KiB after ${n} requests`);

    // Requests keep coming, four at a time, while the rotation happens.
    let streaming = true;
    const streams = Array.from({ length: 4 }, async () => {
      while (streaming) {
        const id = newRequestId('rot-during');
        ids.during.push(id);
        await tagged(id);
      }
    });
    await sleep(200);
    await rotate({ SC_LOG_MAX_SIZE: `${limitK}k` });
    await settle();
    await sleep(200);
    streaming = false;
    await Promise.all(streams);
    assert.ok(ids.during.length > 0, 'requests were sent during the rotation');

    for (let i = 0; i < 10; i++) {
      const id = newRequestId('rot-after');
      ids.after.push(id);
      await tagged(id);
    }

    // The newest rotated file keeps its number without compression (delaycompress).
    const rotatedApi = `${API_LOG}.1`;
    const rotatedAccess = `${ACCESS_LOG}.1`;
    assert.ok(fs.existsSync(rotatedApi), `${rotatedApi} exists`);
    assert.ok(fs.existsSync(rotatedAccess), `${rotatedAccess} exists`);
    assert.ok(size(API_LOG) < limit, `the new api.log is small (${size(API_LOG)} bytes)`);
    assert.ok(size(ACCESS_LOG) < limit, `the new nginx-access.log is small (${size(ACCESS_LOG)} bytes)`);

    // The lines of the last requests reach the new files (nginx reopened its log, the API writes on).
    const lastId = ids.after.at(-1);
    await waitUntil(() => apiCount(read(API_LOG), lastId) === 1 && accessCount(read(ACCESS_LOG), lastId) === 1, {
      timeout: 5000,
      what: `${lastId} in the new api.log and nginx-access.log`,
    });
    const [oldApi, newApi, oldAccess, newAccess] = [rotatedApi, API_LOG, rotatedAccess, ACCESS_LOG].map(read);
    for (const id of ids.after) {
      assert.equal(apiCount(newApi, id), 1, `${id} (sent after the rotation) in the new api.log`);
      assert.equal(accessCount(newAccess, id), 1, `${id} (sent after the rotation) in the new nginx-access.log`);
    }
    for (const id of ids.before) {
      assert.equal(apiCount(oldApi, id), 1, `${id} (sent before the rotation) in the rotated api.log`);
      assert.equal(accessCount(oldAccess, id), 1, `${id} (sent before the rotation) in the rotated nginx-access.log`);
    }
    const lost = { api: [], access: [] };
    for (const id of ids.during) {
      if (apiCount(oldApi, id) + apiCount(newApi, id) !== 1) lost.api.push(id);
      if (accessCount(oldAccess, id) + accessCount(newAccess, id) !== 1) lost.access.push(id);
    }
    assert.deepEqual(lost, { api: [], access: [] }, `of ${ids.during.length} requests sent during the rotation, none lost or doubled`);
  });

  test('the API and the job runner reopen their renamed logs and write on in the new ones', async () => {
    const JOBS_LOG = path.join(LOG_DIR, 'jobs.log');
    // An idle runner writes nothing, and an empty log is not rotated: a restart writes its start lines.
    await stack('restart-jobs');
    const jobsPid = Number(fs.readFileSync(path.join(VAR_DIR, 'run', 'jobs.pid'), 'utf8').trim());
    const master = masterPid();
    await tagged(newRequestId('rot-reopen'));
    assert.ok(size(JOBS_LOG) > 1 && size(API_LOG) > 1, 'api.log and jobs.log hold lines');
    const before = { jobs: fs.statSync(JOBS_LOG).ino, api: fs.statSync(API_LOG).ino };
    await rotate({ SC_LOG_MAX_SIZE: '1' });
    await settle();
    // The renamed logs are created again by their writers when they reopen: the API's master at once,
    // the job runner between two passes (SC_JOBS_POLL_MS, 200 ms in the test stack; more on a busy
    // machine).
    await waitUntil(() => fs.existsSync(JOBS_LOG) && fs.existsSync(API_LOG), {
      timeout: 10000,
      what: 'jobs.log and api.log created again after the rotation',
    });
    // What each process's standard error is: the file of that name now, a new one.
    const stderrIno = (pid) => fs.statSync(`/proc/${pid}/fd/2`).ino;
    const now = { jobs: fs.statSync(JOBS_LOG).ino, api: fs.statSync(API_LOG).ino };
    assert.notEqual(now.jobs, before.jobs, 'jobs.log is a new file');
    assert.notEqual(now.api, before.api, 'api.log is a new file');
    assert.ok(fs.existsSync(`${JOBS_LOG}.1`) && fs.existsSync(`${API_LOG}.1`), 'the lines before are in jobs.log.1 and api.log.1');
    // The job runner reopens between two passes (SC_JOBS_POLL_MS, 200 ms in the test stack); the
    // API's master at once, and its new workers inherit the new file.
    await waitUntil(() => stderrIno(jobsPid) === now.jobs, { timeout: 10000, what: 'the job runner writing to the new jobs.log' });
    await waitUntil(
      () => stderrIno(master) === now.api && childrenOf(master).length > 0 && childrenOf(master).every((w) => stderrIno(w) === now.api),
      { timeout: 10000, what: "the API's master and workers writing to the new api.log" },
    );
  });

  test('SC_LOG_KEEP bounds the rotated files kept; older ones are compressed', async () => {
    const rounds = [];
    const start = Date.now() - 1000;
    for (let r = 0; r < 3; r++) {
      const round = Array.from({ length: 12 }, () => newRequestId(`rot-keep${r}`));
      for (const id of round) await tagged(id);
      rounds.push(round);
      await rotate({ SC_LOG_MAX_SIZE: '1k', SC_LOG_KEEP: '2' });
      await settle();
    }
    for (const log of [API_LOG, ACCESS_LOG]) {
      const name = path.basename(log);
      const rotated = fs.readdirSync(LOG_DIR).filter((f) => f.startsWith(`${name}.`));
      const number = (f) => Number(f.slice(name.length + 1).split('.')[0]);
      const kept = rotated.filter((f) => number(f) <= 2).sort();
      assert.deepEqual(kept, [`${name}.1`, `${name}.2.gz`], `the rotated files of ${name}`);
      // Files numbered beyond the count were not made now (logrotate leaves those of an earlier,
      // larger SC_LOG_KEEP until SC_LOG_MAX_AGE removes them).
      const beyond = rotated.filter((f) => number(f) > 2 && fs.statSync(path.join(LOG_DIR, f)).mtimeMs >= start);
      assert.deepEqual(beyond, [], `no rotated file of ${name} beyond ${name}.2.gz made by these rotations`);
      const gz = fs.readFileSync(`${log}.2.gz`);
      assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b], `${name}.2.gz is gzip`);
      const count = log === API_LOG ? apiCount : accessCount;
      const older = read(`${log}.2.gz`);
      const newest = read(`${log}.1`);
      for (const id of rounds[1]) assert.equal(count(older, id), 1, `${id} of the second round in ${name}.2.gz`);
      for (const id of rounds[2]) assert.equal(count(newest, id), 1, `${id} of the last round in ${name}.1`);
      for (const id of rounds[0]) assert.equal(count(older + newest, id), 0, `${id} of the first round was dropped with the third file`);
    }
  });
});
