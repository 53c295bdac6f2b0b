// Slow clients for make chaos (scripts/chaos.sh): opens N connections to nginx and keeps them busy
// for S seconds without ever completing a request. Half send a request one byte at a time (one byte
// every 500 ms, the header never ends); the other half connect and send nothing. On SIGTERM or after
// S seconds, prints one line: "SLOW opened=… open_at_end=… closed_by_server=… refused=…".
//
//   node scripts/chaos-slow.mjs HOST PORT N SECONDS
import net from 'node:net';

const [host = '127.0.0.1', port = '8080', count = '200', seconds = '20'] = process.argv.slice(2);
const n = Number(count);
const stats = { opened: 0, closed_by_server: 0, refused: 0 };
const sockets = new Set();
const request = Buffer.from(`GET /api/v1/health HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: chaos-slow\r\nX-Slow: ${'z'.repeat(4000)}`);
let finishing = false;

function open(i) {
  const s = net.connect({ host, port: Number(port) });
  let pos = 0;
  let timer = null;
  s.setNoDelay(true);
  s.on('connect', () => {
    stats.opened++;
    sockets.add(s);
    if (i % 2 === 0) {
      timer = setInterval(() => {
        if (pos < request.length) s.write(request.subarray(pos, ++pos));
      }, 500);
    }
  });
  s.on('data', () => {}); // a 408 or 400 from nginx: read and wait for the close
  s.on('error', (err) => {
    if (!sockets.has(s)) stats.refused++;
    else if (!finishing) stats.closed_by_server++;
    sockets.delete(s);
    if (timer) clearInterval(timer);
    void err;
  });
  s.on('close', () => {
    if (sockets.has(s) && !finishing) stats.closed_by_server++;
    sockets.delete(s);
    if (timer) clearInterval(timer);
  });
}

function finish() {
  if (finishing) return;
  finishing = true;
  const openAtEnd = sockets.size;
  for (const s of sockets) s.destroy();
  process.stdout.write(
    `SLOW opened=${stats.opened} open_at_end=${openAtEnd} closed_by_server=${stats.closed_by_server} refused=${stats.refused}\n`,
  );
  process.exit(0);
}

for (let i = 0; i < n; i++) open(i);
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
setTimeout(finish, Number(seconds) * 1000);
