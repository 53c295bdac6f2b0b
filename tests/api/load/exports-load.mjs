// Exports at scale, as a suite of its own (scripts/test.sh, step api-exports-load, after the API
// suite): it adds 50,100 initiatives of a source of its own, with a licence, and removes them at the
// end, which the other API test files (they count the 300 demo initiatives) must not see. Not named
// *.test.mjs, so that the API suite does not pick it up.
//
//   - the 50,000-row export of a search: cut at 50,000 and saying so, streamed (the first bytes come
//     long before the last), and the API workers' memory (VmRSS in /proc) flat while it runs;
//   - the licence and the record URL of each record's source in every format;
//   - the limit of exports at once (503 with Retry-After);
//   - the nightly whole-catalogue files (scripts/stack.sh export): the manifest's counts and
//     SHA-256 against the files and the database, served by nginx as gzip files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { BASE_URL, REPO, VAR_DIR, apiSeesDataVersion, childrenOf, masterPid, qs, sql } from '../helpers.mjs';

const N = 50100;
const LIMIT = 50000;
const SOURCE = 'export-load';
const LICENCE = 'CC BY 4.0';

function rssKb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)[1]), hwm: Number(/VmHWM:\s+(\d+)/.exec(status)[1]) };
}

/** SQL in one transaction through psql, without the helpers' 30 s bound (50,000 rows take a minute). */
function psqlLong(text) {
  return new Promise((resolve, reject) => {
    execFile('psql', ['-X', '-q', '-A', '-t', '-1', '-v', 'ON_ERROR_STOP=1', '-c', text], { timeout: 600000, maxBuffer: 64 << 20 }, (err, out, stderr) =>
      err ? reject(new Error(`psql: ${err.message}\n${stderr}`)) : resolve(out.trim()),
    );
  });
}

async function cleanup() {
  await psqlLong(`DELETE FROM source_record WHERE source_id IN (SELECT id FROM source WHERE code = '${SOURCE}');
             DELETE FROM initiative WHERE slug LIKE '${SOURCE}-%';
             DELETE FROM source WHERE code = '${SOURCE}';`);
  // The planner's statistics as they were: the search chooses its plans (and the order of equal
  // ranks) from its estimates, which 50,000 rows come and gone would leave wrong.
  await psqlLong('ANALYZE initiative; ANALYZE source_record');
  await apiSeesDataVersion();
}

before(async () => {
  await cleanup();
  // Titles with a comma and quotes, summaries over two lines with a semicolon: the quoting of
  // every row is exercised, in both separators.
  // Without their words (the trigger that indexes them is off inside this transaction only, so no
  // other session ever sees it off): it halves the minute the rows take, and no test here searches
  // words.
  await psqlLong(`ALTER TABLE initiative DISABLE TRIGGER initiative_tsv;
             INSERT INTO source (code, name, kind, url, licence, is_demo)
               VALUES ('${SOURCE}', 'Charge des exports', 'demo', 'https://exemple.org/', '${LICENCE}', true);
             WITH ins AS (
               INSERT INTO initiative (slug, title, summary, themes, publics, scale, stage, start_year,
                                       commune_code, departement_code, region_code, geom, geo_precision,
                                       status, created_at, updated_at)
               SELECT '${SOURCE}-' || g, 'Initiative de charge ' || g || ', dite "export"',
                      'Résumé ' || g || E'\\nsur deux lignes ; avec séparateurs', ARRAY['ENV'], ARRAY['tous'],
                      'commune', 'ideation', 2020, '44043', '44', '52',
                      ST_SetSRID(ST_MakePoint(-1.27 + (g % 100) * 0.001, 47.1), 4326), 'commune', 'published',
                      timestamptz '2010-01-01' + g * interval '1 second', timestamptz '2010-01-01' + g * interval '1 second'
                 FROM generate_series(1, ${N}) AS g
               RETURNING id, slug)
             INSERT INTO source_record (source_id, external_id, url, raw, content_hash, initiative_id)
             SELECT s.id, ins.slug, 'https://exemple.org/fiche/' || ins.slug, '{}', 'x', ins.id
               FROM ins, source s WHERE s.code = '${SOURCE}';
             ALTER TABLE initiative ENABLE TRIGGER initiative_tsv;`);
  await apiSeesDataVersion();
});

