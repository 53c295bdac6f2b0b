// End to end: socialconnect-harvest against the fixture sites, checked through SQL and the API.
//
// Runs against a stack started by scripts/stack.sh (profile SC_PROFILE, default "test"): the API at
// SC_BASE_URL, PostgreSQL through `scripts/stack.sh psql` and the libpq variables that `stack.sh env`
// prints. The harvester is backend/build/socialconnect-harvest (SC_HARVEST_BIN to use another); the
// suite is skipped, saying so, only when that file does not exist. The queue of harvest jobs is
// served by the job runner, socialconnect-jobs, beside the harvester (SC_JOBS_BIN to use another).
//
// Order (one file, tests run in sequence): the fixture server starts on a free port; earlier fixture
// data is removed (sources fixture-*, their records, runs and the initiatives only they fed); `load`;
// `test --limit 3`; `run --all`; checks; a second `run --all` that must change nothing; one record
// changed on its site; a third run that must update exactly that record.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFile } from 'node:child_process';
import { startFixtureServer } from './fixture-server.mjs';
import { SLUGS } from './sites/index.mjs';
import { expected, sourceDoc, websiteKey, REPO, SITE_NAMES, HERE } from './lib.mjs';
import { signUpAndLogIn } from '../api/accounts-helpers.mjs';
import { apiSeesDataVersion } from '../api/helpers.mjs';

