// Contributions, claims, carrier edits, moderation and history (docs/api.md, "Contributions"):
// what a member, a carrier and a moderator see and do, against the real stack. The authorisation
// matrix of these endpoints is in contributions-authorization.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { api, brief, qs, rawRequest, sql, useSharedStack, waitUntil, scaled } from './helpers.mjs';
import { signUpAndLogIn, resetRateLimits } from './accounts-helpers.mjs';
import { uniqueWord } from './mail.mjs';

useSharedStack();

const V1 = '/api/v1';
const people = {};
// A point in Rennes (commune 35238) and one in the Atlantic.
const RENNES = { address: '12 rue de la Monnaie, 35000 Rennes', lon: -1.6795, lat: 48.1122 };
const OCEAN = { address: null, lon: -20.5, lat: 45.0 };

before(async () => {
  await resetRateLimits();
  people.author = await signUpAndLogIn({ name: 'Autrice Test', prefix: 'contrib-author' });
  people.other = await signUpAndLogIn({ name: 'Autre Membre', prefix: 'contrib-other' });
  people.moderator = await signUpAndLogIn({ name: 'Modératrice', prefix: 'contrib-mod', role: 'moderator' });
  people.admin = await signUpAndLogIn({ name: 'Admin Test', prefix: 'contrib-admin', role: 'admin' });
});

// The initiatives these tests publish are removed with their people, so that the suites after this
// one find the demonstration catalogue as it was.
after(async () => {
  const ids = Object.values(people).map((c) => Number(c.id));
  if (ids.length) await sql(`DELETE FROM initiative WHERE proposed_by IN (${ids.join(', ')})`);
  for (const c of Object.values(people)) await c.remove();
});

function proposal(word, extra = {}) {
  return {
    title: `Atelier ${word} de réparation`,
    summary: `Un atelier ${word} où l'on répare ensemble.`,
    description: `Chaque samedi, des bénévoles aident à réparer vélos et petits appareils (${word}).`,
    actor_name: 'Association Répare',
    actor_type: 'association',
    themes: ['ENV'],
    publics: [],
    start_year: 2021,
    website: 'https://repare.example.org/',
    place: RENNES,
    ...extra,
  };
}

async function searchIds(q) {
  const res = await api(`${V1}/search${qs({ q, limit: 50 })}`);
  assert.equal(res.status, 200, brief(res));
  return res.json.items.map((i) => i.id);
}

async function propose(client, fields, submit = true) {
  const res = await client.post(`${V1}/contributions`, { kind: 'proposal', fields, submit });
  assert.equal(res.status, 201, brief(res));
  return res.json;
}

async function approve(c, reason) {
  const res = await people.moderator.post(`${V1}/contributions/${c.id}/review`, { version: c.version, decision: 'approve', reason });
  assert.equal(res.status, 200, brief(res));
  return res.json;
}

