// OGC API – Features, Part 1 (OGC 17-069r4), conformance classes Core and GeoJSON, over the collection
// "initiatives": what a GIS client (QGIS) and the OGC test suite check — the landing page's links and their
// media types, the conformance list, the collection and its extent, the items as a GeoJSON FeatureCollection,
// paging by limit and next links, bbox and datetime semantics, 400 on unknown or bad parameters, 404 on an
// unknown feature. Every expectation is computed from the database of the stack under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertError, brief, sql, useSharedStack } from './helpers.mjs';

useSharedStack();

const ROOT = '/api/v1/ogc';
const ITEMS = `${ROOT}/collections/initiatives/items`;
const PLACED = "status = 'published' AND geom IS NOT NULL";

// A link's href is absolute on the configured public address; the tests follow its path and query here.
const local = (href) => {
  const u = new URL(href);
  return u.pathname + u.search;
};

async function geo(p) {
  const res = await api(p, { headers: { accept: 'application/geo+json' } });
  assert.equal(res.status, 200, brief(res));
  assert.match(res.contentType, /^application\/geo\+json/, brief(res));
  return res.json;
}

async function sqlIds(where) {
  const out = await sql(`SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM initiative WHERE ${PLACED} AND ${where}`);
  return out ? out.split(',').map(Number) : [];
}

/** Every feature of a query, following next links; fails on a repeated id. `matched`: the
 * numberMatched of an answer that held every match (one page), checked equal to the features served;
 * with several pages, none of them may state one (they would have to count beyond their page). */
async function walk(query, limit) {
  const ids = [];
  const seen = new Set();
  let url = `${ITEMS}?limit=${limit}${query ? `&${query}` : ''}`;
  let pages = 0;
  let matched;
  while (url) {
    assert.ok(++pages < 1000, 'too many pages');
    const page = await geo(url);
    assert.equal(page.numberReturned, page.features.length, `numberReturned of ${url}`);
    assert.ok(page.features.length <= limit, `more than limit=${limit} features on ${url}`);
    const last = !page.links.some((l) => l.rel === 'next');
    if (pages === 1 && last) matched = page.numberMatched;
    else assert.equal(page.numberMatched, undefined, `numberMatched on a page that does not hold every match (${url})`);
    for (const f of page.features) {
      assert.ok(!seen.has(f.id), `feature ${f.id} served twice (${url})`);
      seen.add(f.id);
      ids.push(f.id);
    }
    const next = page.links.find((l) => l.rel === 'next');
    url = next ? local(next.href) : null;
  }
  if (pages === 1) assert.equal(matched, ids.length, 'numberMatched of the one page is not its features');
  return { ids, matched, pages };
}

