// GET /api/v1/search?extent=1: where every located match of the search lies (the map frames the whole
// search with it), checked against the demo data (sql/demo/initiatives-*.json, lon/lat of each record);
// the commune of each suggested initiative (to tell like titles apart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertError, getJson, loadDemo, codesOf, useSharedStack } from './helpers.mjs';
import { regionOf } from './demo-territories.mjs';

useSharedStack();

const { published } = loadDemo();
const OVERSEAS = { '01': 'guadeloupe', '02': 'martinique', '03': 'guyane', '04': 'reunion', '06': 'mayotte' };
const zoneOf = (r) => OVERSEAS[regionOf(r)] ?? 'metropole';

/** The zones of the demo records, as the API should give them: count and box of each. */
function expectedZones(records) {
  const zones = new Map();
  for (const r of records) {
    if (typeof r.lon !== 'number' || typeof r.lat !== 'number' || r.precision === 'none') continue;
    const z = zones.get(zoneOf(r)) ?? { count: 0, bbox: [Infinity, Infinity, -Infinity, -Infinity] };
    z.count++;
    z.bbox = [Math.min(z.bbox[0], r.lon), Math.min(z.bbox[1], r.lat), Math.max(z.bbox[2], r.lon), Math.max(z.bbox[3], r.lat)];
    zones.set(zoneOf(r), z);
  }
  return zones;
}

function assertExtent(extent, records, what) {
  const expected = expectedZones(records);
  assert.ok(extent && typeof extent === 'object', `${what}: an extent`);
  assert.equal(extent.zones.length, expected.size, `${what}: zones ${extent.zones.map((z) => z.zone)}`);
  let located = 0;
  for (const zone of extent.zones) {
    const e = expected.get(zone.zone);
    assert.ok(e, `${what}: unexpected zone ${zone.zone}`);
    assert.equal(zone.count, e.count, `${what}: count of ${zone.zone}`);
    zone.bbox.forEach((v, i) => assert.ok(Math.abs(v - e.bbox[i]) < 1e-4, `${what}: bbox of ${zone.zone} ${zone.bbox} vs ${e.bbox}`));
    located += zone.count;
  }
  assert.equal(extent.located, located);
  const counts = extent.zones.map((z) => z.count);
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'largest zone first');
}

test('extent=1 gives the zones of every match, with counts and boxes, overseas apart', async () => {
  const body = await getJson('/api/v1/search?theme=ENV&limit=1&extent=1');
  const env = published.filter((r) => codesOf(r.themes).includes('ENV'));
  assert.equal(body.total, env.length);
  assertExtent(body.extent, env, 'theme=ENV');
  const all = await getJson('/api/v1/search?limit=1&extent=1');
  assertExtent(all.extent, published, 'everything');
  assert.ok(all.extent.zones.some((z) => z.zone !== 'metropole'), 'overseas matches in the demo data');
  // The box of all the zones together.
  const [x0, y0, x1, y1] = all.extent.bbox;
  for (const z of all.extent.zones) assert.ok(x0 <= z.bbox[0] && y0 <= z.bbox[1] && x1 >= z.bbox[2] && y1 >= z.bbox[3]);
});

test('extent follows every filter, and the corrected words of a corrected search', async () => {
  const body = await getJson('/api/v1/search?q=jardn%20partag&limit=1&extent=1');
  assert.equal(body.corrected, true);
  const fixed = await getJson(`/api/v1/search?q=${encodeURIComponent(body.did_you_mean)}&limit=1&extent=1`);
  assert.deepEqual(body.extent, fixed.extent, 'the extent of the words listed');
  assert.ok(body.extent.located > 0);
  const lyon = await getJson('/api/v1/search?territory=departement:69&limit=1&extent=1');
  assertExtent(lyon.extent, published.filter((r) => r.commune_code.startsWith('69')), 'departement:69');
  const none = await getJson('/api/v1/search?q=zzzzqqqq&limit=1&extent=1');
  assert.deepEqual(none.extent, { bbox: null, located: 0, zones: [] });
});

test('extent is only given when asked, on a first page; a bad value is a 400 naming it', async () => {
  const plain = await getJson('/api/v1/search?limit=1');
  assert.equal('extent' in plain, false);
  const first = await getJson('/api/v1/search?limit=1&extent=1');
  assert.ok(first.next_cursor);
  const next = await getJson(`/api/v1/search?limit=1&extent=1&cursor=${encodeURIComponent(first.next_cursor)}`);
  assert.equal('extent' in next, false, 'not on the next pages');
  for (const bad of ['yes', '2', '']) {
    assertError(await api(`/api/v1/search?extent=${bad}`), 400, 'invalid_parameter', 'extent');
  }
  // Cached like the search: the same answer again is a hit.
  const a = await api('/api/v1/search?theme=SOL&limit=1&extent=1');
  const b = await api('/api/v1/search?theme=SOL&limit=1&extent=1');
  assert.equal(b.headers.get('x-cache'), 'HIT');
  assert.deepEqual(a.json, b.json);
});

test('suggested initiatives name their commune', async () => {
  const body = await getJson('/api/v1/suggest?q=jardin&limit=10');
  assert.ok(body.initiatives.length > 1);
  const bySlug = new Map(published.map((r) => [r.slug, r]));
  for (const item of body.initiatives) {
    const r = bySlug.get(item.slug);
    if (!r) continue;
    assert.equal(item.place, r.commune_name, `the commune of ${item.slug}`);
  }
});