test('a proposal: draft, finished later, submitted; invisible until a moderator approves; then found by search, suggestions, the map and its history', async () => {
  const word = uniqueWord('zprop');
  const draft = await propose(people.author, { title: `Atelier ${word}` }, false);
  assert.equal(draft.status, 'draft');
  assert.equal(draft.kind, 'proposal');
  assert.equal(draft.author.name, 'Autrice Test');
  // Finished later: the whole form, then submitted.
  const patched = await people.author.patch(`${V1}/contributions/${draft.id}`, { version: draft.version, fields: proposal(word), submit: true });
  assert.equal(patched.status, 200, brief(patched));
  assert.equal(patched.json.status, 'pending');
  assert.equal(patched.json.fields.place.commune_code, '35238', 'the point is located in its commune by our contours');
  assert.equal(patched.json.fields.place.commune, 'Rennes');
  assert.equal(patched.headers.get('cache-control'), 'private, no-store');

  // Pending: only the author and moderators know it.
  assert.deepEqual(await searchIds(word), [], 'a pending proposal is not in search');
  const suggest = await api(`${V1}/suggest${qs({ q: `Atelier ${word}` })}`);
  assert.ok(!suggest.text.includes(word), 'nor in suggestions');
  assert.equal((await people.other.get(`${V1}/contributions/${draft.id}`)).status, 404, 'another member gets a 404');
  const mine = await people.author.get(`${V1}/me/contributions`);
  assert.ok(mine.json.items.some((c) => c.id === draft.id && c.status === 'pending'));
  const queue = await people.moderator.get(`${V1}/moderation/queue${qs({ kind: 'proposal' })}`);
  assert.equal(queue.status, 200, brief(queue));
  const item = queue.json.items.find((i) => i.kind === 'proposal' && i.id === draft.id);
  assert.ok(item, 'the moderators see it in the queue');
  assert.equal(item.detail.fields.title, `Atelier ${word} de réparation`);

  const done = await approve(patched.json, 'Merci !');
  assert.equal(done.status, 'approved');
  const id = done.initiative.id;
  assert.deepEqual(await searchIds(word), [id], 'approved: found by search at once');
  const detail = await api(`${V1}/initiatives/${id}`);
  assert.equal(detail.status, 200);
  assert.equal(detail.json.origin, 'contribution');
  assert.equal(detail.json.version, 1);
  assert.equal(detail.json.territory.commune.code, '35238');
  const map = await api(`${V1}/map/clusters${qs({ q: word, bbox: '-2,47.5,-1,48.5', zoom: 14 })}`);
  assert.equal(map.status, 200, brief(map));
  const points = map.json.features.map((f) => [f.properties.count ?? 1, ...f.geometry.coordinates]);
  assert.deepEqual(points, [[1, RENNES.lon, RENNES.lat]], `on the map, where the pin was: ${map.text.slice(0, 300)}`);

  const history = await api(`${V1}/initiatives/${id}/history`);
  assert.equal(history.status, 200, brief(history));
  assert.equal(history.json.items.length, 1);
  const [rev] = history.json.items;
  assert.equal(rev.version, 1);
  assert.equal(rev.actor.kind, 'member');
  assert.equal(rev.actor.name, 'Autrice Test');
  assert.equal(rev.reviewer, 'Modératrice');
  assert.ok(rev.changes.some((c) => c.field === 'title' && c.before === null && c.after === `Atelier ${word} de réparation`));

  const mail = await sql(`SELECT subject FROM mail_outbox WHERE to_addr = '${people.author.email}' AND kind = 'contribution' ORDER BY id DESC LIMIT 1`);
  assert.match(mail, /publiée/, 'the author is told by e-mail');
});

test('a rejected proposal is never published and its author reads the reason', async () => {
  const word = uniqueWord('zrej');
  const c = await propose(people.author, proposal(word));
  const res = await people.moderator.post(`${V1}/contributions/${c.id}/review`, { version: c.version, decision: 'reject' });
  assert.equal(res.status, 400, 'a refusal needs a reason');
  assert.equal(res.json.error.field, 'reason');
  const rejected = await people.moderator.post(`${V1}/contributions/${c.id}/review`, { version: c.version, decision: 'reject', reason: 'Hors du champ de la plateforme.' });
  assert.equal(rejected.status, 200, brief(rejected));
  assert.equal(rejected.json.status, 'rejected');
  assert.deepEqual(await searchIds(word), []);
  const seen = await people.author.get(`${V1}/contributions/${c.id}`);
  assert.equal(seen.json.reason, 'Hors du champ de la plateforme.');
  const body = await sql(`SELECT body_text FROM mail_outbox WHERE to_addr = '${people.author.email}' ORDER BY id DESC LIMIT 1`);
  assert.match(body, /Hors du champ de la plateforme\./, 'the reason is e-mailed');
});

