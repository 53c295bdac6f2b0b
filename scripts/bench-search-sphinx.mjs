// The peer of the randomized search bench (scripts/bench-search-random.mjs): Sphinx 2.2 (Debian's
// sphinxsearch) over the same initiatives, asked the same requests through SphinxQL.
//
//   node bench-search-sphinx.mjs config VAR_DIR PG_PORT SPHINX_PORT   writes VAR_DIR/sphinx.conf
//   (the bench section then runs indexer and searchd with it, and bench-search-random.mjs sphinx)
//
// What makes the comparison fair, and where it is not:
// - The same documents: every published initiative, with the same text in four weighted parts as
//   the search's own tsvector (title; summary + actor name; description; theme labels and place
//   names), stemmed for French (libstemmer_fr, the Snowball stemmer PostgreSQL's french_stem uses),
//   accents and case folded, PostgreSQL's French stop words.
// - The same requests, translated one by one (translate() below): words ANDed, "phrase", -word,
//   OR; every filter as an attribute filter (codes as 32-bit hashes, the same on both sides); the
//   same sort; the same page size; facets computed the same disjunctive way (a facet whose own
//   filter is set is counted by a separate grouped query without that filter, as the API does).
// - Sphinx answers ids, the total and facet counts only: no excerpt, no item fields, no JSON, no
//   HTTP (the API does all of that). Pages 2 and 3 are LIMIT offsets (the API follows a cursor).
//   A word that matches nothing is not corrected (the API searches close words instead), and
//   Sphinx has no "title first" ordering for large free-word searches. These favour Sphinx.
import { createHash } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';

// A code's attribute value on both sides: the first 32 bits of its MD5 (PostgreSQL computes the
// same in the indexer's query, see H() below).
export const h = (code) => parseInt(createHash('md5').update(code).digest('hex').slice(0, 8), 16);
const H = (expr) => `('x' || substr(md5(${expr}), 1, 8))::bit(32)::bigint`;
const HARR = (expr) => `array_to_string(ARRAY(SELECT ${H('x')} FROM unnest(${expr}) x), ',')`;

// Accented Latin letters folded to their base letter, as unaccent does for the search.
const FOLD = {
  a: 'àáâãäåÀÁÂÃÄÅ', c: 'çÇ', e: 'èéêëÈÉÊË', i: 'ìíîïÌÍÎÏ', n: 'ñÑ', o: 'òóôõöøÒÓÔÕÖØœŒ', u: 'ùúûüÙÚÛÜ', y: 'ýÿÝŸ', ae: '',
};
function charsetTable() {
  const parts = ['0..9', 'A..Z->a..z', 'a..z'];
  for (const [base, chars] of Object.entries(FOLD)) {
    if (base.length !== 1) continue;
    for (const ch of chars) parts.push(`U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(2, '0')}->${base}`);
  }
  parts.push('U+E6->a', 'U+C6->a');
  return parts.join(', ');
}

