// GET /api/v1/initiatives (list, cursor pagination) and GET /api/v1/initiatives/{id} (detail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  api,
  getJson,
  assertError,
  brief,
  fetchAllPages,
  mapLimit,
  loadDemo,
  demoActorName,
  demoActorType,
  demoCommuneName,
  codesOf,
  fold,
  normName,
  readShared,
  bboxes,
  inBox,
  FRANCE_BOXES,
  SHARED_DIR,
  useSharedStack,
} from './helpers.mjs';

useSharedStack();

const PRECISIONS = ['address', 'commune', 'departement', 'region', 'none'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

// ---------------------------------------------------------------------------
// memoised fetches shared by several tests

let listMemo;
function allListed() {
  listMemo ??= fetchAllPages('/api/v1/initiatives', {}, { limit: 100 });
  return listMemo;
}

let detailsMemo;
function allDetails() {
  detailsMemo ??= allListed().then(({ items }) => mapLimit(items, 6, (it) => getJson(`/api/v1/initiatives/${it.id}`)));
  return detailsMemo;
}

let vocabMemo;
async function vocab() {
  vocabMemo ??= getJson('/api/v1/vocabularies?lang=fr').then(({ vocabularies: v }) => {
    const m = (list) => new Map(list.map((e) => [e.code, e.label]));
    const subs = new Map();
    for (const t of v.themes) for (const c of t.children || []) subs.set(c.code, { label: c.label, parent: t.code });
    return {
      themes: m(v.themes),
      themeByLabel: new Map(v.themes.map((t) => [fold(t.label), t.code])),
      subthemes: subs,
      actor_types: m(v.actor_types),
      publics: m(v.publics),
      scales: m(v.scales),
      stages: m(v.stages),
    };
  });
  return vocabMemo;
}

const geo = (() => {
  let memo;
  return () => {
    memo ??= {
      deps: bboxes(readShared('geodata/departements.geojson')),
      regions: bboxes(readShared('geodata/regions.geojson')),
      communes: new Map(),
    };
    return memo;
  };
})();

function communeBox(depCode, communeCode) {
  const g = geo();
  if (!g.communes.has(depCode)) {
    let boxes = new Map();
    try {
      const gz = fs.readFileSync(path.join(SHARED_DIR, 'geodata', 'communes', `${depCode}.geojson.gz`));
      boxes = bboxes(JSON.parse(zlib.gunzipSync(gz).toString('utf8')));
    } catch {
      // no contour file for this département
    }
    g.communes.set(depCode, boxes);
  }
  // the arrondissements of Paris, Lyon and Marseille have no contour of their own in the shared files
  let code = communeCode;
  if (/^751\d\d$/.test(code)) code = '75056';
  else if (/^6938\d$/.test(code)) code = '69123';
  else if (/^132\d\d$/.test(code)) code = '13055';
  return g.communes.get(depCode).get(code);
}

// ---------------------------------------------------------------------------
// shape checks

function checkCodeLabel(v, what, labels) {
  assert.ok(v && typeof v === 'object', `${what} must be an object, got ${JSON.stringify(v)}`);
  assert.equal(typeof v.code, 'string', `${what}.code`);
  assert.equal(typeof v.label, 'string', `${what}.label`);
  if (labels) {
    assert.ok(labels.has(v.code), `${what}: unknown code ${v.code}`);
    assert.equal(v.label, labels.get(v.code), `${what}: label of ${v.code} must be the French one`);
  }
}

function checkTerritory(t, where) {
  assert.ok(t && typeof t === 'object', `${where}: territory missing`);
  for (const level of ['commune', 'departement', 'region']) {
    const x = t[level];
    assert.ok(x && typeof x === 'object', `${where}: territory.${level} missing: ${JSON.stringify(t)}`);
    assert.equal(typeof x.code, 'string', `${where}: territory.${level}.code`);
    assert.equal(typeof x.name, 'string', `${where}: territory.${level}.name`);
    assert.ok(x.name.length > 0, `${where}: territory.${level}.name empty`);
  }
  assert.ok(
    t.commune.code.startsWith(t.departement.code),
    `${where}: commune ${t.commune.code} is not in département ${t.departement.code}`,
  );
  const g = geo();
  const dep = g.deps.get(t.departement.code);
  const reg = g.regions.get(t.region.code);
  if (g.deps.size) {
    assert.ok(dep, `${where}: unknown département code ${t.departement.code}`);
    assert.equal(normName(t.departement.name), normName(dep.name), `${where}: name of département ${t.departement.code}`);
  }
  if (g.regions.size) {
    assert.ok(reg, `${where}: unknown région code ${t.region.code}`);
    assert.equal(normName(t.region.name), normName(reg.name), `${where}: name of région ${t.region.code}`);
  }
  if (dep && reg) {
    const [x0, y0, x1, y1] = dep.bbox;
    assert.ok(
      inBox((x0 + x1) / 2, (y0 + y1) / 2, reg.bbox),
      `${where}: département ${t.departement.code} is not in région ${t.region.code} ${t.region.name}`,
    );
  }
}

function checkLocation(loc, territory, where) {
  assert.ok(loc && typeof loc === 'object', `${where}: location missing`);
  assert.ok(PRECISIONS.includes(loc.precision), `${where}: precision ${JSON.stringify(loc.precision)}`);
  if (loc.precision === 'none') {
    assert.equal(loc.lon, null, `${where}: lon must be null when precision is none`);
    assert.equal(loc.lat, null, `${where}: lat must be null when precision is none`);
    return;
  }
  assert.equal(typeof loc.lon, 'number', `${where}: lon`);
  assert.equal(typeof loc.lat, 'number', `${where}: lat`);
  assert.ok(
    FRANCE_BOXES.some((b) => inBox(loc.lon, loc.lat, b)),
    `${where}: (lon ${loc.lon}, lat ${loc.lat}) is not in France (lon/lat swapped?)`,
  );
  if (!territory) return;
  const g = geo();
  const reg = g.regions.get(territory.region?.code);
  if (reg) assert.ok(inBox(loc.lon, loc.lat, reg.bbox, 0.1), `${where}: point outside région ${territory.region.name}`);
  if (loc.precision === 'region') return;
  const dep = g.deps.get(territory.departement?.code);
  if (dep) assert.ok(inBox(loc.lon, loc.lat, dep.bbox, 0.05), `${where}: point (${loc.lon}, ${loc.lat}) outside département ${territory.departement.name}`);
  if (loc.precision === 'departement') return;
  const c = communeBox(territory.departement?.code, territory.commune?.code);
  if (c) assert.ok(inBox(loc.lon, loc.lat, c.bbox, 0.02), `${where}: point (${loc.lon}, ${loc.lat}) outside commune ${territory.commune.name}`);
}

function checkItem(it, where) {
  assert.ok(Number.isInteger(it.id) && it.id > 0, `${where}: id must be a positive integer: ${JSON.stringify(it.id)}`);
  where = `${where} (id ${it.id})`;
  for (const k of ['slug', 'title', 'summary']) assert.equal(typeof it[k], 'string', `${where}: ${k}`);
  assert.ok(it.title.length > 0, `${where}: empty title`);
  assert.ok(Array.isArray(it.themes), `${where}: themes must be an array`);
  it.themes.forEach((t, i) => checkCodeLabel(t, `${where}: themes[${i}]`));
  assert.ok(it.actor && typeof it.actor.name === 'string', `${where}: actor.name`);
  if (it.actor.type !== null) checkCodeLabel(it.actor.type, `${where}: actor.type`);
  checkTerritory(it.territory, where);
  checkLocation(it.location, it.territory, where);
  assert.equal(typeof it.demo, 'boolean', `${where}: demo`);
  assert.match(String(it.updated_at), ISO, `${where}: updated_at`);
}

// ---------------------------------------------------------------------------
// list

test('limit bounds the page and next_cursor leads on', async () => {
  const five = await getJson('/api/v1/initiatives?limit=5');
  assert.equal(five.items.length, 5);
  assert.equal(typeof five.next_cursor, 'string');
  five.items.forEach((it, i) => checkItem(it, `items[${i}]`));

  const next = await getJson(`/api/v1/initiatives?limit=5&cursor=${encodeURIComponent(five.next_cursor)}`);
  assert.equal(next.items.length, 5);
  const ids = new Set(five.items.map((i) => i.id));
  for (const it of next.items) assert.ok(!ids.has(it.id), `id ${it.id} on two pages`);

  const dflt = await getJson('/api/v1/initiatives');
  assert.equal(dflt.items.length, 20, 'default limit is 20');
  assert.equal((await getJson('/api/v1/initiatives?limit=1')).items.length, 1);
  assert.equal((await getJson('/api/v1/initiatives?limit=100')).items.length, 100);
});

test('all pages together are exactly the published demo initiatives, each once', async () => {
  const demo = loadDemo();
  const { pages, items } = await allListed();
  const expected = demo.published.length;
  assert.equal(items.length, expected, `listed ${items.length} initiatives, the demo data has ${expected} published`);
  assert.equal(pages.length, Math.max(1, Math.ceil(expected / 100)), 'number of pages with limit=100 (an empty last page is a wasted request)');
  for (const [i, p] of pages.entries()) {
    if (i < pages.length - 1) {
      assert.equal(p.items.length, 100, `page ${i + 1} is not full`);
      assert.notEqual(p.next_cursor, null);
    }
  }
  assert.equal(pages.at(-1).next_cursor, null, 'next_cursor on the last page must be null');
  const ids = items.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate ids across pages');
  const slugs = items.map((i) => i.slug).sort();
  assert.deepEqual(slugs, demo.published.map((r) => r.slug).sort(), 'listed slugs differ from the demo slugs');
  for (const it of items) assert.equal(it.demo, true, `id ${it.id}: demo must be true`);
  items.forEach((it, i) => checkItem(it, `list[${i}]`));
});

test('the order does not depend on the page size', async () => {
  const big = (await allListed()).items.map((i) => i.id);
  const small = (await fetchAllPages('/api/v1/initiatives', {}, { limit: 7 })).items.map((i) => i.id);
  assert.deepEqual(small, big, 'paging by 7 and by 100 gives different sequences');
});

test('newest first: created_at descending, then id descending', async () => {
  const details = await allDetails();
  for (let i = 1; i < details.length; i++) {
    const a = details[i - 1];
    const b = details[i];
    const ta = Date.parse(a.created_at);
    const tb = Date.parse(b.created_at);
    assert.ok(
      ta > tb || (ta === tb && a.id > b.id),
      `position ${i}: id ${a.id} (${a.created_at}) listed before id ${b.id} (${b.created_at})`,
    );
  }
});

test('list items agree with their detail', async () => {
  const { items } = await allListed();
  const details = await allDetails();
  items.forEach((it, i) => {
    const d = details[i];
    const w = `id ${it.id}`;
    for (const k of ['id', 'slug', 'title', 'summary', 'demo', 'updated_at']) assert.deepEqual(it[k], d[k], `${w}: ${k}`);
    assert.deepEqual(it.themes, d.themes, `${w}: themes`);
    assert.deepEqual(it.actor, d.actor, `${w}: actor`);
    assert.deepEqual(it.territory, d.territory, `${w}: territory`);
    assert.equal(it.location.precision, d.location.precision, `${w}: location.precision`);
    if (d.location.lon !== null) {
      assert.ok(Math.abs(it.location.lon - d.location.lon) < 0.006, `${w}: location.lon ${it.location.lon} vs ${d.location.lon}`);
      assert.ok(Math.abs(it.location.lat - d.location.lat) < 0.006, `${w}: location.lat ${it.location.lat} vs ${d.location.lat}`);
    }
  });
});

// ---------------------------------------------------------------------------
// detail

function checkDetail(d, v) {
  checkItem(d, 'detail');
  const w = `detail ${d.id} (${d.slug})`;
  assert.equal(typeof d.description, 'string', `${w}: description`);
  for (const k of ['website', 'image_url', 'address', 'postcode']) {
    assert.ok(k in d, `${w}: ${k} must be present (null when absent)`);
    assert.ok(d[k] === null || typeof d[k] === 'string', `${w}: ${k} must be a string or null`);
  }
  if (d.website !== null) assert.match(d.website, /^https?:\/\//, `${w}: website`);
  assert.equal(typeof d.actor.name, 'string');
  assert.ok(d.actor.name.length > 0, `${w}: actor.name empty`);
  checkCodeLabel(d.actor.type, `${w}: actor.type`, v.actor_types);
  assert.ok(d.themes.length > 0, `${w}: no theme`);
  d.themes.forEach((t, i) => checkCodeLabel(t, `${w}: themes[${i}]`, v.themes));
  assert.ok(Array.isArray(d.subthemes), `${w}: subthemes must be an array`);
  for (const s of d.subthemes) {
    checkCodeLabel(s, `${w}: subtheme`, new Map([...v.subthemes].map(([c, x]) => [c, x.label])));
    assert.equal(s.parent, v.subthemes.get(s.code).parent, `${w}: parent of sub-theme ${s.code}`);
  }
  assert.ok(Array.isArray(d.publics), `${w}: publics must be an array`);
  d.publics.forEach((p) => checkCodeLabel(p, `${w}: public`, v.publics));
  if (d.scale !== null) checkCodeLabel(d.scale, `${w}: scale`, v.scales);
  if (d.stage !== null) checkCodeLabel(d.stage, `${w}: stage`, v.stages);
  assert.ok('scale' in d && 'stage' in d && 'start_year' in d, `${w}: scale, stage and start_year must be present`);
  if (d.start_year !== null) {
    assert.ok(Number.isInteger(d.start_year) && d.start_year >= 1800 && d.start_year <= new Date().getUTCFullYear(), `${w}: start_year ${d.start_year}`);
  }
  assert.ok(Array.isArray(d.sources) && d.sources.length > 0, `${w}: sources`);
  const s0 = d.sources[0];
  assert.equal(s0.code, 'demo', `${w}: sources[0].code`);
  assert.equal(typeof s0.name, 'string', `${w}: sources[0].name`);
  assert.ok(s0.name.length > 0, `${w}: sources[0].name empty`);
  assert.ok(s0.url === null || typeof s0.url === 'string', `${w}: sources[0].url`);
  assert.equal(s0.demo, true, `${w}: sources[0].demo`);
  assert.equal(d.demo, true, `${w}: demo`);
  assert.equal(d.status, 'published', `${w}: status`);
  assert.match(String(d.created_at), ISO, `${w}: created_at`);
  assert.match(String(d.updated_at), ISO, `${w}: updated_at`);
  assert.ok(Date.parse(d.updated_at) >= Date.parse(d.created_at), `${w}: updated_at before created_at`);
}

/** The record as served must be the demo record of the same slug. */
function compareWithDemo(d, r, v) {
  const w = `detail ${d.id} (${d.slug})`;
  const same = (a, b) => String(a ?? '').trim() === String(b ?? '').trim();
  assert.ok(same(d.title, r.title), `${w}: title ${JSON.stringify(d.title)} vs demo ${JSON.stringify(r.title)}`);
  if (typeof r.summary === 'string') assert.ok(same(d.summary, r.summary), `${w}: summary differs from the demo data`);
  if (typeof r.description === 'string') assert.ok(same(d.description, r.description), `${w}: description differs from the demo data`);
  const commune = demoCommuneName(r);
  if (commune) {
    assert.equal(normName(d.territory.commune.name), normName(commune), `${w}: commune ${d.territory.commune.name} vs demo ${commune}`);
  }
  if (r.themes) {
    const want = codesOf(r.themes).map((c) => (v.themes.has(c) ? c : v.themeByLabel.get(fold(c)) ?? c));
    assert.deepEqual(d.themes.map((t) => t.code).sort(), [...new Set(want)].sort(), `${w}: themes`);
  }
  if (Array.isArray(r.subthemes)) assert.deepEqual(d.subthemes.map((t) => t.code).sort(), [...new Set(codesOf(r.subthemes))].sort(), `${w}: subthemes`);
  if (Array.isArray(r.publics)) assert.deepEqual(d.publics.map((t) => t.code).sort(), [...new Set(codesOf(r.publics))].sort(), `${w}: publics`);
  const actor = demoActorName(r);
  if (actor) assert.ok(same(d.actor.name, actor), `${w}: actor.name ${JSON.stringify(d.actor.name)} vs demo ${JSON.stringify(actor)}`);
  const type = demoActorType(r);
  if (type && v.actor_types.has(type)) assert.equal(d.actor.type?.code, type, `${w}: actor.type`);
  for (const k of ['scale', 'stage']) {
    const c = typeof r[k] === 'string' ? r[k] : r[k]?.code;
    if (c) assert.equal(d[k]?.code, c, `${w}: ${k}`);
  }
  if (typeof r.commune_code === 'string') assert.equal(d.territory.commune.code, r.commune_code, `${w}: commune code`);
  if (typeof r.precision === 'string') assert.equal(d.location.precision, r.precision, `${w}: location.precision`);
  if (typeof r.created_at === 'string') assert.equal(Date.parse(d.created_at), Date.parse(r.created_at), `${w}: created_at ${d.created_at} vs demo ${r.created_at}`);
  if (typeof r.address === 'string') assert.ok(same(d.address, r.address), `${w}: address`);
  if (Number.isInteger(r.start_year)) assert.equal(d.start_year, r.start_year, `${w}: start_year`);
  if (typeof r.postcode === 'string') assert.equal(d.postcode, r.postcode, `${w}: postcode`);
  if (typeof r.website === 'string' && r.website) assert.equal(d.website, r.website, `${w}: website`);
  const lon = r.lon ?? r.longitude ?? r.location?.lon;
  const lat = r.lat ?? r.latitude ?? r.location?.lat;
  if (typeof lon === 'number' && typeof lat === 'number' && d.location.lon !== null) {
    assert.ok(Math.abs(d.location.lon - lon) < 1e-4 && Math.abs(d.location.lat - lat) < 1e-4, `${w}: location (${d.location.lon}, ${d.location.lat}) vs demo (${lon}, ${lat})`);
  }
}

test('one initiative in full: the documented record, matching the demo data', async () => {
  const demo = loadDemo();
  const v = await vocab();
  const page = await getJson('/api/v1/initiatives?limit=3');
  const id = page.items[1].id;
  const res = await api(`/api/v1/initiatives/${id}`);
  assert.equal(res.status, 200, brief(res));
  assert.match(res.contentType, /^application\/json/);
  const d = res.json;
  assert.equal(d.id, id);
  checkDetail(d, v);
  const r = demo.bySlug.get(d.slug);
  assert.ok(r, `slug ${d.slug} is not in the demo data`);
  compareWithDemo(d, r, v);
});

test('every listed initiative has a complete detail matching its demo record', async () => {
  const demo = loadDemo();
  const v = await vocab();
  const details = await allDetails();
  for (const d of details) {
    checkDetail(d, v);
    const r = demo.bySlug.get(d.slug);
    assert.ok(r, `slug ${d.slug} is not in the demo data`);
    compareWithDemo(d, r, v);
  }
  assert.ok(details.some((d) => d.location.lon !== null), 'no initiative has coordinates');
});

test('an unknown id is a 404 not_found', async () => {
  for (const id of ['999999999', '2147483647']) {
    assertError(await api(`/api/v1/initiatives/${id}`), 404, 'not_found');
  }
});

test('an id that is not a positive integer is a 400 on field id', async () => {
  for (const id of ['abc', '-1', '0', '1.5', '99999999999999999999999', '1e3', '0x10', '12abc', '%20', '%2B1']) {
    assertError(await api(`/api/v1/initiatives/${id}`), 400, 'invalid_parameter', 'id');
  }
  // the largest bigint is a well-formed id that does not exist
  const max = await api('/api/v1/initiatives/9223372036854775807');
  assert.ok(max.status === 404 || max.status === 400, brief(max));
  assertError(max, max.status, max.status === 404 ? 'not_found' : 'invalid_parameter');
});

test('a bad limit is a 400 on field limit', async () => {
  for (const limit of ['0', '101', 'abc', '-1', '1.5', '99999999999999999999', '10abc']) {
    assertError(await api(`/api/v1/initiatives?limit=${encodeURIComponent(limit)}`), 400, 'invalid_parameter', 'limit');
  }
});

test('a bad cursor is a 400 on field cursor', async () => {
  for (const cursor of ['garbage', '!!!', 'eyJ4IjoxfQ', 'A'.repeat(3000), '%FF%FE']) {
    const raw = cursor.startsWith('%') ? cursor : encodeURIComponent(cursor);
    assertError(await api(`/api/v1/initiatives?limit=5&cursor=${raw}`), 400, 'invalid_parameter', 'cursor');
  }
});
