// The « Sources » page and the « Présent sur » line of an initiative, against sources, runs and records
// written in the test database with SQL (scripts/stack.sh psql, for this profile), removed afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BASE_URL, sql, useBrowser, withPage } from './browser.mjs';

useBrowser();

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TAG = crypto.randomBytes(3).toString('hex');
const FRESH = `t-ui-${TAG}-alpha`;
const LATE = `t-ui-${TAG}-beta`;
const NEVER = `t-ui-${TAG}-gamma`;
const NAMES = { [FRESH]: `Alpha solidaire ${TAG}`, [LATE]: `Bêta des territoires ${TAG}`, [NEVER]: `Gamma ${TAG}` };
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const inList = [FRESH, LATE, NEVER].map(lit).join(', ');


let initiativeId;

before(async () => {
  // The stack the browser sees must be the one psql writes to.
  const env = await new Promise((resolve, reject) =>
    execFile('bash', [path.join(ROOT, 'scripts', 'stack.sh'), 'env'], { cwd: ROOT, env: process.env }, (err, out) => (err ? reject(err) : resolve(out))),
  );
  const url = /^export SC_BASE_URL=(\S+)$/m.exec(env)?.[1]?.replace(/\/+$/, '');
  assert.equal(url, BASE_URL, 'export the port overrides of the stack under test (SC_HTTP_PORT, SC_PG_PORT…)');
  initiativeId = Number(await sql("SELECT id FROM initiative WHERE status = 'published' ORDER BY id DESC LIMIT 1"));
  await sql(`
    INSERT INTO source (code, name, kind, url, licence, period_hours) VALUES
      (${lit(FRESH)}, ${lit(NAMES[FRESH])}, 'html', 'https://alpha.example/', 'Licence Ouverte 2.0', 24),
      (${lit(LATE)}, ${lit(NAMES[LATE])}, 'json', 'https://beta.example/', NULL, 24),
      (${lit(NEVER)}, ${lit(NAMES[NEVER])}, 'rss', 'https://gamma.example/', NULL, 24);
    INSERT INTO harvest_run (source_id, started_at, finished_at, status, pages_fetched, records_new, records_updated, records_gone, errors)
    SELECT id, now() - interval '3 hours 5 minutes', now() - interval '3 hours', 'partial', 12, 1, 0, 0,
           '[{"url": "https://alpha.example/p/404", "reason": "HTTP 404"}, {"url": "https://alpha.example/p/lent", "reason": "délai dépassé"}]'
      FROM source WHERE code = ${lit(FRESH)};
    INSERT INTO harvest_run (source_id, started_at, finished_at, status, pages_fetched, records_new)
    SELECT id, now() - interval '3 hours 30 minutes', now() - interval '3 hours 20 minutes', 'succeeded', 9, 3
      FROM source WHERE code = ${lit(FRESH)};
    INSERT INTO harvest_run (source_id, started_at, finished_at, status, pages_fetched)
    SELECT id, now() - interval '5 days', now() - interval '5 days' + interval '1 minute', 'succeeded', 4
      FROM source WHERE code = ${lit(LATE)};
    INSERT INTO source_record (source_id, external_id, url, raw, content_hash, initiative_id)
    SELECT s.id, 'r1', v.url, v.raw::jsonb, 'h', ${initiativeId}
      FROM source s JOIN (VALUES (${lit(FRESH)}, 'https://alpha.example/p/1', '{"unmapped": {"themes": ["Monnaie locale"]}}'),
                                 (${lit(LATE)}, 'https://beta.example/fiche/1', '{}')) v(code, url, raw)
        ON s.code = v.code;`);
});

after(async () => {
  await sql(
    `DELETE FROM source_record WHERE source_id IN (SELECT id FROM source WHERE code IN (${inList}));` +
      `DELETE FROM harvest_run WHERE source_id IN (SELECT id FROM source WHERE code IN (${inList}));` +
      `DELETE FROM source WHERE code IN (${inList});`,
  );
});

const spaces = (text) => text.replace(/[\u00a0\u202f]/g, ' ').trim();

