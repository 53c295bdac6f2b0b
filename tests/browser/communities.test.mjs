// Communities in the interface, against the real stack: an owner creates a private community and
// invites someone by e-mail; the invited person opens the link from the mail sink, creates an account
// on the way and comes back to accept; the owner starts a discussion mentioning them (the request
// carries their id); they see the count on the header's bell and the notification, which leads to the
// discussion. A non-member opening the private community's address sees the very page of an unknown
// id. A shared collection of a community shows its initiative on the community's map, and the
// directory places the community at its territory. One path (join, start a discussion with a
// mention) with the keyboard only. axe-core on the directory, a community page and a discussion page,
// also on a 390 px phone, where nothing scrolls sideways.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { assertAccessible, BASE_URL, useBrowser, withPage } from './browser.mjs';
import { publishedIds, resetRateLimits, signUpAndLogIn } from '../api/accounts-helpers.mjs';
import { sql, sqlLiteral as lit } from '../api/helpers.mjs';

useBrowser();

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIL_DIR = path.join(ROOT, 'var', process.env.SC_PROFILE ?? 'test', 'mail');
const TAG = crypto.randomBytes(4).toString('hex');
const AXE_CONTEXT = { bypassCSP: true };
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const C = '/api/v1/communities';

async function assertNoSidewaysScroll(page, what) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${what}: the page is ${scroll}px wide in a ${width}px window`);
}

/** The browser context signed in as client (its session cookie). */
async function signIn(page, client) {
  const [name, value] = client.cookie.split('=');
  await page.context().addCookies([{ name, value, url: BASE_URL }]);
}

/** The texts of the mails to an address in the sink directory, newest first. */
async function sinkMails(address) {
  const files = [];
  async function walk(dir) {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push({ full, mtime: (await stat(full)).mtimeMs });
    }
  }
  await walk(MAIL_DIR);
  files.sort((a, b) => b.mtime - a.mtime);
  const texts = [];
  for (const file of files) {
    const text = await readFile(file.full, 'utf8');
    if (text.includes(address)) texts.push(text.replace(/=\r?\n/g, '').replace(/=3D/gi, '='));
  }
  return texts;
}

/** The invitation link e-mailed to the address: from the SMTP sink (the outbox as a last resort). */
async function invitationLink(address) {
  const pattern = /\/communautes\/invitation\?token=[A-Za-z0-9._~%-]+/;
  for (let i = 0; i < 60; i++) {
    for (const text of await sinkMails(address)) {
      const found = pattern.exec(text);
      if (found) return found[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const outbox = await sql(`SELECT body_text FROM mail_outbox WHERE lower(to_addr) = lower(${lit(address)}) ORDER BY id DESC LIMIT 3`);
  const found = pattern.exec(outbox);
  assert.ok(found, `no invitation link mailed to ${address}, neither in the sink nor in the outbox`);
  return found[0];
}

/** Presses Tab until the focused element matches selector (keyboard only); fails after max presses. */
async function tabTo(page, selector, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe('communautés', () => {
  let owner;
  let member;
  let outsider;
  let initiativeId;
  let initiativeTitle;
  const invited = { email: `t-cm-${TAG}@example.org`, name: `Noé Invité ${TAG}`, password: `une phrase de passe ${TAG}` };
  const made = [];

  before(async () => {
    await resetRateLimits();
    owner = await signUpAndLogIn({ name: `Olga Responsable ${TAG}`, prefix: 'ui-cm-owner' });
    member = await signUpAndLogIn({ name: `Mia Clavier ${TAG}`, prefix: 'ui-cm-member' });
    outsider = await signUpAndLogIn({ name: `Otto Dehors ${TAG}`, prefix: 'ui-cm-out' });
    [initiativeId] = await publishedIds(1);
    const detail = await fetch(`${BASE_URL}/api/v1/initiatives/${initiativeId}`).then((r) => r.json());
    initiativeTitle = detail.title ?? detail.initiative?.title;
    assert.ok(initiativeTitle, 'the initiative has a title');
  });

  after(async () => {
    const ids = made.filter(Boolean).map(Number);
    if (ids.length) await sql(`DELETE FROM community WHERE id IN (${ids.join(',')})`).catch(() => {});
    await sql(`DELETE FROM community WHERE name LIKE ${lit(`%${TAG}%`)}`).catch(() => {});
    await sql(`DELETE FROM mail_outbox WHERE lower(to_addr) = lower(${lit(invited.email)}); DELETE FROM app_user WHERE email_norm = lower(${lit(invited.email)})`).catch(() => {});
    for (const c of [owner, member, outsider]) await c?.remove().catch(() => {});
    await resetRateLimits();
  });

  test('communauté privée : invitation par e-mail, inscription en chemin, mention et notification', { timeout: 180_000 }, async (t) => {
    const NAME = `Jardiniers discrets ${TAG}`;
    const TITLE = `Bourse aux graines ${TAG}`;
    let communityId;
    let link;

    // 1. The owner creates a private community and invites a new person by e-mail.
    await withPage(
      t,
      async (page) => {
        await signIn(page, owner);
        await page.goto(`${BASE_URL}/communautes`);
        await page.getByRole('heading', { level: 1, name: 'Communautés' }).waitFor();
        await page.getByRole('link', { name: 'Créer une communauté' }).click();
        await page.getByRole('heading', { level: 1, name: 'Créer une communauté' }).waitFor();
        await page.getByLabel('Nom de la communauté').fill(NAME);
        await page.getByLabel('Présentation').fill(`Échanges de graines entre voisins.\nProgramme : https://exemple.org/graines-${TAG}`);
        await page.getByRole('radio', { name: /^Privée/ }).check();
        await page.getByRole('button', { name: 'Créer la communauté' }).click();
        await page.waitForURL(/\/communautes\/[0-9]+$/);
        communityId = Number(new URL(page.url()).pathname.split('/')[2]);
        made.push(communityId);
        await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
        // The description's address is a link with the rel of members' links; the text stays text.
        const described = page.locator('.community-description');
        assert.equal(await described.getByRole('link').getAttribute('rel'), 'nofollow ugc noopener');
        assert.match(await described.innerText(), /Échanges de graines entre voisins\./);

        const tabs = page.getByRole('navigation', { name: 'Rubriques de la communauté' });
        await tabs.getByRole('link', { name: 'Membres' }).click();
        await page.waitForURL(`${BASE_URL}/communautes/${communityId}/membres`);
        assert.equal(await tabs.getByRole('link', { name: 'Membres' }).getAttribute('aria-current'), 'page');
        await page.getByLabel('Adresse e-mail de la personne à inviter').fill(invited.email);
        await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
        await page.getByText(`Invitation envoyée à ${invited.email}`).waitFor();
        // The back button comes back to the previous tab.
        await page.goBack();
        await page.waitForURL(`${BASE_URL}/communautes/${communityId}`);
        await page.getByRole('heading', { level: 2, name: 'Présentation' }).waitFor();
      },
      DESKTOP,
    );

    link = await invitationLink(invited.email);

    // 2. The invited person has no account: sign-up on the way, back to the invitation, accept.
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}${link}`);
        await page.getByRole('heading', { level: 1, name: `Vous êtes invité·e à rejoindre « ${NAME} »` }).waitFor();
        await page.getByRole('main').getByRole('link', { name: 'Créer un compte' }).click();
        await page.waitForURL((url) => url.pathname === '/inscription');
        await page.getByLabel('Adresse e-mail').fill(invited.email);
        await page.getByLabel('Nom affiché').fill(invited.name);
        await page.getByLabel('Mot de passe', { exact: true }).fill(invited.password);
        await page.getByRole('button', { name: 'Créer mon compte' }).click();
        await page.getByRole('link', { name: 'Continuer' }).click();
        await page.waitForURL((url) => url.pathname + url.search === link);
        await page.getByRole('button', { name: 'Rejoindre la communauté' }).click();
        await page.waitForURL(`${BASE_URL}/communautes/${communityId}`);
        await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
        await page.getByText('Vous êtes membre').waitFor();
      },
      DESKTOP,
    );
    const invitedId = Number(await sql(`SELECT id FROM app_user WHERE email_norm = lower(${lit(invited.email)})`));
    assert.ok(invitedId > 0, 'the account was created');
    // Accepting with the invited address confirmed it.
    assert.equal(await sql(`SELECT email_verified_at IS NOT NULL FROM app_user WHERE id = ${invitedId}`), 't');

    // 3. The owner starts a discussion and mentions the new member through the completion list.
    let threadPath;
    await withPage(
      t,
      async (page) => {
        await signIn(page, owner);
        await page.goto(`${BASE_URL}/communautes/${communityId}/discussions`);
        await page.getByText('Lancer une discussion', { exact: true }).click();
        await page.getByLabel('Titre de la discussion').fill(TITLE);
        const body = page.getByLabel('Message');
        await body.click();
        await body.pressSequentially('Qui apporte des tomates ? @Noé');
        const option = page.getByRole('option', { name: invited.name });
        await option.waitFor();
        await body.press('ArrowDown');
        assert.equal(await body.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
        await body.press('Enter');
        assert.equal(await page.getByRole('listbox', { name: 'Membres à mentionner' }).isVisible(), false);
        assert.match(await body.inputValue(), new RegExp(`@${invited.name} $`));
        await body.pressSequentially('merci !');
        const posted = page.waitForRequest((req) => req.method() === 'POST' && req.url().endsWith(`/api/v1/communities/${communityId}/threads`));
        await page.getByRole('button', { name: 'Publier la discussion' }).click();
        const request = await posted;
        assert.deepEqual(JSON.parse(request.postData()).mentions, [invitedId]);
        await page.waitForURL(/\/communautes\/[0-9]+\/discussions\/[0-9]+$/);
        threadPath = new URL(page.url()).pathname;
        await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
        assert.match(await page.locator('.post--thread .post__body').innerText(), new RegExp(`@${invited.name} merci !`));
      },
      DESKTOP,
    );

    // 4. The mentioned member: the bell counts one unread notification, which leads to the discussion.
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/connexion?retour=${encodeURIComponent('/')}`);
        await page.getByLabel('Adresse e-mail').fill(invited.email);
        await page.getByLabel('Mot de passe', { exact: true }).fill(invited.password);
        await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
        const bell = page.getByRole('link', { name: 'Notifications, 1 non lue' });
        await bell.waitFor();
        await bell.click();
        await page.waitForURL(`${BASE_URL}/mon-espace/notifications`);
        const item = page.locator('.notification-item', { hasText: TITLE });
        await item.waitFor();
        assert.match(await item.innerText(), new RegExp(`Olga Responsable ${TAG} vous a mentionné·e dans « ${TITLE} »`));
        assert.match(await item.innerText(), /Non lue/);
        await item.getByRole('link').click();
        await page.waitForURL(`${BASE_URL}${threadPath}`);
        await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
        await page.getByRole('link', { name: 'Notifications, aucune non lue' }).waitFor();
      },
      DESKTOP,
    );

    // 5. Someone who is not in it sees the page of an unknown community, word for word.
    await withPage(
      t,
      async (page) => {
        await signIn(page, outsider);
        await page.goto(`${BASE_URL}/communautes/${communityId}`);
        await page.getByRole('heading', { level: 1, name: 'Communauté introuvable' }).waitFor();
        const hidden = await page.locator('main').innerText();
        assert.match(hidden, /Cette communauté n'existe pas ou est privée\./);
        assert.doesNotMatch(hidden, new RegExp(NAME));
        await page.goto(`${BASE_URL}/communautes/999999999`);
        await page.getByRole('heading', { level: 1, name: 'Communauté introuvable' }).waitFor();
        assert.equal(await page.locator('main').innerText(), hidden);
        await page.goto(`${BASE_URL}${threadPath}`);
        await page.getByRole('heading', { level: 1, name: 'Communauté introuvable' }).waitFor();
        assert.equal(await page.locator('main').innerText(), hidden);
      },
      DESKTOP,
    );
  });

  test('une collection partagée apparaît sur la carte de la communauté ; l’annuaire place la communauté à son territoire', { timeout: 90_000 }, async (t) => {
    const NAME = `Tiers-lieux bretons ${TAG}`;
    const created = await owner.post(C, { name: NAME, visibility: 'public', territory: 'region:53', description: 'Cartographie des tiers-lieux.' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.id;
    made.push(id);
    assert.ok(created.json.point, 'a community with a territory has a point');
    const collection = await owner.post(`${C}/${id}/collections`, { title: `Nos lieux ${TAG}` });
    assert.equal(collection.status, 201, JSON.stringify(collection.json));
    const added = await owner.post(`/api/v1/collections/${collection.json.id}/items`, { initiative_id: initiativeId });
    assert.equal(added.status, 201, JSON.stringify(added.json));

    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/communautes/${id}/carte`);
        await page.getByRole('heading', { level: 2, name: 'Carte' }).waitFor();
        await page.getByRole('region', { name: `Carte des initiatives de « ${NAME} »` }).waitFor();
        const marker = page.locator('path.community-map__marker--collection');
        await marker.first().waitFor();
        assert.equal(await marker.count(), 1, 'one marker for the one initiative of the collection');
        await page.getByText('Liste des initiatives des collections').click();
        await page.locator('.community-map__details').getByRole('link', { name: initiativeTitle }).waitFor();
        // The marker opens the initiative's card with its link.
        await marker.first().click({ force: true });
        const popup = page.locator('.leaflet-popup .map-popup');
        await popup.waitFor();
        assert.equal(await popup.getByRole('link').getAttribute('href'), `/initiatives/${initiativeId}`);

        // The directory: found by its words, placed on the map.
        await page.goto(`${BASE_URL}/communautes?q=${encodeURIComponent(`bretons ${TAG}`)}`);
        const card = page.locator('.community-card', { hasText: NAME });
        await card.waitFor();
        assert.match(await card.innerText(), /Bretagne/);
        await page.locator('path.community-marker').first().waitFor();
        assert.equal(await page.locator('path.community-marker').count(), 1);
        await page.goto(`${BASE_URL}/communautes?q=${encodeURIComponent(`introuvable${TAG}zz`)}`);
        await page.getByText('Aucune communauté ne correspond à ces critères.').first().waitFor();
      },
      DESKTOP,
    );
  });

  test('au clavier seulement : rejoindre une communauté publique et lancer une discussion avec une mention', { timeout: 90_000 }, async (t) => {
    const NAME = `Repair café ${TAG}`;
    const TITLE = `Prochain atelier ${TAG}`;
    const created = await owner.post(C, { name: NAME, visibility: 'public' });
    assert.equal(created.status, 201);
    const id = created.json.id;
    made.push(id);

    await withPage(
      t,
      async (page) => {
        await signIn(page, member);
        await page.goto(`${BASE_URL}/communautes/${id}`);
        await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
        await tabTo(page, '.community-page__actions button');
        assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Rejoindre la communauté');
        await page.keyboard.press('Enter');
        await page.getByText(`Bienvenue dans « ${NAME} » !`).waitFor();
        await tabTo(page, 'a.community-tabs__link[data-tab="discussions"]');
        await page.keyboard.press('Enter');
        await page.waitForURL(`${BASE_URL}/communautes/${id}/discussions`);
        await tabTo(page, 'summary.new-thread__summary');
        await page.keyboard.press('Enter');
        await tabTo(page, 'input[name="title"]');
        await page.keyboard.type(TITLE);
        await page.keyboard.press('Tab');
        await page.keyboard.type('Bonjour @Olga');
        await page.getByRole('option', { name: `Olga Responsable ${TAG}` }).waitFor();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await page.keyboard.type('viendrez-vous ?');
        await tabTo(page, 'button[type="submit"]');
        assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Publier la discussion');
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/discussions\/[0-9]+$/);
        await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
        assert.match(await page.locator('.post--thread .post__body').innerText(), new RegExp(`Bonjour @Olga Responsable ${TAG} viendrez-vous \\?`));
      },
      DESKTOP,
    );
    const threads = await owner.get(`${C}/${id}/threads`);
    const thread = threads.json.items.find((x) => x.title === TITLE);
    assert.deepEqual(thread.mentions.map((m) => m.account_id), [owner.id]);
  });

  test('accessibilité : annuaire, page de communauté et discussion, aussi sur un téléphone de 390 px', { timeout: 120_000 }, async (t) => {
    const NAME = `Cantines solidaires ${TAG}`;
    const created = await owner.post(C, { name: NAME, visibility: 'public', territory: 'region:53', description: `Des repas partagés. https://exemple.org/cantines-${TAG}` });
    assert.equal(created.status, 201);
    const id = created.json.id;
    made.push(id);
    const join = await member.post(`${C}/${id}/membership`, {});
    assert.equal(join.status, 201);
    const thread = await owner.post(`${C}/${id}/threads`, { title: `Menus de la semaine ${TAG}`, body: 'Qui cuisine mardi ?' });
    assert.equal(thread.status, 201);
    const reply = await member.post(`${C}/${id}/threads/${thread.json.id}/replies`, { body: 'Moi ! Recette : https://exemple.org/recette' });
    assert.equal(reply.status, 201);

    for (const viewport of [DESKTOP, PHONE]) {
      await withPage(
        t,
        async (page) => {
          await signIn(page, owner);
          await page.goto(`${BASE_URL}/communautes`);
          await page.locator('.community-card').first().waitFor();
          await assertAccessible(page, `the directory at ${viewport.width}px`);
          await assertNoSidewaysScroll(page, `the directory at ${viewport.width}px`);

          await page.goto(`${BASE_URL}/communautes/${id}`);
          await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
          await page.getByRole('heading', { name: 'Mes préférences' }).waitFor();
          await assertAccessible(page, `a community page at ${viewport.width}px`);
          await assertNoSidewaysScroll(page, `a community page at ${viewport.width}px`);

          await page.goto(`${BASE_URL}/communautes/${id}/membres`);
          await page.locator('.member-item').first().waitFor();
          await assertAccessible(page, `the members tab at ${viewport.width}px`);
          await assertNoSidewaysScroll(page, `the members tab at ${viewport.width}px`);

          await page.goto(`${BASE_URL}/communautes/${id}/discussions/${thread.json.id}`);
          await page.locator('.post--reply').first().waitFor();
          const link = page.locator('.post--reply .post__body a');
          assert.equal(await link.getAttribute('rel'), 'nofollow ugc noopener');
          await assertAccessible(page, `a discussion at ${viewport.width}px`);
          await assertNoSidewaysScroll(page, `a discussion at ${viewport.width}px`);
        },
        viewport,
        AXE_CONTEXT,
      );
    }
  });
});
