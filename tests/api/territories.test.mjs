// Territories: autocomplete, one territory, contours, and the territory filter of the search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, getJson, assertError, brief, fetchAllPages, loadDemo, useSharedStack } from './helpers.mjs';

useSharedStack();

const first = async (q, extra = '') => {
  const body = await getJson(`/api/v1/territories?q=${encodeURIComponent(q)}${extra}`);
  assert.ok(Array.isArray(body.items) && body.items.length > 0, `no suggestion for ${q}`);
  return body.items;
};

function checkTerritory(t) {
  assert.match(t.ref, /^(region|departement|commune|arrondissement):[0-9AB]{2,5}$/, `ref ${t.ref}`);
  assert.equal(t.ref, `${t.level}:${t.code}`);
  assert.equal(typeof t.name, 'string');
  assert.ok(Array.isArray(t.postcodes));
  if (t.level !== 'region') assert.equal(typeof t.region?.name, 'string', `${t.ref} has no région`);
  if (t.level === 'commune' || t.level === 'arrondissement')
    assert.equal(typeof t.departement?.name, 'string', `${t.ref} has no département`);
}

test('autocomplete puts the exact name first, then the most populous', async () => {
  const lyon = await first('lyon');
  assert.equal(lyon[0].ref, 'commune:69123', `lyon → ${lyon.map((t) => t.name).join(', ')}`);
  lyon.forEach(checkTerritory);
  const se = await first('saint etienne');
  assert.equal(se[0].code, '42218', `saint etienne → ${se.map((t) => `${t.name} ${t.code}`).join(', ')}`);
  const accented = await first('SAINT-ÉTIENNE');
  assert.equal(accented[0].code, '42218');
  const abbreviated = await first('St Etienne');
  assert.equal(abbreviated[0].code, '42218');
});

test('a postcode gives its arrondissement first, then its commune', async () => {
  const items = await first('69003');
  assert.equal(items[0].ref, 'arrondissement:69383', `69003 → ${items.map((t) => t.name).join(', ')}`);
  assert.equal(items[0].commune?.code, '69123', 'the arrondissement names its city');
  assert.ok(items.some((t) => t.ref === 'commune:69123'), 'Lyon itself is among the suggestions');
});

test('level and limit narrow the suggestions', async () => {
  const deps = await first('rhone', '&level=departement');
  assert.ok(deps.every((t) => t.level === 'departement'));
  assert.equal(deps[0].code, '69');
  const three = await first('saint', '&limit=3');
  assert.equal(three.length, 3);
});

test('bad autocomplete input is a 400 naming the parameter', async () => {
  assertError(await api('/api/v1/territories'), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/territories?q='), 400, 'invalid_parameter', 'q');
  assertError(await api(`/api/v1/territories?q=${'a'.repeat(10240)}`), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/territories?q=%FF'), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/territories?q=lyon&level=planet'), 400, 'invalid_parameter', 'level');
  assertError(await api('/api/v1/territories?q=lyon&limit=51'), 400, 'invalid_parameter', 'limit');
  const nothing = await getJson('/api/v1/territories?q=zzzzqqqxx');
  assert.deepEqual(nothing.items, []);
});

test('one territory, with its parents, children and bounding box', async () => {
  const reg = await getJson('/api/v1/territories/region:84');
  assert.equal(reg.name, 'Auvergne-Rhône-Alpes');
  assert.equal(reg.children.departement, 12);
  assert.ok(reg.children.commune > 3000, `communes in ARA: ${reg.children.commune}`);
  assert.equal(reg.has_contour, true);
  const [minLon, minLat, maxLon, maxLat] = reg.bbox;
  assert.ok(minLon < 4.83 && 4.83 < maxLon && minLat < 45.76 && 45.76 < maxLat, 'Lyon lies in the bbox');
  // A bare code means the most local level that has it: 84 is Vaucluse, not the région.
  const bare = await getJson('/api/v1/territories/84');
  assert.equal(bare.ref, 'departement:84');
  assert.equal(bare.name, 'Vaucluse');
  const lyon = await getJson('/api/v1/territories/commune:69123');
  assert.equal(lyon.departement.name, 'Rhône');
  assert.equal(lyon.region.name, 'Auvergne-Rhône-Alpes');
  assert.equal(lyon.children.arrondissement, 9);
  const arr = await getJson('/api/v1/territories/arrondissement:75104');
  assert.equal(arr.commune.name, 'Paris');
  assert.equal(arr.has_contour, false);
});

