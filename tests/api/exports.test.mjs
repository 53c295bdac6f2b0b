// Search exports (GET /api/v1/search/export): each format read back with a real parser and compared
// with the JSON answer of the same search; the options, the headers and the refusals.
// The 50,000-row export and its memory, and the nightly whole-catalogue files, are in
// tests/exports-load (a suite of its own: it adds and removes rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { BASE_URL, assertError, fetchAllPages, qs, useSharedStack } from './helpers.mjs';

useSharedStack();

/**
 * The answer of an export with its exact bytes (fetch's text() would drop a BOM): {status, headers
 * (plain object), body (Buffer), text, json, contentType} — the shape assertError reads.
 */
async function exportOf(params) {
  const url = `${BASE_URL}/api/v1/search/export${qs(params)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(60000) });
  const body = Buffer.from(await res.arrayBuffer());
  const headers = Object.fromEntries(res.headers.entries());
  const t = body.toString('utf8');
  let json = null;
  try {
    json = JSON.parse(t);
  } catch {
    json = null;
  }
  return { status: res.status, headers, body, text: t, json, contentType: headers['content-type'] || '', url, method: 'GET' };
}

function text(res) {
  return res.body.toString('utf8');
}

/** The items of the JSON search with the same parameters, every page. */
async function searchItems(params) {
  return (await fetchAllPages('/api/v1/search', params)).items;
}

const SEARCHES = [
  { theme: 'ENV' },
  { territory: 'region:52', sort: 'name' },
  { q: 'jardin' },
  { theme: 'EMP,EDU', year_min: '2015' },
  {},
];

function placeOf(item) {
  const t = item.territory || {};
  return [t.commune?.code ?? '', t.departement?.code ?? '', t.region?.code ?? ''].join('/');
}

function csvRecords(body, { delimiter = ',', bom = false } = {}) {
  return parse(body, { columns: true, delimiter, bom, skip_empty_lines: false, relax_quotes: false, record_delimiter: '\r\n' });
}

for (const params of SEARCHES) {
  test(`CSV export of ${JSON.stringify(params)} lists the search's matches in its order`, async () => {
    const items = await searchItems(params);
    assert.ok(items.length > 0, 'the search finds something');
    const res = await exportOf({ ...params, format: 'csv' });
    assert.equal(res.status, 200, text(res).slice(0, 300));
    assert.match(res.headers['content-type'], /^text\/csv; charset=utf-8/);
    assert.match(res.headers['content-disposition'], /^attachment; filename="socialconnect-recherche-\d{8}\.csv"$/);
    assert.equal(res.headers['x-export-rows'], String(items.length));
    assert.equal(res.headers['x-export-truncated'], 'false');
    const body = text(res);
    assert.ok(body.endsWith('\r\n'), 'rows end with CRLF');
    assert.ok(!body.startsWith('\uFEFF'), 'no BOM unless asked');
    const rows = csvRecords(body);
    if (params.q) {
      // Ranked: equal ranks may come in another order (the search leaves ties of a large match set
      // in the order of its index); the ranks themselves are not in the answer. The same matches.
      assert.deepEqual(rows.map((r) => Number(r.id)).sort((a, b) => a - b), items.map((i) => i.id).sort((a, b) => a - b), 'same ids');
    } else {
      assert.deepEqual(rows.map((r) => Number(r.id)), items.map((i) => i.id), 'same ids in the same order');
    }
    const byId = new Map(items.map((i) => [i.id, i]));
    for (const r of rows) {
      const it = byId.get(Number(r.id));
      assert.equal(r.title, it.title);
      assert.equal(r.summary, it.summary ?? '');
      assert.deepEqual(r.themes ? r.themes.split(' | ') : [], it.themes.map((t) => t.code), `themes of ${it.id}`);
      assert.deepEqual(r.theme_labels ? r.theme_labels.split(' | ') : [], it.themes.map((t) => t.label), `theme labels of ${it.id}`);
      assert.equal([r.commune_code, r.departement_code, r.region_code].join('/'), placeOf(it), `place of ${it.id}`);
      assert.equal(r.region_name, it.territory?.region?.name ?? '');
      assert.equal(r.actor_name, it.actor?.name ?? '');
      assert.equal(r.actor_type, it.actor?.type?.code ?? '');
      assert.equal(r.updated_at, it.updated_at);
      assert.match(r.url, new RegExp(`^https?://[^/]+/initiatives/${it.id}$`));
      if (it.location) {
        assert.ok(Math.abs(Number(r.longitude) - it.location.lon) < 1e-5, `longitude of ${it.id}`);
        assert.ok(Math.abs(Number(r.latitude) - it.location.lat) < 1e-5, `latitude of ${it.id}`);
        assert.equal(r.geo_precision, it.location.precision);
      } else {
        assert.equal(r.longitude, '');
      }
      // Attribution: the sources that describe the record, as the search names them.
      assert.deepEqual(r.source_names.split(' | ').sort(), it.sources.map((s) => s.name).sort(), `sources of ${it.id}`);
      assert.ok('licences' in r && 'source_urls' in r, 'licence and record URL columns');
    }
  });
}

test('CSV for Excel (bom=1, sep=;) holds the same records as the plain CSV', async () => {
  const params = { theme: 'SOL', territory: 'region:52' };
  const plain = csvRecords(text(await exportOf({ ...params, format: 'csv' })));
  const res = await exportOf({ ...params, format: 'csv', bom: '1', sep: ';' });
  assert.equal(res.status, 200);
  const raw = res.body;
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM');
  const header = raw.subarray(3, raw.indexOf(0x0d)).toString('utf8');
  assert.ok(header.startsWith('id;title;summary;'), header);
  const excel = csvRecords(raw.toString('utf8'), { delimiter: ';', bom: true });
  assert.ok(plain.length > 0);
  assert.deepEqual(excel, plain);
  // Separators alone, and a BOM alone.
  assert.deepEqual(csvRecords(text(await exportOf({ ...params, format: 'csv', sep: ';' })), { delimiter: ';' }), plain);
  assert.deepEqual(csvRecords(text(await exportOf({ ...params, format: 'csv', bom: '1' })), { bom: true }), plain);
});

