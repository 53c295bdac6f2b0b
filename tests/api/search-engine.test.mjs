// GET /api/v1/search as a search engine: every filter, disjunctive facets, sorts, cursors, excerpts,
// "did you mean", parameter errors and the X-Cache header. Each answer is checked against the demo data
// (sql/demo/initiatives-*.json): the expected records are computed here from the JSON, never taken from the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  api,
  getJson,
  assertError,
  brief,
  fetchAllPages,
  mapLimit,
  loadDemo,
  codesOf,
  demoActorType,
  fold,
  useSharedStack,
} from './helpers.mjs';
import { recordsWithWord } from './demo-words.mjs';
import { REGIONS, depOf, regionOf, inTerritory } from './demo-territories.mjs';

useSharedStack();

const SEARCH = '/api/v1/search';

// ---------------------------------------------------------------------------
// The demo records and what the filters mean for them

const { published } = loadDemo();
const bySlug = new Map(published.map((r) => [r.slug, r]));

/** The values of a record for a code filter or a facet. */
const VALUES = {
  theme: (r) => codesOf(r.themes),
  subtheme: (r) => codesOf(r.subthemes),
  public: (r) => codesOf(r.publics),
  actor_type: (r) => [demoActorType(r)].filter((v) => v != null),
  scale: (r) => [r.scale].filter((v) => v != null),
  stage: (r) => [r.stage].filter((v) => v != null),
  source: (r) => (Array.isArray(r.sources) ? codesOf(r.sources) : ['demo']),
  region: (r) => [regionOf(r)].filter(Boolean),
  departement: (r) => [depOf(r)],
  year: (r) => (r.start_year == null ? [] : [String(r.start_year)]),
};
const CODE_KINDS = ['theme', 'subtheme', 'actor_type', 'public', 'scale', 'stage', 'source'];
const ALL_FACETS = [...CODE_KINDS, 'region', 'departement', 'year'];

/** Great-circle distance in metres (mean Earth radius). */
function haversine(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}
// PostGIS measures on the spheroid: up to about 0.5 % away from the sphere.
const distanceSlack = (m) => 0.006 * m + 50;

/**
 * Whether a record passes a filter spec: {q (a Set of the slugs matching the words), theme: [...], …,
 * territory: [REF], year_min, year_max, near: {lat, lon, km}, bbox: [x0, y0, x1, y1]}. `skip` names a facet
 * whose own filter is left out (region and departement both leave out territory; year leaves out the years).
 */
function passes(r, spec, skip) {
  if (spec.q && !spec.q.has(r.slug)) return false;
  for (const k of CODE_KINDS) {
    if (!spec[k] || k === skip) continue;
    if (!VALUES[k](r).some((v) => spec[k].includes(v))) return false;
  }
  if (spec.territory && skip !== 'region' && skip !== 'departement' && !spec.territory.some((ref) => inTerritory(r, ref))) return false;
  if (skip !== 'year') {
    if (spec.year_min !== undefined && !(r.start_year != null && r.start_year >= spec.year_min)) return false;
    if (spec.year_max !== undefined && !(r.start_year != null && r.start_year <= spec.year_max)) return false;
  }
  if (spec.near && haversine(spec.near.lat, spec.near.lon, r.lat, r.lon) > spec.near.km * 1000) return false;
  if (spec.bbox) {
    const [x0, y0, x1, y1] = spec.bbox;
    if (!(r.lon >= x0 && r.lon <= x1 && r.lat >= y0 && r.lat <= y1)) return false;
  }
  return true;
}

const expectedSlugs = (spec, skip) => published.filter((r) => passes(r, spec, skip)).map((r) => r.slug);

/** Query parameters of a filter spec (q given separately as text). */
function toParams(spec, text) {
  const p = {};
  if (text !== undefined) p.q = text;
  for (const k of [...CODE_KINDS, 'territory']) if (spec[k]) p[k] = spec[k].join(',');
  if (spec.year_min !== undefined) p.year_min = spec.year_min;
  if (spec.year_max !== undefined) p.year_max = spec.year_max;
  if (spec.near) p.near = `${spec.near.lat},${spec.near.lon},${spec.near.km}`;
  if (spec.bbox) p.bbox = spec.bbox.join(',');
  return p;
}

/** Every result of a search, following the cursors; checks total, duplicates and full pages. */
async function searchAll(params, limit = 100) {
  const { pages, items } = await fetchAllPages(SEARCH, params, { limit });
  const what = JSON.stringify(params);
  const total = pages[0].total;
  assert.ok(Number.isInteger(total), `${what}: total must be an integer`);
  assert.equal(pages[0].total_exact, true, `${what}: total_exact`);
  assert.equal(pages[0].total_is_estimate, false, `${what}: total_is_estimate`);
  for (const p of pages) assert.equal(p.total, total, `${what}: total changed between pages`);
  assert.equal(items.length, total, `${what}: total says ${total}, the pages gave ${items.length}`);
  const ids = items.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length, `${what}: an initiative appears twice across the pages`);
  for (const [i, p] of pages.entries()) if (i < pages.length - 1) assert.equal(p.items.length, limit, `${what}: page ${i + 1} is not full`);
  return { total, items, pages, slugs: items.map((i) => i.slug) };
}

function assertSameSet(got, expected, what) {
  const g = new Set(got);
  const e = new Set(expected);
  const missing = [...e].filter((s) => !g.has(s));
  const extra = [...g].filter((s) => !e.has(s));
  if (missing.length || extra.length) {
    assert.fail(
      `${what}: expected ${e.size} initiatives, got ${g.size}` +
        (missing.length ? `\n  missing (${missing.length}): ${missing.slice(0, 12).join(', ')}` : '') +
        (extra.length ? `\n  unexpected (${extra.length}): ${extra.slice(0, 12).join(', ')}` : ''),
    );
  }
}

