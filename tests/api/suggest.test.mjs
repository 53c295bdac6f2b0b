// Suggestions while typing in the search box: initiative titles, territories and themes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { api, getJson, assertError, brief, loadDemo, fold, newRequestId, waitUntil, API_LOG, useSharedStack } from './helpers.mjs';

useSharedStack();

const suggest = (q, extra = '') => getJson(`/api/v1/suggest?q=${encodeURIComponent(q)}${extra}`);

/** A title as the API compares it: lower case, no accents, punctuation folded to single spaces. */
const norm = (s) => fold(s).replace(/[^a-z0-9]+/g, ' ').trim();

function checkShape(body) {
  assert.deepEqual(Object.keys(body).sort(), ['initiatives', 'territories', 'themes']);
  for (const i of body.initiatives) {
    // The commune, when known, tells apart initiatives of the same name.
    assert.deepEqual(Object.keys(i).filter((k) => k !== 'place').sort(), ['id', 'slug', 'title'], JSON.stringify(i));
    if ('place' in i) assert.ok(typeof i.place === 'string' && i.place.length > 0, JSON.stringify(i));
    assert.ok(Number.isInteger(i.id) && i.id > 0, `id ${i.id}`);
    assert.equal(typeof i.title, 'string');
    assert.match(i.slug, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  }
  for (const t of body.territories) {
    assert.equal(t.ref, `${t.level}:${t.code}`);
    assert.equal(typeof t.name, 'string');
  }
  for (const t of body.themes) {
    assert.deepEqual(Object.keys(t).sort(), ['code', 'kind', 'label'], JSON.stringify(t));
    assert.ok(['theme', 'subtheme'].includes(t.kind), `kind ${t.kind}`);
  }
}

/**
 * Demo records with the shortest beginning of their title, cut inside a word as people type it,
 * that no other demo title starts with.
 */
function uniquePrefixes(count) {
  const titles = loadDemo().published.map((r) => ({ r, n: norm(r.title) }));
  const out = [];
  for (const { r, n } of titles) {
    for (let len = 6; len < r.title.length; len++) {
      const typed = r.title.slice(0, len);
      const nt = norm(typed);
      if (nt.length < 4 || /[^\p{L}]$/u.test(typed)) continue;
      if (titles.filter((t) => t.n.startsWith(nt)).length === 1) {
        out.push({ record: r, typed });
        break;
      }
    }
    if (out.length === count) break;
  }
  assert.equal(out.length, count, 'not enough demo titles with a distinctive beginning');
  return out;
}

test('the beginning of a title suggests that initiative first', async () => {
  for (const { record, typed } of uniquePrefixes(6)) {
    const body = await suggest(typed);
    checkShape(body);
    assert.ok(body.initiatives.length > 0, `nothing for ${typed}`);
    assert.equal(body.initiatives[0].slug, record.slug, `${typed} → ${body.initiatives.map((i) => i.title).join(' | ')}`);
    assert.equal(body.initiatives[0].title, record.title);
    // Without accents and in capitals, as typed on a phone or with caps lock on.
    const shouted = await suggest(fold(typed).toUpperCase());
    assert.deepEqual(shouted.initiatives, body.initiatives, `${fold(typed).toUpperCase()} differs from ${typed}`);
  }
});

test('titles starting with the text come before titles containing its words', async () => {
  const body = await suggest('jardin', '&limit=10');
  const titles = body.initiatives.map((i) => norm(i.title));
  assert.ok(titles.length > 0, 'jardin suggests no initiative');
  for (const t of titles) assert.match(t, /(^| )jardin/, `${t} has no word starting with jardin`);
  const firstOther = titles.findIndex((t) => !t.startsWith('jardin'));
  if (firstOther >= 0)
    assert.ok(titles.slice(firstOther).every((t) => !t.startsWith('jardin')), `prefix matches first: ${titles.join(' | ')}`);
  // Within one tier, the most recent first.
  const prefixed = body.initiatives.filter((i) => norm(i.title).startsWith('jardin'));
  const dates = await Promise.all(prefixed.map((i) => getJson(`/api/v1/initiatives/${i.id}`).then((d) => d.created_at)));
  for (let k = 1; k < dates.length; k++) assert.ok(dates[k - 1] >= dates[k], `not newest first: ${dates.join(', ')}`);
});

test('the typed words may come in any order, the last one unfinished', async () => {
  const both = (title) => ` ${norm(title)}`.includes(' partages') && ` ${norm(title)}`.includes(' jard');
  const expected = loadDemo().published.filter((r) => both(r.title)).map((r) => r.slug);
  assert.ok(expected.length > 0 && expected.length <= 10, `demo titles with both words: ${expected.length}`);
  const body = await suggest('partagés jard', '&limit=10');
  const got = body.initiatives.map((i) => i.slug);
  assert.deepEqual(got.slice(0, expected.length).sort(), [...expected].sort(), `partagés jard → ${body.initiatives.map((i) => i.title).join(' | ')}`);
  // Titles merely resembling the text may follow, never precede.
  for (const i of body.initiatives.slice(expected.length)) assert.ok(!both(i.title), `${i.title} comes too late`);
});

test('a misspelt beginning still suggests resembling titles', async () => {
  const body = await suggest('jardn');
  assert.ok(body.initiatives.length > 0, 'jardn suggests nothing');
  for (const i of body.initiatives) assert.match(norm(i.title), /jardin/, i.title);
});

test('"lyo" suggests Lyon among the territories', async () => {
  const body = await suggest('lyo');
  checkShape(body);
  assert.equal(body.territories[0]?.ref, 'commune:69123', `lyo → ${body.territories.map((t) => t.name).join(', ')}`);
  const shouted = await suggest('LYO');
  assert.deepEqual(shouted.territories, body.territories);
});

test('"environ" suggests the theme Environnement, whatever the case and accents', async () => {
  const body = await suggest('environ');
  checkShape(body);
  assert.deepEqual(body.themes[0], { code: 'ENV', label: 'Environnement', kind: 'theme' });
  for (const q of ['ENVIRON', 'Énviron', '  environ  ']) {
    const other = await suggest(q);
    assert.deepEqual(other.themes, body.themes, `${q} differs from environ`);
  }
  const en = await suggest('environ', '&lang=en');
  assert.deepEqual(en.themes[0], { code: 'ENV', label: 'Environment', kind: 'theme' });
  // Sub-themes are suggested too, named as such, in the language asked.
  const alim = await suggest('alimentation');
  assert.ok(
    alim.themes.some((t) => t.kind === 'subtheme' && norm(t.label).includes('alimentation')),
    `alimentation → ${JSON.stringify(alim.themes)}`,
  );
});

test('limit bounds every group (default 5, at most 10)', async () => {
  const wide = await suggest('sa', '&limit=10');
  checkShape(wide);
  for (const group of ['initiatives', 'territories', 'themes']) {
    assert.ok(wide[group].length > 2, `sa gives too few ${group} to check the limit: ${wide[group].length}`);
    assert.ok(wide[group].length <= 10);
  }
  const two = await suggest('sa', '&limit=2');
  for (const group of ['initiatives', 'territories', 'themes']) {
    assert.equal(two[group].length, 2, `${group} with limit=2`);
    assert.deepEqual(two[group], wide[group].slice(0, 2), `${group}: a smaller limit keeps the best first`);
  }
  const byDefault = await suggest('sa');
  assert.equal(byDefault.initiatives.length, Math.min(5, wide.initiatives.length));
  assert.equal(byDefault.territories.length, Math.min(5, wide.territories.length));
  assert.ok(byDefault.themes.length <= 5);
});

test('a text matching nothing gives three empty groups', async () => {
  for (const q of ['zzzzqqqxx', '!!!', '…']) {
    const body = await suggest(q);
    assert.deepEqual(body, { initiatives: [], territories: [], themes: [] }, `${q}: ${JSON.stringify(body)}`);
  }
});

test('bad input is a 400 naming the parameter', async () => {
  assertError(await api('/api/v1/suggest'), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/suggest?q='), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/suggest?q=%20%20'), 400, 'invalid_parameter', 'q');
  assertError(await api(`/api/v1/suggest?q=${'a'.repeat(101)}`), 400, 'invalid_parameter', 'q');
  assertError(await api(`/api/v1/suggest?q=${'é'.repeat(51)}`.replace(/é/g, '%C3%A9')), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/suggest?q=%FF'), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/suggest?q=ab%00cd'), 400, 'invalid_parameter', 'q');
  for (const limit of ['0', '11', '-1', 'abc', '5.5'])
    assertError(await api(`/api/v1/suggest?q=lyon&limit=${limit}`), 400, 'invalid_parameter', 'limit');
  assertError(await api('/api/v1/suggest?q=lyon&lang=de'), 400, 'invalid_parameter', 'lang');
  // 100 bytes are accepted.
  const res = await api(`/api/v1/suggest?q=${'a'.repeat(100)}`);
  assert.equal(res.status, 200, brief(res));
  assertError(await api('/api/v1/suggest?q=lyon', { method: 'POST' }), 405, 'method_not_allowed');
});

test('a repeated suggestion is served from the cache', async () => {
  // A text never asked before cannot be a hit the first time.
  const path = `/api/v1/suggest?q=sol${crypto.randomBytes(4).toString('hex')}&limit=3`;
  const ids = [newRequestId('suggest'), newRequestId('suggest')];
  const first = await api(path, { requestId: ids[0] });
  const second = await api(path, { requestId: ids[1] });
  assert.equal(second.status, 200, brief(second));
  assert.equal(second.text, first.text);
  const cacheOf = (id) =>
    waitUntil(
      () => {
        const line = fs
          .readFileSync(API_LOG, 'utf8')
          .split('\n')
          .find((l) => l.includes(id));
        return line && JSON.parse(line).cache;
      },
      { timeout: 10000, what: `the log line of ${id}` },
    );
  assert.equal(await cacheOf(ids[0]), 'miss');
  assert.equal(await cacheOf(ids[1]), 'hit');
});
