// GET /api/v1/vocabularies?lang=fr|en
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, getJson, assertError, readShared, useSharedStack } from './helpers.mjs';

useSharedStack();

const LISTS = ['themes', 'actor_types', 'publics', 'scales', 'stages', 'methods'];
const reference = readShared('vocabularies/vocabularies.json');

function checkEntries(list, name) {
  assert.ok(Array.isArray(list), `vocabularies.${name} must be an array`);
  assert.ok(list.length > 0, `vocabularies.${name} must not be empty`);
  const codes = new Set();
  for (const e of list) {
    assert.equal(typeof e.code, 'string', `${name}: code must be a string: ${JSON.stringify(e)}`);
    assert.equal(typeof e.label, 'string', `${name}: label must be a string: ${JSON.stringify(e)}`);
    assert.ok(e.label.trim().length > 0, `${name}: empty label for ${e.code}`);
    assert.ok(!codes.has(e.code), `${name}: duplicate code ${e.code}`);
    codes.add(e.code);
  }
}

/** Compares an API list with the reference file for one language (English falls back to French). */
function compareWithReference(got, ref, lang, name) {
  const label = (r) => (lang === 'en' ? r.label_en ?? r.label_fr : r.label_fr);
  const want = new Map(ref.map((r) => [r.code, label(r)]));
  const have = new Map(got.map((e) => [e.code, e.label]));
  assert.deepEqual([...have.keys()].sort(), [...want.keys()].sort(), `${name} (${lang}): codes differ from the reference vocabularies`);
  for (const [code, l] of want) assert.equal(have.get(code), l, `${name} (${lang}): label of ${code}`);
}

test('French vocabularies: 16 themes with their sub-themes, and every list', async () => {
  const body = await getJson('/api/v1/vocabularies?lang=fr');
  assert.equal(body.lang, 'fr');
  const v = body.vocabularies;
  assert.ok(v && typeof v === 'object', 'vocabularies object missing');
  for (const name of LISTS) checkEntries(v[name], name);

  assert.equal(v.themes.length, 16, `expected 16 themes, got ${v.themes.map((t) => t.code).join(',')}`);
  const env = v.themes.find((t) => t.code === 'ENV');
  assert.ok(env, 'theme ENV missing');
  assert.equal(env.label, 'Environnement');
  assert.ok(Array.isArray(env.children), 'ENV.children must be an array');
  const ali = env.children.find((c) => c.code === 'ALI');
  assert.ok(ali, `ENV has no child ALI: ${JSON.stringify(env.children)}`);
  assert.equal(ali.label, 'Alimentation durable');
  for (const t of v.themes) {
    assert.ok(Array.isArray(t.children), `${t.code}.children must be an array`);
    for (const c of t.children) {
      assert.equal(typeof c.code, 'string');
      assert.equal(typeof c.label, 'string');
    }
  }
  const assoc = v.actor_types.find((a) => a.code === 'association');
  assert.equal(assoc?.label, 'Association');
});

test('lang defaults to French', async () => {
  const dflt = await getJson('/api/v1/vocabularies');
  const fr = await getJson('/api/v1/vocabularies?lang=fr');
  assert.equal(dflt.lang, 'fr');
  assert.deepEqual(dflt.vocabularies, fr.vocabularies);
});

test('English labels, with French as the fallback', async () => {
  const body = await getJson('/api/v1/vocabularies?lang=en');
  assert.equal(body.lang, 'en');
  const v = body.vocabularies;
  for (const name of LISTS) checkEntries(v[name], name);
  assert.equal(v.themes.length, 16);
  const env = v.themes.find((t) => t.code === 'ENV');
  assert.equal(env?.label, 'Environment');
  assert.equal(v.themes.find((t) => t.code === 'SAN')?.label, 'Health');
  // ALI has no English label in the reference: the French one is given
  const ali = env.children.find((c) => c.code === 'ALI');
  assert.equal(ali?.label, 'Alimentation durable');
});

test('every list matches the reference vocabularies in both languages', { skip: reference ? false : 'shared vocabularies.json not found' }, async () => {
  for (const lang of ['fr', 'en']) {
    const { vocabularies: v } = await getJson(`/api/v1/vocabularies?lang=${lang}`);
    for (const name of LISTS) compareWithReference(v[name], reference[name], lang, name);
    for (const refTheme of reference.themes) {
      const t = v.themes.find((x) => x.code === refTheme.code);
      compareWithReference(t.children, refTheme.children, lang, `themes.${refTheme.code}.children`);
    }
  }
});

test('an unknown language is a 400 on field lang', async () => {
  for (const lang of ['de', 'english', 'xx']) {
    const res = await api(`/api/v1/vocabularies?lang=${encodeURIComponent(lang)}`);
    assertError(res, 400, 'invalid_parameter', 'lang');
  }
});
