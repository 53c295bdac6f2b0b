// The fixture sites on their own, without the harvester: counts, pagination, encodings, conditional
// requests, compression, the hostile behaviours, the control endpoints, and the agreement between the
// pages, the source documents (sources/fixtures/) and the expected records (tests/harvest/expected/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { startFixtureServer } from './fixture-server.mjs';
import { SITES, SLUGS } from './sites/index.mjs';
import { request, text, expected, sourceDoc, parseCsv, websiteKey, fold, HERE, REPO, SITE_NAMES } from './lib.mjs';

let srv;
const get = (p, opt) => request(srv.origin + p, opt);
const control = (p) => request(srv.origin + p, { method: 'POST' });
const log = async () => JSON.parse((await get('/__requests')).body.toString());

before(async () => {
  srv = await startFixtureServer({ port: 0 });
});
after(async () => {
  await srv.close();
});

test('expected records are those the generator writes today', () => {
  const r = spawnSync(process.execPath, [path.join(HERE, 'generate-sites.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr || r.stdout);
});

test('robots.txt disallows the private areas for every agent', async () => {
  const r = await get('/robots.txt');
  assert.equal(r.status, 200);
  assert.match(text(r), /^User-agent: \*$/m);
  assert.match(text(r), /^Disallow: \/spip\/prive\/$/m);
  assert.match(text(r), /^Disallow: \/hostile\/private\/$/m);
});

test('drupal: 10 portraits a page until an empty page, details with every field', async () => {
  const exp = expected('drupal');
  const titles = [];
  let page = 0;
  for (;; page++) {
    const r = await get(`/drupal/portraits?page=${page}`);
    assert.equal(r.status, 200);
    const found = [...text(r).matchAll(/<div class="node node--portrait[^"]*"[^>]*data-nid="(\d+)">\s*<h2[^>]*><a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)];
    if (found.length === 0) break;
    assert.ok(found.length === 10, `page ${page}: ${found.length} items`);
    titles.push(...found.map((m) => [m[1], m[2], unescape(m[3])]));
  }
  assert.equal(page + 1, exp.list_pages);
  assert.deepEqual(titles, exp.records.map((x) => [x.external_id, x.url, x.title]));
  const withAll = exp.records.find((x) => x.website && x.start_year && x.commune_code);
  const d = text(await get(withAll.url));
  assert.match(d, /<div class="chapo">/);
  assert.ok(d.includes(`href="${withAll.website}"`));
  assert.match(d, new RegExp(`<span class="date">[^<]*${withAll.start_year}</span>`));
});

test('joomla: ISO-8859-1 (header on list pages, meta only on details), "Suivante" links to the end', async () => {
  const exp = expected('joomla');
  let p = '/joomla/index.php?option=com_sobi2&Itemid=95&limit=10&limitstart=0';
  const got = [];
  let pages = 0;
  while (p) {
    const r = await get(p);
    pages++;
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=ISO-8859-1');
    const t = text(r, 'latin1');
    assert.doesNotMatch(t, /<meta[^>]*charset/i);
    for (const m of t.matchAll(/<span class="sobi2ItemTitle"><a href="([^"]+)">([^<]+)<\/a>/g)) got.push([m[1].replace(/&amp;/g, '&'), unescape(m[2])]);
    const next = /<a href="([^"]+)" title="Suivante">/.exec(t);
    p = next ? `/joomla/${next[1].replace(/&amp;/g, '&')}` : null;
  }
  assert.equal(pages, exp.list_pages);
  assert.deepEqual(got, exp.records.map((x) => [x.url.replace('/joomla/', ''), x.title]));
  const accented = exp.records.find((x) => /[éèàô]/.test(x.title));
  const r = await get(accented.url);
  assert.equal(r.headers['content-type'], 'text/html');
  assert.match(r.body.toString('latin1'), /<meta charset="iso-8859-1" \/>/);
  assert.ok(r.body.toString('latin1').includes(accented.title), 'title in ISO-8859-1');
  assert.ok(!r.body.toString('latin1').includes(Buffer.from(accented.title, 'utf8').toString('latin1')), 'not UTF-8');
});

test('spip: debut_articles by 10; past the end the last page comes again', async () => {
  const exp = expected('spip');
  const ids = [];
  let last = null;
  let n = 0;
  for (let start = 0; ; start += 10) {
    n++;
    const t = text(await get(`/spip/rubrique2.html?debut_articles=${start}`));
    const page = [...t.matchAll(/<div class="vignette">\s*<a href="article(\d+)\.html">/g)].map((m) => m[1]);
    assert.ok(page.length > 0);
    if (last && page.join() === last.join()) break;
    ids.push(...page);
    last = page;
  }
  assert.equal(n, exp.list_pages);
  assert.deepEqual(ids, exp.records.map((x) => x.external_id));
  assert.equal((await get(exp.records[0].url)).status, 200);
});

test('api: JSON pages p=1… with nested places, an empty page at the end', async () => {
  const exp = expected('api');
  const actions = [];
  let p = 1;
  for (;; p++) {
    const r = await get(`/api/actions?p=${p}`);
    assert.match(r.headers['content-type'], /^application\/json/);
    const j = JSON.parse(text(r));
    assert.equal(j.page, p);
    assert.equal(j.pages, 7);
    if (j.data.actions.length === 0) break;
    actions.push(...j.data.actions);
  }
  assert.equal(p, exp.list_pages);
  assert.deepEqual(actions.map((a) => [String(a.id), a.titre, a.url]), exp.records.map((x) => [x.external_id, x.title, x.url]));
  assert.ok(actions.some((a) => a.lieu && typeof a.lieu.lat === 'number'));
  assert.ok(actions.some((a) => a.lieu && a.lieu.commune && a.lieu.lat === undefined));
  assert.ok(actions.some((a) => a.lieu === null || a.lieu === undefined));
  assert.ok(actions.every((a) => Array.isArray(a.categories)));
});

test('rss: one RSS 2.0 feed of 50 posts with categories', async () => {
  const exp = expected('rss');
  const r = await get('/rss/category/initiatives/feed/');
  assert.match(r.headers['content-type'], /^application\/rss\+xml/);
  const t = text(r);
  const items = [...t.matchAll(/<item>([\s\S]*?)<\/item>/g)].map((m) => m[1]);
  assert.equal(items.length, 50);
  const ids = items.map((i) => /<guid isPermaLink="false">[^<]*\?p=(\d+)<\/guid>/.exec(i)[1]);
  assert.deepEqual(ids, exp.records.map((x) => x.external_id));
  assert.deepEqual(items.map((i) => /<link>([^<]+)<\/link>/.exec(i)[1]), exp.records.map((x) => srv.origin + x.url));
  assert.ok(items.every((i) => i.includes('<category><![CDATA[Initiatives]]></category>')));
});

test('csv: BOM, ";" delimiter, quoted fields with line breaks, ";" and quotes; 50 rows', async () => {
  const exp = expected('csv');
  const r = await get('/csv/export-fabriques-solidaires.csv');
  assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
  const raw = r.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(r.body) : r.body;
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parseCsv(raw.toString('utf8').slice(1), ';');
  const [head, ...data] = rows;
  assert.equal(head[0], 'Identifiant');
  assert.equal(data.length, 50);
  assert.ok(data.every((row) => row.length === head.length), 'every row has every column');
  assert.deepEqual(data.map((row) => row[0]), exp.records.map((x) => x.external_id));
  const desc = data.map((row) => row[head.indexOf('Description')]);
  assert.ok(desc.every((d) => d.includes('\n') && d.includes(';') && d.includes('"')));
});

test('hostile: 404, 500 then 200, a page that never answers, a redirect loop, 20 MB, malformed HTML', async () => {
  const exp = expected('hostile');
  await control('/__reset');
  const list = text(await get('/hostile/projets.html'));
  const links = [...list.matchAll(/<li class="projet"><a href="([^"]+)">/g)].map((m) => `/hostile/${m[1]}`);
  assert.equal(links.length, exp.records.length + exp.errors.length);
  for (const x of exp.records) assert.ok(links.includes(x.url), x.url);
  for (const x of exp.errors) assert.ok(links.includes(x.url), x.url);
  assert.equal((await get('/hostile/projet/disparu.html')).status, 404);
  assert.equal((await get(exp.flaky)).status, 500);
  assert.equal((await get(exp.flaky)).status, 200);
  await control('/__reset');
  assert.equal((await get(exp.flaky)).status, 500, 'the counter starts again after /__reset');
  await assert.rejects(get('/hostile/projet/lent.html', { timeout: 1500 }), { code: 'ETIMEDOUT' });
  const a = await get('/hostile/projet/boucle.html');
  assert.equal(a.status, 302);
  const b = await get(`/hostile/projet/${a.headers.location}`);
  assert.equal(b.status, 302);
  assert.equal(`/hostile/projet/${b.headers.location}`, '/hostile/projet/boucle.html');
  const big = await get('/hostile/projet/enorme.html', { headers: { 'accept-encoding': 'gzip' }, maxBytes: 0, timeout: 60000 });
  assert.equal(big.status, 200);
  assert.ok(big.bytes >= 20 * 1024 * 1024, `${big.bytes} bytes`);
  assert.equal(big.headers['content-length'], undefined);
  assert.ok(big.headers.etag);
  const bad = text(await get('/hostile/projet/page-mal-formee.html'));
  assert.doesNotMatch(bad, /<\/ul>/);
  assert.match(bad, / < /);
});

test('ETag and Last-Modified everywhere; 304 on If-None-Match and If-Modified-Since; gzip when asked', async () => {
  const pages = ['/drupal/portraits?page=0', expected('drupal').records[0].url, '/joomla/index.php?option=com_sobi2&Itemid=95&limit=10&limitstart=0',
    '/spip/rubrique2.html?debut_articles=0', '/api/actions?p=1', '/rss/category/initiatives/feed/', '/csv/export-fabriques-solidaires.csv',
    '/hostile/projets.html', '/robots.txt'];
  for (const p of pages) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers.etag || '', /^"[0-9a-f]{20}"$/, p);
    assert.ok(!Number.isNaN(Date.parse(r.headers['last-modified'])), p);
    assert.equal((await get(p, { headers: { 'if-none-match': r.headers.etag } })).status, 304, p);
    assert.equal((await get(p, { headers: { 'if-none-match': '"other"' } })).status, 200, p);
    assert.equal((await get(p, { headers: { 'if-modified-since': r.headers['last-modified'] } })).status, 304, p);
    assert.equal((await get(p, { headers: { 'if-modified-since': 'Mon, 01 Jan 2018 00:00:00 GMT' } })).status, 200, p);
    const gz = await get(p, { headers: { 'accept-encoding': 'gzip, deflate' } });
    assert.equal(gz.headers['content-encoding'], 'gzip', p);
    assert.ok(zlib.gunzipSync(gz.body).equals(r.body), p);
    assert.equal(gz.headers.etag, r.headers.etag);
    assert.equal(r.headers['content-encoding'], undefined);
  }
});

