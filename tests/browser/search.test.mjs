// Browser tests of the search engine interface: facets, active filters, sort, guided path,
// advanced search, suggestions, excerpts and spelling correction.
// Run against a running stack: SC_BASE_URL (default http://127.0.0.1:18080).
//   node --test tests/browser/
// On failure a screenshot of the page goes to var/test/screenshots/<test name>.png.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, TIMEOUT, useBrowser, withPage } from './browser.mjs';

const TERRITORY_LABEL = 'Territoire (région, département, commune ou code postal)';

useBrowser();

const COUNT = /^(?:plus de |environ )?([\d\s\u202f]+) initiatives?/;

async function waitForResults(page) {
  await page.locator('#result-count').filter({ hasText: /\S/ }).waitFor();
}

/** The number at the start of the result count ("300 initiatives …"). */
async function resultTotal(page) {
  const text = await page.locator('#result-count').innerText();
  const match = COUNT.exec(text);
  assert.ok(match, `a result count: « ${text} »`);
  return Number(match[1].replace(/\D/g, ''));
}

/** Waits until the result count shows another total than `previous`. */
async function waitForTotalOtherThan(page, previous) {
  await page.waitForFunction(
    ([pattern, prev]) => {
      const text = document.getElementById('result-count')?.textContent ?? '';
      const match = new RegExp(pattern).exec(text);
      return match !== null && Number(match[1].replace(/\D/g, '')) !== prev;
    },
    [COUNT.source, previous],
  );
}

/** "Environnement (88)" → 88. */
function labelCount(text) {
  const match = /\(([\d\s\u202f]+)\)\s*$/.exec(text.trim());
  return match ? Number(match[1].replace(/\D/g, '')) : null;
}

async function apiJson(page, pathAndQuery) {
  const response = await page.request.get(BASE_URL + pathAndQuery);
  return { status: response.status(), body: response.ok() ? await response.json() : null };
}