describe('Sources', () => {
  test('la page Sources montre chaque plateforme, sa fraîcheur et ses derniers moissonnages', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(BASE_URL + '/');
      await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Sources' }).click();
      await page.waitForURL(/\/sources$/);
      assert.equal(await page.locator('h1').innerText(), 'Sources des données');
      const fresh = page.locator(`li.source-card[data-slug="${FRESH}"]`);
      await fresh.waitFor();
      const names = await page.locator('li.source-card .source-card__name').allInnerTexts();
      const mine = names.map((n) => n.replace(/\s*\(nouvelle fenêtre\)/, '').trim()).filter((n) => n.includes(TAG));
      assert.deepEqual(mine, [NAMES[FRESH], NAMES[LATE], NAMES[NEVER]], 'ordered by name');

      const link = fresh.locator('.source-card__name a');
      assert.equal(await link.getAttribute('href'), 'https://alpha.example/');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.match(await link.getAttribute('rel'), /noopener/);
      assert.equal(await fresh.locator('.source-freshness').innerText(), 'À jour');
      assert.equal(await fresh.locator('.source-card__kind').innerText(), 'Pages web');
      assert.equal(await fresh.locator('.source-card__licence').innerText(), 'Licence Ouverte 2.0');
      const success = fresh.locator('time.source-card__last-success');
      assert.equal(await success.innerText(), 'il y a 3 heures');
      assert.match(await success.getAttribute('title'), /^\d{1,2} \S+ \d{4}/, 'the absolute date in the tooltip');
      const initiatives = fresh.locator('a.source-card__initiatives');
      assert.equal(spaces(await initiatives.innerText()), '1 initiative');
      assert.equal(await initiatives.getAttribute('href'), `/?source=${FRESH}`);

      const late = page.locator(`li.source-card[data-slug="${LATE}"]`);
      assert.equal(await late.locator('.source-freshness').innerText(), 'En retard');
      assert.equal(await late.locator('time.source-card__last-success').innerText(), 'il y a 5 jours');
      const never = page.locator(`li.source-card[data-slug="${NEVER}"]`);
      assert.equal(await never.locator('.source-freshness').innerText(), 'Jamais moissonnée');
      assert.equal(await never.locator('.source-card__initiatives').innerText(), 'aucune initiative');
      assert.equal(await never.locator('details').count(), 0, 'no runs to show');

      // The runs open with the keyboard, with their figures and errors.
      const summary = fresh.locator('details summary');
      await summary.focus();
      await page.keyboard.press('Enter');
      const runs = fresh.locator('li.source-run');
      await runs.first().waitFor();
      assert.equal(await runs.count(), 2);
      assert.match(spaces(await runs.first().innerText()), /Partiel/);
      assert.match(spaces(await runs.first().locator('.source-run__figures').innerText()), /12 pages lues · 1 nouvelle fiche · 0 fiche mise à jour · 0 fiche disparue · 2 erreurs/);
      const errors = runs.first().locator('li.source-run__error');
      assert.equal(await errors.count(), 2);
      assert.equal(await errors.first().locator('a').getAttribute('href'), 'https://alpha.example/p/404');
      assert.match(await errors.first().innerText(), /HTTP 404/);
      assert.match(await errors.nth(1).innerText(), /délai dépassé/);
      assert.match(spaces(await runs.nth(1).innerText()), /Réussi/);
      // What the source says that no value map turns into a code.
      const unmapped = fresh.locator('.source-card__unmapped');
      assert.equal(await unmapped.getByRole('heading').innerText(), 'Valeurs sans correspondance');
      assert.deepEqual((await unmapped.locator('li').allInnerTexts()).map(spaces), ['Thèmes : « Monnaie locale » (1 fiche)']);

      // The number of initiatives leads to the search filtered by that source.
      await initiatives.click();
      await page.waitForURL(new RegExp(`/\\?source=${FRESH}$`));
      await page.locator('#result-count').filter({ hasText: /^1 initiative/ }).waitFor();
      await page.locator('.filter-tag', { hasText: `Source : ${NAMES[FRESH]}` }).waitFor();
      assert.equal(await page.locator('#results .result-card').count(), 1);
    });
  });

  test('une initiative présente sur deux plateformes renvoie à ses pages d’origine', async (t) => {
    await withPage(t, async (page) => {
      await page.goto(`${BASE_URL}/initiatives/${initiativeId}`);
      const line = page.locator('.detail__sources');
      await line.waitFor();
      assert.match(await line.innerText(), /^Présent sur : /);
      const alpha = line.locator('a.detail__source', { hasText: NAMES[FRESH] });
      const beta = line.locator('a.detail__source', { hasText: NAMES[LATE] });
      assert.equal(await alpha.getAttribute('href'), 'https://alpha.example/p/1');
      assert.equal(await beta.getAttribute('href'), 'https://beta.example/fiche/1');
      assert.equal(await alpha.getAttribute('target'), '_blank');
      assert.match(await beta.getAttribute('rel'), /noopener/);
      assert.equal(await line.locator('a[href="/sources"]').count(), 1, 'a way to every source');
    }, { width: 375, height: 740 });
  });

  test('la page Sources sans aucune source, puis en erreur', async (t) => {
    await withPage(t, async (page) => {
      await page.route('**/api/v1/sources', (route) => route.fulfill({ contentType: 'application/json', body: '{"items":[]}' }));
      await page.goto(BASE_URL + '/sources');
      await page.locator('.empty-state', { hasText: 'Aucune source pour le moment.' }).waitFor();
      await page.unroute('**/api/v1/sources');
      await page.route('**/api/v1/sources', (route) =>
        route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"x"}}' }),
      );
      await page.reload();
      await page.locator('.alert--error').waitFor();
      assert.match(await page.locator('.alert--error').innerText(), /momentanément indisponible/);
      assert.equal(await page.locator('.alert--error button').innerText(), 'Réessayer');
    });
  });
});