after(async () => {
  await cleanup();
});

/**
 * Reads an export without keeping it: counts bytes and line ends, and samples the RSS of every API
 * worker every 20 ms while it streams. Returns the headers, the counts, the time of the first and
 * last bytes and the largest growth of a worker's RSS over its value before.
 */
async function streamExport(params) {
  const workers = childrenOf(masterPid());
  assert.ok(workers.length > 0, 'API workers');
  const before = new Map(workers.map((p) => [p, rssKb(p).rss]));
  let growth = 0;
  const sample = () => {
    for (const p of workers) {
      try {
        growth = Math.max(growth, rssKb(p).rss - before.get(p));
      } catch {
        // a worker replaced meanwhile: not this export's
      }
    }
  };
  const timer = setInterval(sample, 20);
  const t0 = Date.now();
  let first = 0;
  let chunks = 0;
  let bytes = 0;
  let lines = 0;
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  let res;
  try {
    res = await fetch(`${BASE_URL}/api/v1/search/export${qs(params)}`, { signal: AbortSignal.timeout(120000) });
    for await (const chunk of res.body) {
      if (!first) first = Date.now() - t0;
      bytes += chunk.length;
      chunks++;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) lines++;
      if (head.length < 4096) head = Buffer.concat([head, chunk]).subarray(0, 4096);
      tail = Buffer.concat([tail, chunk]).subarray(-4096);
      sample();
    }
  } finally {
    clearInterval(timer);
  }
  return { res, bytes, chunks, lines, head, tail, first, total: Date.now() - t0, growthKb: growth, workers, before };
}

test('a search of more than 50,000 matches: the first 50,000, said in the headers, memory flat', async () => {
  const r = await streamExport({ format: 'csv', source: SOURCE });
  assert.equal(r.res.status, 200);
  assert.equal(r.res.headers.get('x-export-truncated'), 'true');
  assert.equal(r.res.headers.get('x-export-rows'), String(LIMIT));
  assert.equal(r.res.headers.get('x-export-limit'), String(LIMIT));
  assert.equal(r.res.headers.get('content-length'), null, 'streamed: no length known in advance');
  // Every summary holds one line break inside quotes: 2 LF a row, plus the header's.
  assert.equal(r.lines, 1 + 2 * LIMIT);
  assert.ok(r.bytes > 8 * 1024 * 1024, `${r.bytes} bytes`);
  // The worker that wrote it holds a batch of rows at a time, not the file.
  const growthMb = r.growthKb / 1024;
  console.log(
    `# 50,000-row CSV: ${(r.bytes / 1048576).toFixed(1)} MiB in ${r.total} ms (first byte ${r.first} ms); ` +
      `largest worker RSS growth ${growthMb.toFixed(1)} MiB`,
  );
  assert.ok(growthMb < 12, `a worker grew by ${growthMb.toFixed(1)} MiB while streaming ${(r.bytes / 1048576).toFixed(1)} MiB`);
  // Sent as it is written: in many pieces over time, not in one block at the end.
  assert.ok(r.chunks > 20 && r.first < r.total, `${r.chunks} pieces, first byte at ${r.first} ms of ${r.total} ms`);
  // The last row is whole.
  const lastRows = parse(r.tail.toString('utf8').split('\r\n').slice(-3).join('\r\n'), { relax_column_count: true });
  assert.ok(lastRows.length > 0);
});

