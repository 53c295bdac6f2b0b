// Shared helpers for the end-to-end API tests (node:test, no dependencies).
//
// Environment:
//   SC_BASE_URL         nginx in front of the API (default http://127.0.0.1:18080)
//   SC_PROFILE          stack profile driven by scripts/stack.sh (default "test")
//   SC_REPO             repository root (default: two levels above this file)
//   SC_SHARED_DIR       shared reference data (default: $SC_REPO/../shared)
//   SC_HTTP_TIMEOUT_MS  per-request timeout (default 10000)
//   SC_TEST_SLOW        multiplier for fault deadlines (default: 4 for a sanitizer build, else 1)

import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import http from 'node:http';
import crypto from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BASE_URL = (process.env.SC_BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
export const REPO = path.resolve(process.env.SC_REPO || fileURLToPath(new URL('../..', import.meta.url)));
export const PROFILE = process.env.SC_PROFILE || 'test';
export const VAR_DIR = path.join(REPO, PROFILE === 'run' ? 'var' : path.join('var', PROFILE));
export const SHARED_DIR = path.resolve(process.env.SC_SHARED_DIR || path.join(REPO, '..', 'shared'));
export const HTTP_TIMEOUT_MS = Number(process.env.SC_HTTP_TIMEOUT_MS || 10000);
export const API_LOG = path.join(VAR_DIR, 'log', 'api.log');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// HTTP

/** A request id that the API must accept and echo back (a safe token). */
export function newRequestId(prefix = 'apitest') {
  return `${prefix}-${crypto.randomBytes(8).toString('hex')}`;
}

/**
 * One HTTP request through nginx. Returns {status, headers, contentType, text, json, url}.
 * Network failures and timeouts are rethrown with the URL and the cause (e.g. ECONNREFUSED).
 */
export async function api(p, { method = 'GET', headers = {}, body, timeout = HTTP_TIMEOUT_MS, requestId } = {}) {
  const url = /^https?:/.test(p) ? p : BASE_URL + p;
  const h = { accept: 'application/json', ...headers };
  if (requestId) h['x-request-id'] = requestId;
  let res;
  let text;
  try {
    res = await fetch(url, { method, headers: h, body, redirect: 'manual', signal: AbortSignal.timeout(timeout) });
    text = await res.text();
  } catch (err) {
    const cause = err.cause || err;
    throw new Error(`${method} ${shorten(url)} failed: ${cause.code || cause.name || 'error'}: ${cause.message}`);
  }
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, contentType: res.headers.get('content-type') || '', text, json, url, method };
}

/**
 * A request with node:http, for cases where fetch would give up: the server may answer (413) and close
 * the connection before the body is fully written. Resolves with the response if one arrived.
 */
export function rawRequest(p, { method = 'GET', headers = {}, body, timeout = HTTP_TIMEOUT_MS } = {}) {
  const url = new URL(BASE_URL + p);
  return new Promise((resolve, reject) => {
    let settled = false;
    let response = null;
    const finish = (fn, v) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        fn(v);
      }
    };
    const req = http.request(
      {
        host: url.hostname,
        port: url.port || 80,
        path: url.pathname + url.search,
        method,
        headers: { accept: 'application/json', ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        const chunks = [];
        response = res;
        res.on('data', (c) => chunks.push(c));
        res.on('error', () => {});
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = null;
          }
          const hdrs = new Headers();
          for (const [k, v] of Object.entries(res.headers)) hdrs.set(k, Array.isArray(v) ? v.join(', ') : String(v));
          finish(resolve, { status: res.statusCode, headers: hdrs, contentType: res.headers['content-type'] || '', text, json, url: url.href, method });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error('timeout'));
      finish(reject, new Error(`${method} ${shorten(url.href)} failed: timed out after ${timeout} ms`));
    }, timeout);
    req.on('error', (err) => {
      // A write error after the server has answered is expected when it refuses a large body.
      if (response) return;
      finish(reject, new Error(`${method} ${shorten(url.href)} failed: ${err.code || err.name}: ${err.message}`));
    });
    if (body) req.write(body);
    req.end();
  });
}

