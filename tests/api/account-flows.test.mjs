// Accounts end to end through nginx: sign-up, the verification link, log-in, the personal space,
// log-out; forgotten passwords (a link that works once and not after an hour, on a clock the test
// moves); password and address changes; sessions; export and deletion; no enumeration of addresses;
// rate limits; bad bodies that change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, assertError, sql, sqlLiteral, useSharedStack, BASE_URL } from './helpers.mjs';
import { logIn as logInAs, resetRateLimits } from './accounts-helpers.mjs';
import { waitForMail } from './mail.mjs';

useSharedStack();

const RUN = crypto.randomBytes(4).toString('hex');
const address = (who) => `${who}.${RUN}@example.org`;
const PASSWORD = 'une phrase de passe assez longue';
const logIn = (email, password = PASSWORD) => logInAs(email, password);
const cookieOf = (res) => (res.headers.get('set-cookie') || '').split(';')[0];

/** The newest message queued for an address (the e-mail that the job runner sends). */
async function lastMail(to, kind) {
  const row = await sql(
    `SELECT json_build_object('subject', subject, 'body', body_text, 'kind', kind) FROM mail_outbox
      WHERE to_addr = ${sqlLiteral(to)} ${kind ? `AND kind = ${sqlLiteral(kind)}` : ''} ORDER BY id DESC LIMIT 1`,
  );
  return row ? JSON.parse(row) : null;
}
const mailCount = async (to) => Number(await sql(`SELECT count(*) FROM mail_outbox WHERE to_addr = ${sqlLiteral(to)}`));
const linkToken = (mail, page) => {
  const m = new RegExp(`/${page}\\?token=([A-Za-z0-9_-]+)`).exec(mail.body);
  assert.ok(m, `a /${page} link in: ${mail.body}`);
  return m[1];
};

