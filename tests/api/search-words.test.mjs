// Words of a search: partial matches when all the words together match nothing (the answer says which
// words were left out, and the list, the map and the counts agree), synonyms and acronyms of the field
// (sql/load/synonyms.txt) both ways, and words of questions that never make a search fail. The
// expectations come from the demo data (sql/demo/initiatives-*.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, brief, qs, loadDemo, fold, useSharedStack } from './helpers.mjs';

useSharedStack();

async function search(params) {
  const res = await api('/api/v1/search' + qs({ limit: 50, ...params }));
  assert.equal(res.status, 200, brief(res));
  return res.json;
}

/** The number of initiatives of the whole map of a search (clusters count their points). */
async function mapCount(params) {
  const res = await api('/api/v1/map/clusters' + qs({ bbox: '-180,-85,180,85', zoom: 2, ...params }));
  assert.equal(res.status, 200, brief(res));
  return res.json.features.reduce((n, f) => n + (f.properties.count ?? 1), 0);
}

/** The demo records whose text holds every one of the words (folded, as a prefix of a word). */
function holding(words) {
  const records = loadDemo().records ?? [...loadDemo().bySlug.values()];
  return records.filter((r) => {
    const text = fold([r.title, r.summary, r.description, r.actor_name].join(' '));
    return words.every((w) => new RegExp(`(^|[^a-z])${fold(w)}`).test(text));
  });
}

test('all the words together match nothing: the matches of the words kept, and the word left out named', async () => {
  const q = 'épicerie solidaire xyzzyqq';
  const body = await search({ q, facets: 'region' });
  assert.ok(body.total > 0, 'a partial match is answered');
  assert.deepEqual(body.relaxed, { q: 'épicerie solidaire', dropped: ['xyzzyqq'] });
  const plain = await search({ q: 'épicerie solidaire', facets: 'region' });
  assert.equal(body.total, plain.total, 'the total of the words kept');
  assert.deepEqual(body.items.map((i) => i.slug).sort(), plain.items.map((i) => i.slug).sort());
  assert.deepEqual(body.facets, plain.facets, 'the facets of the words kept');
  assert.equal(plain.relaxed, null, 'a search that matches says nothing was left out');
  // The map and the statistics count what the list shows.
  assert.equal(await mapCount({ q }), body.total);
  const stats = await api('/api/v1/stats' + qs({ q, by: 'region' }));
  assert.equal(stats.status, 200, brief(stats));
  assert.equal(stats.json.total, body.total);
});

test('one word left out of three: the results hold the two words kept', async () => {
  // No record holds the three words; two of them are held together.
  const q = 'bagagerie solidaire hortillonnages';
  assert.equal(holding(['bagagerie', 'solidaire', 'hortillonnages']).length, 0);
  const body = await search({ q });
  assert.ok(body.relaxed, JSON.stringify(body.relaxed));
  assert.equal(body.relaxed.dropped.length, 1, `one word left out: ${body.relaxed.dropped}`);
  assert.ok(body.total > 0);
  // Whatever word is left out, every result holds the two words kept.
  const kept = body.relaxed.q.split(' ');
  assert.equal(kept.length, 2);
  const expected = new Set(holding(kept).map((r) => r.slug));
  for (const it of body.items) assert.ok(expected.has(it.slug), `${it.slug} holds ${kept.join(' and ')}`);
});

test('a long question finds what it asks for, its question words never required', async () => {
  const body = await search({ q: 'où trouver une épicerie solidaire à Paris ?' });
  assert.ok(body.items.some((i) => i.slug === 'epicerie-solidaire-du-canal-paris-19'), JSON.stringify(body.items.map((i) => i.slug)));
  const comment = await search({ q: 'comment réparer son vélo à Pessac ?' });
  assert.equal(comment.items[0]?.slug, 'atelier-velo-participatif-la-rustine-pessac');
  // A word of questions alone is still searched as a word.
  const alone = await search({ q: 'trouver' });
  assert.equal(alone.relaxed, null);
  assert.ok(alone.total > 0);
});

test('an acronym finds the records that spell it out, and the reverse', async () => {
  const spelled = holding(['economie sociale et solidaire']).map((r) => r.slug);
  assert.ok(spelled.length >= 2);
  const ess = await search({ q: 'ESS' });
  for (const s of spelled) assert.ok(ess.items.some((i) => i.slug === s), `ESS finds ${s}`);
  const { records } = loadDemo();
  const acronymOnly = records
    .filter((r) => /\bESS\b/.test([r.title, r.summary, r.description].join(' ')) && !spelled.includes(r.slug))
    .map((r) => r.slug);
  assert.ok(acronymOnly.length >= 1);
  const long = await search({ q: 'économie sociale et solidaire' });
  for (const s of acronymOnly) assert.ok(long.items.some((i) => i.slug === s), `the spelled-out words find ${s}`);
  const ptce = await search({ q: 'PTCE' });
  assert.ok(ptce.items.some((i) => i.slug === 'ptce-chatelleraudais-chatellerault'));
});

test('synonyms find one another: recyclerie and ressourcerie, seniors and aînés', async () => {
  const recyclerie = await search({ q: 'recyclerie' });
  const slugs = recyclerie.items.map((i) => i.slug);
  for (const r of holding(['ressourcerie'])) assert.ok(slugs.includes(r.slug), `recyclerie finds ${r.slug}`);
  const ressourcerie = await search({ q: 'ressourcerie' });
  assert.ok(ressourcerie.items.some((i) => i.slug === 'recyclerie-des-murs-a-peches-montreuil'));
  const aines = await search({ q: 'aînés' });
  assert.ok(aines.items.some((i) => i.slug === 'habitat-participatif-seniors-montoire'), 'aînés finds a record about seniors');
  // The fine-search language widens its words too.
  const fine = await search({ q: 'recyclerie year:1900..2100' });
  assert.ok(fine.items.some((i) => i.slug === 'ressourcerie-cevennes-alesiennes-ales'), 'in the query language too');
  // The map counts the synonyms as the list does.
  assert.equal(await mapCount({ q: 'recyclerie' }), recyclerie.total);
});
