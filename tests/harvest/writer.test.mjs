// What a person writing a source document for a new site relies on, end to end against the stack:
// a sub-theme brings its theme, a value no map knows is reported, `test --limit` stops asking, a field
// whose values went elsewhere is explained, values picked by their label, and no delay only at home.
//
// The site is the label directory of the fixture server (tests/harvest/sites/labels.mjs), read with
// tests/harvest/sources/essai-etiquettes.json. Its source, records and initiatives are removed before
// and after, so the other harvest tests never see them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFile } from 'node:child_process';
import { startFixtureServer } from './fixture-server.mjs';
import { ENTRIES, LIST } from './sites/labels.mjs';
import { REPO, HERE } from './lib.mjs';
import { apiSeesDataVersion } from '../api/helpers.mjs';

const PROFILE = process.env.SC_PROFILE || 'test';
const BASE_URL = (process.env.SC_BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const BIN = path.resolve(REPO, process.env.SC_HARVEST_BIN || 'backend/build/socialconnect-harvest');
const DOC = path.join(HERE, 'sources', 'essai-etiquettes.json');
const SLUG = 'essai-etiquettes';

const skip = fs.existsSync(BIN) ? false : `no harvester at ${BIN}: writer tests skipped`;
if (skip) console.log(`# ${skip}`);

let srv;
const pgEnv = {};
let tmp;

function stackScript(args) {
  return new Promise((resolve, reject) => {
    execFile('bash', [path.join(REPO, 'scripts', 'stack.sh'), ...args],
      { cwd: REPO, env: { ...process.env, SC_PROFILE: PROFILE }, timeout: 60000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => (err ? reject(new Error(`stack.sh ${args.join(' ').slice(0, 200)}: ${err.message}\n${stderr}`)) : resolve(stdout.trim())));
  });
}
const psql = (sql) => stackScript(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
const rows = async (sql) => JSON.parse(await psql(`SELECT coalesce(json_agg(q), '[]'::json) FROM (${sql}) q`));

const FORGET = `BEGIN;
CREATE TEMP TABLE w_src ON COMMIT DROP AS SELECT id FROM source WHERE code = '${SLUG}';
CREATE TEMP TABLE w_ini ON COMMIT DROP AS SELECT DISTINCT initiative_id AS id FROM source_record
  WHERE source_id IN (SELECT id FROM w_src) AND initiative_id IS NOT NULL;
DELETE FROM harvest_job WHERE source_id IN (SELECT id FROM w_src);
DELETE FROM harvest_page WHERE source_id IN (SELECT id FROM w_src);
DELETE FROM source_record WHERE source_id IN (SELECT id FROM w_src);
DELETE FROM harvest_run WHERE source_id IN (SELECT id FROM w_src);
DELETE FROM initiative i WHERE i.id IN (SELECT id FROM w_ini)
  AND NOT EXISTS (SELECT 1 FROM source_record r WHERE r.initiative_id = i.id);
DELETE FROM source WHERE id IN (SELECT id FROM w_src);
COMMIT;`;

function harvest(args, env = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(BIN, args, {
      cwd: REPO,
      env: { ...process.env, ...pgEnv, SC_FIXTURE_PORT: String(srv.port), SC_HARVEST_TIMEOUT_MS: '5000', SC_HARVEST_RETRY_BASE_MS: '100', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, args });
    });
  });
}
const show = (r) => `harvest ${r.args.join(' ')} → exit ${r.code} after ${r.ms} ms\nstdout: ${r.stdout.slice(-1500)}\nstderr: ${r.stderr.slice(-1500)}`;
const jsonLines = (s) => s.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

async function fixture(p, method = 'GET') {
  const r = await fetch(srv.origin + p, { method });
  return r.json();
}

before(async () => {
  if (skip) return;
  srv = await startFixtureServer({ port: 0 });
  const env = await stackScript(['env']);
  for (const m of env.matchAll(/\b(PGHOST|PGPORT|PGUSER|PGDATABASE)=(\S+)/g)) pgEnv[m[1]] = m[2];
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-writer-'));
  await psql(FORGET);
});

