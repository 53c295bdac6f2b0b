// GET /api/v1/changes: a partner mirrors the catalogue from an empty cursor, then keeps it up to date from the
// last cursor — archived initiatives come as tombstones, a changed one comes once, and a transaction that
// commits after a later one has been read is not skipped. The mirror is compared with a direct SQL read of
// the published initiatives. The file changes initiatives and puts them back (even when a test fails); it
// holds the stack alone meanwhile, so the other files, which compare answers with the demo data, never see it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { api, assertError, brief, sql, sqlLiteral, useExclusiveStack, waitUntil } from './helpers.mjs';
import { jobsBin, runnerEnv } from './mail.mjs';

useExclusiveStack();

const FEED = '/api/v1/changes';

// Rows changed here, with their original columns, put back at the end.
const saved = new Map();
async function keep(id) {
  if (!saved.has(id)) saved.set(id, JSON.parse(await sql(`SELECT json_build_object('title', title, 'status', status, 'updated_at', updated_at) FROM initiative WHERE id = ${id}`)));
}
after(async () => {
  for (const [id, r] of saved) {
    await sql(`UPDATE initiative SET title = ${sqlLiteral(r.title)}, status = ${sqlLiteral(r.status)}, updated_at = ${sqlLiteral(r.updated_at)} WHERE id = ${id}`);
  }
  assert.equal(Number(await sql("SELECT count(*) FROM initiative WHERE status = 'published'")), 300);
});

