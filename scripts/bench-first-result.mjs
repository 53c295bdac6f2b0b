#!/usr/bin/env node
// Time to the first result of the search page: opens BASE_URL/?q=jardin in a fresh browser context
// (empty cache) and measures, from the start of the navigation, when the first result card
// (li.result-card, drawn by views/search.ts) is in the page and visible.
//
//   node scripts/bench-first-result.mjs http://127.0.0.1:8080 [--runs 5] [--path '/?q=jardin']
//
// Two conditions, each at 1366×800 and at 390×844: "local" (no throttling) and "slow 3G, CPU ÷4"
// (400 ms of latency, 400 kbit/s each way, the page's main thread slowed four times, through the
// Chrome DevTools Protocol). Prints a Markdown table: median, min and max over the runs, and the
// JavaScript bytes transferred (as received, headers included, compressed or not) in the median run.
// One discarded run first warms the server's caches, so that every counted run finds the same
// server. Chromium and playwright-core are those of the browser tests (tests/browser).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.SC_CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT_MS = 180_000;

const CONDITIONS = [
  { name: 'local', network: null, cpuRate: 1 },
  {
    name: 'slow 3G, CPU ÷4',
    // 400 kbit/s = 50 000 bytes per second.
    network: { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 },
    cpuRate: 4,
  },
];
const VIEWPORTS = [
  { width: 1366, height: 800 },
  { width: 390, height: 844 },
];

function usage(message) {
  if (message) console.error(message);
  console.error("usage: node scripts/bench-first-result.mjs BASE_URL [--runs N] [--path '/?q=jardin']");
  process.exit(2);
}

function parseArgs(argv) {
  const options = { base: null, runs: 5, path: '/?q=jardin' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--runs') {
      options.runs = Number(argv[++i]);
      if (!Number.isInteger(options.runs) || options.runs < 1 || options.runs > 50) usage('--runs takes a number from 1 to 50');
    } else if (arg === '--path') {
      options.path = argv[++i] ?? '';
      if (!options.path.startsWith('/')) usage('--path must start with /');
    } else if (arg === '--help' || arg === '-h') {
      usage();
    } else if (options.base === null) {
      options.base = arg.replace(/\/+$/, '');
    } else {
      usage(`unexpected argument ${arg}`);
    }
  }
  if (!options.base || !/^https?:\/\//.test(options.base)) usage('BASE_URL (http://… or https://…) is required');
  return options;
}

// Runs in the page before its own scripts: notes performance.now() (milliseconds since the start of
// the navigation) at the first DOM change after which a result card is laid out and not hidden.
function watchFirstResult() {
  const seen = (card) => {
    if (!card || !card.isConnected) return false;
    if (typeof card.checkVisibility === 'function' && !card.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const box = card.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const start = () => {
    const observer = new MutationObserver(() => {
      if (seen(document.querySelector('li.result-card'))) {
        window.__firstResultMs = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden', 'class', 'style'] });
  };
  if (document.documentElement) start();
  else document.addEventListener('readystatechange', start, { once: true });
}

async function oneRun(browser, url, condition, viewport) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    await page.addInitScript(watchFirstResult);
    const cdp = await context.newCDPSession(page);
    const scripts = new Map();
    let jsBytes = 0;
    cdp.on('Network.responseReceived', (event) => {
      if (event.type === 'Script') scripts.set(event.requestId, event.response.url);
    });
    cdp.on('Network.loadingFinished', (event) => {
      if (scripts.has(event.requestId)) jsBytes += event.encodedDataLength;
    });
    await cdp.send('Network.enable');
    if (condition.network) await cdp.send('Network.emulateNetworkConditions', condition.network);
    if (condition.cpuRate !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: condition.cpuRate });

    await page.goto(url, { waitUntil: 'commit', timeout: TIMEOUT_MS });
    await page.waitForFunction(() => typeof window.__firstResultMs === 'number', null, { timeout: TIMEOUT_MS, polling: 50 });
    const ms = await page.evaluate(() => window.__firstResultMs);
    // The scripts the page asked for by then are finished, or nearly: let the last bytes arrive.
    await page.waitForLoadState('load', { timeout: TIMEOUT_MS });
    return { ms, jsBytes, scriptFiles: scripts.size };
  } finally {
    await context.close();
  }
}

function median(sorted) {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** kB of 1,000 bytes, as Vite's build report and the browser test count them. */
function kilobytes(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const url = options.base + options.path;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // As tests/browser/browser.mjs.
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
  const rows = [];
  try {
    await oneRun(browser, url, CONDITIONS[0], VIEWPORTS[0]);
    for (const condition of CONDITIONS) {
      for (const viewport of VIEWPORTS) {
        const runs = [];
        for (let i = 0; i < options.runs; i++) {
          const run = await oneRun(browser, url, condition, viewport);
          runs.push(run);
          process.stderr.write(`${condition.name} ${viewport.width}×${viewport.height} run ${i + 1}: ${Math.round(run.ms)} ms, ${run.scriptFiles} scripts, ${run.jsBytes} bytes\n`);
        }
        runs.sort((a, b) => a.ms - b.ms);
        const times = runs.map((run) => run.ms);
        rows.push({
          condition: condition.name,
          viewport: `${viewport.width}×${viewport.height}`,
          median: median(times),
          min: times[0],
          max: times[times.length - 1],
          jsBytes: runs[Math.floor((runs.length - 1) / 2)].jsBytes,
          scriptFiles: runs[Math.floor((runs.length - 1) / 2)].scriptFiles,
        });
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`First result card of ${options.path}, ${options.runs} runs each, fresh context (empty cache):\n`);
  console.log('| Condition | Viewport | Median | Min | Max | JS transferred |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const row of rows) {
    const ms = (v) => `${Math.round(v)} ms`;
    console.log(`| ${row.condition} | ${row.viewport} | ${ms(row.median)} | ${ms(row.min)} | ${ms(row.max)} | ${kilobytes(row.jsBytes)} (${row.scriptFiles} ${row.scriptFiles === 1 ? 'file' : 'files'}) |`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
