// Words chosen from the demo data (sql/demo/*.json) for the search tests, and which records must match them.
// The choices are deterministic for a given data set. "Same stem" is approximated generously by a common
// prefix, so that a word is only chosen when no other form of it can change the expected answer.
import assert from 'node:assert/strict';
import { loadDemo, demoFields, fold, looseTokens, strictWords, stemKey, readShared, FRENCH_STOP } from './helpers.mjs';

export const FIELDS = ['title', 'summary', 'actor', 'description'];

let indexMemo;
export function demoIndex() {
  if (indexMemo) return indexMemo;
  const { published } = loadDemo();
  const recs = published.map((r) => {
    const f = demoFields(r);
    const strict = {};
    const loose = {};
    for (const k of [...FIELDS, 'rest']) {
      strict[k] = strictWords(f[k]);
      loose[k] = looseTokens(f[k]);
    }
    const allLoose = new Set(Object.values(loose).flat());
    const strictFolded = new Set(FIELDS.flatMap((k) => strict[k].map(fold)));
    const size = FIELDS.reduce((n, k) => n + f[k].length, 0);
    return { r, slug: r.slug, f, strict, loose, allLoose, strictFolded, size };
  });
  // how many records hold a token starting with a prefix (a generous stand-in for "same stem")
  const prefixFreq = new Map();
  const freqOf = (key) => {
    if (!prefixFreq.has(key)) {
      let n = 0;
      for (const x of recs) {
        for (const t of x.allLoose) {
          if (t.startsWith(key)) {
            n++;
            break;
          }
        }
      }
      prefixFreq.set(key, n);
    }
    return prefixFreq.get(key);
  };
  indexMemo = { recs, freqOf };
  return indexMemo;
}

// Theme labels and the names of départements and régions are indexed too (with the lowest weight): a word
// that could match one of them is never chosen.
let referenceMemo;
function referenceTokens() {
  if (referenceMemo) return referenceMemo;
  const texts = [];
  const voc = readShared('vocabularies/vocabularies.json');
  for (const t of voc?.themes || []) {
    texts.push(t.label_fr);
    for (const c of t.children || []) texts.push(c.label_fr);
  }
  for (const f of ['geodata/departements.geojson', 'geodata/regions.geojson']) {
    for (const feat of readShared(f)?.features || []) texts.push(feat.properties.nom);
  }
  referenceMemo = [...new Set(texts.flatMap((t) => looseTokens(t)))];
  return referenceMemo;
}

/** True when some form of the word could also match a theme label or a place name. */
export function matchesReference(word) {
  const key = stemKey(word);
  return referenceTokens().some((t) => t.startsWith(key));
}

/** Records in which the word appears on its own in a searched field. */
export function recordsWithWord(word, fields = FIELDS) {
  const w = fold(word);
  return demoIndex().recs.filter((x) => fields.some((k) => x.strict[k].some((t) => fold(t) === w)));
}

const hasAccent = (w) => fold(w) !== w.toLowerCase();

/** A rare word of a description (8 letters or more, in at most 3 records), preferably with an accent. */
export function distinctiveWord() {
  const { recs, freqOf } = demoIndex();
  const cands = new Map();
  for (const x of recs) {
    for (const raw of x.strict.description) {
      const w = fold(raw);
      if (w.length < 8 || FRENCH_STOP.has(w) || cands.has(w) || matchesReference(w)) continue;
      const n = freqOf(stemKey(w));
      if (n >= 1 && n <= 3) cands.set(w, { raw: raw.toLowerCase(), w, n, accent: hasAccent(raw), slug: x.slug });
    }
  }
  const list = [...cands.values()].sort((a, b) => b.accent - a.accent || a.n - b.n || a.w.localeCompare(b.w));
  assert.ok(list.length > 0, 'the demo data has no rare word of 8 letters or more in a description');
  return list[0];
}

