/**
 * Checks every answer of the API against its OpenAPI description (docs/openapi/, docs/api.md
 * "Description OpenAPI"). Loaded before the tests of tests/api:
 *
 *   node --import ./tests/api/openapi-validate.mjs --test tests/api/FILE.test.mjs
 *
 * (scripts/test.sh does so for the api and api-asan suites). It wraps globalThis.fetch: each answer
 * from $SC_BASE_URL/api/v1/… is matched to its operation (path template + method) and checked with
 * ajv (JSON Schema 2020-12): its status must be described (or covered by `default`), its content type
 * must be one the description gives, its JSON body must validate, and a 204 or 304 must have no body.
 * A mismatch rejects the fetch with a message naming the operation, the status, ajv's errors and the
 * request id, so the test that asked fails; the process also exits non-zero, in case that test caught
 * the rejection. Answers nginx makes itself (414, 505, methods it refuses) and other URLs are not checked.
 *
 * The description is assembled from the fragments at load time (scripts/openapi-build.sh), so it is
 * always the one in the working tree. SC_OPENAPI_VALIDATE=0 turns the check off.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = process.env.SC_REPO || path.resolve(HERE, '../..');
const BASE_URL = (process.env.SC_BASE_URL || 'http://127.0.0.1:18080').replace(/\/$/, '');
const API_PREFIX = '/api/v1';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
// Statuses only nginx gives, before or instead of the API (docs/api.md, "Errors").
const NGINX_STATUSES = new Set([414, 505]);

/** Assembles the description from docs/openapi/ into a temporary file and reads it. */
export function loadDescription() {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sc-openapi-')), 'openapi.json');
  try {
    execFileSync(path.join(REPO, 'scripts/openapi-build.sh'), [out], { stdio: ['ignore', 'ignore', 'pipe'] });
    return JSON.parse(fs.readFileSync(out, 'utf8'));
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

/** JSON Pointer escaping of one reference token. */
const pointer = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Operations by method, for each path template: literal templates are tried before those with {…}. */
function compileTemplates(doc) {
  const templates = Object.keys(doc.paths || {}).map((tpl) => {
    const names = [];
    const re = new RegExp(
      '^' +
        tpl
          .split(/(\{[^}]+\})/)
          .map((part) => {
            if (/^\{[^}]+\}$/.test(part)) {
              names.push(part.slice(1, -1));
              return '([^/]+)';
            }
            return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          })
          .join('') +
        '$',
    );
    return { tpl, re, params: names.length };
  });
  templates.sort((a, b) => a.params - b.params || b.tpl.length - a.tpl.length);
  return templates;
}