export function config(varDir, pgPort, port) {
  mkdirSync(`${varDir}/data`, { recursive: true });
  const extra = `concat_ws(' ',
      (SELECT string_agg(label_fr, ' ') FROM vocabulary
        WHERE (kind = 'theme' AND code = ANY (i.themes)) OR (kind = 'subtheme' AND code = ANY (i.subthemes))),
      (SELECT name FROM territory WHERE level = 'commune' AND code = i.commune_code),
      (SELECT name FROM territory WHERE level = 'departement' AND code = i.departement_code),
      (SELECT name FROM territory WHERE level = 'region' AND code = i.region_code))`;
  const q = `SELECT i.id, i.title, concat_ws(' ', i.summary, i.actor_name) AS summary, i.description,
      ${extra} AS extra,
      ${H('i.actor_type')} AS actor_type, ${H('i.scale')} AS scale, ${H('i.stage')} AS stage,
      coalesce(i.start_year, 0) AS start_year, extract(epoch FROM i.created_at)::bigint AS created,
      sc_normalize(i.title) AS title_key,
      ${H('i.region_code')} AS region, ${H('i.departement_code')} AS departement, ${H('i.commune_code')} AS commune,
      coalesce(radians(ST_Y(i.geom)), 0) AS lat_r, coalesce(radians(ST_X(i.geom)), 0) AS lon_r,
      coalesce(ST_Y(i.geom), 0) AS lat_d, coalesce(ST_X(i.geom), 0) AS lon_d,
      ${HARR('i.themes')} AS themes, ${HARR('i.subthemes')} AS subthemes, ${HARR('i.publics')} AS publics,
      array_to_string(ARRAY(SELECT ${H('s.code')} FROM source_record sr JOIN source s ON s.id = sr.source_id
                             WHERE sr.initiative_id = i.id AND sr.gone_at IS NULL), ',') AS sources
    FROM initiative i WHERE i.status = 'published' AND i.id BETWEEN $start AND $end`;
  const conf = `# Written by scripts/bench-search-sphinx.mjs for the randomized search bench: the peer's index.
source initiatives
{
    type = pgsql
    sql_host = 127.0.0.1
    sql_port = ${pgPort}
    sql_user = socialconnect
    sql_pass =
    sql_db = socialconnect
    sql_query_range = SELECT min(id), max(id) FROM initiative
    sql_range_step = 50000
    sql_query = ${q.replace(/\n\s*/g, ' ')}
    sql_attr_uint = actor_type
    sql_attr_uint = scale
    sql_attr_uint = stage
    sql_attr_uint = start_year
    sql_attr_uint = region
    sql_attr_uint = departement
    sql_attr_uint = commune
    sql_attr_timestamp = created
    sql_attr_string = title_key
    sql_attr_float = lat_r
    sql_attr_float = lon_r
    sql_attr_float = lat_d
    sql_attr_float = lon_d
    sql_attr_multi = uint themes from field
    sql_attr_multi = uint subthemes from field
    sql_attr_multi = uint publics from field
    sql_attr_multi = uint sources from field
}
index initiatives
{
    source = initiatives
    path = ${varDir}/data/initiatives
    docinfo = extern
    morphology = libstemmer_fr
    stopwords = /usr/share/postgresql/15/tsearch_data/french.stop
    stopwords_unstemmed = 1
    min_word_len = 1
    charset_table = ${charsetTable()}
}
indexer
{
    mem_limit = 512M
}
searchd
{
    listen = 127.0.0.1:${port}:mysql41
    log = ${varDir}/searchd.log
    pid_file = ${varDir}/searchd.pid
    binlog_path =
    workers = threads
}
`;
  writeFileSync(`${varDir}/sphinx.conf`, conf);
}

// --- translation --------------------------------------------------------------------------------
const lit = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
// The API's query language for the drawn requests: words, "phrase", -word, OR. Sphinx's extended
// syntax says the same with | for OR.
function matchText(q) {
  return q.replace(/ OR /g, ' | ');
}
const ATTR = { theme: 'themes', subtheme: 'subthemes', public: 'publics', source: 'sources', actor_type: 'actor_type',
  scale: 'scale', stage: 'stage', region: 'region', departement: 'departement', year: 'start_year' };
// The parameter that filters each facet's own dimension (left out of that facet's counts).
const OWN = { theme: 'theme', subtheme: 'subtheme', public: 'public', source: 'source', actor_type: 'actor_type',
  scale: 'scale', stage: 'stage', region: 'territory', departement: 'territory', year: 'year' };

function conditions(p, leaveOut) {
  const w = [];
  if (p.q) w.push(`MATCH(${lit(matchText(p.q))})`);
  for (const k of ['theme', 'subtheme', 'public', 'source', 'actor_type', 'scale', 'stage']) {
    if (p[k] && leaveOut !== k) w.push(`${ATTR[k]} IN (${p[k].split(',').map(h).join(',')})`);
  }
  if (p.territory && leaveOut !== 'territory') {
    const [level, code] = p.territory.split(':');
    w.push(`${level} = ${h(code)}`);
  }
  if (leaveOut !== 'year') {
    if (p.year_min) w.push(`start_year >= ${Number(p.year_min)}`);
    if (p.year_max) w.push(`start_year <= ${Number(p.year_max)}`);
  }
  if (p.near) w.push(`d <= ${Number(p.near.split(',')[2]) * 1000}`);
  if (p.bbox) {
    const [a, b, c, d] = p.bbox.split(',').map(Number);
    w.push(`lon_d BETWEEN ${a} AND ${c}`, `lat_d BETWEEN ${b} AND ${d}`);
  }
  return w;
}

function selectList(p) {
  if (!p.near) return 'id';
  const [lat, lon] = p.near.split(',').map(Number);
  return `id, GEODIST(lat_r, lon_r, ${((lat * Math.PI) / 180).toFixed(7)}, ${((lon * Math.PI) / 180).toFixed(7)}) AS d`;
}
const where = (w) => (w.length ? ` WHERE ${w.join(' AND ')}` : '');