/** A word written on its own in about `target` records (between min and max). */
export function commonWord({ min = 20, max = 150, target = 45 } = {}) {
  const { recs } = demoIndex();
  const counts = new Map();
  for (const x of recs) for (const w of x.strictFolded) counts.set(w, (counts.get(w) || 0) + 1);
  const list = [...counts.entries()]
    .filter(([w, n]) => w.length >= 6 && !FRENCH_STOP.has(w) && n >= min && n <= max && !matchesReference(w))
    .sort((a, b) => Math.abs(a[1] - target) - Math.abs(b[1] - target) || a[0].localeCompare(b[0]));
  assert.ok(list.length > 0, `the demo data has no word found in ${min} to ${max} records`);
  return list[0][0];
}

/**
 * A word found in the `high` field of record A and only once, in the description, of record B (and nowhere
 * else in B, even as another form of the word), with A at most maxRatio times as long as B.
 */
export function rankPair(high, maxRatio) {
  const { recs } = demoIndex();
  const cands = [];
  const seen = new Set();
  for (const A of recs) {
    for (const raw of A.strict[high]) {
      const w = fold(raw);
      if (w.length < 6 || FRENCH_STOP.has(w) || seen.has(`${w}|${A.slug}`)) continue;
      seen.add(`${w}|${A.slug}`);
      if (matchesReference(w)) continue;
      const key = stemKey(w);
      for (const B of recs) {
        if (B === A) continue;
        if (B.loose.description.filter((t) => t.startsWith(key)).length !== 1) continue;
        if (!B.strict.description.some((t) => fold(t) === w)) continue;
        if (['title', 'summary', 'actor', 'rest'].some((k) => B.loose[k].some((t) => t.startsWith(key)))) continue;
        const ratio = A.size / B.size;
        if (ratio > maxRatio) continue;
        cands.push({ word: raw.toLowerCase(), A, B, ratio });
      }
    }
  }
  cands.sort((a, b) => a.ratio - b.ratio || a.word.localeCompare(b.word) || a.A.slug.localeCompare(b.A.slug));
  return cands[0] || null;
}

/**
 * A word written in the singular in some records and with a plural -s in others (only endings whose plural
 * the French stemmer folds onto the singular: not -i, -o, -u, -a, -s).
 */
export function pluralPair() {
  const { recs } = demoIndex();
  const forms = new Map();
  for (const x of recs) {
    for (const k of FIELDS) {
      for (const raw of x.strict[k]) {
        const w = fold(raw);
        if (!forms.has(w)) forms.set(w, { raw: raw.toLowerCase(), slugs: new Set() });
        forms.get(w).slugs.add(x.slug);
      }
    }
  }
  const pairs = [];
  for (const [w, s] of forms) {
    if (w.length < 6 || FRENCH_STOP.has(w) || !/[tnlrd]e?$/.test(w) || matchesReference(w)) continue;
    const p = forms.get(`${w}s`);
    if (!p) continue;
    const onlySing = [...s.slugs].filter((x) => !p.slugs.has(x));
    const onlyPlur = [...p.slugs].filter((x) => !s.slugs.has(x));
    if (onlySing.length && onlyPlur.length) pairs.push({ sing: s.raw, plur: p.raw, onlySing, onlyPlur, n: s.slugs.size + p.slugs.size });
  }
  assert.ok(pairs.length > 0, 'the demo data has no word written both in the singular and in the plural');
  pairs.sort((a, b) => a.n - b.n || a.sing.localeCompare(b.sing));
  return pairs[0];
}

/** Records holding both "jardin(s)" and "partagé(e)(s)". */
export function jardinPartageRecords() {
  const jardin = new Set(['jardin', 'jardins']);
  const partage = new Set(['partage', 'partages', 'partagee', 'partagees']);
  return demoIndex().recs.filter(
    (x) => [...x.strictFolded].some((w) => jardin.has(w)) && [...x.strictFolded].some((w) => partage.has(w)),
  );
}