/** Short description of a response for assertion messages. */
export function brief(res) {
  const body = res.text.length > 400 ? res.text.slice(0, 400) + '…' : res.text;
  return `${res.method || 'GET'} ${shorten(res.url)} → ${res.status} [${res.contentType}] ${body}`;
}

/** A URL cut to a readable length for messages. */
export function shorten(url, max = 160) {
  return url.length > max ? `${url.slice(0, max)}…(${url.length} chars)` : url;
}

/** Query string from an object; undefined values are left out; values are percent-encoded. */
export function qs(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export function assertJsonContentType(res) {
  assert.match(res.contentType, /^application\/json\b/i, `expected a JSON content type: ${brief(res)}`);
}

/** GET that must answer 200 with JSON; returns the parsed body. */
export async function getJson(p, opts = {}) {
  const res = await api(p, opts);
  assert.equal(res.status, 200, `expected 200: ${brief(res)}`);
  assertJsonContentType(res);
  assert.ok(res.json !== null && typeof res.json === 'object', `expected a JSON object: ${brief(res)}`);
  return res.json;
}

/** Asserts the one error shape of the API: {"error": {"code", "message", "field"?}}. */
export function assertError(res, status, code, field) {
  assert.equal(res.status, status, `expected ${status} ${code}: ${brief(res)}`);
  assertJsonContentType(res);
  assert.ok(res.json && typeof res.json === 'object' && !Array.isArray(res.json), `error body is not a JSON object: ${brief(res)}`);
  assert.deepEqual(Object.keys(res.json), ['error'], `error body must only hold "error": ${brief(res)}`);
  const e = res.json.error;
  assert.ok(e && typeof e === 'object', `"error" must be an object: ${brief(res)}`);
  for (const k of Object.keys(e)) assert.ok(['code', 'message', 'field'].includes(k), `unexpected key error.${k}: ${brief(res)}`);
  assert.equal(typeof e.code, 'string', `error.code must be a string: ${brief(res)}`);
  assert.equal(e.code, code, `error.code: ${brief(res)}`);
  assert.equal(typeof e.message, 'string', `error.message must be a string: ${brief(res)}`);
  assert.ok(e.message.trim().length > 0, `error.message must not be empty: ${brief(res)}`);
  if (field !== undefined) assert.equal(e.field, field, `error.field: ${brief(res)}`);
  else if ('field' in e) assert.equal(typeof e.field, 'string', `error.field must be a string: ${brief(res)}`);
  return e;
}

/**
 * Follows next_cursor from the first page to the last. Returns {pages, items}.
 * Fails on a repeated cursor or on more than maxPages pages.
 */
export async function fetchAllPages(pathname, params = {}, { limit = 100, maxPages = 400 } = {}) {
  const pages = [];
  const items = [];
  const cursors = new Set();
  let cursor;
  for (;;) {
    assert.ok(pages.length < maxPages, `more than ${maxPages} pages for ${pathname}${qs(params)}`);
    const body = await getJson(pathname + qs({ ...params, limit, cursor }));
    assert.ok(Array.isArray(body.items), `items must be an array (${pathname}, page ${pages.length + 1})`);
    assert.ok('next_cursor' in body, `next_cursor must be present, null on the last page (${pathname}, page ${pages.length + 1})`);
    pages.push(body);
    items.push(...body.items);
    if (body.next_cursor === null) break;
    assert.equal(typeof body.next_cursor, 'string', `next_cursor must be a string or null (page ${pages.length})`);
    assert.ok(body.next_cursor.length > 0, `next_cursor must not be empty (page ${pages.length})`);
    assert.ok(!cursors.has(body.next_cursor), `cursor repeated at page ${pages.length}: ${body.next_cursor}`);
    cursors.add(body.next_cursor);
    cursor = body.next_cursor;
  }
  return { pages, items };
}

/** Runs async fn over items with a bounded number in flight; keeps order of results. */
export async function mapLimit(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

// ---------------------------------------------------------------------------
// Polling

/**
 * Calls fn until it returns a truthy value or the deadline passes. fn may throw; the last error or value
 * is reported in the failure message.
 */
export async function waitUntil(fn, { timeout, interval = 100, what = 'condition' }) {
  const deadline = Date.now() + timeout;
  let last = 'never evaluated';
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = `returned ${JSON.stringify(v)}`;
    } catch (err) {
      last = err.message;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not reached within ${timeout} ms (last: ${last})`);
    await sleep(interval);
  }
}

// ---------------------------------------------------------------------------
// Stack control and processes

export function apiPidFile() {
  return path.join(VAR_DIR, 'run', 'api.pid');
}

export function masterPid() {
  let s;
  try {
    s = fs.readFileSync(apiPidFile(), 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read the API master pid from ${apiPidFile()}: ${err.code || err.message}`);
  }
  const pid = Number(s);
  assert.ok(Number.isInteger(pid) && pid > 1, `bad pid in ${apiPidFile()}: ${JSON.stringify(s)}`);
  assert.ok(isAlive(pid), `API master pid ${pid} from ${apiPidFile()} is not running`);
  return pid;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Live (non-zombie) children of a process, from /proc. */
export function childrenOf(ppid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue;
    }
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    const parent = Number(rest[1]);
    if (parent === ppid && state !== 'Z' && state !== 'X') out.push(Number(d));
  }
  return out.sort((a, b) => a - b);
}

