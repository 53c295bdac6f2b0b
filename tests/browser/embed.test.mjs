// The embeddable widget, as a partner site uses it: a page of another origin (a small HTTP server on
// loopback, SC_PARTNER_PORT or a free port) pastes the script snippet; the script frames /embed, which
// shows the same initiatives as the API's search and the map, and the frame takes the height of its
// content. The same origin cannot frame the application itself (CSP frame-ancestors and
// X-Frame-Options). The configurator (/developpeurs/widget) builds the snippets of its choices and its
// preview follows them. axe-core checks the widget and the configurator.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { assertAccessible, BASE_URL, useBrowser, withPage } from './browser.mjs';

useBrowser();

const WIDGET_SEARCH = 'theme=ENV&layout=carte-liste&height=300&color=violet&limit=5&title=Nos%20voisins';

/** The partner's pages, by path: the widget by its script, the application framed, a narrow column. */
function partnerPages() {
  const page = (title, body) =>
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${title}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>${body}</body></html>`;
  return {
    '/widget.html': page(
      'Partenaire',
      `<h1>Site partenaire</h1><div id="slot" data-socialconnect-embed="/embed?${WIDGET_SEARCH}"></div>` +
        `<p id="after">Après le widget</p><script src="${BASE_URL}/embed.js" async></script>`,
    ),
    '/narrow.html': page(
      'Partenaire étroit',
      `<div style="width:300px" data-socialconnect-embed="/embed?theme=ENV&layout=carte-liste&limit=3"></div>` +
        `<script src="${BASE_URL}/embed.js" async></script>`,
    ),
    '/app.html': page('Application encadrée', `<iframe id="app" title="SocialConnect" src="${BASE_URL}/" width="800" height="600"></iframe>`),
  };
}

let server;
let PARTNER = '';

before(async () => {
  const pages = partnerPages();
  server = http.createServer((req, res) => {
    const body = pages[new URL(req.url, 'http://x').pathname];
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(body ?? 'not found');
  });
  const port = Number(process.env.SC_PARTNER_PORT ?? 0);
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  PARTNER = `http://127.0.0.1:${server.address().port}`;
  assert.notEqual(new URL(PARTNER).origin, new URL(BASE_URL).origin, 'the partner is another origin');
});

after(() => new Promise((resolve) => server?.close(resolve)));

/** The API's answer for the widget's search. */
async function apiSearch(query) {
  const res = await fetch(`${BASE_URL}/api/v1/search?${query}`);
  assert.equal(res.status, 200);
  return res.json();
}

/** The frame of /embed in the page, once its list is drawn (or its empty state). */
async function embedFrame(page) {
  const handle = await page.waitForSelector('iframe[src*="/embed?"]');
  const frame = await handle.contentFrame();
  await frame.waitForSelector('#embed:not([aria-busy]) .embed__body');
  return { handle, frame };
}


