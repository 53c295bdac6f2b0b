// The « Tableau de bord » of a search and « L'innovation sociale en chiffres » in Chromium, against the
// real stack: the totals are those of the database, a click on a bar narrows the search and the list
// agrees, the data table and the CSV download hold the same figures, and axe-core finds no serious
// or critical violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { assertAccessible, BASE_URL, sql, useBrowser, withPage } from './browser.mjs';

useBrowser();

// axe is injected as a script, which the site's Content-Security-Policy refuses otherwise.
const AXE_CONTEXT = { bypassCSP: true };



/** « 1 234 » (with French separators) as a number. */
const figure = (text) => Number(String(text).replace(/[\s\u00a0\u202f]/g, '').replace(',', '.'));

/** The rows of a chart's data table: [label, ...numbers]. */
async function tableRows(page, chart) {
  const toggle = page.locator(`#${chart} .chart__tools button[aria-controls]`);
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await page.locator(`#${chart}-table`).waitFor({ state: 'visible' });
  return page.locator(`#${chart}-table tbody tr`).evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent.trim())));
}

const WHERE = "i.status = 'published' AND i.themes && '{ENV}' AND i.region_code = '84'";

test('the dashboard of a filtered search shows the totals of the database', async (t) => {
  await withPage(t, async (page) => {
    await page.goto(`${BASE_URL}/tableau-de-bord?theme=ENV&territory=region:84`);
    const expected = Number(await sql(`SELECT count(*) FROM initiative i WHERE ${WHERE}`));
    assert.ok(expected > 1, 'the demo data has several initiatives on the environment in Auvergne-Rhône-Alpes');
    await assert.doesNotReject(page.locator('#dashboard-total').filter({ hasText: /initiative/ }).waitFor());
    assert.equal(figure((await page.locator('#dashboard-total').textContent()).split(' initiative')[0]), expected);
    await assert.doesNotReject(page.locator('.dashboard__filters').filter({ hasText: 'Environnement' }).waitFor());
    await assert.doesNotReject(page.locator('.dashboard__filters').filter({ hasText: 'Auvergne-Rhône-Alpes' }).waitFor());
    // The actor types of the table are those of the database.
    await page.locator('#chart-actor_type svg').waitFor();
    const rows = await tableRows(page, 'chart-actor_type');
    const counts = await sql(
      `SELECT vocab_label('actor_type', i.actor_type, 'fr'), count(*) FROM initiative i WHERE ${WHERE} AND i.actor_type IS NOT NULL GROUP BY 1`,
    );
    const want = Object.fromEntries(counts.split('\n').map((line) => line.split('|')).map(([label, n]) => [label, Number(n)]));
    assert.deepEqual(Object.fromEntries(rows.map(([label, n]) => [label, figure(n)])), want);
    // Every chart of the page has a title, its filters and its drawing.
    await page.locator('#chart-theme-region svg').waitFor();
    for (const chart of await page.locator('section.chart').all()) {
      assert.ok((await chart.locator('.chart__title').textContent()).startsWith('Initiatives') || (await chart.locator('.chart__title').textContent()).length > 5);
      assert.ok((await chart.locator('.chart__filters').textContent()).length > 0);
    }
  });
});

test('a click on a bar narrows the search, and the list agrees', async (t) => {
  await withPage(t, async (page) => {
    await page.goto(`${BASE_URL}/tableau-de-bord?theme=ENV`);
    const chart = page.locator('#chart-actor_type');
    await chart.locator('svg rect[data-i="0"]').waitFor();
    const [label, count] = (await tableRows(page, 'chart-actor_type'))[0];
    await chart.locator('svg rect[data-i="0"]').click();
    await page.waitForURL(/actor_type=/);
    const code = new URL(page.url()).searchParams.get('actor_type');
    assert.equal(await sql(`SELECT label_fr FROM vocabulary WHERE kind = 'actor_type' AND code = '${code.replace(/'/g, '')}'`), label);
    await assert.doesNotReject(page.locator('#dashboard-total').filter({ hasText: /initiative/ }).waitFor());
    assert.equal(figure((await page.locator('#dashboard-total').textContent()).split(' initiative')[0]), figure(count));
    // The list of the same search.
    await page.locator('a.dashboard__back').click();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('actor_type') === code && url.searchParams.get('theme') === 'ENV');
    await assert.doesNotReject(page.locator('#result-count').filter({ hasText: /initiative/ }).waitFor());
    assert.equal(figure((await page.locator('#result-count').textContent()).split(' initiative')[0]), figure(count));
    // And back from the list to the dashboard by its link.
    await page.locator('a.dashboard-link').click();
    await page.waitForURL((url) => url.pathname === '/tableau-de-bord' && url.searchParams.get('actor_type') === code);
  });
});

