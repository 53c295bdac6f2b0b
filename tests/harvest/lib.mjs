// Small helpers shared by the harvest test files (node's own modules only).
import http from 'node:http';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(process.env.SC_REPO || path.join(HERE, '..', '..'));

/** One request with node:http: {status, headers, body (Buffer, as sent: not decompressed)}. */
export function request(url, { method = 'GET', headers = {}, timeout = 10000, maxBytes = Infinity } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = [];
      let n = 0;
      res.on('data', (c) => {
        n += c.length;
        if (n <= maxBytes) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), bytes: n }));
      res.on('error', reject);
    });
    req.setTimeout(timeout, () => req.destroy(Object.assign(new Error(`timeout after ${timeout} ms: ${url}`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** The body as text: gunzipped when it was gzipped, decoded as UTF-8 or ISO-8859-1. */
export function text(res, encoding = 'utf8') {
  const raw = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(res.body) : res.body;
  return raw.toString(encoding);
}

export const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));

export const SITE_NAMES = ['drupal', 'joomla', 'spip', 'api', 'rss', 'csv', 'hostile'];

export function expected(site) {
  return readJson(path.join(HERE, 'expected', `${site}.json`));
}

export function sourceDoc(slug) {
  return readJson(path.join(REPO, 'sources', 'fixtures', `${slug}.json`));
}

/** RFC 4180 with a chosen delimiter: rows of fields (quotes, doubled quotes, line breaks inside quotes). */
export function parseCsv(s, delimiter = ',') {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
    i++;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** What sc_website_key() makes of a URL (sql/migrations/011_harvest.sql): host and path, no scheme, www or trailing /. */
export const websiteKey = (u) => (u ? u.toLowerCase().replace(/^https?:\/\/(www\.)?/, '').replace(/[/?#]+$/, '') || null : null);

export const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