let slow;
/** Multiplier for fault deadlines: a sanitizer build starts and answers several times slower. */
export function slowFactor() {
  if (slow !== undefined) return slow;
  if (process.env.SC_TEST_SLOW) return (slow = Math.max(1, Number(process.env.SC_TEST_SLOW) || 1));
  let asan = /asan|sanitiz/i.test(process.env.SC_API_BIN || '');
  try {
    const pid = Number(fs.readFileSync(apiPidFile(), 'utf8').trim());
    if (!asan) asan = /asan/i.test(fs.readlinkSync(`/proc/${pid}/exe`));
    if (!asan) asan = /libasan|libclang_rt\.asan/i.test(fs.readFileSync(`/proc/${pid}/maps`, 'utf8'));
  } catch {
    // no running API: keep the default
  }
  slow = asan ? 4 : 1;
  return slow;
}

export const scaled = (ms) => ms * slowFactor();

/**
 * Runs `scripts/stack.sh ACTION` for this profile. Output goes to a file, not a pipe, so that daemons the
 * script starts do not keep the call waiting. Refuses, changing nothing, when the environment's stack is
 * not the one under test (checkSameStack): a stop or start would hit another stack.
 */
export async function stack(action, { timeout = 240000 } = {}) {
  await checkSameStack();
  const script = path.join(REPO, 'scripts', 'stack.sh');
  const logPath = path.join(os.tmpdir(), `sc-api-tests-stack-${process.pid}-${Date.now()}.log`);
  const fd = fs.openSync(logPath, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, action], {
      cwd: REPO,
      env: { ...process.env, SC_PROFILE: PROFILE },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    fs.closeSync(fd);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeout);
    const done = (err) => {
      clearTimeout(timer);
      let out = '';
      try {
        out = fs.readFileSync(logPath, 'utf8');
        fs.rmSync(logPath, { force: true });
      } catch {
        // nothing to read
      }
      if (err) reject(new Error(`${err}\n${out.trim().split('\n').slice(-15).join('\n')}`));
      else resolve(out);
    };
    child.on('error', (err) => done(`stack.sh ${action}: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (code === 0) done(null);
      else done(`SC_PROFILE=${PROFILE} bash ${script} ${action} failed (${signal ? `signal ${signal}` : `exit ${code}`})`);
    });
  });
}

// ---------------------------------------------------------------------------
// Coordination between test files
//
// node --test runs files in parallel. The fault tests stop Redis and PostgreSQL, which would make the
// other files fail at random, so they take an exclusive lock while every other file holds a shared one.
// Markers are files named after the pid holding them; markers of dead processes are ignored and removed.

const LOCK_DIR = path.join(
  os.tmpdir(),
  `socialconnect-api-tests-${crypto.createHash('sha1').update(`${BASE_URL}|${REPO}|${PROFILE}`).digest('hex').slice(0, 12)}`,
);
const LOCK_WAIT_MS = 30 * 60 * 1000;

function liveMarkers(prefix) {
  let names = [];
  try {
    names = fs.readdirSync(LOCK_DIR);
  } catch {
    return [];
  }
  const pids = [];
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const pid = Number(n.slice(prefix.length));
    if (pid === process.pid) continue;
    if (isAlive(pid)) pids.push(pid);
    else fs.rmSync(path.join(LOCK_DIR, n), { force: true });
  }
  return pids;
}

function holdMarker(name) {
  fs.mkdirSync(LOCK_DIR, { recursive: true });
  const file = path.join(LOCK_DIR, name);
  fs.writeFileSync(file, String(process.pid));
  const release = () => {
    fs.rmSync(file, { force: true });
    try {
      fs.rmdirSync(LOCK_DIR); // only succeeds once no other file holds a marker
    } catch {
      // still in use
    }
  };
  process.once('exit', release);
  return release;
}

/** Registers hooks that hold the shared lock for the whole file. */
export function useSharedStack() {
  let release = () => {};
  before(async () => {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      if (liveMarkers('w-').length === 0) {
        release = holdMarker(`r-${process.pid}`);
        if (liveMarkers('w-').length === 0) return;
        release();
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for the fault tests to release the stack');
      await sleep(250);
    }
  });
  after(() => release());
}

/** Registers hooks that hold the exclusive lock for the whole file. */
export function useExclusiveStack() {
  let release = () => {};
  before(async () => {
    release = holdMarker(`w-${process.pid}`);
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (liveMarkers('r-').length > 0) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the other API test files to finish');
      await sleep(250);
    }
  });
  after(() => release());
}

// ---------------------------------------------------------------------------
// Demo data and text

let demoCache;
/** The demo records as written in sql/demo/initiatives-*.json. */
export function loadDemo() {
  if (demoCache) return demoCache;
  const dir = path.join(REPO, 'sql', 'demo');
  let files;
  try {
    files = fs.readdirSync(dir).filter((f) => /^initiatives.*\.json$/.test(f)).sort();
  } catch (err) {
    throw new Error(`cannot list demo data in ${dir}: ${err.code || err.message}`);
  }
  assert.ok(files.length > 0, `no initiatives*.json in ${dir}`);
  const records = [];
  for (const f of files) {
    const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    const arr = Array.isArray(data) ? data : Object.values(data).find(Array.isArray);
    assert.ok(Array.isArray(arr), `${f}: expected a JSON array of records`);
    records.push(...arr);
  }
  for (const r of records) assert.equal(typeof r.slug, 'string', `demo record without a slug: ${JSON.stringify(r).slice(0, 200)}`);
  const published = records.filter((r) => r.status === undefined || r.status === null || r.status === 'published');
  const bySlug = new Map(records.map((r) => [r.slug, r]));
  demoCache = { files, records, published, bySlug };
  return demoCache;
}

export const demoActorName = (r) => r.actor_name ?? r.actor?.name ?? (typeof r.actor === 'string' ? r.actor : undefined);
export const demoActorType = (r) => r.actor_type ?? (typeof r.actor?.type === 'string' ? r.actor.type : r.actor?.type?.code);
export const demoCommuneName = (r) => r.commune_name ?? r.commune?.name ?? r.territory?.commune?.name ?? (typeof r.commune === 'string' ? r.commune : undefined);
export const codesOf = (list) => (Array.isArray(list) ? list.map((t) => (typeof t === 'string' ? t : t?.code)) : []);

/** Lower case without diacritics (what unaccent + lower do). */
export function fold(s) {
  return String(s)
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** A place name compared loosely: no accents, case, punctuation; "St" is "Saint". */
export function normName(s) {
  return fold(s)
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/\bst\b/g, 'saint')
    .replace(/\bste\b/g, 'sainte')
    .trim();
}

/** Every letter/digit run, folded: a generous view of what a text may match. */
export function looseTokens(text) {
  return text ? fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean) : [];
}

/** Stand-alone words only (no hyphen, slash or dot inside), elisions removed, as written. */
export function strictWords(text) {
  if (!text) return [];
  const out = [];
  for (let chunk of String(text).split(/\s+/u)) {
    chunk = chunk.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
    chunk = chunk.replace(/^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]/iu, '');
    if (/^\p{L}+$/u.test(chunk)) out.push(chunk);
  }
  return out;
}

/** A prefix that covers the stemmed forms of a word (deliberately generous). */
export function stemKey(word) {
  const w = fold(word);
  return w.slice(0, Math.max(5, Math.floor(w.length / 2)));
}

// PostgreSQL's French stop words of five letters or more (after folding they must not be picked as search words).
export const FRENCH_STOP = new Set(
  (
    'même notre votre été étée étées étés étant étante étants étantes sommes êtes serai seras serons serez seront ' +
    'serais serait serions seriez seraient étais était étions étiez étaient fûmes fûtes furent soyons soyez soient ' +
    'fusse fusses fussions fussiez fussent ayant ayante ayantes ayants avons aurai auras aurons aurez auront aurais ' +
    'aurait aurions auriez auraient avais avait avions aviez avaient eûmes eûtes eurent ayons aient eusse eusses ' +
    'eussions eussiez eussent'
  )
    .split(' ')
    .map(fold),
);

/** The text fields of a demo record, as searched: title, summary, actor, description, and all the rest. */
export function demoFields(r) {
  const rest = [];
  const skip = new Set(['title', 'summary', 'description', 'slug', 'website', 'image_url', 'url', 'status', 'source']);
  const walk = (v) => {
    if (typeof v === 'string') rest.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const [k, v] of Object.entries(r)) if (!skip.has(k)) walk(v);
  return {
    title: r.title || '',
    summary: r.summary || '',
    actor: demoActorName(r) || '',
    description: r.description || '',
    rest: rest.join(' \n '),
  };
}

// ---------------------------------------------------------------------------
// Shared reference data (vocabularies, territories)

export function readShared(rel) {
  const file = path.join(SHARED_DIR, rel);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Bounding boxes by code from a GeoJSON FeatureCollection. */
export function bboxes(geojson) {
  const out = new Map();
  for (const f of geojson?.features || []) {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    const walk = (c) => {
      if (typeof c[0] === 'number') {
        x0 = Math.min(x0, c[0]);
        y0 = Math.min(y0, c[1]);
        x1 = Math.max(x1, c[0]);
        y1 = Math.max(y1, c[1]);
      } else c.forEach(walk);
    };
    if (f.geometry) walk(f.geometry.coordinates);
    out.set(String(f.properties.code), { bbox: [x0, y0, x1, y1], name: f.properties.nom });
  }
  return out;
}

// France with its overseas départements: [minLon, minLat, maxLon, maxLat].
export const FRANCE_BOXES = [
  [-5.5, 41.2, 10.0, 51.3], // metropolitan France and Corsica
  [-62.0, 15.7, -60.9, 16.6], // Guadeloupe
  [-61.3, 14.3, -60.7, 15.0], // Martinique
  [-54.7, 2.0, -51.5, 6.0], // Guyane
  [55.1, -21.5, 56.0, -20.8], // La Réunion
  [44.9, -13.1, 45.4, -12.5], // Mayotte
];

export const inBox = (lon, lat, [x0, y0, x1, y1], margin = 0) =>
  lon >= x0 - margin && lon <= x1 + margin && lat >= y0 - margin && lat <= y1 + margin;

// ---------------------------------------------------------------------------
// SQL on the test database, for tests that set up rows the API then reports

/** Runs scripts/stack.sh with arguments for this profile; resolves with its standard output. */
function stackOutput(args, { timeout = 30000 } = {}) {
  const script = path.join(REPO, 'scripts', 'stack.sh');
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [script, ...args],
      { cwd: REPO, env: { ...process.env, SC_PROFILE: PROFILE }, timeout, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`SC_PROFILE=${PROFILE} stack.sh ${args.join(' ').slice(0, 240)}: ${err.message}\n${stderr}`));
        else resolve(stdout.trim());
      },
    );
  });
}

// The database written to must be the one behind SC_BASE_URL: the port overrides of the profile
// (SC_HTTP_PORT, SC_PG_PORT…) must be in the environment, or another stack would be changed.
let sameStackChecked;
function checkSameStack() {
  sameStackChecked ??= stackOutput(['env']).then((out) => {
    const url = /^export SC_BASE_URL=(\S+)$/m.exec(out)?.[1];
    if (url?.replace(/\/+$/, '') !== BASE_URL) {
      throw new Error(
        `stack.sh env for SC_PROFILE=${PROFILE} gives SC_BASE_URL=${url}, the tests run against ${BASE_URL}: ` +
          'export the port overrides of the stack under test (SC_HTTP_PORT, SC_PG_PORT, SC_REDIS_PORT); nothing was changed',
      );
    }
    const port = /\bPGPORT=(\d+)/.exec(out)?.[1];
    let running;
    try {
      running = fs.readFileSync(path.join(VAR_DIR, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]?.trim();
    } catch (err) {
      if (err.code !== 'ENOENT' && err.code !== 'EACCES') throw err;
    }
    if (running && running !== port) {
      throw new Error(`stack.sh env gives PGPORT=${port}, the PostgreSQL of ${VAR_DIR} listens on ${running}: export SC_PG_PORT; nothing was changed`);
    }
  });
  return sameStackChecked;
}

/**
 * Runs SQL (one or more statements, in one transaction) with psql as the application role, on the
 * database of the stack under test. Resolves with the unaligned, tuples-only output.
 */
export async function sql(text) {
  await checkSameStack();
  const out = await stackOutput(['psql', '-X', '-q', '-A', '-t', '-1', '-v', 'ON_ERROR_STOP=1', '-c', text]);
  if (/\b(INSERT|UPDATE|DELETE|TRUNCATE)\b/i.test(text)) await apiSeesDataVersion();
  return out;
}

/**
 * Waits until the API's cached answers show the data version now in the database. A write made
 * outside the API (psql here, the harvester) reaches the workers by a notification, a moment after
 * its commit (docs/api.md, "X-Cache"); a test that reads right after such a write waits for it,
 * as a write through the API needs no wait. One worker seeing it is enough: they share it.
 */
export async function apiSeesDataVersion() {
  const version = Number(await stackOutput(['psql', '-X', '-q', '-A', '-t', '-c', 'SELECT version FROM data_version']));
  await waitUntil(
    async () => {
      const res = await api('/api/v1/vocabularies?lang=fr');
      return Number(res.headers.get('x-data-version')) >= version;
    },
    { timeout: 5000, interval: 5, what: `the API at data version ${version}` },
  );
}

/** The first row of a query as parsed JSON: `SELECT row_to_json(…)` or `SELECT json_build_object(…)`. */
export async function sqlJson(text) {
  const out = await sql(text);
  return out ? JSON.parse(out.split('\n')[0]) : null;
}

/** A SQL string literal. */
export const sqlLiteral = (s) => `'${String(s).replace(/'/g, "''")}'`;