const PROFILE = process.env.SC_PROFILE || 'test';
const BASE_URL = (process.env.SC_BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const BIN = path.resolve(REPO, process.env.SC_HARVEST_BIN || 'backend/build/socialconnect-harvest');
const JOBS_BIN = path.resolve(REPO, process.env.SC_JOBS_BIN || path.join(path.dirname(BIN), 'socialconnect-jobs'));
const RUN_TIMEOUT_MS = Number(process.env.SC_HARVEST_RUN_TIMEOUT_MS || 15 * 60 * 1000);
const SOURCE_FILES = fs.readdirSync(path.join(REPO, 'sources', 'fixtures')).filter((f) => f.endsWith('.json')).sort()
  .map((f) => path.join('sources', 'fixtures', f));
const DUPLICATES = JSON.parse(fs.readFileSync(path.join(HERE, 'expected', 'duplicates.json'), 'utf8'));
const EXP = Object.fromEntries(SITE_NAMES.map((s) => [s, expected(s)]));
const NORMAL_SITES = SITE_NAMES.filter((s) => s !== 'hostile');

const skip = fs.existsSync(BIN) ? false : `no harvester at ${BIN} (build it with make -C backend, or set SC_HARVEST_BIN): harvest suite skipped`;
if (skip) console.log(`# ${skip}`);

let srv;
let pgEnv = {};
const runs = {}; // outputs of the harvester, by name
const logs = {}; // the fixture server's request log after each run

// ---------------------------------------------------------------------------------------------------
// Helpers

function stackScript(args) {
  return new Promise((resolve, reject) => {
    execFile('bash', [path.join(REPO, 'scripts', 'stack.sh'), ...args],
      { cwd: REPO, env: { ...process.env, SC_PROFILE: PROFILE }, timeout: 60000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => (err ? reject(new Error(`stack.sh ${args.join(' ').slice(0, 300)}: ${err.message}\n${stderr}`)) : resolve(stdout.trim())));
  });
}

const psql = (sql) => stackScript(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
/** Rows of a query as objects. */
async function rows(sql) {
  const out = await psql(`SELECT coalesce(json_agg(q), '[]'::json) FROM (${sql}) q`);
  return JSON.parse(out);
}
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const FIXTURE_CODES = `(${Object.values(SLUGS).map(lit).join(', ')})`;

/** Runs the harvester with args; resolves {code, signal, stdout, stderr, ms}. */
function harvest(args, { timeout = RUN_TIMEOUT_MS, env = {}, onStart, bin = BIN } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(bin, args, {
      cwd: REPO,
      env: { ...process.env, ...pgEnv, SC_FIXTURE_PORT: String(srv.port), SC_HARVEST_DELAY_MS: '0',
        // The hostile page that never answers costs timeout × 4 attempts: keep it short here.
        SC_HARVEST_TIMEOUT_MS: '2500', SC_HARVEST_RETRY_BASE_MS: '100', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (onStart) onStart(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      // What the run wrote reaches the API's workers by a notification, a moment after its commit.
      await apiSeesDataVersion();
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, args });
    });
  });
}

const show = (r) => `${path.basename(BIN)} ${r.args.join(' ')} → ${r.signal ? `signal ${r.signal}` : `exit ${r.code}`} after ${r.ms} ms\n` +
  `stdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`;

async function api(p) {
  const res = await fetch(BASE_URL + p, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(15000) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: left null, the assertion says so
  }
  return { status: res.status, json, text };
}

/** A list in an API answer: the array itself, or its items / sources / runs member. */
const listOf = (j) => (Array.isArray(j) ? j : j && (j.items || j.sources || j.runs || j.data)) || null;
const codeOf = (s) => s && (s.code ?? s.slug);

const fixtureGet = async (p, method = 'GET') => {
  const r = await fetch(srv.origin + p, { method });
  return r.json();
};

/** The URL of an expected record as the harvester sees it: fixture paths are on the server's origin. */
let origin = '';
const absolute = (u) => (u && u.startsWith('/') ? origin + u : u);

/** Every record of the fixture sources, with the initiative it feeds. */
const records = () =>
  rows(`SELECT s.code AS source, r.external_id, r.url, r.content_hash, r.changed_at, r.gone_at, r.initiative_id,
               i.title, i.summary, i.commune_code, i.themes, i.start_year, i.website, i.actor_type, i.status,
               i.updated_at
          FROM source_record r JOIN source s ON s.id = r.source_id LEFT JOIN initiative i ON i.id = r.initiative_id
         WHERE s.code IN ${FIXTURE_CODES} ORDER BY s.code, r.external_id`);

/** The latest run of each fixture source. */
const lastRuns = async () =>
  Object.fromEntries(
    (await rows(`SELECT DISTINCT ON (s.code) s.code, h.*
                   FROM harvest_run h JOIN source s ON s.id = h.source_id
                  WHERE s.code IN ${FIXTURE_CODES} ORDER BY s.code, h.started_at DESC, h.id DESC`)).map((r) => [r.code, r]),
  );

/** A fingerprint of everything a run could change, except the run rows and last-seen bookkeeping. */
const fingerprint = () =>
  psql(`SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (
          SELECT concat_ws(',', r.id, r.external_id, r.content_hash, r.changed_at, r.gone_at, r.initiative_id, r.raw::text) AS x
            FROM source_record r JOIN source s ON s.id = r.source_id WHERE s.code IN ${FIXTURE_CODES}
          UNION ALL
          SELECT i::text FROM initiative i
           WHERE i.id IN (SELECT r.initiative_id FROM source_record r JOIN source s ON s.id = r.source_id WHERE s.code IN ${FIXTURE_CODES})
        ) q`);

/** Compares the stored records of every site with the expected ones; returns a list of differences. */
export function differences(stored, fixtureOrigin = origin) {
  origin = fixtureOrigin;
  const bySource = new Map();
  for (const r of stored) bySource.set(`${r.source}/${r.external_id}`, r);
  const paired = new Map();
  for (const d of DUPLICATES) {
    paired.set(`${d.a.source}/${d.a.external_id}`, d);
    paired.set(`${d.b.source}/${d.b.external_id}`, d);
  }
  const out = [];
  for (const site of SITE_NAMES) {
    const slug = SLUGS[site];
    for (const x of EXP[site].records) {
      const r = bySource.get(`${slug}/${x.external_id}`);
      const where = `${slug} ${x.external_id} "${x.title}"`;
      if (!r) {
        out.push(`${where}: missing`);
        continue;
      }
      if (r.url !== absolute(x.url)) out.push(`${where}: url ${r.url}, expected ${absolute(x.url)}`);
      if (r.gone_at) out.push(`${where}: marked gone`);
      if (!r.initiative_id) {
        out.push(`${where}: feeds no initiative`);
        continue;
      }
      const d = paired.get(`${slug}/${x.external_id}`);
      const titles = d ? [d.a.title, d.b.title] : [x.title];
      if (!titles.includes(r.title)) out.push(`${where}: title "${r.title}", expected ${titles.map((t) => `"${t}"`).join(' or ')}`);
      if (r.commune_code !== x.commune_code) out.push(`${where}: commune ${r.commune_code}, expected ${x.commune_code}`);
      const themes = [...(r.themes || [])].sort();
      if (themes.join() !== x.themes.join()) out.push(`${where}: themes [${themes}], expected [${x.themes}]`);
      if (r.start_year !== x.start_year) out.push(`${where}: start_year ${r.start_year}, expected ${x.start_year}`);
      // A merged initiative may keep the website of either record.
      if (!d && websiteKey(r.website) !== websiteKey(x.website)) out.push(`${where}: website ${r.website}, expected ${x.website}`);
      if (d && d.match === 'website' && websiteKey(r.website) !== websiteKey(d.website)) out.push(`${where}: website ${r.website}, expected ${d.website}`);
      if (x.actor_type && !d && r.actor_type !== x.actor_type) out.push(`${where}: actor_type ${r.actor_type}, expected ${x.actor_type}`);
      if (r.status !== 'published') out.push(`${where}: initiative status ${r.status}`);
    }
  }
  return out;
}

const listing = (list, n = 25) => `${list.length} difference(s):\n  ${list.slice(0, n).join('\n  ')}${list.length > n ? '\n  …' : ''}`;

// ---------------------------------------------------------------------------------------------------
// Setup

before(async () => {
  if (skip) return;
  srv = await startFixtureServer({ port: 0 });
  origin = srv.origin;
  const env = await stackScript(['env']);
  for (const m of env.matchAll(/\b(PGHOST|PGPORT|PGUSER|PGDATABASE)=(\S+)/g)) pgEnv[m[1]] = m[2];
  const url = /^export SC_BASE_URL=(\S+)$/m.exec(env)?.[1];
  assert.equal(url?.replace(/\/+$/, ''), BASE_URL, `stack.sh env (SC_PROFILE=${PROFILE}) is not the stack under test: export its port overrides`);
  // Earlier fixture data (a previous run of this suite on the same stack) goes first.
  await psql(fs.readFileSync(path.join(HERE, 'forget-fixtures.sql'), 'utf8'));
});

after(async () => {
  if (srv) await srv.close();
});

// ---------------------------------------------------------------------------------------------------
// Loading and dry runs

test('load accepts every fixture source document', { skip }, async () => {
  const r = await harvest(['load', ...SOURCE_FILES], { timeout: 60000 });
  assert.equal(r.code, 0, show(r));
  const stored = await rows(`SELECT code, name, kind, enabled FROM source WHERE code IN ${FIXTURE_CODES} ORDER BY code`);
  assert.deepEqual(stored.map((s) => s.code), Object.values(SLUGS).sort());
  for (const s of stored) {
    const doc = sourceDoc(s.code);
    assert.equal(s.name, doc.name);
    assert.equal(s.kind, doc.kind);
    assert.equal(s.enabled, true);
  }
});

test('test SLUG --limit 3 prints three records as JSON and writes nothing', { skip }, async () => {
  const count = () => psql(`SELECT concat_ws(',', (SELECT count(*) FROM source_record), (SELECT count(*) FROM harvest_run),
                              (SELECT count(*) FROM initiative), (SELECT count(*) FROM harvest_page), (SELECT version FROM data_version))`);
  const before0 = await count();
  await fixtureGet('/__reset', 'POST');
  for (const site of ['drupal', 'csv']) {
    const r = await harvest(['test', SLUGS[site], '--limit', '3'], { timeout: 120000 });
    assert.equal(r.code, 0, show(r));
    let recs;
    try {
      const j = JSON.parse(r.stdout);
      recs = Array.isArray(j) ? j : j.records || j.items;
    } catch {
      recs = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    }
    assert.ok(Array.isArray(recs), `no JSON records in: ${r.stdout.slice(0, 500)}`);
    assert.equal(recs.length, 3, r.stdout.slice(0, 2000));
    const titles = recs.map((x) => x.title ?? x.fields?.title);
    assert.deepEqual(titles, EXP[site].records.slice(0, 3).map((x) => x.title), 'the first three records of the site, in order');
  }
  assert.equal(await count(), before0, 'source_record, harvest_run, initiative, harvest_page and data_version are unchanged');
  const l = await fixtureGet('/__requests');
  assert.ok(l.length > 0, 'test fetched the pages');
  assert.ok(l.every((e) => /SocialConnect/.test(e.user_agent || '')), 'User-Agent names SocialConnect');
});

// ---------------------------------------------------------------------------------------------------
// First run

test('run --all harvests every fixture source', { skip }, async () => {
  await fixtureGet('/__reset', 'POST');
  const r = await harvest(['run', '--all']);
  runs.first = r;
  logs.first = await fixtureGet('/__requests');
  assert.equal(r.signal, null, show(r));
  assert.ok(r.code === 0, `a run with page errors still succeeds as a command: ${show(r)}`);
  const out = r.stdout + r.stderr;
  for (const slug of Object.values(SLUGS)) assert.ok(out.includes(slug), `a progress line for ${slug}: ${show(r)}`);
});

test('every expected record is stored with its title, commune, themes, year, URL and website', { skip }, async () => {
  const stored = await records();
  const diff = differences(stored);
  assert.deepEqual(diff, [], listing(diff));
  // No extra records on the well-behaved sites.
  for (const site of NORMAL_SITES) {
    const n = stored.filter((r) => r.source === SLUGS[site] && !r.gone_at).length;
    assert.equal(n, EXP[site].count, `${SLUGS[site]}: ${n} records, expected ${EXP[site].count}`);
  }
});

test('the same project on two sites becomes one initiative listing both sources', { skip }, async () => {
  const stored = await records();
  const key = new Map(stored.map((r) => [`${r.source}/${r.external_id}`, r]));
  const problems = [];
  for (const d of DUPLICATES) {
    const a = key.get(`${d.a.source}/${d.a.external_id}`);
    const b = key.get(`${d.b.source}/${d.b.external_id}`);
    if (!a || !b) {
      problems.push(`${d.a.title} / ${d.b.title}: record missing`);
      continue;
    }
    if (a.initiative_id !== b.initiative_id) {
      problems.push(`${d.match}: "${d.a.title}" (${d.a.source}) → ${a.initiative_id}, "${d.b.title}" (${d.b.source}) → ${b.initiative_id}`);
      continue;
    }
    const res = await api(`/api/v1/initiatives/${a.initiative_id}`);
    if (res.status !== 200) {
      problems.push(`GET /api/v1/initiatives/${a.initiative_id}: ${res.status}`);
      continue;
    }
    const codes = (res.json.sources || []).map(codeOf).sort();
    if (codes.join() !== [d.a.source, d.b.source].sort().join()) problems.push(`initiative ${a.initiative_id} sources [${codes}], expected ${d.a.source} and ${d.b.source}`);
  }
  assert.deepEqual(problems, [], listing(problems));
  // And nothing else was merged: one initiative per record outside the pairs.
  const perInitiative = new Map();
  for (const r of stored) if (r.initiative_id) perInitiative.set(r.initiative_id, (perInitiative.get(r.initiative_id) || 0) + 1);
  const merged = [...perInitiative.values()].filter((n) => n > 1).length;
  assert.equal(merged, DUPLICATES.length, 'initiatives fed by two records');
});

test('search by source finds exactly the harvested initiatives', { skip }, async () => {
  const stored = await records();
  for (const site of SITE_NAMES) {
    const slug = SLUGS[site];
    const want = new Set(stored.filter((r) => r.source === slug && !r.gone_at && r.initiative_id).map((r) => r.initiative_id));
    const got = new Set();
    let cursor = null;
    let total;
    for (let i = 0; i < 20; i++) {
      const res = await api(`/api/v1/search?source=${slug}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200, `${slug}: ${res.text.slice(0, 300)}`);
      total ??= res.json.total;
      for (const it of res.json.items) got.add(it.id);
      cursor = res.json.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual([...got].sort((a, b) => a - b), [...want].sort((a, b) => a - b), `${slug}: search results`);
    if (site !== 'hostile') assert.equal(total, EXP[site].count, `${slug}: total`);
  }
});

test('the sources API lists the fixture sources and their runs with figures', { skip }, async () => {
  const all = await api('/api/v1/sources');
  assert.equal(all.status, 200, all.text.slice(0, 300));
  const list = listOf(all.json);
  assert.ok(Array.isArray(list), `GET /api/v1/sources: no list in ${all.text.slice(0, 300)}`);
  for (const slug of Object.values(SLUGS)) assert.ok(list.some((s) => codeOf(s) === slug), `GET /api/v1/sources lists ${slug}`);
  for (const site of SITE_NAMES) {
    const slug = SLUGS[site];
    const one = await api(`/api/v1/sources/${slug}`);
    assert.equal(one.status, 200, `${slug}: ${one.text.slice(0, 300)}`);
    assert.equal(codeOf(one.json), slug);
    assert.equal(one.json.name, sourceDoc(slug).name);
    // The home page as people follow it: the document's ${NAME} expanded, as the harvester read it.
    assert.match(one.json.homepage, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${site}/$`), `${slug}: homepage ${one.json.homepage}`);
    const r = await api(`/api/v1/sources/${slug}/runs`);
    assert.equal(r.status, 200, `${slug}/runs: ${r.text.slice(0, 300)}`);
    const rr = listOf(r.json);
    assert.ok(Array.isArray(rr) && rr.length >= 1, `${slug}/runs: ${r.text.slice(0, 300)}`);
    const latest = rr[0];
    if (site !== 'hostile') assert.equal(latest.records_new, EXP[site].count, `${slug}: the latest run (listed first) brought every record`);
    assert.ok(latest.pages_fetched >= EXP[site].list_pages, `${slug}: pages_fetched ${latest.pages_fetched}`);
  }
  assert.equal((await api('/api/v1/sources/no-such-source')).status, 404);
});

test('harvest_run rows hold the figures; the hostile errors are recorded with URL and reason', { skip }, async () => {
  const last = await lastRuns();
  for (const site of SITE_NAMES) {
    const slug = SLUGS[site];
    const run = last[slug];
    assert.ok(run, `${slug}: no harvest_run`);
    assert.ok(run.finished_at, `${slug}: the run is finished`);
    const details = ['drupal', 'joomla', 'spip'].includes(site) ? EXP[site].count : 0;
    assert.ok(run.pages_fetched >= EXP[site].list_pages + details, `${slug}: pages_fetched ${run.pages_fetched} < ${EXP[site].list_pages + details}`);
    if (site === 'hostile') continue;
    assert.equal(run.status, 'succeeded', `${slug}: ${JSON.stringify(run.errors).slice(0, 500)}`);
    assert.equal(run.records_new, EXP[site].count, `${slug}: records_new`);
    assert.equal(run.records_updated, 0, `${slug}: records_updated`);
    assert.deepEqual(run.errors, [], `${slug}: errors`);
  }
  const h = last[SLUGS.hostile];
  assert.notEqual(h.status, 'running');
  assert.ok(h.records_new >= EXP.hostile.count, `records_new ${h.records_new}`);
  assert.ok(h.pages_failed >= EXP.hostile.errors.length - 1, `pages_failed ${h.pages_failed}`);
  const errors = Array.isArray(h.errors) ? h.errors : [];
  const reasons = {
    not_found: /404/,
    hang: /d[ée]lai|timeout|timed out/i,
    loop: /redirect|redirection/i,
    huge: /trop grand|too large|taille|size/i,
    robots: /robots/i,
  };
  for (const e of EXP.hostile.errors) {
    const hit = errors.find((x) => JSON.stringify(x).includes(e.url));
    assert.ok(hit, `no error recorded for ${e.url} (${e.reason}); errors: ${JSON.stringify(errors).slice(0, 1500)}`);
    assert.match(JSON.stringify(hit), reasons[e.what], `${e.url}: the reason says ${e.reason}`);
  }
});

test('the harvester is polite: its User-Agent, robots.txt, never a disallowed path, a retry after a 500', { skip }, () => {
  const l = logs.first;
  assert.ok(Array.isArray(l) && l.length > 0, 'the first run made requests');
  const bad = l.filter((e) => !/SocialConnect/.test(e.user_agent || ''));
  assert.deepEqual(bad.map((e) => `${e.path} ${e.user_agent}`), [], 'every request has a User-Agent naming SocialConnect');
  assert.ok(l.some((e) => e.path === '/robots.txt'), 'robots.txt was read');
  const forbidden = l.filter((e) => e.path.startsWith('/hostile/private/') || e.path.startsWith('/spip/prive/'));
  assert.deepEqual(forbidden.map((e) => e.path), [], 'no request to a path robots.txt disallows');
  const flaky = l.filter((e) => e.path === EXP.hostile.flaky).map((e) => e.status);
  assert.deepEqual(flaky.slice(0, 2), [500, 200], 'the page that failed once was asked again');
  const twice = new Map();
  for (const e of l) if (e.status === 200) twice.set(e.path, (twice.get(e.path) || 0) + 1);
  const repeated = [...twice].filter(([p, n]) => n > 1 && p !== '/robots.txt');
  assert.deepEqual(repeated, [], 'no page fetched twice in one run');
});

// ---------------------------------------------------------------------------------------------------
// Second run: nothing changed on the sites

test('a second run changes nothing and asks for every page conditionally', { skip }, async () => {
  const before2 = await fingerprint();
  await fixtureGet('/__reset', 'POST');
  const r = await harvest(['run', '--all']);
  runs.second = r;
  logs.second = await fixtureGet('/__requests');
  assert.equal(r.code, 0, show(r));
  const last = await lastRuns();
  for (const slug of Object.values(SLUGS)) {
    assert.equal(last[slug].records_new, 0, `${slug}: records_new`);
    assert.equal(last[slug].records_updated, 0, `${slug}: records_updated`);
  }
  assert.equal(await fingerprint(), before2, 'records and initiatives are exactly as before (run rows aside)');
  const diff = differences(await records());
  assert.deepEqual(diff, [], listing(diff));
  // Every page that the first run read (a 200 it kept) is asked again with its validators, and is not
  // sent. A page the harvester refused (the 20 MB one answers 200 but goes over the cap) was never
  // kept, so it has no validators to send.
  const flakyOrBad = (p) => p === EXP.hostile.flaky || EXP.hostile.errors.some((e) => e.url === p);
  const firstOk = new Set(logs.first.filter((e) => e.status === 200 && e.path !== '/robots.txt' &&
    !EXP.hostile.errors.some((x) => x.url === e.path)).map((e) => e.path));
  const unconditional = logs.second.filter((e) => firstOk.has(e.path) && !e.if_none_match && !e.if_modified_since);
  assert.deepEqual(unconditional.map((e) => e.path), [], 'requests without If-None-Match or If-Modified-Since');
  const sent = logs.second.filter((e) => firstOk.has(e.path) && !flakyOrBad(e.path) && e.status !== 304);
  assert.deepEqual(sent.map((e) => `${e.status} ${e.path}`), [], 'pages answered other than 304');
  assert.ok(logs.second.filter((e) => e.status === 304).length >= firstOk.size - 2, '304s for the unchanged pages');
  assert.ok(logs.second.every((e) => /SocialConnect/.test(e.user_agent || '')));
});

// ---------------------------------------------------------------------------------------------------
// Third run: one record changed on its site

test('after one record changes on its site, a third run updates exactly that record', { skip }, async () => {
  const change = EXP.drupal.change;
  const slug = SLUGS.drupal;
  const before3 = new Map((await records()).map((r) => [`${r.source}/${r.external_id}`, r]));
  const res = await fixtureGet(`/__change?site=drupal&id=${encodeURIComponent(change.id)}`, 'POST');
  assert.deepEqual(res.pages, [change.url]);
  await fixtureGet('/__reset', 'POST');
  const r = await harvest(['run', '--all']);
  runs.third = r;
  logs.third = await fixtureGet('/__requests');
  await fixtureGet('/__unchange', 'POST');
  assert.equal(r.code, 0, show(r));
  const last = await lastRuns();
  for (const s of Object.values(SLUGS)) {
    assert.equal(last[s].records_new, 0, `${s}: records_new`);
    assert.equal(last[s].records_updated, s === slug ? 1 : 0, `${s}: records_updated`);
  }
  const after3 = await records();
  const changed = after3.filter((x) => {
    const b = before3.get(`${x.source}/${x.external_id}`);
    return !b || b.content_hash !== x.content_hash || b.changed_at !== x.changed_at || b.updated_at !== x.updated_at;
  });
  assert.deepEqual(changed.map((x) => `${x.source}/${x.external_id}`), [`${slug}/${change.id}`], 'the records and initiatives that changed');
  const t = changed[0];
  assert.equal(t.start_year, change.start_year);
  assert.ok((t.summary || '').includes(change.summary_contains), `summary: ${t.summary}`);
  const page = logs.third.find((e) => e.path === change.url);
  assert.equal(page && page.status, 200, 'the changed page was fetched again');
  const api1 = await api(`/api/v1/initiatives/${t.initiative_id}`);
  assert.equal(api1.status, 200);
  assert.equal(api1.json.start_year, change.start_year, 'the API shows the new year');
});

test('the runs are listed, newest first, three per source', { skip }, async () => {
  for (const slug of Object.values(SLUGS)) {
    const n = Number(await psql(`SELECT count(*) FROM harvest_run h JOIN source s ON s.id = h.source_id WHERE s.code = ${lit(slug)}`));
    assert.equal(n, 3, `${slug}: harvest_run rows`);
    const r = await api(`/api/v1/sources/${slug}/runs`);
    const rr = listOf(r.json) || [];
    assert.equal(rr.length, 3, `${slug}/runs`);
    const started = rr.map((x) => Date.parse(x.started_at));
    assert.deepEqual(started, [...started].sort((a, b) => b - a), `${slug}/runs newest first`);
    assert.equal(rr[0].records_updated, slug === SLUGS.drupal ? 1 : 0);
  }
});

// ---------------------------------------------------------------------------------------------------
// Refused documents, records that leave a source, the daemon

test('a document with a mistake is refused, the key named, and nothing of the batch is loaded', { skip }, async () => {
  const tmp = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'sc-sources-'));
  try {
    const good = JSON.parse(fs.readFileSync(path.join(REPO, 'sources', 'fixtures', 'fixture-rss.json'), 'utf8'));
    const renamed = { ...good, name: 'Nom qui ne doit pas arriver en base' };
    const typo = { ...good, slug: 'fixture-typo', fields: { ...good.fields, titel: good.fields.title } };
    const badKind = { ...good, slug: 'fixture-kind', kind: 'ftp' };
    const files = { 'a-renamed.json': renamed, 'b-typo.json': typo, 'c-kind.json': badKind };
    for (const [f, doc] of Object.entries(files)) fs.writeFileSync(path.join(tmp, f), JSON.stringify(doc));
    fs.writeFileSync(path.join(tmp, 'd-broken.json'), '{"slug": "fixture-broken", ');
    const before = await psql(`SELECT string_agg(code || ':' || name || ':' || updated_at, ',' ORDER BY code) FROM source`);
    const r = await harvest(['load', ...Object.keys(files).map((f) => path.join(tmp, f)), path.join(tmp, 'd-broken.json')], { timeout: 60000 });
    assert.notEqual(r.code, 0, show(r));
    assert.match(r.stderr, /b-typo\.json: .*fields\.titel/, show(r));
    assert.match(r.stderr, /c-kind\.json: .*kind/, show(r));
    assert.match(r.stderr, /d-broken\.json: /, show(r));
    assert.doesNotMatch(r.stderr, /a-renamed\.json/, 'the valid document is not blamed');
    assert.equal(await psql(`SELECT string_agg(code || ':' || name || ':' || updated_at, ',' ORDER BY code) FROM source`), before,
      'no source added or changed, not even the valid one');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a document whose value map changes has every record of its source normalised again by the next run', { skip }, async () => {
  const slug = SLUGS.rss;
  const file = path.join(REPO, 'sources', 'fixtures', 'fixture-rss.json');
  const original = JSON.parse(fs.readFileSync(file, 'utf8'));
  const remapped = { ...original, maps: { ...original.maps, themes: { ...original.maps.themes, Numérique: 'COM' } } };
  const inDup = new Set(DUPLICATES.flatMap((d) => [`${d.a.source}/${d.a.external_id}`, `${d.b.source}/${d.b.external_id}`]));
  // Records this source owns alone: their initiative takes every field from them.
  const own = EXP.rss.records.filter((x) => !inDup.has(`${slug}/${x.external_id}`));
  const digital = own.filter((x) => (x.themes || []).includes('NUM'));
  assert.ok(digital.length >= 3, 'some records of the feed are tagged Numérique');
  const themesOf = async () => Object.fromEntries((await records()).filter((x) => x.source === slug).map((x) => [x.external_id, [...x.themes].sort()]));
  const expectThemes = (map) => Object.fromEntries(own.map((x) => [x.external_id, [...new Set((x.themes || []).map(map))].sort()]));
  const tmp = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'sc-sources-'));
  const load = async (doc) => {
    const f = path.join(tmp, 'fixture-rss.json');
    fs.writeFileSync(f, JSON.stringify(doc));
    const r = await harvest(['load', f], { timeout: 60000 });
    assert.equal(r.code, 0, show(r));
    return r;
  };
  const runIt = async () => {
    const r = await harvest(['run', slug]);
    assert.equal(r.code, 0, show(r));
    return (await lastRuns())[slug];
  };
  try {
    let r = await load(remapped);
    assert.match(r.stdout, new RegExp(`${EXP.rss.records.length} record\\(s\\) will be normalised again`), show(r));
    let run = await runIt();
    assert.equal(run.records_new, 0);
    assert.equal(run.records_updated, EXP.rss.records.length, 'every record normalised again, though no page changed');
    let now = await themesOf();
    const want = expectThemes((t) => (t === 'NUM' ? 'COM' : t));
    for (const x of own) assert.deepEqual(now[x.external_id], want[x.external_id], `${x.external_id}: themes`);
    run = await runIt();
    assert.equal(run.records_updated, 0, 'then nothing more to do');
    r = await load(original);
    assert.match(r.stdout, /will be normalised again/, show(r));
  } finally {
    await load(original);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const run = await runIt();
  assert.equal(run.records_updated, EXP.rss.records.length);
  const back = await themesOf();
  const want = expectThemes((t) => t);
  for (const x of own) assert.deepEqual(back[x.external_id], want[x.external_id], `${x.external_id}: themes back`);
  const r = await harvest(['load', file], { timeout: 60000 });
  assert.equal(r.code, 0, show(r));
  assert.doesNotMatch(r.stdout, /normalised again/, 'the same document again changes nothing');
});

