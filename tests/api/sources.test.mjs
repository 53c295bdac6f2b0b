// Sources: the platforms the harvester reads, their figures, their runs, and the provenance they give
// initiatives. Sources, runs and records are written in the test database with SQL (as the harvester
// would), then every endpoint is compared with the database. The file holds the stack alone (the rows
// change the sources of three demo initiatives) and removes its rows afterwards, even on failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, assertError, brief, getJson, sql, sqlJson, sqlLiteral as lit, useExclusiveStack } from './helpers.mjs';

useExclusiveStack();

const TAG = crypto.randomBytes(3).toString('hex');
const A = `t-hv-${TAG}-zebre`;
const B = `t-hv-${TAG}-emile`;
const C = `t-hv-${TAG}-eau`;
const SLUGS = [A, B, C];
const NAMES = { [A]: `Zèbre solidaire ${TAG}`, [B]: `Émile et les autres ${TAG}`, [C]: `eau vive ${TAG}` };
const RUN_KEYS = [
  'id', 'started_at', 'finished_at', 'status', 'pages_fetched', 'pages_not_modified', 'pages_failed', 'bytes_fetched',
  'records_seen', 'records_new', 'records_updated', 'records_unchanged', 'records_gone', 'records_failed', 'errors_count',
];
const SOURCE_KEYS = [
  'slug', 'name', 'homepage', 'kind', 'licence', 'demo', 'enabled', 'records', 'initiatives', 'last_run',
  'last_success_at', 'period_hours', 'next_run_at',
];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const inList = SLUGS.map(lit).join(', ');

let init = []; // three published demo initiatives the records of A and B feed

async function cleanup() {
  await sql(
    `DELETE FROM source_record WHERE source_id IN (SELECT id FROM source WHERE code IN (${inList}));` +
      `DELETE FROM harvest_run WHERE source_id IN (SELECT id FROM source WHERE code IN (${inList}));` +
      `DELETE FROM source WHERE code IN (${inList});`,
  );
}

before(async () => {
  init = (await sql("SELECT id FROM initiative WHERE status = 'published' ORDER BY id LIMIT 3")).split('\n').map(Number);
  assert.equal(init.length, 3, 'three published initiatives to attach records to');
  const [i1, i2, i3] = init;
  // Runs of A, newest first as k grows: k = 3 and 4 start at the same time (the id breaks the tie).
  // k = 1 is the newest, partial, with 150 errors (one of them a bare string); k = 2 is the last success.
  const errors = `(SELECT jsonb_agg(CASE WHEN n = 2 THEN to_jsonb('délai dépassé'::text)
                          ELSE jsonb_build_object('url', 'https://zebre.example/p/' || n, 'reason', 'HTTP 404') END ORDER BY n)
                     FROM generate_series(1, 150) n)`;
  await sql(`
    INSERT INTO source (code, name, kind, url, licence, period_hours, next_run_at) VALUES
      (${lit(A)}, ${lit(NAMES[A])}, 'html', 'https://zebre.example/', 'Licence Ouverte 2.0', 12, now() + interval '1 hour'),
      (${lit(B)}, ${lit(NAMES[B])}, 'json', 'https://emile.example/', NULL, 24, NULL),
      (${lit(C)}, ${lit(NAMES[C])}, 'rss', 'https://eau.example/', 'CC BY 4.0', 48, NULL);
    INSERT INTO harvest_run (source_id, started_at, finished_at, status, pages_fetched, records_seen, records_new,
                             records_updated, records_unchanged, records_gone, pages_failed, bytes_fetched, errors)
    SELECT s.id, date_trunc('second', now()) - make_interval(hours => CASE WHEN k = 4 THEN 3 ELSE k END),
           date_trunc('second', now()) - make_interval(hours => CASE WHEN k = 4 THEN 3 ELSE k END) + interval '5 minutes',
           CASE k WHEN 1 THEN 'partial' WHEN 2 THEN 'succeeded' WHEN 5 THEN 'succeeded' ELSE 'failed' END,
           10 * k, 20 + k, k, 2 * k, 3 * k, k % 2, k, 1000 * k,
           CASE WHEN k = 1 THEN ${errors} ELSE '[]'::jsonb END
      FROM source s, generate_series(1, 7) k WHERE s.code = ${lit(A)} ORDER BY k DESC;
    INSERT INTO harvest_run (source_id, started_at, finished_at, status, pages_fetched, records_new)
    SELECT id, now() - interval '3 days', now() - interval '3 days' + interval '1 minute', 'succeeded', 4, 2
      FROM source WHERE code = ${lit(B)};
    INSERT INTO source_record (source_id, external_id, url, raw, content_hash, initiative_id, gone_at)
    SELECT s.id, v.ext, v.url, '{}', 'h', v.init, v.gone
      FROM source s, (VALUES
        (${lit(A)}, 'a1', 'https://zebre.example/p/1', ${i1}::bigint, NULL::timestamptz),
        (${lit(A)}, 'a1-bis', 'https://zebre.example/p/1bis', ${i1}, NULL),
        (${lit(A)}, 'a2', 'https://zebre.example/p/2', ${i2}, NULL),
        (${lit(A)}, 'a3', 'https://zebre.example/p/3', ${i3}, now()),
        (${lit(A)}, 'a4', 'https://zebre.example/p/4', NULL, NULL),
        (${lit(B)}, 'b1', 'https://emile.example/fiche/1', ${i1}, NULL)) AS v(code, ext, url, init, gone)
     WHERE s.code = v.code;`);
});