/** Reads the feed from cursor to its current end, applying each entry to mirror. Returns the cursor and the entries. */
async function follow(mirror, since, limit = 50) {
  const entries = [];
  let cursor = since;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 200, 'too many pages');
    const res = await api(`${FEED}?limit=${limit}${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, brief(res));
    const body = res.json;
    assert.ok(Array.isArray(body.changes) && body.changes.length <= limit);
    assert.equal(typeof body.next_cursor, 'string');
    for (const e of body.changes) {
      assert.ok(['created', 'updated', 'archived', 'deleted'].includes(e.kind), `kind ${e.kind}`);
      assert.ok(!Number.isNaN(Date.parse(e.changed_at)), 'changed_at');
      if (e.kind === 'archived' || e.kind === 'deleted') {
        assert.equal(e.record, null, `a ${e.kind} entry is a tombstone`);
        mirror.delete(e.id);
      } else {
        assert.equal(e.record.id, e.id);
        mirror.set(e.id, e.record);
      }
      entries.push(e);
    }
    if (body.changes.length === 0) assert.equal(body.next_cursor, cursor ?? body.next_cursor, 'an empty page keeps the cursor');
    cursor = body.next_cursor;
    if (!body.more) return { cursor, entries };
  }
}

/** The published initiatives as SQL reads them: id → {title, updated_at}. */
async function catalogue() {
  const rows = JSON.parse(await sql("SELECT coalesce(json_agg(json_build_object('id', id, 'title', title, 'updated_at', sc_iso(updated_at)) ORDER BY id), '[]') FROM initiative WHERE status = 'published'"));
  return new Map(rows.map((r) => [r.id, r]));
}

async function assertMirrors(mirror) {
  const db = await catalogue();
  assert.deepEqual([...mirror.keys()].sort((a, b) => a - b), [...db.keys()], 'the mirror holds exactly the published initiatives');
  for (const [id, r] of db) {
    assert.equal(mirror.get(id).title, r.title, `title of ${id}`);
    assert.equal(mirror.get(id).updated_at, r.updated_at, `updated_at of ${id}`);
  }
}

const mirror = new Map();
let cursor;

test('from an empty cursor, the feed reproduces the catalogue; read again, it has nothing new', async () => {
  const first = await follow(mirror, undefined, 37);
  assert.ok(first.entries.length >= 300);
  await assertMirrors(mirror);
  cursor = first.cursor;
  const again = await follow(mirror, cursor);
  assert.equal(again.entries.length, 0, 'nothing changed, nothing served');
  assert.equal(again.cursor, cursor);
});

test('an archived initiative comes as a tombstone, and back as a record when published again', async () => {
  const id = Number(await sql("SELECT id FROM initiative WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 17"));
  await keep(id);
  await sql(`UPDATE initiative SET status = 'archived' WHERE id = ${id}`);
  let step = await follow(mirror, cursor);
  assert.deepEqual(step.entries.map((e) => [e.id, e.kind, e.record]), [[id, 'archived', null]]);
  await assertMirrors(mirror);
  assert.ok(!mirror.has(id));
  await sql(`UPDATE initiative SET status = 'published' WHERE id = ${id}`);
  step = await follow(mirror, step.cursor);
  assert.deepEqual(step.entries.map((e) => [e.id, e.kind]), [[id, 'created']]);
  await assertMirrors(mirror);
  cursor = step.cursor;
});

test('a record the reader never had gets no tombstone; one it had gets one, whatever happened between', async () => {
  const [a, b] = (await sql("SELECT string_agg(id::text, ',') FROM (SELECT id FROM initiative WHERE status = 'published' ORDER BY id LIMIT 2 OFFSET 23) x")).split(',').map(Number);
  await keep(a);
  await keep(b);
  // a leaves the catalogue and the reader removes it; then a comes back and leaves again before the
  // next read: the reader never had its second life, so nothing is said.
  await sql(`UPDATE initiative SET status = 'archived' WHERE id = ${a}`);
  let step = await follow(mirror, cursor);
  assert.deepEqual(step.entries.map((e) => [e.id, e.kind]), [[a, 'archived']]);
  await sql(`UPDATE initiative SET status = 'published' WHERE id = ${a}`);
  await sql(`UPDATE initiative SET status = 'archived' WHERE id = ${a}`);
  // b, which the reader has, leaves, comes back and leaves again: its tombstone is served.
  await sql(`UPDATE initiative SET status = 'archived' WHERE id = ${b}`);
  await sql(`UPDATE initiative SET status = 'published' WHERE id = ${b}`);
  await sql(`UPDATE initiative SET status = 'archived' WHERE id = ${b}`);
  step = await follow(mirror, step.cursor);
  assert.deepEqual(step.entries.map((e) => [e.id, e.kind, e.record]), [[b, 'archived', null]]);
  assert.ok(!mirror.has(a) && !mirror.has(b));
  await sql(`UPDATE initiative SET status = 'published' WHERE id IN (${a}, ${b})`);
  step = await follow(mirror, step.cursor);
  assert.deepEqual(step.entries.map((e) => [e.id, e.kind]).sort(), [[a, 'created'], [b, 'created']].sort());
  await assertMirrors(mirror);
  cursor = step.cursor;
});

test('an initiative changed twice comes once, with its last state', async () => {
  const id = Number(await sql("SELECT id FROM initiative WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 41"));
  await keep(id);
  await sql(`UPDATE initiative SET title = title || ' (1)' WHERE id = ${id}`);
  await sql(`UPDATE initiative SET title = title || ' (2)' WHERE id = ${id}`);
  const step = await follow(mirror, cursor);
  assert.deepEqual(step.entries.map((e) => [e.id, e.kind]), [[id, 'updated']]);
  assert.match(mirror.get(id).title, / \(1\) \(2\)$/);
  await assertMirrors(mirror);
  cursor = step.cursor;
});

/** A psql session holding a transaction open: run(sql) resolves once the statements have run. */
function heldSession() {
  const p = spawn('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'], { env: process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let n = 0;
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  return {
    async run(text) {
      const mark = `done-${++n}`;
      p.stdin.write(`${text}\nSELECT '${mark}';\n`);
      await waitUntil(async () => out.includes(mark), { timeout: 10000, what: `psql to run ${text}` });
      assert.ok(!/ERROR/.test(out), out);
    },
    end() {
      p.stdin.end();
      return new Promise((r) => p.on('close', r));
    },
  };
}

test('a transaction that commits after a later one was read is not skipped', async () => {
  const [a, b] = (await sql("SELECT string_agg(id::text, ',') FROM (SELECT id FROM initiative WHERE status = 'published' ORDER BY id LIMIT 2 OFFSET 60) x")).split(',').map(Number);
  await keep(a);
  await keep(b);
  // T1 writes a first (its log entry takes the lower sequence number) and holds. It does not take the data
  // version's row lock, which would make the later writer wait and hide the case: the feed must not rely on
  // writers being serialised by anything else.
  const t1 = heldSession();
  try {
    await t1.run(`BEGIN; SET LOCAL sc.data_version_bumped = 'on'; UPDATE initiative SET title = title || ' (tard)' WHERE id = ${a};`);
    // T2 writes b and commits: its entry has a higher sequence number than T1's.
    await sql(`UPDATE initiative SET title = title || ' (tôt)' WHERE id = ${b}`);
    const during = await follow(mirror, cursor);
    assert.ok(!during.entries.some((e) => e.id === a), 'an uncommitted change was served');
    await t1.run('COMMIT;');
    const afterCommit = await follow(mirror, during.cursor);
    const served = [...during.entries, ...afterCommit.entries].map((e) => e.id);
    assert.ok(served.includes(a), `the late commit of ${a} was skipped (served: ${served})`);
    assert.ok(served.includes(b), `the change of ${b} is missing (served: ${served})`);
    assert.equal(served.filter((x) => x === b).length, 1, `${b} served more than once`);
    await assertMirrors(mirror);
    assert.match(mirror.get(a).title, / \(tard\)$/);
    cursor = afterCommit.cursor;
  } finally {
    await t1.end();
  }
});

/** One pass of the job runner's cleanup (sessions, links, the change log's compaction). */
async function cleanupOnce() {
  const runner = spawn(jobsBin(), ['--once', '--only', 'cleanup'], { env: await runnerEnv('cleanup'), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  runner.stderr.on('data', (c) => { err += c; });
  const code = await new Promise((res) => runner.once('exit', (c) => res(c)));
  assert.equal(code, 0, err.slice(-2000));
  return err;
}

const logRows = async (id) => JSON.parse(await sql(`SELECT coalesce(json_agg(kind ORDER BY xid, seq), '[]') FROM initiative_change WHERE initiative_id = ${id}`));

test('the cleanup keeps only the first and last entries of each initiative once older than the retention; readers still mirror', async () => {
  const id = Number(await sql("SELECT id FROM initiative WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 31"));
  await keep(id);
  for (const n of [1, 2, 3]) await sql(`UPDATE initiative SET title = title || ' (v${n})' WHERE id = ${id}`);
  const before = await logRows(id);
  assert.ok(before.length >= 4, `entries of ${id}: ${before}`);
  // A reader from empty, read now: what every reader must still get after the compaction.
  const early = new Map();
  const earlyStep = await follow(early, undefined, 500);
  // Under the retention, nothing goes.
  await cleanupOnce();
  assert.deepEqual(await logRows(id), before, 'entries younger than SC_CHANGES_KEEP_DAYS stay');
  // 31 days later (the tests move the clock of every time rule, sc_clock): the entries between go.
  await sql("UPDATE sc_clock SET offset_s = interval '31 days'");
  try {
    await cleanupOnce();
  } finally {
    await sql("UPDATE sc_clock SET offset_s = interval '0'");
  }
  assert.deepEqual(await logRows(id), [before[0], before.at(-1)], 'the first and the last entries are kept');
  const most = Number(await sql('SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM initiative_change GROUP BY initiative_id) x'));
  assert.ok(most <= 2, `an initiative still has ${most} entries`);
  // A mirror started from empty, the reader from before and the test's own reader all hold the catalogue.
  const fresh = new Map();
  await follow(fresh, undefined, 500);
  await assertMirrors(fresh);
  await follow(early, earlyStep.cursor, 500);
  await assertMirrors(early);
  const step = await follow(mirror, cursor);
  await assertMirrors(mirror);
  assert.match(mirror.get(id).title, / \(v3\)$/);
  cursor = step.cursor;
  // The walk resumes from where it stopped: a second pass has nothing to remove.
  const count = await sql('SELECT count(*) FROM initiative_change');
  await sql("UPDATE sc_clock SET offset_s = interval '31 days'");
  try {
    await cleanupOnce();
  } finally {
    await sql("UPDATE sc_clock SET offset_s = interval '0'");
  }
  assert.equal(await sql('SELECT count(*) FROM initiative_change'), count);
});

test('bad parameters: 400 naming them', async () => {
  assertError(await api(`${FEED}?since=abc`), 400, 'invalid_parameter', 'since');
  assertError(await api(`${FEED}?since=1`), 400, 'invalid_parameter', 'since');
  assertError(await api(`${FEED}?limit=0`), 400, 'invalid_parameter', 'limit');
  assertError(await api(`${FEED}?limit=501`), 400, 'invalid_parameter', 'limit');
  assertError(await api(`${FEED}?cursor=1.2`), 400, 'invalid_parameter', 'cursor');
});
