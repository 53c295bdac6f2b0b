// GET /api/v1/map/clusters and /api/v1/map/choropleth: the matches of a search on a map. Counts are checked
// against the search itself and against the demo data (sql/demo/initiatives-*.json, lon/lat of each record).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, getJson, assertError, brief, fetchAllPages, loadDemo, codesOf, useSharedStack } from './helpers.mjs';
import { regionOf } from './demo-territories.mjs';

useSharedStack();

const CLUSTERS = '/api/v1/map/clusters';
const CHOROPLETH = '/api/v1/map/choropleth';
const WORLD = '-180,-90,180,90';
const PARIS = [2.22, 48.81, 2.47, 48.91];

const { published } = loadDemo();

/** A GeoJSON answer: 200, application/geo+json, a FeatureCollection. */
async function getGeo(p) {
  const res = await api(p);
  assert.equal(res.status, 200, `expected 200: ${brief(res)}`);
  assert.match(res.contentType, /^application\/geo\+json\b/i, `content type: ${brief(res)}`);
  assert.equal(res.json?.type, 'FeatureCollection', `expected a FeatureCollection: ${brief(res)}`);
  assert.ok(Array.isArray(res.json.features), 'features must be an array');
  return res.json;
}

const sumCounts = (fc) => fc.features.reduce((s, f) => s + f.properties.count, 0);

async function searchTotal(params) {
  const body = await getJson(`/api/v1/search?${new URLSearchParams({ ...params, limit: 1 })}`);
  assert.equal(body.total_exact, true);
  return body.total;
}

function checkFeature(f, bbox) {
  assert.equal(f.type, 'Feature');
  assert.equal(f.geometry.type, 'Point');
  const [lon, lat] = f.geometry.coordinates;
  assert.ok(lon >= bbox[0] - 1e-6 && lon <= bbox[2] + 1e-6 && lat >= bbox[1] - 1e-6 && lat <= bbox[3] + 1e-6, `point out of the bbox: ${JSON.stringify(f)}`);
  const p = f.properties;
  if (p.cluster) {
    assert.ok(Number.isInteger(p.count) && p.count >= 2, `a cluster holds 2 or more: ${JSON.stringify(p)}`);
    assert.equal(p.bbox.length, 4);
    assert.ok(p.bbox[0] <= lon + 1e-6 && lon <= p.bbox[2] + 1e-6 && p.bbox[1] <= lat + 1e-6 && lat <= p.bbox[3] + 1e-6, `centroid outside its bbox: ${JSON.stringify(f)}`);
  } else {
    assert.equal(p.cluster, false);
    assert.equal(p.count, 1);
    assert.ok(Number.isInteger(p.id) && typeof p.title === 'string' && Array.isArray(p.themes), `single feature: ${JSON.stringify(p)}`);
  }
}

test('clusters over everything add up to the search total, and France at zoom 5 too', async () => {
  const world = await getGeo(`${CLUSTERS}?bbox=${WORLD}&zoom=5`);
  for (const f of world.features) checkFeature(f, [-180, -90, 180, 90]);
  assert.equal(sumCounts(world), await searchTotal({ bbox: WORLD }));
  assert.equal(sumCounts(world), published.filter((r) => r.lon != null && r.lat != null).length);
  const france = '-5.5,41,10,51.5';
  const fc = await getGeo(`${CLUSTERS}?bbox=${france}&zoom=5`);
  assert.ok(fc.features.some((f) => f.properties.cluster), 'zoom 5 over France groups records');
  assert.equal(sumCounts(fc), await searchTotal({ bbox: france }));
});

test('a city at zoom 12: the features are the demo records inside the bbox', async () => {
  const bbox = PARIS.join(',');
  const inside = published.filter((r) => r.lon >= PARIS[0] && r.lon <= PARIS[2] && r.lat >= PARIS[1] && r.lat <= PARIS[3]);
  assert.ok(inside.length >= 3, 'the demo holds records in Paris');
  const { items } = await fetchAllPages('/api/v1/search', { bbox });
  const slugOf = new Map(items.map((it) => [it.id, it.slug]));
  const fc = await getGeo(`${CLUSTERS}?bbox=${bbox}&zoom=12`);
  for (const f of fc.features) checkFeature(f, PARIS);
  assert.equal(sumCounts(fc), inside.length);
  const singles = fc.features.filter((f) => !f.properties.cluster);
  assert.ok(singles.length > 0, 'zoom 12 shows single records');
  const wanted = new Map(inside.map((r) => [r.slug, r]));
  for (const f of singles) {
    const r = wanted.get(slugOf.get(f.properties.id));
    assert.ok(r, `feature ${f.properties.id} is not a demo record inside the bbox`);
    assert.equal(f.properties.title, r.title);
    assert.deepEqual(f.properties.themes, codesOf(r.themes));
    assert.ok(Math.abs(f.geometry.coordinates[0] - r.lon) < 1e-5 && Math.abs(f.geometry.coordinates[1] - r.lat) < 1e-5);
  }
  // At the finest zoom every record with its own point stands alone.
  const fine = await getGeo(`${CLUSTERS}?bbox=${bbox}&zoom=20`);
  const points = new Set(inside.map((r) => `${r.lon},${r.lat}`));
  assert.equal(fine.features.length, points.size);
});