describe('Recherche à facettes', () => {
  test('cocher « Environnement » filtre par thème, garde les autres thèmes et se retire par l’étiquette', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await waitForResults(page);
      const unfiltered = await resultTotal(page);

      const facets = page.locator('#facets');
      await facets.waitFor();
      const themeFacet = facets.locator('fieldset[data-facet="theme"]');
      assert.equal((await themeFacet.locator('legend').innerText()).trim(), 'Thème');
      // Real checkboxes named by their labels: "Environnement (N)".
      const environment = themeFacet.getByRole('checkbox', { name: /^Environnement \(/ });
      const label = await themeFacet.locator('label', { has: page.locator('.facet__name', { hasText: /^Environnement$/ }) }).innerText();
      const expected = labelCount(label);
      assert.ok(expected !== null && expected > 0, `a count in « ${label} »`);
      assert.ok((await themeFacet.locator('.facet__value:not([hidden])').count()) <= 8, 'at most 8 values before « Voir plus »');

      await environment.focus();
      await page.keyboard.press('Space');
      await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('theme') === 'ENV');
      await waitForTotalOtherThan(page, unfiltered);
      const filtered = await resultTotal(page);
      assert.ok(filtered < unfiltered, `${filtered} < ${unfiltered} once filtered`);
      assert.equal(filtered, expected, 'the facet count announced the number of results');
      assert.ok(await environment.isChecked());
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-code')), 'ENV', 'focus stays on the checkbox');

      // Every result is about the environment.
      const cards = page.locator('#results .result-card');
      assert.ok((await cards.count()) >= 1);
      const withTag = await cards.evaluateAll((els) => els.map((el) => el.querySelector('.tag--theme[data-code="ENV"]')?.textContent ?? ''));
      for (const tag of withTag) assert.equal(tag, 'Environnement');

      // Disjunctive: the other themes are still offered, with counts.
      const others = themeFacet.locator('.facet__value:not([hidden])', { has: page.locator('input:not(:checked)') });
      assert.ok((await others.count()) >= 2, 'other themes still listed');
      for (const text of await others.locator('label').allInnerTexts()) {
        assert.ok(labelCount(text) > 0, `« ${text} » has a count`);
      }

      // The active filter as a removable tag.
      const tag = page.getByRole('button', { name: 'Retirer le filtre Thème : Environnement' });
      assert.ok(await tag.isVisible());
      assert.match(await tag.innerText(), /Thème : Environnement/);
      assert.ok(await page.getByRole('button', { name: 'Tout effacer' }).isVisible());

      // Back and forward restore the filter.
      await page.goBack();
      await page.waitForURL((url) => url.pathname === '/' && !url.searchParams.has('theme'));
      await waitForTotalOtherThan(page, filtered);
      assert.equal(await resultTotal(page), unfiltered);
      assert.equal(await environment.isChecked(), false);
      await page.goForward();
      await page.waitForURL((url) => url.searchParams.get('theme') === 'ENV');
      await waitForTotalOtherThan(page, unfiltered);
      assert.ok(await environment.isChecked());

      await tag.click();
      await page.waitForURL((url) => url.pathname === '/' && !url.searchParams.has('theme'));
      await waitForTotalOtherThan(page, filtered);
      assert.equal(await resultTotal(page), unfiltered, 'removing the tag restores the count');
      assert.equal(await environment.isChecked(), false);
      assert.equal(await page.getByRole('button', { name: /^Retirer le filtre Thème/ }).count(), 0);
    });
  });

  test('« Voir plus », un second thème (OU) et le tri par nom vont dans l’URL', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/?theme=ENV');
      await waitForResults(page);
      const envOnly = await resultTotal(page);
      const themeFacet = page.locator('#facets fieldset[data-facet="theme"]');
      await themeFacet.waitFor();
      const more = themeFacet.locator('.facet__more');
      if ((await themeFacet.locator('.facet__value').count()) > 8) {
        assert.match(await more.innerText(), /^Voir plus \(\d+\)$/);
        assert.equal(await more.getAttribute('aria-expanded'), 'false');
        await more.click();
        assert.equal(await more.getAttribute('aria-expanded'), 'true');
        assert.equal(await more.innerText(), 'Voir moins');
        assert.equal(await themeFacet.locator('.facet__value[hidden]').count(), 0, 'every value shown');
      }
      // A second theme widens the search (values of one facet are OR'ed).
      await themeFacet.getByRole('checkbox', { name: /^Santé \(/ }).check();
      await page.waitForURL((url) => url.searchParams.get('theme') === 'ENV,SAN');
      await waitForTotalOtherThan(page, envOnly);
      assert.ok((await resultTotal(page)) > envOnly, 'ENV or SAN gives more results than ENV');
      assert.ok(await page.getByRole('button', { name: 'Retirer le filtre Thème : Santé' }).isVisible());

      // Sub-themes of the chosen themes.
      const sub = page.locator('#facets fieldset[data-facet="subtheme"]');
      await sub.waitFor();
      assert.equal((await sub.locator('legend').innerText()).trim(), 'Sous-thème');

      // Sort: no "Distance" without a point.
      const sort = page.getByLabel('Trier par');
      const options = await sort.locator('option').allInnerTexts();
      assert.deepEqual(options, ['Plus récentes', 'Nom']);
      await sort.selectOption({ label: 'Nom' });
      await page.waitForURL((url) => url.searchParams.get('sort') === 'name' && url.searchParams.get('theme') === 'ENV,SAN');
      await page.locator('#results .result-card').first().waitFor();
      const titles = await page.locator('#results .card__title').allInnerTexts();
      const collator = new Intl.Collator('fr', { sensitivity: 'base', ignorePunctuation: true });
      assert.ok(collator.compare(titles[0], titles[titles.length - 1]) <= 0, `${titles[0]} before ${titles[titles.length - 1]}`);

      // "Tout effacer" keeps the sort and drops every filter.
      await page.getByRole('button', { name: 'Tout effacer' }).click();
      await page.waitForURL((url) => !url.searchParams.has('theme') && url.searchParams.get('sort') === 'name');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-q', 'focus back in the search field');
    });
  });

  test('une seule place pour le territoire : pas de facette région, le champ Territoire du bandeau', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/?theme=ENV');
      await waitForResults(page);
      await page.locator('#facets fieldset[data-facet="theme"]').waitFor();
      assert.equal(await page.locator('#facets fieldset[data-facet="region"]').count(), 0);
      const combo = page.getByRole('combobox', { name: /^Territoire/ });
      assert.equal(await combo.count(), 1, 'one territory field on the page');
    });
  });

  test('sur un téléphone (375 px) les filtres se replient sous le bouton « Filtres » du bandeau', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/?theme=ENV');
        await waitForResults(page);
        // The « Filtres » button of the search bar unfolds the facets.
        const toggle = page.getByRole('button', { name: 'Filtres (1)' });
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.ok(await page.locator('#facets fieldset[data-facet="theme"]').isHidden());
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        assert.ok(await page.locator('#facets fieldset[data-facet="theme"]').isVisible());
        // The tag is named from the vocabularies, which may arrive after the results.
        await page.getByRole('button', { name: 'Retirer le filtre Thème : Environnement' }).waitFor();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `page width ${width}px fits the screen`);
      },
      { width: 375, height: 740 },
    );
  });
});

