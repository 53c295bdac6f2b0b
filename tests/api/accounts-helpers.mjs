// Accounts for the end-to-end tests: sign up, verify, log in, and a small client that sends the
// session cookie and the CSRF token. Shared by every test file that needs a signed-in person.
//
// Sign-up (20 an hour) and log-in (30 in five minutes) are rate-limited per IP in Redis, and the
// whole API suite runs twice against the same Redis: when a limit answers 429, the rate-limit
// keys (sc:rl:*) of the stack's Redis (SC_REDIS_HOST, SC_REDIS_PORT) are removed and the request
// is sent once more. Prefer one client per actor per file.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';

import { api, brief, sql, sqlLiteral } from './helpers.mjs';

const REDIS_HOST = process.env.SC_REDIS_HOST || '127.0.0.1';
const REDIS_PORT = process.env.SC_REDIS_PORT || '16380';

function redisCli(args) {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-h', REDIS_HOST, '-p', REDIS_PORT, ...args], { timeout: 10000 }, (err, stdout) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message}`));
      else resolve(stdout);
    });
  });
}

/** Removes the rate-limit counters (sc:rl:*) of the stack's Redis. */
export async function resetRateLimits() {
  const keys = (await redisCli(['--scan', '--pattern', 'sc:rl:*'])).split('\n').filter(Boolean);
  for (let i = 0; i < keys.length; i += 100) await redisCli(['del', ...keys.slice(i, i + 100)]);
}

/** A request that is retried once, after resetRateLimits, when it meets a rate limit. */
async function unlimited(p, opts) {
  let res = await api(p, opts);
  if (res.status === 429) {
    await resetRateLimits();
    res = await api(p, opts);
  }
  return res;
}

const json = (body) => (typeof body === 'string' || body === undefined || body instanceof Uint8Array ? body : JSON.stringify(body));

/** A unique address for a test account (example.org: never delivered). */
export function testEmail(prefix = 'test') {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}@example.org`;
}

/** The token of the newest link of this kind e-mailed to address (read from mail_outbox). */
export async function mailedToken(address, kind = 'verify') {
  const text = await sql(
    `SELECT body_text FROM mail_outbox WHERE to_addr = ${sqlLiteral(address)} AND kind = ${sqlLiteral(kind)} ORDER BY id DESC LIMIT 1`,
  );
  const m = /token=([A-Za-z0-9_-]+)/.exec(text);
  assert.ok(m, `no ${kind} link e-mailed to ${address}: ${text.slice(0, 200)}`);
  return m[1];
}

/**
 * A signed-in person. request() sends the session cookie (unless cookie: false) and, on writes, the
 * CSRF token (unless csrf: false); a body that is not a string is sent as JSON.
 */
export class Client {
  constructor({ email, password, cookie, csrf, user }) {
    Object.assign(this, { email, password, cookie, csrf, user });
  }

  get id() {
    return this.user.id;
  }

  request(p, { method = 'GET', body, headers = {}, cookie = true, csrf = true, contentType = 'application/json' } = {}) {
    const h = { ...headers };
    if (cookie) h.cookie = this.cookie;
    if (csrf && method !== 'GET' && method !== 'HEAD') h['x-csrf-token'] = this.csrf;
    if (body !== undefined && contentType) h['content-type'] = contentType;
    return api(p, { method, headers: h, body: json(body) });
  }

  get(p, opts = {}) {
    return this.request(p, { ...opts, method: 'GET' });
  }
  post(p, body, opts = {}) {
    return this.request(p, { ...opts, method: 'POST', body });
  }
  put(p, body, opts = {}) {
    return this.request(p, { ...opts, method: 'PUT', body });
  }
  patch(p, body, opts = {}) {
    return this.request(p, { ...opts, method: 'PATCH', body });
  }
  del(p, opts = {}) {
    return this.request(p, { ...opts, method: 'DELETE' });
  }

  /** Removes the account and everything attached to it (sessions, personal space, e-mails). */
  async remove() {
    await sql(
      `DELETE FROM mail_outbox WHERE to_addr = ${sqlLiteral(this.email)}; DELETE FROM app_user WHERE id = ${Number(this.user.id)}`,
    );
  }
}

/** Logs in with an address and password; returns a Client. */
export async function logIn(email, password) {
  const res = await unlimited('/api/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 200, `log-in: ${brief(res)}`);
  const setCookie = res.headers.get('set-cookie') || '';
  const m = /^\s*((?:__Host-)?sc_session)=([^;]+)/.exec(setCookie);
  assert.ok(m, `log-in must set the session cookie: ${setCookie}`);
  return new Client({ email, password, cookie: `${m[1]}=${m[2]}`, csrf: res.json.csrf_token, user: res.json.user });
}

/**
 * Creates an account and logs in. Options: verified (default true: the e-mailed link is followed),
 * role ('moderator' or 'admin', set through SQL), name (display name), prefix (of the address).
 */
export async function signUpAndLogIn({ verified = true, role, name = 'Camille Test', prefix = 'test' } = {}) {
  const email = testEmail(prefix);
  const password = `Pw-${crypto.randomBytes(12).toString('base64url')}-long`;
  const res = await unlimited('/api/v1/account/signup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, display_name: name, password }),
  });
  assert.equal(res.status, 202, `sign-up: ${brief(res)}`);
  if (verified) {
    const token = await mailedToken(email, 'verify');
    const v = await api('/api/v1/account/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    assert.equal(v.status, 200, `verification: ${brief(v)}`);
  }
  if (role) await sql(`UPDATE app_user SET role = ${sqlLiteral(role)} WHERE email_norm = lower(${sqlLiteral(email)})`);
  const client = await logIn(email, password);
  assert.equal(client.user.verified, verified, 'the account is verified as asked');
  if (role) assert.equal(client.user.role, role);
  return client;
}

/** Ids of n published initiatives (newest first), for favourites and collections. */
export async function publishedIds(n) {
  const res = await api(`/api/v1/initiatives?limit=${n}`);
  assert.equal(res.status, 200, brief(res));
  const ids = res.json.items.map((i) => i.id);
  assert.equal(ids.length, n, `need ${n} published initiatives`);
  return ids;
}
