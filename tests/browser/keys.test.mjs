// « Clés d'API » in the personal space, in a real Chromium against the real stack: a verified member
// creates a key, sees its secret once (and copies it with the button), the key answers the API, the
// secret is gone after a reload, and revoking it (after a confirmation) makes the API refuse it. Also
// on a 390 px phone, with the keyboard, and axe-core finds no serious or critical violation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { assertAccessible, BASE_URL, sql, useBrowser, withPage } from './browser.mjs';

useBrowser();

const TAG = crypto.randomBytes(4).toString('hex');
const EMAIL = `t-keys-${TAG}@example.org`;
const NAME = `Partenaire ${TAG}`;
const PASSWORD = `une phrase de passe ${TAG}`;
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const AXE_CONTEXT = { bypassCSP: true };


before(async () => {
  const res = await fetch(`${BASE_URL}/api/v1/account/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, display_name: NAME, password: PASSWORD }),
  });
  assert.equal(res.status, 202, `sign-up: ${res.status}`);
  // The e-mailed link is the accounts tests' business: here the address is confirmed directly.
  await sql(`UPDATE app_user SET email_verified_at = now() WHERE email_norm = lower(${lit(EMAIL)})`);
});

after(async () => {
  await sql(`DELETE FROM mail_outbox WHERE to_addr = ${lit(EMAIL)}; DELETE FROM app_user WHERE email_norm = lower(${lit(EMAIL)})`);
});


async function logIn(page, back) {
  await page.goto(`${BASE_URL}/connexion?retour=${encodeURIComponent(back)}`);
  await page.getByLabel('Adresse e-mail').fill(EMAIL);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.waitForURL((url) => url.pathname + url.search === back);
}

const apiWith = (secret) => fetch(`${BASE_URL}/api/v1/search?q=jardin&limit=1`, { headers: { Authorization: `Bearer ${secret}` } });

test("une clé d'API se crée dans l'espace, se montre une seule fois, se copie et se révoque", async (t) => {
  await withPage(
    t,
    async (page) => {
      await logIn(page, '/mon-espace/cles');
      await page.getByRole('heading', { name: "Clés d'API", level: 2 }).waitFor();
      await page.getByText('Aucune clé pour l’instant').waitFor();
      await assertAccessible(page, '/mon-espace/cles (vide)');

      // An empty name is refused beside the field, nothing is sent.
      await page.getByRole('button', { name: 'Créer la clé' }).click();
      await page.getByText('Donnez un nom à la clé.').waitFor();

      // With the keyboard: type the name, Enter.
      await page.getByLabel('Nom de la clé').fill(`Carte ${TAG}`);
      await page.getByLabel('Nom de la clé').press('Enter');
      const secretField = page.getByLabel('Votre clé');
      await secretField.waitFor();
      const secret = await secretField.inputValue();
      assert.match(secret, /^sck_[A-Za-z0-9_-]{43}$/);
      await page.getByText('elle ne sera plus jamais affichée').waitFor();
      await page.getByRole('button', { name: 'Copier la clé' }).click();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret, 'the button copies the secret');
      await page.getByText('Clé copiée dans le presse-papiers.').waitFor();
      await assertAccessible(page, '/mon-espace/cles (clé affichée)');

      // The key works; the list shows its prefix, never the secret.
      assert.equal((await apiWith(secret)).status, 200);
      const card = page.locator('.key-item', { hasText: `Carte ${TAG}` });
      await card.waitFor();
      await card.getByText(secret.slice(0, 12)).waitFor();
      await page.getByRole('button', { name: "J'ai copié la clé" }).click();
      assert.equal(await page.getByLabel('Votre clé').count(), 0, 'put away');
      await page.reload();
      await card.waitFor();
      assert.ok(!(await page.content()).includes(secret.slice(12)), 'after a reload the secret is nowhere in the page');
      await card.getByText(/requêtes? sur 14 jours/).waitFor();

      // Revoke: a confirmation first; « Annuler » keeps it.
      await card.getByRole('button', { name: `Révoquer la clé « Carte ${TAG} »` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Annuler' }).click();
      assert.equal((await apiWith(secret)).status, 200, 'still valid after « Annuler »');
      await card.getByRole('button', { name: `Révoquer la clé « Carte ${TAG} »` }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Révoquer', exact: true }).click();
      await page.getByText(`La clé « Carte ${TAG} » est révoquée.`).waitFor();
      await card.getByText('Révoquée', { exact: true }).waitFor();
      assert.equal(await card.getByRole('button', { name: /Révoquer/ }).count(), 0);
      const refused = await apiWith(secret);
      assert.equal(refused.status, 401, 'refused at once');
      await assertAccessible(page, '/mon-espace/cles (clé révoquée)');
    },
    { width: 1280, height: 900 },
    { ...AXE_CONTEXT, permissions: ['clipboard-read', 'clipboard-write'] },
  );
});

test("la section « Clés d'API » tient sur un téléphone (390 px)", async (t) => {
  await withPage(
    t,
    async (page) => {
      await logIn(page, '/mon-espace/cles');
      await page.getByLabel('Nom de la clé').fill(`Téléphone ${TAG}`);
      await page.getByRole('button', { name: 'Créer la clé' }).click();
      await page.getByLabel('Votre clé').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling at 390 px (${overflow} px too wide)`);
      const box = await page.getByRole('button', { name: 'Copier la clé' }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'the copy button is on screen');
      await assertAccessible(page, '/mon-espace/cles (téléphone)');
    },
    { width: 390, height: 844 },
    AXE_CONTEXT,
  );
});

// The per-address quota without a key (SC_QUOTA_IP_MINUTE, 300 a minute by default, with bursts up to
// 300) must never stop a person browsing: a busy minute of browsing — a search typed letter by letter
// with its suggestions, the results and their map, an initiative, the dashboard of the search with all
// its charts — stays far below it. (The test stack exempts 127.0.0.1, so the count is what is checked.)
test('une minute de navigation soutenue reste loin du quota par adresse', async (t) => {
  await withPage(t, async (page) => {
    const calls = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.pathname.startsWith('/api/v1/') && req.method() === 'GET') calls.push(url.pathname);
    });
    await page.goto(`${BASE_URL}/`);
    const box = page.getByRole('combobox', { name: 'Rechercher une initiative' });
    await box.pressSequentially('jardins partagés', { delay: 60 });
    await box.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === 'jardins partagés');
    await page.locator('.results a').first().waitFor();
    await page.locator('.results a').first().click();
    await page.waitForLoadState('networkidle');
    await page.goBack();
    await page.goto(`${BASE_URL}/tableau-de-bord?q=jardin`);
    await page.waitForLoadState('networkidle');
    await page.goto(`${BASE_URL}/en-chiffres`);
    await page.waitForLoadState('networkidle');
    t.diagnostic(`${calls.length} API requests`);
    assert.ok(calls.length > 10, `the browsing did call the API (${calls.length})`);
    assert.ok(calls.length < 150, `${calls.length} API requests: at most half of a minute's quota per address (300)`);
  });
});
