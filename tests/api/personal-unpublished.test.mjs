// An initiative that is no longer published cannot be starred nor added to a collection (404), and the
// favourites and collection items that point to it are left out of answers until it is published
// again. The initiative is archived in the database and put back afterwards (even when a test fails);
// the file holds the stack alone meanwhile, so that the files comparing answers with the demo data
// never see the change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { assertError, brief, sql, useExclusiveStack } from './helpers.mjs';
import { publishedIds, signUpAndLogIn } from './accounts-helpers.mjs';

useExclusiveStack();

const V1 = '/api/v1';
let person;
let hidden; // the initiative archived by the test
let kept;
let archived = false;

async function setStatus(status) {
  await sql(`UPDATE initiative SET status = '${status}' WHERE id = ${Number(hidden)}`);
  archived = status !== 'published';
}

before(async () => {
  person = await signUpAndLogIn({ prefix: 'personal-unpublished' });
  [hidden, kept] = await publishedIds(2);
});

after(async () => {
  if (archived) await setStatus('published');
  if (person) await person.remove();
});

function ok(res, status) {
  assert.equal(res.status, status, brief(res));
  return res.json;
}

test('an archived initiative is a 404 to star or to add, and what points to it is hidden until it is published again', async () => {
  for (const id of [hidden, kept]) ok(await person.put(`${V1}/me/favourites/${id}`), 204);
  const c = ok(await person.post(`${V1}/collections`, { title: 'Avec une archivée' }), 201);
  for (const id of [hidden, kept]) ok(await person.post(`${V1}/collections/${c.id}/items`, { initiative_id: id }), 201);

  await setStatus('archived');
  assertError(await person.put(`${V1}/me/favourites/${hidden}`), 404, 'not_found');
  const other = ok(await person.post(`${V1}/collections`, { title: 'Vide' }), 201);
  assertError(await person.post(`${V1}/collections/${other.id}/items`, { initiative_id: hidden }), 404, 'not_found', 'initiative_id');
  assert.deepEqual(ok(await person.get(`${V1}/me/favourites/ids`), 200), { ids: [kept] });
  assert.deepEqual(
    ok(await person.get(`${V1}/me/favourites`), 200).items.map((i) => i.id),
    [kept],
  );
  let back = ok(await person.get(`${V1}/collections/${c.id}`), 200);
  assert.equal(back.item_count, 1);
  assert.deepEqual(back.items.map((i) => i.initiative.id), [kept]);

  await setStatus('published');
  assert.deepEqual(ok(await person.get(`${V1}/me/favourites/ids`), 200), { ids: [kept, hidden] });
  back = ok(await person.get(`${V1}/collections/${c.id}`), 200);
  assert.deepEqual(
    back.items.map((i) => [i.position, i.initiative.id]),
    [
      [1, hidden],
      [2, kept],
    ],
  );
});
