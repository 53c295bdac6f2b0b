// Contributions in the interface, against the real stack: a member proposes an initiative (a typed
// address located by the geocoder, then the pin dragged on the map; a draft first, then submitted), a
// moderator approves it in the queue, and it is found by the search and on its map; a correction
// suggested on the initiative's page shows as a diff in the queue, is approved, and the history shows
// it; a claim approved by a moderator lets the carrier edit the record, whose page then says « Fiche
// mise à jour par le porteur du projet », and an edit against a stale version says so and reloads the
// current values. One proposal is made with the keyboard only. axe-core checks every new page.
//
// The accounts are made through the API (sign-up, then the verification link e-mailed through the
// outbox), moderators by their role in SQL; each then logs in through the log-in page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { assertAccessible, BASE_URL, sql, useBrowser, withPage } from './browser.mjs';

useBrowser();

const TAG = crypto.randomBytes(4).toString('hex');
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const AXE_CONTEXT = { bypassCSP: true };
const PHONE = { width: 390, height: 844 };


function redisCli(args) {
  const host = process.env.SC_REDIS_HOST ?? '127.0.0.1';
  const port = process.env.SC_REDIS_PORT ?? '16380';
  return new Promise((resolve, reject) =>
    execFile('redis-cli', ['-h', host, '-p', port, ...args], { timeout: 10000 }, (err, stdout) =>
      err ? reject(new Error(`redis-cli ${args.join(' ')}: ${err.message}`)) : resolve(stdout.trim()),
    ),
  );
}

async function resetRateLimits() {
  const keys = (await redisCli(['--scan', '--pattern', 'sc:rl:*'])).split('\n').filter(Boolean);
  for (let i = 0; i < keys.length; i += 100) await redisCli(['del', ...keys.slice(i, i + 100)]);
}

async function apiJson(p, options = {}) {
  const res = await fetch(BASE_URL + p, { ...options, headers: { accept: 'application/json', ...(options.headers ?? {}) } });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text, cookie: /^\s*((?:__Host-)?sc_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null };
}

// The contribution endpoints answer 401 to a signed-out write; before they exist the route is a 404.
const probe = await fetch(`${BASE_URL}/api/v1/me/contributions`).catch(() => null);
const SKIP = !probe || probe.status === 404 ? 'GET /api/v1/me/contributions does not answer on this stack: the contribution endpoints are missing' : false;

const people = [];