// A request → one SphinxQL batch: the page (with the facets whose own filter is not set, as FACET
// clauses), SHOW META for the total, then one grouped query per facet whose own filter is set.
export function translate(r) {
  const p = r.params;
  const sort = p.sort || (p.q ? 'relevance' : 'recent');
  const order = { relevance: 'WEIGHT() DESC, id ASC', recent: 'created DESC, id DESC', name: 'title_key ASC, id ASC',
    distance: 'd ASC, id ASC' }[sort];
  const facets = p.facets ? p.facets.split(',') : [];
  const own = facets.filter((f) => {
    const k = OWN[f];
    return k === 'year' ? p.year_min || p.year_max : p[k];
  });
  const plain = facets.filter((f) => !own.includes(f));
  const option = p.q ? ' OPTION field_weights=(title=10, summary=4, description=2, extra=1)' : '';
  let main = `SELECT ${selectList(p)} FROM initiatives${where(conditions(p))} ORDER BY ${order} LIMIT ${(r.page - 1) * 20}, 20${option}`;
  for (const f of plain) main += ` FACET ${ATTR[f]} ORDER BY COUNT(*) DESC LIMIT 200`;
  const stmts = [main, 'SHOW META'];
  for (const f of own) {
    stmts.push(`SELECT ${selectList(p)}, COUNT(*) AS n FROM initiatives${where(conditions(p, OWN[f]))} GROUP BY ${ATTR[f]} ORDER BY n DESC LIMIT 200`);
  }
  return stmts.join('; ');
}

// --- a minimal MySQL-protocol client (what SphinxQL speaks): handshake, COM_QUERY, result sets --
export class SphinxClient {
  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.waiters = [];
    sock.on('data', (d) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.pump();
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('searchd closed the connection')));
  }
  fail(e) {
    for (const w of this.waiters.splice(0)) w.reject(e);
    this.error = e;
  }
  pump() {
    while (this.waiters.length && this.buf.length >= 4) {
      const len = this.buf.readUIntLE(0, 3);
      if (this.buf.length < 4 + len) return;
      const payload = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      this.waiters.shift().resolve(payload);
    }
  }
  packet() {
    return new Promise((resolve, reject) => {
      if (this.error) return reject(this.error);
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }
  send(seq, payload) {
    const head = Buffer.alloc(4);
    head.writeUIntLE(payload.length, 0, 3);
    head[3] = seq;
    this.sock.write(Buffer.concat([head, payload]));
  }
  static async connect(host, port) {
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    await new Promise((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const c = new SphinxClient(sock);
    await c.packet(); // server greeting
    const caps = 0x1 | 0x200 | 0x8000 | 0x10000 | 0x20000; // long password, 4.1, secure, multi statements/results
    const p = Buffer.alloc(32);
    p.writeUInt32LE(caps, 0);
    p.writeUInt32LE(1 << 24, 4);
    p[8] = 33; // utf8
    c.send(1, Buffer.concat([p, Buffer.from('bench\0'), Buffer.from([0])]));
    const ok = await c.packet();
    if (ok[0] === 0xff) throw new Error('searchd refused the connection: ' + ok.subarray(9).toString());
    return c;
  }
  // Sends a batch of statements and reads every result set; resolves to their rows.
  async batch(sql) {
    this.send(0, Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]));
    const sets = [];
    for (;;) {
      const first = await this.packet();
      if (first[0] === 0xff) throw new Error('SphinxQL: ' + first.subarray(3).toString().replace(/^#\w{5}/, '') + ' in ' + sql.slice(0, 300));
      let more;
      if (first[0] === 0x00) {
        more = false; // OK packet: no rows (not expected for SELECT)
        sets.push([]);
        break;
      }
      const ncols = first[0];
      for (let k = 0; k < ncols; k++) await this.packet();
      let eof = await this.packet(); // end of column definitions
      const rows = [];
      for (;;) {
        const row = await this.packet();
        if (row[0] === 0xfe && row.length < 9) {
          eof = row;
          break;
        }
        if (row[0] === 0xff) throw new Error('SphinxQL: ' + row.subarray(3).toString());
        rows.push(row);
      }
      sets.push(rows);
      more = (eof.readUInt16LE(3) & 0x0008) !== 0;
      if (!more) break;
    }
    return sets;
  }
  close() {
    this.sock.end();
  }
}

if (process.argv[2] === 'config') {
  const [, , , varDir, pgPort, port] = process.argv;
  config(varDir, pgPort, port);
  console.log(`${varDir}/sphinx.conf written`);
}