/** Searches with a filter spec and checks that exactly the expected demo records come back. */
async function checkFilter(spec, what, text) {
  const params = toParams(spec, text);
  const res = await searchAll(params);
  const expected = expectedSlugs(spec);
  assertSameSet(res.slugs, expected, `${what} (${new URLSearchParams(params)})`);
  return res;
}

// ---------------------------------------------------------------------------
// Code filters

test('each code of each filter returns exactly the demo records having it', async () => {
  const jobs = [];
  for (const kind of ['theme', 'subtheme', 'public', 'actor_type', 'scale', 'stage']) {
    const codes = [...new Set(published.flatMap(VALUES[kind]))].sort();
    assert.ok(codes.length > 1, `the demo data uses fewer than two ${kind} codes`);
    for (const code of codes) jobs.push({ kind, code });
  }
  await mapLimit(jobs, 4, async ({ kind, code }) => {
    const res = await checkFilter({ [kind]: [code] }, `${kind}=${code}`);
    assert.ok(res.total > 0, `${kind}=${code}`);
  });
});

test('a known code that no demo record has gives no result, not an error', async (t) => {
  const voc = (await getJson('/api/v1/vocabularies')).vocabularies;
  const known = {
    theme: voc.themes.map((x) => x.code),
    subtheme: voc.themes.flatMap((x) => (x.children || []).map((c) => c.code)),
    public: voc.publics.map((x) => x.code),
    actor_type: voc.actor_types.map((x) => x.code),
    scale: voc.scales.map((x) => x.code),
    stage: voc.stages.map((x) => x.code),
  };
  let checked = 0;
  for (const [kind, codes] of Object.entries(known)) {
    const used = new Set(published.flatMap(VALUES[kind]));
    for (const code of codes.filter((c) => !used.has(c))) {
      const body = await getJson(`${SEARCH}?${kind}=${encodeURIComponent(code)}`);
      assert.equal(body.total, 0, `${kind}=${code} (in the vocabulary, in no demo record)`);
      assert.deepEqual(body.items, []);
      checked++;
    }
  }
  if (checked === 0) t.diagnostic('every code of the vocabularies is used by the demo data');
});

test('values of one filter are OR-ed', async () => {
  for (const spec of [
    { theme: ['ENV', 'SOL'] },
    { theme: ['SPO', 'ART', 'COM'] },
    { subtheme: ['ALI', 'BIO'] },
    { public: ['seniors', 'handicap'] },
    { actor_type: ['association', 'cooperative'] },
    { scale: ['quartier', 'commune'] },
    { stage: ['ideation', 'essaimage'] },
  ]) {
    const res = await checkFilter(spec, 'two values of one filter');
    // the case means something only if each value adds records of its own
    const [k] = Object.keys(spec);
    for (const code of spec[k]) {
      const alone = expectedSlugs({ [k]: [code] });
      assert.ok(alone.length > 0 && alone.length < res.total, `${k}=${spec[k]}: ${code} alone gives ${alone.length} of ${res.total}`);
    }
  }
});

test('different filters are AND-ed', async () => {
  for (const spec of [
    { theme: ['ENV'], actor_type: ['association'] },
    { theme: ['EMP', 'SOL'], scale: ['commune'], stage: ['developpement'] },
    { public: ['jeunes'], subtheme: ['ENF', 'EDC', 'PED'], year_min: 2016 },
    { theme: ['TER'], territory: ['region:53'], actor_type: ['association', 'collectivite', 'collectif'] },
    { theme: ['ENV'], public: ['tous'], scale: ['quartier'], stage: ['experimentation', 'developpement'], actor_type: ['collectif'] },
  ]) {
    const res = await checkFilter(spec, 'filters AND-ed');
    assert.ok(res.total > 0, `the case ${JSON.stringify(spec)} should select someone`);
  }
  // and with words
  const q = 'jardin';
  const words = new Set((await searchAll({ q })).slugs);
  await checkFilter({ q: words, theme: ['SOL'], scale: ['quartier', 'commune'] }, 'q + theme + scale', q);
});

test('source: every demo record comes from the demo source; an unknown source is a 400', async () => {
  const res = await searchAll({ source: 'demo' });
  assert.equal(res.total, published.length, 'source=demo');
  const e = assertError(await api(`${SEARCH}?source=nowhere`), 400, 'invalid_parameter', 'source');
  assert.ok(e.message.includes('nowhere'), `the message must name the unknown source: ${e.message}`);
});

// ---------------------------------------------------------------------------
// Years, territories, radius, box

test('year_min and year_max are inclusive bounds of the start year', async () => {
  const years = published.map((r) => r.start_year).filter((y) => y != null);
  const min = Math.min(...years);
  const max = Math.max(...years);
  for (const spec of [
    { year_min: 2019 },
    { year_max: 2012 },
    { year_min: 2016, year_max: 2016 },
    { year_min: 2014, year_max: 2018 },
    { year_min: min },
    { year_max: max },
    { year_min: max + 1 },
    { year_min: 1800, year_max: 2100 },
  ]) {
    await checkFilter(spec, 'years');
  }
  // the bounds are inclusive: the records of the bound year are in
  const only2016 = await searchAll({ year_min: 2016, year_max: 2016 });
  assert.ok(only2016.total > 0, 'year_min=year_max=2016 must keep the records started in 2016');
  // a record without a start year is left out by any bound
  const noYear = published.filter((r) => r.start_year == null).map((r) => r.slug);
  const all = new Set((await searchAll({ year_min: 1800 })).slugs);
  for (const s of noYear) assert.ok(!all.has(s), `${s} has no start year and passes year_min=1800`);
});