async function signUp(email, name = 'Camille') {
  const res = await api('/api/v1/account/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, display_name: name, password: PASSWORD }) });
  assert.equal(res.status, 202, res.text);
  assert.deepEqual(res.json, { status: 'sent' });
  return res;
}

before(async () => {
  await resetRateLimits();
  await sql("UPDATE sc_clock SET offset_s = interval '0'");
});
after(async () => {
  await sql('UPDATE sc_clock SET offset_s = interval \'0\'');
  await sql(`DELETE FROM app_user WHERE email_norm LIKE ${sqlLiteral(`%.${RUN}@example.org`)}`);
});

test('sign-up → verification e-mail in the mail sink → verify → log in → my space → log out', async () => {
  const email = address('camille');
  await signUp(email);
  // Delivered by the job runner through SMTP to the local sink, as a person would receive it.
  const mail = await waitForMail(email);
  assert.match(mail.subject, /Confirmez votre adresse e-mail/);
  assert.match(mail.headers.from, /SocialConnect/);
  assert.ok(mail.body.includes('/verification?token='), mail.body);

  const login = await api('/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: email.toUpperCase(), password: PASSWORD }) });
  assert.equal(login.status, 200, login.text);
  const c = await logIn(email);
  assert.equal(login.json.user.email, email);
  assert.equal(login.json.user.verified, false, 'usable at once, not yet verified');
  assert.equal(login.headers.get('cache-control'), 'private, no-store');
  const cookie = login.headers.get('set-cookie');
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Path=\//);

  const token = linkToken(mail, 'verification');
  const verified = await api('/api/v1/account/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  assert.equal(verified.status, 200, verified.text);
  assert.equal(verified.json.user.verified, true);
  const again = await api('/api/v1/account/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  assertError(again, 400, 'invalid_token', 'token');

  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.user.verified, true);
  assert.equal(me.json.user.display_name, 'Camille');
  assert.equal(me.json.csrf_token, c.csrf);
  assert.equal(me.headers.get('cache-control'), 'private, no-store');
  assert.equal(me.headers.get('x-cache'), null, 'a personal answer never goes through the shared cache');

  const out = await c.del('/api/v1/session');
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  assertError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  assert.equal((await api('/api/v1/me', { headers: { cookie: cookieOf(login) } })).status, 200, 'other sessions stay');
});

test('a new log-in gets a new session id; a made-up cookie is nobody', async () => {
  const email = address('fixation');
  await signUp(email);
  const madeUp = 'sc_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  assertError(await api('/api/v1/me', { headers: { cookie: madeUp } }), 401, 'unauthenticated');
  const login = await api('/api/v1/session', { method: 'POST', headers: { cookie: madeUp, 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  assert.equal(login.status, 200, login.text);
  assert.notEqual(cookieOf(login), madeUp, 'the session id the browser had is never kept');
  const a = await logIn(email);
  const b = await logIn(email);
  assert.notEqual(a.cookie, b.cookie);
  assert.notEqual(a.cookie, cookieOf(login));
  assert.equal((await api('/api/v1/me/sessions/0', { method: 'DELETE', headers: { cookie: cookieOf(login), 'x-csrf-token': login.json.csrf_token } })).status, 400);
  const sessions = await a.get('/api/v1/me/sessions');
  assert.equal(sessions.json.items.length, 3);
  assert.equal(sessions.json.items.filter((s) => s.current).length, 1);
  assert.ok(sessions.json.items.every((s) => typeof s.device === 'string' && s.last_seen_at));
  const bId = (await b.get('/api/v1/me/sessions')).json.items.find((s) => s.current).id;
  assert.ok(sessions.json.items.some((s) => s.id === bId && !s.current));
  assert.equal((await a.del(`/api/v1/me/sessions/${bId}`)).status, 204);
  assertError(await b.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await a.del(`/api/v1/me/sessions/${bId}`), 404, 'not_found');
  // Only a hash of the token is stored.
  const stored = await sql(`SELECT encode(token_hash, 'hex') FROM user_session s JOIN app_user u ON u.id = s.user_id WHERE u.email_norm = ${sqlLiteral(email)}`);
  const token = a.cookie.split('=')[1];
  assert.ok(stored.split('\n').includes(crypto.createHash('sha256').update(token).digest('hex')), 'the SHA-256 of the token');
  assert.equal(await sql(`SELECT count(*) FROM user_session WHERE encode(token_hash, 'escape') LIKE ${sqlLiteral(`%${token}%`)}`), '0', 'never the token itself');
});

test('sign-up answers the same whether the address has an account; its owner is told instead', async () => {
  const email = address('twice');
  const first = await signUp(email);
  const second = await signUp(email, 'Someone else');
  assert.equal(second.status, first.status);
  assert.equal(second.text, first.text);
  const mail = await lastMail(email);
  assert.equal(mail.kind, 'signup_existing');
  assert.match(mail.body, /déjà un/);
  const session = (body) => api('/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const res = await session({ email, password: 'a different passphrase here' });
  assertError(res, 401, 'invalid_credentials');
  const unknown = await session({ email: address('nobody'), password: PASSWORD });
  assertError(unknown, 401, 'invalid_credentials');
  assert.equal(unknown.json.error.message, res.json.error.message, 'one message for a wrong address and a wrong password');
  assert.equal(Number(await sql(`SELECT count(*) FROM app_user WHERE email_norm = ${sqlLiteral(email)}`)), 1);
});

test('a reset link works once, closes every session, and not after an hour', async () => {
  const email = address('reset');
  await signUp(email);
  const c = await logIn(email);

  const forgot = await api('/api/v1/account/password/forgot', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  assert.equal(forgot.status, 202);
  const unknown = await api('/api/v1/account/password/forgot', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: address('ghost') }) });
  assert.equal(unknown.status, forgot.status);
  assert.equal(unknown.text, forgot.text, 'no enumeration');
  assert.equal(await mailCount(address('ghost')), 0);

  const token = linkToken(await lastMail(email, 'reset'), 'reinitialisation');
  const stored = await sql(`SELECT count(*) FROM user_token WHERE token_hash = decode(${sqlLiteral(crypto.createHash('sha256').update(token).digest('hex'))}, 'hex')`);
  assert.equal(stored, '1', 'only the hash of the link is stored');
  const weak = await api('/api/v1/account/password/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: 'court' }) });
  assertError(weak, 422, 'weak_password', 'password');
  const ok = await api('/api/v1/account/password/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: 'le nouveau mot de passe' }) });
  assert.equal(ok.status, 200, ok.text);
  assertError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  const reuse = await api('/api/v1/account/password/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: 'encore un autre mot de passe' }) });
  assertError(reuse, 400, 'invalid_token', 'token');
  await logIn(email, 'le nouveau mot de passe');

  // A second link, followed 61 minutes later on the moved clock.
  await api('/api/v1/account/password/forgot', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  const late = linkToken(await lastMail(email, 'reset'), 'reinitialisation');
  try {
    await sql("UPDATE sc_clock SET offset_s = interval '61 minutes'");
    const expired = await api('/api/v1/account/password/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: late, password: 'trop tard pour ce lien' }) });
    assertError(expired, 400, 'invalid_token', 'token');
  } finally {
    await sql("UPDATE sc_clock SET offset_s = interval '0'");
  }
  await logIn(email, 'le nouveau mot de passe');
});

test('changing the password needs the current one and closes the other sessions', async () => {
  const email = address('change');
  await signUp(email);
  const a = await logIn(email);
  const b = await logIn(email);
  const wrong = await a.put('/api/v1/me/password', { current_password: 'pas le bon mot de passe', new_password: 'nouvelle phrase secrète' });
  assertError(wrong, 403, 'invalid_credentials', 'current_password');
  const common = await a.put('/api/v1/me/password', { current_password: PASSWORD, new_password: '1111111111zz' });
  assertError(common, 422, 'weak_password', 'new_password');
  const ok = await a.put('/api/v1/me/password', { current_password: PASSWORD, new_password: 'nouvelle phrase secrète' });
  assert.equal(ok.status, 204, ok.text);
  assert.equal((await a.get('/api/v1/me')).status, 200, 'this session stays');
  assertError(await b.get('/api/v1/me'), 401, 'unauthenticated');
  await logIn(email, 'nouvelle phrase secrète');
});

test('changing the address: a link to the new one, a notice to the old one, verified when followed', async () => {
  const email = address('move');
  const taken = address('taken');
  const target = address('moved');
  await signUp(email);
  await signUp(taken);
  const c = await logIn(email);
  const toTaken = await c.put('/api/v1/me/email', { email: taken, password: PASSWORD });
  assert.equal(toTaken.status, 202, 'a taken address is answered like any other');
  const res = await c.put('/api/v1/me/email', { email: target, password: PASSWORD });
  assert.equal(res.status, 202, res.text);
  assert.equal((await lastMail(email, 'email_notice')).kind, 'email_notice');
  const token = linkToken(await lastMail(target, 'email_change'), 'verification');
  assert.equal((await c.get('/api/v1/me')).json.user.email, email, 'unchanged until confirmed');
  const v = await api('/api/v1/account/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  assert.equal(v.status, 200, v.text);
  const me = await c.get('/api/v1/me');
  assert.equal(me.json.user.email, target);
  assert.equal(me.json.user.verified, true);
  await logIn(target);
});

test('profile: a rename with a stale version is a 409 holding the current profile; text is stored as typed', async () => {
  const email = address('rename');
  await signUp(email);
  const c = await logIn(email);
  const user = c.user;
  const html = '<img src=x onerror=alert(1)> Camille';
  const ok = await c.patch('/api/v1/me', { display_name: html, version: user.version });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.user.display_name, html);
  const stale = await c.patch('/api/v1/me', { display_name: 'Autre', version: user.version });
  assert.equal(stale.status, 409, stale.text);
  assert.deepEqual(Object.keys(stale.json).sort(), ['current', 'error']);
  assert.equal(stale.json.error.code, 'conflict');
  assert.equal(stale.json.error.field, 'version');
  assert.equal(stale.json.current.display_name, html);
  assert.equal(stale.json.current.version, user.version + 1);
});

test('bad bodies are refused with the field named, and change nothing', async () => {
  const email = address('bodies');
  await signUp(email);
  const c = await logIn(email);
  const user = c.user;
  const cases = [
    [{ display_name: 'A', version: user.version, admin: true }, 400, 'invalid_field', 'admin'],
    [{ display_name: 42, version: user.version }, 400, 'invalid_field', 'display_name'],
    [{ display_name: '', version: user.version }, 400, 'invalid_field', 'display_name'],
    [{ display_name: '   ', version: user.version }, 400, 'invalid_field', 'display_name'],
    [{ display_name: 'x'.repeat(81), version: user.version }, 400, 'invalid_field', 'display_name'],
    [{ display_name: 'a\u0007b', version: user.version }, 400, 'invalid_field', 'display_name'],
    [{ display_name: 'A' }, 400, 'invalid_field', 'version'],
    [{ display_name: 'A', version: '1' }, 400, 'invalid_field', 'version'],
    ['{"display_name": "A", "version": ', 400, 'invalid_json', undefined],
    ['["display_name"]', 400, 'invalid_json', undefined],
    ['{"display_name": "A\\u0000B", "version": 1}', 400, 'invalid_json', undefined],
    ['{"display_name": "A", "display_name": "B", "version": 1}', 400, 'invalid_json', undefined],
  ];
  for (const [body, status, code, field] of cases) {
    const res = await c.patch('/api/v1/me', body);
    assertError(res, status, code, field);
  }
  // Invalid UTF-8, another media type, a body over 64 KiB.
  const bad = await api('/api/v1/me', { method: 'PATCH', headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) });
  assertError(bad, 400, 'invalid_json');
  const form = await api('/api/v1/me', { method: 'PATCH', headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'application/x-www-form-urlencoded' }, body: 'display_name=A' });
  assertError(form, 415, 'unsupported_media_type');
  const big = await c.patch('/api/v1/me', { display_name: 'A', version: user.version, pad: 'x'.repeat(70000) });
  assertError(big, 413, 'payload_too_large');
  const sqlish = await c.patch('/api/v1/me', { display_name: "Robert'); DROP TABLE app_user;--", version: user.version });
  assert.equal(sqlish.status, 200);
  assert.equal(sqlish.json.user.display_name, "Robert'); DROP TABLE app_user;--");
  const me = await c.get('/api/v1/me');
  assert.equal(me.json.user.version, user.version + 1, 'only the one valid write changed the profile');
  // Sign-up's own checks.
  const signup = (body) => api('/api/v1/account/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assertError(await signup({ email: 'pas-une-adresse', display_name: 'A', password: PASSWORD }), 400, 'invalid_field', 'email');
  assertError(await signup({ email: address('short'), display_name: 'A', password: 'onze carac.' }), 422, 'weak_password', 'password');
  assertError(await signup({ email: address('common'), display_name: 'A', password: 'Password1234' }), 422, 'weak_password', 'password');
  assertError(await signup({ email: address('missing'), password: PASSWORD }), 400, 'invalid_field', 'display_name');
  assert.equal(await sql(`SELECT count(*) FROM app_user WHERE email_norm IN (${[address('short'), address('common'), address('missing')].map(sqlLiteral).join(',')})`), '0');
});

test('writes need the CSRF token and the site\'s own origin', async () => {
  const email = address('csrf');
  await signUp(email);
  const c = await logIn(email);
  const user = c.user;
  const noToken = await api('/api/v1/me', { method: 'PATCH', headers: { cookie: c.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ display_name: 'X', version: user.version }) });
  assertError(noToken, 403, 'csrf_failed');
  const wrongToken = await api('/api/v1/me', { method: 'PATCH', headers: { cookie: c.cookie, 'x-csrf-token': 'x'.repeat(43), 'content-type': 'application/json' }, body: JSON.stringify({ display_name: 'X', version: user.version }) });
  assertError(wrongToken, 403, 'csrf_failed');
  const elsewhere = await c.patch('/api/v1/me', { display_name: 'X', version: user.version }, { headers: { origin: 'https://evil.example' } });
  assertError(elsewhere, 403, 'csrf_failed');
  const crossSite = await c.patch('/api/v1/me', { display_name: 'X', version: user.version }, { headers: { 'sec-fetch-site': 'cross-site' } });
  assertError(crossSite, 403, 'csrf_failed');
  const loginElsewhere = await api('/api/v1/session', { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  assertError(loginElsewhere, 403, 'csrf_failed');
  // Logging out is a write too: without the token it changes nothing.
  assertError(await api('/api/v1/session', { method: 'DELETE', headers: { cookie: c.cookie } }), 403, 'csrf_failed');
  assert.equal((await c.get('/api/v1/me')).status, 200, 'still signed in');
  const sameOrigin = await c.patch('/api/v1/me', { display_name: 'Même site', version: user.version }, { headers: { origin: BASE_URL, 'sec-fetch-site': 'same-origin' } });
  assert.equal(sameOrigin.status, 200, sameOrigin.text);
  assert.equal((await c.get('/api/v1/me')).json.user.version, user.version + 1);
});

test('log-ins are rate-limited per address and IP (429 with Retry-After); other addresses are not', async () => {
  await resetRateLimits();
  const email = address('limited');
  await signUp(email);
  let last;
  for (let i = 0; i < 11; i++) {
    last = await api('/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'une mauvaise devinette' }) });
  }
  assertError(last, 429, 'rate_limited');
  assert.ok(Number(last.headers.get('retry-after')) > 0 && Number(last.headers.get('retry-after')) <= 300);
  // The window holds the right password too from this IP, until it ends; another address from
  // the same IP is not held (its own pair, and the IP's limit is higher).
  const right = await api('/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  assertError(right, 429, 'rate_limited');
  const neighbour = address('neighbour');
  await signUp(neighbour);
  const next = await api('/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: neighbour, password: PASSWORD }) });
  assert.equal(next.status, 200, next.text);
  await resetRateLimits();
  await logIn(email);
});

test('export my data, then delete my account: personal data erased, the row kept for attribution', async () => {
  const email = address('leaving');
  await signUp(email, 'Dominique');
  const c = await logIn(email);
  const exp = await c.get('/api/v1/me/export');
  assert.equal(exp.status, 200);
  assert.match(exp.headers.get('content-disposition'), /attachment; filename="socialconnect-mes-donnees\.json"/);
  assert.equal(exp.headers.get('cache-control'), 'private, no-store');
  assert.equal(exp.json.account.email, email);
  assert.deepEqual(Object.keys(exp.json).sort(), ['account', 'collections', 'exported_at', 'favourites', 'format', 'saved_searches', 'sessions']);
  assertError(await c.request('/api/v1/me', { method: 'DELETE', body: { password: 'pas le bon mot de passe' } }), 403, 'invalid_credentials', 'password');
  const id = await sql(`SELECT id FROM app_user WHERE email_norm = ${sqlLiteral(email)}`);
  const del = await c.request('/api/v1/me', { method: 'DELETE', body: { password: PASSWORD } });
  assert.equal(del.status, 204, del.text);
  assertError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  const row = JSON.parse(await sql(`SELECT row_to_json(u) FROM (SELECT email, email_norm, display_name, password_hash, deleted_at IS NOT NULL AS deleted FROM app_user WHERE id = ${id}) u`));
  assert.deepEqual(row, { email: null, email_norm: null, display_name: null, password_hash: null, deleted: true });
  assert.equal(await sql(`SELECT count(*) FROM user_session WHERE user_id = ${id}`), '0');
  // The address is free again.
  await signUp(email);
  await logIn(email);
});