after(cleanup);

/** What the database says of a source, computed independently of the API's SQL. */
async function fromDb(slug) {
  return sqlJson(`
    SELECT json_build_object(
      'records', (SELECT count(*) FROM source_record WHERE source_id = s.id AND gone_at IS NULL),
      'gone', (SELECT count(*) FROM source_record WHERE source_id = s.id AND gone_at IS NOT NULL),
      'initiatives', (SELECT count(DISTINCT r.initiative_id) FROM source_record r JOIN initiative i ON i.id = r.initiative_id
                       WHERE r.source_id = s.id AND r.gone_at IS NULL AND i.status = 'published'),
      'runs', (SELECT coalesce(json_agg(id ORDER BY started_at DESC, id DESC), '[]') FROM harvest_run WHERE source_id = s.id),
      'last_success', (SELECT to_char(max(finished_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                         FROM harvest_run WHERE source_id = s.id AND status = 'succeeded'))
      FROM source s WHERE code = ${lit(slug)}`);
}

function checkRun(run, where) {
  for (const k of RUN_KEYS) assert.ok(k in run, `${where}: run.${k}`);
  assert.match(run.started_at, ISO, `${where}: started_at`);
  assert.ok(run.finished_at === null || ISO.test(run.finished_at), `${where}: finished_at`);
  assert.ok(['running', 'succeeded', 'failed', 'partial'].includes(run.status), `${where}: status`);
}

