// What every browser test file shares: the stack's address, Debian's Chromium launched once per file,
// and withPage(), which gives each test a fresh page and keeps a screenshot when it fails.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.SC_BASE_URL ?? 'http://127.0.0.1:18080').replace(/\/+$/, '');
export const TIMEOUT = 10_000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = path.join(ROOT, 'var', 'test', 'screenshots');
const CHROMIUM = process.env.SC_CHROMIUM ?? '/usr/bin/chromium';

let browser;

/** Launches Chromium before the file's tests and closes it after them. */
export function useBrowser() {
  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });
  after(async () => {
    await browser?.close();
  });
}

function fileName(name) {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
}

/**
 * Runs fn with a fresh page; on failure saves a screenshot and rethrows. Uncaught page errors fail the test.
 * contextOptions go to browser.newContext (permissions, geolocation…).
 */
export async function withPage(t, fn, viewport = { width: 1280, height: 900 }, contextOptions = {}) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris', ...contextOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.setDefaultNavigationTimeout(TIMEOUT);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err));
  try {
    await fn(page);
    assert.deepEqual(pageErrors.map(String), [], 'no uncaught error in the page');
  } catch (err) {
    await mkdir(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `${fileName(t.name)}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    t.diagnostic(`screenshot: ${file}`);
    throw err;
  } finally {
    await context.close();
  }
}