export function createValidator(doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');
  const templates = compileTemplates(doc);
  const compiled = new Map();

  function schemaValidator(ptr) {
    let v = compiled.get(ptr);
    if (!v) {
      v = ajv.compile({ $ref: `openapi#${ptr}` });
      compiled.set(ptr, v);
    }
    return v;
  }

  function find(pathname, method) {
    for (const t of templates) {
      if (t.re.test(pathname)) {
        const item = doc.paths[t.tpl];
        const m = method === 'head' && !item.head ? 'get' : method;
        return { tpl: t.tpl, item, method: m, operation: item[m] };
      }
    }
    return null;
  }

  /**
   * Checks one answer. Returns null when it conforms (or is not the description's business), else a
   * list of problems (strings).
   */
  function check({ method, pathname, status, contentType, body }) {
    method = method.toLowerCase();
    if (NGINX_STATUSES.has(status) || !METHODS.includes(method)) return null;
    const found = find(pathname, method);
    const problems = [];
    let responses;
    let ptrBase;
    // A CORS preflight is answered for every path without being an operation of its own, unless the
    // description gives one.
    if (method === 'options' && !found?.operation) return null;
    if (!found || !found.operation) {
      // An unknown path or method: the API's own 404 / 405, in the error shape.
      if (status < 400) {
        problems.push(
          found
            ? `${method.toUpperCase()} ${found.tpl} is not described, yet answered ${status}`
            : `no path of the description matches ${pathname}, yet it answered ${status}`,
        );
        return problems;
      }
      responses = { default: doc.components.responses.Error };
      ptrBase = null;
    } else {
      responses = found.operation.responses || {};
      ptrBase = `/paths/${pointer(found.tpl)}/${found.method}/responses`;
    }
    let key = String(status);
    if (!responses[key]) key = `${String(status)[0]}XX`;
    if (!responses[key]) key = 'default';
    let response = responses[key];
    if (!response) {
      problems.push(`status ${status} is not described (nor is default)`);
      return problems;
    }
    let ptr = ptrBase ? `${ptrBase}/${pointer(key)}` : '/components/responses/Error';
    if (response.$ref) {
      ptr = response.$ref.replace(/^#/, '');
      response = ptr.split('/').slice(1).reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    }
    const media = (contentType || '').split(';')[0].trim().toLowerCase();
    const hasBody = body.length > 0;
    if (status === 204 || status === 304) {
      if (hasBody) problems.push(`a ${status} must have no body, got ${body.length} bytes`);
      return problems.length ? problems : null;
    }
    const content = response.content || {};
    if (Object.keys(content).length === 0) {
      if (hasBody && method !== 'head') problems.push(`status ${status} is described without a body, got ${body.length} bytes of ${media || 'no type'}`);
      return problems.length ? problems : null;
    }
    if (!content[media]) {
      problems.push(`content type ${media || '(none)'} is not one of ${Object.keys(content).join(', ')}`);
      return problems;
    }
    if (method === 'head') return null;
    // JSON and the +json types (GeoJSON); not NDJSON, which is one document a line.
    if (!/^application\/(json|[a-z.-]+\+json)$/.test(media) || !content[media].schema) return null;
    let value;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (err) {
      problems.push(`the body is not JSON: ${err.message}`);
      return problems;
    }
    const validate = schemaValidator(`${ptr}/content/${pointer(media)}/schema`);
    if (!validate(value)) {
      for (const e of validate.errors.slice(0, 12)) {
        problems.push(`body${e.instancePath || ''} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''} (schema ${e.schemaPath})`);
      }
      if (validate.errors.length > 12) problems.push(`… and ${validate.errors.length - 12} more`);
    }
    return problems.length ? problems : null;
  }

  return { check, find };
}

const failures = [];
// The operations whose answers were checked (SC_OPENAPI_COVERAGE=FILE appends them there at exit:
// which operations the suite never exercised).
const seen = new Set();

function install() {
  const doc = loadDescription();
  const validator = createValidator(doc);
  const realFetch = globalThis.fetch;
  globalThis.fetch = async function validatingFetch(input, init = {}) {
    const res = await realFetch(input, init);
    const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
    const method = (init.method || (typeof input === 'object' && input.method) || 'GET').toUpperCase();
    if (`${url.origin}` !== new URL(BASE_URL).origin || !url.pathname.startsWith(API_PREFIX + '/')) return res;
    const pathname = url.pathname.slice(API_PREFIX.length);
    const body = Buffer.from(await res.clone().arrayBuffer());
    const op = validator.find(pathname, method.toLowerCase());
    if (op?.operation) seen.add(`${op.method.toUpperCase()} ${op.tpl}`);
    const problems = validator.check({
      method,
      pathname,
      status: res.status,
      contentType: res.headers.get('content-type'),
      body,
    });
    if (problems) {
      const found = validator.find(pathname, method.toLowerCase());
      const opName = found ? `${method} ${found.tpl}` : `${method} ${pathname}`;
      const text = body.toString('utf8');
      const message =
        `OpenAPI: the answer of ${opName} (${method} ${url.pathname}${url.search.slice(0, 200)}) does not match the description:\n` +
        `  status ${res.status}, ${res.headers.get('content-type') || 'no content type'}, request id ${res.headers.get('x-request-id') || '?'}\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        `\n  body: ${text.length > 600 ? text.slice(0, 600) + '…' : text}`;
      failures.push(message);
      const err = new Error(message);
      err.name = 'OpenAPIMismatch';
      throw err;
    }
    return res;
  };
  process.on('exit', () => {
    if (process.env.SC_OPENAPI_COVERAGE && seen.size > 0) {
      fs.appendFileSync(process.env.SC_OPENAPI_COVERAGE, [...seen].join('\n') + '\n');
    }
    if (failures.length > 0) {
      process.stderr.write(`\n${failures.length} answer(s) did not match the OpenAPI description:\n${failures.join('\n\n')}\n`);
      process.exitCode = 1;
    }
  });
}

if (process.env.SC_OPENAPI_VALIDATE !== '0' && !globalThis.__scOpenapiValidate) {
  globalThis.__scOpenapiValidate = true;
  install();
}