describe('Parcours guidé', () => {
  test('« Quoi ? Où ? Pour qui ? » mène aux résultats avec les trois filtres dans l’URL', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await waitForResults(page);
      await page.getByRole('button', { name: 'Être guidé pas à pas' }).click();
      const guide = page.locator('#guide');
      await guide.waitFor();
      const progress = guide.locator('.guide__progress');
      assert.match(await progress.innerText(), /^Étape 1 sur 3/);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'guide-step-title', 'focus on the step');

      // Step 1: a theme, with the keyboard.
      await guide.getByRole('radio', { name: 'Environnement' }).check();
      await guide.getByRole('button', { name: 'Suivant' }).click();
      assert.match(await progress.innerText(), /^Étape 2 sur 3/);

      // Previous keeps the choice.
      await guide.getByRole('button', { name: 'Précédent' }).click();
      assert.match(await progress.innerText(), /^Étape 1 sur 3/);
      assert.ok(await guide.getByRole('radio', { name: 'Environnement' }).isChecked());
      await guide.getByRole('button', { name: 'Suivant' }).click();

      // Step 2: a territory through the picker, with the keyboard.
      const combo = guide.getByRole('combobox', { name: TERRITORY_LABEL });
      await combo.focus();
      await combo.pressSequentially('lyon', { delay: 30 });
      await guide.getByRole('option').first().waitFor();
      await combo.press('ArrowDown');
      await combo.press('Enter');
      await guide.locator('.territory-chip__name', { hasText: 'Lyon' }).waitFor();
      assert.equal(new URL(page.url()).searchParams.has('territory'), false, 'nothing searched before the end');
      // Enter in the empty field goes to the next step.
      await combo.press('Enter');
      assert.match(await progress.innerText(), /^Étape 3 sur 3/);

      // Step 3: a public.
      await guide.getByRole('radio', { name: 'Jeunes', exact: true }).check();
      await guide.getByRole('button', { name: 'Voir les initiatives' }).click();

      await page.waitForURL(
        (url) =>
          url.pathname === '/' &&
          url.searchParams.get('theme') === 'ENV' &&
          url.searchParams.get('public') === 'jeunes' &&
          url.searchParams.get('territory') === 'commune:69123',
      );
      assert.match(page.url(), /\/\?theme=ENV&public=jeunes&territory=commune:69123$/);
      await page.locator('#result-count', { hasText: /territoire choisi/ }).waitFor();
      assert.ok(await guide.isHidden(), 'the path closes');
      assert.ok(await page.getByRole('button', { name: 'Retirer le filtre Thème : Environnement' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Retirer le filtre Public : Jeunes' }).isVisible());
      await page.locator('.territory-chip__name', { hasText: 'Lyon' }).waitFor();
    });
  });

  test('chaque étape peut être passée', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/');
        await waitForResults(page);
        await page.getByRole('button', { name: 'Être guidé pas à pas' }).click();
        const guide = page.locator('#guide');
        await guide.getByRole('button', { name: 'Passer cette étape' }).click();
        await guide.getByRole('button', { name: 'Passer cette étape' }).click();
        await guide.getByRole('radio', { name: 'Seniors' }).check();
        await guide.getByRole('button', { name: 'Voir les initiatives' }).click();
        await page.waitForURL((url) => url.search === '?public=seniors');
        await waitForResults(page);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 375, `page width ${width}px fits the screen`);
      },
      { width: 375, height: 740 },
    );
  });
});