test('text that a spreadsheet would run as a formula is written after an apostrophe in CSV, exact in NDJSON', async () => {
  const src = 'export-formula';
  const hostile = ['=HYPERLINK("https://exemple.org","clic")', '+SUM(A1:A9)', '-2+3 jardins', '@SOMME(1)'];
  const drop = `DELETE FROM source_record WHERE source_id IN (SELECT id FROM source WHERE code = '${src}');
             DELETE FROM initiative WHERE slug LIKE '${src}-%'; DELETE FROM source WHERE code = '${src}';`;
  await psqlLong(drop);
  try {
    const values = hostile.map((t, i) => `('${src}-${i}', '${t.replace(/'/g, "''")}', $s$${t}$s$)`).join(',');
    await psqlLong(`INSERT INTO source (code, name, kind, url, licence, is_demo)
               VALUES ('${src}', '=Source piégée', 'demo', 'https://exemple.org/', '${LICENCE}', true);
             WITH v(slug, title, summary) AS (VALUES ${values}),
             ins AS (
               INSERT INTO initiative (slug, title, summary, themes, publics, scale, stage, start_year,
                                       commune_code, departement_code, region_code, geom, geo_precision, status)
               SELECT slug, title, summary, ARRAY['ENV'], ARRAY['tous'], 'commune', 'ideation', 2020,
                      '44043', '44', '52', ST_SetSRID(ST_MakePoint(-1.27, 47.1), 4326), 'commune', 'published'
                 FROM v RETURNING id, slug)
             INSERT INTO source_record (source_id, external_id, url, raw, content_hash, initiative_id)
             SELECT s.id, ins.slug, 'https://exemple.org/fiche/' || ins.slug, '{}', 'x', ins.id
               FROM ins, source s WHERE s.code = '${src}';`);
    await apiSeesDataVersion();
    for (const sep of [',', ';']) {
      const res = await fetch(`${BASE_URL}/api/v1/search/export${qs({ source: src, format: 'csv', sep, sort: 'name' })}`);
      assert.equal(res.status, 200);
      const rows = parse(await res.text(), { columns: true, delimiter: sep });
      assert.deepEqual(rows.map((r) => r.title).sort(), hostile.map((t) => `'${t}`).sort(), 'every formula-like title guarded');
      for (const r of rows) {
        assert.equal(r.summary, `'${r.title.slice(1)}`, 'the summary too');
        assert.equal(r.source_names, "'=Source piégée", "a source's name too");
        assert.equal(Number(r.longitude), -1.27, 'a negative number stays a number');
      }
    }
    const nd = await fetch(`${BASE_URL}/api/v1/search/export${qs({ source: src, format: 'ndjson' })}`);
    const titles = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l).title);
    assert.deepEqual(titles.sort(), [...hostile].sort(), 'NDJSON keeps the exact text');
  } finally {
    await psqlLong(drop);
    await apiSeesDataVersion();
  }
});

test('every row carries its source: name, record URL and licence, in each format', async () => {
  const params = { source: SOURCE, sort: 'name' };
  const csv = await fetch(`${BASE_URL}/api/v1/search/export${qs({ ...params, format: 'csv', sep: ';' })}`);
  assert.equal(csv.status, 200);
  const rows = parse(await csv.text(), { columns: true, delimiter: ';' });
  assert.equal(rows.length, LIMIT);
  for (const row of rows.slice(0, 500)) {
    assert.equal(row.source_names, 'Charge des exports');
    assert.equal(row.licences, LICENCE);
    assert.equal(row.source_urls, `https://exemple.org/fiche/export-load-${row.title.match(/charge (\d+),/)[1]}`);
    assert.match(row.title, /^Initiative de charge \d+, dite "export"$/);
    assert.match(row.summary, /^Résumé \d+\nsur deux lignes ; avec séparateurs$/);
  }
  const nd = await fetch(`${BASE_URL}/api/v1/search/export${qs({ ...params, format: 'ndjson', year_min: 2020 })}`);
  const first = JSON.parse((await nd.text()).split('\n')[0]);
  const n = first.title.match(/charge (\d+),/)[1];
  assert.deepEqual(first.sources, [{ code: SOURCE, name: 'Charge des exports', url: `https://exemple.org/fiche/export-load-${n}`, licence: LICENCE }]);
});