test('territory keeps the records of the région, département, commune or arrondissement', async () => {
  // the API places records where the demo data says (the rest of this file relies on it)
  const all = await searchAll({ sort: 'name' });
  for (const it of all.items) {
    const r = bySlug.get(it.slug);
    assert.ok(r, `${it.slug} is not a demo record`);
    assert.equal(it.territory?.departement?.code, depOf(r), `${it.slug}: département`);
    assert.equal(it.territory?.region?.code, regionOf(r), `${it.slug}: région`);
  }
  for (const spec of [
    { territory: ['region:84'] },
    { territory: ['region:94'] },
    { territory: ['departement:69'] },
    { territory: ['departement:974'] },
    { territory: ['departement:2A', 'departement:2B'] },
    { territory: ['commune:69123'] },
    { territory: ['arrondissement:75120'] },
    { territory: ['region:53', 'departement:44', 'commune:75056'] },
    { territory: ['region:11'], theme: ['EDU'] },
  ]) {
    const res = await checkFilter(spec, 'territory');
    assert.ok(res.total > 0, `${spec.territory}: the case should select someone`);
  }
  // a bare code is the most local level that has it: 84 is Vaucluse, not the région 84
  const vaucluse = await searchAll({ territory: '84' });
  assertSameSet(vaucluse.slugs, expectedSlugs({ territory: ['departement:84'] }), 'territory=84 (Vaucluse)');
  const unknown = assertError(await api(`${SEARCH}?territory=departement:00`), 400, 'invalid_parameter', 'territory');
  assert.ok(unknown.message.includes('00'), `the message must name the unknown territory: ${unknown.message}`);
});

/** A radius (km, one decimal) near `target` with no record within the slack of the boundary. */
function clearRadius(lat, lon, target) {
  const d = published.map((r) => haversine(lat, lon, r.lat, r.lon));
  for (let r = target; r < target * 1.5 + 5; r = Math.round((r + 0.1) * 10) / 10) {
    const m = r * 1000;
    if (d.every((x) => Math.abs(x - m) > distanceSlack(m) + 50)) return r;
  }
  assert.fail(`no radius near ${target} km around ${lat},${lon} is clear of the records`);
}

const NEAR_CASES = [
  { name: 'Lyon', lat: 45.7578, lon: 4.832, target: 40 },
  { name: 'Paris', lat: 48.8566, lon: 2.3522, target: 12 },
  { name: 'Rennes', lat: 48.1173, lon: -1.6778, target: 120 },
  { name: 'La Réunion', lat: -21.115, lon: 55.536, target: 30 },
  { name: 'Toulouse', lat: 43.6047, lon: 1.4442, target: 400 },
  { name: 'Guyane', lat: 4.9372, lon: -52.326, target: 5 },
];

test('near keeps exactly the records within the radius, each with its distance', async () => {
  for (const c of NEAR_CASES) {
    const km = clearRadius(c.lat, c.lon, c.target);
    const spec = { near: { lat: c.lat, lon: c.lon, km } };
    const res = await checkFilter(spec, `near ${c.name} ${km} km`);
    assert.ok(res.total > 0, `near ${c.name}: the case should select someone`);
    for (const it of res.items) {
      const r = bySlug.get(it.slug);
      const d = haversine(c.lat, c.lon, r.lat, r.lon);
      assert.ok(Number.isInteger(it.distance_m), `near ${c.name}: ${it.slug} has no integer distance_m: ${it.distance_m}`);
      assert.ok(Math.abs(it.distance_m - d) <= distanceSlack(d), `near ${c.name}: ${it.slug} distance_m ${it.distance_m}, expected about ${Math.round(d)}`);
    }
  }
  // a radius with nobody
  assert.equal(clearRadius(46.5, -3.5, 20), 20, 'a record lies about 20 km from the point at sea');
  const none = await checkFilter({ near: { lat: 46.5, lon: -3.5, km: 20 } }, 'near a point at sea');
  assert.equal(none.total, 0, 'near a point at sea');
  // the largest radius allowed
  assert.equal(clearRadius(46.6, 2.5, 500), 500, 'a record lies about 500 km from the centre of France');
  await checkFilter({ near: { lat: 46.6, lon: 2.5, km: 500 } }, 'near the centre of France, 500 km');
});

test('sort=distance orders by distance_m ascending, and near combines with other filters', async () => {
  for (const c of NEAR_CASES) {
    const km = clearRadius(c.lat, c.lon, c.target);
    const res = await searchAll({ near: `${c.lat},${c.lon},${km}`, sort: 'distance' });
    const dist = res.items.map((i) => i.distance_m);
    for (let i = 1; i < dist.length; i++) {
      assert.ok(dist[i - 1] <= dist[i], `near ${c.name}, sort=distance: ${res.slugs[i - 1]} (${dist[i - 1]} m) before ${res.slugs[i]} (${dist[i]} m)`);
    }
    // the order is the one of the true distances, up to what the two measures may disagree on
    for (let i = 1; i < res.items.length; i++) {
      const a = bySlug.get(res.slugs[i - 1]);
      const b = bySlug.get(res.slugs[i]);
      const da = haversine(c.lat, c.lon, a.lat, a.lon);
      const db = haversine(c.lat, c.lon, b.lat, b.lon);
      assert.ok(da <= db + distanceSlack(db), `near ${c.name}: ${a.slug} (${Math.round(da)} m) is sorted before ${b.slug} (${Math.round(db)} m)`);
    }
  }
  const c = NEAR_CASES[4];
  const km = clearRadius(c.lat, c.lon, c.target);
  await checkFilter({ near: { lat: c.lat, lon: c.lon, km }, theme: ['ENV', 'TER'], year_max: 2020 }, 'near + theme + year_max');
  await checkFilter({ near: { lat: c.lat, lon: c.lon, km }, bbox: [-0.50003, 42.00003, 3.00003, 44.00003] }, 'near + bbox');
});