test('asking for changes sends it back to the author, who edits and submits it again', async () => {
  const word = uniqueWord('zchg');
  const c = await propose(people.author, proposal(word));
  const back = await people.moderator.post(`${V1}/contributions/${c.id}/review`, { version: c.version, decision: 'request_changes', reason: 'Précisez le public.' });
  assert.equal(back.status, 200, brief(back));
  assert.equal(back.json.status, 'changes_requested');
  const again = await people.author.patch(`${V1}/contributions/${c.id}`, { version: back.json.version, fields: proposal(word, { publics: ['jeunes'] }), submit: true });
  assert.equal(again.status, 200, brief(again));
  assert.equal(again.json.status, 'pending');
  assert.deepEqual(again.json.fields.publics, ['jeunes']);
  // A pending one cannot be changed any more, but can be withdrawn.
  const locked = await people.author.patch(`${V1}/contributions/${c.id}`, { version: again.json.version, comment: 'encore' });
  assert.equal(locked.status, 409, brief(locked));
  assert.equal((await people.author.del(`${V1}/contributions/${c.id}`)).status, 204);
  assert.equal((await people.author.get(`${V1}/contributions/${c.id}`)).json.status, 'withdrawn');
});

test('bad input: each refused with the field named, and nothing written', async () => {
  const count = () => sql(`SELECT count(*) FROM contribution WHERE author_id = ${people.other.id}`);
  const before = await count();
  const cases = [
    [{ kind: 'proposal', fields: { title: 'x', couleur: 'bleu' } }, 'fields'],
    [{ kind: 'proposal', fields: { title: 42 } }, 'fields.title'],
    [{ kind: 'proposal', fields: { title: '' } }, 'fields.title'],
    [{ kind: 'proposal', fields: { title: 'x'.repeat(301) } }, 'fields.title'],
    [{ kind: 'proposal', fields: { title: 'Ok', themes: ['PAS_UN_THEME'] } }, 'fields.themes'],
    [{ kind: 'proposal', fields: { title: 'Ok', themes: 'ENV' } }, 'fields.themes'],
    [{ kind: 'proposal', fields: { title: 'Ok', actor_type: 'licorne' } }, 'fields.actor_type'],
    [{ kind: 'proposal', fields: { title: 'Ok', start_year: 1500 } }, 'fields.start_year'],
    [{ kind: 'proposal', fields: { title: 'Ok', website: 'javascript:alert(1)' } }, 'fields.website'],
    [{ kind: 'proposal', fields: { title: 'Ok', place: OCEAN } }, 'fields.place'],
    [{ kind: 'proposal', fields: { title: 'Ok', place: { lon: 200, lat: 48 } } }, 'fields.place.lon'],
    [{ kind: 'proposal', fields: { title: 'Ok', place: { lon: 2, lat: 'nord' } } }, 'fields.place.lat'],
    [{ kind: 'proposal', fields: { title: 'Ok', description: 'a\u0007b' } }, 'fields.description'],
    [{ kind: 'proposal', fields: { title: 'Ok' }, submit: 'oui' }, 'submit'],
    [{ kind: 'proposal', fields: { title: 'Ok' }, extra: 1 }, 'extra'],
    [{ kind: 'autre', fields: { title: 'Ok' } }, 'kind'],
  ];
  for (const [body, field] of cases) {
    const res = await people.other.post(`${V1}/contributions`, body);
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${brief(res)}`);
    assert.equal(res.json.error.field, field, `${JSON.stringify(body).slice(0, 80)} names ${field}`);
  }
  const headers = { cookie: people.other.cookie, 'x-csrf-token': people.other.csrf, 'content-type': 'application/json' };
  const invalidUtf8 = Buffer.concat([Buffer.from('{"kind":"proposal","fields":{"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
  const bad = await rawRequest(`${V1}/contributions`, { method: 'POST', headers, body: invalidUtf8 });
  assert.equal(bad.status, 400);
  const big = await rawRequest(`${V1}/contributions`, { method: 'POST', headers, body: JSON.stringify({ kind: 'proposal', fields: { title: 'x', description: 'y'.repeat(70000) } }) });
  assert.equal(big.status, 413);
  const malformed = await rawRequest(`${V1}/contributions`, { method: 'POST', headers, body: '{"kind":"proposal",' });
  assert.equal(malformed.status, 400);
  const incomplete = await people.other.post(`${V1}/contributions`, { kind: 'proposal', fields: { summary: 'Sans titre' }, submit: true });
  assert.equal(incomplete.status, 400);
  assert.equal(incomplete.json.error.field, 'fields.title');
  assert.equal(await count(), before, 'nothing was written');
});

test('HTML and script typed in text fields are kept as text: the API gives them back as typed', async () => {
  const word = uniqueWord('zhtml');
  const title = `<script>alert("${word}")</script> & <b>gras</b>`;
  const c = await propose(people.author, proposal(word, { title, summary: `<img src=x onerror=alert(1)> ${word}` }));
  assert.equal(c.fields.title, title);
  const done = await approve(c);
  const detail = await api(`${V1}/initiatives/${done.initiative.id}`);
  assert.equal(detail.json.title, title, 'stored and answered as text (JSON), never interpreted');
  assert.equal(detail.headers.get('content-type').split(';')[0], 'application/json');
});

test('a correction: the moderator sees base, current and proposed values; approved, it is a revision by its author and in search at once', async () => {
  const word = uniqueWord('zcor');
  const created = await approve(await propose(people.author, proposal(word)));
  const id = created.initiative.id;
  const initiative = (await api(`${V1}/initiatives/${id}`)).json;
  const newWord = uniqueWord('zcorr');
  const res = await people.other.post(`${V1}/initiatives/${id}/corrections`, {
    version: initiative.version,
    fields: { summary: `Résumé corrigé ${newWord}`, start_year: 2019 },
    comment: 'Vu sur leur site.',
  });
  assert.equal(res.status, 201, brief(res));
  const corr = res.json;
  assert.equal(corr.kind, 'correction');
  assert.equal(corr.base.start_year, 2021);
  const queue = await people.moderator.get(`${V1}/moderation/queue${qs({ kind: 'correction' })}`);
  const item = queue.json.items.find((i) => i.id === corr.id);
  assert.ok(item, 'in the queue');
  assert.equal(item.detail.base.start_year, 2021);
  assert.equal(item.detail.current.start_year, 2021);
  assert.equal(item.detail.fields.start_year, 2019);
  assert.deepEqual(await searchIds(newWord), [], 'not in search before approval');
  await approve(corr);
  assert.deepEqual(await searchIds(newWord), [id], 'in search at once after approval');
  const after = (await api(`${V1}/initiatives/${id}`)).json;
  assert.equal(after.start_year, 2019);
  assert.equal(after.version, 2);
  const history = (await api(`${V1}/initiatives/${id}/history`)).json.items;
  assert.equal(history[0].version, 2);
  assert.equal(history[0].actor.name, 'Autre Membre');
  assert.equal(history[0].comment, 'Vu sur leur site.');
  assert.deepEqual(
    history[0].changes.map((c) => [c.field, c.before, c.after]),
    [
      ['summary', `Un atelier ${word} où l'on répare ensemble.`, `Résumé corrigé ${newWord}`],
      ['start_year', 2021, 2019],
    ],
  );
});

