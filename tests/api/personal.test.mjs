// The personal space (docs/api.md, "The personal space"): favourites, collections and their items,
// saved searches; and what bad input does to them — a clear 4xx, and nothing changed (read back).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';

import { api, assertError, brief, rawRequest, sql, useSharedStack } from './helpers.mjs';
import { publishedIds, signUpAndLogIn } from './accounts-helpers.mjs';

useSharedStack();

const V1 = '/api/v1';
const COLLECTION_KEYS = ['id', 'title', 'description', 'visibility', 'owner', 'item_count', 'created_at', 'updated_at', 'version', 'is_owner'];
const SAVED_SEARCH_KEYS = ['id', 'name', 'params', 'alert', 'last_alert_at', 'created_at', 'version'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let owner; // verified
let unverified;
let ids; // published initiatives

before(async () => {
  owner = await signUpAndLogIn({ name: 'Camille <b>Perso</b>', prefix: 'personal' });
  unverified = await signUpAndLogIn({ verified: false, name: 'Dominique', prefix: 'personal-unverified' });
  ids = await publishedIds(6);
});

after(async () => {
  for (const c of [owner, unverified]) if (c) await c.remove();
});

function expectStatus(res, status) {
  assert.equal(res.status, status, brief(res));
  return res.json;
}

async function newCollection(client, body = {}) {
  return expectStatus(await client.post(`${V1}/collections`, { title: 'Sans titre', ...body }), 201);
}

const positions = (c) => c.items.map((i) => [i.position, i.initiative.id]);

describe('favourites', () => {
  test('starring is idempotent, lists newest first with the short form and favourited_at, ids give the stars', async () => {
    const [a, b, c] = ids;
    for (const id of [a, b, c, b]) assert.equal((await owner.put(`${V1}/me/favourites/${id}`)).status, 204);
    const list = expectStatus(await owner.get(`${V1}/me/favourites`), 200);
    assert.deepEqual(
      list.items.map((i) => i.id),
      [c, b, a],
      'newest first; starring b again neither moved nor doubled it',
    );
    assert.equal(list.next_cursor, null);
    for (const item of list.items) {
      assert.match(item.favourited_at, ISO);
      for (const k of ['slug', 'title', 'themes', 'actor', 'territory', 'location', 'sources']) assert.ok(k in item, `ITEM has ${k}`);
    }
    assert.deepEqual(expectStatus(await owner.get(`${V1}/me/favourites/ids`), 200), { ids: [c, b, a] });

    // Pages of one, following next_cursor, give the same order.
    const seen = [];
    let cursor = null;
    do {
      const page = expectStatus(await owner.get(`${V1}/me/favourites?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`), 200);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor && seen.length < 10);
    assert.deepEqual(seen, [c, b, a]);

    for (const id of [b, b]) assert.equal((await owner.del(`${V1}/me/favourites/${id}`)).status, 204, 'removing is idempotent');
    assert.deepEqual(expectStatus(await owner.get(`${V1}/me/favourites/ids`), 200), { ids: [c, a] });
    for (const id of [a, c]) assert.equal((await owner.del(`${V1}/me/favourites/${id}`)).status, 204);
  });

  test('an unknown initiative is a 404, a malformed id a 400, bad paging a 400', async () => {
    assertError(await owner.put(`${V1}/me/favourites/999999999`), 404, 'not_found');
    assertError(await owner.put(`${V1}/me/favourites/abc`), 400, 'invalid_parameter', 'initiative_id');
    assertError(await owner.get(`${V1}/me/favourites?limit=0`), 400, 'invalid_parameter', 'limit');
    assertError(await owner.get(`${V1}/me/favourites?cursor=nope`), 400, 'invalid_parameter', 'cursor');
    assert.deepEqual(expectStatus(await owner.get(`${V1}/me/favourites/ids`), 200), { ids: [] });
  });
});

describe('collections', () => {
  test('create: the COLLECTION shape, private by default, text stored as typed and trimmed', async () => {
    const c = await newCollection(owner, { title: '  Tiers-lieux <b>à</b> visiter  ', description: 'Ligne 1\nLigne 2\t<script>alert(1)</script>' });
    assert.deepEqual(Object.keys(c).sort(), [...COLLECTION_KEYS, 'items'].sort());
    assert.equal(c.title, 'Tiers-lieux <b>à</b> visiter');
    assert.equal(c.description, 'Ligne 1\nLigne 2\t<script>alert(1)</script>');
    assert.equal(c.visibility, 'private');
    assert.deepEqual(c.owner, { display_name: 'Camille <b>Perso</b>' });
    assert.equal(c.item_count, 0);
    assert.deepEqual(c.items, []);
    assert.equal(c.version, 1);
    assert.equal(c.is_owner, true);
    assert.match(c.created_at, ISO);
    const again = expectStatus(await owner.get(`${V1}/collections/${c.id}`), 200);
    assert.deepEqual(again, c);
    const mine = expectStatus(await owner.get(`${V1}/me/collections`), 200);
    const listed = mine.items.find((x) => x.id === c.id);
    assert.ok(listed, 'listed in /me/collections');
    assert.ok(!('items' in listed), 'the list holds collections without their items');
    assert.equal((await owner.del(`${V1}/collections/${c.id}`)).status, 204);
    assertError(await owner.get(`${V1}/collections/${c.id}`), 404, 'not_found');
    assertError(await owner.del(`${V1}/collections/${c.id}`), 404, 'not_found');
  });

  test('items: added last, already present 409, unknown initiative 404, moved, noted and removed with positions 1..n', async () => {
    const c = await newCollection(owner, { title: 'Ordre' });
    const [a, b, d, e] = ids;
    let cur;
    for (const id of [a, b, d, e]) cur = expectStatus(await owner.post(`${V1}/collections/${c.id}/items`, { initiative_id: id, note: `note ${id}` }), 201);
    assert.deepEqual(positions(cur), [[1, a], [2, b], [3, d], [4, e]]);
    assert.equal(cur.item_count, 4);
    const item = cur.items[0];
    assert.deepEqual(Object.keys(item).sort(), ['added_at', 'initiative', 'note', 'position']);
    assert.equal(item.note, `note ${a}`);
    assert.equal(item.initiative.id, a);

    assertError(await owner.post(`${V1}/collections/${c.id}/items`, { initiative_id: b }), 409, 'already_present');
    assertError(await owner.post(`${V1}/collections/${c.id}/items`, { initiative_id: 999999999 }), 404, 'not_found');
    assertError(await owner.post(`${V1}/collections/${c.id}/items`, { initiative_id: '42' }), 400, 'invalid_field', 'initiative_id');

    // The last one first: the others shift down.
    cur = expectStatus(await owner.patch(`${V1}/collections/${c.id}/items/${e}`, { position: 1 }), 200);
    assert.deepEqual(positions(cur), [[1, e], [2, a], [3, b], [4, d]]);
    // The first one third.
    cur = expectStatus(await owner.patch(`${V1}/collections/${c.id}/items/${e}`, { position: 3 }), 200);
    assert.deepEqual(positions(cur), [[1, a], [2, b], [3, e], [4, d]]);
    // Past the end: last.
    cur = expectStatus(await owner.patch(`${V1}/collections/${c.id}/items/${a}`, { position: 400 }), 200);
    assert.deepEqual(positions(cur), [[1, b], [2, e], [3, d], [4, a]]);
    // A note alone changes no position; a note with a move changes both.
    cur = expectStatus(await owner.patch(`${V1}/collections/${c.id}/items/${d}`, { note: '  à voir <i>vite</i> ' }), 200);
    assert.deepEqual(positions(cur), [[1, b], [2, e], [3, d], [4, a]]);
    assert.equal(cur.items[2].note, 'à voir <i>vite</i>');
    cur = expectStatus(await owner.patch(`${V1}/collections/${c.id}/items/${d}`, { note: '', position: 1 }), 200);
    assert.deepEqual(positions(cur), [[1, d], [2, b], [3, e], [4, a]]);
    assert.equal(cur.items[0].note, '');
    assertError(await owner.patch(`${V1}/collections/${c.id}/items/${d}`, { position: 0 }), 400, 'invalid_field', 'position');
    assertError(await owner.patch(`${V1}/collections/${c.id}/items/${ids[5]}`, { position: 1 }), 404, 'not_found');

    // Removing one closes the gap.
    assert.equal((await owner.del(`${V1}/collections/${c.id}/items/${b}`)).status, 204);
    cur = expectStatus(await owner.get(`${V1}/collections/${c.id}`), 200);
    assert.deepEqual(positions(cur), [[1, d], [2, e], [3, a]]);
    assert.equal(cur.item_count, 3);
    assertError(await owner.del(`${V1}/collections/${c.id}/items/${b}`), 404, 'not_found');
    assert.equal(cur.version, 1, 'changes of items do not change the version');

    // Parallel moves of one collection are applied one after the other: positions stay 1..n.
    await Promise.all([d, e, a, d, e, a].map((id, i) => owner.patch(`${V1}/collections/${c.id}/items/${id}`, { position: (i % 3) + 1 })));
    cur = expectStatus(await owner.get(`${V1}/collections/${c.id}`), 200);
    assert.deepEqual(cur.items.map((i) => i.position), [1, 2, 3]);
    assert.deepEqual(cur.items.map((i) => i.initiative.id).sort(), [a, d, e].sort());
    assert.equal((await owner.del(`${V1}/collections/${c.id}`)).status, 204);
  });

  test('PATCH with a stale version is a 409 conflict holding the current collection', async () => {
    const c = await newCollection(owner, { title: 'Version 1' });
    const v2 = expectStatus(await owner.patch(`${V1}/collections/${c.id}`, { version: 1, title: 'Version 2', description: 'd' }), 200);
    assert.equal(v2.version, 2);
    assert.equal(v2.title, 'Version 2');
    assert.equal(v2.description, 'd');
    const res = await owner.patch(`${V1}/collections/${c.id}`, { version: 1, title: 'Perdu' });
    assert.equal(res.status, 409, brief(res));
    assert.equal(res.json.error.code, 'conflict');
    assert.deepEqual(res.json.current, expectStatus(await owner.get(`${V1}/collections/${c.id}`), 200));
    assert.equal(res.json.current.title, 'Version 2', 'the stale write changed nothing');
    assertError(await owner.patch(`${V1}/collections/${c.id}`, { title: 'sans version' }), 400, 'invalid_field', 'version');
    assert.equal((await owner.del(`${V1}/collections/${c.id}`)).status, 204);
  });

  test('a public collection is read by anyone, logged out included, privately and never from the shared cache', async () => {
    const c = await newCollection(owner, { title: 'Partagée', visibility: 'public' });
    assert.equal(c.visibility, 'public');
    expectStatus(await owner.post(`${V1}/collections/${c.id}/items`, { initiative_id: ids[0], note: 'publique' }), 201);
    for (let i = 0; i < 2; i++) {
      const res = await api(`${V1}/collections/${c.id}`);
      const body = expectStatus(res, 200);
      assert.equal(res.headers.get('cache-control'), 'private, no-store');
      assert.notEqual(res.headers.get('x-cache'), 'HIT', 'never served from the shared cache');
      assert.equal(body.is_owner, false);
      assert.deepEqual(body.owner, { display_name: 'Camille <b>Perso</b>' });
      assert.ok(!res.text.includes(owner.email), 'the owner’s address is never shown');
      assert.equal(body.items[0].note, 'publique');
    }
    const mine = await owner.get(`${V1}/collections/${c.id}`);
    assert.equal(mine.headers.get('cache-control'), 'private, no-store');
    assert.equal(mine.json.is_owner, true);
    // Back to private: logged out it is gone.
    expectStatus(await owner.patch(`${V1}/collections/${c.id}`, { version: c.version, visibility: 'private' }), 200);
    assertError(await api(`${V1}/collections/${c.id}`), 404, 'not_found');
    assert.equal((await owner.del(`${V1}/collections/${c.id}`)).status, 204);
  });

  test('an unverified account keeps its collections private: 403 unverified to publish', async () => {
    assertError(await unverified.post(`${V1}/collections`, { title: 'Publique ?', visibility: 'public' }), 403, 'unverified');
    const c = await newCollection(unverified, { title: 'Privée' });
    assertError(await unverified.patch(`${V1}/collections/${c.id}`, { version: 1, visibility: 'public' }), 403, 'unverified');
    const back = expectStatus(await unverified.get(`${V1}/collections/${c.id}`), 200);
    assert.equal(back.visibility, 'private');
    assert.equal(back.version, 1);
    assert.equal((await unverified.del(`${V1}/collections/${c.id}`)).status, 204);
  });

  test('at most 200 collections: the 201st is a 409 limit_reached', async () => {
    await sql(`INSERT INTO collection (user_id, title) SELECT ${owner.id}, 'rempli ' || g FROM generate_series(1, 199) g`);
    try {
      const last = await newCollection(owner, { title: 'La deux-centième' });
      assertError(await owner.post(`${V1}/collections`, { title: 'De trop' }), 409, 'limit_reached');
      const mine = expectStatus(await owner.get(`${V1}/me/collections`), 200);
      assert.equal(mine.items.length, 200);
      assert.equal(mine.items[0].id, last.id, 'last changed first');
    } finally {
      await sql(`DELETE FROM collection WHERE user_id = ${owner.id}`);
    }
  });

  test('at most 500 items in a collection', async (t) => {
    // The rows up to the limit are written directly; it needs more published initiatives than the
    // limit, which the demonstration data alone (300) does not have.
    const n = Number(await sql(`SELECT count(*) FROM initiative WHERE status = 'published'`));
    if (n < 501) {
      t.skip(`only ${n} published initiatives: the 500-item limit cannot be reached`);
      return;
    }
    const c = await newCollection(owner, { title: 'Pleine' });
    try {
      await sql(
        `INSERT INTO collection_item (collection_id, initiative_id, position) SELECT ${c.id}, id, row_number() OVER (ORDER BY id) FROM initiative WHERE status = 'published' AND id NOT IN (${ids[0]}, ${ids[1]}) ORDER BY id LIMIT 499`,
      );
      expectStatus(await owner.post(`${V1}/collections/${c.id}/items`, { initiative_id: ids[0] }), 201);
      assertError(await owner.post(`${V1}/collections/${c.id}/items`, { initiative_id: ids[1] }), 409, 'limit_reached');
    } finally {
      await owner.del(`${V1}/collections/${c.id}`);
    }
  });
});

describe('saved searches', () => {
  test('create, list, rename and switch the alert, stale version 409, delete', async () => {
    const s = expectStatus(
      await owner.post(`${V1}/me/searches`, { name: ' Jardins <b>à</b> Lyon ', params: { q: 'jardin', territory: 'departement:69', theme: 'ENV' }, alert: 'weekly' }),
      201,
    );
    assert.deepEqual(Object.keys(s).sort(), [...SAVED_SEARCH_KEYS].sort());
    assert.equal(s.name, 'Jardins <b>à</b> Lyon');
    assert.deepEqual(s.params, { q: 'jardin', territory: 'departement:69', theme: 'ENV' });
    assert.equal(s.alert, 'weekly');
    assert.equal(s.version, 1);
    assert.match(s.last_alert_at, ISO);
    const def = expectStatus(await owner.post(`${V1}/me/searches`, { name: 'Tout', params: {} }), 201);
    assert.equal(def.alert, 'none');

    const list = expectStatus(await owner.get(`${V1}/me/searches`), 200);
    assert.deepEqual(list.items.map((x) => x.id), [def.id, s.id], 'newest first');
    assert.deepEqual(list.items[1], s);

    const s2 = expectStatus(await owner.patch(`${V1}/me/searches/${s.id}`, { version: 1, name: 'Jardins', alert: 'none' }), 200);
    assert.equal(s2.version, 2);
    assert.equal(s2.name, 'Jardins');
    assert.equal(s2.alert, 'none');
    assert.deepEqual(s2.params, s.params, 'params are not changed by a PATCH');
    const stale = await owner.patch(`${V1}/me/searches/${s.id}`, { version: 1, name: 'Perdu' });
    assert.equal(stale.status, 409, brief(stale));
    assert.equal(stale.json.error.code, 'conflict');
    assert.deepEqual(stale.json.current, s2);
    assertError(await owner.patch(`${V1}/me/searches/${s.id}`, { version: 2, params: { q: 'x' } }), 400, 'invalid_field', 'params');

    for (const x of [s, def]) assert.equal((await owner.del(`${V1}/me/searches/${x.id}`)).status, 204);
    assertError(await owner.del(`${V1}/me/searches/${s.id}`), 404, 'not_found');
    assert.deepEqual(expectStatus(await owner.get(`${V1}/me/searches`), 200), { items: [] });
  });

  test('params are validated as the search validates them, the error naming params.<name>', async () => {
    const cases = [
      [{ theme: 'NOPE' }, 'params.theme'],
      [{ theme: 'pas un code' }, 'params.theme'],
      [{ source: 'inconnue' }, 'params.source'],
      [{ territory: 'commune:00000' }, 'params.territory'],
      [{ year_min: '1200' }, 'params.year_min'],
      [{ year_min: 2000 }, 'params.year_min'],
      [{ year_min: '2010', year_max: '2000' }, 'params.year_min'],
      [{ near: '45.7,4.8' }, 'params.near'],
      [{ bbox: '5,45,4,46' }, 'params.bbox'],
      [{ sort: 'distance' }, 'params.sort'],
      [{ sort: 'nope' }, 'params.sort'],
      [{ q: 'jardin AND (' }, 'params.q'],
      [{ limit: '5' }, 'params.limit'],
      [{ cursor: 'x' }, 'params.cursor'],
      [{ theme: ['ENV'] }, 'params.theme'],
    ];
    for (const [params, field] of cases) {
      const res = await owner.post(`${V1}/me/searches`, { name: 'Invalide', params });
      assert.equal(res.status, 400, `${JSON.stringify(params)}: ${brief(res)}`);
      assert.equal(res.json.error.field, field, `${JSON.stringify(params)}: ${brief(res)}`);
      assert.ok(['invalid_field', 'invalid_query'].includes(res.json.error.code), brief(res));
    }
    assertError(await owner.post(`${V1}/me/searches`, { name: 'x', params: 'q=jardin' }), 400, 'invalid_field', 'params');
    assertError(await owner.post(`${V1}/me/searches`, { name: '', params: {} }), 400, 'invalid_field', 'name');
    assertError(await owner.post(`${V1}/me/searches`, { name: 'x'.repeat(121), params: {} }), 400, 'invalid_field', 'name');
    assertError(await owner.post(`${V1}/me/searches`, { name: 'x', params: {}, alert: 'hourly' }), 400, 'invalid_field', 'alert');
    assertError(await owner.post(`${V1}/me/searches`, { name: 'x' }), 400, 'invalid_field', 'params');
    // Every valid parameter is accepted.
    const ok = expectStatus(
      await owner.post(`${V1}/me/searches`, {
        name: 'Complète',
        params: { q: 'jardin', theme: 'ENV', actor_type: 'association', year_min: '2000', year_max: '2030', near: '45.76,4.83,20', sort: 'distance' },
      }),
      201,
    );
    assert.equal((await owner.del(`${V1}/me/searches/${ok.id}`)).status, 204);
    assert.deepEqual(expectStatus(await owner.get(`${V1}/me/searches`), 200), { items: [] }, 'no refused search was saved');
  });

  test('at most 100 saved searches', async () => {
    await sql(`INSERT INTO saved_search (user_id, name, params) SELECT ${owner.id}, 'r' || g, '{}' FROM generate_series(1, 99) g`);
    try {
      expectStatus(await owner.post(`${V1}/me/searches`, { name: 'La centième', params: {} }), 201);
      assertError(await owner.post(`${V1}/me/searches`, { name: 'De trop', params: {} }), 409, 'limit_reached');
      assert.equal(expectStatus(await owner.get(`${V1}/me/searches`), 200).items.length, 100);
    } finally {
      await sql(`DELETE FROM saved_search WHERE user_id = ${owner.id}`);
    }
  });
});

describe('bad input changes nothing', () => {
  let c;
  let snapshot;
  const read = async () => ({
    collection: expectStatus(await owner.get(`${V1}/collections/${c.id}`), 200),
    mine: expectStatus(await owner.get(`${V1}/me/collections`), 200),
    searches: expectStatus(await owner.get(`${V1}/me/searches`), 200),
    favourites: expectStatus(await owner.get(`${V1}/me/favourites/ids`), 200),
  });

  before(async () => {
    c = await newCollection(owner, { title: 'Témoin' });
    expectStatus(await owner.post(`${V1}/collections/${c.id}/items`, { initiative_id: ids[0] }), 201);
    snapshot = await read();
  });
  after(async () => {
    if (c) await owner.del(`${V1}/collections/${c.id}`);
  });

  const writes = () => [
    ['POST', `${V1}/collections`],
    ['PATCH', `${V1}/collections/${c.id}`],
    ['POST', `${V1}/collections/${c.id}/items`],
    ['PATCH', `${V1}/collections/${c.id}/items/${ids[0]}`],
    ['POST', `${V1}/me/searches`],
  ];

  test('malformed JSON, invalid UTF-8, another content type, a body that is not an object: 400/415', async () => {
    for (const [method, p] of writes()) {
      const e = assertError(await owner.request(p, { method, body: '{"title": "x",' }), 400, 'invalid_json');
      assert.match(e.message, /colonne/);
      assertError(await owner.request(p, { method, body: Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }), 400, 'invalid_json');
      assertError(await owner.request(p, { method, body: '["title"]' }), 400, 'invalid_json');
      assertError(await owner.request(p, { method, body: '{"title": "a", "title": "b"}' }), 400, 'invalid_json');
      assertError(await owner.request(p, { method, body: '{"title":"x"}', contentType: 'text/plain' }), 415, 'unsupported_media_type');
    }
    assert.deepEqual(await read(), snapshot);
  });

  test('unknown fields, wrong types, empty or too long strings, control characters: 400 naming the field', async () => {
    const cases = [
      ['POST', `${V1}/collections`, { title: 'x', owner: 1 }, 'owner'],
      ['POST', `${V1}/collections`, { title: 5 }, 'title'],
      ['POST', `${V1}/collections`, { title: '   ' }, 'title'],
      ['POST', `${V1}/collections`, { title: 'x'.repeat(121) }, 'title'],
      ['POST', `${V1}/collections`, { title: 'a\u0001b' }, 'title'],
      ['POST', `${V1}/collections`, { title: 'a\nb' }, 'title'],
      ['POST', `${V1}/collections`, { title: 'x', description: 'd'.repeat(2001) }, 'description'],
      ['POST', `${V1}/collections`, { title: 'x', visibility: 'secret' }, 'visibility'],
      ['PATCH', `${V1}/collections/${c.id}`, { version: '1', title: 'x' }, 'version'],
      ['PATCH', `${V1}/collections/${c.id}`, { version: 1, title: null, user_id: 2 }, 'user_id'],
      ['PATCH', `${V1}/collections/${c.id}`, { version: 1.5 }, 'version'],
      ['POST', `${V1}/collections/${c.id}/items`, { initiative_id: ids[1], note: 'n'.repeat(1001) }, 'note'],
      ['POST', `${V1}/collections/${c.id}/items`, { initiative_id: -1 }, 'initiative_id'],
      ['POST', `${V1}/collections/${c.id}/items`, { initiative_id: ids[1], position: 1 }, 'position'],
      ['PATCH', `${V1}/collections/${c.id}/items/${ids[0]}`, { position: '1' }, 'position'],
      ['PATCH', `${V1}/collections/${c.id}/items/${ids[0]}`, { note: 'x\u0000y' }, undefined],
      ['POST', `${V1}/me/searches`, { name: 'x', params: { q: 'x' }, extra: true }, 'extra'],
    ];
    for (const [method, p, body, field] of cases) {
      const res = await owner.request(p, { method, body });
      assert.equal(res.status, 400, `${method} ${p} ${JSON.stringify(body)}: ${brief(res)}`);
      if (field) assertError(res, 400, 'invalid_field', field);
    }
    assert.deepEqual(await read(), snapshot);
  });

  test('a body over 64 KiB is a 413', async () => {
    const big = JSON.stringify({ title: 'x', description: 'é'.repeat(40 * 1024) });
    assert.ok(Buffer.byteLength(big) > 64 * 1024);
    for (const [method, p] of writes()) {
      const res = await rawRequest(p, {
        method,
        body: big,
        headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/json' },
      });
      assertError(res, 413, 'payload_too_large');
    }
    assert.deepEqual(await read(), snapshot);
  });

  test('markup and SQL-looking text are stored and returned verbatim, as JSON text, and harm nothing', async () => {
    const texts = [
      `<script>alert("x")</script>`,
      `'; DROP TABLE collection; --`,
      `Robert'); DELETE FROM app_user WHERE ('1'='1`,
      `\\x00 %00 $1 $$ ${'{'}{7*7}}`,
      `emoji 🌱 et "guillemets" et \\ barre`,
    ];
    const made = [];
    for (const t of texts) {
      const x = await newCollection(owner, { title: t, description: t });
      made.push(x.id);
      assert.equal(x.title, t);
      const back = await owner.get(`${V1}/collections/${x.id}`);
      assert.match(back.contentType, /^application\/json/);
      assert.equal(back.json.title, t);
      assert.equal(back.json.description, t);
      const item = expectStatus(await owner.post(`${V1}/collections/${x.id}/items`, { initiative_id: ids[0], note: t }), 201);
      assert.equal(item.items[0].note, t);
      const s = expectStatus(await owner.post(`${V1}/me/searches`, { name: t, params: { q: 'jardin' } }), 201);
      assert.equal(s.name, t);
      assert.equal((await owner.del(`${V1}/me/searches/${s.id}`)).status, 204);
    }
    assert.ok(Number(await sql('SELECT count(*) FROM app_user')) >= 2, 'app_user is intact');
    for (const id of made) assert.equal((await owner.del(`${V1}/collections/${id}`)).status, 204);
    assert.deepEqual(await read(), snapshot);
  });
});
