// Comments and reports end to end (docs/api.md, "Comments and reports"): the authorisation matrix of
// every endpoint × six actors, text that is never HTML, refusals that name the field and write
// nothing, the 15-minute edit window on the clock of the rules, the honeypot and the rate limit of
// reports, and a hidden comment leaving the public list even after that list was cached.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { api, assertError, brief, sql, sqlLiteral as lit, useSharedStack } from './helpers.mjs';
import { publishedIds, resetRateLimits, signUpAndLogIn } from './accounts-helpers.mjs';
import { moveClock, resetClock, uniqueWord } from './mail.mjs';

useSharedStack();

const V1 = '/api/v1';
const ACTORS = ['anonymous', 'unverified', 'member', 'author', 'moderator', 'admin'];
// Every report and comment of this file carries this word, so that the file removes what it made.
const MARK = uniqueWord('cmt');

const clients = {};
let ids;

before(async () => {
  clients.unverified = await signUpAndLogIn({ name: 'Non vérifié', prefix: 'cm-unverified', verified: false });
  clients.member = await signUpAndLogIn({ name: 'Autre membre', prefix: 'cm-member' });
  clients.author = await signUpAndLogIn({ name: 'Autrice', prefix: 'cm-author' });
  clients.moderator = await signUpAndLogIn({ name: 'Modération', prefix: 'cm-moderator', role: 'moderator' });
  clients.admin = await signUpAndLogIn({ name: 'Administration', prefix: 'cm-admin', role: 'admin' });
  ids = await publishedIds(2);
  await resetRateLimits();
});

after(async () => {
  await resetClock();
  await sql(`DELETE FROM report WHERE reason LIKE ${lit(`%${MARK}%`)}`);
  await sql(`DELETE FROM comment WHERE body LIKE ${lit(`%${MARK}%`)}`);
  for (const c of Object.values(clients)) await c.remove();
  await resetRateLimits();
});