after(async () => {
  if (skip) return;
  await psql(FORGET);
  if (srv) await srv.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('test --limit 1 asks only for what one record needs, and counts the pages it fetched', { skip }, async () => {
  await fixture('/__reset', 'POST');
  const r = await harvest(['test', DOC, '--limit', '1'], { SC_HARVEST_DELAY_MS: '0' });
  assert.equal(r.code, 0, show(r));
  assert.equal(jsonLines(r.stdout).length, 1, show(r));
  const log = await fixture('/__requests');
  const pages = log.filter((e) => e.path !== '/robots.txt').map((e) => e.path);
  // The first list page and the first record's detail page: not the other details, not page 2.
  assert.deepEqual(pages, [LIST, `/labels/fiche/${ENTRIES[0][0]}`], `requests: ${pages.join(', ')}`);
  const said = /pages (\d+)/.exec(r.stderr);
  assert.ok(said, `a progress line with the pages: ${r.stderr}`);
  assert.equal(Number(said[1]), pages.length, `the progress line counts the pages fetched: ${r.stderr}`);
});

test('test reports unmapped values, explains emptied fields, and a sub-theme brings its theme', { skip }, async () => {
  await fixture('/__reset', 'POST');
  const r = await harvest(['test', DOC, '--limit', '5'], { SC_HARVEST_DELAY_MS: '0' });
  assert.equal(r.code, 0, show(r));
  const recs = jsonLines(r.stdout);
  assert.deepEqual(recs.map((x) => x.fields.title), ENTRIES.map((e) => e[1]), 'every record, in the order of the lists');
  // Values picked by their label: <dt>Commune</dt><dd>Lyon</dd>.
  for (const x of recs) {
    assert.equal(x.fields.commune, 'Lyon');
    assert.match(x.fields.actor_name, /^Collectif /);
  }
  assert.equal(recs[0].fields.start_year, 2017);
  // "Compostage" maps to the sub-theme DEC; its theme ENV comes with it.
  assert.deepEqual(recs[0].fields.subthemes, ['DEC']);
  assert.deepEqual(recs[0].fields.themes, ['ENV']);
  assert.ok(!recs[0].empty_fields.includes('themes'), JSON.stringify(recs[0]));
  // "Monnaie locale" is in no map: reported, and themes is not called empty but explained.
  assert.deepEqual(recs[1].unmapped, { themes: ['Monnaie locale'] }, JSON.stringify(recs[1]));
  assert.ok(!recs[1].empty_fields.includes('themes'), JSON.stringify(recs[1]));
  assert.match(recs[1].emptied_fields?.themes || '', /unmapped/, JSON.stringify(recs[1]));
  assert.equal(recs[1].fields.themes, undefined);
  // A sub-theme of another theme (MOB, under TER) and a theme given directly.
  assert.deepEqual(recs[2].fields.themes, ['TER']);
  assert.deepEqual(recs[4].fields.themes, ['CON']);
  assert.equal(recs[0].unmapped, undefined, 'no unmapped member when every value had an entry');
});

test('a harvested sub-theme-only record is found by its theme; its raw record keeps the unmapped value', { skip }, async () => {
  const load = await harvest(['load', DOC]);
  assert.equal(load.code, 0, show(load));
  const run = await harvest(['run', SLUG], { SC_HARVEST_DELAY_MS: '0' });
  assert.equal(run.code, 0, show(run));
  const stored = await rows(`SELECT r.external_id, r.raw, i.title, i.themes, i.subthemes FROM source_record r
      JOIN source s ON s.id = r.source_id LEFT JOIN initiative i ON i.id = r.initiative_id
     WHERE s.code = '${SLUG}' ORDER BY i.title`);
  assert.equal(stored.length, ENTRIES.length);
  const byTitle = Object.fromEntries(stored.map((x) => [x.title, x]));
  const compost = byTitle[ENTRIES[0][1]];
  assert.deepEqual(compost.subthemes, ['DEC']);
  assert.deepEqual(compost.themes, ['ENV']);
  const monnaie = byTitle[ENTRIES[1][1]];
  assert.deepEqual(monnaie.raw.unmapped, { themes: ['Monnaie locale'] }, JSON.stringify(monnaie.raw));
  assert.deepEqual(monnaie.themes, []);

  await apiSeesDataVersion(); // the run wrote outside the API: its notification comes a moment later
  const res = await fetch(`${BASE_URL}/api/v1/search?theme=ENV&source=${SLUG}&limit=50`, { headers: { accept: 'application/json' } });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body).slice(0, 300));
  const titles = body.items.map((x) => x.title).sort();
  assert.deepEqual(titles, [ENTRIES[0][1], ENTRIES[3][1]].sort(), 'theme=ENV finds the records filed under ENV sub-themes only');
});

test('the source answer lists the values no map knew, with how many records carry them', { skip }, async () => {
  const res = await fetch(`${BASE_URL}/api/v1/sources/${SLUG}`, { headers: { accept: 'application/json' } });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body).slice(0, 300));
  assert.deepEqual(body.unmapped, [{ field: 'themes', value: 'Monnaie locale', records: 1 }], JSON.stringify(body).slice(0, 600));
});

test('a delay of 0 is refused for a site that is not on this machine', { skip }, async () => {
  const doc = JSON.parse(fs.readFileSync(DOC, 'utf8'));
  const away = { ...doc, slug: 'essai-distant', homepage: 'https://annuaire.example.org/labels/' };
  const file = path.join(tmp, 'essai-distant.json');
  fs.writeFileSync(file, JSON.stringify(away));
  const load = await harvest(['load', file]);
  assert.equal(load.code, 1, show(load));
  assert.match(load.stderr, /politeness\.delay_ms: 0 is allowed only for a source on this machine/, show(load));
  assert.equal(await psql(`SELECT count(*) FROM source WHERE code = 'essai-distant'`), '0');

  // The same site with its own polite delay, but the whole run asked to go without: refused before any request.
  const polite = { ...away, politeness: { delay_ms: 1000, max_connections: 1 } };
  fs.writeFileSync(file, JSON.stringify(polite));
  const t = await harvest(['test', file, '--limit', '1'], { SC_HARVEST_DELAY_MS: '0', SC_HARVEST_TIMEOUT_MS: '1000' });
  assert.equal(t.code, 1, show(t));
  assert.match(t.stderr, /SC_HARVEST_DELAY_MS=0 is allowed only for a source on this machine/, show(t));
  assert.equal(t.stdout, '', 'nothing extracted');
});
