#!/usr/bin/env node
// The fixture web sites the harvester is tested against, on 127.0.0.1 (node's own modules only).
//
//   node tests/harvest/fixture-server.mjs [--port P]     (default: $SC_FIXTURE_PORT, else 18090)
//
// Sites (pages built in memory at start by tests/harvest/sites/, deterministic):
//   /drupal/  /joomla/  /spip/  /api/  /rss/  /csv/  /hostile/      and /robots.txt
// Every page has an ETag and a Last-Modified and answers 304 to If-None-Match / If-Modified-Since;
// bodies are gzipped when Accept-Encoding allows. Control endpoints (not logged):
//   GET  /__requests                    the request log: [{method, path, status, user_agent,
//                                       if_none_match, if_modified_since, accept_encoding, at}]
//   POST /__reset                       clears the log and the per-URL counters of flaky pages
//   POST /__change?site=S&id=EXTERNALID switches one record to its "changed" version (a sentence
//                                       added to its summary, its start year moved); answers
//                                       {site, id, pages: [paths whose body changed]}
//   POST /__hide?site=S&id=EXTERNALID   takes one record off its site (as if it was deleted there)
//   POST /__unchange                    back to the original versions, every record shown
// Also usable as a module: startFixtureServer({port}) resolves to {port, origin, close()}.
import http from 'node:http';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { route, findEntry, SITES } from './sites/index.mjs';
import { HUGE_BYTES } from './sites/hostile.mjs';

export const ROBOTS = 'User-agent: *\nDisallow: /spip/prive/\nDisallow: /hostile/private/\n';
// Dates of the pages: every original page was last modified at BASE_DATE, a changed one at CHANGED_DATE.
const BASE_DATE = new Date(Date.UTC(2024, 0, 15, 8, 0, 0));
const CHANGED_DATE = new Date(Date.UTC(2024, 5, 1, 8, 0, 0));
const HANG_MS = Number(process.env.SC_FIXTURE_HANG_MS || 120000);

