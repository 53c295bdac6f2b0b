// GET /api/v1/search: full text, accents and case, stemming, ranking, pagination, bad input.
// The words searched are chosen from the demo data (sql/demo/*.json) when the tests run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api,
  getJson,
  assertError,
  assertJsonContentType,
  brief,
  fetchAllPages,
  loadDemo,
  fold,
  useSharedStack,
} from './helpers.mjs';
import { distinctiveWord, commonWord, rankPair, pluralPair, recordsWithWord, jardinPartageRecords } from './demo-words.mjs';

useSharedStack();

// ---------------------------------------------------------------------------

/** Every result of a search, following the cursors; checks total against what was returned. */
async function searchAll(q, limit = 100) {
  const { pages, items } = await fetchAllPages('/api/v1/search', { q }, { limit });
  const total = pages[0].total;
  assert.ok(Number.isInteger(total), `total must be an integer for q=${JSON.stringify(q)}`);
  assert.equal(pages[0].total_exact, true, `total_exact for q=${JSON.stringify(q)}`);
  for (const p of pages) assert.equal(p.total, total, `total changed between pages for q=${JSON.stringify(q)}`);
  assert.equal(items.length, total, `q=${JSON.stringify(q)}: total says ${total}, the pages gave ${items.length}`);
  const ids = items.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length, `q=${JSON.stringify(q)}: duplicate ids across pages`);
  for (const [i, p] of pages.entries()) if (i < pages.length - 1) assert.equal(p.items.length, limit, `q=${JSON.stringify(q)}: page ${i + 1} is not full`);
  return { total, items, slugs: items.map((i) => i.slug) };
}

function checkItemShape(it) {
  for (const k of ['id', 'slug', 'title', 'summary', 'themes', 'actor', 'territory', 'location', 'demo', 'updated_at']) {
    assert.ok(k in it, `search item ${it.id} has no ${k}`);
  }
  assert.ok(Number.isInteger(it.id));
  assert.ok(Array.isArray(it.themes));
}

// ---------------------------------------------------------------------------

test('an empty or absent q lists every published initiative, newest first', async () => {
  const { published } = loadDemo();
  const list = await fetchAllPages('/api/v1/initiatives', {}, { limit: 100 });
  for (const q of ['', undefined]) {
    const first = await getJson(`/api/v1/search${q === undefined ? '' : '?q='}`);
    assert.equal(first.total, published.length, `q=${JSON.stringify(q)}: total`);
    assert.equal(first.total_exact, true);
    assert.equal(first.items.length, 20, 'default limit is 20');
    first.items.forEach(checkItemShape);
  }
  const all = await searchAll('');
  assert.equal(all.total, published.length);
  assert.deepEqual(
    all.items.map((i) => i.id),
    list.items.map((i) => i.id),
    'an empty search must give the same order as the list (newest first)',
  );
});

test('a rare word of a description finds its record', async () => {
  const d = distinctiveWord();
  const res = await searchAll(d.raw);
  assert.ok(res.total >= 1, `q=${d.raw}: no result`);
  assert.ok(res.slugs.includes(d.slug), `q=${d.raw}: ${d.slug} is not among the results ${JSON.stringify(res.slugs)}`);
  for (const x of recordsWithWord(d.raw)) {
    assert.ok(res.slugs.includes(x.slug), `q=${d.raw}: ${x.slug} contains the word and is not found`);
  }
  // a rare word must not bring back a large part of the data
  assert.ok(res.total <= 10, `q=${d.raw}: ${res.total} results for a word found in ${d.n} records`);
  res.items.forEach(checkItemShape);
});

test('accents and case do not matter', async () => {
  const d = distinctiveWord();
  const plain = fold(d.raw).toUpperCase();
  const a = await searchAll(d.raw);
  const b = await searchAll(plain);
  assert.ok(a.total > 0, `q=${d.raw}: no result`);
  assert.deepEqual(b.slugs, a.slugs, `q=${plain} and q=${d.raw} give different results`);
  const mixed = d.raw.charAt(0).toUpperCase() + d.raw.slice(1);
  const c = await searchAll(mixed);
  assert.deepEqual(c.slugs, a.slugs, `q=${mixed} and q=${d.raw} give different results`);
});

