// Randomized search bench: requests nobody tuned for, drawn at random from the whole space people
// use, labelled with their kind. Node alone (no package), psql for the database.
//
//   node bench-search-random.mjs draw BASE_URL N OUT.jsonl   draws N requests (seed: SC_BENCH_SEED,
//        else a new one, printed), fetching page 1 (and 2) of the paged ones for their cursor
//   node bench-search-random.mjs api BASE_URL IN.jsonl        plays them once against the API
//   node bench-search-random.mjs sphinx PORT IN.jsonl         plays the same requests, translated to
//        SphinxQL (bench-search-sphinx.mjs), against searchd
//   node bench-search-random.mjs compare API.json [SPHINX.json]  the two summaries as one table
//        (each player writes its summary to the file SC_BENCH_SUMMARY names)
// Both players use the same client code: SC_BENCH_CONNECTIONS (default 8) requests in flight, each
// request once, in the file's order; latency per request from send to the last byte read. They print
// a table (kind, count, p50, p99) and a JSON summary line ("summary: {...}").
//
// What is drawn (every choice is random, weighted as people search):
// - words from the search lexicon (search_lexicon: every word of the published initiatives with the
//   number of initiatives holding it), stop words left out, in three classes of document frequency:
//   rare (≤ 0.01 % of the initiatives), common, very common (≥ 1 %), and mixes drawn ∝ frequency;
// - phrases: 2–3 consecutive words of a real description; `-word`; `OR`; typos (a letter changed,
//   dropped, doubled or two swapped, in a common word);
// - filters: theme, subtheme, actor_type, public, scale, stage, source, territory (région,
//   département, commune, drawn by population), year_min/year_max, near+radius, bbox at four sizes,
//   alone, or two or three together, with or without words;
// - facets: one to five of the ten kinds on a third of the requests; sort: relevance, recent, name,
//   distance (with near); page 2 or 3 through the cursors returned.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const [mode, target, arg, file] = process.argv.slice(2);
const CONNECTIONS = Number(process.env.SC_BENCH_CONNECTIONS || 8);

// --- seeded randomness (mulberry32) --------------------------------------------------------------
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rnd;
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const chance = (p) => rnd() < p;
const intIn = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
function weighted(entries) {
  // entries: [[value, weight], ...]
  const total = entries.reduce((s, e) => s + e[1], 0);
  let x = rnd() * total;
  for (const [v, w] of entries) if ((x -= w) < 0) return v;
  return entries[entries.length - 1][0];
}
function sample(xs, n) {
  const copy = xs.slice();
  const out = [];
  while (out.length < n && copy.length) out.push(copy.splice(Math.floor(rnd() * copy.length), 1)[0]);
  return out;
}

