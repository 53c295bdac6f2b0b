// Exports in the interface, against the real stack: « Exporter » on the search results downloads a
// CSV whose rows are the list's, in its order (and the Excel variant: semicolons and a BOM); the
// « Télécharger tout le catalogue » block of the Sources page shows the figures of the nightly
// manifest (written here first with scripts/stack.sh export). axe-core checks both.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAccessible, BASE_URL, useBrowser, withPage } from './browser.mjs';

useBrowser();

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const AXE_CONTEXT = { bypassCSP: true, acceptDownloads: true };
const LAPTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };


/** RFC 4180 records (quoted fields, doubled quotes, CRLF) — enough to read the export back. */
function parseCsv(text, sep) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  const [header, ...records] = rows;
  return records.map((r) => Object.fromEntries(header.map((k, j) => [k, r[j]])));
}

/** The number at the start of the result count ("22 initiatives"). */
async function resultTotal(page) {
  const count = page.locator('#result-count');
  await count.filter({ hasText: /\d/ }).waitFor();
  const match = /^(?:plus de |environ )?([\d\s\u202f]+) initiatives?/.exec(await count.innerText());
  assert.ok(match, 'a result count');
  return Number(match[1].replace(/\D/g, ''));
}

/** Clicks an export choice and reads the downloaded file. */
async function downloadChoice(page, name) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), bytes: await readFile(file) };
}

describe('exports', () => {
  before(async () => {
    // The catalogue files of this stack, now (the job runner writes them each night).
    await new Promise((resolve, reject) =>
      execFile('bash', [path.join(ROOT, 'scripts', 'stack.sh'), 'export'], { cwd: ROOT, env: process.env, timeout: 120000 }, (err, out, stderr) =>
        err ? reject(new Error(`stack.sh export: ${err.message}\n${stderr}`)) : resolve(out),
      ),
    );
  });

  test('« Exporter » downloads a CSV of the search whose rows are the list', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/?theme=ENV&territory=region:52`);
        const total = await resultTotal(page);
        await page.locator('#results .result-card').first().waitFor();
        const titles = await page.locator('#results .card__title').allInnerTexts();
        assert.ok(titles.length > 0);
        const toggle = page.locator('#export-menu > summary');
        assert.equal(await toggle.innerText(), 'Exporter');
        // Keyboard: the disclosure opens with Enter.
        await toggle.focus();
        await page.keyboard.press('Enter');
        assert.equal(await page.locator('#export-menu').getAttribute('open'), '');
        await assertAccessible(page, 'the search page with the export menu open');
        const csv = await downloadChoice(page, /^CSV \(tableur/);
        assert.match(csv.name, /^socialconnect-recherche-\d{8}\.csv$/);
        const rows = parseCsv(csv.bytes.toString('utf8'), ',');
        assert.equal(rows.length, total, 'as many rows as the count says');
        assert.deepEqual(
          rows.slice(0, titles.length).map((r) => r.title),
          titles.map((s) => s.trim()),
          'the first rows are the list, in its order',
        );
        for (const r of rows) {
          assert.equal(r.region_code, '52');
          assert.ok(r.themes.split(' | ').includes('ENV'));
          assert.ok(r.source_names.length > 0, 'each row names its source');
        }
        await page.locator('.export-menu__status', { hasText: `(${total} initiatives)` }).waitFor();

        const excel = await downloadChoice(page, /^CSV pour Excel/);
        assert.deepEqual([...excel.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM');
        const excelRows = parseCsv(excel.bytes.subarray(3).toString('utf8'), ';');
        assert.deepEqual(excelRows, rows, 'the same records with semicolons');

        const geo = await downloadChoice(page, /^GeoJSON/);
        assert.match(geo.name, /\.geojson$/);
        assert.equal(JSON.parse(geo.bytes.toString('utf8')).features.length, total);
      },
      LAPTOP,
      AXE_CONTEXT,
    );
  });

  test('on a phone, the export choices fit the screen and are reachable', async (t) => {
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/?q=jardin`);
        await resultTotal(page);
        await page.locator('#export-menu > summary').click();
        const choices = page.locator('.export-menu__choice');
        assert.equal(await choices.count(), 4);
        for (let i = 0; i < 4; i++) {
          const box = await choices.nth(i).boundingBox();
          assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `choice ${i} within the screen`);
        }
        const nd = await downloadChoice(page, /^NDJSON/);
        const lines = nd.bytes.toString('utf8').split('\n').filter(Boolean);
        assert.ok(lines.length > 0);
        for (const l of lines) assert.equal(typeof JSON.parse(l).id, 'number');
      },
      PHONE,
      AXE_CONTEXT,
    );
  });

  test('the Sources page shows the whole-catalogue files with the manifest figures', async (t) => {
    const manifest = await (await fetch(`${BASE_URL}/exports/manifest.json`)).json();
    await withPage(
      t,
      async (page) => {
        await page.goto(`${BASE_URL}/sources`);
        const block = page.locator('#catalogue-files');
        await block.locator('.catalogue-files__count').waitFor();
        const count = (await block.locator('.catalogue-files__count').innerText()).replace(/\D/g, '');
        assert.equal(Number(count), manifest.records);
        assert.equal(await block.locator('.catalogue-files__date').getAttribute('datetime'), manifest.generated_at);
        const links = block.locator('.catalogue-files__link');
        assert.equal(await links.count(), manifest.files.length);
        for (const [i, f] of manifest.files.entries()) {
          assert.equal(await links.nth(i).getAttribute('href'), f.url);
          const size = await block.locator('.catalogue-files__size').nth(i).innerText();
          assert.match(size, /^\d[\d\s\u202f]*(,\d)? (o|ko|Mo)$/);
          const res = await fetch(BASE_URL + f.url);
          assert.equal(res.status, 200);
          assert.equal(Number(res.headers.get('content-length')), f.size);
        }
        await assertAccessible(page, 'the Sources page with the catalogue block');
      },
      LAPTOP,
      AXE_CONTEXT,
    );
  });
});
