// Browser tests of the search page as a visitor sees it: results at first sight on a laptop and a
// phone, a map that frames every match of the search (from the API's extent) and shows the search
// the list shows (corrected words, nothing after an error), instant results, a legible map without
// a tile server, the choropleth from the keyboard, and axe-core on every page and main state.
// Run against a running stack: SC_BASE_URL (default http://127.0.0.1:18080).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, BASE_URL, useBrowser, withPage } from './browser.mjs';

useBrowser();

// axe is injected as a script: the site's CSP (script-src 'self') would refuse it.
const AXE_CONTEXT = { bypassCSP: true };
const LAPTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };

/** The number at the start of the result count ("22 initiatives pour « jardin »"). */
async function resultTotal(page) {
  const count = page.locator('#result-count');
  await count.filter({ hasText: /\d/ }).waitFor();
  const match = /^(?:plus de |environ )?([\d\s\u202f]+) initiatives?/.exec(await count.innerText());
  assert.ok(match, 'a result count');
  return Number(match[1].replace(/\D/g, ''));
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

/** The first page of a search as the page asked it (with its extent), waited for. */
function searchAnswer(page, predicate = () => true) {
  return page
    .waitForResponse((res) => {
      const url = new URL(res.url());
      return url.pathname === '/api/v1/search' && url.searchParams.get('extent') === '1' && predicate(url);
    })
    .then((res) => res.json());
}

/** The map's view as west,south,east,north. */
async function mapBounds(page) {
  const text = await page.locator('#results-map').getAttribute('data-bounds');
  return text.split(',').map(Number);
}


describe('Page de recherche', () => {
  for (const [name, viewport] of [
    ['un portable (1366 × 800)', LAPTOP],
    ['un téléphone (390 × 844)', PHONE],
  ]) {
    test(`sur ${name}, le premier résultat commence dans le premier écran`, async (t) => {
      await withPage(
        t,
        async (page) => {
          await page.goto(BASE_URL + '/?q=jardin');
          await resultTotal(page);
          const card = page.locator('#results > li').first();
          await card.waitFor();
          const box = await card.boundingBox();
          assert.ok(box.y >= 0 && box.y + 40 <= viewport.height, `first card's top at ${box.y}px, screen ${viewport.height}px`);
          // The bar: words, territory and « Filtres »; the count and the skip link beside it.
          assert.ok(await page.locator('.hero--compact').isVisible());
          assert.ok(await page.getByRole('button', { name: /^Filtres/ }).isVisible());
          assert.ok(await page.locator('#search-summary #result-count').isVisible());
          await page.getByRole('link', { name: 'Aller aux résultats' }).click();
          assert.equal(await page.evaluate(() => document.activeElement?.closest('#results') !== null), true, 'the focus in the first result');
        },
        viewport,
      );
    });
  }

  test('sur un téléphone, la liste ou la carte, au choix', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/?q=jardin');
        await resultTotal(page);
        assert.equal(await page.locator('#results-map').isVisible(), false, 'the list first');
        await page.getByRole('button', { name: 'Carte', exact: true }).click();
        assert.ok(await page.locator('#results-map').isVisible());
        assert.equal(await page.locator('#results').isVisible(), false);
        await mapSettled(page);
        assert.ok((await drawnCount(page)) > 0, 'points on the map');
        await page.getByRole('button', { name: 'Liste', exact: true }).click();
        assert.ok(await page.locator('#results').isVisible());
      },
      PHONE,
    );
  });

  test('la carte cadre toutes les correspondances de la recherche, outre-mer compté par le serveur', async (t) => {
    await withPage(
      t,
      async (page) => {
        const answer = searchAnswer(page);
        await page.goto(BASE_URL + '/?theme=ENV');
        const { extent, total } = await answer;
        await resultTotal(page);
        await mapSettled(page);
        assert.ok(extent && Array.isArray(extent.zones) && extent.zones.length > 0, 'the API gives the extent');
        const metro = extent.zones.find((z) => z.zone === 'metropole');
        assert.ok(metro, 'matches in metropolitan France');
        assert.ok(total > 20, 'more matches than a page: the page alone would not frame them');
        const [west, south, east, north] = await mapBounds(page);
        const [x0, y0, x1, y1] = metro.bbox;
        assert.ok(west <= x0 && south <= y0 && east >= x1 && north >= y1, `the view ${[west, south, east, north]} holds ${metro.bbox}`);
        assert.ok(east - west < 3 * (x1 - x0) + 2 && north - south < 3 * (y1 - y0) + 2, 'and is not much wider');
        // Every located match of metropolitan France is counted on the map.
        assert.equal(await drawnCount(page), metro.count);
        // One button per overseas zone holding matches, with the server's count.
        for (const zone of extent.zones.filter((z) => z.zone !== 'metropole')) {
          const button = page.locator(`.map-toolbar [data-zone="${zone.zone}"]`);
          assert.match(await button.innerText(), new RegExp(`\\(${zone.count}\\)`));
        }
        assert.equal(await page.locator('.map-toolbar [data-zone]').count(), extent.zones.length);
      },
      LAPTOP,
    );
  });

  test('après une correction, la carte montre les mots corrigés', async (t) => {
    await withPage(
      t,
      async (page) => {
        const clusters = [];
        page.on('request', (req) => {
          const url = new URL(req.url());
          if (url.pathname === '/api/v1/map/clusters') clusters.push(url);
        });
        const answer = searchAnswer(page);
        await page.goto(BASE_URL + '/?q=jardn%20partag');
        const body = await answer;
        assert.equal(body.corrected, true);
        await page.locator('#search-notice .search-notice__corrected').waitFor();
        await mapSettled(page);
        assert.ok(clusters.length > 0, 'the map asked for its points');
        assert.equal(clusters[clusters.length - 1].searchParams.get('q'), body.did_you_mean, 'the corrected words');
        // The points of the corrected search, all of those of metropolitan France in view.
        const metro = body.extent.zones.find((z) => z.zone === 'metropole');
        assert.ok(metro && metro.count > 0);
        assert.equal(await drawnCount(page), metro.count);
      },
      LAPTOP,
    );
  });

  test('des mots qui ne vont pas ensemble : la page dit lesquels sont laissés de côté, et la carte montre les mêmes initiatives', async (t) => {
    await withPage(
      t,
      async (page) => {
        const answer = searchAnswer(page);
        await page.goto(BASE_URL + '/?q=' + encodeURIComponent('jardin partagé zqxjvwkplm'));
        const body = await answer;
        assert.deepEqual(body.relaxed?.dropped, ['zqxjvwkplm']);
        const notice = page.locator('#search-notice');
        await notice.filter({ hasText: 'sans' }).waitFor();
        assert.equal(
          (await notice.innerText()).replace(/\s+/g, ' ').trim(),
          `Aucune initiative ne contient tous ces mots. Résultats pour « ${body.relaxed.q} », sans « zqxjvwkplm ».`,
        );
        assert.equal(await resultTotal(page), body.total);
        assert.equal(await page.locator('#results > li').count(), Math.min(body.total, body.items.length));
        // The map draws the matches of the words kept, as the list shows them.
        await mapSettled(page);
        const metro = body.extent.zones.find((z) => z.zone === 'metropole');
        assert.ok(metro && metro.count > 0);
        assert.equal(await drawnCount(page), metro.count);
        await assertAccessible(page, 'a search with words left out');
      },
      LAPTOP,
      AXE_CONTEXT,
    );
  });

  test('une erreur : un seul message près du champ, avec le focus, et rien de la recherche précédente', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/?q=jardin');
        await resultTotal(page);
        await mapSettled(page);
        assert.ok((await drawnCount(page)) > 0);
        assert.ok(await page.locator('#facets').isVisible());
        const box = page.getByRole('combobox', { name: 'Rechercher une initiative' });
        await box.fill('jardin AND (');
        await box.press('Enter');
        const error = page.locator('#search-error');
        await error.waitFor();
        assert.match(await error.innerText(), /parenthèse/i);
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-error', 'the message has the focus');
        await mapSettled(page);
        assert.equal(await page.locator('#results > li').count(), 0, 'no stale result');
        assert.equal(await page.locator('#facets').isVisible(), false, 'no facet of a failed search');
        assert.equal(await drawnCount(page), 0, 'no stale point on the map');
        assert.equal(await page.locator('[role="alert"]:visible, .alert--error:visible').count(), 1, 'one message');
        assert.equal((await page.locator('#map-status').innerText()).trim(), '', 'no second error under the map');
      },
      LAPTOP,
    );
  });

  test('les résultats suivent la frappe ; l’adresse suit sans remplir l’historique ; Entrée marche encore', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/');
        await resultTotal(page);
        const before = await page.evaluate(() => history.length);
        const aborted = [];
        page.on('requestfailed', (req) => {
          if (new URL(req.url()).pathname === '/api/v1/search') aborted.push(req.url());
        });
        const box = page.getByRole('combobox', { name: 'Rechercher une initiative' });
        await box.click();
        await page.keyboard.type('epicerie', { delay: 120 });
        await page.locator('#result-count', { hasText: '« epicerie »' }).waitFor();
        await page.waitForURL((url) => url.searchParams.get('q') === 'epicerie');
        assert.equal(await page.evaluate(() => history.length), before, 'no history entry per key');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-q', 'the box keeps the focus');
        assert.equal(await box.inputValue(), 'epicerie');
        const expected = await (await fetch(`${BASE_URL}/api/v1/search?q=epicerie&limit=1`)).json();
        assert.equal(await resultTotal(page), expected.total, 'the count of the words typed');
        assert.ok((await page.locator('#results > li').count()) > 0);
        // Enter: at once, a history entry.
        await box.fill('jardin');
        await box.press('Enter');
        await page.locator('#result-count', { hasText: '« jardin »' }).waitFor();
        assert.equal(await page.evaluate(() => history.length), before + 1);
        t.diagnostic(`requests cancelled while typing: ${aborted.length}`);
      },
      LAPTOP,
    );
  });

  test('sans serveur de tuiles, les noms des communes se lisent à l’échelle d’une ville', async (t) => {
    const res = await fetch(`${BASE_URL}/api/v1/search?territory=commune:31555&limit=1`);
    const { items } = await res.json();
    assert.ok(items.length > 0, 'an initiative in Toulouse');
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/initiatives/${items[0].id}`);
        const map = page.locator('#detail-map');
        await map.waitFor();
        assert.equal(await page.locator('#detail-map img.leaflet-tile').count(), 0, 'no tile server');
        // The town where the initiative is, named at once; one step out, its neighbours too.
        await page.locator('#detail-map .sc-place--commune', { hasText: 'Toulouse' }).first().waitFor();
        await page.locator('#detail-map .leaflet-control-zoom-out').click();
        await page.waitForTimeout(600);
        await page.locator('#detail-map .sc-place--commune', { hasText: 'Toulouse' }).first().waitFor();
        await page.locator('#detail-map path.sc-commune').first().waitFor({ state: 'attached' });
        const names = await page.locator('#detail-map .sc-place--commune').allInnerTexts();
        assert.ok(names.length >= 3, `several communes named: ${names.join(', ')}`);
        // Names never overlap.
        const boxes = await page.locator('#detail-map .sc-place').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON()));
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i];
            const b = boxes[j];
            const overlap = a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
            assert.ok(!overlap, `names ${i} and ${j} overlap`);
          }
        }
      },
      LAPTOP,
    );
  });

  test('la carte par régions se pilote au clavier seul', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/?q=jardin');
        await resultTotal(page);
        // Tab to « Aller à la carte », Enter: the map modes; arrow to « Régions ».
        for (let i = 0; i < 30 && (await page.evaluate(() => document.activeElement?.id)) !== 'skip-map'; i++) {
          await page.keyboard.press('Tab');
        }
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'skip-map', 'the map a few Tab presses from the top');
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'map-mode-points');
        await page.keyboard.press('ArrowRight');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'map-mode-region');
        await page.locator('#map-legend').waitFor();
        const areas = page.locator('#results-map path.sc-choropleth');
        const n = await areas.count();
        assert.ok(n >= 13, 'the régions drawn');
        const labels = await areas.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
        assert.ok(labels.every((label) => /^[^:]+ : (aucune initiative|\d+ initiatives?)/.test(label)), 'each area named with its count');
        // 0 is drawn apart from the classes, and the legend gives each class's bounds.
        const zero = await page.locator('#results-map path.sc-choropleth--zero').count();
        const zeros = labels.filter((label) => label.includes('aucune initiative')).length;
        assert.equal(zero, zeros, 'the areas without a match, and only them, drawn as 0');
        if (zeros > 0) await page.locator('#map-legend .map-legend__item--zero').waitFor();
        const items = await page.locator('#map-legend .map-legend__item').allInnerTexts();
        assert.ok(items.some((text) => /\d/.test(text)), `class bounds: ${items.join(' / ')}`);
        // Tab into the areas, to Occitanie, and Enter filters like a click.
        for (let i = 0; i < 40; i++) {
          await page.keyboard.press('Tab');
          const label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
          if (label.startsWith('Occitanie')) break;
        }
        assert.match(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), /^Occitanie/);
        await page.keyboard.press('Enter');
        await page.waitForURL((url) => (url.searchParams.get('territory') ?? '').split(',').includes('region:76'));
      },
      LAPTOP,
    );
  });

  test('les replis montrent s’ils sont ouverts ; la syntaxe de recherche s’explique depuis le champ', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/');
        await resultTotal(page);
        const summary = page.locator('.near-search__summary').first();
        const marker = () => summary.evaluate((el) => getComputedStyle(el, '::before').transform);
        const closed = await marker();
        assert.notEqual(closed, 'none', 'a marker is drawn');
        await summary.click();
        assert.notEqual(await marker(), closed, 'the marker turns when open');
        await page.getByText('Comment chercher ?').click();
        await page.locator('#query-help').getByRole('button', { name: '"aide alimentaire"' }).click();
        await page.waitForURL((url) => url.searchParams.get('q') === '"aide alimentaire"');
        await resultTotal(page);
        // One territory control and one year control on the page.
        assert.equal(await page.locator('fieldset[data-facet="region"]').count(), 0);
        assert.equal(await page.locator('#year-min').count(), 1);
      },
      LAPTOP,
    );
  });
});

describe('Accessibilité (axe-core) des pages et de leurs états', () => {
  test('recherche, filtres ouverts, parcours guidé, recherche avancée, modes de carte', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/');
        await resultTotal(page);
        await assertAccessible(page, 'the home page');
        await page.goto(BASE_URL + '/?q=jardin');
        await resultTotal(page);
        await mapSettled(page);
        await assertAccessible(page, 'a search');
        await page.getByRole('button', { name: /^Filtres/ }).click();
        await assertAccessible(page, 'the filters open');
        await page.locator('.advanced__summary').click();
        await assertAccessible(page, 'the advanced search');
        await page.getByRole('button', { name: 'Être guidé pas à pas' }).click();
        await page.locator('#guide').waitFor();
        await assertAccessible(page, 'the guided path');
        await page.goto(BASE_URL + '/?q=jardin');
        await resultTotal(page);
        for (const mode of ['region', 'departement']) {
          await page.locator(`#map-mode-${mode}`).check();
          // An area with no outline in the current view (overseas) is drawn empty and hidden.
          await page.locator('#results-map path.sc-choropleth').filter({ visible: true }).first().waitFor();
          await mapSettled(page);
          await assertAccessible(page, `the map by ${mode}`);
        }
        await page.goto(BASE_URL + '/?q=jardin%20AND%20(');
        await page.locator('#search-error').waitFor();
        await assertAccessible(page, 'a failed search');
      },
      LAPTOP,
      AXE_CONTEXT,
    );
  });

  test('téléphone : recherche, filtres, carte', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/?q=jardin');
        await resultTotal(page);
        await assertAccessible(page, 'a search on a phone');
        await page.getByRole('button', { name: /^Filtres/ }).click();
        await assertAccessible(page, 'the filters on a phone');
        await page.getByRole('button', { name: 'Carte', exact: true }).click();
        await mapSettled(page);
        await assertAccessible(page, 'the map on a phone');
      },
      PHONE,
      AXE_CONTEXT,
    );
  });

  test('fiche, sources, à propos', async (t) => {
    const res = await fetch(`${BASE_URL}/api/v1/search?q=jardin&limit=1`);
    const { items } = await res.json();
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/initiatives/${items[0].id}`);
        await page.locator('#detail-title').waitFor();
        await page.locator('#detail-map .sc-place').first().waitFor();
        await assertAccessible(page, 'the detail page');
        await page.goto(`${BASE_URL}/sources`);
        await page.locator('main h1').waitFor();
        await page.waitForLoadState('networkidle');
        await assertAccessible(page, 'the sources');
        await page.goto(`${BASE_URL}/a-propos`);
        await page.locator('main h1').waitFor();
        await assertAccessible(page, 'the about page');
      },
      LAPTOP,
      AXE_CONTEXT,
    );
  });
});
