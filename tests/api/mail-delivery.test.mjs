// E-mail delivery faults: the SMTP server away (the message waits, queued, its attempts counted, and
// goes out once the server is back), and a job runner killed in the middle of a batch (after another
// runner, every message is delivered and no Message-ID twice). docs/architecture.md, "E-mail".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { sql, sqlLiteral as lit, stack, useExclusiveStack, waitUntil, scaled, sleep } from './helpers.mjs';
import {
  givenAlert, givenInitiative, moveClock, resetClock, forget, waitForMail, mailsTo, mailIndex, mailDuplicates,
  uniqueWord, jobsBin, runnerEnv,
} from './mail.mjs';

useExclusiveStack(); // stops the sink and the runner of the stack

const word = uniqueWord();
const emails = [`attente-${word}@example.org`];
const slug = `attente-${word}`;
const batch = Array.from({ length: 30 }, (_, i) => `lot-${i}-${word}@example.org`);

before(resetClock);

after(async () => {
  delete process.env.SC_MAIL_SINK_DELAY_MS;
  await stack('stop-mail');
  await stack('start-mail');
  await stack('start-jobs');
  await resetClock();
  await forget({ emails: [...emails, ...batch], slugs: [slug] });
});

const outboxRow = async (to) => JSON.parse(await sql(`SELECT row_to_json(o) FROM (SELECT status, attempts, last_error, next_attempt_at
  FROM mail_outbox WHERE to_addr = ${lit(to)}) o`) || 'null');

test('with the SMTP server away, an alert e-mail waits queued, is tried again with back-off, and goes out once it is back', async () => {
  const [email] = emails;
  await givenAlert({ email, name: `Attente ${word}`, params: { q: word } });
  await givenInitiative(slug, `Atelier ${word}`);
  await stack('stop-mail');
  await moveClock('1 day 1 minute');
  let row = await waitUntil(async () => { const r = await outboxRow(email); return r && r.attempts >= 1 && r; },
    { timeout: scaled(15000), what: 'a first failed attempt' });
  assert.equal(row.status, 'queued');
  assert.ok(row.last_error, 'the error is kept');
  // The next attempt waits a minute (on the clock of the rules): nothing more happens meanwhile.
  await sleep(scaled(1000));
  assert.equal((await outboxRow(email)).attempts, 1, 'no attempt before its time');
  await moveClock('2 minutes');
  row = await waitUntil(async () => { const r = await outboxRow(email); return r.attempts >= 2 && r; },
    { timeout: scaled(15000), what: 'a second failed attempt' });
  assert.equal(row.status, 'queued');
  assert.ok(Date.parse(row.next_attempt_at) - Date.parse(await sql('SELECT sc_now()')) > 90 * 1000,
    'the second wait is longer (two minutes)');
  assert.equal(mailsTo(email).length, 0);
  await stack('start-mail');
  await moveClock('5 minutes');
  const mail = await waitForMail(email);
  assert.match(mail.subject, new RegExp(`1 nouveauté pour votre recherche « Attente ${word} »`));
  row = await outboxRow(email);
  assert.equal(row.status, 'sent');
  assert.equal(row.attempts, 3);
  assert.equal(row.last_error, null);
  assert.equal(mailsTo(email).length, 1);
});

test('a job runner killed mid-batch loses no message and sends none twice', async () => {
  await stack('stop-jobs');
  // A slow server: each message waits 150 ms for its answer, so the kill lands mid-batch.
  process.env.SC_MAIL_SINK_DELAY_MS = '150';
  await stack('stop-mail');
  await stack('start-mail');
  const ids = (await sql(`INSERT INTO mail_outbox (kind, to_addr, subject, body_text)
    SELECT 'notice', a, 'Lot ' || a, 'Message du lot.' FROM unnest(ARRAY[${batch.map(lit).join(', ')}]) a RETURNING id`))
    .split('\n').map(Number);
  assert.equal(ids.length, 30);
  const list = ids.join(', ');
  const sent = async () => Number(await sql(`SELECT count(*) FROM mail_outbox WHERE id IN (${list}) AND status = 'sent'`));
  const env = await runnerEnv('mail');
  const runner = spawn(jobsBin(), [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  runner.stderr.on('data', (c) => { stderr += c; });
  try {
    await waitUntil(async () => (await sent()) >= 5, { timeout: scaled(20000), what: `5 messages sent (${stderr.slice(-500)})` });
  } finally {
    runner.kill('SIGKILL');
  }
  await new Promise((res) => (runner.exitCode !== null || runner.signalCode ? res() : runner.once('exit', res)));
  const afterKill = await sent();
  assert.ok(afterKill < 30, 'the kill came mid-batch');
  // The killed runner's transaction is gone with its connection: nothing stays locked.
  await waitUntil(async () => Number(await sql(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
    AND state LIKE 'idle in transaction%' AND query LIKE '%mail_outbox%'`)) === 0, { timeout: scaled(10000), what: 'the killed transaction ended' });

  const again = spawn(jobsBin(), ['--once', '--only', 'mail'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err2 = '';
  again.stderr.on('data', (c) => { err2 += c; });
  const code = await new Promise((res) => again.once('exit', (c) => res(c)));
  assert.equal(code, 0, err2.slice(-2000));
  assert.equal(await sent(), 30, 'every message sent');

  const wanted = new Set(ids.map((id) => `outbox-${id}@`));
  const kept = mailIndex().filter((m) => wanted.has(m.message_id.replace(/^<|[^@]+>$/g, '')));
  const counts = new Map();
  for (const m of kept) counts.set(m.message_id, (counts.get(m.message_id) || 0) + 1);
  assert.equal(counts.size, 30, 'every message delivered');
  assert.ok([...counts.values()].every((n) => n === 1), 'no Message-ID delivered twice');
  const dropped = mailDuplicates().filter((d) => wanted.has(d.message_id.replace(/^<|[^@]+>$/g, ''))).length;
  console.log(`killed after ${afterKill} of 30 sent; second deliveries dropped by the sink: ${dropped}`);
});