test('bbox keeps exactly the records inside the box', async () => {
  const boxes = [
    [4.00003, 44.50003, 6.50003, 46.00003], // Alps and Rhône valley
    [-5.20003, 47.20003, -1.00003, 48.90003], // Brittany
    [-61.90003, 15.80003, -61.00003, 16.60003], // Guadeloupe
    [1.99997, 48.59997, 2.79997, 49.09997], // Paris and around
    [-180, -90, 180, 90], // the world
    [-40.00003, 40.00003, -30.00003, 45.00003], // the Atlantic
  ];
  for (const bbox of boxes) {
    // no record lies on an edge, so that rounding cannot change the answer
    for (const r of published) {
      for (const [v, e] of [[r.lon, bbox[0]], [r.lat, bbox[1]], [r.lon, bbox[2]], [r.lat, bbox[3]]]) {
        assert.ok(Math.abs(v - e) > 1e-5 || Math.abs(e) === 180 || Math.abs(e) === 90, `test box ${bbox} touches ${r.slug}`);
      }
    }
    await checkFilter({ bbox }, `bbox ${bbox}`);
  }
  const world = await searchAll({ bbox: '-180,-90,180,90' });
  assert.equal(world.total, published.length, 'the whole world holds every record');
  await checkFilter({ bbox: boxes[0], theme: ['ENV'] }, 'bbox + theme');
});

// ---------------------------------------------------------------------------
// Facets

let labelsMemo;
/** Expected labels: vocabularies (fr) for the codes; names seen in the items for régions and départements. */
async function facetLabels() {
  if (labelsMemo) return labelsMemo;
  const voc = (await getJson('/api/v1/vocabularies?lang=fr')).vocabularies;
  const m = {
    theme: new Map(voc.themes.map((x) => [x.code, x.label])),
    subtheme: new Map(voc.themes.flatMap((x) => (x.children || []).map((c) => [c.code, c.label]))),
    public: new Map(voc.publics.map((x) => [x.code, x.label])),
    actor_type: new Map(voc.actor_types.map((x) => [x.code, x.label])),
    scale: new Map(voc.scales.map((x) => [x.code, x.label])),
    stage: new Map(voc.stages.map((x) => [x.code, x.label])),
    region: new Map(),
    departement: new Map(),
  };
  for (const it of (await searchAll({ sort: 'name' })).items) {
    m.region.set(it.territory.region.code, it.territory.region.name);
    m.departement.set(it.territory.departement.code, it.territory.departement.name);
  }
  labelsMemo = m;
  return m;
}

function expectedFacet(spec, facet) {
  const counts = new Map();
  for (const r of published) {
    if (!passes(r, spec, facet)) continue;
    for (const v of new Set(VALUES[facet](r))) counts.set(v, (counts.get(v) || 0) + 1);
  }
  return counts;
}

/** Asks every facet for a filter spec and compares each with a direct count over the demo records. */
async function checkFacets(spec, what, text) {
  const params = { ...toParams(spec, text), facets: ALL_FACETS.join(','), limit: 1 };
  const body = await getJson(`${SEARCH}?${new URLSearchParams(params)}`);
  const labels = await facetLabels();
  assert.ok(body.facets && typeof body.facets === 'object', `${what}: no facets object: ${JSON.stringify(body).slice(0, 300)}`);
  assert.deepEqual(Object.keys(body.facets).sort(), [...ALL_FACETS].sort(), `${what}: facets returned`);
  assert.equal(body.total, expectedSlugs(spec).length, `${what}: total`);
  for (const f of ALL_FACETS) {
    const list = body.facets[f];
    assert.ok(Array.isArray(list), `${what}: facet ${f} is not a list`);
    const got = new Map();
    for (const v of list) {
      assert.equal(typeof v.code, 'string', `${what}: facet ${f}: code ${JSON.stringify(v)}`);
      assert.ok(Number.isInteger(v.count) && v.count > 0, `${what}: facet ${f}: count must be a positive integer: ${JSON.stringify(v)}`);
      assert.ok(!got.has(v.code), `${what}: facet ${f}: ${v.code} listed twice`);
      got.set(v.code, v.count);
      if (labels[f]) assert.equal(v.label, labels[f].get(v.code), `${what}: facet ${f}: label of ${v.code}`);
      else if (f === 'year') assert.equal(v.label, v.code, `${what}: facet year: label of ${v.code}`);
      else assert.equal(typeof v.label, 'string');
    }
    const exp = expectedFacet(spec, f);
    const diffs = [];
    for (const [code, n] of exp) if (got.get(code) !== n) diffs.push(`${code}: expected ${n}, got ${got.get(code) ?? 'nothing'}`);
    for (const [code, n] of got) if (!exp.has(code)) diffs.push(`${code}: expected nothing, got ${n}`);
    assert.equal(diffs.length, 0, `${what}: facet ${f} (its own filter left out):\n  ${diffs.slice(0, 15).join('\n  ')}`);
  }
  return body.facets;
}

test('facet counts equal a direct count over the demo data, each ignoring its own filter', async () => {
  await checkFacets({}, 'no filter');
  await checkFacets({ theme: ['ENV'] }, 'theme=ENV');
  await checkFacets({ theme: ['ENV', 'SOL'], actor_type: ['association'] }, 'theme=ENV,SOL & actor_type=association');
  await checkFacets({ territory: ['region:84'], year_min: 2015 }, 'territory=region:84 & year_min=2015');
  await checkFacets({ territory: ['departement:69', 'departement:2A'], stage: ['developpement'] }, 'two départements & stage');
  await checkFacets({ public: ['jeunes', 'enfants'], scale: ['commune'], year_min: 2014, year_max: 2020 }, 'public, scale, years');
  await checkFacets({ subtheme: ['ALI', 'AGR'], source: ['demo'] }, 'subtheme & source');
  const near = { lat: 45.7578, lon: 4.832, km: clearRadius(45.7578, 4.832, 150) };
  await checkFacets({ near, theme: ['ENV', 'SOL', 'EMP'] }, 'near Lyon & theme');
  await checkFacets({ bbox: [-5.20003, 47.20003, -1.00003, 48.90003], scale: ['commune', 'quartier'] }, 'bbox Brittany & scale');
  // with words: the set matched by the words is taken from the API, the rest is counted here
  for (const q of ['jardin', 'insertion']) {
    const words = new Set((await searchAll({ q })).slugs);
    assert.ok(words.size > 5, `q=${q} finds too little to test facets`);
    await checkFacets({ q: words }, `q=${q}`, q);
    await checkFacets({ q: words, theme: ['ENV'], year_max: 2020 }, `q=${q} & theme=ENV & year_max`, q);
  }
});

