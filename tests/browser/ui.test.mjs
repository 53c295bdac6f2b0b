// Browser tests of the SocialConnect interface, in Debian's Chromium driven by playwright-core.
// Run against a running stack: SC_BASE_URL (default http://127.0.0.1:18080, the test profile's nginx).
//   node --test tests/browser/
// On failure a screenshot of the page goes to var/test/screenshots/<test name>.png.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.SC_BASE_URL ?? 'http://127.0.0.1:18080').replace(/\/+$/, '');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = path.join(ROOT, 'var', 'test', 'screenshots');
const CHROMIUM = process.env.SC_CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT = 10_000;

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
});

after(async () => {
  await browser?.close();
});

function fileName(name) {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
}

/** Runs fn with a fresh page; on failure saves a screenshot and rethrows. Uncaught page errors fail the test. */
async function withPage(t, fn, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.setDefaultNavigationTimeout(TIMEOUT);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err));
  try {
    await fn(page);
    assert.deepEqual(pageErrors.map(String), [], 'no uncaught error in the page');
  } catch (err) {
    await mkdir(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `${fileName(t.name)}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    t.diagnostic(`screenshot: ${file}`);
    throw err;
  } finally {
    await context.close();
  }
}

const normalize = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Waits until the search has answered: either result cards or the result count is filled. */
async function waitForResults(page) {
  await page.locator('#result-count').filter({ hasText: /\S/ }).waitFor();
}

describe('SocialConnect interface', () => {
  test('la page d’accueil montre l’en-tête, les résultats et la carte des régions', async (t) => {
    await withPage(t, async (page) => {
      const response = await page.goto(BASE_URL + '/');
      assert.equal(response.status(), 200);
      const header = page.locator('header.site-header');
      await header.waitFor();
      assert.match(await header.innerText(), /SocialConnect/);

      await waitForResults(page);
      assert.match(await page.locator('#result-count').innerText(), /^(plus de )?[\d\s\u202f]+ initiatives?$/);
      const cards = page.locator('#results .result-card');
      assert.ok((await cards.count()) >= 1, 'at least one result card');
      assert.ok(await cards.first().locator('.card__title a').isVisible());

      // The régions contours are the map background (no tile server).
      await page.locator('#results-map path.sc-region').first().waitFor({ state: 'attached' });
      assert.ok((await page.locator('#results-map path.sc-region').count()) >= 13, 'every metropolitan région drawn');
      assert.equal(await page.locator('#results-map img.leaflet-tile').count(), 0, 'no map tiles');
      assert.ok((await page.locator('#results-map path.sc-marker.leaflet-interactive').count()) >= 1, 'markers on the map');

      const footer = await page.locator('footer.site-footer').innerText();
      assert.match(footer, /Contours : IGN Admin Express, INSEE COG/);
      assert.match(await page.title(), /SocialConnect/);
    });
  });

  test('une recherche met la requête dans l’URL, ouvre une fiche et revient aux résultats', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await waitForResults(page);

      const box = page.getByLabel('Rechercher une initiative');
      await box.fill('jardin');
      await box.press('Enter');
      await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('q') === 'jardin');
      await page.locator('#result-count', { hasText: 'jardin' }).waitFor();
      assert.match(await page.locator('#result-count').innerText(), /initiatives? pour « jardin »/);

      const cards = page.locator('#results .result-card');
      const texts = await cards.allInnerTexts();
      assert.ok(texts.length >= 1, 'at least one result');
      assert.ok(texts.some((text) => normalize(text).includes('jardin')), 'a result card mentions « jardin »');
      // Open a result that mentions the word and is placed in a commune ("Commune (Département)").
      const places = await cards.evaluateAll((els) => els.map((el) => el.querySelector('.card__place-name')?.textContent ?? ''));
      const index = texts.findIndex((text, i) => normalize(text).includes('jardin') && /\(.+\)$/.test(places[i]));
      assert.ok(index >= 0, 'a result about « jardin » placed in a commune');
      await page.locator('#results-map path.sc-marker.leaflet-interactive').first().waitFor({ state: 'attached' });
      await page.locator('#results-map path.sc-region').first().waitFor({ state: 'attached' });

      const card = cards.nth(index);
      const title = (await card.locator('.card__title a').innerText()).trim();
      const place = (await card.locator('.card__place-name').innerText()).trim();
      const commune = place.replace(/\s*\(.*\)$/, '');
      assert.ok(commune.length > 0, 'the card shows a place');

      await card.locator('.card__title a').click();
      await page.waitForURL(/\/initiatives\/\d+$/);
      const heading = page.locator('h1.detail__title');
      await heading.waitFor();
      assert.equal((await heading.innerText()).trim(), title);
      assert.ok((await page.title()).startsWith(title), 'document title names the initiative');
      const communeCell = page.locator('.detail__commune');
      assert.ok(await communeCell.isVisible(), 'commune visible');
      assert.equal((await communeCell.innerText()).trim(), commune);
      assert.match(await page.locator('.detail__sources').innerText(), /^Présent sur : /);

      await page.goBack();
      await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('q') === 'jardin');
      await page.locator('#result-count', { hasText: 'jardin' }).waitFor();
      assert.equal(await box.inputValue(), 'jardin');
      assert.ok((await cards.count()) >= 1);
    });
  });

  test('un lien partagé vers une recherche sans résultat montre l’état vide', async (t) => {
    await withPage(t, async (page) => {
      const gibberish = 'zqxwvkj' + Date.now().toString(36);
      await page.goto(`${BASE_URL}/?q=${gibberish}`);
      await waitForResults(page);
      assert.equal(await page.locator('#result-count').innerText(), `Aucune initiative ne correspond à « ${gibberish} »`);
      assert.ok(await page.locator('.empty-state').isVisible(), 'empty state shown');
      assert.equal(await page.locator('#results .result-card').count(), 0);
      assert.equal(await page.getByLabel('Rechercher une initiative').inputValue(), gibberish);
    });
  });

  test('une fiche inconnue affiche « Initiative introuvable »', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/initiatives/999999999');
      const heading = page.locator('h1', { hasText: 'Initiative introuvable' });
      await heading.waitFor();
      assert.match(await page.title(), /Initiative introuvable/);
      assert.ok(await page.getByRole('link', { name: 'Revenir à la recherche' }).isVisible());
    });
  });

  test('sur un téléphone (375 px) la liste et la carte s’empilent sans défilement horizontal', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/');
        await waitForResults(page);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `page width ${width}px fits the screen`);
        const map = await page.locator('#results-map').boundingBox();
        const list = await page.locator('#results').boundingBox();
        assert.ok(map && list, 'map and list are displayed');
        assert.ok(map.y + map.height <= list.y || list.y + list.height <= map.y, 'map and list are stacked');

        // Keyboard: the first Tab reaches the skip link.
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Aller au contenu');
      },
      { width: 375, height: 740 },
    );
  });
});
