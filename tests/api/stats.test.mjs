// GET /api/v1/stats: every count equals a count made directly in SQL on the published initiatives,
// for each dimension under several filter sets (none, words, theme, territory, radius, years, and
// mixes); a dimension's own filter is left out of its counts, as in the search's facets; two-
// dimension tables agree with the one-dimension counts; bad parameters are a 400 naming them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertError, brief, getJson, qs, sql, sqlLiteral, useSharedStack } from './helpers.mjs';

useSharedStack();

const DIMENSIONS = ['theme', 'subtheme', 'actor_type', 'public', 'scale', 'stage', 'source', 'start_year', 'region', 'departement'];
const SINGLE = new Set(['actor_type', 'scale', 'stage', 'start_year', 'region', 'departement']);

/** The values of a dimension of initiative i, as SQL rows of a column c. */
const VALUES = {
  theme: 'unnest(i.themes)',
  subtheme: 'unnest(i.subthemes)',
  public: 'unnest(i.publics)',
  actor_type: 'i.actor_type',
  scale: 'i.scale',
  stage: 'i.stage',
  start_year: 'i.start_year::text',
  region: 'i.region_code',
  departement: 'i.departement_code',
  source:
    '(SELECT DISTINCT s.code FROM source_record sr JOIN source s ON s.id = sr.source_id' +
    ' WHERE sr.initiative_id = i.id AND sr.gone_at IS NULL)',
};

const FILTER_SETS = [
  {},
  { q: 'jardin' },
  { theme: 'ENV' },
  { territory: 'region:84' },
  { near: '45.76,4.83,40' },
  { year_min: '2010', year_max: '2018' },
  { q: 'solidaire', territory: 'region:11', year_min: '2005' },
  { actor_type: 'association', theme: 'SOL' },
  { theme: 'EMP', territory: 'departement:69' },
];

/** The filters a dimension's counts leave out. */
function ownFilters(dim) {
  if (dim === 'region' || dim === 'departement') return ['territory'];
  if (dim === 'start_year') return ['year_min', 'year_max'];
  return [dim];
}

function without(filters, dims) {
  const out = { ...filters };
  for (const dim of dims) for (const key of ownFilters(dim)) delete out[key];
  return out;
}

/** The SQL conditions of a filter set, written here independently of the API. */
function where(filters) {
  const c = ["i.status = 'published'"];
  const list = (v) => `'{${v}}'::text[]`;
  for (const [key, value] of Object.entries(filters)) {
    if (key === 'q') c.push(`i.tsv @@ sc_tsquery(${sqlLiteral(value)})`);
    else if (key === 'theme') c.push(`i.themes && ${list(value)}`);
    else if (key === 'subtheme') c.push(`i.subthemes && ${list(value)}`);
    else if (key === 'public') c.push(`i.publics && ${list(value)}`);
    else if (['actor_type', 'scale', 'stage'].includes(key)) c.push(`i.${key} = ANY (${list(value)})`);
    else if (key === 'year_min') c.push(`i.start_year >= ${Number(value)}`);
    else if (key === 'year_max') c.push(`i.start_year <= ${Number(value)}`);
    else if (key === 'territory') {
      const [level, code] = value.split(':');
      const column = { region: 'region_code', departement: 'departement_code', commune: 'commune_code' }[level];
      c.push(`i.${column} = ${sqlLiteral(code)}`);
    } else if (key === 'near') {
      const [lat, lon, km] = value.split(',').map(Number);
      c.push(`ST_DWithin(i.geom::geography, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)::geography, ${km * 1000})`);
    } else throw new Error(`no SQL for ${key}`);
  }
  return c.join(' AND ');
}

/** {code: count} of a dimension under filters, counted in SQL. */
async function sqlCounts(dim, filters) {
  const out = await sql(
    `SELECT v.c, count(*) FROM initiative i CROSS JOIN LATERAL (SELECT ${VALUES[dim]} AS c) v` +
      ` WHERE ${where(filters)} AND v.c IS NOT NULL GROUP BY v.c`,
  );
  return Object.fromEntries(out ? out.split('\n').map((line) => [line.split('|')[0], Number(line.split('|')[1])]) : []);
}

async function sqlTotal(filters) {
  return Number(await sql(`SELECT count(*) FROM initiative i WHERE ${where(filters)}`));
}

const asMap = (items) => Object.fromEntries(items.map((item) => [item.code, item.count]));