test('runs stopped by SIGTERM are recorded as partial and mark nothing missed', { skip }, async () => {
  const slug = SLUGS.drupal;
  const missed = () => psql(`SELECT count(*) FROM source_record r JOIN source s ON s.id = r.source_id
                              WHERE s.code = ${lit(slug)} AND (r.missed_runs > 0 OR r.gone_at IS NOT NULL)`);
  assert.equal(await missed(), '0');
  // With 300 ms between two requests to the site, its 111 pages take over 30 s: stop it after 1.5 s.
  let timer;
  const r = await harvest(['run', slug], {
    env: { SC_HARVEST_DELAY_MS: '300' },
    onStart: (child) => { timer = setTimeout(() => child.kill('SIGTERM'), 1500); },
  });
  clearTimeout(timer);
  assert.equal(r.signal, null, show(r));
  assert.equal(r.code, 0, show(r));
  assert.ok(r.ms < 20000, `it stopped soon after the signal (${r.ms} ms)`);
  const run = (await lastRuns())[slug];
  assert.equal(run.status, 'partial', JSON.stringify(run));
  assert.notEqual(run.finished_at, null, 'the run is closed');
  assert.ok(run.pages_fetched > 0 && run.pages_fetched < EXP.drupal.records.length, `pages fetched: ${run.pages_fetched}`);
  assert.equal(await missed(), '0', 'records the stopped run did not reach are not counted as missed');
  const again = await harvest(['run', slug]);
  assert.equal(again.code, 0, show(again));
  assert.equal((await lastRuns())[slug].status, 'succeeded');
  assert.equal(await missed(), '0');

  // Two sources run by two processes: the signal sent to the parent alone reaches both.
  const pair = [SLUGS.drupal, SLUGS.joomla];
  const both = await harvest(['run', ...pair], {
    env: { SC_HARVEST_DELAY_MS: '300', SC_HARVEST_JOBS: '2' },
    onStart: (child) => { timer = setTimeout(() => child.kill('SIGTERM'), 1500); },
  });
  clearTimeout(timer);
  assert.equal(both.code, 0, show(both));
  assert.ok(both.ms < 20000, `both stopped soon after the signal (${both.ms} ms)`);
  const last = await lastRuns();
  for (const p of pair) assert.equal(last[p].status, 'partial', `${p}: ${JSON.stringify(last[p])}`);
  assert.equal(await missed(), '0');
  const restore = await harvest(['run', ...pair]);
  assert.equal(restore.code, 0, show(restore));
});