describe('Recherche avancée', () => {
  test('les champs construisent la requête affichée, envoyée comme q avec le territoire et les années de la page', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/?territory=departement:69&year_min=2010');
      await waitForResults(page);
      await page.getByRole('button', { name: /^Filtres/ }).click();
      await page.locator('#advanced-search summary').click();
      await page.getByLabel('Tous ces mots').fill('jardin');
      await page.getByLabel('Cette expression exacte').fill('aide alimentaire');
      await page.getByLabel('Aucun de ces mots').fill('vente');
      const theme = page.locator('#advanced-theme');
      await theme.locator('option[value="ENV"]').waitFor({ state: 'attached' });
      await theme.selectOption({ label: 'Environnement' });
      const expected = 'jardin "aide alimentaire" -vente theme:ENV';
      assert.equal(await page.locator('#advanced-query').innerText(), `Requête : ${expected}`);
      // One territory field and one year filter on the page: none in the advanced form.
      assert.equal(await page.locator('#advanced-search input[role="combobox"]').count(), 0);
      assert.equal(await page.locator('#advanced-search input[inputmode="numeric"]').count(), 0);

      await page.getByRole('button', { name: 'Lancer la recherche avancée' }).click();
      await page.waitForURL((url) => url.searchParams.get('q') === expected);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('territory'), 'departement:69', 'the territory of the page stays');
      assert.equal(url.searchParams.get('year_min'), '2010', 'the years of the page stay');
      await waitForResults(page);
      assert.equal(await page.getByLabel('Rechercher une initiative').inputValue(), expected);
      assert.equal(await page.locator('#advanced-search').getAttribute('open'), null, 'the form folds');
    });
  });
});

