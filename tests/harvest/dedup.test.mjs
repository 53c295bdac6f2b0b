// De-duplication and ownership rules of harvested records, on the real database: the SQL functions
// of migration 011 (harvest_record_save, harvest_mark_missed) called directly, each case inside a
// transaction that is rolled back, so nothing stays and the other suites see nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { REPO } from './lib.mjs';

function psql(sql) {
  return new Promise((resolve, reject) => {
    execFile('bash', [path.join(REPO, 'scripts', 'stack.sh'), 'psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'],
      { cwd: REPO, env: { ...process.env, SC_PROFILE: process.env.SC_PROFILE || 'test' }, timeout: 60000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim())),
    ).stdin.end(sql);
  });
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const j = (o) => `${q(JSON.stringify(o))}::jsonb`;

/** Runs saves [source, external id, normalised record] in order inside a rolled-back transaction;
 * returns each save's outcome and, at the end, every test initiative with its sources. */
async function scenario(saves, extra = '') {
  const calls = saves.map(([src, id, norm], k) =>
    `INSERT INTO dd_out SELECT ${k}, harvest_record_save((SELECT id FROM source WHERE code = ${q(src)}),
       (SELECT max(id) FROM harvest_run), ${q(id)}, ${q(`http://example.org/${src}/${id}`)}, ${j({ k, ...norm })}, ${j(norm)});`).join('\n');
  const out = await psql(`BEGIN;
    INSERT INTO source (code, name, kind, url) VALUES ('dd-a', 'Plateforme A', 'html', 'http://a.example/'),
      ('dd-b', 'Plateforme B', 'json', 'http://b.example/'), ('dd-c', 'Plateforme C', 'rss', 'http://c.example/');
    INSERT INTO harvest_run (source_id) SELECT id FROM source WHERE code = 'dd-a';
    CREATE TEMP TABLE dd_out (k int, outcome text);
    ${calls}
    ${extra}
    SELECT jsonb_build_object(
      'outcomes', (SELECT json_agg(outcome ORDER BY k) FROM dd_out),
      'initiatives', (SELECT coalesce(json_agg(x ORDER BY x.title), '[]') FROM (
          SELECT i.title, i.summary, i.website, i.commune_code, i.status, i.geo_precision,
                 array_agg(s.code || ':' || r.external_id ORDER BY s.code, r.external_id) AS records
            FROM initiative i JOIN source_record r ON r.initiative_id = i.id JOIN source s ON s.id = r.source_id
           WHERE s.code LIKE 'dd-%' GROUP BY i.id) x));
    ROLLBACK;`);
  return JSON.parse(out.split('\n').filter(Boolean).pop());
}

test('the same website, written differently, is one initiative with both sources', async () => {
  const r = await scenario([
    ['dd-a', '1', { title: 'Atelier vélo du Marais', website: 'https://www.velo-marais.example/' }],
    ['dd-b', '9', { title: "L'atelier vélo", website: 'http://velo-marais.example' }],
  ]);
  assert.deepEqual(r.outcomes, ['new', 'merged']);
  assert.equal(r.initiatives.length, 1);
  assert.deepEqual(r.initiatives[0].records, ['dd-a:1', 'dd-b:9']);
  assert.equal(r.initiatives[0].title, 'Atelier vélo du Marais', 'the first record keeps its fields');
});

test('the same title (any case, accents, punctuation) in the same commune is one initiative', async () => {
  const r = await scenario([
    ['dd-a', '1', { title: 'Épicerie solidaire « La Cagette »', commune_code: '69123', geo_precision: 'commune' }],
    ['dd-b', '2', { title: 'epicerie solidaire la cagette', commune_code: '69123', geo_precision: 'commune', summary: 'Un résumé que A n’avait pas.' }],
  ]);
  assert.deepEqual(r.outcomes, ['new', 'merged']);
  assert.equal(r.initiatives.length, 1);
  assert.equal(r.initiatives[0].summary, 'Un résumé que A n’avait pas.', 'a joining record fills what was empty');
  assert.equal(r.initiatives[0].title, 'Épicerie solidaire « La Cagette »', 'and changes nothing else');
});

test('the same title in two communes, or without a commune, stays two initiatives', async () => {
  const r = await scenario([
    ['dd-a', '1', { title: 'Repair café', commune_code: '69123', geo_precision: 'commune' }],
    ['dd-b', '2', { title: 'Repair café', commune_code: '75056', geo_precision: 'commune' }],
    ['dd-c', '3', { title: 'Repair café' }],
  ]);
  assert.deepEqual(r.outcomes, ['new', 'new', 'new']);
  assert.equal(r.initiatives.length, 3);
});

test('two records of one source are never merged, even with the same website', async () => {
  const r = await scenario([
    ['dd-a', '1', { title: 'Antenne nord', website: 'https://reseau.example/' }],
    ['dd-a', '2', { title: 'Antenne sud', website: 'https://reseau.example/' }],
  ]);
  assert.deepEqual(r.outcomes, ['new', 'new']);
  assert.equal(r.initiatives.length, 2);
});

test('a changed record of the owning source updates the initiative; a joining one does not overwrite', async () => {
  const r = await scenario([
    ['dd-a', '1', { title: 'Jardin partagé des Lilas', website: 'https://lilas.example/', summary: 'Version A' }],
    ['dd-b', '1', { title: 'Jardin des Lilas', website: 'https://lilas.example/', summary: 'Version B' }],
    ['dd-b', '1', { title: 'Jardin des Lilas (nouveau nom)', website: 'https://lilas.example/', summary: 'Version B2' }],
    ['dd-a', '1', { title: 'Jardin partagé des Lilas', website: 'https://lilas.example/', summary: 'Version A2' }],
  ]);
  assert.deepEqual(r.outcomes, ['new', 'merged', 'updated', 'updated']);
  assert.equal(r.initiatives.length, 1);
  assert.equal(r.initiatives[0].title, 'Jardin partagé des Lilas');
  assert.equal(r.initiatives[0].summary, 'Version A2');
});

test('when the owning record is gone, the initiative stays published through the other source', async () => {
  const r = await scenario([
    ['dd-a', '1', { title: 'Tiers-lieu de la gare', website: 'https://gare.example/' }],
    ['dd-b', '5', { title: 'Tiers lieu de la Gare', website: 'https://gare.example' }],
  ], `UPDATE source SET gone_after_runs = 1 WHERE code = 'dd-a';
      INSERT INTO harvest_run (source_id) SELECT id FROM source WHERE code = 'dd-a';
      SELECT harvest_mark_missed((SELECT id FROM source WHERE code = 'dd-a'), (SELECT max(id) FROM harvest_run));`);
  assert.equal(r.initiatives.length, 1);
  assert.equal(r.initiatives[0].status, 'published');
});

test('a place: a point given is located in its commune; a commune alone gives its point', async () => {
  const r = await scenario([
    ['dd-a', '1', { title: 'Point dans Lyon', lat: 45.7640, lon: 4.8357 }],
    ['dd-b', '2', { title: 'Commune seule', commune_code: '75056', geo_precision: 'commune' }],
    ['dd-c', '3', { title: 'Nulle part' }],
  ]);
  const by = Object.fromEntries(r.initiatives.map((i) => [i.title, i]));
  assert.equal(by['Point dans Lyon'].commune_code, '69123');
  assert.equal(by['Point dans Lyon'].geo_precision, 'address');
  assert.equal(by['Commune seule'].geo_precision, 'commune');
  assert.equal(by['Nulle part'].geo_precision, 'none');
  assert.equal(by['Nulle part'].commune_code, null);
});