async function stats(params) {
  return getJson('/api/v1/stats' + qs(params));
}

describe('one dimension: the counts of SQL', () => {
  for (const filters of FILTER_SETS) {
    const name = Object.keys(filters).length ? qs(filters) : '(no filter)';
    test(`every dimension under ${name}`, async () => {
      const total = await sqlTotal(filters);
      assert.ok(Object.keys(filters).length === 0 || total > 0, `the filter set ${name} matches nothing in the demo data: pick another`);
      for (const dim of DIMENSIONS) {
        const body = await stats({ ...filters, by: dim });
        assert.deepEqual(body.by, [dim]);
        assert.equal(body.total, total, `${dim} ${name}: total`);
        assert.deepEqual(asMap(body.items), await sqlCounts(dim, without(filters, [dim])), `${dim} ${name}: counts`);
        for (let i = 1; i < body.items.length; i++) {
          const [a, b] = [body.items[i - 1], body.items[i]];
          if (dim === 'start_year') assert.ok(Number(a.code) < Number(b.code), `${dim}: years in order`);
          else assert.ok(a.count >= b.count, `${dim}: by decreasing count`);
        }
        for (const item of body.items) assert.ok(typeof item.label === 'string' && item.label.length > 0, `${dim}: a label for ${item.code}`);
      }
    });
  }

  test('the total is the search’s total, and the region counts its facet', async () => {
    for (const filters of FILTER_SETS) {
      const search = await getJson('/api/v1/search' + qs({ ...filters, limit: 1, facets: 'region,theme' }));
      const body = await stats({ ...filters, by: 'region' });
      if (search.total_exact) assert.equal(body.total, search.total, qs(filters));
      assert.deepEqual(asMap(body.items), asMap(search.facets.region), `${qs(filters)}: region facet`);
    }
  });

  test('labels are the vocabulary’s and territories carry their population and rate', async () => {
    const body = await stats({ by: 'departement', theme: 'ENV' });
    assert.ok(body.items.length > 0);
    const rows = await sql("SELECT code, name, coalesce(population, 0) FROM territory WHERE level = 'departement'");
    const known = Object.fromEntries(rows.split('\n').map((line) => line.split('|')).map(([code, name, pop]) => [code, { name, pop: Number(pop) }]));
    for (const item of body.items) {
      assert.equal(item.label, known[item.code].name);
      if (known[item.code].pop > 0) {
        assert.equal(item.population, known[item.code].pop);
        assert.equal(item.per_100k, Math.round((item.count * 1e6) / known[item.code].pop) / 10, `${item.code}: per 100,000`);
      } else {
        assert.equal(item.per_100k, null);
      }
    }
    const themes = await stats({ by: 'theme' });
    const labels = await sql("SELECT code, label_fr FROM vocabulary WHERE kind = 'theme'");
    const byCode = Object.fromEntries(labels.split('\n').map((line) => line.split('|')));
    for (const item of themes.items) assert.equal(item.label, byCode[item.code]);
  });

  test('coverage counts the matches that have a point', async () => {
    for (const filters of [{}, { theme: 'ENV' }, { q: 'jardin' }]) {
      const body = await stats({ ...filters, by: 'theme', coverage: 'true' });
      const located = Number(await sql(`SELECT count(*) FROM initiative i WHERE ${where(filters)} AND i.geom IS NOT NULL`));
      assert.equal(body.located, located, qs(filters));
    }
    assert.equal((await stats({ by: 'theme' })).located, undefined);
  });
});

