// What every browser test file shares: the stack's address, Debian's Chromium launched once per file,
// withPage(), which gives each test a fresh page and keeps a screenshot when it fails, the axe-core
// check of a page, and SQL on the stack's database.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.SC_BASE_URL ?? 'http://127.0.0.1:18080').replace(/\/+$/, '');
export const TIMEOUT = 10_000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = path.join(ROOT, 'var', 'test', 'screenshots');
const CHROMIUM = process.env.SC_CHROMIUM ?? '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

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

/** axe-core in the page: no serious or critical violation. */
export async function assertAccessible(page, what) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document));
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`);
  assert.deepEqual(bad, [], `axe on ${what}`);
}

/** Runs SQL with psql on the database of this profile's stack (scripts/stack.sh psql); the output, trimmed. */
export function sql(text) {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.join(ROOT, 'scripts', 'stack.sh'), 'psql', '-X', '-q', '-A', '-t', '-1', '-v', 'ON_ERROR_STOP=1', '-c', text],
      { cwd: ROOT, env: { ...process.env, SC_PROFILE: process.env.SC_PROFILE ?? 'test' }, timeout: 30000 },
      (err, stdout, stderr) => (err ? reject(new Error(`psql: ${err.message}\n${stderr}`)) : resolve(stdout.trim())),
    );
  });
}
