// Contours change only when the reference data is reloaded: browsers may keep them a day and then
// revalidate them with their ETag. Territory contours come from the API (which sets both headers and
// answers 304 itself); the régions background is a static file served by nginx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest, brief, useSharedStack } from './helpers.mjs';

useSharedStack();

const DAY = 86400;

/** max-age of a Cache-Control header that also says public; fails otherwise. */
function publicMaxAge(res) {
  const cc = res.headers.get('cache-control') || '';
  assert.match(cc, /\bpublic\b/, `Cache-Control public: ${brief(res)} (${cc})`);
  const m = /\bmax-age=(\d+)/.exec(cc);
  assert.ok(m, `Cache-Control max-age: ${cc}`);
  return Number(m[1]);
}

/** The opaque part of an entity tag (nginx's gzip makes a strong tag weak: W/"…"). */
const opaque = (etag) => (etag || '').replace(/^W\//, '');

for (const encoding of ['identity', 'gzip']) {
  test(`a territory contour is cached a day with an ETag, and revalidates to 304 (${encoding})`, async () => {
    const p = '/api/v1/territories/region:84/contour?simplify=6';
    const headers = { accept: 'application/geo+json', 'accept-encoding': encoding };
    const first = await rawRequest(p, { headers });
    assert.equal(first.status, 200, brief(first));
    assert.match(first.contentType, /^application\/geo\+json/);
    assert.ok(publicMaxAge(first) >= DAY, 'at least a day');
    const etag = first.headers.get('etag');
    assert.match(opaque(etag), /^"[^"]+"$/, `a quoted entity tag: ${etag}`);

    // The same contour again (from the API's Redis cache this time): the same tag.
    const again = await rawRequest(p, { headers });
    assert.equal(opaque(again.headers.get('etag')), opaque(etag));

    // The browser sends back what it got: nothing to transfer.
    const revalidated = await rawRequest(p, { headers: { ...headers, 'if-none-match': etag } });
    assert.equal(revalidated.status, 304, brief(revalidated));
    assert.equal(revalidated.text, '');
    assert.equal(opaque(revalidated.headers.get('etag')), opaque(etag));
    assert.ok(publicMaxAge(revalidated) >= DAY);

    // Another tag, or a list without ours: the full answer.
    const other = await rawRequest(p, { headers: { ...headers, 'if-none-match': '"something-else"' } });
    assert.equal(other.status, 200);
    const listed = await rawRequest(p, { headers: { ...headers, 'if-none-match': `"x", ${etag}` } });
    assert.equal(listed.status, 304, 'a tag inside a list matches');
  });
}

test('each simplification has its own ETag; errors are not cached publicly', async () => {
  const a = await rawRequest('/api/v1/territories/departement:69/contour?simplify=5');
  const b = await rawRequest('/api/v1/territories/departement:69/contour?simplify=12');
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.notEqual(opaque(a.headers.get('etag')), opaque(b.headers.get('etag')));
  const missing = await rawRequest('/api/v1/territories/arrondissement:69383/contour');
  assert.equal(missing.status, 404);
  assert.doesNotMatch(missing.headers.get('cache-control') || '', /public/);
  assert.equal(missing.headers.get('etag'), null);
});

test('the régions background is cached a day with an ETag, and revalidates to 304', async () => {
  const first = await rawRequest('/geo/regions.geojson', { headers: { accept: 'application/geo+json', 'accept-encoding': 'gzip' } });
  assert.equal(first.status, 200, brief(first));
  assert.match(first.contentType, /^application\/geo\+json/);
  assert.ok(publicMaxAge(first) >= DAY);
  const etag = first.headers.get('etag');
  assert.ok(etag, 'an ETag');
  const revalidated = await rawRequest('/geo/regions.geojson', { headers: { 'if-none-match': etag, 'accept-encoding': 'gzip' } });
  assert.equal(revalidated.status, 304);
});

test('without /config.json the front end gets an empty configuration, not the application page nor a 404', async () => {
  const res = await rawRequest('/config.json');
  assert.equal(res.status, 200, brief(res));
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(JSON.parse(res.text), {});
  assert.doesNotMatch(res.text, /<div id="app"|<main/);
});