test('unknown or malformed references', async () => {
  assertError(await api('/api/v1/territories/commune:99999'), 404, 'not_found');
  assertError(await api('/api/v1/territories/99999'), 404, 'not_found');
  assertError(await api('/api/v1/territories/planet:12'), 400, 'invalid_parameter', 'ref');
  assertError(await api('/api/v1/territories/region:123'), 400, 'invalid_parameter', 'ref');
  assertError(await api("/api/v1/territories/'%3B%20DROP%20TABLE%20territory"), 400, 'invalid_parameter', 'ref');
});

test('contours are GeoJSON, simplified for the zoom asked', async () => {
  const coarse = await api('/api/v1/territories/region:84/contour?simplify=4');
  const fine = await api('/api/v1/territories/region:84/contour?simplify=12');
  for (const res of [coarse, fine]) {
    assert.equal(res.status, 200, brief(res));
    assert.match(res.headers.get('content-type'), /application\/geo\+json/);
    assert.equal(res.json.type, 'Feature');
    assert.equal(res.json.properties.ref, 'region:84');
    assert.match(res.json.geometry.type, /Polygon/);
  }
  assert.ok(coarse.text.length < fine.text.length, `zoom 4 (${coarse.text.length} B) is lighter than zoom 12 (${fine.text.length} B)`);
  const commune = await api('/api/v1/territories/commune:69123/contour');
  assert.equal(commune.status, 200, brief(commune));
  assertError(await api('/api/v1/territories/arrondissement:69383/contour'), 404, 'not_found');
  assertError(await api('/api/v1/territories/region:84/contour?simplify=19'), 400, 'invalid_parameter', 'simplify');
  assertError(await api('/api/v1/territories/region:84/contour?simplify=-1'), 400, 'invalid_parameter', 'simplify');
});

test('search by territory keeps only the initiatives inside, at every level', async () => {
  const demo = loadDemo().records;
  const all = await getJson('/api/v1/search?limit=1');
  for (const ref of ['region:84', 'departement:69', 'commune:69123']) {
    const { items } = await fetchAllPages('/api/v1/search', { territory: ref });
    assert.ok(items.length > 0, `no initiative in ${ref}`);
    assert.ok(items.length < all.total, `${ref} must narrow the results`);
    const [level, code] = ref.split(':');
    const key = { region: 'region', departement: 'departement', commune: 'commune' }[level];
    for (const it of items) assert.equal(it.territory[key].code, code, `${it.slug} is not in ${ref}`);
  }
  // The filter agrees with the demonstration data: every record of Rhône, and only those.
  const { items: rhone } = await fetchAllPages('/api/v1/search', { territory: 'departement:69' });
  const expected = demo.filter((r) => r.commune_code.startsWith('69')).map((r) => r.slug).sort();
  assert.deepEqual(rhone.map((i) => i.slug).sort(), expected);
});

test('several territories are OR-ed, and combine with words', async () => {
  const a = await getJson('/api/v1/search?territory=departement:69&limit=1');
  const b = await getJson('/api/v1/search?territory=departement:13&limit=1');
  const both = await getJson('/api/v1/search?territory=departement:69,departement:13&limit=1');
  assert.equal(both.total, a.total + b.total);
  const words = await getJson('/api/v1/search?q=jardin&territory=region:11');
  for (const it of words.items) assert.equal(it.territory.region.code, '11');
});

test('an unknown territory in the search is a 400 that names it', async () => {
  const res = await api('/api/v1/search?territory=region:84,commune:99999');
  assertError(res, 400, 'invalid_parameter', 'territory');
  assert.match(res.json.error.message, /commune:99999/);
  assertError(await api('/api/v1/search?territory=nowhere'), 400, 'invalid_parameter', 'territory');
  const many = Array.from({ length: 21 }, () => 'region:84').join(',');
  assertError(await api(`/api/v1/search?territory=${many}`), 400, 'invalid_parameter', 'territory');
});
