// The local SMTP sink of `make run` and the tests: accepts every message on 127.0.0.1 and keeps it
// as a file, so that the e-mails of the job runner can be read without a mail server.
//
//   node tests/mail-sink/sink.mjs --port 8025 --dir var/mail [--delay-ms N]
//
// Each message is written as DIR/<time>-<n>.eml (the bytes received, unchanged) and indexed by one
// JSON line in DIR/index.jsonl: {"message_id", "to", "subject", "date", "file"}. A second delivery
// of a Message-ID already held is acknowledged (as a real server would) but not kept: it is logged
// and counted in DIR/duplicates.jsonl. --delay-ms (or SC_MAIL_SINK_DELAY_MS) waits before
// answering each message, to imitate a slow server in the tests.
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const port = Number(arg('port', process.env.SC_SMTP_PORT || 8025));
const dir = path.resolve(arg('dir', 'var/mail'));
const delayMs = Number(arg('delay-ms', process.env.SC_MAIL_SINK_DELAY_MS || 0));
const MAX_BYTES = 10 * 1024 * 1024;
const index = path.join(dir, 'index.jsonl');
const dupes = path.join(dir, 'duplicates.jsonl');

fs.mkdirSync(dir, { recursive: true });
const held = new Set();
if (fs.existsSync(index)) {
  for (const line of fs.readFileSync(index, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      held.add(JSON.parse(line).message_id);
    } catch {
      // a line cut by a crash: ignored
    }
  }
}

const log = (msg) => process.stdout.write(`${new Date().toISOString()} mail-sink: ${msg}\n`);

// The headers of a message, unfolded; names lower-cased.
function headersOf(raw) {
  const end = raw.indexOf('\r\n\r\n');
  const head = (end >= 0 ? raw.slice(0, end) : raw).replace(/\r\n[ \t]/g, ' ');
  const out = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] ??= line.slice(colon + 1).trim();
  }
  return out;
}

// RFC 2047 encoded words (B and Q) to text.
function decodeWords(s) {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, text) => {
      const bytes = /b/i.test(enc)
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return new TextDecoder(charset.toLowerCase() === 'utf-8' ? 'utf-8' : charset).decode(bytes);
    });
}

let seq = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  size: MAX_BYTES,
  logger: false,
  onData(stream, session, callback) {
    const chunks = [];
    let size = 0;
    stream.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BYTES) chunks.push(c);
    });
    stream.on('end', () => {
      const answer = () => {
        if (stream.sizeExceeded) {
          const err = new Error('message too large');
          err.responseCode = 552;
          return callback(err);
        }
        const raw = Buffer.concat(chunks);
        const h = headersOf(raw.toString('latin1'));
        const id = h['message-id'] || `<no-id-${Date.now()}-${seq}@mail-sink>`;
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (held.has(id)) {
          fs.appendFileSync(dupes, JSON.stringify({ message_id: id, to, date: new Date().toISOString() }) + '\n');
          log(`duplicate ${id} dropped`);
          return callback(null, 'duplicate dropped');
        }
        const file = `${Date.now()}-${process.pid}-${++seq}.eml`;
        fs.writeFileSync(path.join(dir, `.${file}.tmp`), raw);
        fs.renameSync(path.join(dir, `.${file}.tmp`), path.join(dir, file));
        held.add(id);
        const subject = decodeWords(Buffer.from(h.subject || '', 'latin1').toString('utf8'));
        fs.appendFileSync(index, JSON.stringify({ message_id: id, to, subject, date: new Date().toISOString(), file }) + '\n');
        log(`${id} for ${to.join(', ')} kept as ${file}`);
        callback(null, 'kept');
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  },
});
server.on('error', (err) => log(`error: ${err.message}`));
server.listen(port, '127.0.0.1', () => log(`listening on 127.0.0.1:${port}, messages in ${dir}${delayMs ? `, ${delayMs} ms per message` : ''}`));
// A client may keep its connection open between messages (the job runner does): do not wait for it.
const stop = () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 300).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