// Members post more comments here than the limit per member allows in ten minutes (30): a
// comment refused for the limit is sent once more after the counters are reset.
async function send(actor, method, path, body, opts = {}) {
  if (actor === 'anonymous') {
    const headers = body !== undefined ? { 'content-type': 'application/json' } : {};
    return api(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  let res = await clients[actor].request(path, { method, body, ...opts });
  if (res.status === 429 && path.endsWith('/comments')) {
    await resetRateLimits();
    res = await clients[actor].request(path, { method, body, ...opts });
  }
  return res;
}

async function created(res, status = 201) {
  assert.equal(res.status, status, brief(res));
  return res.json;
}
const commentsPath = (id = ids[0]) => `${V1}/initiatives/${id}/comments`;
const postComment = async (text = `Un commentaire ${MARK}`, by = 'author', initiative = ids[0]) =>
  created(await send(by, 'POST', commentsPath(initiative), { body: text }));
async function hiddenComment() {
  const c = await postComment();
  await created(await clients.moderator.post(`${V1}/comments/${c.id}/hide`, {}), 200);
  return c;
}
async function openReport() {
  const c = await postComment();
  await created(await clients.member.post(`${V1}/reports`, { target: { kind: 'comment', id: c.id }, reason: `Hors sujet ${MARK}` }), 202);
  return Number(await sql(`SELECT id FROM report WHERE target_kind = 'comment' AND target_id = ${Number(c.id)}`));
}
const count = async (table, where) => Number(await sql(`SELECT count(*) FROM ${table} WHERE ${where}`));

// Each row: method, label, prepare(actor) → {path, body} (a fresh object for each actor, so that a
// write that succeeds never changes what the next actor meets), the status for each of ACTORS, and
// whether the answer is public (the one cached public list) or private. A write without a session is
// a 401 before anything is looked up, as everywhere in the API.
const ROWS = [
  { method: 'GET', label: '/initiatives/{id}/comments', prepare: () => ({ path: commentsPath() }), expect: [200, 200, 200, 200, 200, 200], public: true },
  {
    method: 'POST',
    label: '/initiatives/{id}/comments',
    prepare: () => ({ path: commentsPath(), body: { body: `Bonjour ${MARK}` } }),
    expect: [401, 403, 201, 201, 201, 201],
    unverified: true, // 403 unverified: publishing needs a confirmed address
  },
  { method: 'GET', label: '/me/comments?initiative=', prepare: () => ({ path: `${V1}/me/comments?initiative=${ids[0]}` }), expect: [401, 200, 200, 200, 200, 200] },
  {
    method: 'PATCH',
    label: "/comments/{id} (the author's, visible)",
    prepare: async () => ({ path: `${V1}/comments/${(await postComment()).id}`, body: { version: 1, body: `Corrigé ${MARK}` } }),
    expect: [401, 403, 403, 200, 403, 403],
  },
  {
    method: 'PATCH',
    label: "/comments/{id} (the author's, hidden)",
    prepare: async () => ({ path: `${V1}/comments/${(await hiddenComment()).id}`, body: { version: 2, body: `Corrigé ${MARK}` } }),
    expect: [401, 404, 404, 403, 403, 403],
  },
  { method: 'DELETE', label: "/comments/{id} (the author's)", prepare: async () => ({ path: `${V1}/comments/${(await postComment()).id}` }), expect: [401, 403, 403, 204, 204, 204] },
  { method: 'DELETE', label: "/comments/{id} (hidden)", prepare: async () => ({ path: `${V1}/comments/${(await hiddenComment()).id}` }), expect: [401, 404, 404, 204, 204, 204] },
  { method: 'POST', label: '/comments/{id}/hide', prepare: async () => ({ path: `${V1}/comments/${(await postComment()).id}/hide`, body: {} }), expect: [401, 403, 403, 403, 200, 200] },
  { method: 'POST', label: '/comments/{id}/unhide', prepare: async () => ({ path: `${V1}/comments/${(await hiddenComment()).id}/unhide`, body: {} }), expect: [401, 404, 404, 403, 200, 200] },
  {
    method: 'POST',
    label: '/reports (an initiative)',
    prepare: () => ({ path: `${V1}/reports`, body: { target: { kind: 'initiative', id: ids[0] }, reason: `Adresse fausse ${MARK}`, website: '' } }),
    expect: [202, 202, 202, 202, 202, 202],
  },
  {
    method: 'POST',
    label: '/reports/{id}/review',
    prepare: async () => ({ path: `${V1}/reports/${await openReport()}/review`, body: { version: 1, decision: 'dismiss' } }),
    expect: [401, 403, 403, 403, 200, 200],
  },
  { method: 'GET', label: '/moderation/reports', prepare: () => ({ path: `${V1}/moderation/reports?status=open` }), expect: [401, 403, 403, 403, 200, 200] },
];

const CODES = { 401: 'unauthenticated', 404: 'not_found' };

for (const row of ROWS) {
  test(`${row.method} ${row.label}: ${ACTORS.map((a, i) => `${a} ${row.expect[i]}`).join(', ')}`, async () => {
    for (const [i, actor] of ACTORS.entries()) {
      const { path, body } = await row.prepare(actor);
      const res = await send(actor, row.method, path, body);
      const what = `${actor} ${row.method} ${path}`;
      assert.equal(res.status, row.expect[i], `${what}: ${brief(res)}`);
      if (CODES[res.status]) assert.equal(res.json?.error?.code, CODES[res.status], `${what}: ${brief(res)}`);
      if (res.status === 403 && actor === 'unverified' && row.unverified) assert.equal(res.json.error.code, 'unverified', brief(res));
      if (row.public) assert.notEqual(res.headers.get('cache-control'), 'private, no-store', `${what}: the public list is public`);
      else assert.equal(res.headers.get('cache-control'), 'private, no-store', `${what}: a personal answer is private`);
    }
  });

  // Every write a session authenticates: refused without its CSRF token or from another site, before
  // anything is looked up, so for the first signed-in actor of the row whatever it may otherwise do.
  if (row.method !== 'GET') {
    test(`${row.method} ${row.label}: without the CSRF token, or from another site, refused`, async () => {
      const actor = ACTORS.find((a, i) => a !== 'anonymous' && row.expect[i] !== 401);
      for (const opts of [{ csrf: false }, { headers: { origin: 'https://evil.example' } }]) {
        const { path, body } = await row.prepare(actor);
        const res = await send(actor, row.method, path, body, opts);
        assertError(res, 403, 'csrf_failed');
      }
    });
  }
}

test('writes that a session authenticates need its CSRF token and the site as origin; nothing changes otherwise', async () => {
  const c = await postComment();
  for (const [what, opts] of [
    ['no CSRF token', { csrf: false }],
    ['another Origin', { headers: { origin: 'https://evil.example' } }],
    ['a cross-site fetch', { headers: { 'sec-fetch-site': 'cross-site' } }],
  ]) {
    const res = await clients.author.patch(`${V1}/comments/${c.id}`, { version: 1, body: `Changé ${MARK}` }, opts);
    assertError(res, 403, 'csrf_failed');
    const rep = await clients.member.post(`${V1}/reports`, { target: { kind: 'comment', id: c.id }, reason: `csrf ${what} ${MARK}` }, opts);
    assertError(rep, 403, 'csrf_failed');
  }
  assert.equal(await sql(`SELECT body || ' ' || version FROM comment WHERE id = ${c.id}`), `Un commentaire ${MARK} 1`);
  assert.equal(await count('report', `reason LIKE 'csrf %${MARK}'`), 0);
  const anon = await api(`${V1}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
    body: JSON.stringify({ target: { kind: 'initiative', id: ids[0] }, reason: `csrf anonyme ${MARK}` }),
  });
  assertError(anon, 403, 'csrf_failed');
  assert.equal(await count('report', `reason = ${lit(`csrf anonyme ${MARK}`)}`), 0);
});

test('HTML and scripts in a comment are text: body as typed, body_html escaped with only http(s) links', async () => {
  const text = `<script>alert(1)</script> voir https://exemple.fr/a?b=1&c=2. et javascript:alert(1) <img src=x onerror="alert('x')"> (http://b.fr/x_(y)) ${MARK}`;
  const c = await postComment(`  ${text}\n`);
  assert.equal(c.body, text, 'stored as typed, trimmed');
  const expected =
    '&lt;script&gt;alert(1)&lt;/script&gt; voir ' +
    '<a href="https://exemple.fr/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://exemple.fr/a?b=1&amp;c=2</a>. ' +
    'et javascript:alert(1) &lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; ' +
    '(<a href="http://b.fr/x_(y)" rel="nofollow ugc noopener">http://b.fr/x_(y)</a>) ' +
    MARK;
  assert.equal(c.body_html, expected);
  const list = (await api(`${commentsPath()}?limit=100`)).json;
  let found = list.items.find((x) => x.id === c.id);
  for (let cursor = list.next_cursor; !found && cursor; ) {
    const page = (await api(`${commentsPath()}?limit=100&cursor=${encodeURIComponent(cursor)}`)).json;
    found = page.items.find((x) => x.id === c.id);
    cursor = page.next_cursor;
  }
  assert.ok(found, 'the comment is in the public list');
  assert.equal(found.body, text);
  assert.equal(found.body_html, expected);
  assert.deepEqual(found.author, { id: clients.author.id, name: 'Autrice' });
  assert.deepEqual(Object.keys(found).sort(), ['author', 'body', 'body_html', 'created_at', 'editable_until', 'edited_at', 'id', 'version']);
  assert.equal(Date.parse(found.editable_until) - Date.parse(found.created_at), 15 * 60 * 1000);
  assert.equal(found.edited_at, null);

  const reason = `<b>faux</b> <script>document.cookie</script> ${MARK}`;
  await created(await api(`${V1}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target: { kind: 'comment', id: c.id }, reason }),
  }), 202);
  const reports = await clients.moderator.get(`${V1}/moderation/reports?status=open&limit=50`);
  assert.equal(reports.status, 200, brief(reports));
  let report;
  for (let page = reports.json; !report; ) {
    report = page.items.find((r) => r.reason === reason);
    if (report || !page.next_cursor) break;
    page = (await clients.moderator.get(`${V1}/moderation/reports?status=open&limit=50&cursor=${encodeURIComponent(page.next_cursor)}`)).json;
  }
  assert.ok(report, 'the report is in the open list, its reason as typed');
  assert.equal(report.reporter, null, 'sent signed out');
  assert.equal(report.comment.body, text);
  assert.equal(report.comment.body_html, expected);
  assert.deepEqual(report.target, { kind: 'comment', id: c.id });
  assert.equal(report.initiative.id, ids[0]);
});

test('bad bodies are refused naming the field, and nothing is written', async () => {
  const where = `initiative_id = ${ids[0]} AND author_id = ${clients.author.id}`;
  const before = await count('comment', where);
  const cases = [
    [{ body: 'x'.repeat(5001) }, 'body'],
    [{ body: '   \n ' }, 'body'],
    [{ body: 12 }, 'body'],
    [{ body: ['a'] }, 'body'],
    [{ body: `a\u0001b ${MARK}` }, 'body'],
    [{ body: `ok ${MARK}`, extra: 1 }, 'extra'],
    [{}, 'body'],
  ];
  for (const [body, field] of cases) assertError(await clients.author.post(commentsPath(), body), 400, 'invalid_field', field);
  // Bytes that are not UTF-8: the body is refused as a whole before any field is read.
  const bad = Buffer.concat([Buffer.from('{"body":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from(`${MARK}"}`)]);
  assertError(await clients.author.post(commentsPath(), bad), 400, 'invalid_json');
  assertError(await clients.author.post(commentsPath(), '{"body":"\\ud800 x"}'), 400, 'invalid_json');
  assertError(await clients.author.post(commentsPath(), JSON.stringify({ body: 'a'.repeat(70 * 1024) })), 413, 'payload_too_large');
  assert.equal(await count('comment', where), before, 'no comment was written');
  // 5,000 characters of two bytes each are accepted.
  const long = `${MARK} ${'é'.repeat(5000 - MARK.length - 1)}`;
  assert.equal((await postComment(long)).body, long);

  const c = await postComment();
  const patches = [
    [{ version: 1, body: 'y'.repeat(5001) }, 'body'],
    [{ version: '1', body: 'changé' }, 'version'],
    [{ body: 'changé' }, 'version'],
    [{ version: 1, body: 'changé', author_id: 1 }, 'author_id'],
  ];
  for (const [body, field] of patches) assertError(await clients.author.patch(`${V1}/comments/${c.id}`, body), 400, 'invalid_field', field);
  assert.equal(await sql(`SELECT body || ' ' || version FROM comment WHERE id = ${c.id}`), `Un commentaire ${MARK} 1`);

  const reportsBefore = await count('report', 'true');
  const reports = [
    [{ target: { kind: 'page', id: ids[0] }, reason: `r ${MARK}` }, 'target.kind'],
    [{ target: { kind: 'initiative', id: String(ids[0]) }, reason: `r ${MARK}` }, 'target.id'],
    [{ target: { kind: 'initiative', id: ids[0], extra: true }, reason: `r ${MARK}` }, 'target'],
    [{ target: 'initiative', reason: `r ${MARK}` }, 'target'],
    [{ target: { kind: 'initiative', id: ids[0] } }, 'reason'],
    [{ target: { kind: 'initiative', id: ids[0] }, reason: ' ' }, 'reason'],
    [{ target: { kind: 'initiative', id: ids[0] }, reason: 'z'.repeat(2001) }, 'reason'],
    [{ target: { kind: 'initiative', id: ids[0] }, reason: `r ${MARK}`, email: 'pas une adresse' }, 'email'],
    [{ target: { kind: 'initiative', id: ids[0] }, reason: `r ${MARK}`, website: 5 }, 'website'],
    [{ target: { kind: 'initiative', id: ids[0] }, reason: `r ${MARK}`, priority: 'haute' }, 'priority'],
  ];
  for (const [body, field] of reports) {
    const res = await api(`${V1}/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assertError(res, 400, 'invalid_field', field);
  }
  const unknown = await api(`${V1}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target: { kind: 'comment', id: 2 ** 53 - 1 }, reason: `r ${MARK}` }),
  });
  assertError(unknown, 404, 'not_found', 'target.id');
  assert.equal(await count('report', 'true'), reportsBefore, 'no report was written');

  const reportId = Number(
    await sql(`INSERT INTO report (target_kind, target_id, initiative_id, reason) VALUES ('initiative', ${ids[0]}, ${ids[0]}, ${lit(`r ${MARK}`)}) RETURNING id`),
  );
  for (const [body, field] of [
    [{ version: 1, decision: 'hide' }, 'decision'],
    [{ version: 1, decision: 'delete' }, 'decision'],
    [{ version: 1 }, 'decision'],
    [{ decision: 'dismiss' }, 'version'],
  ])
    assertError(await clients.moderator.post(`${V1}/reports/${reportId}/review`, body), 400, 'invalid_field', field);
  assert.equal(await sql(`SELECT status || ' ' || version FROM report WHERE id = ${reportId}`), 'open 1');
  assertError(await clients.moderator.get(`${V1}/moderation/reports?status=closed`), 400, 'invalid_parameter', 'status');
});

test('the author may change a comment for 15 minutes (on the clock of the rules), then 403 in French; stale versions 409', async () => {
  const c = await postComment();
  try {
    await moveClock('14 minutes');
    const ok = await clients.author.patch(`${V1}/comments/${c.id}`, { version: 1, body: `Corrigé à temps ${MARK}` });
    assert.equal(ok.status, 200, brief(ok));
    assert.equal(ok.json.version, 2);
    assert.equal(ok.json.body, `Corrigé à temps ${MARK}`);
    assert.ok(ok.json.edited_at, 'edited_at is set');

    const stale = await clients.author.patch(`${V1}/comments/${c.id}`, { version: 1, body: `Ancienne version ${MARK}` });
    assert.equal(stale.status, 409, brief(stale));
    assert.equal(stale.json.error.code, 'conflict');
    assert.equal(stale.json.current_version, 2);
    assert.equal(stale.json.current.body, `Corrigé à temps ${MARK}`);

    await moveClock('2 minutes');
    const late = await clients.author.patch(`${V1}/comments/${c.id}`, { version: 2, body: `Trop tard ${MARK}` });
    assertError(late, 403, 'edit_window_closed');
    assert.match(late.json.error.message, /15 minutes/);
    assert.equal(await sql(`SELECT body || ' ' || version FROM comment WHERE id = ${c.id}`), `Corrigé à temps ${MARK} 2`);
    // Deleting one's own comment has no time limit.
    assert.equal((await clients.author.del(`${V1}/comments/${c.id}`)).status, 204);
    assert.equal(await count('comment', `id = ${c.id}`), 0);
  } finally {
    await resetClock();
  }
});

test('a hidden comment leaves the public list, also after the list was cached; its author still sees it, marked hidden', async () => {
  const initiative = ids[1];
  const c = await postComment(`À masquer ${MARK}`, 'author', initiative);
  const path = `${commentsPath(initiative)}?limit=100`;
  const first = await api(path);
  const second = await api(path);
  assert.equal(second.status, 200);
  assert.equal(second.headers.get('x-cache'), 'HIT', 'the second read comes from the shared cache');
  assert.deepEqual(second.json, first.json);
  assert.ok(second.json.items.some((x) => x.id === c.id));

  const hide = await clients.moderator.post(`${V1}/comments/${c.id}/hide`, { reason: `Propos injurieux ${MARK}` });
  assert.equal(hide.status, 200, brief(hide));
  assert.equal(hide.json.hidden, true);
  const afterHide = await api(path);
  assert.equal(afterHide.status, 200);
  assert.ok(!afterHide.json.items.some((x) => x.id === c.id), 'gone from the public list');
  assert.equal((await api(path)).headers.get('x-cache'), 'HIT');

  const mine = await clients.author.get(`${V1}/me/comments?initiative=${initiative}`);
  assert.equal(mine.status, 200, brief(mine));
  assert.equal(mine.json.items.find((x) => x.id === c.id)?.hidden, true, 'the author sees it marked hidden');
  const others = await clients.member.get(`${V1}/me/comments?initiative=${initiative}`);
  assert.ok(!others.json.items.some((x) => x.id === c.id), "nobody else's own list holds it");

  // An edit shows at once too, and so does a deletion.
  const d = await postComment(`Avant ${MARK}`, 'author', initiative);
  assert.ok((await api(path)).json.items.some((x) => x.id === d.id));
  await created(await clients.author.patch(`${V1}/comments/${d.id}`, { version: 1, body: `Après ${MARK}` }), 200);
  assert.equal((await api(path)).json.items.find((x) => x.id === d.id)?.body, `Après ${MARK}`);
  assert.equal((await clients.author.del(`${V1}/comments/${d.id}`)).status, 204);
  assert.ok(!(await api(path)).json.items.some((x) => x.id === d.id));
});

test('pages follow a keyset cursor, oldest first, without repeats; an unpublished initiative has no comments', async () => {
  const made = [];
  for (let i = 0; i < 3; i++) made.push((await postComment(`Page ${i} ${MARK}`, 'member', ids[1])).id);
  const seen = [];
  let cursor = null;
  for (let n = 0; n < 200; n++) {
    const res = await api(`${commentsPath(ids[1])}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, brief(res));
    assert.ok(res.json.items.length <= 2);
    seen.push(...res.json.items.map((x) => x.id));
    cursor = res.json.next_cursor;
    if (!cursor) break;
  }
  assert.equal(new Set(seen).size, seen.length, 'no comment twice');
  const positions = made.map((id) => seen.indexOf(id));
  assert.ok(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])), `in the order written: ${positions}`);
  assertError(await api(`${commentsPath(ids[1])}?cursor=nope`), 400, 'invalid_parameter', 'cursor');
  assertError(await api(`${commentsPath(ids[1])}?limit=500`), 400, 'invalid_parameter', 'limit');
  assertError(await api(`${V1}/initiatives/999999999/comments`), 404, 'not_found');
  assertError(await clients.member.post(`${V1}/initiatives/999999999/comments`, { body: `x ${MARK}` }), 404, 'not_found');
});

test('a report of a comment, hidden by a moderator: the comment and every open report about it are closed; a second decision is a conflict', async () => {
  const c = await postComment(`Signalé ${MARK}`);
  for (const who of ['member', 'admin'])
    await created(await clients[who].post(`${V1}/reports`, { target: { kind: 'comment', id: c.id }, reason: `Insultant (${who}) ${MARK}`, email: 'moi@example.org' }), 202);
  const [first, second] = (await sql(`SELECT id FROM report WHERE target_kind = 'comment' AND target_id = ${c.id} ORDER BY id`)).split('\n').map(Number);
  const row = JSON.parse(await sql(`SELECT json_build_object('reporter', reporter_id, 'email', reporter_email, 'initiative', initiative_id) FROM report WHERE id = ${first}`));
  assert.deepEqual(row, { reporter: clients.member.id, email: 'moi@example.org', initiative: ids[0] });

  const res = await clients.moderator.post(`${V1}/reports/${first}/review`, { version: 1, decision: 'hide', reason: `Insulte ${MARK}` });
  assert.equal(res.status, 200, brief(res));
  assert.equal(res.json.status, 'resolved');
  assert.equal(res.json.decision, 'hide');
  assert.equal(res.json.comment.hidden, true);
  assert.equal(res.json.reviewed_by.id, clients.moderator.id);
  assert.equal(await sql(`SELECT status FROM comment WHERE id = ${c.id}`), 'hidden');
  assert.equal(await sql(`SELECT status || ' ' || decision FROM report WHERE id = ${second}`), 'resolved hide', 'the other report is closed too');

  const again = await clients.admin.post(`${V1}/reports/${first}/review`, { version: 1, decision: 'dismiss' });
  assert.equal(again.status, 409, brief(again));
  assert.equal(again.json.current.status, 'resolved');
  assertError(await clients.moderator.post(`${V1}/reports/999999999/review`, { version: 1, decision: 'dismiss' }), 404, 'not_found');
  // A hidden comment cannot be reported any more.
  const hiddenReport = await clients.member.post(`${V1}/reports`, { target: { kind: 'comment', id: c.id }, reason: `Encore ${MARK}` });
  assertError(hiddenReport, 404, 'not_found', 'target.id');

  const open = await clients.moderator.get(`${V1}/moderation/reports?status=open&limit=50`);
  assert.ok(!open.json.items.some((r) => r.id === first || r.id === second), 'no longer in the open list');
  const resolved = await clients.moderator.get(`${V1}/moderation/reports?status=resolved&limit=50`);
  assert.equal(resolved.status, 200, brief(resolved));
});

test('the honeypot: a filled "website" answers 202 like a real report and writes nothing', async () => {
  await resetRateLimits();
  const before = await count('report', 'true');
  const body = { target: { kind: 'initiative', id: ids[0] }, reason: `Robot ${MARK}`, website: 'http://spam.example' };
  const res = await api(`${V1}/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 202, brief(res));
  const real = await api(`${V1}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, website: '', reason: `Personne ${MARK}` }),
  });
  assert.equal(real.status, 202, brief(real));
  assert.deepEqual(res.json, real.json, 'the same answer');
  assert.equal(await count('report', 'true'), before + 1, 'only the real report was written');
  assert.equal(await count('report', `reason = ${lit(`Robot ${MARK}`)}`), 0);
});

test('reports signed out are rate limited per IP: 10 an hour, then 429 with Retry-After and nothing written', async () => {
  await resetRateLimits();
  const send1 = (i) =>
    api(`${V1}/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: { kind: 'initiative', id: ids[0] }, reason: `Limite ${i} ${MARK}` }),
    });
  try {
    for (let i = 0; i < 10; i++) assert.equal((await send1(i)).status, 202);
    const over = await send1(10);
    assertError(over, 429, 'rate_limited');
    assert.ok(Number(over.headers.get('retry-after')) > 0, 'Retry-After in seconds');
    assert.equal(await count('report', `reason LIKE ${lit(`Limite % ${MARK}`)}`), 10);
    // A signed-in member is counted apart.
    assert.equal((await clients.member.post(`${V1}/reports`, { target: { kind: 'initiative', id: ids[0] }, reason: `Membre ${MARK}` })).status, 202);
  } finally {
    await resetRateLimits();
  }
});

test('open reports wait in the one moderation queue (kind=report) with what was reported, and leave it once decided', async () => {
  const reportId = await openReport();
  const anonymous = await api(`${V1}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target: { kind: 'initiative', id: ids[1] }, reason: `En attente de décision ${MARK}` }),
  });
  assert.equal(anonymous.status, 202, brief(anonymous));
  const anonymousRaw = await sql(`SELECT id FROM report WHERE reason = ${lit(`En attente de décision ${MARK}`)}`);
  const anonymousId = Number(anonymousRaw);
  assert.ok(anonymousId > 0, `stored: ${JSON.stringify(anonymousRaw)}`);
  const queue = async () => {
    const items = [];
    let cursor;
    do {
      const res = await clients.moderator.get(`${V1}/moderation/queue?kind=report&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200, brief(res));
      items.push(...res.json.items);
      cursor = res.json.next_cursor;
    } while (cursor);
    return items;
  };
  let items = await queue();
  assert.ok(items.every((i) => i.kind === 'report'), 'only reports under kind=report');
  const ofComment = items.find((i) => i.id === reportId);
  assert.ok(ofComment, 'the report of a comment is in the queue');
  assert.equal(ofComment.summary, 'Commentaire signalé');
  assert.equal(ofComment.detail.target_kind, 'comment');
  assert.equal(ofComment.detail.reason, `Hors sujet ${MARK}`);
  assert.match(ofComment.detail.comment.body, new RegExp(MARK));
  assert.equal(ofComment.author.name, 'Autre membre');
  assert.equal(ofComment.initiative.id, ids[0]);
  const ofInitiative = items.find((i) => i.id === anonymousId);
  assert.ok(ofInitiative, 'an anonymous report is in the queue');
  assert.equal(ofInitiative.summary, 'Erreur signalée sur la fiche');
  assert.equal(ofInitiative.author, null, 'nobody named for an anonymous report');
  assert.equal(ofInitiative.detail.comment, null);
  // Decided: out of the queue.
  assert.equal((await clients.moderator.post(`${V1}/reports/${reportId}/review`, { version: 1, decision: 'dismiss' })).status, 200);
  items = await queue();
  assert.equal(items.find((i) => i.id === reportId), undefined, 'a decided report leaves the queue');
  assert.ok(items.find((i) => i.id === anonymousId));
  // Members do not see the queue.
  assertError(await clients.member.get(`${V1}/moderation/queue?kind=report`), 403, 'forbidden');
});