function psql(sql) {
  return execFileSync('psql', ['-X', '-qtA', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

// --- drawing ----------------------------------------------------------------------------------
const FACETS = ['theme', 'subtheme', 'actor_type', 'public', 'scale', 'stage', 'source', 'region', 'departement', 'year'];
const FILTERS = ['theme', 'subtheme', 'actor_type', 'public', 'scale', 'stage', 'source', 'territory', 'year', 'near', 'bbox'];

function loadCorpus() {
  const total = Number(psql("SELECT count(*) FROM initiative WHERE status = 'published'")[0][0]);
  // Stop words carry no search: those the French configuration drops are left out.
  const words = psql(`SELECT word, ndoc FROM search_lexicon
                       WHERE word ~ '^[a-z]{3,}$' AND to_tsvector('sc_french', word) <> ''::tsvector
                       ORDER BY word`).map(([w, n]) => [w, Number(n)]);
  const rare = words.filter(([, n]) => n <= Math.max(2, total * 0.0001));
  const very = words.filter(([, n]) => n >= total * 0.01);
  const common = words.filter(([, n]) => n > Math.max(2, total * 0.0001) && n < total * 0.01);
  // ∝ document frequency: cumulative table for a binary search.
  const cum = [];
  let s = 0;
  for (const [, n] of words) cum.push((s += n));
  const byFreq = () => {
    const x = rnd() * s;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return words[lo][0];
  };
  const vocab = {};
  for (const [kind, code] of psql("SELECT kind, code FROM vocabulary WHERE kind <> 'method' ORDER BY kind, code")) {
    (vocab[kind] ||= []).push(code);
  }
  const sources = psql('SELECT DISTINCT s.code FROM source s JOIN source_record r ON r.source_id = s.id ORDER BY 1').map((r) => r[0]);
  const regions = psql("SELECT code, population FROM territory WHERE level = 'region' ORDER BY code").map(([c, p]) => [c, Number(p) || 1]);
  const departements = psql("SELECT code, population FROM territory WHERE level = 'departement' ORDER BY code").map(([c, p]) => [c, Number(p) || 1]);
  // Communes by population (the 3,000 largest hold most people; small ones are drawn too).
  const communes = psql(`SELECT code, population, round(ST_Y(point)::numeric, 4), round(ST_X(point)::numeric, 4)
                           FROM territory WHERE level = 'commune' AND point IS NOT NULL AND population > 0
                          ORDER BY code`).map(([c, p, lat, lon]) => [{ code: c, lat: Number(lat), lon: Number(lon) }, Number(p)]);
  // Phrases: consecutive words of real descriptions.
  const phrases = psql(`SELECT description FROM initiative TABLESAMPLE SYSTEM (0.2) REPEATABLE (7)
                         WHERE status = 'published' LIMIT 400`).map((r) => r[0]);
  return { total, rare, common, very, byFreq, vocab, sources, regions, departements, communes, phrases };
}

function typo(word) {
  const i = intIn(1, word.length - 2);
  switch (intIn(0, 3)) {
    case 0: return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1: return word.slice(0, i) + word.slice(i + 1);
    case 2: return word.slice(0, i) + word[i] + word.slice(i);
    default: return word.slice(0, i) + pick('aeioulnrst'.split('').filter((c) => c !== word[i])) + word.slice(i + 1);
  }
}

function phrase(c) {
  for (let t = 0; t < 20; t++) {
    const text = pick(c.phrases).toLowerCase().replace(/[^a-zà-ÿœæ' -]+/g, ' ');
    const ws = text.split(/\s+/).filter((w) => /^[a-zà-ÿœæ]{3,}$/.test(w));
    if (ws.length < 4) continue;
    const n = intIn(2, 3);
    const at = intIn(0, ws.length - n);
    // Consecutive in the text (only words of 3+ letters kept, so check the original order).
    const cand = ws.slice(at, at + n).join(' ');
    if (text.includes(cand)) return `"${cand}"`;
  }
  return `"${c.byFreq()} ${c.byFreq()}"`;
}

function drawWords(c, kind) {
  switch (kind) {
    // A class with no word (a small corpus) falls back to a word drawn by frequency.
    case 'word, rare': return c.rare.length ? pick(c.rare)[0] : c.byFreq();
    case 'word, common': return c.common.length ? pick(c.common)[0] : c.byFreq();
    case 'word, very common': return c.very.length ? pick(c.very)[0] : c.byFreq();
    case '2-3 words': return Array.from({ length: intIn(2, 3) }, () => c.byFreq()).join(' ');
    case '4-6 words': return Array.from({ length: intIn(4, 6) }, () => c.byFreq()).join(' ');
    case 'phrase': return phrase(c);
    case '-word': return `${c.byFreq()} -${c.byFreq()}`;
    case 'OR': return Array.from({ length: intIn(2, 3) }, () => c.byFreq()).join(' OR ');
    case 'typo': {
      const pool = c.common.concat(c.very).filter(([x]) => x.length >= 5);
      return typo(pool.length ? pick(pool)[0] : c.byFreq().padEnd(5, 'e'));
    }
    default: return null;
  }
}

function drawFilter(c, name, p) {
  const codes = (kind) => sample(c.vocab[kind], chance(0.8) ? 1 : 2).join(',');
  switch (name) {
    case 'theme': case 'subtheme': case 'actor_type': case 'public': case 'scale': case 'stage':
      p[name] = codes(name);
      return name;
    case 'source':
      p.source = sample(c.sources, chance(0.8) ? 1 : 2).join(',');
      return 'source';
    case 'territory': {
      const level = weighted([['region', 3], ['departement', 4], ['commune', 3]]);
      const code = level === 'region' ? weighted(c.regions) : level === 'departement' ? weighted(c.departements) : weighted(c.communes).code;
      p.territory = `${level}:${code}`;
      return `territory:${level}`;
    }
    case 'year': {
      const lo = intIn(1990, 2024);
      const which = weighted([['min', 1], ['max', 1], ['both', 2]]);
      if (which !== 'max') p.year_min = String(lo);
      if (which !== 'min') p.year_max = String(which === 'both' ? intIn(lo, 2025) : lo);
      return `year:${which}`;
    }
    case 'near': {
      const at = weighted(c.communes);
      const km = pick([1, 2, 5, 10, 25, 50, 100, 200]);
      p.near = `${at.lat},${at.lon},${km}`;
      return 'near';
    }
    case 'bbox': {
      const at = weighted(c.communes);
      const size = pick([0.02, 0.1, 0.5, 2]);
      const f = (x) => x.toFixed(4);
      p.bbox = [f(at.lon - size), f(at.lat - size * 0.7), f(at.lon + size), f(at.lat + size * 0.7)].join(',');
      return `bbox:${size}`;
    }
  }
  throw new Error(name);
}

function drawOne(c) {
  const base = weighted([
    ['word, rare', 6], ['word, common', 8], ['word, very common', 6], ['2-3 words', 10], ['4-6 words', 5],
    ['phrase', 5], ['-word', 4], ['OR', 4], ['typo', 5],
    ['1 filter', 12], ['2 filters', 8], ['3 filters', 5], ['words + filters', 12],
  ]);
  const p = {};
  const filters = [];
  let kind = base;
  if (base === 'words + filters') {
    p.q = drawWords(c, pick(['word, common', 'word, very common', '2-3 words', 'phrase', 'word, rare']));
    for (const f of sample(FILTERS, intIn(1, 2))) filters.push(drawFilter(c, f, p));
  } else if (base.endsWith('filter') || base.endsWith('filters')) {
    for (const f of sample(FILTERS, Number(base[0]))) filters.push(drawFilter(c, f, p));
  } else {
    p.q = drawWords(c, base);
  }
  if (chance(0.35)) p.facets = sample(FACETS, intIn(1, 5)).join(',');
  const sorts = ['relevance', 'recent', 'name'];
  if (p.near) sorts.push('distance', 'distance');
  if (chance(0.3)) p.sort = pick(sorts);
  return { kind, filters, params: p };
}

const pathOf = (params) =>
  '/api/v1/search?' + Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

async function getJson(base, path) {
  const r = await fetch(base + path);
  if (!r.ok) throw new Error(`${r.status} ${path}: ${(await r.text()).slice(0, 200)}`);
  return r.json();
}

async function draw(base, n, out) {
  const seed = process.env.SC_BENCH_SEED ? Number(process.env.SC_BENCH_SEED) : Math.floor(Math.random() * 2 ** 31);
  console.log(`random search bench: seed ${seed} (SC_BENCH_SEED=${seed} draws the same requests on the same data)`);
  rnd = rng(seed);
  const c = loadCorpus();
  console.log(`random search bench: ${c.total} initiatives; lexicon ${c.rare.length} rare, ${c.common.length} common, ${c.very.length} very common words`);
  const lines = [];
  while (lines.length < n) {
    const r = drawOne(c);
    // A tenth of the requests are page 2 or 3, reached through the cursor as the UI does.
    if (chance(0.1)) {
      const pages = intIn(2, 3);
      let path = pathOf(r.params);
      let ok = true;
      for (let k = 1; k < pages && ok; k++) {
        // A page the API cannot answer (an error, a timeout) gives no cursor: another request is drawn.
        const page = await getJson(base, path).catch((e) => {
          console.log(`random search bench: page ${k} not answered, request skipped (${e.message.slice(0, 120)})`);
          return {};
        });
        if (!page.next_cursor) ok = false;
        else path = pathOf({ ...r.params, cursor: page.next_cursor });
      }
      if (!ok) continue;
      lines.push({ kind: r.kind, page: pages, filters: r.filters, params: r.params, path });
    } else {
      lines.push({ kind: r.kind, page: 1, filters: r.filters, params: r.params, path: pathOf(r.params) });
    }
  }
  writeFileSync(out, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  console.log(`random search bench: ${lines.length} requests written to ${out}`);
}

// --- playing ------------------------------------------------------------------------------------
// The same loop for both engines: `send(req)` resolves when the whole answer is read.
async function play(reqs, send) {
  const lat = new Array(reqs.length);
  const errors = [];
  let next = 0;
  const t0 = performance.now();
  async function lane() {
    while (next < reqs.length) {
      const i = next++;
      const s = performance.now();
      try {
        await send(reqs[i]);
      } catch (e) {
        errors.push(`${reqs[i].path}: ${e.message}`);
      }
      lat[i] = performance.now() - s;
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  return { lat, errors, seconds: (performance.now() - t0) / 1000 };
}

const pct = (xs, q) => {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1)];
};
const ms = (x) => (Number.isNaN(x) ? '–' : x < 10 ? x.toFixed(1) : Math.round(x).toString());

// Rows: each kind, then cross-cutting groups (facets, sort, page, filter kinds).
function groups(reqs) {
  const g = new Map();
  const add = (name, i) => {
    if (!g.has(name)) g.set(name, []);
    g.get(name).push(i);
  };
  reqs.forEach((r, i) => {
    add(`kind: ${r.kind}`, i);
    if (r.params.facets) add(`with facets (${r.params.facets.split(',').length <= 2 ? '1-2' : '3-5'})`, i);
    if (r.params.sort) add(`sort=${r.params.sort}`, i);
    if (r.page > 1) add(`page ${r.page}`, i);
    for (const f of r.filters) add(`filter ${f.split(':')[0] === 'bbox' || f.startsWith('year') ? f.split(':')[0] : f}`, i);
  });
  return [...g.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function report(label, reqs, res) {
  const all = res.lat;
  const rps = reqs.length / res.seconds;
  console.log(`\n${label}: ${reqs.length} requests, ${CONNECTIONS} in flight, ${res.seconds.toFixed(1)} s, ${rps.toFixed(1)} requests/s, p50 ${ms(pct(all, 50))} ms, p99 ${ms(pct(all, 99))} ms, ${res.errors.length} errors`);
  for (const e of res.errors.slice(0, 5)) console.log(`  error: ${e}`);
  console.log('\n| kind | n | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|');
  const per = {};
  for (const [name, idx] of groups(reqs)) {
    const xs = idx.map((i) => all[i]);
    per[name] = { n: xs.length, p50: pct(xs, 50), p99: pct(xs, 99) };
    console.log(`| ${name} | ${xs.length} | ${ms(pct(xs, 50))} | ${ms(pct(xs, 99))} | ${ms(Math.max(...xs))} |`);
  }
  console.log(`| all | ${all.length} | ${ms(pct(all, 50))} | ${ms(pct(all, 99))} | ${ms(Math.max(...all))} |`);
  const summary = { label, n: reqs.length, seconds: res.seconds, rps, p50: pct(all, 50), p99: pct(all, 99), errors: res.errors.length, per };
  if (process.env.SC_BENCH_SUMMARY) writeFileSync(process.env.SC_BENCH_SUMMARY, JSON.stringify(summary));
}

// The two players' summaries side by side, as markdown rows for var/bench/last.md.
function compare(apiFile, sphinxFile) {
  const a = JSON.parse(readFileSync(apiFile, 'utf8'));
  const b = sphinxFile ? JSON.parse(readFileSync(sphinxFile, 'utf8')) : null;
  const r = (x, y) => (y > 0 ? (x / y).toFixed(2) : '–');
  console.log('| requests of the kind | n | API p50 ms | API p99 ms | Sphinx p50 ms | Sphinx p99 ms | p50 API/Sphinx |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, x] of Object.entries(a.per)) {
    const y = b && b.per[name];
    console.log(`| ${name} | ${x.n} | ${ms(x.p50)} | ${ms(x.p99)} | ${y ? ms(y.p50) : '–'} | ${y ? ms(y.p99) : '–'} | ${y ? r(x.p50, y.p50) : '–'} |`);
  }
  console.log(`| **all** | ${a.n} | ${ms(a.p50)} | ${ms(a.p99)} | ${b ? ms(b.p50) : '–'} | ${b ? ms(b.p99) : '–'} | ${b ? r(a.p50, b.p50) : '–'} |`);
  console.log(`| **requests/s** | | ${a.rps.toFixed(1)} | | ${b ? b.rps.toFixed(1) : '–'} | | Sphinx/API ${b ? r(b.rps, a.rps) : '–'} |`);
  console.log(`| errors | | ${a.errors} | | ${b ? b.errors : '–'} | | |`);
}

async function playApi(base, inFile) {
  const reqs = readFileSync(inFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const send = (r) =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: url.hostname, port: url.port, path: r.path, agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
    });
  const res = await play(reqs, send);
  agent.destroy();
  report('API', reqs, res);
}

async function playSphinx(port, inFile) {
  const { SphinxClient, translate } = await import('./bench-search-sphinx.mjs');
  const reqs = readFileSync(inFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  // Translated before the clock starts, as the API parses its parameters inside its own time.
  const stmts = new Map(reqs.map((r) => [r, translate(r)]));
  const free = [];
  for (let k = 0; k < CONNECTIONS; k++) free.push(await SphinxClient.connect('127.0.0.1', Number(port)));
  const pool = free.slice();
  const send = async (r) => {
    const conn = free.pop();
    try {
      await conn.batch(stmts.get(r));
    } finally {
      free.push(conn);
    }
  };
  const res = await play(reqs, send);
  for (const c of pool) c.close();
  report('Sphinx (SphinxQL)', reqs, res);
}

if (mode === 'draw') await draw(target, Number(arg), file);
else if (mode === 'api') await playApi(target, arg);
else if (mode === 'sphinx') await playSphinx(target, arg);
else if (mode === 'compare') compare(target, arg);
else {
  console.error('usage: bench-search-random.mjs draw BASE N OUT | api BASE IN | sphinx PORT IN | compare API.json [SPHINX.json]');
  process.exit(2);
}
