// Accounts and the personal space in the interface, against the real stack: sign-up, the e-mailed
// verification link, log-out and log-in, favourites, a public collection opened by its share link in a
// signed-out browser, a saved search with an alert, the alert's e-mail and its unsubscribe page (when
// the job runner is part of the stack), and the deletion of the account (which also cleans up: the
// account's favourites, collections and searches go with it). axe-core checks the new pages.
//
// E-mails are read from the local mail sink (var/<profile>/mail/, the .eml files the job runner's SMTP
// delivered); a stack without the sink is read from the `mail_outbox` table (body_text), where the API
// queues every message in the transaction that causes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAccessible, BASE_URL, sql, useBrowser, withPage } from './browser.mjs';

useBrowser();

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIL_DIR = path.join(ROOT, 'var', process.env.SC_PROFILE ?? 'test', 'mail');
const TAG = crypto.randomBytes(4).toString('hex');
const EMAIL = `t-ui-${TAG}@example.org`;
const NAME = `Camille ${TAG}`;
const PASSWORD = `une phrase de passe ${TAG}`;
const COLLECTION = `Tiers-lieux ${TAG}`;
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;


function redisCli(host, port, args) {
  return new Promise((resolve, reject) =>
    execFile('redis-cli', ['-h', host, '-p', port, ...args], { timeout: 10000 }, (err, stdout) =>
      err ? reject(new Error(`redis-cli ${args.join(' ')}: ${err.message}`)) : resolve(stdout.trim()),
    ),
  );
}

// The account endpoints answer 400 to an empty log-in; before they exist the route is a 404.
const probe = await fetch(`${BASE_URL}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }).catch(
  () => null,
);
const SKIP = !probe || probe.status === 404 ? 'POST /api/v1/session does not answer on this stack: the account endpoints are missing' : false;
// Favourites, collections and saved searches: signed out, an existing personal route is a 401.
const space = await fetch(`${BASE_URL}/api/v1/me/favourites/ids`).catch(() => null);
const SKIP_SPACE = SKIP || (!space || space.status === 404 ? 'GET /api/v1/me/favourites/ids does not answer: the personal space endpoints are missing' : false);
// The alert e-mail needs the job runner (and its local mail sink) in the stack.
const RUNNER = existsSync(path.join(ROOT, 'backend', 'build', 'socialconnect-jobs')) && existsSync(path.join(ROOT, 'tests', 'mail-sink', 'sink.mjs'));
const SKIP_ALERT = SKIP_SPACE || (RUNNER ? false : 'the job runner and the mail sink are not part of this stack');

/** The texts of the mails to an address in the sink directory, newest first (empty without a sink). */
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
    // Quoted-printable soft breaks and =3D would cut the link.
    if (text.includes(address)) texts.push(text.replace(/=\r?\n/g, '').replace(/=3D/gi, '='));
  }
  return texts;
}

/** Waits for a mail to the address whose text matches pattern; returns the match. */
async function waitForMail(address, pattern, kind = null) {
  const outbox = `SELECT body_text FROM mail_outbox WHERE lower(to_addr) = lower(${lit(address)})${kind ? ` AND kind = ${lit(kind)}` : ''} ORDER BY id DESC LIMIT 5`;
  for (let i = 0; i < 60; i++) {
    for (const text of await sinkMails(address)) {
      const found = pattern.exec(text);
      if (found) return found;
    }
    const found = pattern.exec(await sql(outbox));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no mail to ${address} matching ${pattern}`);
}

/** The path and query of the first link to `page` in the newest mail to the address, waited for. */
async function mailedLink(address, page) {
  return (await waitForMail(address, new RegExp(`/${page}\\?token=[A-Za-z0-9._~%-]+`)))[0];
}


