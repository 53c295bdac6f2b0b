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

/** Zooms the map out to the whole world (overseas included), where the clusters count every result. */
async function zoomOutToWorld(page) {
  for (let i = 0; i < 10 && (await mapZoom(page)) > 2; i++) {
    await page.locator('#results-map .leaflet-control-zoom-out').click();
    await page.waitForTimeout(300);
  }
  await mapSettled(page);
}

/** Waits for the result count to change from `before` (after a new search). */
async function totalChanged(page, before) {
  await page.waitForFunction((n) => {
    const m = /^(?:plus de |environ )?([\d\s\u202f]+) initiatives?/.exec(document.querySelector('#result-count')?.textContent ?? '');
    return m && Number(m[1].replace(/\D/g, '')) !== n;
  }, before);
  return resultTotal(page);
}

/** The distances shown in the result cards, in metres ("à 3,2 km", "à 800 m"). */
async function cardDistances(page) {
  const texts = await page.locator('#results .card__distance').allInnerTexts();
  return texts.map((text) => {
    const m = /^à ([\d\s\u202f]+(?:,\d+)?) (km|m)$/.exec(text.trim());
    assert.ok(m, `a distance « à … km »: « ${text} »`);
    const value = Number(m[1].replace(/[\s\u202f]/g, '').replace(',', '.'));
    return m[2] === 'km' ? value * 1000 : value;
  });
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
        // On a phone the list comes first; the map is a button away.
        await page.getByRole('button', { name: 'Carte', exact: true }).click();
        await page.getByRole('radio', { name: 'Régions' }).check();
        await page.locator('#results-map path.sc-choropleth').first().waitFor({ state: 'attached' });
        await page.locator('#map-legend').waitFor();
      },
      { width: 375, height: 800 },
    );
  });

  test('recherche autour d’une commune : rayon, cercle sur la carte, distances, filtre retirable', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      const total = await resultTotal(page);
      await page.getByText('Autour de moi ou d’une commune'.replace('’', "'")).click();
      await page.getByLabel('Rayon').selectOption('25');
      const field = page.getByRole('combobox', { name: "Ou autour d'une commune" });
      await field.fill('Lyon');
      await page.locator('#near-listbox [role="option"]').first().waitFor();
      assert.match(await page.locator('#near-listbox [role="option"]').first().innerText(), /Lyon/);
      await field.press('ArrowDown');
      await field.press('Enter');
      await page.waitForURL(/[?&]near=45\.\d+,4\.8\d*,25(&|$)/);
      assert.match(page.url(), /[?&]sort=distance(&|$)/, 'nearest first');
      const near = await totalChanged(page, total);
      assert.ok(near > 0 && near < total, `fewer results within 25 km of Lyon (${near} < ${total})`);
      assert.equal(await page.locator('#sort').inputValue(), 'distance');

      const distances = await cardDistances(page);
      assert.ok(distances.length > 0);
      assert.ok(distances.every((d) => d <= 25_000 + 50), `every distance within 25 km: ${distances}`);
      assert.deepEqual([...distances].sort((a, b) => a - b), distances, 'nearest first');

      // The circle is drawn and framed.
      await page.locator('#results-map path.sc-near').waitFor({ state: 'attached' });
      assert.ok((await mapZoom(page)) >= 8, 'the map frames the circle');
      await mapSettled(page);
      // The clusters of the map count the same initiatives.
      await zoomOutToWorld(page);
      assert.equal(await drawnCount(page), near);

      const tag = page.getByRole('button', { name: 'Retirer le filtre Autour de Lyon (25 km)' });
      await tag.waitFor();
      // Another radius keeps the point.
      await page.getByLabel('Rayon').selectOption('5');
      await page.waitForURL(/[?&]near=45\.\d+,4\.8\d*,5(&|$)/);
      await page.getByRole('button', { name: 'Retirer le filtre Autour de Lyon (5 km)' }).click();
      await page.waitForURL((url) => !url.search.includes('near='));
      assert.equal(await resultTotal(page), total);
      assert.equal(await page.locator('#results-map path.sc-near').count(), 0, 'the circle is gone');
    });
  });

  test('« Autour de moi » avec la position du navigateur, et un message clair quand elle est refusée', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/');
        const total = await resultTotal(page);
        await page.getByText("Autour de moi ou d'une commune").click();
        await page.getByRole('button', { name: 'Autour de moi', exact: true }).click();
        await page.waitForURL(/[?&]near=43\.6047,1\.4442,10(&|$)/);
        const near = await totalChanged(page, total);
        assert.ok(near > 0 && near < total, `results around Toulouse (${near})`);
        await page.getByRole('button', { name: 'Retirer le filtre Autour de ma position (10 km)' }).waitFor();
        assert.ok((await cardDistances(page)).every((d) => d <= 10_050));

        // A shared link names its point by its commune.
        await page.goto(BASE_URL + '/?near=45.7640,4.8357,10');
        await page.getByRole('button', { name: 'Retirer le filtre Autour de Lyon (10 km)' }).waitFor();
        assert.equal(await page.locator('#near-search').getAttribute('open'), '', 'the control is open on such a link');
      },
      undefined,
      { permissions: ['geolocation'], geolocation: { latitude: 43.6047, longitude: 1.4442 } },
    );
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await resultTotal(page);
      await page.getByText("Autour de moi ou d'une commune").click();
      await page.getByRole('button', { name: 'Autour de moi', exact: true }).click();
      await page.locator('#near-search-status').filter({ hasText: /position/ }).waitFor();
      assert.match(await page.locator('#near-search-status').innerText(), /n'avez pas autorisé l'accès à votre position|n'a pas pu être déterminée/);
      assert.ok(!page.url().includes('near='), 'no search without a position');
    });
  });

  test('survoler ou parcourir au clavier un résultat le signale sur la carte', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/?near=45.764,4.8357,5&sort=distance');
      await resultTotal(page);
      await page.locator('#results-map path.sc-near').waitFor({ state: 'attached' });
      await mapSettled(page);
      const card = page.locator('#results li.result-card').first();
      const id = await card.getAttribute('data-id');
      await card.hover();
      const marked = page.locator('#results-map [data-highlighted="true"]');
      await marked.waitFor({ state: 'attached' });
      assert.equal(await marked.count(), 1, 'one marker or cluster is highlighted');
      if ((await marked.getAttribute('data-id')) !== null) assert.equal(await marked.getAttribute('data-id'), id, 'its own marker');
      else assert.ok(Number(await marked.getAttribute('data-count')) >= 2, 'or the cluster holding it');
      assert.equal(await page.locator('#results-map path.sc-highlight').count(), 1, 'a ring around its point');

      await page.mouse.move(5, 5);
      await page.waitForFunction(() => !document.querySelector('#results-map [data-highlighted="true"]'));
      assert.equal(await page.locator('#results-map path.sc-highlight').count(), 0);

      // The same through the keyboard: focusing the result's link.
      const second = page.locator('#results li.result-card').nth(1);
      await second.locator('a.card__link').focus();
      await marked.waitFor({ state: 'attached' });
      assert.equal(await page.locator('#results-map path.sc-highlight').count(), 1);
    });
  });

  test('cliquer un point ouvre la fiche de l’initiative et signale le résultat dans la liste', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/?near=45.764,4.8357,5&sort=distance');
      await resultTotal(page);
      await page.locator('#results-map path.sc-near').waitFor({ state: 'attached' });
      await mapSettled(page);
      // Closer in, until single initiatives show.
      for (let i = 0; i < 6 && (await page.locator('#results-map path.sc-marker[data-id]').count()) === 0; i++) {
        await page.locator('#results-map .leaflet-control-zoom-in').click();
        await mapSettled(page);
      }
      const listIds = await page.locator('#results li.result-card').evaluateAll((lis) => lis.map((li) => li.dataset.id));
      const markerIds = await page.locator('#results-map path.sc-marker[data-id]').evaluateAll((ps) => ps.map((p) => p.dataset.id));
      assert.ok(markerIds.length > 0, 'single initiatives on the map');
      const id = markerIds.find((m) => listIds.includes(m)) ?? markerIds[0];
      const record = await (await fetch(`${BASE_URL}/api/v1/initiatives/${id}`)).json();

      await page.locator(`#results-map path.sc-marker[data-id="${id}"]`).click();
      const popup = page.locator('.leaflet-popup .map-popup');
      await popup.waitFor();
      assert.equal(await popup.locator('.map-popup__title').innerText(), record.title);
      assert.equal(await popup.locator('a.map-popup__link').getAttribute('href'), `/initiatives/${id}`);
      const themes = await popup.locator('.tag').allInnerTexts();
      assert.deepEqual(themes, record.themes.map((th) => th.label));
      await popup.locator('.map-popup__place').filter({ hasText: record.territory.commune.name }).waitFor();
      if (listIds.includes(id)) {
        await page.locator(`#results li.result-card.is-selected[data-id="${id}"]`).waitFor();
        assert.equal(await page.locator('#results li.result-card.is-selected').count(), 1);
      }
      // The map pans to show a card near its edge and asks for its points again: the card stays.
      await mapSettled(page);
      assert.equal(await popup.count(), 1, 'the card still open once the map has settled');
      await popup.locator('a.map-popup__link').click();
      await page.waitForURL(new RegExp(`/initiatives/${id}$`));
    });
  });

  test('au clavier, « Voir sur la carte » ouvre la fiche sur la carte ; Échap rend le focus', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await resultTotal(page);
      const card = page.locator('#results li.result-card').filter({ has: page.locator('.card__locate') }).first();
      const title = await card.locator('.card__link').innerText();
      const button = card.getByRole('button', { name: `Voir sur la carte : ${title}` });
      await button.focus();
      await page.keyboard.press('Enter');
      const popup = page.locator('.leaflet-popup .map-popup');
      await popup.waitFor();
      assert.equal(await popup.locator('.map-popup__title').innerText(), title);
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('map-popup__link')), true, 'the focus is in the card');
      await page.keyboard.press('Escape');
      await popup.waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('card__locate')), true, 'the focus is back');
    });
  });

  test('le filtre d’années change les regroupements de la carte comme le total de la recherche', async (t) => {
    await withPage(t, async (page) => {
      const mapRequests = [];
      page.on('request', (req) => {
        if (req.url().includes('/api/v1/map/')) mapRequests.push(new URL(req.url()));
      });
      await page.goto(BASE_URL + '/');
      const total = await resultTotal(page);
      await page.locator('#year-filter summary').click();
      await page.getByLabel('Depuis', { exact: true }).fill('2015');
      await page.getByLabel('jusqu’en', { exact: true }).fill('2019');
      await page.getByRole('button', { name: 'Appliquer' }).click();
      await page.waitForURL(/[?&]year_min=2015&year_max=2019(&|$)/);
      const inYears = await totalChanged(page, total);
      assert.ok(inYears > 0 && inYears < total, `fewer results launched 2015–2019 (${inYears} < ${total})`);
      await page.getByRole('button', { name: 'Retirer le filtre Lancée entre 2015 et 2019' }).waitFor();
      await page.locator('#results-map .sc-cluster, #results-map path.sc-marker').first().waitFor({ state: 'attached' });
      await zoomOutToWorld(page);
      assert.equal(await drawnCount(page), inYears, 'the clusters count the same initiatives as the search');
      const last = mapRequests[mapRequests.length - 1];
      assert.equal(last.searchParams.get('year_min'), '2015');
      assert.equal(last.searchParams.get('year_max'), '2019');

      // A wrong range is refused in French, without a search.
      await page.getByLabel('Depuis', { exact: true }).fill('2020');
      await page.getByLabel('jusqu’en', { exact: true }).fill('2010');
      await page.getByRole('button', { name: 'Appliquer' }).click();
      await page.locator('#year-error').filter({ hasText: /postérieure/ }).waitFor();
      assert.match(page.url(), /year_min=2015&year_max=2019/);
    });
  });

  test('chaque filtre de la recherche est transmis aux deux appels de la carte', async (t) => {
    await withPage(t, async (page) => {
      const mapRequests = [];
      page.on('request', (req) => {
        if (req.url().includes('/api/v1/map/')) mapRequests.push(new URL(req.url()));
      });
      const filters = {
        q: 'quartier',
        theme: 'SOL',
        public: 'tous',
        territory: 'region:84',
        year_min: '2000',
        year_max: '2024',
        near: '45.764,4.8357,100',
      };
      await page.goto(`${BASE_URL}/?${new URLSearchParams(filters)}`);
      await page.locator('#result-count').filter({ hasText: /initiative/ }).waitFor();
      await page.waitForFunction(() => document.querySelector('#results-map') !== null);
      await page.waitForTimeout(600);
      await page.getByLabel('Régions').check();
      await page.locator('#results-map path.sc-choropleth').first().waitFor({ state: 'attached' });
      const clusters = mapRequests.filter((u) => u.pathname.endsWith('/clusters'));
      const choropleth = mapRequests.filter((u) => u.pathname.endsWith('/choropleth'));
      assert.ok(clusters.length > 0 && choropleth.length > 0, 'both map endpoints asked');
      for (const url of [clusters[clusters.length - 1], choropleth[choropleth.length - 1]]) {
        for (const [key, value] of Object.entries(filters)) assert.equal(url.searchParams.get(key), value, `${key} in ${url.pathname}`);
      }
    });
  });

  test('une adresse de tuiles configurée remplace le fond de contours, avec son attribution', async (t) => {
    await withPage(t, async (page) => {
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
      let tiles = 0;
      await page.route('**/config.json', (route) =>
        route.fulfill({ contentType: 'application/json', body: JSON.stringify({ tiles: { url: '/test-tiles/{z}/{x}/{y}.png', attribution: '© Tuiles de test' } }) }),
      );
      await page.route('**/test-tiles/**', (route) => {
        tiles++;
        return route.fulfill({ contentType: 'image/png', body: png });
      });
      await page.goto(BASE_URL + '/');
      await resultTotal(page);
      await page.locator('#results-map img.leaflet-tile').first().waitFor({ state: 'attached' });
      assert.ok(tiles > 0, 'tiles asked');
      const attribution = await page.locator('#results-map .leaflet-control-attribution').innerText();
      assert.match(attribution, /© Tuiles de test/);
      assert.equal(await page.locator('#results-map path.sc-region').count(), 0, 'no contour background under the tiles');
    });
  });

  test('sans configuration, le fond est fait de nos contours, attribués à l’IGN et à l’INSEE', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await resultTotal(page);
      await page.locator('#results-map path.sc-region').first().waitFor({ state: 'attached' });
      assert.equal(await page.locator('#results-map img.leaflet-tile').count(), 0);
      assert.match(await page.locator('#results-map .leaflet-control-attribution').innerText(), /IGN Admin Express, INSEE COG/);
    });
  });
});
