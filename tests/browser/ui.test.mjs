// Browser tests of the SocialConnect interface, in Debian's Chromium driven by playwright-core.
// Run against a running stack: SC_BASE_URL (default http://127.0.0.1:18080, the test profile's nginx).
//   node --test tests/browser/
// On failure a screenshot of the page goes to var/test/screenshots/<test name>.png.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, TIMEOUT, useBrowser, withPage } from './browser.mjs';

useBrowser();

const normalize = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Waits until the search has answered: either result cards or the result count is filled. */
async function waitForResults(page) {
  await page.locator('#result-count').filter({ hasText: /\S/ }).waitFor();
}

/** The number at the start of the result count ("300 initiatives …"). */
async function resultTotal(page) {
  const text = await page.locator('#result-count').innerText();
  const match = /^(?:plus de |environ )?([\d\s\u202f]+) initiatives?/.exec(text);
  assert.ok(match, `a result count: « ${text} »`);
  return Number(match[1].replace(/\D/g, ''));
}

const TERRITORY_LABEL = 'Territoire (région, département, commune ou code postal)';

describe('SocialConnect interface', () => {
  test('la page d’accueil montre l’en-tête, les résultats et la carte des régions', async (t) => {
    await withPage(t, async (page) => {
      const response = await page.goto(BASE_URL + '/');
      assert.equal(response.status(), 200);
      const header = page.locator('header.site-header');
      await header.waitFor();
      assert.match(await header.innerText(), /SocialConnect/);

      await waitForResults(page);
      assert.match(await page.locator('#result-count').innerText(), /^(plus de |environ )?[\d\s\u202f]+ initiatives?$/);
      const cards = page.locator('#results .result-card');
      assert.ok((await cards.count()) >= 1, 'at least one result card');
      assert.ok(await cards.first().locator('.card__title a').isVisible());

      // The régions contours are the map background (no tile server).
      await page.locator('#results-map path.sc-region').first().waitFor({ state: 'attached' });
      assert.ok((await page.locator('#results-map path.sc-region').count()) >= 13, 'every metropolitan région drawn');
      assert.equal(await page.locator('#results-map img.leaflet-tile').count(), 0, 'no map tiles');
      // The markers come from their own request (/map/clusters), which may end after the contours.
      const markers = page.locator('#results-map path.sc-marker.leaflet-interactive');
      await markers.first().waitFor({ state: 'attached' }).catch(() => {});
      assert.ok((await markers.count()) >= 1, 'markers on the map');

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

  // On a phone the list and the map are shown one at a time (the toggle is tested in
  // searchPage.test.mjs): the list first, within the screen's width.
  test('sur un téléphone (375 px) la liste tient dans l’écran, sans défilement horizontal', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/');
        await waitForResults(page);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `page width ${width}px fits the screen`);
        const list = await page.locator('#results').boundingBox();
        assert.ok(list && list.width > 0 && list.x >= 0 && list.x + list.width <= 375, 'the list is displayed within the screen');

        // Keyboard: the first Tab reaches the skip link.
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Aller au contenu');
      },
      { width: 375, height: 740 },
    );
  });
});