test('the data table and the CSV download hold the same figures; SVG and PNG downloads', async (t) => {
  await withPage(t, async (page) => {
    await page.goto(`${BASE_URL}/tableau-de-bord?q=jardin`);
    await page.locator('#chart-region svg').waitFor();
    const rows = await tableRows(page, 'chart-region');
    assert.ok(rows.length > 1);
    const download = page.waitForEvent('download');
    await page.locator('#chart-region').getByRole('button', { name: 'Données CSV' }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /\.csv$/);
    const text = (await readFile(await file.path(), 'utf8')).replace(/^\ufeff/, '');
    const lines = text.trim().split(/\r?\n/).map((line) => line.split(';'));
    assert.deepEqual(lines[0], ['Région', "Nombre d'initiatives", 'Population', 'Pour 100 000 habitants']);
    assert.deepEqual(
      lines.slice(1).map(([name, n, pop, rate]) => [name, Number(n), pop ? Number(pop) : null, rate ? figure(rate) : null]),
      rows.map(([name, n, pop, rate]) => [name, figure(n), pop === '–' ? null : figure(pop), rate === '–' ? null : figure(rate)]),
    );
    for (const [label, type] of [
      ['Image SVG', /\.svg$/],
      ['Image PNG', /\.png$/],
    ]) {
      const pending = page.waitForEvent('download');
      await page.locator('#chart-region').getByRole('button', { name: label }).click();
      const got = await pending;
      assert.match(got.suggestedFilename(), type);
      const bytes = await readFile(await got.path());
      if (label === 'Image SVG') assert.match(bytes.toString('utf8'), /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      else assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    }
  });
});

test('no serious or critical axe violation on the dashboard and the figures, on a phone too', async (t) => {
  await withPage(t, async (page) => {
    await page.goto(`${BASE_URL}/tableau-de-bord?theme=SOL`);
    await page.locator('#chart-theme-region svg').waitFor();
    await tableRows(page, 'chart-stage');
    await assertAccessible(page, '/tableau-de-bord?theme=SOL');
  }, undefined, AXE_CONTEXT);
  await withPage(
    t,
    async (page) => {
      await page.goto(`${BASE_URL}/en-chiffres`);
      const total = Number(await sql("SELECT count(*) FROM initiative WHERE status = 'published'"));
      await assert.doesNotReject(page.locator('#figure-total').filter({ hasText: /\d/ }).waitFor());
      assert.equal(figure(await page.locator('#figure-total').textContent()), total);
      const located = Number(await sql("SELECT count(*) FROM initiative WHERE status = 'published' AND geom IS NOT NULL"));
      assert.match(await page.locator('#figure-located').textContent(), new RegExp(`\\(${new Intl.NumberFormat('fr-FR').format(located).replace(/\s/g, '\\s')} sur`));
      await page.locator('#chart-theme-region svg').waitFor();
      await page.locator('#chart-region-per-100k svg').waitFor();
      // On a phone the page does not scroll sideways: wide charts scroll in their own box.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scroll at 390 px');
      await assertAccessible(page, '/en-chiffres at 390 px');
    },
    { width: 390, height: 844 },
    AXE_CONTEXT,
  );
});

test('the home page links to the figures', async (t) => {
  await withPage(t, async (page) => {
    await page.goto(`${BASE_URL}/`);
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'En chiffres' }).click();
    await page.waitForURL(/\/en-chiffres$/);
    await page.getByRole('heading', { level: 1, name: 'L’innovation sociale en chiffres' }).waitFor();
  });
});