test('the filters of the search apply to clusters', async () => {
  const fc = await getGeo(`${CLUSTERS}?bbox=${WORLD}&zoom=5&theme=ENV`);
  const expected = published.filter((r) => codesOf(r.themes).includes('ENV')).length;
  assert.ok(expected > 0);
  assert.equal(sumCounts(fc), expected);
  assert.equal(sumCounts(fc), await searchTotal({ bbox: WORLD, theme: 'ENV' }));
  const q = await getGeo(`${CLUSTERS}?bbox=${WORLD}&zoom=3&q=jardin&year_min=2015`);
  assert.equal(sumCounts(q), await searchTotal({ bbox: WORLD, q: 'jardin', year_min: 2015 }));
});

test('choropleth by région: counts of the facet, per 100,000 inhabitants', async () => {
  const fc = await getGeo(`${CHOROPLETH}?level=region`);
  const total = await searchTotal({});
  assert.equal(sumCounts(fc), total);
  const facet = (await getJson('/api/v1/search?facets=region&limit=1')).facets.region;
  const byCode = new Map(facet.map((b) => [b.code, b.count]));
  const demo = new Map();
  for (const r of published) demo.set(regionOf(r), (demo.get(regionOf(r)) || 0) + 1);
  assert.equal(fc.features.length, 18, 'the 18 régions');
  for (const f of fc.features) {
    const p = f.properties;
    assert.equal(p.ref, `region:${p.code}`);
    assert.equal(p.count, byCode.get(p.code) || 0, `count of ${p.ref}`);
    assert.equal(p.count, demo.get(p.code) || 0, `demo count of ${p.ref}`);
    assert.ok(['Polygon', 'MultiPolygon'].includes(f.geometry?.type), `contour of ${p.ref}`);
    const t = await getJson(`/api/v1/territories/${p.ref}`);
    assert.equal(p.name, t.name);
    assert.equal(p.per_100k, Math.round((p.count / t.population) * 100000 * 10) / 10, `per_100k of ${p.ref}`);
  }
  const env = await getGeo(`${CHOROPLETH}?level=departement&theme=ENV`);
  assert.ok(env.features.length >= 100, 'every département');
  assert.ok(env.features.some((f) => f.properties.count === 0), 'territories without a match are listed');
  assert.equal(sumCounts(env), await searchTotal({ theme: 'ENV' }));
});

test('map parameter errors are 400 naming the parameter', async () => {
  const cases = [
    [`${CLUSTERS}?zoom=5`, 'bbox'],
    [`${CLUSTERS}?bbox=10,41,-5,51&zoom=5`, 'bbox'],
    [`${CLUSTERS}?bbox=-5,41,10,95&zoom=5`, 'bbox'],
    [`${CLUSTERS}?bbox=-5,41,10,51&zoom=21`, 'zoom'],
    [`${CLUSTERS}?bbox=-5,41,10,51`, 'zoom'],
    [`${CLUSTERS}?bbox=-5,41,10,51&zoom=5&theme=NOPE`, 'theme'],
    [`${CHOROPLETH}?level=planet`, 'level'],
    [CHOROPLETH, 'level'],
  ];
  for (const [p, field] of cases) assertError(await api(p), 400, 'invalid_parameter', field);
});

test('map answers are cached by their parameters (X-Cache)', async () => {
  // a year never asked before (the cache outlives a test run)
  const year = 1800 + (Date.now() % 200);
  for (const p of [`${CLUSTERS}?bbox=${WORLD}&zoom=4&year_min=${year}`, `${CHOROPLETH}?level=region&year_min=${year}`]) {
    const a = await api(p);
    const b = await api(p);
    assert.equal(a.status, 200, brief(a));
    assert.equal(a.headers.get('x-cache'), 'MISS', `first request: ${brief(a)}`);
    assert.equal(b.headers.get('x-cache'), 'HIT', `second request: ${brief(b)}`);
    assert.match(b.contentType, /^application\/geo\+json\b/i);
    assert.equal(b.text, a.text);
  }
});

test('near and the year bounds reach the map endpoints, with the search errors', async () => {
  // Lyon, 30 km, launched 2010–2020: the same count on the map as in the search.
  const params = { near: '45.76,4.83,30', year_min: '2010', year_max: '2020' };
  const total = await searchTotal({ ...params, bbox: WORLD });
  assert.ok(total > 0, 'some demo initiatives near Lyon in those years');
  const fc = await getGeo(`${CLUSTERS}?${new URLSearchParams({ ...params, bbox: WORLD, zoom: '6' })}`);
  assert.equal(sumCounts(fc), total);
  const byRegion = await getGeo(`${CHOROPLETH}?${new URLSearchParams({ ...params, level: 'region' })}`);
  assert.equal(sumCounts(byRegion), total);
  const wider = await searchTotal({ near: params.near, bbox: WORLD });
  assert.ok(wider >= total);

  for (const near of ['45.76,4.83,600', '45.76,4.83,500.5', '45.76,4.83,0', '95,4.83,10']) {
    assertError(await api(`${CLUSTERS}?bbox=${WORLD}&zoom=5&near=${near}`), 400, 'invalid_parameter', 'near');
    assertError(await api(`${CHOROPLETH}?level=region&near=${near}`), 400, 'invalid_parameter', 'near');
  }
  assertError(await api(`/api/v1/search?near=45.76,4.83,501`), 400, 'invalid_parameter', 'near');
  assertError(await api(`${CLUSTERS}?bbox=${WORLD}&zoom=5&year_min=2020&year_max=2010`), 400, 'invalid_parameter', 'year_min');
});