test('two moderators approving the same proposal at once: one wins, the other gets a 409, one initiative only', async () => {
  const word = uniqueWord('zrace');
  const second = await signUpAndLogIn({ name: 'Second Modérateur', prefix: 'contrib-mod2', role: 'moderator' });
  try {
    const c = await propose(people.author, proposal(word));
    const body = { version: c.version, decision: 'approve' };
    const answers = await Promise.all([
      people.moderator.post(`${V1}/contributions/${c.id}/review`, body),
      second.post(`${V1}/contributions/${c.id}/review`, body),
    ]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 409], answers.map(brief).join(' / '));
    const lost = answers.find((r) => r.status === 409);
    assert.equal(lost.json.error.code, 'conflict');
    assert.equal(lost.json.current.status, 'approved');
    assert.equal(await sql(`SELECT count(*) FROM initiative WHERE proposed_by = ${people.author.id} AND title = 'Atelier ${word} de réparation'`), '1');
  } finally {
    await second.remove();
  }
});

test('claim → approved by a moderator → the carrier edits directly: published at once, in the history, moderators told; a stale version is a 409', async () => {
  const word = uniqueWord('zclaim');
  const id = (await approve(await propose(people.author, proposal(word)))).initiative.id;
  const claim = await people.other.post(`${V1}/initiatives/${id}/claims`, { message: 'Je coordonne ce projet depuis 2021.' });
  assert.equal(claim.status, 201, brief(claim));
  assert.equal(claim.json.status, 'pending');
  assert.equal((await people.other.post(`${V1}/initiatives/${id}/claims`, {})).status, 409, 'one claim at a time');
  // Not a carrier yet: no direct edit.
  const early = await people.other.patch(`${V1}/initiatives/${id}`, { version: 1, fields: { stage: 'developpement' } });
  assert.equal(early.status, 403, brief(early));
  const queue = await people.moderator.get(`${V1}/moderation/queue${qs({ kind: 'claim' })}`);
  const item = queue.json.items.find((i) => i.id === claim.json.id);
  assert.ok(item, 'the claim is in the queue');
  const ok = await people.moderator.post(`${V1}/claims/${claim.json.id}/review`, { version: item.version, decision: 'approve' });
  assert.equal(ok.status, 204, brief(ok));
  const mine = await people.other.get(`${V1}/me/claims`);
  assert.ok(mine.json.items.some((c) => c.initiative.id === id && c.status === 'approved'));

  const v = (await api(`${V1}/initiatives/${id}`)).json.version;
  const edit = await people.other.patch(`${V1}/initiatives/${id}`, { version: v, fields: { stage: 'developpement', summary: `Résumé du porteur ${word}` }, comment: 'Mise à jour 2026' });
  assert.equal(edit.status, 200, brief(edit));
  assert.equal(edit.json.version, v + 1);
  assert.equal(edit.json.stage.code, 'developpement');
  assert.ok(edit.json.carrier_updated_at, 'the page can say « Fiche mise à jour par le porteur du projet »');
  const pub = (await api(`${V1}/initiatives/${id}`)).json;
  assert.equal(pub.summary, `Résumé du porteur ${word}`, 'published at once');
  const rev = (await api(`${V1}/initiatives/${id}/history`)).json.items[0];
  assert.equal(rev.actor.kind, 'carrier');
  const told = await sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = '${people.moderator.email}' AND kind = 'carrier_edit'`);
  assert.ok(Number(told) >= 1, 'moderators are told');

  const stale = await people.other.patch(`${V1}/initiatives/${id}`, { version: v, fields: { start_year: 2000 } });
  assert.equal(stale.status, 409, brief(stale));
  assert.equal(stale.json.current_version, v + 1);
  assert.equal(stale.json.current.start_year, 2021, 'nothing written by the stale edit');
});

test('a claim is approved at once when the verified e-mail is at the domain of the website', async () => {
  const word = uniqueWord('zdom');
  const id = (await approve(await propose(people.author, proposal(word, { website: 'https://www.example.org/projets/' + word })))).initiative.id;
  const res = await people.other.post(`${V1}/initiatives/${id}/claims`, { message: 'Notre site.' });
  assert.equal(res.status, 201, brief(res));
  assert.equal(res.json.status, 'approved');
  assert.equal(res.json.auto, true);
});

test('a moderator reverts to an earlier revision: a new revision with the old values', async () => {
  const word = uniqueWord('zrev');
  const id = (await approve(await propose(people.author, proposal(word)))).initiative.id;
  const e1 = await people.moderator.patch(`${V1}/initiatives/${id}`, { version: 1, fields: { title: `Titre faux ${word}` } });
  assert.equal(e1.status, 200, brief(e1));
  const back = await people.moderator.post(`${V1}/initiatives/${id}/revert`, { version: 2, to_version: 1, reason: 'Vandalisme' });
  assert.equal(back.status, 200, brief(back));
  assert.equal(back.json.title, `Atelier ${word} de réparation`);
  assert.equal(back.json.version, 3);
  const bad = await people.moderator.post(`${V1}/initiatives/${id}/revert`, { version: 3, to_version: 9 });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'to_version');
  const history = (await api(`${V1}/initiatives/${id}/history`)).json.items;
  assert.deepEqual(history.map((r) => r.version), [3, 2, 1]);
  assert.equal(history[0].comment, 'Vandalisme');
});

test('the history pages by cursor, newest first', async () => {
  const word = uniqueWord('zpage');
  const id = (await approve(await propose(people.author, proposal(word)))).initiative.id;
  for (let v = 1; v <= 5; v++) {
    const res = await people.moderator.patch(`${V1}/initiatives/${id}`, { version: v, fields: { start_year: 2000 + v } });
    assert.equal(res.status, 200, brief(res));
  }
  const first = await api(`${V1}/initiatives/${id}/history?limit=4`);
  assert.deepEqual(first.json.items.map((r) => r.version), [6, 5, 4, 3]);
  const second = await api(`${V1}/initiatives/${id}/history${qs({ limit: 4, cursor: first.json.next_cursor })}`);
  assert.deepEqual(second.json.items.map((r) => r.version), [2, 1]);
  assert.equal(second.json.next_cursor, null);
  assert.equal((await api(`${V1}/initiatives/${id}/history?cursor=abc`)).status, 400);
  assert.equal((await api(`${V1}/initiatives/999999999/history`)).status, 404);
});

test('the queue filters by kind, theme, territory and age, and pages by cursor', async () => {
  const word = uniqueWord('zq');
  const a = await propose(people.author, proposal(word, { themes: ['SAN'] }));
  const b = await propose(people.author, proposal(word, { place: { address: 'Lyon', lon: 4.8357, lat: 45.764 } }));
  const get = async (params) => {
    const res = await people.moderator.get(`${V1}/moderation/queue${qs({ limit: 100, ...params })}`);
    assert.equal(res.status, 200, brief(res));
    return res.json.items.map((i) => `${i.kind}:${i.id}`);
  };
  const bySan = await get({ theme: 'SAN', kind: 'proposal' });
  assert.ok(bySan.includes(`proposal:${a.id}`) && !bySan.includes(`proposal:${b.id}`));
  const inBretagne = await get({ territory: 'region:53' });
  assert.ok(inBretagne.includes(`proposal:${a.id}`) && !inBretagne.includes(`proposal:${b.id}`));
  const old = await get({ older_than_days: 30 });
  assert.ok(!old.includes(`proposal:${a.id}`), 'a proposal made today is not 30 days old');
  const page1 = await people.moderator.get(`${V1}/moderation/queue?limit=1`);
  assert.equal(page1.json.items.length, 1);
  assert.ok(page1.json.next_cursor);
  const page2 = await people.moderator.get(`${V1}/moderation/queue${qs({ limit: 1, cursor: page1.json.next_cursor })}`);
  assert.notEqual(`${page2.json.items[0].kind}:${page2.json.items[0].id}`, `${page1.json.items[0].kind}:${page1.json.items[0].id}`);
  for (const bad of [{ kind: 'tout' }, { territory: 'bretagne' }, { cursor: 'x' }, { older_than_days: -1 }]) {
    const res = await people.moderator.get(`${V1}/moderation/queue${qs(bad)}`);
    assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${brief(res)}`);
  }
  for (const c of [a, b]) assert.equal((await people.author.del(`${V1}/contributions/${c.id}`)).status, 204);
});