test('stemming: "jardins partagés" and "jardin partagé" find the same records', async (t) => {
  const expected = jardinPartageRecords();
  const plural = await searchAll('jardins partagés');
  const singular = await searchAll('jardin partagé');
  assert.deepEqual([...plural.slugs].sort(), [...singular.slugs].sort(), 'plural and singular give different records');
  const unaccented = await searchAll('JARDIN PARTAGE');
  assert.deepEqual([...unaccented.slugs].sort(), [...singular.slugs].sort(), '"JARDIN PARTAGE" differs from "jardin partagé"');
  if (expected.length === 0) {
    t.diagnostic('the demo data has no "jardin partagé": only the equality of the two searches was checked');
    return;
  }
  for (const x of expected) {
    assert.ok(plural.slugs.includes(x.slug), `"jardins partagés" does not find ${x.slug}`);
    assert.ok(singular.slugs.includes(x.slug), `"jardin partagé" does not find ${x.slug}`);
  }
  // every word must match: the two-word results are within those of each word
  const j = new Set((await searchAll('jardin')).slugs);
  const p = new Set((await searchAll('partagé')).slugs);
  for (const s of singular.slugs) assert.ok(j.has(s) && p.has(s), `"jardin partagé" returns ${s}, which lacks one of the words`);
});

test('stemming: a singular finds the plural and the other way round', async () => {
  const { sing, plur, onlySing, onlyPlur } = pluralPair();
  const a = await searchAll(sing);
  const b = await searchAll(plur);
  for (const slug of [...onlySing, ...onlyPlur]) {
    assert.ok(a.slugs.includes(slug), `q=${sing} does not find ${slug}`);
    assert.ok(b.slugs.includes(slug), `q=${plur} does not find ${slug}`);
  }
  assert.deepEqual([...a.slugs].sort(), [...b.slugs].sort(), `q=${sing} and q=${plur} give different records`);
});

for (const [high, maxRatio, required] of [
  ['title', 2, true],
  ['summary', 1.5, false],
  ['actor', 2, false],
]) {
  test(`a word in the ${high} ranks above the same word in a description`, async (t) => {
    const pair = rankPair(high, maxRatio);
    if (!pair) {
      if (required) assert.fail(`the demo data has no word in one ${high} and in another record's description only`);
      t.skip(`the demo data has no word in one ${high} and only in another record's description`);
      return;
    }
    const res = await searchAll(pair.word);
    const ia = res.slugs.indexOf(pair.A.slug);
    const ib = res.slugs.indexOf(pair.B.slug);
    assert.ok(ia >= 0, `q=${pair.word}: ${pair.A.slug} (word in the ${high}) is not found`);
    assert.ok(ib >= 0, `q=${pair.word}: ${pair.B.slug} (word in the description) is not found`);
    assert.ok(ia < ib, `q=${pair.word}: ${pair.A.slug} (${high}) is at position ${ia + 1}, after ${pair.B.slug} (description) at ${ib + 1}`);
  });
}