test('facets are disjunctive: with theme=ENV the theme facet still gives the other themes their own counts', async () => {
  const plain = await getJson(`${SEARCH}?facets=theme,scale&limit=1`);
  const env = await getJson(`${SEARCH}?theme=ENV&facets=theme,scale&limit=1`);
  const byCode = (list) => new Map(list.map((v) => [v.code, v.count]));
  assert.deepEqual(byCode(env.facets.theme), byCode(plain.facets.theme), 'theme facet with theme=ENV must equal the one without');
  const sol = published.filter((r) => codesOf(r.themes).includes('SOL')).length;
  assert.equal(byCode(env.facets.theme).get('SOL'), sol, 'with theme=ENV, SOL counts the records having SOL');
  // the other facets are narrowed by theme=ENV
  const envScale = byCode(env.facets.scale);
  assert.equal([...envScale.values()].reduce((a, b) => a + b, 0), published.filter((r) => codesOf(r.themes).includes('ENV') && r.scale).length);
  // with a second filter, the theme facet is narrowed by it, not by theme
  const both = await getJson(`${SEARCH}?theme=ENV&scale=commune&facets=theme,scale&limit=1`);
  assert.equal(byCode(both.facets.theme).get('SOL'), published.filter((r) => codesOf(r.themes).includes('SOL') && r.scale === 'commune').length, 'theme=ENV&scale=commune: SOL');
  assert.deepEqual(byCode(both.facets.scale), envScale, 'theme=ENV&scale=commune: the scale facet ignores scale=commune');
  // territory filters neither the région nor the département facet
  const lyon = await getJson(`${SEARCH}?territory=departement:69&facets=region,departement&limit=1`);
  const all = await getJson(`${SEARCH}?facets=region,departement&limit=1`);
  assert.deepEqual(byCode(lyon.facets.departement), byCode(all.facets.departement), 'territory=departement:69: département facet');
  assert.deepEqual(byCode(lyon.facets.region), byCode(all.facets.region), 'territory=departement:69: région facet');
  assert.ok(byCode(lyon.facets.departement).size > 50, 'the département facet lists the other départements');
  // year_min/year_max do not filter the year facet
  const y = await getJson(`${SEARCH}?year_min=2020&facets=year&limit=1`);
  assert.ok(y.facets.year.some((v) => Number(v.code) < 2020), 'year_min=2020: the year facet still lists earlier years');
});

test('only the facets asked are returned; labels follow lang', async () => {
  const none = await getJson(`${SEARCH}?theme=ENV&limit=1`);
  assert.ok(!none.facets || Object.keys(none.facets).length === 0, `no facets asked, got ${JSON.stringify(none.facets)}`);
  const two = await getJson(`${SEARCH}?facets=stage,region&limit=1`);
  assert.deepEqual(Object.keys(two.facets).sort(), ['region', 'stage']);
  const vocEn = (await getJson('/api/v1/vocabularies?lang=en')).vocabularies;
  const en = await getJson(`${SEARCH}?facets=theme&lang=en&limit=1`);
  const labelEn = new Map(vocEn.themes.map((x) => [x.code, x.label]));
  for (const v of en.facets.theme) assert.equal(v.label, labelEn.get(v.code), `lang=en: label of theme ${v.code}`);
});

test('each facet list is ordered by count, then label; years newest first', async () => {
  const body = await getJson(`${SEARCH}?facets=${ALL_FACETS.join(',')}&limit=1`);
  const problems = [];
  for (const f of ALL_FACETS) {
    const list = body.facets[f];
    if (f === 'year') {
      for (let i = 1; i < list.length; i++)
        if (Number(list[i - 1].code) <= Number(list[i].code)) problems.push(`year: ${list[i - 1].code} before ${list[i].code}`);
      continue;
    }
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1];
      const b = list[i];
      if (a.count < b.count) problems.push(`${f}: ${a.code} (${a.count}) before ${b.code} (${b.count})`);
      // among equal counts, by label (checked where byte order and French order agree)
      if (a.count === b.count && a.label !== b.label) {
        const bytes = a.label < b.label ? -1 : 1;
        const french = Math.sign(a.label.localeCompare(b.label, 'fr'));
        if (bytes === french && bytes > 0) problems.push(`${f}: "${a.label}" before "${b.label}" (both ${a.count})`);
      }
    }
  }
  assert.equal(problems.length, 0, `facet order:\n  ${problems.slice(0, 10).join('\n  ')}`);
});

// ---------------------------------------------------------------------------
// Sorts and cursors

const created = (slug) => Date.parse(bySlug.get(slug).created_at);

function assertRecentOrder(items, what) {
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1];
    const b = items[i];
    const ca = created(a.slug);
    const cb = created(b.slug);
    assert.ok(ca > cb || (ca === cb && a.id > b.id), `${what}: ${a.slug} (${bySlug.get(a.slug).created_at}) before ${b.slug} (${bySlug.get(b.slug).created_at})`);
  }
}

/** The order of a French index: accents, case and punctuation ignored (as sc_normalize), then id. */
const nameKey = (t) =>
  t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/œ/g, 'oe').replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, ' ').trim();
function assertNameOrder(items, what) {
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1];
    const b = items[i];
    const ta = nameKey(a.title);
    const tb = nameKey(b.title);
    assert.ok(ta < tb || (ta === tb && a.id < b.id), `${what}: "${a.title}" before "${b.title}"`);
  }
}

test('sort=name orders by title as a French index does: accents and case ignored', async () => {
  const all = await searchAll({ sort: 'name' });
  assert.equal(all.total, published.length);
  assertNameOrder(all.items, 'sort=name');
  for (const it of all.items) assert.equal(it.title, bySlug.get(it.slug).title, `${it.slug}: title`);
  const filtered = await searchAll({ sort: 'name', theme: 'SOL', q: 'solidaire' });
  assert.ok(filtered.total > 5);
  assertNameOrder(filtered.items, 'q=solidaire&theme=SOL&sort=name');
});