describe('Extraits, correction et suggestions', () => {
  test('les mots trouvés sont surlignés dans l’extrait, sans autre balise', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/?q=jardin');
      await page.locator('#result-count', { hasText: 'jardin' }).waitFor();
      const excerpt = page.locator('#results .card__excerpt').first();
      await excerpt.waitFor();
      assert.ok((await excerpt.locator('mark').count()) >= 1, 'a <mark> in the excerpt');
      const marks = await page.locator('#results .card__excerpt mark').allInnerTexts();
      for (const mark of marks) assert.match(mark.normalize('NFD').toLowerCase(), /jardin/);
      const tags = await page.locator('#results .card__excerpt *').evaluateAll((els) => [...new Set(els.map((el) => el.tagName))]);
      assert.deepEqual(tags, ['MARK']);
      // Entities are decoded: no "&#39;" shown.
      for (const text of await page.locator('#results .card__excerpt').allInnerTexts()) assert.doesNotMatch(text, /&#?\w+;/);
    });
  });

  test('un extrait piégé reste du texte ; total estimé et correction sont annoncés', async (t) => {
    await withPage(t, async (page) => {
      // The answer of a corrected search over a large corpus, with markup that must not be interpreted.
      await page.route('**/api/v1/search?*', (route) =>
        route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({
            total: 120000,
            total_exact: false,
            total_is_estimate: true,
            next_cursor: null,
            corrected: true,
            did_you_mean: 'emploi',
            items: [
              {
                id: 1,
                slug: 'x',
                title: 'Une initiative',
                summary: 'Résumé',
                excerpt: 'retour à l&#39;<mark>emploi</mark> &lt;b&gt;gras&lt;/b&gt; <img src=x onerror="window.__pwned=1"> fin',
                themes: [{ code: 'EMP', label: 'Emploi' }],
                actor: null,
                territory: null,
                location: null,
                demo: false,
                updated_at: '2024-01-01T00:00:00Z',
              },
            ],
          }),
        }),
      );
      await page.goto(BASE_URL + '/?q=emplio');
      await waitForResults(page);
      const spaces = (text) => text.replace(/[\u00a0\u202f]/g, ' ');
      assert.equal(spaces(await page.locator('#result-count').innerText()), 'environ 120 000 initiatives pour « emploi »');
      assert.equal(await page.locator('#search-notice').innerText(), 'Résultats pour « emploi » (aucun résultat pour « emplio »)');
      const excerpt = page.locator('#results .card__excerpt');
      assert.equal(await excerpt.locator('img, b').count(), 0, 'no element but <mark>');
      assert.equal(await excerpt.locator('mark').innerText(), 'emploi');
      assert.match(await excerpt.innerText(), /retour à l'emploi <b>gras<\/b> <img src=x/);
      assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
    });
  });

  test('une faute de frappe réelle est corrigée par l’API', async (t) => {
    await withPage(t, async (page) => {
      const { body } = await apiJson(page, '/api/v1/search?q=emplio&limit=1');
      if (!body?.corrected) {
        t.skip('the API does not correct « emplio »');
        return;
      }
      await page.goto(BASE_URL + '/?q=emplio');
      await waitForResults(page);
      await page.locator('#search-notice', { hasText: `Résultats pour « ${body.did_you_mean} »` }).waitFor();
      assert.match(await page.locator('#search-notice').innerText(), /\(aucun résultat pour « emplio »\)$/);
      assert.match(await page.locator('#result-count').innerText(), new RegExp(`pour « ${body.did_you_mean} »$`));
    });
  });

  test('les suggestions du champ de recherche proposent territoires et thèmes', async (t) => {
    await withPage(t, async (page) => {
      const { status } = await apiJson(page, '/api/v1/suggest?q=lyon');
      if (status !== 200) {
        t.skip(`/api/v1/suggest answers ${status}`);
        return;
      }
      await page.goto(BASE_URL + '/');
      await waitForResults(page);
      const box = page.getByRole('combobox', { name: 'Rechercher une initiative' });
      assert.equal(await box.getAttribute('aria-autocomplete'), 'list');
      const listbox = page.locator(`#${await box.getAttribute('aria-controls')}`);

      await box.focus();
      await box.pressSequentially('lyon', { delay: 30 });
      const territories = listbox.getByRole('group', { name: 'Territoires' });
      await territories.getByRole('option').first().waitFor();
      assert.equal(await box.getAttribute('aria-expanded'), 'true');
      // Down to the first territory, then Enter.
      const ids = await listbox.getByRole('option').evaluateAll((els) => els.map((el) => el.id));
      const target = await territories.getByRole('option').first().getAttribute('id');
      for (let i = 0; i <= ids.indexOf(target); i++) await box.press('ArrowDown');
      assert.equal(await box.getAttribute('aria-activedescendant'), target);
      await box.press('Enter');
      await page.waitForURL((url) => url.searchParams.has('territory'));
      await page.locator('.territory-chip').first().waitFor();
      assert.equal(await box.inputValue(), '');

      // A theme.
      await box.pressSequentially('environ', { delay: 30 });
      const themes = listbox.getByRole('group', { name: 'Thèmes' });
      await themes.getByRole('option', { name: /Environnement/ }).first().click();
      await page.waitForURL((url) => url.searchParams.get('theme') === 'ENV');

      // Enter without a chosen option searches the text.
      await box.fill('');
      await box.pressSequentially('jardin', { delay: 30 });
      await box.press('Enter');
      await page.waitForURL((url) => url.searchParams.get('q') === 'jardin' && url.searchParams.get('theme') === 'ENV');
    });
  });

  test('sans service de suggestions (404), le champ reste un champ de recherche', async (t) => {
    await withPage(t, async (page) => {
      let asked = 0;
      await page.route('**/api/v1/suggest?*', (route) => {
        asked++;
        return route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"not_found","message":"Ressource introuvable"}}' });
      });
      await page.goto(BASE_URL + '/');
      await waitForResults(page);
      const box = page.getByLabel('Rechercher une initiative');
      await box.pressSequentially('jardin', { delay: 30 });
      await page.waitForTimeout(500);
      assert.equal(await box.getAttribute('aria-expanded'), 'false');
      assert.ok(await page.locator('#search-q-listbox').isHidden());
      await box.press('Enter');
      await page.waitForURL((url) => url.searchParams.get('q') === 'jardin');
      await box.pressSequentially(' partagé', { delay: 30 });
      await page.waitForTimeout(400);
      assert.equal(asked, 1, 'asked once, then no more');
    });
  });
});