describe('widget à intégrer', () => {
  test('un site partenaire intègre le widget par le script : les initiatives de la recherche, la carte, la hauteur du contenu', async (t) => {
    const expected = await apiSearch('theme=ENV&limit=5');
    assert.ok(expected.items.length > 0, 'the demonstration data has initiatives about the environment');
    await withPage(t, async (page) => {
      // The widget runs under its real policy (no bypass here): nothing of it may be refused.
      const refused = [];
      page.on('console', (msg) => {
        if (/Content Security Policy/i.test(msg.text())) refused.push(msg.text());
      });
      await page.goto(`${PARTNER}/widget.html`);
      const { handle, frame } = await embedFrame(page);

      // The frame made by the script.
      assert.equal(await handle.getAttribute('title'), 'Nos voisins — SocialConnect');
      assert.equal(await handle.getAttribute('loading'), 'lazy');
      assert.equal(new URL(await handle.getAttribute('src')).origin, new URL(BASE_URL).origin);

      // The list: the API's first five results, in its order, each opening SocialConnect in a new tab.
      assert.equal(await frame.locator('#embed-title').innerText(), 'Nos voisins');
      const links = frame.locator('#embed-list .embed-item__link');
      await links.first().waitFor();
      assert.equal(await links.count(), expected.items.length);
      for (let i = 0; i < expected.items.length; i++) {
        const link = links.nth(i);
        assert.equal((await link.innerText()).replace(/\s*\(nouvel onglet\)$/, ''), expected.items[i].title);
        assert.equal(await link.getAttribute('href'), `${BASE_URL}/initiatives/${expected.items[i].id}`);
        assert.equal(await link.getAttribute('target'), '_blank');
        assert.match(await link.getAttribute('rel'), /noopener/);
      }
      const all = frame.locator('#embed-all');
      assert.equal(await all.getAttribute('href'), `${BASE_URL}/?theme=ENV`);
      assert.equal(await all.getAttribute('target'), '_blank');
      assert.match(await frame.locator('#embed-credits').innerText(), /Données : SocialConnect/);

      // The map, with the search's points or clusters on it.
      await frame.locator('#results-map.leaflet-container').waitFor();
      await frame.locator('#results-map .sc-cluster, #results-map path.sc-marker').first().waitFor();
      const mapHeight = await frame.locator('#results-map').evaluate((el) => el.getBoundingClientRect().height);
      assert.ok(Math.abs(mapHeight - 300) <= 2, `the map is as tall as asked (${mapHeight})`);

      // The script gave the frame the height of the widget's content (not its starting 600 px).
      await page.waitForFunction(() => {
        const el = document.querySelector('iframe[src*="/embed?"]');
        return el && el.getBoundingClientRect().height !== 600;
      });
      const sizes = async () => ({
        frame: await handle.evaluate((el) => el.getBoundingClientRect().height),
        content: await frame.locator('#embed').evaluate((el) => Math.ceil(el.getBoundingClientRect().height)),
      });
      let size = await sizes();
      for (let i = 0; i < 20 && Math.abs(size.frame - size.content) > 1; i++) {
        await page.waitForTimeout(100);
        size = await sizes();
      }
      assert.ok(Math.abs(size.frame - size.content) <= 1, `frame ${size.frame} px for content ${size.content} px`);

      // A height message from anyone else than the frame's own page is ignored.
      await page.evaluate(() => window.postMessage({ type: 'socialconnect:embed-height', height: 150 }, '*'));
      await page.waitForTimeout(200);
      assert.equal(await handle.evaluate((el) => el.getBoundingClientRect().height), size.frame, 'a message of the partner page changes nothing');

      assert.deepEqual(refused, [], 'no Content-Security-Policy violation in the widget');

      // A result opens its page on SocialConnect, in a new tab.
      const [opened] = await Promise.all([page.context().waitForEvent('page'), links.first().click()]);
      await opened.waitForLoadState();
      assert.equal(opened.url(), `${BASE_URL}/initiatives/${expected.items[0].id}`);
      await opened.locator('h1', { hasText: expected.items[0].title }).waitFor();
    });
  });

  test('le widget reste lisible sur 300 px de large', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(`${PARTNER}/narrow.html`);
        const { handle, frame } = await embedFrame(page);
        assert.ok((await handle.evaluate((el) => el.getBoundingClientRect().width)) <= 300);
        await frame.locator('#embed-list .embed-item__link').first().waitFor();
        const overflow = await frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `no horizontal scrolling in the frame (${overflow} px too wide)`);
        // Stacked: the list under the map.
        const mapBox = await frame.locator('#results-map').boundingBox();
        const listBox = await frame.locator('#embed-list').boundingBox();
        assert.ok(listBox.y >= mapBox.y + mapBox.height, 'the list comes under the map');
      },
      { width: 360, height: 800 },
    );
  });

  test('le widget dit quand le service ne répond pas, et « Réessayer » recharge la liste', async (t) => {
    await withPage(t, async (page) => {
      let refuse = true;
      await page.route('**/api/v1/search?*', (route) =>
        refuse
          ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"indisponible"}}' })
          : route.continue(),
      );
      await page.goto(`${BASE_URL}/embed?theme=ENV&layout=liste&limit=2`);
      const alert = page.locator('.embed__status [role="alert"]');
      await alert.waitFor();
      assert.match(await alert.innerText(), /momentanément indisponible/);
      assert.equal(await page.locator('#embed-list .embed-item').count(), 0);
      refuse = false;
      await alert.getByRole('button', { name: 'Réessayer' }).click();
      await page.locator('#embed-list .embed-item').nth(1).waitFor();
      assert.equal(await page.locator('.embed__status [role="alert"]').count(), 0);
    });
  });

  test('seul /embed peut être encadré par un autre site : l’application refuse', async (t) => {
    const embed = await fetch(`${BASE_URL}/embed?theme=ENV`);
    assert.equal(embed.status, 200);
    assert.match(embed.headers.get('content-security-policy') ?? '', /frame-ancestors \*(;|$)/);
    assert.equal(embed.headers.get('x-frame-options'), null);
    assert.match(embed.headers.get('content-security-policy') ?? '', /script-src 'self'/, 'the rest of the policy holds');
    for (const path of ['/', '/developpeurs/widget', '/embed.html', '/initiatives/1']) {
      const res = await fetch(`${BASE_URL}${path}`);
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN', path);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/, path);
    }
    await withPage(t, async (page) => {
      const blocked = [];
      page.on('console', (msg) => {
        if (/frame-ancestors|X-Frame-Options/i.test(msg.text())) blocked.push(msg.text());
      });
      await page.goto(`${PARTNER}/app.html`);
      const frame = await (await page.waitForSelector('#app')).contentFrame();
      await page.waitForTimeout(1500);
      assert.equal(await frame.locator('.site-header, #main').count(), 0, 'the application is not drawn in the frame');
      // Chromium puts its error page in a refused frame, and says why in the console.
      assert.ok(!frame.url().startsWith(BASE_URL), `the frame was refused (${frame.url()})`);
      assert.ok(blocked.some((text) => text.includes("frame-ancestors 'self'")), `the console names the rule: ${blocked.join(' | ')}`);
    });
  });

  test('le configurateur part de la recherche, construit les codes de ses choix et met l’aperçu à jour', async (t) => {
    const expected = await apiSearch('q=jardin&theme=ENV&limit=3');
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/?theme=ENV`);
        await page.locator('#embed-search-link').click();
        await page.waitForURL(`${BASE_URL}/developpeurs/widget?theme=ENV`);
        await page.locator('h1', { hasText: 'Intégrer une carte sur votre site' }).waitFor();
        await page.locator('#widget-theme-ENV:checked').waitFor();

        await page.getByLabel('Mots').fill('jardin');
        await page.getByLabel('Liste seule').check();
        await page.getByLabel('Bleu').check();
        await page.getByLabel(/Nombre d’initiatives listées/).fill('3');
        await page.getByLabel('Titre').fill('Mes jardins');

        const path = '/embed?q=jardin&theme=ENV&layout=liste&height=360&color=bleu&limit=3&title=Mes+jardins';
        const iframeCode = await page.locator('#widget-iframe-code').inputValue();
        assert.match(iframeCode, /^<iframe /);
        assert.ok(iframeCode.includes(`src="${BASE_URL}${path.replace(/&/g, '&amp;')}"`), iframeCode);
        assert.ok(iframeCode.includes('title="Mes jardins — SocialConnect"'), iframeCode);
        const scriptCode = await page.locator('#widget-script-code').inputValue();
        assert.ok(scriptCode.includes(`data-socialconnect-embed="${path.replace(/&/g, '&amp;')}"`), scriptCode);
        assert.ok(scriptCode.includes(`<script src="${BASE_URL}/embed.js" async></script>`), scriptCode);

        // The preview follows: the same address, the same initiatives as the API, no map.
        await page.waitForFunction((p) => document.querySelector('#widget-preview')?.getAttribute('src') === p, path);
        const frame = await (await page.waitForSelector('#widget-preview')).contentFrame();
        await frame.waitForURL(`${BASE_URL}${path}`);
        await frame.waitForSelector('#embed:not([aria-busy]) .embed__body');
        assert.equal(await frame.locator('#embed-title').innerText(), 'Mes jardins');
        const titles = (await frame.locator('.embed-item__link').allInnerTexts()).map((s) => s.replace(/\s*\(nouvel onglet\)$/, ''));
        assert.deepEqual(titles, expected.items.map((item) => item.title));
        assert.equal(await frame.locator('#results-map').count(), 0, 'no map in « Liste seule »');

        // « Copier » copies and says so.
        await page.locator('.widget-snippet__copy').first().click();
        await page.locator('#widget-copy-status', { hasText: 'code copié' }).waitFor();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), scriptCode);
      },
      { width: 1280, height: 900 },
      { permissions: ['clipboard-read', 'clipboard-write'] },
    );
  });

  test('axe : le widget et le configurateur sans violation grave', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/embed?${WIDGET_SEARCH}`);
        await page.waitForSelector('#embed:not([aria-busy]) #embed-list .embed-item');
        await page.locator('#results-map .sc-cluster, #results-map path.sc-marker').first().waitFor();
        await assertAccessible(page, 'the widget');
        // The keyboard reaches the first result, past the map's controls, with a visible focus.
        let reached = false;
        for (let i = 0; i < 40 && !reached; i++) {
          await page.keyboard.press('Tab');
          reached = await page.evaluate(() => document.activeElement?.matches('#embed-list .embed-item__link') ?? false);
        }
        assert.ok(reached, 'Tab reaches the first result of the list');
        assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none', 'the focus is visible');
        await page.goto(`${BASE_URL}/embed?q=zzqqxxnothing&layout=liste`);
        await page.locator('.embed__empty').waitFor();
        await assertAccessible(page, 'the empty widget');
        await page.goto(`${BASE_URL}/developpeurs/widget?theme=ENV`);
        await page.locator('#widget-theme-ENV').waitFor();
        await assertAccessible(page, 'the configurator');
      },
      { width: 1280, height: 900 },
      { bypassCSP: true },
    );
  });
});