test('sort=recent orders by creation, newest first; it is the default without words', async () => {
  const recent = await searchAll({ sort: 'recent' });
  assert.equal(recent.total, published.length);
  assertRecentOrder(recent.items, 'sort=recent');
  const dflt = await searchAll({});
  assert.deepEqual(dflt.slugs, recent.slugs, 'without words the default sort is recent');
  const filtered = await searchAll({ theme: 'ENV', year_min: 2015 });
  assertRecentOrder(filtered.items, 'theme=ENV&year_min=2015 (default sort)');
  const words = await searchAll({ q: 'jardin', sort: 'recent' });
  assertRecentOrder(words.items, 'q=jardin&sort=recent');
});

test('relevance is the default with words; other sorts keep the same results', async () => {
  for (const q of ['jardin partagé', 'insertion', 'solidaire']) {
    const dflt = await searchAll({ q });
    const rel = await searchAll({ q, sort: 'relevance' });
    assert.deepEqual(dflt.slugs, rel.slugs, `q=${q}: the default order must be relevance`);
    const byName = await searchAll({ q, sort: 'name' });
    assertSameSet(byName.slugs, rel.slugs, `q=${q}: sort=name and sort=relevance`);
    assertNameOrder(byName.items, `q=${q}&sort=name`);
  }
  // a title match comes first for a word that is the title of one record only
  const one = await searchAll({ q: 'coutellerie' });
  assert.equal(one.slugs[0], 'atelier-ecole-coutellerie-thiers');
});

test('following next_cursor gives the same sequence as one big page, for every sort', async () => {
  const c = NEAR_CASES[4];
  const near = `${c.lat},${c.lon},${clearRadius(c.lat, c.lon, 300)}`;
  const cases = [
    { sort: 'relevance', q: 'solidaire' },
    { q: 'quartier' },
    { sort: 'recent', theme: 'ENV' },
    { sort: 'name', theme: 'EMP' },
    { sort: 'name', q: 'jeunes' },
    { sort: 'distance', near },
    { sort: 'distance', near, q: 'solidaire' },
    { sort: 'recent', q: 'insertion', territory: 'region:84,region:76,region:75' },
  ];
  for (const params of cases) {
    const whole = await searchAll(params, 100);
    assert.equal(whole.pages.length, 1, `${JSON.stringify(params)}: more than 100 results, pick a narrower case`);
    assert.ok(whole.total >= 10, `${JSON.stringify(params)}: only ${whole.total} results`);
    for (const limit of [1, 7, 13]) {
      if (limit === 1 && whole.total > 60) continue;
      const paged = await searchAll(params, limit);
      assert.deepEqual(paged.slugs, whole.slugs, `${JSON.stringify(params)}: pages of ${limit} differ from one page of 100`);
    }
  }
  // more than one page of 100
  for (const sort of ['name', 'recent']) {
    const a = await searchAll({ sort }, 100);
    const b = await searchAll({ sort }, 33);
    assert.equal(a.total, published.length);
    assert.deepEqual(b.slugs, a.slugs, `sort=${sort}: pages of 33 and of 100 differ`);
  }
});

// ---------------------------------------------------------------------------
// Excerpts