test('the request log records method, path, status, User-Agent and If-None-Match; /__reset clears it', async () => {
  await control('/__reset');
  await get('/drupal/portraits?page=1', { headers: { 'user-agent': 'SocialConnect-test', 'if-none-match': '"x"' } });
  await get('/nowhere');
  const l = await log();
  assert.equal(l.length, 2);
  assert.deepEqual([l[0].method, l[0].path, l[0].status, l[0].user_agent, l[0].if_none_match], ['GET', '/drupal/portraits?page=1', 200, 'SocialConnect-test', '"x"']);
  assert.equal(l[1].status, 404);
  await control('/__reset');
  assert.deepEqual(await log(), []);
});

test('/__change switches one record to its changed version, and only its pages', async () => {
  const exp = expected('drupal');
  const target = exp.change;
  const before = await get(target.url);
  const list = await get('/drupal/portraits?page=0');
  const other = await get(exp.records.find((x) => x.external_id !== target.id).url);
  const r = await control(`/__change?site=drupal&id=${target.id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body).pages, [target.url]);
  const after = await get(target.url);
  assert.notEqual(after.headers.etag, before.headers.etag);
  assert.ok(Date.parse(after.headers['last-modified']) > Date.parse(before.headers['last-modified']));
  assert.equal((await get(target.url, { headers: { 'if-none-match': before.headers.etag } })).status, 200);
  assert.equal((await get(target.url, { headers: { 'if-modified-since': before.headers['last-modified'] } })).status, 200);
  assert.ok(text(after).includes(target.summary_contains));
  assert.match(text(after), new RegExp(`${target.start_year}</span>`));
  assert.equal((await get('/drupal/portraits?page=0')).headers.etag, list.headers.etag);
  assert.equal((await get(exp.records.find((x) => x.external_id !== target.id).url)).headers.etag, other.headers.etag);
  assert.equal((await control('/__change?site=drupal&id=nope')).status, 404);
  await control('/__unchange');
  assert.equal((await get(target.url)).headers.etag, before.headers.etag);
});

const SHARED = path.resolve(process.env.SC_SHARED_DIR || path.join(REPO, '..', 'shared'));

test('source documents: value maps cover exactly the tags each site uses, with known codes', (t) => {
  const vocabFile = path.join(SHARED, 'vocabularies', 'vocabularies.json');
  if (!fs.existsSync(vocabFile)) return t.skip(`${vocabFile} is missing (set SC_SHARED_DIR)`);
  const vocab = JSON.parse(fs.readFileSync(vocabFile, 'utf8'));
  const themes = new Set(vocab.themes.map((t) => t.code));
  const actors = new Set(vocab.actor_types.map((t) => t.code));
  for (const site of SITE_NAMES) {
    const doc = sourceDoc(SLUGS[site]);
    assert.equal(doc.slug, SLUGS[site]);
    assert.equal(doc.homepage, `http://127.0.0.1:\${SC_FIXTURE_PORT}/${site}/`);
    assert.deepEqual(doc.maps.themes, SITES[site].VOCAB, `${site}: maps.themes`);
    for (const code of Object.values(doc.maps.themes)) assert.ok(themes.has(code), `${site}: ${code}`);
    if (doc.maps.statuts) {
      assert.deepEqual(Object.keys(doc.maps.statuts).sort(), Object.values(SITES[site].STATUTS).sort(), `${site}: maps.statuts`);
      for (const code of Object.values(doc.maps.statuts)) assert.ok(actors.has(code), `${site}: ${code}`);
    }
    for (const x of expected(site).records) {
      for (const code of x.themes) assert.ok(themes.has(code));
      if (x.actor_type) assert.ok(actors.has(x.actor_type));
    }
  }
  return undefined;
});