export function startFixtureServer({ port = 0, host = '127.0.0.1', quiet = true } = {}) {
  const log = [];
  const hits = new Map(); // per-URL counters of flaky pages
  let changed = new Set();
  const originals = new Map(); // path → ETag of the original version
  const sockets = new Set();

  function describe(url, origin, changes = changed) {
    if (url.pathname === '/robots.txt') return { type: 'text/plain; charset=utf-8', body: ROBOTS };
    return route(url, { changed: changes, origin });
  }

  const etagOf = (body) => `"${crypto.createHash('sha1').update(body).digest('hex').slice(0, 20)}"`;
  const toBuffer = (body) => (Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));

  // The ETag of the original version of a page (before any change).
  function originalEtag(url, origin, etag) {
    const key = url.pathname + url.search;
    if (!originals.has(key)) {
      const d = changed.size === 0 ? null : describe(url, origin, new Set());
      originals.set(key, d && d.body ? etagOf(toBuffer(d.body)) : etag);
    }
    return originals.get(key);
  }

  function finish(req, res, status, headers, body) {
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function serve(req, res, url, origin) {
    const d = describe(url, origin);
    if (!d) return finish(req, res, 404, { 'content-type': 'text/html; charset=utf-8' }, '<!DOCTYPE html><title>404</title><h1>Page introuvable</h1>\n');
    if (d.special === 'not_found') return finish(req, res, 404, { 'content-type': 'text/html; charset=utf-8' }, '<!DOCTYPE html><title>404</title><h1>Cette page n\'existe plus</h1>\n');
    if (d.special === 'hang') {
      // Headers never come; the connection is dropped after HANG_MS (or when the client gives up).
      const t = setTimeout(() => req.socket.destroy(), HANG_MS);
      req.socket.on('close', () => clearTimeout(t));
      return undefined;
    }
    if (d.special === 'loop') {
      const to = url.pathname.endsWith('boucle.html') ? 'boucle-2.html' : 'boucle.html';
      return finish(req, res, 302, { location: to, 'content-type': 'text/html; charset=utf-8' }, `<a href="${to}">${to}</a>\n`);
    }
    if (d.special === 'huge') return streamHuge(req, res);
    if (d.special === 'flaky') {
      const n = (hits.get(url.pathname) || 0) + 1;
      hits.set(url.pathname, n);
      if (n === 1) return finish(req, res, 500, { 'content-type': 'text/html; charset=utf-8' }, '<!DOCTYPE html><title>Erreur</title><h1>Erreur interne, réessayez</h1>\n');
    }
    const body = toBuffer(d.body);
    const etag = etagOf(body);
    const lastModified = (originalEtag(url, origin, etag) === etag ? BASE_DATE : CHANGED_DATE).toUTCString();
    const headers = {
      'content-type': d.type,
      etag,
      'last-modified': lastModified,
      'cache-control': 'max-age=0, must-revalidate',
      vary: 'Accept-Encoding',
      ...(d.headers || {}),
    };
    const status = d.status || 200;
    if (status === 200 && notModified(req, etag, lastModified)) {
      delete headers['content-type'];
      return finish(req, res, 304, headers, undefined);
    }
    if (/\bgzip\b/.test(req.headers['accept-encoding'] || '') && !/\bgzip;\s*q=0(\.0*)?\b/.test(req.headers['accept-encoding'])) {
      const gz = zlib.gzipSync(body);
      return finish(req, res, status, { ...headers, 'content-encoding': 'gzip', 'content-length': gz.length }, gz);
    }
    return finish(req, res, status, { ...headers, 'content-length': body.length }, body);
  }

  const server = http.createServer((req, res) => {
    const origin = `http://${req.headers.host || `${host}:${server.address().port}`}`;
    let url;
    try {
      url = new URL(req.url, 'http://fixture.invalid');
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (url.pathname.startsWith('/__')) return control(req, res, url);
    const entry = {
      method: req.method,
      path: url.pathname + url.search,
      status: 0,
      user_agent: req.headers['user-agent'] || null,
      if_none_match: req.headers['if-none-match'] || null,
      if_modified_since: req.headers['if-modified-since'] || null,
      accept_encoding: req.headers['accept-encoding'] || null,
      at: new Date().toISOString(),
    };
    log.push(entry);
    const origWriteHead = res.writeHead;
    res.writeHead = function writeHead(status, ...rest) {
      entry.status = status;
      return origWriteHead.call(this, status, ...rest);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('405\n');
      return;
    }
    try {
      serve(req, res, url, origin);
    } catch (err) {
      if (!quiet) console.error(err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fixture server error: ${err.message}\n`);
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function control(req, res, url) {
    const json = (status, v) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(v)}\n`);
    };
    const p = url.pathname;
    if (p === '/__requests' && req.method === 'GET') return json(200, log);
    if (req.method !== 'POST') return json(405, { error: 'POST only' });
    if (p === '/__reset') {
      log.length = 0;
      hits.clear();
      return json(200, { ok: true });
    }
    if (p === '/__unchange') {
      changed = new Set();
      return json(200, { ok: true });
    }
    if (p === '/__change' || p === '/__hide') {
      const site = url.searchParams.get('site') || '';
      const id = url.searchParams.get('id') || url.searchParams.get('page') || '';
      if (!SITES[site] || !findEntry(site, id)) return json(404, { error: `no record ${id} on site ${site}` });
      // Which pages change: render every known page before and after.
      const before = snapshot();
      changed = new Set([...changed, `${p === '/__hide' ? 'hide:' : ''}${site}:${id}`]);
      const after = snapshot();
      const pages = [...after.keys()].filter((k) => before.get(k) !== after.get(k));
      return json(200, { site, id, pages });
    }
    return json(404, { error: 'unknown control endpoint' });
  }

  // ETags of every page served so far, under the current changes.
  function snapshot() {
    const m = new Map();
    for (const key of originals.keys()) {
      const d = describe(new URL(key, 'http://fixture.invalid'), `http://${host}:${server.address().port}`);
      if (d && d.body) m.set(key, etagOf(toBuffer(d.body)));
    }
    return m;
  }

  // 20 MB of HTML, produced as it is sent (never held in memory), without a Content-Length.
  function streamHuge(req, res) {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      etag: '"enorme-20mb"',
      'last-modified': BASE_DATE.toUTCString(),
    });
    if (req.method === 'HEAD') return res.end();
    const chunk = Buffer.from(`<p>${'Ceci est une page beaucoup trop longue. '.repeat(24)}</p>\n`);
    let sent = 0;
    res.write('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Projet trop volumineux</title></head><body>\n');
    const pump = () => {
      if (res.destroyed) return undefined;
      while (sent < HUGE_BYTES) {
        sent += chunk.length;
        if (!res.write(chunk)) return res.once('drain', pump);
      }
      if (!res.destroyed) res.end('</body></html>\n');
      return undefined;
    };
    res.on('close', () => {
      sent = Infinity;
    });
    pump();
    return undefined;
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = server.address().port;
      resolve({
        port: actual,
        origin: `http://${host}:${actual}`,
        log,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

function notModified(req, etag, lastModified) {
  const inm = req.headers['if-none-match'];
  if (inm) return inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
  const ims = req.headers['if-modified-since'];
  if (ims) {
    const t = Date.parse(ims);
    return !Number.isNaN(t) && Date.parse(lastModified) <= t;
  }
  return false;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--port');
  const port = Number(i > 0 ? process.argv[i + 1] : process.env.SC_FIXTURE_PORT || 18090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`fixture-server: bad port ${process.argv[i + 1]}`);
    process.exit(2);
  }
  startFixtureServer({ port, quiet: false }).then(
    (s) => {
      console.log(`fixture sites on ${s.origin}/ (drupal, joomla, spip, api, rss, csv, hostile)`);
      const stop = () => s.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err) => {
      console.error(`fixture-server: ${err.message}`);
      process.exit(1);
    },
  );
}
