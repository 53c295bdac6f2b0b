// Helpers of the e-mail tests: the local SMTP sink's folder (tests/mail-sink), saved searches with
// alerts, the clock of the rules (sc_clock) and the job runner.
//
// Accounts and saved searches are made through SQL for now (givenAlert); once the accounts
// endpoints exist, givenAlert can make them through the API without changing its callers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { REPO, VAR_DIR, PROFILE, sql, sqlLiteral as lit, waitUntil, scaled } from './helpers.mjs';

export const MAIL_DIR = path.join(VAR_DIR, 'mail');
export const PUBLIC_URL = `http://localhost:${new URL(process.env.SC_BASE_URL || 'http://127.0.0.1:18080').port || 80}`;

/** The lines of the sink's index ({message_id, to, subject, date, file}), in arrival order. */
export function mailIndex() {
  let text = '';
  try {
    text = fs.readFileSync(path.join(MAIL_DIR, 'index.jsonl'), 'utf8');
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** The second deliveries the sink dropped ({message_id, to, date}). */
export function mailDuplicates() {
  try {
    return fs.readFileSync(path.join(MAIL_DIR, 'duplicates.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
}

export const mailsTo = (addr) => mailIndex().filter((m) => m.to.includes(addr));

/** Waits for the first message to addr and returns it parsed (readMail). */
export async function waitForMail(addr, { timeout = scaled(15000), what } = {}) {
  const entry = await waitUntil(() => mailsTo(addr)[0], { timeout, what: what || `an e-mail to ${addr} in ${MAIL_DIR}` });
  return readMail(entry);
}

function decodeQuotedPrintable(text) {
  const bytes = [];
  const raw = text.replace(/=\r\n/g, '');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '=' && /^[0-9A-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(raw.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(s) {
  return s.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
}

/** A kept message: {entry, raw, headers (names lower-cased, unfolded), subject (decoded), body (decoded)}. */
export function readMail(entry) {
  const raw = fs.readFileSync(path.join(MAIL_DIR, entry.file), 'latin1');
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `${entry.file}: no empty line after the headers`);
  const headers = {};
  for (const line of raw.slice(0, end).replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = headers['content-transfer-encoding'] === 'quoted-printable' ? decodeQuotedPrintable(raw.slice(end + 4)) : raw.slice(end + 4);
  return { entry, raw, headers, subject: decodeWords(headers.subject || ''), body };
}

/** A random word of letters, unknown to the catalogue. */
export function uniqueWord(prefix = 'zq') {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return prefix + Array.from(crypto.randomBytes(10), (b) => letters[b % 26]).join('');
}

/**
 * A verified account with one saved search with an alert. Returns {userId, searchId, email}.
 * Through SQL until the accounts endpoints exist.
 */
export async function givenAlert({ email, name, params, alert = 'daily' }) {
  const out = await sql(`
    WITH u AS (INSERT INTO app_user (email, email_norm, display_name, password_hash, email_verified_at)
               VALUES (${lit(email)}, ${lit(email.toLowerCase())}, 'Camille', 'not-a-hash', now()) RETURNING id)
    INSERT INTO saved_search (user_id, name, params, alert)
    SELECT id, ${lit(name)}, ${lit(JSON.stringify(params))}::jsonb, ${lit(alert)} FROM u
    RETURNING user_id || ' ' || id`);
  const [userId, searchId] = out.split(' ').map(Number);
  return { userId, searchId, email };
}

/** A published initiative with this title, new now; returns its id. */
export async function givenInitiative(slug, title) {
  return Number(await sql(`INSERT INTO initiative (slug, title, summary, status) VALUES (${lit(slug)}, ${lit(title)},
    'Une initiative des tests des alertes.', 'published') RETURNING id`));
}

/** Moves the clock of the rules forward (sc_clock.offset_s), instead of sleeping. */
export const moveClock = (interval) => sql(`UPDATE sc_clock SET offset_s = offset_s + interval ${lit(interval)}`);
export const resetClock = () => sql(`UPDATE sc_clock SET offset_s = interval '0'`);

/** Removes what givenAlert and givenInitiative made, and the e-mails queued for these addresses. */
export async function forget({ emails = [], slugs = [] }) {
  if (emails.length) {
    const list = emails.map(lit).join(', ');
    await sql(`DELETE FROM mail_outbox WHERE to_addr IN (${list}); DELETE FROM app_user WHERE email IN (${list})`);
  }
  if (slugs.length) await sql(`DELETE FROM initiative WHERE slug IN (${slugs.map(lit).join(', ')})`);
}

/** `scripts/stack.sh env` as an object (SC_SMTP_PORT, PGPORT…). */
export function stackEnv() {
  return new Promise((resolve, reject) => {
    execFile('bash', [path.join(REPO, 'scripts', 'stack.sh'), 'env'], { cwd: REPO, env: { ...process.env, SC_PROFILE: PROFILE } }, (err, stdout) => {
      if (err) return reject(err);
      const env = {};
      for (const m of stdout.matchAll(/(\w+)=(\S+)/g)) env[m[1]] = m[2];
      resolve(env);
    });
  });
}

/** The job runner's program: SC_JOBS_BIN, else the one beside SC_API_BIN (the sanitizer build in its run). */
export function jobsBin() {
  if (process.env.SC_JOBS_BIN) return path.resolve(REPO, process.env.SC_JOBS_BIN);
  const api = process.env.SC_API_BIN ? path.resolve(REPO, process.env.SC_API_BIN) : path.join(REPO, 'backend', 'build', 'socialconnect-api');
  return path.join(path.dirname(api), 'socialconnect-jobs');
}

/** The environment a runner of the test stack gets from scripts/stack.sh, for the tasks given. */
export async function runnerEnv(tasks) {
  const env = await stackEnv();
  return {
    ...process.env,
    SC_PG_DSN: `host=127.0.0.1 port=${env.PGPORT} dbname=${env.PGDATABASE} user=${env.PGUSER}`,
    SC_SMTP_URL: `smtp://127.0.0.1:${env.SC_SMTP_PORT}`,
    SC_SMTP_STARTTLS: 'none',
    SC_PUBLIC_URL: PUBLIC_URL,
    SC_SECRET_KEY: fs.readFileSync(path.join(VAR_DIR, 'secret.key'), 'utf8').trim(),
    SC_JOBS_TASKS: tasks,
    SC_JOBS_POLL_MS: '100',
  };
}