test('source documents: their XPaths find the expected values in the pages (xmllint)', async (t) => {
  if (spawnSync('xmllint', ['--version']).error) return t.skip('xmllint is not installed');
  const xpath = (html, expr) => {
    const r = spawnSync('xmllint', ['--html', '--xpath', `string(${expr})`, '-'], { input: html });
    return r.stdout.toString('utf8').trim();
  };
  const cases = {
    drupal: { rec: (e) => e.records.find((x) => x.start_year && x.website && x.commune_code) },
    joomla: { rec: (e) => e.records.find((x) => x.start_year && x.website && x.commune_code && /[éè]/.test(x.title)) },
    spip: { rec: (e) => e.records.find((x) => x.start_year && x.website && x.commune_code) },
    hostile: { rec: (e) => e.records.find((x) => x.url.includes('mal-formee')) },
  };
  for (const [site, c] of Object.entries(cases)) {
    const doc = sourceDoc(SLUGS[site]);
    const x = c.rec(expected(site));
    const page = (await get(x.url)).body;
    // libxml2 reads <meta charset> itself: give it the bytes as served.
    for (const [name, spec] of Object.entries(doc.fields)) {
      if (spec.from !== 'detail') continue;
      const v = xpath(page, spec.path.replace(/\/@([a-z-]+)$/, '/@$1'));
      if (['summary', 'description', 'actor_name', 'commune', 'themes'].includes(name)) assert.ok(v, `${site}: ${name} (${spec.path}) is empty on ${x.url}`);
      if (name === 'website') assert.equal(v, x.website, `${site}: website`);
      if (name === 'start_year') assert.match(v, new RegExp(String(x.start_year)), `${site}: start_year`);
    }
  }
});