describe('Filtre par territoire', () => {
  test('choisir « Lyon » au clavier filtre les résultats, l’URL et la carte', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await waitForResults(page);
      const unfiltered = await resultTotal(page);

      const combo = page.getByRole('combobox', { name: TERRITORY_LABEL });
      assert.equal(await combo.getAttribute('aria-autocomplete'), 'list');
      assert.equal(await combo.getAttribute('aria-expanded'), 'false');
      const listboxId = await combo.getAttribute('aria-controls');
      const listbox = page.locator(`#${listboxId}`);
      assert.equal(await listbox.getAttribute('role'), 'listbox');

      await combo.focus();
      await combo.pressSequentially('lyon', { delay: 30 });
      const options = listbox.getByRole('option');
      await options.first().waitFor();
      assert.equal(await combo.getAttribute('aria-expanded'), 'true');
      assert.equal((await options.first().locator('.territory-option__name').innerText()).trim(), 'Lyon');
      assert.equal((await options.first().locator('.territory-option__level').innerText()).trim(), 'Commune');
      assert.match(await options.first().locator('.territory-option__context').innerText(), /Rhône/);
      const n = await options.count();
      assert.ok(n >= 1 && n <= 8, `${n} suggestions (limit 8)`);
      await page.locator('#territory-status').filter({ hasText: /^\d+ suggestions?$/ }).waitFor();
      assert.equal(await page.locator('#territory-status').innerText(), n === 1 ? '1 suggestion' : `${n} suggestions`);

      // Up/Down/Home/End move the highlighted option (aria-activedescendant), Escape closes the list.
      const activeId = () => combo.getAttribute('aria-activedescendant');
      const optionId = (i) => options.nth(i).getAttribute('id');
      await combo.press('ArrowDown');
      assert.equal(await activeId(), await optionId(0));
      assert.equal(await options.first().getAttribute('aria-selected'), 'true');
      await combo.press('End');
      assert.equal(await activeId(), await optionId(n - 1));
      await combo.press('Home');
      assert.equal(await activeId(), await optionId(0));
      await combo.press('ArrowUp');
      assert.equal(await activeId(), await optionId(n - 1), 'ArrowUp on the first option goes to the last');
      await combo.press('Escape');
      assert.equal(await combo.getAttribute('aria-expanded'), 'false');
      assert.ok(await listbox.isHidden());
      assert.equal(await combo.getAttribute('aria-activedescendant'), null);
      assert.equal(await combo.inputValue(), 'lyon', 'Escape on an open list keeps the text');

      // ArrowDown reopens on the first option; Enter chooses it.
      await combo.press('ArrowDown');
      assert.equal(await activeId(), await optionId(0));
      await combo.press('Enter');
      await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('territory') === 'commune:69123');
      assert.match(page.url(), /territory=commune(:|%3A)69123/);
      assert.equal(await combo.inputValue(), '');
      assert.equal(await combo.getAttribute('aria-expanded'), 'false');
      assert.equal(await page.evaluate(() => document.activeElement?.id), await combo.getAttribute('id'), 'focus stays in the field');

      const chip = page.locator('.territory-chip');
      await chip.first().waitFor();
      assert.equal(await chip.count(), 1);
      assert.equal((await chip.locator('.territory-chip__name').innerText()).trim(), 'Lyon');
      assert.ok(await page.getByRole('button', { name: 'Retirer le filtre Lyon' }).isVisible());

      await page.locator('#result-count', { hasText: 'sur le territoire choisi' }).waitFor();
      const filtered = await resultTotal(page);
      assert.ok(filtered >= 1, 'initiatives in Lyon');
      assert.ok(filtered < unfiltered, `${filtered} < ${unfiltered} once filtered`);
      const places = await page.locator('#results .result-card').evaluateAll((els) =>
        els.map((el) => el.querySelector('.card__place-name')?.textContent ?? ''),
      );
      assert.ok(places.length >= 1);
      for (const place of places) assert.match(normalize(place), /lyon|rhone/, `« ${place} » is in Lyon`);

      // The map outlines Lyon and zooms on it.
      const outline = page.locator('#results-map path.sc-territory');
      await outline.first().waitFor({ state: 'attached' });
      await page.locator('.results-map [data-zone="territoires"]').waitFor();

      // Back and forward go through the filter like any other search.
      await page.goBack();
      await page.waitForURL((url) => url.pathname === '/' && !url.searchParams.has('territory'));
      await page.locator('#result-count', { hasText: /^(plus de |environ )?[\d\s\u202f]+ initiatives?$/ }).waitFor();
      assert.equal(await resultTotal(page), unfiltered);
      assert.equal(await chip.count(), 0);
      assert.equal(await outline.count(), 0, 'no outline without territory');
      await page.goForward();
      await page.waitForURL((url) => url.searchParams.get('territory') === 'commune:69123');
      await page.locator('#result-count', { hasText: 'sur le territoire choisi' }).waitFor();
      assert.equal((await chip.locator('.territory-chip__name').innerText()).trim(), 'Lyon');
      await outline.first().waitFor({ state: 'attached' });

      // Removing the chip clears the filter and the outline.
      await page.getByRole('button', { name: 'Retirer le filtre Lyon' }).click();
      await page.waitForURL((url) => url.pathname === '/' && !url.searchParams.has('territory'));
      await page.locator('#result-count', { hasText: /^(plus de |environ )?[\d\s\u202f]+ initiatives?$/ }).waitFor();
      assert.equal(await chip.count(), 0);
      assert.equal(await outline.count(), 0);
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'combobox', 'focus back in the field');
    });
  });

  test('depuis une fiche, le lien de la région lance la recherche sur cette région', async (t) => {
    await withPage(t, async (page) => {
      // A shared link: the chip gets its name from the API.
      await page.goto(`${BASE_URL}/?territory=commune:69123`);
      await page.locator('#result-count', { hasText: 'sur le territoire choisi' }).waitFor();
      await page.locator('.territory-chip__name', { hasText: 'Lyon' }).waitFor();
      await page.locator('#results-map path.sc-territory').first().waitFor({ state: 'attached' });

      await page.locator('#results .result-card .card__title a').first().click();
      await page.waitForURL(/\/initiatives\/\d+$/);
      const commune = page.locator('a.detail__commune');
      await commune.waitFor();
      assert.equal((await commune.innerText()).trim(), 'Lyon');
      assert.equal(await commune.getAttribute('href'), '/?territory=commune:69123');
      assert.match(await page.locator('a.detail__departement').getAttribute('href'), /^\/\?territory=departement:69$/);

      const region = page.locator('a.detail__region');
      const regionName = (await region.innerText()).trim();
      const regionHref = await region.getAttribute('href');
      const regionRef = /territory=(region:[0-9]+)$/.exec(regionHref)?.[1];
      assert.ok(regionRef, `a région reference in ${regionHref}`);
      await region.click();
      await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('territory') === regionRef);
      await page.locator('#result-count', { hasText: 'sur le territoire choisi' }).waitFor();
      assert.ok((await resultTotal(page)) >= 1, 'initiatives in the région');
      assert.ok((await page.locator('#results .result-card').count()) >= 1);
      await page.locator('.territory-chip__name', { hasText: regionName }).waitFor();
      assert.ok(await page.getByRole('button', { name: `Retirer le filtre ${regionName}` }).isVisible());
      await page.locator('#results-map path.sc-territory').first().waitFor({ state: 'attached' });
    });
  });

  test('un territoire inconnu dans l’URL affiche le message de l’API', async (t) => {
    await withPage(t, async (page) => {
      const api = await page.request.get(`${BASE_URL}/api/v1/search?territory=commune:99999`);
      assert.equal(api.status(), 400);
      const { error } = await api.json();
      assert.equal(error.field, 'territory');

      await page.goto(`${BASE_URL}/?territory=commune:99999`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = await alert.innerText();
      assert.ok(text.includes(error.message), `« ${error.message} » in « ${text} »`);
      assert.equal(await page.locator('#results .result-card').count(), 0);
      // The chip stays, so the filter can be removed.
      assert.ok(await page.getByRole('button', { name: 'Retirer le filtre commune:99999' }).isVisible());
    });
  });

  test('sur un téléphone (375 px) les suggestions tiennent dans l’écran', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/');
        await waitForResults(page);
        const combo = page.getByRole('combobox', { name: TERRITORY_LABEL });
        await combo.focus();
        await combo.pressSequentially('69003', { delay: 30 });
        // A postcode lists its arrondissement, with the postcode in the context line.
        const option = page.getByRole('option').filter({ hasText: 'Lyon 3e Arrondissement' });
        await option.waitFor();
        assert.equal((await option.locator('.territory-option__level').innerText()).trim(), 'Arrondissement');
        assert.match(await option.locator('.territory-option__context').innerText(), /^69003, Lyon, Rhône/);
        const box = await page.locator('#territory-listbox').boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 375, 'the list fits the width');
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `page width ${width}px fits the screen`);
      },
      { width: 375, height: 740 },
    );
  });
});