describe('two dimensions', () => {
  const PAIRS = [
    ['theme', 'region'],
    ['region', 'theme'],
    ['theme', 'start_year'],
    ['actor_type', 'scale'],
    ['public', 'departement'],
    ['source', 'theme'],
  ];
  for (const filters of [{}, { theme: 'ENV' }, { territory: 'region:84' }, { q: 'jardin' }, { year_min: '2010', actor_type: 'association' }]) {
    test(`tables under ${Object.keys(filters).length ? qs(filters) : '(no filter)'}`, async () => {
      for (const [a, b] of PAIRS) {
        const body = await stats({ ...filters, by: `${a},${b}` });
        const rest = without(filters, [a, b]);
        assert.deepEqual(body.by, [a, b]);
        assert.equal(body.total, await sqlTotal(filters));
        // The margins are the one-dimension counts under the same filters (both left out).
        assert.deepEqual(asMap(body.rows), asMap((await stats({ ...rest, by: a })).items), `${a},${b}: rows`);
        assert.deepEqual(asMap(body.columns), asMap((await stats({ ...rest, by: b })).items), `${a},${b}: columns`);
        // Each cell is a count of SQL.
        const out = await sql(
          `SELECT u.c, v.c, count(*) FROM initiative i CROSS JOIN LATERAL (SELECT ${VALUES[a]} AS c) u` +
            ` CROSS JOIN LATERAL (SELECT ${VALUES[b].replace(/\bi\./g, 'i.')} AS c) v` +
            ` WHERE ${where(rest)} AND u.c IS NOT NULL AND v.c IS NOT NULL GROUP BY 1, 2`,
        );
        const expected = Object.fromEntries(out ? out.split('\n').map((l) => l.split('|')).map(([r, c, n]) => [`${r}|${c}`, Number(n)]) : []);
        assert.deepEqual(Object.fromEntries(body.cells.map((c) => [`${c.row}|${c.column}`, c.count])), expected, `${a},${b}: cells`);
        // A row of a single-valued column dimension adds up to the row's count, less the
        // initiatives without a value of that dimension.
        if (SINGLE.has(b)) {
          for (const row of body.rows) {
            const sum = body.cells.filter((c) => c.row === row.code).reduce((s, c) => s + c.count, 0);
            const column = b === 'start_year' ? 'start_year' : { region: 'region_code', departement: 'departement_code' }[b] ?? b;
            const missing = Number(
              await sql(
                `SELECT count(*) FROM initiative i CROSS JOIN LATERAL (SELECT ${VALUES[a]} AS c) u WHERE ${where(rest)}` +
                  ` AND u.c = ${sqlLiteral(row.code)} AND i.${column} IS NULL`,
              ),
            );
            assert.equal(sum + missing, row.count, `${a},${b}: row ${row.code} adds up`);
          }
        }
        if (SINGLE.has(a)) {
          for (const column of body.columns) {
            const sum = body.cells.filter((c) => c.column === column.code).reduce((s, c) => s + c.count, 0);
            assert.ok(sum <= column.count || !SINGLE.has(b), `${a},${b}: column ${column.code}`);
          }
        }
      }
    });
  }
});

describe('bad parameters', () => {
  const cases = [
    [{}, 'by'],
    [{ by: '' }, 'by'],
    [{ by: 'foo' }, 'by'],
    [{ by: 'theme,theme' }, 'by'],
    [{ by: 'theme,region,scale' }, 'by'],
    [{ by: 'theme,' }, 'by'],
    [{ by: 'theme', coverage: 'maybe' }, 'coverage'],
    [{ by: 'theme', theme: 'NOPE' }, 'theme'],
    [{ by: 'region', actor_type: 'x y' }, 'actor_type'],
    [{ by: 'theme', year_min: 'abc' }, 'year_min'],
    [{ by: 'theme', year_min: '2020', year_max: '2010' }, 'year_min'],
    [{ by: 'theme', near: '45,4' }, 'near'],
    [{ by: 'theme', territory: 'region:999' }, 'territory'],
    [{ by: 'theme', q: 'jardin AND (' }, 'q'],
    [{ by: 'theme', bbox: '1,2,0,3' }, 'bbox'],
  ];
  for (const [params, field] of cases) {
    test(`${qs(params) || '(nothing)'} → 400 naming ${field}`, async () => {
      const res = await api('/api/v1/stats' + qs(params));
      assert.equal(res.status, 400, brief(res));
      assert.equal(res.json?.error?.field, field, brief(res));
      if (field !== 'q') assertError(res, 400, 'invalid_parameter', field);
    });
  }
});

test('answers are cached like the search, keyed by their parameters', async () => {
  const path = '/api/v1/stats' + qs({ by: 'stage', theme: 'TER', lang: 'fr' });
  const first = await api(path);
  const second = await api(path);
  assert.equal(first.status, 200);
  assert.match(second.headers['x-cache'] ?? second.headers.get?.('x-cache') ?? '', /HIT/);
  assert.deepEqual(second.json, first.json);
  const other = await api('/api/v1/stats' + qs({ by: 'stage', theme: 'ENV', lang: 'fr' }));
  assert.notDeepEqual(other.json.items, first.json.items);
});