test('expected records: real INSEE codes, duplicates that exist on both sides and match as documented', (t) => {
  const geo = path.join(SHARED, 'geodata', 'communes');
  if (!fs.existsSync(geo)) t.diagnostic(`${geo} is missing: commune codes not checked (set SC_SHARED_DIR)`);
  const codes = new Set();
  const all = {};
  for (const site of SITE_NAMES) {
    all[SLUGS[site]] = new Map(expected(site).records.map((x) => [x.external_id, x]));
    for (const x of expected(site).records) if (x.commune_code) codes.add(x.commune_code);
  }
  if (fs.existsSync(geo)) {
    for (const code of codes) {
      const dep = code.startsWith('97') ? code.slice(0, 3) : code.slice(0, 2);
      const g = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(geo, `${dep}.geojson.gz`))));
      assert.ok(g.features.some((f) => f.properties.code === code), `no commune ${code}`);
    }
  }
  const dups = JSON.parse(fs.readFileSync(path.join(HERE, 'expected', 'duplicates.json'), 'utf8'));
  assert.equal(dups.length, 30);
  const titleKey = (s) => fold(s).replace(/[^a-z0-9]+/g, ' ').trim();
  for (const d of dups) {
    const a = all[d.a.source].get(d.a.external_id);
    const b = all[d.b.source].get(d.b.external_id);
    assert.ok(a && b, JSON.stringify(d));
    assert.equal(a.commune_code, b.commune_code);
    assert.ok(a.commune_code);
    assert.deepEqual(a.themes, b.themes);
    assert.equal(a.start_year, b.start_year);
    if (d.match === 'title') assert.equal(titleKey(a.title), titleKey(b.title));
    else assert.equal(websiteKey(a.website), websiteKey(b.website));
  }
  // Nothing else may match: titles+communes and websites are unique outside the pairs.
  const paired = new Set(dups.flatMap((d) => [`${d.a.source}/${d.a.external_id}`, `${d.b.source}/${d.b.external_id}`]));
  const seenT = new Map();
  const seenW = new Map();
  for (const [slug, m] of Object.entries(all)) {
    for (const x of m.values()) {
      if (paired.has(`${slug}/${x.external_id}`)) continue;
      const k = `${titleKey(x.title)}|${x.commune_code}`;
      assert.ok(!seenT.has(k), `unexpected duplicate title: ${x.title}`);
      seenT.set(k, x);
      if (x.website) {
        assert.ok(!seenW.has(websiteKey(x.website)), `unexpected duplicate website: ${x.website}`);
        seenW.set(websiteKey(x.website), x);
      }
    }
  }
});

function unescape(s) {
  return s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
