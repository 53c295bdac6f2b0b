// The search on the counting index (docs/architecture.md, "Search on the counting index"): every
// page, total and facet of a search answered on the file is the one PostgreSQL gives without it;
// a write shows in the list, the total and the facets at once, before any rebuild.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { API_LOG, VAR_DIR, fetchAllPages, getJson, qs, sleep, sql, useSharedStack } from './helpers.mjs';

useSharedStack();

const INDEX_FILE = process.env.SC_INDEX_FILE || path.join(VAR_DIR, 'index', 'counts.cidx');

/** A new data version, so that the next answers are computed again rather than read from the cache. */
async function newDataVersion() {
  await sql("WITH v AS (UPDATE data_version SET version = version + 1 RETURNING version) SELECT pg_notify('sc_data_version', version::text) FROM v");
}

// Searches of every kind the file answers: words, exclusions, alternatives, the fine-search
// language, codes, territories, years, radii and boxes, each order of the pages, facets.
const FACETS = 'theme,actor_type,public,scale,stage,source,region,departement,year';
const SEARCHES = [
  {},
  { q: 'jardin' },
  { q: 'jardin', sort: 'name' },
  { q: 'solidaire', sort: 'recent', theme: 'SOL,ENV' },
  { q: 'jardin -partagé' },
  { q: 'jardin OR potager OR compost' },
  { q: 'theme:ENV year:2010..2020 association' },
  { q: 'territory:region:84 -theme:ENV' },
  { q: 'le la les' },
  { theme: 'EMP', public: 'jeunes' },
  { actor_type: 'association', territory: 'departement:69', sort: 'name' },
  { year_min: '2012', year_max: '2018', scale: 'quartier,commune' },
  { near: '45.76,4.83,40' },
  { near: '48.85,2.35,25', q: 'solidaire' },
  { bbox: '2.2,48.8,2.5,48.95' },
  { bbox: '-5,42,8,51', theme: 'ENV', sort: 'name' },
  { source: 'demo', q: 'association' },
  { territory: 'region:11', q: 'insertion emploi' },
  { q: 'jardin partagé mangrove recyclerie vélo' },
  { q: 'compost quartier zzkqxw', theme: 'ENV' },
];

/** Every page of a search (ids in order), its total and its facets. */
async function whole(params) {
  const first = await getJson('/api/v1/search' + qs({ ...params, facets: FACETS, limit: 100 }));
  const { items } = await fetchAllPages('/api/v1/search', params, { limit: 100 });
  return {
    ids: items.map((x) => x.id),
    total: first.total,
    exact: first.total_exact,
    facets: first.facets,
    relaxed: first.relaxed,
    corrected: first.corrected,
  };
}

describe('search on the counting index', () => {
  test('every page, total and facet is the one of the search in SQL', async () => {
    assert.ok(fs.existsSync(INDEX_FILE), `${INDEX_FILE} exists`);
    await newDataVersion();
    const withIndex = [];
    for (const p of SEARCHES) withIndex.push(await whole(p));
    assert.ok(withIndex.some((w) => w.total > 100), 'some searches have several pages');
    assert.ok(withIndex.filter((w) => w.total > 0).length >= SEARCHES.length - 2, 'the searches find something');
    const aside = `${INDEX_FILE}.aside-${process.pid}`;
    const logFrom = fs.statSync(API_LOG).size;
    fs.renameSync(INDEX_FILE, aside);
    try {
      await sleep(1100); // each worker looks at the file at most once a second
      await newDataVersion();
      for (let i = 0; i < SEARCHES.length; i++) {
        const inSql = await whole(SEARCHES[i]);
        const label = qs(SEARCHES[i]) || '(everything)';
        assert.equal(withIndex[i].total, inSql.total, `${label}: total`);
        assert.deepEqual(withIndex[i].ids, inSql.ids, `${label}: every page, in order`);
        assert.deepEqual(withIndex[i].facets, inSql.facets, `${label}: facets`);
        assert.deepEqual(withIndex[i].relaxed, inSql.relaxed, `${label}: relaxed`);
      }
      const log = fs.readFileSync(API_LOG, 'utf8').slice(logFrom);
      assert.match(log, /counting index .*: no index file/, 'the searches were made in SQL');
    } finally {
      fs.renameSync(aside, INDEX_FILE);
    }
    await sleep(1100);
    await newDataVersion();
  });

  test('a write shows at once in the list, the total and the facets', async () => {
    const row = (
      await sql(
        "SELECT id, title, themes[1] FROM initiative WHERE status = 'published' AND cardinality(themes) = 1 ORDER BY id DESC LIMIT 1",
      )
    ).split('|');
    const [id, title, theme] = [Number(row[0]), row[1], row[2]];
    const word = 'zorglubienne';
    const before = await getJson('/api/v1/search' + qs({ facets: 'theme', limit: 1 }));
    const themeCount = (body) => body.facets.theme.find((f) => f.code === theme)?.count ?? 0;
    try {
      await sql(`UPDATE initiative SET title = title || ' ${word}' WHERE id = ${id}`);
      const found = await getJson('/api/v1/search' + qs({ q: word, facets: 'theme' }));
      assert.deepEqual(
        found.items.map((x) => x.id),
        [id],
        'the new word finds the initiative at once',
      );
      assert.equal(found.total, 1);
      assert.deepEqual(found.facets.theme.map((f) => [f.code, f.count]), [[theme, 1]]);
      const named = await getJson('/api/v1/search' + qs({ q: word, sort: 'name', theme }));
      assert.deepEqual(named.items.map((x) => x.id), [id]);

      await sql(`UPDATE initiative SET status = 'archived' WHERE id = ${id}`);
      const gone = await getJson('/api/v1/search' + qs({ facets: 'theme', limit: 1 }));
      assert.equal(gone.total, before.total - 1, 'one initiative less at once');
      assert.equal(themeCount(gone), themeCount(before) - 1, `one less in ${theme}`);
      const again = await getJson('/api/v1/search' + qs({ q: word }));
      assert.ok(!again.items.some((x) => x.id === id), 'no longer found by its word');
      const newest = await fetchAllPages('/api/v1/search', { theme }, { limit: 100 });
      assert.ok(!newest.items.some((x) => x.id === id), 'absent from every page of its theme');
    } finally {
      await sql(`UPDATE initiative SET title = '${title.replaceAll("'", "''")}', status = 'published' WHERE id = ${id}`);
    }
    const after = await getJson('/api/v1/search' + qs({ facets: 'theme', limit: 1 }));
    assert.equal(after.total, before.total);
    assert.equal(themeCount(after), themeCount(before));
  });
});