test('a record taken off its site is marked gone after gone_after_runs runs, then comes back', { skip }, async () => {
  const slug = SLUGS.rss;
  const inDup = new Set(DUPLICATES.flatMap((d) => [`${d.a.source}/${d.a.external_id}`, `${d.b.source}/${d.b.external_id}`]));
  const rec = EXP.rss.records.find((x) => !inDup.has(`${slug}/${x.external_id}`));
  const state = async () => (await rows(`SELECT r.missed_runs, r.gone_at, i.id, i.status FROM source_record r
      JOIN source s ON s.id = r.source_id JOIN initiative i ON i.id = r.initiative_id
     WHERE s.code = ${lit(slug)} AND r.external_id = ${lit(rec.external_id)}`))[0];
  const live = async () => (await api(`/api/v1/search?source=${slug}&limit=1`)).json.total;
  await psql(`UPDATE source SET gone_after_runs = 2 WHERE code = ${lit(slug)}`);
  const total0 = await live();
  const hidden = await fixtureGet(`/__hide?site=rss&id=${encodeURIComponent(rec.external_id)}`, 'POST');
  try {
    assert.ok(hidden.pages && hidden.pages.length > 0, JSON.stringify(hidden));
    let r = await harvest(['run', slug]);
    assert.equal(r.code, 0, show(r));
    let s = await state();
    assert.equal(s.missed_runs, 1);
    assert.equal(s.gone_at, null, 'one missed run is not enough');
    assert.equal(s.status, 'published');
    r = await harvest(['run', slug]);
    assert.equal(r.code, 0, show(r));
    s = await state();
    assert.notEqual(s.gone_at, null, 'gone after two missed runs');
    assert.equal(s.status, 'archived', 'its initiative is archived, not deleted');
    assert.equal((await lastRuns())[slug].records_gone, 1);
    assert.equal((await api(`/api/v1/initiatives/${s.id}`)).status, 404, 'an archived initiative is not shown');
    assert.equal(await live(), total0 - 1, 'search by source no longer counts it');
  } finally {
    await fixtureGet('/__unchange', 'POST');
  }
  const r = await harvest(['run', slug]);
  assert.equal(r.code, 0, show(r));
  const s = await state();
  assert.equal(s.gone_at, null, 'seen again: no longer gone');
  assert.equal(s.missed_runs, 0);
  assert.equal(s.status, 'published');
  assert.equal((await api(`/api/v1/initiatives/${s.id}`)).status, 200);
  assert.equal(await live(), total0);
});

