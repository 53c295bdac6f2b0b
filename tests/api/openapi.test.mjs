// The OpenAPI description (docs/openapi/, docs/api.md "Description OpenAPI"): a valid OpenAPI 3.1
// document, served by nginx as /api/v1/openapi.json, describing exactly the routes of the API's table
// (backend/src/http/routes.c, as `socialconnect-api --routes` prints it). Every answer of the other tests
// is checked against it by openapi-validate.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { BASE_URL, api } from './helpers.mjs';
import { loadDescription, createValidator } from './openapi-validate.mjs';

const run = promisify(execFile);
const REPO = process.env.SC_REPO || path.resolve(import.meta.dirname, '../..');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const doc = loadDescription();

/** "METHOD /api/v1/path" for every operation of the description; nginx's own are apart. */
function describedOperations() {
  const api = new Set();
  const nginx = new Set();
  const preflights = new Set();
  for (const [tpl, item] of Object.entries(doc.paths)) {
    for (const m of HTTP_METHODS) {
      if (!item[m]) continue;
      const op = `${m.toUpperCase()} /api/v1${tpl}`;
      const by = item[m]['x-served-by'];
      // CORS preflights are answered before routing (http/partner.c), for the public GETs only.
      if (by === 'cors') preflights.add(op);
      else (by === 'nginx' ? nginx : api).add(op);
    }
  }
  return { api, nginx, preflights };
}

async function routeTable() {
  // The build the stack runs (the sanitizer build under api-asan): the same table either way.
  const bin = path.resolve(REPO, process.env.SC_API_BIN || 'backend/build/socialconnect-api');
  const { stdout } = await run(bin, ['--routes']);
  const lines = stdout.trim().split('\n');
  assert.ok(lines.length > 10, `socialconnect-api --routes printed ${lines.length} lines`);
  for (const l of lines) assert.match(l, /^[A-Z]+ \/api\/v1\/\S*$/, `a route line: ${l}`);
  return new Set(lines);
}