test('landing page: self, service-desc, conformance and data links with their media types', async () => {
  const res = await api(ROOT);
  assert.equal(res.status, 200, brief(res));
  assert.match(res.contentType, /^application\/json/);
  const links = res.json.links;
  const rel = (r) => links.find((l) => l.rel === r);
  for (const r of ['self', 'service-desc', 'conformance', 'data']) {
    assert.ok(rel(r), `landing page lacks the ${r} link`);
    assert.match(rel(r).href, /^https?:\/\//, `${r} link is not absolute`);
    assert.equal(typeof rel(r).type, 'string', `${r} link has no type`);
  }
  assert.match(rel('service-desc').type, /^application\/(vnd\.oai\.openapi\+json;version=3\.0|json)$/);
  assert.equal(new URL(rel('service-desc').href).pathname, '/api/v1/openapi.json');
  assert.equal(rel('self').type, 'application/json');
  assert.equal(new URL(rel('conformance').href).pathname, `${ROOT}/conformance`);
  assert.equal(new URL(rel('data').href).pathname, `${ROOT}/collections`);
  // The links lead somewhere.
  for (const r of ['conformance', 'data']) assert.equal((await api(local(rel(r).href))).status, 200, `${r} link`);
});

test('conformance: Core and GeoJSON, and nothing not implemented', async () => {
  const res = await api(`${ROOT}/conformance`);
  assert.equal(res.status, 200, brief(res));
  assert.deepEqual([...res.json.conformsTo].sort(), [
    'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
    'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  ]);
});

test('collections and the collection: its items link and its extent as the data has it', async () => {
  const list = await api(`${ROOT}/collections`);
  assert.equal(list.status, 200, brief(list));
  assert.ok(list.json.links.some((l) => l.rel === 'self'));
  assert.equal(list.json.collections.length, 1);
  const c = list.json.collections[0];
  assert.equal(c.id, 'initiatives');
  const one = await api(`${ROOT}/collections/initiatives`);
  assert.equal(one.status, 200, brief(one));
  assert.deepEqual(one.json, c, 'the collection alone and in the list differ');
  const items = c.links.find((l) => l.rel === 'items');
  assert.ok(items, 'no items link');
  assert.equal(items.type, 'application/geo+json');
  assert.equal(new URL(items.href).pathname, ITEMS);
  assert.equal(c.extent.spatial.crs, 'http://www.opengis.net/def/crs/OGC/1.3/CRS84');
  const [x0, y0, x1, y1] = c.extent.spatial.bbox[0];
  const box = (await sql(`SELECT concat_ws(',', min(ST_X(geom)), min(ST_Y(geom)), max(ST_X(geom)), max(ST_Y(geom))) FROM initiative WHERE ${PLACED}`))
    .split(',')
    .map(Number);
  const near = (a, b) => Math.abs(a - b) < 1e-4;
  assert.ok(near(x0, box[0]) && near(y0, box[1]) && near(x1, box[2]) && near(y1, box[3]), `extent ${c.extent.spatial.bbox[0]} is not the points' ${box}`);
  assert.ok(x0 < -50 && x1 > 50, 'the extent includes the overseas départements of the demo data');
  const times = (await sql(`SELECT sc_iso(min(updated_at)) || ',' || sc_iso(max(updated_at)) FROM initiative WHERE ${PLACED}`)).split(',');
  assert.deepEqual(c.extent.temporal.interval[0], times);
  assert.deepEqual(one.json.crs, ['http://www.opengis.net/def/crs/OGC/1.3/CRS84']);
});

test('items: a FeatureCollection of 10 by default; numberMatched only when the answer holds every match', async () => {
  const fc = await geo(ITEMS);
  assert.equal(fc.type, 'FeatureCollection');
  assert.equal(fc.features.length, 10);
  assert.equal(fc.numberReturned, 10);
  const placed = Number(await sql(`SELECT count(*) FROM initiative WHERE ${PLACED}`));
  assert.ok(placed > 10 && placed <= 1000, `the stack's data: ${placed} placed initiatives`);
  // More features follow: not counted (optional in OGC 17-069r4), and the next link is there.
  assert.equal(fc.numberMatched, undefined, 'numberMatched on a page that does not hold every match');
  assert.ok(fc.links.some((l) => l.rel === 'next'), 'no next link on a first page of 10');
  // One page of everything: numberMatched is the direct count, and no next link.
  const all = await geo(`${ITEMS}?limit=1000`);
  assert.equal(all.numberReturned, placed);
  assert.equal(all.numberMatched, placed);
  assert.ok(!all.links.some((l) => l.rel === 'next'), 'a next link after the last feature');
  // The same with a filter: the box of the first feature's point, exactly.
  const [x, y] = fc.features[0].geometry.coordinates;
  const inBox = await sqlIds(`geom && ST_MakeEnvelope(${x}, ${y}, ${x}, ${y}, 4326)`);
  const one = await geo(`${ITEMS}?bbox=${x},${y},${x},${y}`);
  assert.deepEqual(one.features.map((f) => f.id), inBox);
  assert.equal(one.numberMatched, inBox.length);
  assert.ok(!Number.isNaN(Date.parse(fc.timeStamp)), 'timeStamp');
  assert.ok(fc.links.some((l) => l.rel === 'self' && l.type === 'application/geo+json'));
  for (const f of fc.features) {
    assert.equal(f.type, 'Feature');
    assert.equal(f.geometry.type, 'Point');
    assert.equal(f.geometry.coordinates.length, 2);
    assert.equal(typeof f.properties.title, 'string');
    assert.match(f.properties.url, new RegExp(`/initiatives/${f.id}$`));
    assert.ok(Array.isArray(f.properties.sources) && f.properties.sources.length > 0, 'sources');
    assert.ok('licence' in f.properties.sources[0] && 'attribution' in f.properties.sources[0]);
  }
  const f = fc.features[0];
  const row = JSON.parse(await sql(`SELECT json_build_object('title', title, 'x', ST_X(geom), 'y', ST_Y(geom), 'updated', sc_iso(updated_at), 'themes', themes) FROM initiative WHERE id = ${f.id}`));
  assert.equal(f.properties.title, row.title);
  assert.equal(f.properties.updated, row.updated);
  assert.deepEqual(f.properties.themes, row.themes);
  assert.ok(Math.abs(f.geometry.coordinates[0] - row.x) < 1e-6 && Math.abs(f.geometry.coordinates[1] - row.y) < 1e-6);
});

test('limit and next links walk every feature once; prev goes back; a large limit is served at most 1000', async () => {
  const all = await sqlIds('true');
  const { ids, matched, pages } = await walk('', 37);
  assert.equal(pages, Math.ceil(all.length / 37));
  assert.ok(pages > 1);
  assert.equal(matched, undefined, 'numberMatched given while pages follow');
  assert.deepEqual([...ids].sort((a, b) => a - b), all);
  // prev of the second page is the first page.
  const first = await geo(`${ITEMS}?limit=37`);
  assert.ok(!first.links.some((l) => l.rel === 'prev'), 'the first page has no prev link');
  const second = await geo(local(first.links.find((l) => l.rel === 'next').href));
  const back = await geo(local(second.links.find((l) => l.rel === 'prev').href));
  assert.deepEqual(back.features.map((f) => f.id), first.features.map((f) => f.id));
  const big = await geo(`${ITEMS}?limit=5000`);
  assert.ok(big.features.length <= 1000);
  assert.equal(big.features.length, Math.min(1000, all.length));
});

test('bbox: every feature inside, a feature just outside excluded, the count as in SQL', async () => {
  const box = [4.7, 45.6, 5.0, 45.9];
  const expected = await sqlIds(`geom && ST_MakeEnvelope(${box.join(', ')}, 4326)`);
  assert.ok(expected.length > 0, 'the demo data has initiatives around Lyon');
  const { ids, matched } = await walk(`bbox=${box.join(',')}`, 4);
  assert.deepEqual([...ids].sort((a, b) => a - b), expected);
  assert.equal(matched, expected.length > 4 ? undefined : expected.length);
  const fc = await geo(`${ITEMS}?limit=100&bbox=${box.join(',')}`);
  assert.ok(expected.length <= 100, 'the demo data around Lyon fits in one page of 100');
  assert.equal(fc.numberMatched, expected.length, 'numberMatched of a page that holds every match');
  for (const f of fc.features) {
    const [x, y] = f.geometry.coordinates;
    assert.ok(x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3], `feature ${f.id} at ${x},${y} outside the box`);
  }
  // One initiative, and boxes whose east edge stops just short of it or reaches it.
  const [id, x, y] = (await sql(`SELECT id || ',' || ST_X(geom) || ',' || ST_Y(geom) FROM initiative WHERE ${PLACED} ORDER BY id LIMIT 1`)).split(',').map(Number);
  const short = await geo(`${ITEMS}?limit=1000&bbox=${x - 0.5},${y - 0.5},${(x - 1e-5).toFixed(6)},${y + 0.5}`);
  assert.ok(!short.features.some((f) => f.id === id), `feature ${id} at ${x} served with a box ending at ${x - 1e-5}`);
  const reach = await geo(`${ITEMS}?limit=1000&bbox=${x - 0.5},${y - 0.5},${(x + 1e-5).toFixed(6)},${y + 0.5}`);
  assert.ok(reach.features.some((f) => f.id === id), `feature ${id} missing from a box that holds it`);
});

test('datetime: instants, closed and open intervals on the update date', async () => {
  const mid = await sql(`SELECT sc_iso(percentile_disc(0.5) WITHIN GROUP (ORDER BY updated_at)) FROM initiative WHERE ${PLACED}`);
  const day = mid.slice(0, 10);
  const cases = [
    [`${mid}`, `updated_at = '${mid}'`],
    [`${day}`, `updated_at >= '${day}' AND updated_at < '${day}'::date + 1`],
    [`../${mid}`, `updated_at <= '${mid}'`],
    [`${mid}/..`, `updated_at >= '${mid}'`],
    [`2020-01-01T00:00:00Z/${mid}`, `updated_at BETWEEN '2020-01-01T00:00:00Z' AND '${mid}'`],
    [`2019-06-01/2021-06-30`, `updated_at >= '2019-06-01' AND updated_at < '2021-07-01'`],
  ];
  for (const [dt, where] of cases) {
    const expected = await sqlIds(where);
    const { ids } = await walk(`datetime=${encodeURIComponent(dt)}`, 1000);
    assert.deepEqual([...ids].sort((a, b) => a - b), expected, `datetime=${dt}`);
  }
  assert.ok((await sqlIds(`updated_at <= '${mid}'`)).length > 0);
});

test('the search filters: theme and territory as in SQL', async () => {
  const expected = await sqlIds("themes && '{SOL}' AND region_code = '84'");
  assert.ok(expected.length > 0, 'the demo data has solidarity initiatives in Auvergne-Rhône-Alpes');
  const { ids, matched } = await walk('theme=SOL&territory=region:84', 1000);
  assert.deepEqual([...ids].sort((a, b) => a - b), expected);
  assert.equal(matched, expected.length);
});

test('unknown parameters and bad values: 400 in the error shape, naming the parameter', async () => {
  const bad = [
    ['foo=1', 'foo'],
    ['limit=0', 'limit'],
    ['limit=-3', 'limit'],
    ['limit=ten', 'limit'],
    ['bbox=1,2,3', 'bbox'],
    ['bbox=1,2,3,x', 'bbox'],
    ['bbox=5,46,4,47', 'bbox'],
    ['bbox=4,47,5,46', 'bbox'],
    ['bbox=4,-95,5,46', 'bbox'],
    ['datetime=2024-02-30', 'datetime'],
    ['datetime=yesterday', 'datetime'],
    ['datetime=../..', 'datetime'],
    ['datetime=2024-01-01T25:00:00Z', 'datetime'],
    ['datetime=2024-05-02/2024-05-01', 'datetime'],
    ['datetime=2024-05-01T12:00:00%2B02:00/2024-05-01T09:00:00Z', 'datetime'],
    ['theme=NOPE', 'theme'],
    ['territory=region:zz', 'territory'],
    ['cursor=abc', 'cursor'],
    ['sort=name', 'sort'],
  ];
  for (const [q, field] of bad) assertError(await api(`${ITEMS}?${q}`), 400, 'invalid_parameter', field);
  assertError(await api(`${ROOT}/conformance?x=1`), 400, 'invalid_parameter', 'x');
});

test('one feature; 404 for an unknown one and for an unknown collection', async () => {
  const fc = await geo(`${ITEMS}?limit=1`);
  const f = await geo(`${ITEMS}/${fc.features[0].id}`);
  assert.equal(f.type, 'Feature');
  assert.equal(f.id, fc.features[0].id);
  assert.deepEqual(f.properties, fc.features[0].properties);
  assert.ok(f.links.some((l) => l.rel === 'self') && f.links.some((l) => l.rel === 'collection'));
  const max = Number(await sql('SELECT max(id) FROM initiative'));
  assertError(await api(`${ITEMS}/${max + 1000}`), 404, 'not_found');
  assertError(await api(`${ITEMS}/pas-un-id`), 404, 'not_found');
  assert.equal((await api(`${ROOT}/collections/autre`)).status, 404);
  // An initiative that is not published is not a feature.
  const hidden = await sql("SELECT id FROM initiative WHERE status <> 'published' LIMIT 1");
  if (hidden) assertError(await api(`${ITEMS}/${hidden}`), 404, 'not_found');
});

test('answers are cached like the search: a second identical request is a HIT with the same bytes', async () => {
  const p = `${ITEMS}?limit=7&bbox=-5,42,8,51&theme=EMP`;
  const a = await api(p);
  const b = await api(p);
  assert.equal(a.status, 200);
  assert.equal(b.headers.get('x-cache'), 'HIT', brief(b));
  assert.match(b.contentType, /^application\/geo\+json/);
  assert.equal(b.text, a.text);
  assert.ok(b.headers.get('x-data-version'));
});
