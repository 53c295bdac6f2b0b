#!/usr/bin/env node
// Writes what a correct harvest of the fixture sites must yield, from the same data the fixture server
// serves (tests/harvest/sites/): tests/harvest/expected/<site>.json and expected/duplicates.json.
//
//   node tests/harvest/generate-sites.mjs            (re)writes tests/harvest/expected/
//   node tests/harvest/generate-sites.mjs --check    exits 1 when the committed files differ
//   node tests/harvest/generate-sites.mjs --out DIR  also saves every page of the sites under DIR, to read
//                                                    them (needs no server; origin http://127.0.0.1:18090)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedAll, entriesOf, route, SITES } from './sites/index.mjs';
import { catalogue, changedEntry } from './sites/data.mjs';
import { BAD, FLAKY } from './sites/hostile.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, 'expected');

function files() {
  const all = expectedAll();
  const { pairs } = catalogue();
  const inPair = new Set(pairs.flatMap(({ a, b }) => [a, b]));
  // The record a test switches with POST /__change: a Drupal portrait on no other site, with a year.
  const target = entriesOf('drupal').find((e) => !inPair.has(catalogue().sites.drupal[e.n]) && e.year && e.commune && e.n >= 20);
  const after = changedEntry(target);
  all.drupal.change = {
    id: SITES.drupal.keyOf(target),
    url: all.drupal.records[target.n].url,
    start_year: after.year,
    summary_contains: 'Nouveau : un second lieu a ouvert ses portes.',
  };
  all.hostile.errors = BAD.map(([url, , what, reason]) => ({ url, what, reason }));
  all.hostile.flaky = FLAKY;
  const out = {};
  for (const site of Object.keys(SITES)) out[`${site}.json`] = all[site];
  out['duplicates.json'] = all.duplicates;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, `${JSON.stringify(v, null, 2)}\n`]));
}

function dump(dir) {
  const origin = 'http://127.0.0.1:18090';
  const seen = new Set();
  const queue = ['/drupal/portraits?page=0', '/joomla/index.php?option=com_sobi2&Itemid=95&limit=10&limitstart=0',
    '/spip/rubrique2.html?debut_articles=0', '/api/actions?p=1', '/rss/category/initiatives/feed/',
    '/csv/export-fabriques-solidaires.csv', '/hostile/projets.html'];
  for (let p = 1; p <= 8; p++) queue.push(`/api/actions?p=${p}`);
  for (let p = 0; p <= 10; p++) queue.push(`/drupal/portraits?page=${p}`);
  while (queue.length) {
    const p = queue.shift();
    if (seen.has(p)) continue;
    seen.add(p);
    const url = new URL(p, origin);
    const d = route(url, { changed: new Set(), origin });
    if (!d || !d.body) continue;
    const file = path.join(dir, url.pathname.replace(/\/$/, '/index') + (url.search ? `__${url.search.slice(1).replace(/[^A-Za-z0-9=_-]+/g, '_')}` : ''));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, d.body);
    if (!/html/.test(d.type)) continue;
    const text = Buffer.isBuffer(d.body) ? d.body.toString('latin1') : d.body;
    for (const m of text.matchAll(/href="([^"#]+)/g)) {
      const u = new URL(m[1].replace(/&amp;/g, '&'), url);
      if (u.origin === origin && !u.pathname.includes('/private/') && !u.pathname.includes('/prive/') && !u.pathname.startsWith('/hostile/projet/')) queue.push(u.pathname + u.search);
    }
  }
  return seen.size;
}

const args = process.argv.slice(2);
const wanted = files();
if (args.includes('--check')) {
  const stale = Object.entries(wanted).filter(([f, text]) => {
    try {
      return fs.readFileSync(path.join(outDir, f), 'utf8') !== text;
    } catch {
      return true;
    }
  });
  if (stale.length) {
    console.error(`tests/harvest/expected is stale: ${stale.map(([f]) => f).join(', ')} (run node tests/harvest/generate-sites.mjs)`);
    process.exit(1);
  }
  console.log('tests/harvest/expected is up to date');
} else {
  fs.mkdirSync(outDir, { recursive: true });
  for (const [f, text] of Object.entries(wanted)) fs.writeFileSync(path.join(outDir, f), text);
  console.log(`wrote ${Object.keys(wanted).length} files in ${path.relative(process.cwd(), outDir) || '.'}`);
}
const o = args.indexOf('--out');
if (o >= 0) console.log(`saved ${dump(args[o + 1])} pages under ${args[o + 1]}`);
