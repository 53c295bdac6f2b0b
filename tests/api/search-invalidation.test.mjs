// A write to an initiative shows in the next search at once: cached answers are keyed by the data version,
// so the first search after the write is a MISS with the new text. The record is changed in the database
// and put back afterwards (even when a test fails); the file holds the stack alone meanwhile, so that the
// other files, which compare the answers with the demo data, never see the change.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, brief, getJson, loadDemo, sql, sqlLiteral, useExclusiveStack } from './helpers.mjs';

useExclusiveStack();

const SEARCH = '/api/v1/search';
const SLUG = 'orchestre-des-enfants-de-belleville';
const MARK = ' (modifié)';

// The original values of the columns changed here, to put back.
const saved = new Map();

async function column(name) {
  const out = await sql(`SELECT to_json(${name}) FROM initiative WHERE slug = ${sqlLiteral(SLUG)}`);
  assert.ok(out, `no initiative ${SLUG} in the database`);
  return JSON.parse(out);
}

async function change(name, expr) {
  if (!saved.has(name)) saved.set(name, await column(name));
  await sql(`UPDATE initiative SET ${name} = ${expr} WHERE slug = ${sqlLiteral(SLUG)}`);
}

async function restore() {
  for (const [name, value] of saved) {
    await sql(`UPDATE initiative SET ${name} = ${sqlLiteral(value)} WHERE slug = ${sqlLiteral(SLUG)}`);
    assert.equal(await column(name), value, `${SLUG}.${name} could not be put back`);
    saved.delete(name);
  }
}

after(restore);

const itemOf = (res) => res.json.items.find((i) => i.slug === SLUG);

test('a changed title is searched at once: MISS with the new title, then HIT', async () => {
  const demo = loadDemo().bySlug.get(SLUG);
  assert.ok(demo, `${SLUG} is not in the demo data`);
  const p = `${SEARCH}?q=orchestre&limit=10`;

  await api(p);
  const warm = await api(p);
  assert.equal(warm.status, 200, brief(warm));
  assert.equal(warm.headers.get('x-cache'), 'HIT', 'the same search twice before the change');
  assert.equal(itemOf(warm)?.title, demo.title, 'the title before the change');

  await change('title', `title || ${sqlLiteral(MARK)}`);
  const a = await api(p);
  assert.equal(a.status, 200, brief(a));
  assert.equal(a.headers.get('x-cache'), 'MISS', 'the first search after the change must not come from the cache');
  assert.equal(itemOf(a)?.title, demo.title + MARK, `the new title: ${brief(a)}`);
  const b = await api(p);
  assert.equal(b.headers.get('x-cache'), 'HIT', 'the search after is cached again');
  assert.equal(b.text, a.text);

  // the new word is indexed, and the other answers follow too
  const found = await getJson(`${SEARCH}?q=${encodeURIComponent('orchestre modifié')}`);
  assert.ok(found.items.some((i) => i.slug === SLUG), `the word added to the title is found: ${JSON.stringify(found.items.map((i) => i.slug))}`);
  const byName = await getJson(`${SEARCH}?sort=name&q=orchestre`);
  assert.ok(byName.items.some((i) => i.title === demo.title + MARK), 'sort=name shows the new title');
  const id = itemOf(a).id;
  const detail = await getJson(`/api/v1/initiatives/${id}`);
  assert.equal(detail.title, demo.title + MARK, 'the record itself');

  await restore();
  const c = await api(p);
  assert.equal(c.headers.get('x-cache'), 'MISS', 'the first search after putting the title back');
  assert.equal(itemOf(c)?.title, demo.title, 'the title put back');
  const gone = await getJson(`${SEARCH}?q=${encodeURIComponent('orchestre modifié')}`);
  assert.ok(!gone.items.some((i) => i.slug === SLUG && i.title.includes(MARK)), 'the old title is no longer served');
});

test('markup in the text of a record is escaped in the excerpt', async () => {
  // the signs surround the searched word closely, so that the passage around it shows them
  const added =
    ' Essai "a" & 1 < 2 > 0 <b>gras</b> <i>penché</i> guillemets "b" & 3 < 5 > 4 <script>alert(1)</script> <mark>faux</mark> fin.';
  await change('summary', `summary || ${sqlLiteral(added)}`);
  const res = await api(`${SEARCH}?q=guillemets`);
  assert.equal(res.status, 200, brief(res));
  assert.equal(res.headers.get('x-cache'), 'MISS', 'a search after a change is never served from the cache');
  const it = itemOf(res);
  assert.ok(it, `${SLUG} not found by its new words: ${brief(res)}`);
  const ex = it.excerpt;
  assert.equal(typeof ex, 'string', `no excerpt: ${JSON.stringify(it)}`);
  assert.ok(ex.includes('<mark>guillemets</mark>'), `the added word is marked: ${ex}`);
  const marks = ex.match(/<mark>/g) || [];
  assert.equal(marks.length, (ex.match(/<\/mark>/g) || []).length, `unbalanced marks: ${ex}`);
  const bare = ex.replace(/<mark>(guillemets)<\/mark>/gi, '$1');
  assert.ok(!/[<>]/.test(bare), `markup of the record reached the excerpt: ${ex}`);
  assert.ok(!/&(?!(?:amp|lt|gt|quot|#39|apos);)/.test(bare), `a bare '&' in the excerpt: ${ex}`);
  assert.ok(/&quot;[ab]&quot; &amp; [13] &lt; [25] &gt; [04]/.test(ex), `'"', '&', '<' and '>' of the text escaped: ${ex}`);
  assert.ok(!/<(?:b|script)\b/i.test(ex), `a tag of the text survived: ${ex}`);
  await restore();
});