test('an approved change reaches the cached answers at once (the data version moves)', async () => {
  const word = uniqueWord('zcache');
  const id = (await approve(await propose(people.author, proposal(word)))).initiative.id;
  const path = `${V1}/initiatives/${id}`;
  await api(path);
  const cached = await api(path);
  assert.equal(cached.headers.get('x-cache'), 'HIT');
  const edit = await people.moderator.patch(path, { version: 1, fields: { title: `Nouveau ${word}` } });
  assert.equal(edit.status, 200, brief(edit));
  await waitUntil(async () => (await api(path)).json.title === `Nouveau ${word}`, { timeout: scaled(2000), what: 'the new title' });
});

// The counts that search, statistics and the map read (facet_count with its total, map_cell) are
// written at each approval's commit (sql/schema.sql, "shared counters at commit"): eight approvals
// at once must each be counted once, and their removal must take each away, at every moment
// after a commit — never a count that the initiatives themselves contradict.
test('eight proposals approved at once: statistics, facets and the map count each exactly once, and forget each once removed', async () => {
  const BOX = '-2,47.5,-1,48.5';
  const counted = async () => {
    const stats = await api(`${V1}/stats${qs({ by: 'theme' })}`);
    assert.equal(stats.status, 200, brief(stats));
    const search = await api(`${V1}/search${qs({ theme: 'ENV', facets: 'departement', limit: 1 })}`);
    assert.equal(search.status, 200, brief(search));
    const map = await api(`${V1}/map/clusters${qs({ bbox: BOX, zoom: 6 })}`);
    assert.equal(map.status, 200, brief(map));
    return {
      total: stats.json.total,
      env35: search.json.facets.departement.find((f) => f.code === '35')?.count ?? 0,
      mapped: map.json.features.reduce((n, f) => n + (f.properties.count ?? 1), 0),
    };
  };
  const recount = async () => ({
    total: Number(await sql(`SELECT count(*) FROM initiative WHERE status = 'published'`)),
    env35: Number(await sql(`SELECT count(*) FROM initiative WHERE status = 'published' AND 'ENV' = ANY (themes) AND departement_code = '35'`)),
  });
  const before = await counted();
  const truth0 = await recount();
  assert.equal(before.total, truth0.total, 'the statistics count the published initiatives');
  assert.equal(before.env35, truth0.env35, 'the facet counts them');

  const proposals = [];
  for (let i = 0; i < 8; i++) {
    const word = uniqueWord(`zeight${i}`);
    proposals.push(await propose(i % 2 ? people.other : people.author, proposal(word, { place: { ...RENNES, lat: RENNES.lat + i * 0.01 } })));
  }
  const answers = await Promise.all(
    proposals.map((c) => people.moderator.post(`${V1}/contributions/${c.id}/review`, { version: c.version, decision: 'approve' })),
  );
  assert.deepEqual(answers.map((r) => r.status), Array(8).fill(200), answers.map(brief).join(' / '));
  const ids = answers.map((r) => r.json.initiative.id);
  const truth1 = await recount();
  assert.equal(truth1.total, truth0.total + 8);
  const wanted1 = { total: truth1.total, env35: truth1.env35, mapped: before.mapped + 8 };
  await waitUntil(async () => {
    const now = JSON.stringify(await counted());
    if (now !== JSON.stringify(wanted1)) throw new Error(`counted ${now}`);
    return true;
  }, {
    timeout: scaled(3000),
    what: `the counts after eight approvals: ${JSON.stringify(wanted1)}`,
  });

  // One transaction that archives one, takes that back (a savepoint rolled back), archives a second,
  // folds the counts early (SET CONSTRAINTS ALL IMMEDIATE) and archives a third: two fewer.
  await sql(`SAVEPOINT s; UPDATE initiative SET status = 'archived' WHERE id = ${ids[0]}; ROLLBACK TO SAVEPOINT s;
             UPDATE initiative SET status = 'archived' WHERE id = ${ids[1]}; SET CONSTRAINTS ALL IMMEDIATE;
             UPDATE initiative SET status = 'archived' WHERE id = ${ids[2]}`);
  const truthArchived = await recount();
  assert.equal(truthArchived.total, truth0.total + 6);
  const wantedArchived = { total: truthArchived.total, env35: truthArchived.env35, mapped: before.mapped + 6 };
  await waitUntil(async () => {
    const now = JSON.stringify(await counted());
    if (now !== JSON.stringify(wantedArchived)) throw new Error(`counted ${now}`);
    return true;
  }, {
    timeout: scaled(3000),
    what: `the counts after two were archived: ${JSON.stringify(wantedArchived)}`,
  });

  // Removed in one statement (as a harvest or an administrator may): each leaves every count.
  await sql(`DELETE FROM initiative WHERE id IN (${ids.join(', ')})`);
  const truth2 = await recount();
  assert.deepEqual(truth2, truth0);
  const wanted2 = { total: truth0.total, env35: truth0.env35, mapped: before.mapped };
  await waitUntil(async () => {
    const now = JSON.stringify(await counted());
    if (now !== JSON.stringify(wanted2)) throw new Error(`counted ${now}`);
    return true;
  }, {
    timeout: scaled(3000),
    what: `the counts after their removal: ${JSON.stringify(wanted2)}`,
  });
});