test('the description is a valid OpenAPI 3.1 document', async () => {
  assert.equal(doc.openapi, '3.1.0');
  const validator = new Validator();
  const res = await validator.validate(structuredClone(doc));
  assert.ok(res.valid, `not valid OpenAPI 3.1: ${String(JSON.stringify(res.errors ?? null, null, 1)).slice(0, 3000)}`);
  // Every $ref resolves (the validator above does not follow them all).
  const refs = JSON.stringify(doc).match(/"\$ref":"#[^"]*"/g) || [];
  for (const r of new Set(refs)) {
    const ptr = r.slice(9, -1);
    const target = ptr
      .split('/')
      .slice(1)
      .reduce((o, k) => (o == null ? o : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
    assert.ok(target !== undefined, `${ptr} does not resolve`);
  }
});

test('every route of the API is described, and nothing else', async () => {
  const routes = await routeTable();
  const { api: described, nginx, preflights } = describedOperations();
  const missing = [...routes].filter((r) => !described.has(r)).sort();
  const extra = [...described].filter((r) => !routes.has(r)).sort();
  assert.deepEqual(
    missing,
    [],
    `routes of backend/src/http/routes.c that docs/openapi/ does not describe (add them to the area's fragment):\n${missing.join('\n')}`,
  );
  assert.deepEqual(extra, [], `operations of docs/openapi/ that the API does not have:\n${extra.join('\n')}`);
  assert.deepEqual([...nginx], ['GET /api/v1/openapi.json']);
  // A described preflight belongs to a GET of the table, and the API answers it with a 204.
  for (const op of preflights) {
    const path = op.replace(/^OPTIONS /, '');
    assert.ok(routes.has(`GET ${path}`), `${op}: a preflight of a GET the API has`);
    const res = await api(path.replace(/\{[^}]+\}/g, '1'), {
      method: 'OPTIONS',
      headers: { origin: 'https://partenaire.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(res.status, 204, `${op}: the API answers the preflight`);
  }
  assert.ok(preflights.size >= 20, 'the public GETs have their preflight described');
});

test('every operation: its path parameters, a default error answer, French summaries', () => {
  const ids = new Set();
  for (const [tpl, item] of Object.entries(doc.paths)) {
    const names = [...tpl.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    for (const m of HTTP_METHODS) {
      const op = item[m];
      if (!op) continue;
      const where = `${m.toUpperCase()} ${tpl}`;
      assert.ok(op.operationId && !ids.has(op.operationId), `${where}: a unique operationId`);
      ids.add(op.operationId);
      assert.ok(op.summary, `${where}: a summary`);
      assert.ok(op.tags?.length, `${where}: a tag`);
      const params = [...(item.parameters || []), ...(op.parameters || [])].map((p) =>
        p.$ref ? doc.components.parameters[p.$ref.split('/').pop()] : p,
      );
      const inPath = params.filter((p) => p.in === 'path').map((p) => p.name).sort();
      assert.deepEqual(inPath, names, `${where}: path parameters`);
      assert.ok(op.responses?.default, `${where}: a default answer`);
      if (op['x-served-by'] !== 'nginx') {
        assert.equal(op.responses.default.$ref, '#/components/responses/Error', `${where}: default is an Error`);
      }
      const ok = Object.keys(op.responses).filter((s) => /^2/.test(s));
      assert.ok(ok.length >= 1, `${where}: a success answer`);
    }
  }
});

test('one shared parameter per query parameter of GET /search, named as it', () => {
  const search = doc.paths['/search'].get.parameters;
  // The parameters search_params.c reads: the description must name each one.
  const expected = ['q', 'lang', 'limit', 'cursor', 'territory', 'theme', 'subtheme', 'actor_type', 'public', 'scale',
    'stage', 'source', 'year_min', 'year_max', 'near', 'bbox', 'sort', 'facets', 'extent'];
  const names = search.map((p) => {
    assert.ok(p.$ref, 'the search parameters are shared components');
    const key = p.$ref.split('/').pop();
    const param = doc.components.parameters[key];
    assert.equal(param.name, key, `components.parameters.${key} is the query parameter ${key}`);
    assert.equal(param.in, 'query');
    return key;
  });
  assert.deepEqual([...names].sort(), [...expected].sort());
  for (const name of ['Error', 'Initiative', 'InitiativeSummary', 'Territory', 'Source']) {
    assert.ok(doc.components.schemas[name], `components.schemas.${name}`);
  }
  for (const scheme of ['sessionCookie', 'csrfToken', 'bearerKey']) {
    assert.ok(doc.components.securitySchemes[scheme], `components.securitySchemes.${scheme}`);
  }
  assert.equal(doc.components.securitySchemes.bearerKey.scheme, 'bearer');
});

test('GET /api/v1/openapi.json serves the assembled description, public and cacheable', async () => {
  const res = await api('/api/v1/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.contentType, /^application\/json/);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('cache-control') || '', /public/);
  assert.deepEqual(res.json, doc, 'the served file is what the fragments assemble to (make openapi)');
  const etag = res.headers.get('etag');
  assert.ok(etag, 'an ETag');
  const again = await api('/api/v1/openapi.json', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  // From another site: readable (no credentials needed).
  const cross = await api('/api/v1/openapi.json', { headers: { origin: 'https://partenaire.example' } });
  assert.equal(cross.status, 200);
  assert.equal(cross.headers.get('access-control-allow-origin'), '*');
});

test('the validator refuses answers that do not match', () => {
  const v = createValidator(doc);
  const body = (o) => Buffer.from(JSON.stringify(o));
  assert.equal(v.check({ method: 'GET', pathname: '/health', status: 200, contentType: 'application/json',
    body: body({ status: 'ok', postgres: 'ok', redis: 'ok' }) }), null);
  assert.ok(v.check({ method: 'GET', pathname: '/health', status: 200, contentType: 'application/json',
    body: body({ status: 'ok', postgres: 'ok' }) }));
  assert.ok(v.check({ method: 'GET', pathname: '/search', status: 200, contentType: 'text/html', body: Buffer.from('<p>') }));
  assert.ok(v.check({ method: 'DELETE', pathname: '/session', status: 204, contentType: 'application/json', body: body({}) }));
  assert.ok(v.check({ method: 'GET', pathname: '/initiatives/3', status: 404, contentType: 'application/json',
    body: body({ message: 'x' }) }));
  assert.equal(v.check({ method: 'GET', pathname: '/initiatives/3', status: 429, contentType: 'application/json',
    body: body({ error: { code: 'rate_limited', message: 'Trop de requêtes.' } }) }), null, 'default: Error');
  assert.ok(v.check({ method: 'GET', pathname: '/nowhere', status: 200, contentType: 'application/json', body: body({}) }));
  // The literal template wins over the one with a parameter.
  assert.equal(v.find('/me/favourites/ids', 'get').tpl, '/me/favourites/ids');
});

test('the build refuses two fragments that describe the same operation', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-openapi-frag-'));
  try {
    fs.writeFileSync(path.join(dir, 'base.json'), JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {} }));
    const frag = { paths: { '/x': { get: { responses: { 200: { description: 'ok' } } } } } };
    fs.writeFileSync(path.join(dir, 'paths-a.json'), JSON.stringify(frag));
    fs.writeFileSync(path.join(dir, 'paths-b.json'), JSON.stringify(frag));
    const out = path.join(dir, 'out.json');
    const env = { ...process.env, SC_OPENAPI_DIR: dir };
    await assert.rejects(run(path.join(REPO, 'scripts/openapi-build.sh'), [out], { env }), (err) => {
      assert.match(err.stderr, /operation GET \/x is defined in .*paths-a\.json and in .*paths-b\.json/);
      return true;
    });
    assert.equal(fs.existsSync(out), false);
    // Another method on the same path merges.
    fs.writeFileSync(path.join(dir, 'paths-b.json'), JSON.stringify({ paths: { '/x': { post: { responses: { 201: { description: 'ok' } } } } } }));
    await run(path.join(REPO, 'scripts/openapi-build.sh'), [out], { env });
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(out, 'utf8')).paths['/x']).sort(), ['get', 'post']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('BASE_URL is the stack under test', () => assert.match(BASE_URL, /^http/));