test('the list gives every source with its figures, ordered by name in French', async () => {
  const { items } = await getJson('/api/v1/sources');
  const mine = items.filter((s) => SLUGS.includes(s.slug));
  assert.deepEqual(mine.map((s) => s.slug), [C, B, A], 'eau vive, Émile…, Zèbre…: accents and case ignored');
  const collator = new Intl.Collator('fr', { sensitivity: 'base' });
  for (let i = 1; i < items.length; i++)
    assert.ok(collator.compare(items[i - 1].name, items[i].name) <= 0, `${items[i - 1].name} before ${items[i].name}`);
  assert.ok(items.some((s) => s.slug === 'demo' && s.demo === true), 'the demo source is listed as such');
  for (const s of mine) {
    assert.deepEqual(Object.keys(s).sort(), SOURCE_KEYS.slice().sort(), `${s.slug}: keys`);
    const db = await fromDb(s.slug);
    assert.equal(s.records, db.records, `${s.slug}: records`);
    assert.equal(s.initiatives, db.initiatives, `${s.slug}: initiatives`);
    assert.equal(s.last_success_at, db.last_success, `${s.slug}: last_success_at`);
    assert.equal(s.last_run?.id ?? null, db.runs[0] ?? null, `${s.slug}: last_run is the newest`);
    if (s.last_run) checkRun(s.last_run, `${s.slug}.last_run`);
    assert.equal(s.name, NAMES[s.slug]);
    assert.equal(s.demo, false);
  }
  const a = mine.find((s) => s.slug === A);
  assert.equal(a.records, 4, 'four live records (one gone)');
  assert.equal(a.initiatives, 2, 'two initiatives: two records feed the same one, the gone one counts not');
  assert.equal(a.homepage, 'https://zebre.example/');
  assert.equal(a.kind, 'html');
  assert.equal(a.licence, 'Licence Ouverte 2.0');
  assert.equal(a.period_hours, 12);
  assert.match(a.next_run_at, ISO);
  assert.equal(a.last_run.status, 'partial');
  assert.equal(a.last_run.errors_count, 150);
  assert.equal(a.last_run.pages_fetched, 10);
  assert.equal(a.last_run.records_updated, 2);
  assert.ok(!('errors' in a.last_run), 'the list does not carry error lists');
  const c = mine.find((s) => s.slug === C);
  assert.equal(c.last_run, null);
  assert.equal(c.last_success_at, null);
  assert.equal(c.records, 0);
  assert.equal(c.next_run_at, null);
});

test('one source adds the gone records and its last five runs', async () => {
  const a = await getJson(`/api/v1/sources/${A}`);
  const db = await fromDb(A);
  for (const k of SOURCE_KEYS) assert.ok(k in a, `detail.${k}`);
  assert.equal(a.record_count_gone, db.gone);
  assert.equal(a.record_count_gone, 1);
  assert.deepEqual(a.runs.map((r) => r.id), db.runs.slice(0, 5), 'the five newest runs, newest first');
  a.runs.forEach((r, i) => checkRun(r, `runs[${i}]`));
  const newest = a.runs[0];
  assert.equal(newest.errors_total, 150);
  assert.equal(newest.errors.length, 100, 'errors are capped at 100 per run');
  assert.deepEqual(newest.errors[0], { url: 'https://zebre.example/p/1', reason: 'HTTP 404' });
  assert.deepEqual(newest.errors[1], { url: null, reason: 'délai dépassé' }, 'a bare string is a reason without URL');
  assert.equal(a.runs[1].status, 'succeeded');
  assert.equal(a.last_success_at, a.runs[1].finished_at);
  const b = await getJson(`/api/v1/sources/${B}`);
  assert.equal(b.runs.length, 1);
  assert.equal(b.records, 1);
  assert.equal(b.initiatives, 1);
});

test('unknown and malformed slugs', async () => {
  assertError(await api(`/api/v1/sources/t-hv-${TAG}-nowhere`), 404, 'not_found');
  assertError(await api(`/api/v1/sources/t-hv-${TAG}-nowhere/runs`), 404, 'not_found');
  for (const bad of ['Zebre', '-zebre', '_a', 'a'.repeat(64), 'a%20b', 'z%C3%A8bre', "a'%3B--"]) {
    assertError(await api(`/api/v1/sources/${bad}`), 400, 'invalid_parameter', 'slug');
    assertError(await api(`/api/v1/sources/${bad}/runs`), 400, 'invalid_parameter', 'slug');
  }
  assert.equal((await api(`/api/v1/sources/${'a'.repeat(63)}`)).status, 404, '63 characters is a valid slug');
  assertError(await api(`/api/v1/sources/${A}/runs?limit=0`), 400, 'invalid_parameter', 'limit');
  assertError(await api(`/api/v1/sources/${A}/runs?limit=101`), 400, 'invalid_parameter', 'limit');
  assertError(await api(`/api/v1/sources/${A}/runs?cursor=nonsense`), 400, 'invalid_parameter', 'cursor');
});

