// The counting index behind GET /api/v1/stats (docs/architecture.md, "Counting index"): the stack
// builds it at start; a write shows in the counts at once, before any rebuild (the initiatives
// changed since the build are counted in SQL); a rebuild takes them in; without the file, the counts
// are made in SQL and are the same.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { API_LOG, VAR_DIR, getJson, qs, sleep, sql, stack, useSharedStack } from './helpers.mjs';

useSharedStack();

const INDEX_FILE = process.env.SC_INDEX_FILE || path.join(VAR_DIR, 'index', 'counts.cidx');

async function stats(params) {
  return getJson('/api/v1/stats' + qs(params));
}

const asMap = (items) => Object.fromEntries(items.map((item) => [item.code, item.count]));

/** {theme: count} of the published initiatives, and their number, counted in SQL. */
async function sqlThemes(where = 'true') {
  const out = await sql(
    `SELECT t, count(*) FROM initiative i, unnest(i.themes) t WHERE i.status = 'published' AND ${where} GROUP BY t`,
  );
  const total = Number(await sql(`SELECT count(*) FROM initiative i WHERE i.status = 'published' AND ${where}`));
  return { total, themes: Object.fromEntries(out.split('\n').map((l) => [l.split('|')[0], Number(l.split('|')[1])])) };
}

/** A new data version, so that the next answers are counted again rather than read from the cache. */
async function newDataVersion() {
  await sql("WITH v AS (UPDATE data_version SET version = version + 1 RETURNING version) SELECT pg_notify('sc_data_version', version::text) FROM v");
}

/** The file's identity (it is replaced by a rename at each build). */
const fileId = () => {
  const s = fs.statSync(INDEX_FILE);
  return `${s.ino}/${s.mtimeMs}`;
};

describe('counting index', () => {
  test('the stack built the index file', () => {
    assert.ok(fs.existsSync(INDEX_FILE), `${INDEX_FILE} exists`);
    assert.ok(fs.statSync(INDEX_FILE).size > 512);
  });

  test('a write shows in the counts at once, and after a rebuild', async () => {
    // An initiative with a theme, in a région: archived, then given another theme and published again.
    const row = (
      await sql(
        "SELECT id, themes[1], region_code FROM initiative WHERE status = 'published' AND cardinality(themes) = 1 AND region_code IS NOT NULL ORDER BY id LIMIT 1",
      )
    ).split('|');
    const [id, theme, region] = [Number(row[0]), row[1], row[2]];
    const other = theme === 'ENV' ? 'SAN' : 'ENV';
    const before = await stats({ by: 'theme' });
    const beforeRegion = await stats({ by: 'theme', territory: `region:${region}` });
    const built = fileId();
    try {
      await sql(`UPDATE initiative SET status = 'archived' WHERE id = ${id}`);
      const archived = await stats({ by: 'theme' });
      assert.equal(archived.total, before.total - 1, 'one initiative less at once');
      assert.equal(asMap(archived.items)[theme] ?? 0, asMap(before.items)[theme] - 1, `one less in ${theme}`);
      assert.deepEqual({ total: archived.total, themes: asMap(archived.items) }, await sqlThemes());

      await sql(`UPDATE initiative SET themes = '{${other}}', status = 'published' WHERE id = ${id}`);
      const moved = await stats({ by: 'theme', territory: `region:${region}` });
      assert.equal(moved.total, beforeRegion.total);
      assert.equal(asMap(moved.items)[other], (asMap(beforeRegion.items)[other] ?? 0) + 1, `one more in ${other}`);
      assert.deepEqual(
        { total: moved.total, themes: asMap(moved.items) },
        await sqlThemes(`i.region_code = '${region}'`),
        'counts of SQL in the région',
      );
      // Counted before any rebuild: the file is the one built at start (the job runner rebuilds past
      // SC_INDEX_DIRTY_MAX changed initiatives, far more than these).
      assert.equal(fileId(), built, 'no rebuild in between');

      // A rebuild takes the change in; the counts stay the same.
      await stack('index');
      assert.notEqual(fileId(), built, 'a new file');
      await sleep(1100); // each worker looks at the file at most once a second
      await newDataVersion();
      const rebuilt = await stats({ by: 'theme', territory: `region:${region}` });
      assert.deepEqual(rebuilt.items, moved.items);
      assert.equal(rebuilt.total, moved.total);
    } finally {
      await sql(`UPDATE initiative SET themes = '{${theme}}', status = 'published' WHERE id = ${id}`);
    }
    const after = await stats({ by: 'theme' });
    assert.deepEqual(after.items, before.items);
  });

  test('without the file, the counts are made in SQL and are the same', async () => {
    const sets = [
      { by: 'theme' },
      { by: 'source', q: 'jardin' },
      { by: 'region', theme: 'ENV', coverage: 'true' },
      { by: 'theme,region', year_min: '2010' },
      { by: 'actor_type,start_year', territory: 'region:84' },
      { by: 'public,departement', q: 'solidaire -jardin' },
      { by: 'theme', near: '45.76,4.83,40', coverage: 'true' },
      { by: 'actor_type,region', bbox: '-5,42,8,51', q: 'jardin' },
    ];
    const withIndex = [];
    for (const p of sets) withIndex.push(await stats(p));
    const aside = `${INDEX_FILE}.aside-${process.pid}`;
    const logFrom = fs.statSync(API_LOG).size;
    fs.renameSync(INDEX_FILE, aside);
    try {
      await sleep(1100);
      await newDataVersion();
      for (let i = 0; i < sets.length; i++) assert.deepEqual(await stats(sets[i]), withIndex[i], qs(sets[i]));
      // The workers said they count in SQL (once each).
      const log = fs.readFileSync(API_LOG, 'utf8').slice(logFrom);
      assert.match(log, /counting index .*: no index file: counting in PostgreSQL/);
      assert.ok(!fs.existsSync(INDEX_FILE), 'not rebuilt meanwhile');
    } finally {
      fs.renameSync(aside, INDEX_FILE);
    }
    await sleep(1100);
    await newDataVersion();
  });
});