/** A verified account made through the API; role set in SQL. */
async function person(label, role = null) {
  const email = `t-contrib-${label}-${TAG}@example.org`;
  const name = `${label[0].toUpperCase()}${label.slice(1)} ${TAG}`;
  const password = `une phrase de passe ${TAG} ${label}`;
  let res = await apiJson('/api/v1/account/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, display_name: name, password }) });
  if (res.status === 429) {
    await resetRateLimits();
    res = await apiJson('/api/v1/account/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, display_name: name, password }) });
  }
  assert.equal(res.status, 202, `sign-up of ${email}: ${res.text}`);
  let token = null;
  for (let i = 0; i < 40 && !token; i++) {
    const text = await sql(`SELECT body_text FROM mail_outbox WHERE lower(to_addr) = lower(${lit(email)}) AND kind = 'verify' ORDER BY id DESC LIMIT 1`);
    token = /token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? null;
    if (!token) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(token, `the verification link e-mailed to ${email}`);
  const verified = await apiJson('/api/v1/account/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  assert.equal(verified.status, 200, `verification: ${verified.text}`);
  if (role) await sql(`UPDATE app_user SET role = ${lit(role)} WHERE email_norm = lower(${lit(email)})`);
  const who = { email, name, password };
  people.push(who);
  return who;
}

/** Logs in through /connexion, coming back to `back`. */
async function logIn(page, who, back) {
  await page.goto(`${BASE_URL}/connexion?retour=${encodeURIComponent(back)}`);
  await page.getByLabel('Adresse e-mail').fill(who.email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.waitForURL((url) => url.pathname + url.search === back);
  await page.locator('.account-nav__toggle', { hasText: who.name }).waitFor();
}


/** Presses Tab until the focused element matches selector (keyboard only). */
async function tabTo(page, selector, max = 150) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The published record, asked past any cache. */
async function initiative(id) {
  const res = await apiJson(`/api/v1/initiatives/${id}`, { headers: { 'cache-control': 'no-cache' } });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

/** Opens the queue filtered on a kind and approves (or decides) the item holding `text`. */
async function decideInQueue(page, kind, text, decision = 'Approuver') {
  await page.goto(`${BASE_URL}/moderation?kind=${kind}`);
  const item = page.locator('.queue-item', { hasText: text });
  await item.first().waitFor();
  await item.first().getByRole('button', { name: /^Examiner/ }).click();
  const panel = item.first().locator('.review');
  await panel.locator('.review__title').waitFor();
  return { item: item.first(), panel, decide: async () => {
    await panel.getByRole('button', { name: decision, exact: true }).click();
    await item.first().waitFor({ state: 'detached' });
  } };
}

describe('contributions, modération et historique', { skip: SKIP }, () => {
  let vocabularies;
  let author;
  let moderator;
  let carrier;
  let proposedId = null;
  const TITLE = `Atelier vélo solidaire ${TAG}`;

  before(async () => {
    await resetRateLimits();
    vocabularies = (await apiJson('/api/v1/vocabularies?lang=fr')).json.vocabularies;
    author = await person('autrice');
    moderator = await person('moderatrice', 'moderator');
    carrier = await person('porteur');
  });

  // What these tests published goes with the people who proposed it, so that the suites after
  // this one find the demonstration catalogue as it was.
  after(async () => {
    for (const who of people) {
      const user = `(SELECT id FROM app_user WHERE email_norm = lower(${lit(who.email)}))`;
      await sql(`DELETE FROM initiative WHERE proposed_by IN ${user}`).catch(() => {});
      await sql(`DELETE FROM mail_outbox WHERE lower(to_addr) = lower(${lit(who.email)})`).catch(() => {});
      await sql(`DELETE FROM app_user WHERE id IN ${user}`).catch(() => {});
    }
  });

  test('proposer une initiative (adresse saisie, repère déplacé, brouillon puis envoi), la modération l’approuve : elle est trouvée par la recherche et sur la carte', async (t) => {
    const theme = vocabularies.themes[0];
    let proposed;
    await withPage(
      t,
      async (page) => {
        await logIn(page, author, '/');
        // The account menu leads to the form.
        await page.locator('.account-nav__toggle').click();
        await page.getByRole('link', { name: 'Ajouter une initiative' }).first().click();
        await page.waitForURL((url) => url.pathname === '/contribuer');
        await page.getByRole('heading', { name: 'Ajouter une initiative' }).waitFor();
        await assertAccessible(page, '/contribuer');

        await page.getByLabel('Titre').fill(TITLE);
        await page.getByLabel('Résumé').fill('Réparer son vélo ensemble, une fois par semaine.');
        await page.getByLabel(theme.label, { exact: true }).check();
        await page.getByLabel('Adresse ou commune').fill('12 rue de la Paix, 35000 Rennes');
        await page.getByRole('button', { name: "Localiser l'adresse" }).click();
        await page.locator('.place__status', { hasText: /Lieu trouvé : Rennes/ }).waitFor();
        const lon0 = Number(await page.getByLabel('Longitude').inputValue());
        const lat0 = Number(await page.getByLabel('Latitude').inputValue());
        assert.ok(Math.abs(lon0 - -1.68) < 0.2 && Math.abs(lat0 - 48.11) < 0.2, `the pin is in Rennes: ${lat0}, ${lon0}`);

        // Drag the pin 80 px east and 40 px south.
        const pin = page.locator('.sc-pin');
        // hover() scrolls the map into view and waits until the pin stands still.
        await pin.hover();
        const box = await pin.boundingBox();
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 20, { steps: 5 });
        await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 5 });
        await page.mouse.up();
        await page.waitForFunction((before) => Number(document.querySelector('#contrib-lon').value) > before, lon0);
        const lon = Number(await page.getByLabel('Longitude').inputValue());
        const lat = Number(await page.getByLabel('Latitude').inputValue());
        assert.ok(lon > lon0 && lat < lat0, `the pin moved east and south: ${lat0},${lon0} → ${lat},${lon}`);
        await page.locator('.place__status', { hasText: /Repère placé à/ }).waitFor();

        // A website the API refuses: its message beside the field, which gets the focus.
        await page.getByLabel('Site web').fill('pas une adresse');
        await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
        await page.locator('#contrib-website-error').filter({ hasText: /\S/ }).waitFor();
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'contrib-website');
        assert.equal(await page.getByLabel('Site web').getAttribute('aria-invalid'), 'true');
        await page.getByLabel('Site web').fill(`https://velo-${TAG}.example.net/`);

        // A draft, to finish later.
        await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
        await page.waitForURL((url) => url.pathname === '/contribuer' && url.searchParams.has('brouillon'));
        const draftId = Number(new URL(page.url()).searchParams.get('brouillon'));
        await page.goto(`${BASE_URL}/mon-espace/contributions`);
        const mine = page.locator('.contribution', { hasText: TITLE });
        await mine.locator('.status-badge', { hasText: 'Brouillon' }).waitFor();
        await assertAccessible(page, '/mon-espace/contributions');
        await mine.getByRole('link', { name: /^Reprendre/ }).click();
        await page.waitForURL((url) => url.searchParams.get('brouillon') === String(draftId));
        await page.waitForFunction((title) => document.querySelector('#contrib-title')?.value === title, TITLE);
        assert.ok(Math.abs(Number(await page.getByLabel('Longitude').inputValue()) - lon) < 1e-5, 'the draft kept the moved pin');
        assert.equal(await page.getByLabel(theme.label, { exact: true }).isChecked(), true);

        await page.getByRole('button', { name: 'Envoyer à la modération' }).click();
        await page.getByRole('heading', { name: /Votre proposition est envoyée/ }).waitFor();
        await page.goto(`${BASE_URL}/mon-espace/contributions`);
        await page.locator('.contribution', { hasText: TITLE }).locator('.status-badge', { hasText: 'En attente de modération' }).waitFor();
        proposed = { lon, lat };
      },
      undefined,
      AXE_CONTEXT,
    );

    // Pending: not in the search.
    const before = await apiJson(`/api/v1/search?q=${encodeURIComponent(TITLE)}`);
    assert.ok(!before.json.items.some((i) => i.title === TITLE), 'a pending proposal is not searchable');

    await withPage(
      t,
      async (page) => {
        await logIn(page, moderator, '/moderation');
        await page.getByRole('heading', { name: 'Modération', exact: true }).waitFor();
        await assertAccessible(page, '/moderation');
        const { panel, decide } = await decideInQueue(page, 'proposal', TITLE);
        assert.match(await panel.innerText(), new RegExp(TITLE));
        await assertAccessible(page, '/moderation (proposition ouverte)');
        await decide();
      },
      undefined,
      AXE_CONTEXT,
    );

    await withPage(t, async (page) => {
      await page.goto(`${BASE_URL}/?q=${encodeURIComponent(TITLE)}`);
      const card = page.locator('#results .result-card', { hasText: TITLE });
      await card.first().waitFor();
      proposedId = Number(await card.first().getAttribute('data-id'));
      assert.ok(proposedId > 0);
      // On the map: the single initiative's own marker.
      await page.locator(`#results-map path.sc-marker[data-id="${proposedId}"]`).waitFor({ state: 'attached' });
      const record = await initiative(proposedId);
      assert.ok(Math.abs(record.location.lon - proposed.lon) < 1e-4 && Math.abs(record.location.lat - proposed.lat) < 1e-4, 'the moved pin is the point');
      assert.equal(record.territory?.commune?.name ? true : false, true, 'the commune is derived from the point');
    });
  });

  test('suggérer une correction : la modération voit le diff, l’approuve, et l’historique la montre', async (t) => {
    assert.ok(proposedId, 'the proposal of the first test');
    await withPage(
      t,
      async (page) => {
        await logIn(page, carrier, `/initiatives/${proposedId}`);
        await page.getByRole('button', { name: 'Suggérer une correction' }).click();
        const form = page.locator('.contribute-panel');
        await form.getByRole('heading', { name: 'Suggérer une correction' }).waitFor();
        assert.equal(await form.getByLabel('Titre').inputValue(), TITLE, 'prefilled with the current values');
        await form.getByLabel('Résumé').fill('Réparer son vélo ensemble, deux fois par semaine.');
        await form.getByLabel('Votre commentaire').fill('Vu sur leur affiche.');
        await assertAccessible(page, 'fiche avec le formulaire de correction');
        await form.getByRole('button', { name: 'Envoyer la correction' }).click();
        await page.locator('.contribute-panel__done', { hasText: 'En attente de modération' }).waitFor();
      },
      undefined,
      AXE_CONTEXT,
    );
    await withPage(t, async (page) => {
      await logIn(page, moderator, '/moderation?kind=correction');
      const { panel, decide } = await decideInQueue(page, 'correction', TITLE);
      const row = panel.locator('tr[data-field="summary"]');
      await row.waitFor();
      assert.match(await row.locator('.review-table__current').innerText(), /une fois par semaine/);
      assert.match(await row.locator('.review-table__proposed ins').first().innerText(), /deux/);
      assert.match(await row.locator('.review-table__proposed del').first().innerText(), /une/);
      assert.equal(await panel.locator('tr[data-field]').count(), 1, 'only the changed field is proposed');
      await decide();
    });
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/initiatives/${proposedId}`);
        await page.locator('.detail__summary', { hasText: 'deux fois par semaine' }).waitFor();
        await page.getByRole('link', { name: 'Historique des modifications' }).click();
        await page.waitForURL((url) => url.pathname === `/initiatives/${proposedId}/historique`);
        const newest = page.locator('.revision').first();
        await newest.locator('.diff__row[data-field="summary"]').waitFor();
        assert.match(await newest.locator('.diff__row[data-field="summary"] ins').first().innerText(), /deux/);
        assert.match(await newest.innerText(), new RegExp(`Contribution de ${carrier.name}|Modération`));
        // The first revision is the approved proposal, further down.
        assert.ok((await page.locator('.revision').count()) >= 2);
        await assertAccessible(page, '/initiatives/{id}/historique');
      },
      undefined,
      AXE_CONTEXT,
    );
  });

  test('« Je porte ce projet » approuvé par la modération, puis le porteur modifie la fiche (et un conflit recharge les valeurs)', async (t) => {
    assert.ok(proposedId, 'the proposal of the first test');
    await withPage(t, async (page) => {
      await logIn(page, carrier, `/initiatives/${proposedId}`);
      await page.getByRole('button', { name: 'Je porte ce projet' }).click();
      const dialog = page.getByRole('dialog', { name: 'Je porte ce projet' });
      await dialog.getByLabel('Votre message').fill('Je coordonne l’atelier.');
      await dialog.getByRole('button', { name: 'Envoyer la demande' }).click();
      await dialog.locator('.claim-outcome', { hasText: /attend la validation/ }).waitFor();
    });
    await withPage(t, async (page) => {
      await logIn(page, moderator, '/moderation?kind=claim');
      const { panel, decide } = await decideInQueue(page, 'claim', TITLE);
      assert.match(await panel.innerText(), new RegExp(carrier.name));
      await decide();
    });
    await withPage(
      t,
      async (page) => {
        await logIn(page, carrier, `/initiatives/${proposedId}`);
        const edit = page.getByRole('button', { name: 'Modifier la fiche' });
        await edit.click();
        const form = page.locator('.contribute-panel');
        await form.getByLabel('Année de lancement').fill('2019');

        // Meanwhile the record changes (a moderator's edit through the API): the version is stale.
        const record = await initiative(proposedId);
        await bumpVersion(proposedId, record.version);
        await form.getByRole('button', { name: 'Publier les modifications' }).click();
        await form.locator('.form__message', { hasText: "Quelqu'un a modifié la fiche entre-temps" }).waitFor();
        await page.waitForFunction(() => document.querySelector('#edit-summary')?.value.includes('trois fois'));
        // Once reloaded, the edit goes through.
        await form.getByLabel('Année de lancement').fill('2019');
        await form.getByRole('button', { name: 'Publier les modifications' }).click();
        await page.locator('.detail__carrier-updated', { hasText: /Fiche mise à jour par le porteur du projet le/ }).waitFor();
        const after = await initiative(proposedId);
        assert.equal(after.start_year, 2019);
        assert.ok(after.carrier_updated_at, 'carrier_updated_at is set');
        // On a phone too, and without serious accessibility violation.
        await page.setViewportSize(PHONE);
        await assertAccessible(page, 'fiche mise à jour par le porteur');
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(scroll <= 1, `no horizontal scroll at 390 px (${scroll})`);
      },
      undefined,
      AXE_CONTEXT,
    );
  });

  test('la modération revient à une révision depuis l’historique', async (t) => {
    assert.ok(proposedId, 'the proposal of the first test');
    const before = await initiative(proposedId);
    await withPage(t, async (page) => {
      await logIn(page, moderator, `/initiatives/${proposedId}/historique`);
      // Version 2 is the approved correction (« deux fois par semaine »).
      const second = page.locator('.revision[data-version="2"]');
      await second.getByRole('button', { name: 'Revenir à cette révision' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revenir à cette révision' });
      // The reason is asked for before anything is sent.
      await dialog.getByRole('button', { name: 'Revenir à la version 2' }).click();
      await dialog.locator('#revert-reason-error', { hasText: 'Indiquez le motif' }).waitFor();
      await dialog.getByLabel('Motif').fill('Les horaires de la version 2 sont les bons.');
      await dialog.getByRole('button', { name: 'Revenir à la version 2' }).click();
      const newest = page.locator('.revision').first();
      await newest.locator('.revision__title', { hasText: `Version ${before.version + 1}` }).waitFor();
      assert.match(await newest.locator('.revision__actor').innerText(), new RegExp(`Modération : ${moderator.name}`));
      assert.match(await newest.locator('.diff__row[data-field="summary"] ins').first().innerText(), /deux/);
    });
    const after = await initiative(proposedId);
    assert.equal(after.version, before.version + 1);
    assert.match(after.summary, /deux fois par semaine/);
  });

  test('un membre sans le rôle voit une page 403 claire sur /moderation', async (t) => {
    await withPage(
      t,
      async (page) => {
        await logIn(page, author, '/moderation');
        await page.getByRole('heading', { name: 'Accès réservé à la modération' }).waitFor();
        await assertAccessible(page, '/moderation (403)');
      },
      undefined,
      AXE_CONTEXT,
    );
  });

  test('proposer au clavier seulement, repère déplacé par les boutons', async (t) => {
    const title = `Jardin partagé clavier ${TAG}`;
    await withPage(t, async (page) => {
      await logIn(page, author, '/contribuer');
      await tabTo(page, '#contrib-title');
      await page.keyboard.type(title);
      await tabTo(page, '#contrib-address');
      await page.keyboard.type('Lyon');
      await page.keyboard.press('Enter');
      await page.locator('.place__status', { hasText: /Lieu trouvé : Lyon/ }).waitFor();
      const lon0 = Number(await page.locator('#contrib-lon').inputValue());
      await tabTo(page, '.place__move[data-dx="12"]');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.waitForFunction((before) => Number(document.querySelector('#contrib-lon').value) > before, lon0);
      // The coordinates can also be typed.
      await tabTo(page, '#contrib-lat');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('45.7601');
      await page.keyboard.press('Tab');
      await page.locator('.place__status', { hasText: /Repère placé à Lyon/ }).waitFor();
      await tabTo(page, '.contribute__submit');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: /Votre proposition est envoyée/ }).waitFor();
      const mine = await sql(
        `SELECT count(*) FROM contribution c JOIN app_user u ON u.id = c.author_id WHERE u.email_norm = lower(${lit(author.email)}) AND c.status = 'pending'`,
      ).catch(() => null);
      if (mine !== null) assert.ok(Number(mine) >= 1);
    });
  });

  test('deux modérateurs : celui qui décide après l’autre l’apprend (409) et la file se recharge', async (t) => {
    const other = await person('moderateur', 'moderator');
    const session = await apiSession(other);
    await withPage(t, async (page) => {
      await logIn(page, moderator, '/moderation?kind=proposal');
      const { item, panel } = await decideInQueue(page, 'proposal', `Jardin partagé clavier ${TAG}`);
      // The other moderator approves it first.
      const queue = await apiJson('/api/v1/moderation/queue?kind=proposal&limit=100', { headers: { cookie: session.cookie } });
      assert.equal(queue.status, 200, queue.text);
      const waiting = queue.json.items.find((i) => i.title === `Jardin partagé clavier ${TAG}`);
      assert.ok(waiting, 'the keyboard proposal waits in the queue');
      const first = await apiWrite(session, 'POST', `/api/v1/contributions/${waiting.id}/review`, { version: waiting.version, decision: 'approve' });
      assert.equal(first.status, 200, first.text);
      await panel.getByRole('button', { name: 'Approuver', exact: true }).click();
      await panel.getByRole('alert').filter({ hasText: "Quelqu'un d'autre a déjà décidé" }).waitFor();
      // The queue is loaded again, without the decided item.
      await item.waitFor({ state: 'detached' });
    });
  });
});

/** Logs in through the API: the session cookie and CSRF token of a second browser of `who`. */
async function apiSession(who) {
  let login = await apiJson('/api/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: BASE_URL },
    body: JSON.stringify({ email: who.email, password: who.password }),
  });
  if (login.status === 429) {
    await resetRateLimits();
    login = await apiJson('/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json', origin: BASE_URL }, body: JSON.stringify({ email: who.email, password: who.password }) });
  }
  assert.equal(login.status, 200, login.text);
  return { cookie: login.cookie, csrf: login.json.csrf_token };
}

/** A write of that session (JSON body, CSRF token, same origin). */
function apiWrite(session, method, p, body) {
  return apiJson(p, {
    method,
    headers: { 'content-type': 'application/json', origin: BASE_URL, 'x-csrf-token': session.csrf, cookie: session.cookie },
    body: JSON.stringify(body),
  });
}

/** Changes the record behind the carrier's back, as another writer would (a moderator's edit). */
async function bumpVersion(id, version) {
  const session = await apiSession(people.find((p) => p.email.includes('-moderatrice-')));
  const res = await apiWrite(session, 'PATCH', `/api/v1/initiatives/${id}`, {
    version,
    fields: { summary: 'Réparer son vélo ensemble, trois fois par semaine.' },
    comment: 'Horaires mis à jour.',
  });
  assert.equal(res.status, 200, res.text);
}
