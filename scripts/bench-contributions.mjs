// make bench, contributions (docs/performance.md): submitting proposals and approving them, each by
// CONN clients at once for DUR seconds, then makes an initiative with 200 revisions for the history
// pages, which scripts/bench.sh measures with wrk like the other reads.
// Prints table rows "| scenario | requests/s | p50 | p99 |" like scripts/bench.sh.
//   node scripts/bench-contributions.mjs BASE_URL MEMBER_PREFIX MODERATOR_EMAIL PASSWORD SECONDS CONN ID_FILE
// ID_FILE receives the id of the initiative with 200 revisions, which is left in place: the caller
// removes it (DELETE FROM initiative WHERE id = …).
// Client i submits as MEMBER_PREFIX<i>@socialconnect.local (i = 1..CONN; accounts made by the
// caller): a person may have 100 proposals waiting at most, so each client stops at 100.
// What it adds is removed at the end (SQL through psql and the PG* variables of the caller).
import { execFileSync } from 'node:child_process';

import { writeFileSync } from 'node:fs';

const [base, memberPrefix, moderatorEmail, password, seconds, conn, idFile] = process.argv.slice(2);
const DURATION_MS = Number(seconds) * 1000;
const CONN = Number(conn);

const psql = (sql) => execFileSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' }).trim();

async function logIn(email) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`log-in of ${email}: ${res.status} ${await res.text()}`);
  const cookie = /^\s*([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  const { csrf_token: csrf, user } = await res.json();
  return { cookie, csrf, user };
}

function post(who, path, body, method = 'POST') {
  return fetch(`${base}${path}`, {
    method,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const fields = (n) => ({
  title: `Ressourcerie mesure ${n}`,
  summary: 'Une ressourcerie qui collecte, répare et revend des objets du quotidien.',
  description: 'Mesure des performances : une proposition complète, comme le formulaire en envoie.',
  actor_type: 'association',
  themes: ['ENV'],
  start_year: 2020,
  website: `https://ressourcerie-${n}.example.net/`,
  place: { address: '3 place de la Mairie, 35000 Rennes', lon: -1.6795, lat: 48.1122 },
});

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// Runs CONN loops of task(i, client) for DURATION_MS (or until tasks run out, or a client has done
// perClient); returns a table row.
async function measure(name, task, limit = Infinity, perClient = Infinity) {
  const times = [];
  let next = 0;
  let failed = 0;
  const end = Date.now() + DURATION_MS;
  const loop = async (_, client) => {
    for (let done = 0; Date.now() < end && next < limit && done < perClient; done++) {
      const i = next++;
      const t0 = performance.now();
      const ok = await task(i, client);
      times.push(performance.now() - t0);
      if (!ok) failed++;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: CONN }, loop));
  const secs = (Date.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const label = failed ? `${name} (${failed} failed answers!)` : name;
  return `| ${label} | ${(times.length / secs).toFixed(2)} | ${pct(times, 50).toFixed(2)}ms | ${pct(times, 99).toFixed(2)}ms |`;
}

const members = [];
for (let i = 1; i <= CONN; i++) members.push(await logIn(`${memberPrefix}${i}@socialconnect.local`));
const moderator = await logIn(moderatorEmail);
const memberIds = members.map((m) => m.user.id).join(', ');
const rows = [];
const submitted = [];
rows.push(
  await measure(
    `POST /api/v1/contributions (submit a proposal, ${CONN} at once)`,
    async (i, client) => {
      const res = await post(members[client], '/api/v1/contributions', { kind: 'proposal', fields: fields(i), submit: true });
      if (res.status === 201) submitted.push(await res.json());
      else await res.text();
      return res.status === 201;
    },
    Infinity,
    100,
  ),
);
rows.push(
  await measure(
    `POST /api/v1/contributions/{id}/review (approve: a new initiative in search, facets, map; ${CONN} at once)`,
    async (i) => {
      const c = submitted[i];
      const res = await post(moderator, `/api/v1/contributions/${c.id}/review`, { version: c.version, decision: 'approve' });
      await res.text();
      return res.status === 200;
    },
    submitted.length,
  ),
);

// An initiative with 200 revisions: the first approved proposal, edited 199 times by the moderator.
const id = Number(psql(`SELECT initiative_id FROM contribution WHERE id = ${submitted[0].id}`));
psql(`SELECT initiative_revise(${id}, NULL, jsonb_build_object('start_year', 1900 + g), 'moderator', ${moderator.user.id}, NULL, NULL, NULL, 'mesure') FROM generate_series(1, 199) g`);
const one = await (await fetch(`${base}/api/v1/initiatives/${id}/history?limit=200`)).json();
if (one.items.length !== 200) throw new Error(`the history holds ${one.items.length} revisions, not 200`);
writeFileSync(idFile, `${id}\n`);

psql(`DELETE FROM initiative WHERE proposed_by IN (${memberIds}) AND id <> ${id}; DELETE FROM contribution WHERE author_id IN (${memberIds});
      DELETE FROM mail_outbox WHERE kind = 'contribution' AND to_addr LIKE '${memberPrefix}%'`);
console.log(rows.join('\n'));