// One pass of the job runner over the harvest queue only (the stack's own runner leaves harvests to
// these tests in the test profile).
const runnerOnce = () => harvest(['--once', '--only', 'harvest'], { bin: JOBS_BIN });

test('queued jobs are taken once each by two job runners; a source is queued again when its period is due', { skip }, async () => {
  const runCount = async (slug) => Number(await psql(`SELECT count(*) FROM harvest_run h JOIN source s ON s.id = h.source_id WHERE s.code = ${lit(slug)}`));
  const codes = [SLUGS.rss, SLUGS.csv];
  const before = Object.fromEntries(await Promise.all(Object.values(SLUGS).map(async (s) => [s, await runCount(s)])));
  const maxJob = Number(await psql('SELECT coalesce(max(id), 0) FROM harvest_job'));
  let r = await harvest(['queue', ...codes], { timeout: 60000 });
  assert.equal(r.code, 0, show(r));
  r = await harvest(['queue', ...codes], { timeout: 60000 });
  assert.equal(r.code, 0, 'queueing again is harmless');
  assert.equal(Number(await psql(`SELECT count(*) FROM harvest_job WHERE id > ${maxJob} AND status = 'queued'`)), 2, 'one waiting job per source');
  r = await harvest(['queue', 'no-such-source'], { timeout: 60000 });
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /no such source/);
  const [d1, d2] = await Promise.all([runnerOnce(), runnerOnce()]);
  assert.equal(d1.code, 0, show(d1));
  assert.equal(d2.code, 0, show(d2));
  const jobs = await rows(`SELECT s.code, j.status, j.run_id, j.taken_by FROM harvest_job j JOIN source s ON s.id = j.source_id
     WHERE j.id > ${maxJob} AND s.code IN ${FIXTURE_CODES} ORDER BY s.code`);
  assert.deepEqual(jobs.map((j) => `${j.code}:${j.status}`), codes.slice().sort().map((c) => `${c}:done`));
  assert.equal(new Set(jobs.map((j) => j.run_id)).size, 2, 'two runs');
  for (const s of Object.values(SLUGS)) {
    assert.equal(await runCount(s), before[s] + (codes.includes(s) ? 1 : 0), `${s}: runs`);
  }
  // The schedule: a source whose next run is due is queued and harvested by the next runner pass.
  const due = SLUGS.csv;
  await psql(`UPDATE source SET next_run_at = now() - interval '1 minute' WHERE code = ${lit(due)}`);
  const n0 = await runCount(due);
  r = await runnerOnce();
  assert.equal(r.code, 0, show(r));
  assert.equal(await runCount(due), n0 + 1, 'the due source was harvested');
  const next = await rows(`SELECT (next_run_at - h.finished_at) BETWEEN interval '23 hours 59 minutes' AND interval '24 hours 1 minute' AS ok
      FROM source s JOIN harvest_run h ON h.source_id = s.id WHERE s.code = ${lit(due)} ORDER BY h.id DESC LIMIT 1`);
  assert.equal(next[0].ok, true, 'its next run is one period (24 h) after this one');
  assert.equal(await runCount(SLUGS.drupal), before[SLUGS.drupal], 'a source not due is left alone');
});