/** Logs in through the form of /connexion, coming back to `back`. */
async function logIn(page, back) {
  await page.goto(`${BASE_URL}/connexion?retour=${encodeURIComponent(back)}`);
  await page.getByLabel('Adresse e-mail').fill(EMAIL);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.waitForURL((url) => url.pathname + url.search === back);
  await page.locator('.account-nav__toggle', { hasText: NAME }).waitFor();
}

// axe is injected as a script: the site's CSP (script-src 'self') would refuse it.
const AXE_CONTEXT = { bypassCSP: true };
const DESKTOP = { width: 1280, height: 900 };

describe('comptes et espace personnel', { skip: SKIP }, () => {
  let userId = null;

  before(async () => {
    // The stack the browser sees must be the one psql reads.
    const env = await new Promise((resolve, reject) =>
      execFile('bash', [path.join(ROOT, 'scripts', 'stack.sh'), 'env'], { cwd: ROOT, env: process.env }, (err, out) => (err ? reject(err) : resolve(out))),
    );
    const url = /^export SC_BASE_URL=(\S+)$/m.exec(env)?.[1]?.replace(/\/+$/, '');
    assert.equal(url, BASE_URL, 'export the port overrides of the stack under test (SC_HTTP_PORT, SC_PG_PORT…)');
    // Log-ins are limited per IP (30 in five minutes), and every test here logs in: the counters of
    // the stack's Redis start from zero, as in the API suite.
    const redisHost = /SC_REDIS_HOST=(\S+)/.exec(env)?.[1] ?? '127.0.0.1';
    const redisPort = /SC_REDIS_PORT=(\S+)/.exec(env)?.[1] ?? '16380';
    const keys = (await redisCli(redisHost, redisPort, ['--scan', '--pattern', 'sc:rl:*'])).split('\n').filter(Boolean);
    for (let i = 0; i < keys.length; i += 100) await redisCli(redisHost, redisPort, ['del', ...keys.slice(i, i + 100)]);
  });

  after(async () => {
    // The last test deletes the account through the interface; whatever a failure left is removed here.
    if (userId) await sql(`DELETE FROM app_user WHERE id = ${Number(userId)}`).catch(() => {});
    await sql(`DELETE FROM mail_outbox WHERE lower(to_addr) = lower(${lit(EMAIL)})`).catch(() => {});
  });

  test('créer un compte, confirmer l’adresse par le lien reçu, se déconnecter puis se reconnecter', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/`);
        await page.locator('header').getByRole('link', { name: 'Créer un compte' }).click();
        await page.waitForURL((url) => url.pathname === '/inscription');
        await assertAccessible(page, '/inscription');

        await page.getByLabel('Adresse e-mail').fill(EMAIL);
        await page.getByLabel('Nom affiché').fill(NAME);
        const password = page.getByLabel('Mot de passe', { exact: true });
        assert.match(await page.locator('#signup-password-hint').innerText(), /au moins 12 caractères/i);
        // The rule is checked before sending, and the error sits next to the field.
        await password.fill('trop court');
        await page.getByRole('button', { name: 'Créer mon compte' }).click();
        assert.match(await page.locator('#signup-password-error').innerText(), /au moins 12 caractères/);
        assert.equal(await password.getAttribute('aria-invalid'), 'true');
        await password.fill(PASSWORD);
        const toggle = page.getByRole('button', { name: /^(Afficher|Masquer) le mot de passe$/ });
        assert.match(await toggle.innerText(), /^Afficher/);
        await toggle.click();
        assert.equal(await password.getAttribute('type'), 'text');
        assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
        assert.match(await toggle.innerText(), /^Masquer/);
        await page.getByRole('button', { name: 'Créer mon compte' }).click();

        await page.getByRole('heading', { name: 'Vérifiez votre boîte de réception' }).waitFor();
        assert.match(await page.locator('.account-outcome').innerText(), new RegExp(EMAIL.replace(/[.]/g, '\\.')));
        // A new account is signed in at once, with the banner asking to confirm the address.
        await page.locator('.account-nav__toggle', { hasText: NAME }).waitFor();
        const banner = page.locator('.verify-banner');
        await banner.getByText('Confirmez votre adresse e-mail').waitFor();
        assert.ok(await banner.getByRole('button', { name: 'Renvoyer le lien' }).isVisible());
        userId = await sql(`SELECT id FROM app_user WHERE email_norm = lower(${lit(EMAIL)})`);
        assert.match(userId, /^\d+$/, 'the account exists');

        const link = await mailedLink(EMAIL, 'verification');
        await page.goto(BASE_URL + link);
        await page.getByRole('heading', { name: 'Votre adresse e-mail est confirmée' }).waitFor();
        await banner.waitFor({ state: 'hidden' });
        await assertAccessible(page, '/verification');

        // Log out from the header's menu.
        await page.locator('.account-nav__toggle').click();
        await page.getByRole('button', { name: 'Se déconnecter' }).click();
        await page.locator('header').getByRole('link', { name: 'Se connecter' }).waitFor();

        // A personal page sends to the log-in, and the log-in comes back to it.
        await page.goto(`${BASE_URL}/mon-espace/sessions`);
        await page.waitForURL((url) => url.pathname === '/connexion' && url.searchParams.get('retour') === '/mon-espace/sessions');
        await page.getByLabel('Adresse e-mail').fill(EMAIL);
        await page.getByLabel('Mot de passe', { exact: true }).fill('pas le bon mot de passe');
        await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
        const alert = page.locator('.form__message [role="alert"]');
        await alert.waitFor();
        assert.ok((await alert.innerText()).trim().length > 0, 'the API’s message is shown');
        await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
        await page.waitForURL((url) => url.pathname === '/mon-espace/sessions');
        await page.getByRole('heading', { name: 'Sessions', level: 2 }).waitFor();
        // The sign-up's session was closed by the log-out: only this one is left.
        await page.locator('.session-item').first().waitFor();
        assert.equal(await page.locator('.session-item').count(), 1);
        assert.equal(await page.locator('.session-item .badge--current').innerText(), 'Cette session');
        await assertAccessible(page, '/mon-espace/sessions');
      },
      DESKTOP,
      AXE_CONTEXT,
    );
  });

  test('la connexion tient sur un téléphone (390×844) et les pages de compte sont accessibles', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/connexion`);
        await page.getByRole('heading', { name: 'Se connecter', level: 1 }).waitFor();
        await page.getByRole('link', { name: 'Se connecter' }).waitFor();
        const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        assert.ok(widths[0] <= widths[1], `no horizontal scroll (${widths[0]} > ${widths[1]})`);
        assert.ok(await page.getByRole('link', { name: 'Mot de passe oublié ?' }).isVisible());
        await assertAccessible(page, '/connexion');

        await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
        await page.getByRole('heading', { name: 'Mot de passe oublié' }).waitFor();
        await assertAccessible(page, '/mot-de-passe-oublie');

        // A broken link says so, and offers a way to get a new one.
        await page.goto(`${BASE_URL}/verification?token=lien-invalide-${TAG}`);
        await page.getByRole('heading', { name: 'Ce lien ne fonctionne pas' }).waitFor();
        await page.getByRole('link', { name: 'Se connecter' }).last().waitFor();
        await assertAccessible(page, '/verification (lien invalide)');
      },
      { width: 390, height: 844 },
      AXE_CONTEXT,
    );
  });

  test('un favori ajouté depuis une carte de résultat apparaît dans « Mes favoris »', { skip: SKIP_SPACE }, async (t) => {
    await withPage(
      t,
      async (page) => {
        await logIn(page, '/?q=jardin');
        const card = page.locator('#results .result-card').first();
        await card.waitFor();
        const title = (await card.locator('.card__title').innerText()).trim();
        const star = card.getByRole('button', { name: /favoris/ });
        assert.equal(await star.getAttribute('aria-pressed'), 'false');
        assert.match(await star.innerText(), /Ajouter aux favoris/);
        await star.click();
        await card.getByRole('button', { name: /Retirer des favoris/ }).waitFor();
        assert.equal(await star.getAttribute('aria-pressed'), 'true');

        await page.locator('.account-nav__toggle').click();
        await page.getByRole('link', { name: 'Mon espace' }).click();
        await page.getByRole('link', { name: 'Favoris', exact: true }).click();
        await page.getByRole('heading', { name: 'Mes favoris' }).waitFor();
        const favourite = page.locator('.favourites-list .result-card').first();
        await favourite.waitFor();
        assert.equal((await favourite.locator('.card__title').innerText()).trim(), title);
        assert.equal(await favourite.getByRole('button', { name: /favoris/ }).getAttribute('aria-pressed'), 'true');
        await assertAccessible(page, '/mon-espace/favoris');

        // A CSRF token the server no longer knows: the write is refused once, /me gives the new token,
        // and the write goes again.
        await sql(`UPDATE user_session SET csrf_token = 'perime-${TAG}' WHERE user_id = ${Number(userId)}`);
        const calls = [];
        page.on('request', (request) => {
          if (new URL(request.url()).pathname.startsWith('/api/v1/me')) calls.push(`${request.method()} ${new URL(request.url()).pathname}`);
        });
        const favouriteStar = favourite.getByRole('button', { name: /favoris/ });
        await favouriteStar.click();
        await favourite.getByRole('button', { name: /Ajouter aux favoris/ }).waitFor();
        const id = await favourite.getAttribute('data-id');
        assert.deepEqual(calls, [`DELETE /api/v1/me/favourites/${id}`, 'GET /api/v1/me', `DELETE /api/v1/me/favourites/${id}`]);

        // The session closed elsewhere: the next write gets a 401 and the interface signs out.
        await sql(`DELETE FROM user_session WHERE user_id = ${Number(userId)}`);
        await favouriteStar.click();
        await page.locator('header').getByRole('link', { name: 'Se connecter' }).waitFor();
        await page.waitForURL((url) => url.pathname === '/connexion' && url.searchParams.get('retour') === '/mon-espace/favoris');
      },
      DESKTOP,
      AXE_CONTEXT,
    );
  });

  test('une collection publique se partage : son lien s’ouvre sans compte, avec l’initiative et la carte', { skip: SKIP_SPACE }, async (t) => {
    let shareLink;
    let titles;
    await withPage(
      t,
      async (page) => {
        await logIn(page, '/mon-espace/collections');
        await page.getByLabel('Titre', { exact: true }).fill(COLLECTION);
        await page.getByLabel('Description').fill('Des lieux à visiter <b>ensemble</b>');
        await page.getByLabel(/^Publique/).check();
        await page.getByRole('button', { name: 'Créer la collection' }).click();
        await page.waitForURL(/\/mon-espace\/collections\/\d+$/);
        shareLink = await page.locator('#share-link').inputValue();
        assert.match(shareLink, /\/collections\/\d+$/);
        await assertAccessible(page, 'l’édition d’une collection');

        // Two initiatives with a place, added from the result cards through the dialog.
        await page.goto(`${BASE_URL}/?q=jardin`);
        const located = page.locator('#results .result-card:has(.card__locate)');
        await located.first().waitFor();
        titles = [];
        for (const index of [0, 1]) {
          const card = located.nth(index);
          titles.push((await card.locator('.card__title').innerText()).trim());
          await card.getByRole('button', { name: /Ajouter à une collection/ }).click();
          const dialog = page.getByRole('dialog', { name: 'Ajouter à une collection' });
          await dialog.getByRole('button', { name: new RegExp(COLLECTION) }).click();
          await dialog.getByText(`Ajoutée à « ${COLLECTION} »`).waitFor();
          if (index === 0) await assertAccessible(page, 'le dialogue « Ajouter à une collection »');
          await page.keyboard.press('Escape');
          await dialog.waitFor({ state: 'detached' });
        }

        // Order and notes, with the keyboard-friendly buttons.
        await page.goto(shareLink.replace(/^https?:\/\/[^/]+/, BASE_URL).replace('/collections/', '/mon-espace/collections/'));
        const items = page.locator('.collection-item');
        await items.nth(1).waitFor();
        assert.deepEqual((await items.locator('.collection-item__title').allInnerTexts()).map((s) => s.trim()), titles);
        await items.first().getByRole('button', { name: /^Descendre/ }).click();
        await page.getByText(`« ${titles[0]} » est maintenant en position 2 sur 2.`).waitFor();
        assert.deepEqual((await items.locator('.collection-item__title').allInnerTexts()).map((s) => s.trim()), [titles[1], titles[0]]);
        assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /Monter/, 'the focus follows the moved item');
        await page.getByLabel(`Note sur « ${titles[1]} »`).fill('À voir au printemps');
        await items.first().getByRole('button', { name: 'Enregistrer la note' }).click();
        await items.first().getByText('La note est enregistrée.').waitFor();
      },
      DESKTOP,
      AXE_CONTEXT,
    );

    // A new browser, signed out, opens the share link.
    await withPage(
      t,
      async (page) => {
        await page.goto(shareLink.replace(/^https?:\/\/[^/]+/, BASE_URL));
        await page.getByRole('heading', { name: COLLECTION, level: 1 }).waitFor();
        assert.match(await page.locator('.collection-page__owner').innerText(), new RegExp(NAME));
        // Typed text is shown as text, never as markup.
        assert.equal(await page.locator('.collection-page__description').innerText(), 'Des lieux à visiter <b>ensemble</b>');
        const cards = page.locator('.collection-page__item');
        assert.deepEqual((await cards.locator('.card__title').allInnerTexts()).map((s) => s.trim()), [titles[1], titles[0]]);
        assert.match(await cards.first().locator('.collection-page__note').innerText(), /À voir au printemps/);
        await page.locator('#collection-map path.sc-marker').first().waitFor({ state: 'attached' });
        assert.equal(await page.locator('#collection-map path.sc-marker').count(), 2, 'a marker per initiative');
        assert.ok(await page.locator('header').getByRole('link', { name: 'Se connecter' }).isVisible());
        await assertAccessible(page, 'la page publique d’une collection');
        // Signed out, the star invites to log in.
        await cards.first().getByRole('button', { name: /Ajouter aux favoris/ }).click();
        const invite = page.getByRole('dialog', { name: 'Connectez-vous' });
        await invite.waitFor();
        assert.ok(await invite.getByRole('link', { name: 'Se connecter' }).isVisible());
      },
      DESKTOP,
      AXE_CONTEXT,
    );
  });

  test('une recherche enregistrée avec une alerte quotidienne se retrouve dans l’espace', { skip: SKIP_SPACE }, async (t) => {
    await withPage(
      t,
      async (page) => {
        await logIn(page, '/?q=jardin');
        await page.locator('#results .result-card').first().waitFor();
        await page.getByRole('button', { name: 'Enregistrer cette recherche' }).click();
        const dialog = page.getByRole('dialog', { name: 'Enregistrer cette recherche' });
        const name = dialog.getByLabel('Nom de la recherche');
        assert.equal(await name.inputValue(), 'jardin', 'named after the words');
        await name.fill(`Jardins ${TAG}`);
        await dialog.getByLabel('Alerte par e-mail').selectOption('daily');
        await dialog.getByRole('button', { name: 'Enregistrer', exact: true }).click();
        await dialog.getByText(`La recherche « Jardins ${TAG} » est enregistrée.`).waitFor();
        const stored = await sql(`SELECT params::text || ' ' || alert FROM saved_search WHERE user_id = ${Number(userId)} AND name = ${lit(`Jardins ${TAG}`)}`);
        assert.equal(stored, '{"q": "jardin"} daily');

        await dialog.getByRole('link', { name: 'Voir mes recherches' }).click();
        await page.waitForURL((url) => url.pathname === '/mon-espace/recherches');
        const saved = page.locator('.saved-search', { hasText: `Jardins ${TAG}` });
        await saved.waitFor();
        assert.equal(await saved.getByLabel('Alerte par e-mail').inputValue(), 'daily');
        await saved.getByLabel('Alerte par e-mail').selectOption('weekly');
        await saved.getByText('Alerte enregistrée : une fois par semaine.').waitFor();
        await assertAccessible(page, '/mon-espace/recherches');
        await saved.getByRole('link', { name: /^Ouvrir la recherche/ }).click();
        await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('q') === 'jardin');
      },
      DESKTOP,
      AXE_CONTEXT,
    );
  });

  test('l’alerte arrive par e-mail après une nouvelle initiative, et son lien désabonne sans compte', { skip: SKIP_ALERT }, async (t) => {
    // The saved search of the previous test (« jardin », weekly by now). The rules' clock moves for the
    // whole stack: the other browser files do not depend on it, and it is put back at once.
    const slug = `t-ui-alerte-${TAG}`;
    let initiativeId = null;
    let link;
    try {
      initiativeId = Number(
        await sql(`INSERT INTO initiative (slug, title, summary, status) VALUES (${lit(slug)}, ${lit(`Jardin des alertes ${TAG}`)},
          'Une initiative des tests de l’interface.', 'published') RETURNING id`),
      );
      await sql(`UPDATE sc_clock SET offset_s = interval '8 days'`);
      await waitForMail(EMAIL, new RegExp(`/initiatives/${initiativeId}\\b`), 'alert');
      link = (await waitForMail(EMAIL, /\/desabonnement\?token=[A-Za-z0-9._~%-]+/, 'alert'))[0];
    } finally {
      await sql(`UPDATE sc_clock SET offset_s = interval '0'`);
      if (initiativeId) await sql(`DELETE FROM initiative WHERE id = ${initiativeId}`);
    }
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + link);
        await page.getByText(`Jardins ${TAG}`).waitFor();
        await assertAccessible(page, '/desabonnement');
        await page.getByRole('button', { name: 'Confirmer le désabonnement' }).click();
        await page.getByRole('heading', { name: 'Vous êtes désabonné' }).waitFor();
        assert.equal(await sql(`SELECT alert FROM saved_search WHERE user_id = ${Number(userId)} AND name = ${lit(`Jardins ${TAG}`)}`), 'none');
      },
      DESKTOP,
      AXE_CONTEXT,
    );
  });

  test('supprimer son compte depuis « Mon espace »', async (t) => {
    await withPage(
      t,
      async (page) => {
        await logIn(page, '/mon-espace');
        await page.getByRole('heading', { name: 'Profil' }).waitFor();
        await assertAccessible(page, '/mon-espace');
        await page.getByRole('link', { name: 'Sessions', exact: true }).click();
        await page.locator('.session-item .badge--current', { hasText: 'Cette session' }).waitFor();
        await page.getByRole('link', { name: 'Profil', exact: true }).click();

        await page.getByRole('button', { name: 'Supprimer mon compte' }).click();
        const dialog = page.getByRole('dialog', { name: 'Supprimer mon compte' });
        await dialog.waitFor();
        // The focus starts in the dialog, on the password.
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'delete-password');
        await dialog.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
        await dialog.getByRole('button', { name: 'Supprimer définitivement mon compte' }).click();
        await page.waitForURL((url) => url.pathname === '/');
        await page.locator('header').getByRole('link', { name: 'Se connecter' }).waitFor();
        assert.equal(await sql(`SELECT count(*) FROM app_user WHERE email_norm = lower(${lit(EMAIL)})`), '0');
        assert.equal(await sql(`SELECT count(*) FROM collection WHERE user_id = ${Number(userId)}`), '0');
      },
      DESKTOP,
      AXE_CONTEXT,
    );
  });
});