const ENTITY = /&(?:amp|lt|gt|quot|apos|#39|#x27|#\d+|#x[0-9a-f]+);/gi;
function decodeHtml(s) {
  return s.replace(ENTITY, (e) => {
    const m = e.toLowerCase();
    if (m === '&amp;') return '&';
    if (m === '&lt;') return '<';
    if (m === '&gt;') return '>';
    if (m === '&quot;') return '"';
    if (m === '&apos;' || m === '&#39;' || m === '&#x27;') return "'";
    return String.fromCodePoint(m.startsWith('&#x') ? parseInt(m.slice(3), 16) : Number(m.slice(2, -1)));
  });
}
const squash = (s) => s.replace(/\s+/g, ' ').trim();

/**
 * An excerpt: matched words in <mark>, no other markup, '&' only in entities, and once decoded a
 * passage (or passages joined by " … ") of the record's summary and description.
 */
function checkExcerpt(it, prefixes, what) {
  const ex = it.excerpt;
  assert.equal(typeof ex, 'string', `${what}: ${it.slug} has no excerpt`);
  const marks = [...ex.matchAll(/<mark>([^<]*)<\/mark>/g)].map((m) => m[1]);
  assert.ok(marks.length > 0, `${what}: ${it.slug}: no <mark> in ${JSON.stringify(ex)}`);
  for (const m of marks) {
    assert.ok(prefixes.some((p) => fold(decodeHtml(m)).startsWith(p)), `${what}: ${it.slug}: <mark>${m}</mark> is not a searched word`);
  }
  const bare = ex.replace(/<\/?mark>/g, '');
  assert.ok(!/[<>]/.test(bare), `${what}: ${it.slug}: markup other than <mark>: ${JSON.stringify(ex)}`);
  assert.ok(!/&/.test(bare.replace(ENTITY, '')), `${what}: ${it.slug}: a bare '&': ${JSON.stringify(ex)}`);
  assert.ok(!/<mark>\s*<\/mark>/.test(ex), `${what}: ${it.slug}: empty <mark>`);
  checkPassages(it, bare, what);
}

/**
 * The passages of an excerpt (its text without marks, decoded): at most two, each of at most 28 words
 * and found in the record's summary and description; "…" before the first unless it opens the text,
 * after the last unless it ends it, and between two.
 */
function checkPassages(it, bare, what) {
  const r = bySlug.get(it.slug);
  const source = squash(`${r.summary || ''} ${r.description || ''}`);
  let text = decodeHtml(bare);
  const cutBefore = text.startsWith('… ');
  const cutAfter = text.endsWith(' …');
  if (cutBefore) text = text.slice(2);
  if (cutAfter) text = text.slice(0, -2);
  const frags = text.split(' … ');
  assert.ok(frags.length <= 2, `${what}: ${it.slug}: more than two passages: ${JSON.stringify(bare)}`);
  for (const frag of frags) {
    assert.ok(source.includes(squash(frag)), `${what}: ${it.slug}: excerpt passage not found in the record: ${JSON.stringify(frag.slice(0, 200))}`);
    // Words as the excerpt counts them: between spaces, an elided article with its word (« d'acheter »).
    const words = frag.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
    assert.ok(words.length <= 28, `${what}: ${it.slug}: a passage of ${words.length} words: ${JSON.stringify(frag)}`);
  }
  assert.equal(cutBefore, !source.startsWith(squash(frags[0])), `${what}: ${it.slug}: "…" before ${JSON.stringify(frags[0].slice(0, 60))}`);
  assert.equal(cutAfter, !source.endsWith(squash(frags[frags.length - 1])), `${what}: ${it.slug}: "…" after the last passage`);
}

const EXCERPT_CASES = [
  { q: 'orchestre', prefixes: ['orchestr'] },
  { q: 'jardins partagés', prefixes: ['jardin', 'partag'] },
  { q: 'épicerie solidaire', prefixes: ['epicer', 'solidair'] },
  { q: 'insertion', prefixes: ['insert'] },
  { q: 'quartier', prefixes: ['quarti'] },
];

test('excerpt: the searched words in <mark>, everything else escaped text of the record', async () => {
  let apostrophes = 0;
  for (const c of EXCERPT_CASES) {
    const res = await searchAll({ q: c.q });
    assert.ok(res.total > 0, `q=${c.q}`);
    let withMark = 0;
    for (const it of res.items) {
      assert.equal(typeof it.excerpt, 'string', `q=${c.q}: ${it.slug} has no excerpt`);
      if (it.excerpt.includes('<mark>')) {
        checkExcerpt(it, c.prefixes, `q=${c.q}`);
        withMark++;
        if (it.excerpt.includes('&#39;') || it.excerpt.includes('&apos;')) apostrophes++;
      } else {
        // the words may be in the title or the place names only: a passage without marks
        assert.ok(!/[<>]/.test(it.excerpt), `q=${c.q}: ${it.slug}: markup in ${JSON.stringify(it.excerpt)}`);
        checkPassages(it, it.excerpt, `q=${c.q}`);
      }
    }
    assert.ok(withMark > 0, `q=${c.q}: no excerpt with a mark`);
  }
  assert.ok(apostrophes > 0, 'no excerpt showed an escaped apostrophe: the check of escaping saw nothing to escape');
  // no excerpt without words
  const plain = await getJson(`${SEARCH}?theme=ENV&limit=5`);
  for (const it of plain.items) assert.ok(it.excerpt === undefined || it.excerpt === null, `no words, yet an excerpt: ${it.excerpt}`);
});

test('excerpt: a searched word found in the summary or description is marked', async () => {
  const misses = [];
  for (const c of EXCERPT_CASES) {
    const res = await searchAll({ q: c.q });
    const holders = new Set(c.q.split(' ').flatMap((w) => recordsWithWord(w, ['summary', 'description']).map((x) => x.slug)));
    for (const it of res.items) {
      if (holders.has(it.slug) && !String(it.excerpt).includes('<mark>')) misses.push(`q=${c.q}: ${it.slug}: ${JSON.stringify(it.excerpt)}`);
    }
  }
  assert.equal(misses.length, 0, `excerpts without the searched words their record's text holds:\n  ${misses.join('\n  ')}`);
});

test('markup typed in q never reaches the excerpt', async () => {
  for (const q of ['orchestre <b>', '<mark>orchestre</mark>', 'orchestre "><script>']) {
    const res = await api(`${SEARCH}?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, brief(res));
    for (const it of res.json.items) {
      if (typeof it.excerpt !== 'string') continue;
      const bare = it.excerpt.replace(/<\/?mark>/g, '');
      assert.ok(!/[<>]/.test(bare), `q=${q}: ${it.slug}: ${JSON.stringify(it.excerpt)}`);
    }
  }
});

// ---------------------------------------------------------------------------
// Did you mean, accent-free feminine forms

test('a misspelt word is corrected: emplio → emploi', async () => {
  const right = await searchAll({ q: 'emploi' });
  const first = await getJson(`${SEARCH}?q=emploi`);
  assert.notEqual(first.corrected, true, 'q=emploi must not be corrected');
  assert.ok(first.did_you_mean === undefined || first.did_you_mean === null, `q=emploi: did_you_mean ${first.did_you_mean}`);
  const holders = recordsWithWord('emploi').map((x) => x.slug);
  assert.ok(holders.length > 5, 'the demo data should use the word emploi');

  const wrong = await searchAll({ q: 'emplio' });
  for (const p of wrong.pages) {
    assert.equal(p.corrected, true, 'q=emplio: corrected on every page');
    assert.equal(p.did_you_mean, 'emploi', 'q=emplio: did_you_mean');
  }
  assertSameSet(wrong.slugs, right.slugs, 'q=emplio (corrected) and q=emploi');
  for (const s of holders) assert.ok(wrong.slugs.includes(s), `q=emplio: ${s} contains "emploi" and is not found`);
  // the corrected words are searched with the filters
  const filtered = await searchAll({ q: 'emplio', theme: 'SOL' });
  assertSameSet(filtered.slugs, right.items.filter((i) => codesOf(bySlug.get(i.slug).themes).includes('SOL')).map((i) => i.slug), 'q=emplio&theme=SOL');
  assert.equal(filtered.pages[0].corrected, true);
  // a word that exists nowhere and resembles nothing is not "corrected" into noise
  const nothing = await getJson(`${SEARCH}?q=zqxjvwkplm`);
  assert.equal(nothing.total, 0);
  assert.notEqual(nothing.corrected, true, 'q=zqxjvwkplm');
});

test('"jardin partagee" (no accent, feminine) finds the records about "jardins partagés"', async () => {
  const re = /\bjardins? partage(?:e|es|s)?\b/;
  const expected = published
    .filter((r) => re.test(fold([r.title, r.summary, r.description, r.actor_name].join(' \n '))))
    .map((r) => r.slug);
  assert.ok(expected.length >= 5, `only ${expected.length} demo records about jardins partagés`);
  for (const q of ['jardin partagee', 'jardins partagees', 'JARDIN PARTAGÉE', 'jardins partagés']) {
    const res = await searchAll({ q });
    for (const s of expected) assert.ok(res.slugs.includes(s), `q=${q}: ${s} speaks of jardins partagés and is not found`);
    assert.notEqual(res.pages[0].corrected, true, `q=${q} must match without a correction`);
  }
});

// ---------------------------------------------------------------------------
// Bad parameters

test('an unknown code is a 400 naming the parameter and the code', async () => {
  for (const [name, value, bad] of [
    ['theme', 'XXX', 'XXX'],
    ['theme', 'ENV,XXX', 'XXX'],
    ['subtheme', 'ZZZ', 'ZZZ'],
    ['actor_type', 'martian', 'martian'],
    ['public', 'aliens', 'aliens'],
    ['scale', 'galaxy', 'galaxy'],
    ['stage', 'finished', 'finished'],
    ['source', 'elsewhere', 'elsewhere'],
  ]) {
    const e = assertError(await api(`${SEARCH}?${name}=${encodeURIComponent(value)}`), 400, 'invalid_parameter', name);
    assert.ok(e.message.includes(bad), `${name}=${value}: the message must name ${bad}: ${e.message}`);
  }
  // also with words and other valid filters
  const e = assertError(await api(`${SEARCH}?q=jardin&scale=commune&theme=XXX`), 400, 'invalid_parameter', 'theme');
  assert.ok(e.message.includes('XXX'), e.message);
});

test('malformed values are a 400 naming the parameter', async () => {
  const subthemes = [...new Set(published.flatMap(VALUES.subtheme))].sort();
  assert.ok(subthemes.length >= 21, 'the demo data should use at least 21 subthemes');
  const refs = Object.values(REGIONS).flat().slice(0, 21).map((d) => `departement:${d}`);
  const cases = [
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=2.5', 'limit'],
    ['year_min=abc', 'year_min'],
    ['year_min=1799', 'year_min'],
    ['year_max=2101', 'year_max'],
    ['year_max=20x0', 'year_max'],
    ['year_min=2020&year_max=2010', ['year_min', 'year_max']],
    ['near=95,4.8,10', 'near'],
    ['near=-91,4.8,10', 'near'],
    ['near=45.7,181,10', 'near'],
    ['near=45.7,4.8,0', 'near'],
    ['near=45.7,4.8,600', 'near'],
    ['near=45.7,4.8,500.1', 'near'],
    ['near=45.7,4.8,-5', 'near'],
    ['near=45.7,4.8', 'near'],
    ['near=45.7,4.8,10,2', 'near'],
    ['near=a,b,c', 'near'],
    ['bbox=5,45,4,46', 'bbox'],
    ['bbox=4,46,5,45', 'bbox'],
    ['bbox=4,45,4,46', 'bbox'],
    ['bbox=4,45,5', 'bbox'],
    ['bbox=-181,45,5,46', 'bbox'],
    ['bbox=4,-91,5,46', 'bbox'],
    ['bbox=4,45,181,46', 'bbox'],
    ['bbox=a,b,c,d', 'bbox'],
    ['sort=distance', 'sort'],
    ['sort=distance&q=jardin', 'sort'],
    ['sort=popular', 'sort'],
    ['facets=planet', 'facets'],
    ['facets=theme,planet', 'facets'],
    ['theme=ENV,', 'theme'],
    ['theme=EN-V', 'theme'],
    [`subtheme=${subthemes.slice(0, 21).join(',')}`, 'subtheme'],
    [`territory=${refs.join(',')}`, 'territory'],
    ['lang=de', 'lang'],
  ];
  for (const [query, field] of cases) {
    const res = await api(`${SEARCH}?${query}`);
    const fields = Array.isArray(field) ? field : [field];
    assertError(res, 400, 'invalid_parameter');
    assert.ok(fields.includes(res.json.error.field), `${query}: error.field ${res.json.error.field}, expected ${fields.join(' or ')}`);
  }
  // the limits themselves are accepted
  for (const query of [
    'limit=1',
    'limit=100',
    'year_min=1800&year_max=2100',
    'year_min=2016&year_max=2016',
    'near=45.7,4.8,500',
    'near=-90,-180,1',
    'bbox=-180,-90,180,90',
    `subtheme=${subthemes.slice(0, 20).join(',')}`,
    `territory=${refs.slice(0, 20).join(',')}`,
    'facets=theme,subtheme,actor_type,public,scale,stage,source,region,departement,year',
  ]) {
    const res = await api(`${SEARCH}?${query}`);
    assert.equal(res.status, 200, `${query}: ${brief(res)}`);
  }
});

// ---------------------------------------------------------------------------
// Cache

test('X-Cache: MISS for a new search, then HIT with the same bytes', async () => {
  // a radius never asked before (the cache outlives a test run)
  const km = `100.${crypto.randomInt(1, 999999).toString().padStart(6, '0')}1`;
  const p = `${SEARCH}?q=solidaire&near=45.75,4.85,${km}&facets=theme&limit=5`;
  const a = await api(p);
  assert.equal(a.status, 200, brief(a));
  assert.equal(a.headers.get('x-cache'), 'MISS', `first request: ${brief(a)}`);
  const b = await api(p);
  assert.equal(b.headers.get('x-cache'), 'HIT', 'the same request again');
  assert.equal(b.text, a.text, 'a hit gives the same answer');
  const c = await api(p.replace('limit=5', 'limit=6'));
  assert.equal(c.headers.get('x-cache'), 'MISS', 'another limit is another answer');
  const d = await api(`${p}&theme=ENV`);
  assert.equal(d.headers.get('x-cache'), 'MISS', 'another filter is another answer');
  assert.notEqual(d.text, a.text);
});