test('more exports at once than SC_EXPORT_CONCURRENCY (2): a 503 with Retry-After, then served again', async () => {
  // Two exports whose bodies are not read: their workers wait on a full socket, holding their turn.
  const held = [];
  for (let i = 0; i < 2; i++) {
    const ctl = new AbortController();
    const res = await fetch(`${BASE_URL}/api/v1/search/export${qs({ format: 'ndjson', source: SOURCE })}`, { signal: ctl.signal });
    assert.equal(res.status, 200);
    held.push({ ctl, res });
  }
  const busy = await fetch(`${BASE_URL}/api/v1/search/export${qs({ format: 'csv', theme: 'ENV' })}`);
  const body = await busy.json();
  assert.equal(busy.status, 503);
  assert.equal(body.error.code, 'export_busy');
  assert.ok(Number(busy.headers.get('retry-after')) > 0);
  // The searches themselves are still served meanwhile.
  const search = await fetch(`${BASE_URL}/api/v1/search?theme=ENV`);
  assert.equal(search.status, 200);
  for (const h of held) h.ctl.abort();
  // The turns come back when the aborted exports end (their workers see the closed connection).
  const deadline = Date.now() + 30000;
  let status = 0;
  while (Date.now() < deadline) {
    const again = await fetch(`${BASE_URL}/api/v1/search/export${qs({ format: 'csv', theme: 'ENV' })}`);
    status = again.status;
    await again.arrayBuffer();
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(status, 200);
});

/** Runs the job runner's export once, as `scripts/stack.sh export` does; returns its peak RSS. */
function runNightly() {
  return new Promise((resolve, reject) => {
    const bin = path.join(REPO, 'backend', 'build', 'socialconnect-jobs');
    const env = {
      ...process.env,
      SC_PG_DSN: `host=${process.env.PGHOST} port=${process.env.PGPORT} dbname=socialconnect user=socialconnect`,
      SC_EXPORT_DIR: path.join(VAR_DIR, 'exports'),
      SC_PUBLIC_URL: BASE_URL,
    };
    const t0 = Date.now();
    const child = spawn(bin, ['--once', '--only', 'export'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let hwm = 0;
    const timer = setInterval(() => {
      try {
        hwm = Math.max(hwm, rssKb(child.pid).hwm);
      } catch {
        // exited
      }
    }, 10);
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code === 0) resolve({ hwmKb: hwm, ms: Date.now() - t0 });
      else reject(new Error(`socialconnect-jobs --once --only export: exit ${code}: ${err.slice(-2000)}`));
    });
  });
}

test('the nightly catalogue files: manifest, SHA-256 and counts against the files, the database and nginx', async () => {
  const run = await runNightly();
  const dir = path.join(VAR_DIR, 'exports');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const published = Number(await sql("SELECT count(*) FROM initiative WHERE status = 'published'"));
  console.log(`# nightly dump of ${published} initiatives: ${run.ms} ms, job runner peak RSS ${(run.hwmKb / 1024).toFixed(1)} MiB`);
  assert.equal(manifest.records, published);
  assert.ok(published > LIMIT);
  assert.match(manifest.generated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(manifest.generated_at) - Date.now()) < 10 * 60000);
  assert.deepEqual(manifest.files.map((f) => f.name), ['catalogue.csv.gz', 'catalogue.ndjson.gz']);
  for (const f of manifest.files) {
    const bytes = fs.readFileSync(path.join(dir, f.name));
    assert.equal(bytes.length, f.size, `${f.name} size`);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, `${f.name} SHA-256`);
    // Served by nginx as the same bytes, a gzip file (not a gzip-encoded body).
    const res = await fetch(`${BASE_URL}/exports/${f.name}`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    assert.equal(res.headers.get('content-encoding'), null);
    assert.match(res.headers.get('cache-control') || '', /max-age=\d+/);
    const served = Buffer.from(await res.arrayBuffer());
    assert.equal(createHash('sha256').update(served).digest('hex'), f.sha256, `${f.name} as served`);
    const text = zlib.gunzipSync(bytes).toString('utf8');
    if (f.name.endsWith('.ndjson.gz')) {
      const lines = text.split('\n').slice(0, -1);
      assert.equal(lines.length, published);
      const ids = lines.map((l) => JSON.parse(l).id);
      const dbIds = (await sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM initiative WHERE status = 'published'")).split(',').map(Number);
      assert.deepEqual(ids, dbIds, 'the published initiatives, by id');
    } else {
      const rows = parse(text, { columns: true });
      assert.equal(rows.length, published);
      const load = rows.find((r) => r.source_names === 'Charge des exports');
      assert.equal(load.licences, LICENCE);
    }
  }
  const src = manifest.sources.find((s) => s.code === SOURCE);
  assert.deepEqual(src, { code: SOURCE, name: 'Charge des exports', homepage: 'https://exemple.org/', licence: LICENCE, demo: true, records: N });
  const m = await fetch(`${BASE_URL}/exports/manifest.json`);
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(await m.json(), manifest);
  // Memory flat: a few MiB above an idle runner, far below the files' size.
  assert.ok(run.hwmKb < 64 * 1024, `job runner peak RSS ${(run.hwmKb / 1024).toFixed(1)} MiB`);
});
