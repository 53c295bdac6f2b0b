// Browser tests of the results map: server-side clusters, "Rechercher dans cette zone" and the
// choropleth modes (counts by région or département).
// Run against a running stack: SC_BASE_URL (default http://127.0.0.1:18080).
//   node --test tests/browser/
// On failure a screenshot of the page goes to var/test/screenshots/<test name>.png.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, TIMEOUT, useBrowser, withPage } from './browser.mjs';

useBrowser();

/** The number at the start of the result count ("300 initiatives …"). */
async function resultTotal(page) {
  const count = page.locator('#result-count');
  await count.filter({ hasText: /\d/ }).waitFor();
  const text = await count.innerText();
  const match = /^(?:plus de |environ )?([\d\s\u202f]+) initiatives?/.exec(text);
  assert.ok(match, `a result count: « ${text} »`);
  return Number(match[1].replace(/\D/g, ''));
}

async function mapZoom(page) {
  return Number(await page.locator('#results-map').getAttribute('data-zoom'));
}

/** Waits until the map has stopped loading (no fetch pending, the debounce over). */
async function mapSettled(page) {
  await page.waitForTimeout(400);
  await page.waitForFunction(() => !document.querySelector('.results-map')?.hasAttribute('aria-busy'));
}

/** The sum of the counts of the clusters and single initiatives drawn. */
async function drawnCount(page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('#results-map .sc-cluster, #results-map path.sc-marker')).reduce(
      (sum, el) => sum + Number(el.getAttribute('data-count') ?? 0),
      0,
    ),
  );
}

describe('Carte des résultats', () => {
  test('des regroupements comptés par le serveur ; cliquer un regroupement rapproche la carte', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      const total = await resultTotal(page);
      const cluster = page.locator('#results-map .sc-cluster').first();
      await cluster.waitFor();
      await mapSettled(page);
      assert.match(await cluster.innerText(), /^\d[\d\s\u202f]*$/, 'a count on the cluster');
      assert.equal(await cluster.getAttribute('aria-hidden'), 'true');
      assert.ok((await drawnCount(page)) <= total);

      // Zoomed out to the whole world (overseas included), the counts add up to the result count.
      for (let i = 0; i < 8 && (await mapZoom(page)) > 2; i++) {
        await page.locator('#results-map .leaflet-control-zoom-out').click();
        await page.waitForTimeout(300);
      }
      await mapSettled(page);
      assert.equal(await drawnCount(page), total, 'the clusters count every result');
      assert.equal(await page.locator('#map-search-area').isVisible(), true, 'moving the map offers a search in the area');

      const before = await mapZoom(page);
      await page.locator('#results-map .sc-cluster').first().click();
      await page.waitForFunction((z) => Number(document.querySelector('#results-map')?.getAttribute('data-zoom')) > z, before);
      assert.ok((await mapZoom(page)) > before, 'the map zoomed in');
    });
  });

  test('« Rechercher dans cette zone » limite la recherche à la vue de la carte', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      const total = await resultTotal(page);
      await page.locator('#results-map .sc-cluster').first().waitFor();
      await mapSettled(page);
      assert.equal(await page.locator('#map-search-area').isVisible(), false, 'no area search before moving the map');

      // Where the Rhône is on screen (from the départements mode), then back to the points.
      await page.getByLabel('Départements').check();
      const rhone = page.locator('#results-map path[data-code="69"]');
      await rhone.waitFor({ state: 'attached' });
      const target = await rhone.boundingBox();
      await page.getByLabel('Points').check();
      const box = await page.locator('#results-map').boundingBox();
      // Drag Lyon to the middle of the map, then zoom in on it.
      await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      for (let i = 0; i < 3; i++) {
        await page.locator('#results-map .leaflet-control-zoom-in').click();
        await page.waitForTimeout(300);
      }
      await mapSettled(page);
      const button = page.getByRole('button', { name: 'Rechercher dans cette zone' });
      await button.waitFor();
      await button.click();
      await page.waitForURL(/[?&]bbox=-?\d/);
      await page.waitForFunction((n) => {
        const m = /^([\d\s\u202f]+) initiatives?/.exec(document.querySelector('#result-count')?.textContent ?? '');
        return m && Number(m[1].replace(/\D/g, '')) < n;
      }, total);
      const inArea = await resultTotal(page);
      assert.ok(inArea > 0 && inArea < total, `fewer results in the area (${inArea} < ${total})`);

      // The tag removes the area.
      const tag = page.getByRole('button', { name: 'Retirer le filtre Zone de la carte' });
      await tag.click();
      await page.waitForURL((url) => !url.search.includes('bbox='));
      assert.equal(await resultTotal(page), total);
    });
  });

  test('le mode Départements colore les territoires, avec une légende ; cliquer le Rhône filtre la recherche', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await resultTotal(page);
      const radio = page.getByRole('radio', { name: 'Départements' });
      await radio.focus();
      await page.keyboard.press('ArrowRight').catch(() => {});
      // Arrow keys move through the radio group; choose Départements whatever the starting point.
      await radio.check();
      const paths = page.locator('#results-map path.sc-choropleth');
      await paths.first().waitFor({ state: 'attached' });
      assert.ok((await paths.count()) >= 90, 'every département drawn');
      const legend = page.locator('#map-legend');
      await legend.waitFor();
      assert.ok((await legend.locator('.map-legend__item').count()) >= 2, 'legend classes');
      assert.match(await legend.innerText(), /département/);
      assert.equal(await page.locator('#results-map .sc-cluster').count(), 0, 'no clusters in this mode');
      assert.match(await page.locator('.leaflet-control-attribution').innerText(), /Contours : IGN Admin Express, INSEE COG/);

      await page.getByLabel('par habitant').check();
      await page.locator('#map-legend').filter({ hasText: /100 000 habitants/ }).waitFor();

      await page.locator('#results-map path[data-code="69"]').click();
      await page.waitForURL(/territory=departement:69(&|$)/);
      await page.locator('#results-map path.sc-choropleth').first().waitFor({ state: 'attached' });
    });
  });

  test('à 375 px les contrôles de la carte restent utilisables', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/');
        await resultTotal(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `no horizontal scroll (${overflow})`);
        await page.getByRole('radio', { name: 'Régions' }).check();
        await page.locator('#results-map path.sc-choropleth').first().waitFor({ state: 'attached' });
        await page.locator('#map-legend').waitFor();
      },
      { width: 375, height: 800 },
    );
  });
});