test('a field holding the separator, quotes or line breaks survives the round trip', async () => {
  // Summaries of the demo data hold commas (the plain CSV quotes them); read back they are equal.
  const items = await searchItems({ q: 'jardin' });
  const withComma = items.filter((i) => (i.summary || '').includes(','));
  assert.ok(withComma.length > 0, 'some summary holds a comma');
  const rows = csvRecords(text(await exportOf({ q: 'jardin', format: 'csv' })));
  for (const it of withComma) assert.equal(rows.find((r) => Number(r.id) === it.id).summary, it.summary);
});

test('GeoJSON export: a valid FeatureCollection, points in longitude/latitude order', async () => {
  const params = { territory: 'region:52' };
  const items = await searchItems(params);
  const res = await exportOf({ ...params, format: 'geojson' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/geo+json');
  assert.match(res.headers['content-disposition'], /filename="socialconnect-recherche-\d{8}\.geojson"/);
  const fc = JSON.parse(text(res));
  assert.equal(fc.type, 'FeatureCollection');
  assert.ok(Array.isArray(fc.features));
  assert.equal(fc.features.length, items.length);
  assert.deepEqual(fc.socialconnect, { matches: items.length, truncated: false, limit: 50000 });
  let points = 0;
  for (const [k, f] of fc.features.entries()) {
    const it = items[k];
    assert.equal(f.type, 'Feature');
    assert.equal(f.id, it.id);
    assert.equal(f.properties.title, it.title);
    assert.equal(typeof f.properties, 'object');
    assert.ok(Array.isArray(f.properties.sources) && f.properties.sources.length > 0, 'attribution');
    for (const s of f.properties.sources) assert.deepEqual(Object.keys(s).sort(), ['code', 'licence', 'name', 'url']);
    if (f.geometry === null) {
      assert.equal(it.location ?? null, null);
      continue;
    }
    points++;
    assert.equal(f.geometry.type, 'Point');
    assert.equal(f.geometry.coordinates.length, 2);
    const [lon, lat] = f.geometry.coordinates;
    assert.ok(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90, `${lon},${lat} in range`);
    // Pays de la Loire: longitude about -2.5..0.9, latitude about 46.2..48.6 (the order is lon, lat).
    assert.ok(lon > -3 && lon < 1.5 && lat > 46 && lat < 49, `${lon},${lat} is in the Pays de la Loire`);
    assert.ok(Math.abs(lon - it.location.lon) < 1e-5 && Math.abs(lat - it.location.lat) < 1e-5);
  }
  assert.ok(points > 0);
});

test('GeoJSON export of records without a point: geometry null', async () => {
  const all = text(await exportOf({ format: 'ndjson' })).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const without = all.filter((r) => r.longitude === null);
  const fc = JSON.parse(text(await exportOf({ format: 'geojson' })));
  assert.equal(fc.features.length, all.length);
  const nulls = fc.features.filter((f) => f.geometry === null).map((f) => f.id).sort();
  assert.deepEqual(nulls, without.map((r) => r.id).sort());
});

test('NDJSON export: one JSON object a line, the filters applied', async () => {
  const params = { theme: 'ENV', territory: 'departement:44' };
  const items = await searchItems(params);
  const res = await exportOf({ ...params, format: 'ndjson' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/x-ndjson');
  const body = text(res);
  assert.ok(body.endsWith('\n'));
  const lines = body.split('\n').slice(0, -1);
  assert.equal(lines.length, items.length);
  const recs = lines.map((l) => JSON.parse(l));
  assert.deepEqual(recs.map((r) => r.id), items.map((i) => i.id));
  for (const r of recs) {
    assert.ok(r.themes.includes('ENV'), `${r.id} has the theme`);
    assert.equal(r.departement_code, '44');
    assert.ok(r.sources.length > 0);
    assert.equal(typeof r.title, 'string');
  }
});

test('an export is never cached: every request is read again', async () => {
  const a = await exportOf({ format: 'ndjson', theme: 'SOL' });
  const b = await exportOf({ format: 'ndjson', theme: 'SOL' });
  for (const r of [a, b]) {
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.notEqual(r.headers['x-cache'], 'HIT');
  }
});

test('bad formats and options are a 400 naming the parameter', async () => {
  const cases = [
    [{}, 'format'],
    [{ format: 'xlsx' }, 'format'],
    [{ format: 'CSV' }, 'format'],
    [{ format: 'csv', sep: '|' }, 'sep'],
    [{ format: 'csv', sep: ';;' }, 'sep'],
    [{ format: 'csv', bom: 'yes' }, 'bom'],
    [{ format: 'geojson', bom: '1' }, 'bom'],
    [{ format: 'ndjson', sep: ';' }, 'sep'],
    [{ format: 'csv', cursor: 'azE6MTc1MTMxMDAwMDAwMDAwMDo4OA' }, 'cursor'],
    [{ format: 'csv', theme: 'NOPE' }, 'theme'],
    [{ format: 'csv', territory: 'region:00' }, 'territory'],
    [{ format: 'csv', sort: 'distance' }, 'sort'],
    [{ format: 'geojson', year_min: 'x' }, 'year_min'],
  ];
  for (const [params, field] of cases) {
    const res = await exportOf(params);
    assertError(res, 400, 'invalid_parameter', field);
  }
});