// ---------------------------------------------------------------------------------------------------
// Harvest and community together: a field people changed is theirs until a moderator says otherwise

test('a field a moderator changed is kept by the next harvests; when the source changes it, the moderation queue offers both values', { skip }, async () => {
  const change = EXP.drupal.change;
  const slug = SLUGS.drupal;
  const [rec] = await rows(`SELECT sr.initiative_id AS id FROM source_record sr JOIN source s ON s.id = sr.source_id
     WHERE s.code = ${lit(slug)} AND sr.external_id = ${lit(change.id)}`);
  const id = rec.id;
  const mod = await signUpAndLogIn({ name: 'Modération Collecte', prefix: 'harvest-mod', role: 'moderator' });
  try {
    const original = (await api(`/api/v1/initiatives/${id}`)).json;
    const ours = 'Résumé relu par la modération.';
    const edit = await mod.patch(`/api/v1/initiatives/${id}`, { version: original.version, fields: { summary: ours, start_year: 1999 } });
    assert.equal(edit.status, 200, `${edit.status} ${edit.text}`);

    // The source changes this record's summary and start year; the next run keeps ours.
    await fixtureGet(`/__change?site=drupal&id=${encodeURIComponent(change.id)}`, 'POST');
    const r = await harvest(['run', slug]);
    await fixtureGet('/__unchange', 'POST');
    assert.equal(r.code, 0, show(r));
    const kept = (await api(`/api/v1/initiatives/${id}`)).json;
    assert.equal(kept.summary, ours, 'the harvest did not overwrite the summary people changed');
    assert.equal(kept.start_year, 1999);
    const queue = await mod.get('/api/v1/moderation/queue?kind=source_change&limit=100');
    assert.equal(queue.status, 200, queue.text);
    const items = queue.json.items.filter((i) => i.initiative.id === id);
    assert.deepEqual(items.map((i) => i.detail.field).sort(), ['start_year', 'summary'], 'both changed fields wait for a moderator');
    const year = items.find((i) => i.detail.field === 'start_year');
    const summary = items.find((i) => i.detail.field === 'summary');
    assert.equal(year.summary, 'La source a changé ce champ : start_year');
    assert.equal(year.detail.ours, 1999);
    assert.equal(year.detail.theirs, change.start_year);
    assert.ok(summary.detail.theirs.includes(change.summary_contains), 'the source\'s new summary is offered');

    // Take the source's year, keep our summary.
    let res = await mod.post(`/api/v1/source-changes/${year.id}/review`, { version: year.version, decision: 'take_source' });
    assert.equal(res.status, 204, res.text);
    res = await mod.post(`/api/v1/source-changes/${summary.id}/review`, { version: summary.version, decision: 'keep' });
    assert.equal(res.status, 204, res.text);
    res = await mod.post(`/api/v1/source-changes/${summary.id}/review`, { version: summary.version, decision: 'keep' });
    assert.equal(res.status, 409, 'decided once');
    const decided = (await api(`/api/v1/initiatives/${id}`)).json;
    assert.equal(decided.start_year, change.start_year);
    assert.equal(decided.summary, ours);
    const history = (await api(`/api/v1/initiatives/${id}/history`)).json.items;
    assert.equal(history[0].actor.kind, 'moderator');
    assert.deepEqual(history[0].changes.map((c) => [c.field, c.before, c.after]), [['start_year', 1999, change.start_year]]);

    // The source goes back to its first version: the year is the source's again and follows it; the
    // summary is still ours, and the new difference is queued.
    const r2 = await harvest(['run', slug]);
    assert.equal(r2.code, 0, show(r2));
    const back = (await api(`/api/v1/initiatives/${id}`)).json;
    assert.equal(back.start_year, original.start_year, 'a field given back to the source follows it again');
    assert.equal(back.summary, ours);
    const open = await rows(`SELECT field, theirs #>> '{}' AS theirs FROM source_change WHERE initiative_id = ${id} AND status = 'open'`);
    assert.deepEqual(open, [{ field: 'summary', theirs: original.summary }]);
    const harvestRev = (await api(`/api/v1/initiatives/${id}/history`)).json.items[0];
    assert.equal(harvestRev.actor.kind, 'harvest');
    assert.equal(harvestRev.actor.source, slug);
  } finally {
    await mod.remove();
  }
});