test('runs are paged newest first with a cursor, every run once', async () => {
  const db = await fromDb(A);
  assert.equal(db.runs.length, 7);
  const seen = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = await getJson(`/api/v1/sources/${A}/runs?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(page.total, 7);
    assert.ok(page.items.length <= 3);
    for (const r of page.items) {
      checkRun(r, `run ${r.id}`);
      assert.ok(Array.isArray(r.errors), 'each run has its errors');
      assert.equal(r.errors_total, r.errors_count);
    }
    seen.push(...page.items.map((r) => r.id));
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && pages < 10);
  assert.equal(pages, 3, 'three pages of at most three');
  assert.deepEqual(seen, db.runs, 'the same order as the database, ties on started_at broken by id');
  const all = await getJson(`/api/v1/sources/${A}/runs?limit=100`);
  assert.deepEqual(all.items.map((r) => r.id), db.runs);
  assert.equal(all.next_cursor, null);
  const none = await getJson(`/api/v1/sources/${C}/runs`);
  assert.deepEqual(none, { items: [], total: 0, next_cursor: null });
});

test('a new run shows at once: the next answer is a MISS with the new figures', async () => {
  const path = `/api/v1/sources/${A}`;
  await api(path);
  const warm = await api(path);
  assert.equal(warm.status, 200, brief(warm));
  const cached = warm.headers.get('x-cache');
  if (cached === 'BYPASS') return; // caching off or Redis down: nothing to invalidate
  assert.equal(cached, 'HIT', 'the second read comes from the cache');
  await api('/api/v1/sources');
  const id = Number(
    await sql(`INSERT INTO harvest_run (source_id, started_at, finished_at, status, pages_fetched, records_new)
               SELECT id, now(), now(), 'succeeded', 77, 5 FROM source WHERE code = ${lit(A)} RETURNING id`),
  );
  const after1 = await api(path);
  assert.equal(after1.headers.get('x-cache'), 'MISS', 'the write invalidated the cached answer');
  assert.equal(after1.json.last_run.id, id);
  assert.equal(after1.json.last_run.pages_fetched, 77);
  assert.equal(after1.json.runs[0].id, id);
  assert.equal(after1.json.last_success_at, (await fromDb(A)).last_success);
  const list = await api('/api/v1/sources');
  assert.equal(list.headers.get('x-cache'), 'MISS');
  assert.equal(list.json.items.find((s) => s.slug === A).last_run.id, id);
});

test('initiatives name their live sources with the original page and the homepage', async () => {
  const [i1, , i3] = init;
  const d = await getJson(`/api/v1/initiatives/${i1}`);
  const codes = d.sources.map((s) => s.code);
  assert.ok(codes.includes(A) && codes.includes(B), `sources of ${i1}: ${codes}`);
  assert.equal(new Set(codes).size, codes.length, 'one entry per source, even with two records of it');
  const b = d.sources.find((s) => s.code === B);
  assert.deepEqual(b, { code: B, name: NAMES[B], url: 'https://emile.example/fiche/1', homepage: 'https://emile.example/', demo: false });
  assert.match(d.sources.find((s) => s.code === A).url, /^https:\/\/zebre\.example\/p\/1(bis)?$/);
  const gone = await getJson(`/api/v1/initiatives/${i3}`);
  assert.ok(!gone.sources.some((s) => s.code === A), 'a gone record is no longer a source');
});

test('search filters and counts harvested sources by their live records, labelled by name', async () => {
  const [i1, i2] = init;
  const res = await getJson(`/api/v1/search?source=${A}&facets=source&limit=100`);
  assert.equal(res.total, 2);
  assert.deepEqual(res.items.map((i) => i.id).sort((x, y) => x - y), [i1, i2].sort((x, y) => x - y));
  const facet = res.facets.source.find((f) => f.code === A);
  assert.deepEqual(facet, { code: A, label: NAMES[A], count: 2 });
  const first = res.items.find((i) => i.id === i1);
  assert.ok(first.sources.some((s) => s.code === B && s.name === NAMES[B]), 'items carry their sources');
  assert.deepEqual(Object.keys(first.sources[0]).sort(), ['code', 'name']);
  const q = await getJson(`/api/v1/search?q=source:${A}&limit=1`);
  assert.equal(q.total, 2, 'source: in the query language too');
  const both = await getJson(`/api/v1/search?source=${A},${B}&limit=1`);
  assert.equal(both.total, 2);
});
