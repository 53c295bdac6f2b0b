// GET /api/v1/geocode?q= : a labelled set of what people write (names, homonyms, postcodes, INSEE
// codes, CEDEX and full addresses, overseas places, typos), the answer's shape, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { api, getJson, assertError, mapLimit, qs, useSharedStack } from './helpers.mjs';

useSharedStack();

const CASES = JSON.parse(fs.readFileSync(new URL('./geocode-cases.json', import.meta.url), 'utf8'));
const REQUIRED = 0.98;

const geocode = (q) => getJson('/api/v1/geocode' + qs({ q }));

/** Problems with the shape of one answer (empty when it is right). */
function shapeProblems(q, body) {
  const problems = [];
  const check = (ok, what) => {
    if (!ok) problems.push(`${JSON.stringify(q)}: ${what}`);
  };
  check(body.query === q, `query is ${JSON.stringify(body.query)}`);
  check('match' in body, 'no "match" (null when nothing is found)');
  check(Array.isArray(body.alternatives), 'alternatives is not an array');
  const candidate = (c, where) => {
    check(c && typeof c === 'object', `${where} is not an object`);
    if (!c || typeof c !== 'object') return;
    const t = c.territory;
    check(t && typeof t.ref === 'string' && /^commune:[0-9AB]{5}$/.test(t.ref), `${where}.territory.ref is ${JSON.stringify(t?.ref)}`);
    check(t && t.ref === `commune:${t.code}`, `${where}.territory.ref and code differ`);
    check(typeof t?.name === 'string' && t.name.length > 0, `${where}.territory.name missing`);
    check(typeof c.confidence === 'number' && c.confidence > 0 && c.confidence <= 1, `${where}.confidence is ${c.confidence}`);
    check(typeof c.reason === 'string' && c.reason.trim().length > 0, `${where}.reason is empty`);
  };
  if (body.match !== null && body.match !== undefined) {
    candidate(body.match, 'match');
    check(body.match.precision === 'commune', `match.precision is ${JSON.stringify(body.match.precision)}`);
  }
  if (Array.isArray(body.alternatives)) {
    check(body.alternatives.length <= 5, `${body.alternatives.length} alternatives (at most 5)`);
    body.alternatives.forEach((a, i) => candidate(a, `alternatives[${i}]`));
    const codes = body.alternatives.map((a) => a.territory?.code);
    check(new Set(codes).size === codes.length, 'an alternative is repeated');
    check(!body.match || !codes.includes(body.match.territory?.code), 'the match is also an alternative');
  }
  return problems;
}

test('the labelled set: at least 98 % of the queries resolve to the right commune', async () => {
  assert.ok(CASES.length >= 220, `only ${CASES.length} labelled cases`);
  const results = await mapLimit(CASES, 8, async (c) => ({ c, body: await geocode(c.q) }));
  const misses = [];
  const shape = [];
  for (const { c, body } of results) {
    shape.push(...shapeProblems(c.q, body));
    const got = body.match?.territory?.code ?? null;
    if (got !== c.expect)
      misses.push(`  ${JSON.stringify(c.q)} (${c.note}): expected ${c.expect}, got ${got}` +
        (body.match ? ` ${body.match.territory.name} « ${body.match.reason} »` : ''));
  }
  const ok = CASES.length - misses.length;
  const pct = (100 * ok) / CASES.length;
  console.log(`geocoding: ${ok}/${CASES.length} resolved to the right commune (${pct.toFixed(1)} %)`);
  if (misses.length) console.log(`misses:\n${misses.join('\n')}`);
  assert.deepEqual(shape, [], 'every answer has the documented shape');
  assert.ok(ok / CASES.length >= REQUIRED, `${pct.toFixed(1)} % < ${REQUIRED * 100} %:\n${misses.join('\n')}`);
});

test('a commune named alone: confidence and reason say how it was found', async () => {
  const lyon = await geocode('69123');
  assert.equal(lyon.match?.territory?.ref, 'commune:69123', JSON.stringify(lyon));
  assert.equal(lyon.match.confidence, 1);
  assert.match(lyon.match.reason, /code INSEE 69123/);
  assert.equal(lyon.match.territory.departement?.code, '69');

  const postcode = await geocode('42000');
  assert.equal(postcode.match.territory.code, '42218');
  assert.match(postcode.match.reason, /code postal 42000/);

  const arrondissement = await geocode('75115');
  assert.equal(arrondissement.match.territory.code, '75056', 'an arrondissement gives its city');
  assert.match(arrondissement.match.reason, /Arrondissement/);
});

test('homonyms: the most populous alone, and the postcode or département when given', async () => {
  const alone = await geocode('Saint-Denis');
  assert.equal(alone.match.territory.code, '97411', 'Saint-Denis alone is the most populous, in La Réunion');
  assert.match(alone.match.reason, /plus peuplée/, 'the reason says the choice was by population');
  assert.ok(alone.match.confidence < 0.9, `a choice by population is not certain: ${alone.match.confidence}`);
  assert.ok(alone.alternatives.some((a) => a.territory.code === '93066'), 'Saint-Denis (93) is an alternative');

  const byPostcode = await geocode('Saint-Denis 93200');
  assert.equal(byPostcode.match.territory.code, '93066');
  assert.match(byPostcode.match.reason, /93200/);
  assert.ok(byPostcode.match.confidence > alone.match.confidence, 'a confirmed name is surer than a guess');

  const byDepartement = await geocode('Saint-Denis (93)');
  assert.equal(byDepartement.match.territory.code, '93066');
});

test('a typo is resolved and called so', async () => {
  const body = await geocode('Sainte-Etiene');
  assert.equal(body.match.territory.code, '42218');
  assert.match(body.match.reason, /faute de frappe/);
  assert.ok(body.match.confidence < 0.9, `a typo is not certain: ${body.match.confidence}`);
});

test('a query that names nothing: 200 with match null', async () => {
  const body = await geocode('zzzzqqq');
  assert.equal(body.match, null, JSON.stringify(body));
  assert.ok(Array.isArray(body.alternatives));
  assert.deepEqual(shapeProblems('zzzzqqq', body), []);
});

test('bad q: empty, 10 KB, invalid UTF-8 are 400 naming q', async () => {
  assertError(await api('/api/v1/geocode?q='), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/geocode'), 400, 'invalid_parameter', 'q');
  assertError(await api(`/api/v1/geocode?q=${'a'.repeat(10 * 1024)}`), 400, 'invalid_parameter', 'q');
  assertError(await api('/api/v1/geocode?q=Lyon%FF'), 400, 'invalid_parameter', 'q');
});