test('a search with no match: total 0, no items, no cursor', async () => {
  for (const q of ['zqxjvwkplm', 'zqxjvwkplm qvzxjwkplm']) {
    const body = await getJson(`/api/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(body.total, 0, `q=${q}`);
    assert.equal(body.total_exact, true, `q=${q}`);
    assert.deepEqual(body.items, [], `q=${q}`);
    assert.equal(body.next_cursor, null, `q=${q}`);
  }
});

test('a word that matches nothing beside words that match: the others are searched, and it is named', async () => {
  const body = await getJson(`/api/v1/search?q=${encodeURIComponent('zqxjvwkplm jardin')}`);
  const plain = await getJson('/api/v1/search?q=jardin');
  assert.deepEqual(body.relaxed, { q: 'jardin', dropped: ['zqxjvwkplm'] });
  assert.equal(body.total, plain.total);
  assert.deepEqual(body.items.map((i) => i.slug), plain.items.map((i) => i.slug));
});

test('pages are disjoint and together give the whole result in order', async () => {
  const word = commonWord();
  const whole = await searchAll(word, 100);
  assert.ok(whole.total >= 20, `q=${word}: only ${whole.total} results`);
  const paged = await searchAll(word, 7);
  assert.equal(paged.total, whole.total);
  assert.deepEqual(paged.items.map((i) => i.id), whole.items.map((i) => i.id), `q=${word}: paging by 7 and by 100 differ`);
  const first = await getJson(`/api/v1/search?q=${encodeURIComponent(word)}&limit=5`);
  assert.equal(first.items.length, 5);
  assert.equal(typeof first.next_cursor, 'string');
  assert.deepEqual(first.items.map((i) => i.id), whole.items.slice(0, 5).map((i) => i.id));
});

test('q is limited to 500 bytes', async () => {
  const ok500 = await api(`/api/v1/search?q=${'a'.repeat(500)}`);
  assert.equal(ok500.status, 200, `500 bytes: ${brief(ok500)}`);
  assertError(await api(`/api/v1/search?q=${'a'.repeat(501)}`), 400, 'invalid_parameter', 'q');
  const e250 = encodeURIComponent('é'.repeat(250)); // 500 bytes
  const ok = await api(`/api/v1/search?q=${e250}`);
  assert.equal(ok.status, 200, `250 × "é" (500 bytes): ${brief(ok)}`);
  assertError(await api(`/api/v1/search?q=${e250}%C3%A9`), 400, 'invalid_parameter', 'q');
  const words = encodeURIComponent('jardin '.repeat(100)); // 700 bytes of real words
  assertError(await api(`/api/v1/search?q=${words}`), 400, 'invalid_parameter', 'q');
});

test('q must be valid UTF-8', async () => {
  for (const raw of ['%C3%28', '%FF', 'jardin%FF', '%C0%AF', '%ED%A0%80', '%F8%88%80%80%80', '%E2%82', 'caf%E9']) {
    assertError(await api(`/api/v1/search?q=${raw}`), 400, 'invalid_parameter', 'q');
  }
});

test('SQL and query-syntax characters are searched as text', async () => {
  const { published } = loadDemo();
  const inputs = [
    "'; DROP TABLE initiative; --",
    "' OR '1'='1",
    'jardin & | ! ( ) :* <-> <2>',
    '\\',
    '"',
    "l'école",
    'a:*',
    '!!!',
    '%',
    '_',
    ')(',
    'jardin OR',
    '-',
    'NULL',
    '$1',
    '%s%n',
  ];
  for (const q of inputs) {
    const res = await api(`/api/v1/search?q=${encodeURIComponent(q)}`);
    if (res.status === 400) {
      // Parentheses and fields make q a fine-search query: a syntax error names the column.
      assertError(res, 400, res.json?.error?.code === 'invalid_query' ? 'invalid_query' : 'invalid_parameter', 'q');
      if (res.json.error.code === 'invalid_query') assert.match(res.json.error.message, /colonne \d+/);
      continue;
    }
    assert.equal(res.status, 200, `q=${JSON.stringify(q)}: ${brief(res)}`);
    assertJsonContentType(res);
    assert.ok(Number.isInteger(res.json?.total), `q=${JSON.stringify(q)}: ${brief(res)}`);
  }
  const drop = await api(`/api/v1/search?q=${encodeURIComponent("'; DROP TABLE initiative; --")}`);
  assert.equal(drop.status, 200, brief(drop));
  const after = await getJson('/api/v1/search?q=');
  assert.equal(after.total, published.length, 'the initiatives are still all there');
  const list = await getJson('/api/v1/initiatives?limit=3');
  assert.equal(list.items.length, 3);
});

test('HTML in q is not reflected as markup', async () => {
  for (const q of ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']) {
    const res = await api(`/api/v1/search?q=${encodeURIComponent(q)}`);
    assert.ok(res.status === 200 || res.status === 400, brief(res));
    assertJsonContentType(res);
    assert.ok(res.json, `not JSON: ${brief(res)}`);
    assert.ok(!res.text.includes('<script>') && !res.text.includes('<img'), `markup reflected: ${brief(res)}`);
  }
});

test('search validates limit and cursor like the list', async () => {
  for (const limit of ['0', '101', 'abc', '-5']) {
    assertError(await api(`/api/v1/search?q=jardin&limit=${limit}`), 400, 'invalid_parameter', 'limit');
  }
  for (const cursor of ['garbage', 'eyJ4IjoxfQ']) {
    assertError(await api(`/api/v1/search?q=jardin&cursor=${cursor}`), 400, 'invalid_parameter', 'cursor');
  }
});
