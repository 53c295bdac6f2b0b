// The code of the pages, in Chromium against the real stack: the search page fetches at most 100 KB
// of JavaScript (gzip), the other pages come on demand and work, with a loading state while their
// file arrives and a clear error, with « Réessayer », when it cannot.
// Run against a running stack: SC_BASE_URL (default http://127.0.0.1:18080).
//   node --test tests/browser/pageLoading.test.mjs

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { BASE_URL, useBrowser, withPage } from './browser.mjs';

useBrowser();

/** The requirement on the search page: JavaScript it fetches, gzipped, in bytes (kB as Vite counts). */
const JS_BUDGET = 100_000;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Records every script the page receives: its address and its body gzipped by us (whatever nginx sent). */
function recordScripts(page) {
  const scripts = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.resourceType() !== 'script' && !new URL(response.url()).pathname.endsWith('.js')) return;
    scripts.push(
      response.body().then(
        (body) => ({ path: new URL(response.url()).pathname, status: response.status(), raw: body.length, gzip: gzipSync(body).length }),
        (err) => ({ path: new URL(response.url()).pathname, status: response.status(), error: String(err) }),
      ),
    );
  });
  return async () => Promise.all(scripts);
}

async function firstResult(page) {
  await page.locator('li.result-card').first().waitFor({ state: 'visible' });
}

const kilobytes = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

describe('Chargement des pages', () => {
  for (const [url, viewport] of [
    ['/?q=jardin', { width: 1280, height: 900 }],
    ['/', { width: 1280, height: 900 }],
    ['/?q=jardin', { width: 390, height: 844 }],
  ]) {
    test(`la recherche ${url} à ${viewport.width} px charge au plus 100 Ko de JavaScript compressé`, async (t) => {
      await withPage(
        t,
        async (page) => {
          const scripts = recordScripts(page);
          await page.goto(BASE_URL + url);
          await firstResult(page);
          // The map, the labels, the territories: whatever the page asks for once it is drawn.
          await page.waitForLoadState('networkidle');
          const files = await scripts();
          assert.ok(files.length > 0, 'the page runs scripts');
          for (const file of files) assert.equal(file.error, undefined, `${file.path} read`);
          const total = files.reduce((sum, file) => sum + file.gzip, 0);
          const list = files.map((file) => `${file.path} ${kilobytes(file.gzip)}`).join(', ');
          t.diagnostic(`${url}: ${files.length} scripts, ${kilobytes(total)} gzipped: ${list}`);
          assert.ok(total <= JS_BUDGET, `${kilobytes(total)} of JavaScript (gzip) at most ${kilobytes(JS_BUDGET)}: ${list}`);
          // The other pages stay out of it.
          for (const name of ['contribute', 'moderation', 'dashboard', 'charts', 'space', 'history', 'detail']) {
            assert.ok(!files.some((file) => file.path.startsWith(`/assets/${name}-`)), `${name} is not fetched by the search page`);
          }
        },
        viewport,
      );
    });
  }

  test('« En chiffres » puis « Ajouter une initiative » arrivent à la demande et fonctionnent ; retour à la recherche', async (t) => {
    await withPage(t, async (page) => {
      const scripts = recordScripts(page);
      await page.goto(BASE_URL + '/?q=jardin');
      await firstResult(page);
      await page.waitForLoadState('networkidle');
      const before = (await scripts()).length;

      await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'En chiffres' }).click();
      await page.waitForURL(/\/en-chiffres$/);
      await page.getByRole('heading', { level: 1, name: 'L’innovation sociale en chiffres' }).waitFor();
      // The figures of the API, and a chart drawn by the charts' own file.
      await page.locator('#figure-total').filter({ hasText: /\d/ }).waitFor();
      await page.locator('.dashboard__charts svg').first().waitFor();
      assert.match(await page.title(), /en chiffres/i);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'the focus is on the new page');
      const afterFigures = await scripts();
      assert.ok(afterFigures.length > before, 'the page of figures fetched its own code');
      assert.ok(afterFigures.slice(before).some((file) => file.path.startsWith('/assets/dashboard-')), 'the figures came in their own file');

      await page.getByRole('link', { name: 'Ajouter une initiative' }).first().click();
      await page.waitForURL(/\/contribuer$/);
      await page.getByRole('heading', { level: 1, name: 'Ajouter une initiative' }).waitFor();
      assert.match(await page.title(), /^Ajouter une initiative/);
      // Signed out: an invitation to sign in, not a broken form.
      await page.locator('#main').getByRole('link', { name: 'Se connecter' }).waitFor();

      await page.goBack();
      await page.goBack();
      await page.waitForURL((u) => u.searchParams.get('q') === 'jardin');
      await firstResult(page);
      assert.equal(await page.locator('#main [role="alert"]:visible').count(), 0, 'no error on the way back');
    });
  });

  test('une page ouverte directement (/contribuer) se charge et garde son titre', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/contribuer');
        await page.getByRole('heading', { level: 1, name: 'Ajouter une initiative' }).waitFor();
        assert.match(await page.title(), /^Ajouter une initiative/);
      },
      { width: 390, height: 844 },
    );
  });

  test('pendant que la page arrive, « Chargement… » est annoncé', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await firstResult(page);
      let release;
      const held = new Promise((resolve) => (release = resolve));
      await page.route('**/assets/sources-*.js', async (route) => {
        await held;
        await route.continue();
      });
      await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Sources' }).click();
      await page.waitForURL(/\/sources$/);
      const waiting = page.locator('#main [role="status"]').filter({ hasText: 'Chargement…' });
      await waiting.waitFor();
      assert.equal(await page.locator('li.result-card').count(), 0, 'the previous page is gone');
      release();
      await page.getByRole('heading', { level: 1, name: 'Sources des données' }).waitFor();
      assert.equal(await waiting.count(), 0);
    });
  });

  test('si le code de la page ne peut être chargé : un message clair et « Réessayer » qui recharge', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(BASE_URL + '/?q=jardin');
        await firstResult(page);
        // As after an update of the site: the files of the version in memory are gone (nginx: 404).
        await page.route('**/assets/dashboard-*.js', (route) => route.fulfill({ status: 404, contentType: 'text/html', body: 'Not Found' }));
        await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'En chiffres' }).click();
        await page.waitForURL(/\/en-chiffres$/);
        const alert = page.locator('#main [role="alert"]');
        await alert.filter({ hasText: "La page n'a pas pu être chargée." }).waitFor();
        assert.equal(await page.title(), 'Page non chargée — SocialConnect');
        await page.addScriptTag({ path: AXE });
        const result = await page.evaluate(() => window.axe.run(document));
        const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
        assert.deepEqual(bad, [], 'axe on the error');

        await page.unroute('**/assets/dashboard-*.js');
        const retry = alert.getByRole('button', { name: 'Réessayer' });
        await retry.focus();
        await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
        await page.getByRole('heading', { level: 1, name: 'L’innovation sociale en chiffres' }).waitFor();
        assert.equal(await page.locator('#main [role="alert"]:visible').count(), 0);
      },
      undefined,
      // axe is injected as a script, which the site's Content-Security-Policy refuses otherwise.
      { bypassCSP: true },
    );
  });
});
