// Log-ins for make bench: POST /api/v1/session with a correct password, either at a steady RATE per
// second or as a FLOOD of N clients each sending the next one as soon as the last is answered, for
// SECONDS. Prints one line: answers by status and latency percentiles.
//   node scripts/bench-logins.mjs BASE_URL EMAIL PASSWORD SECONDS (rate R | flood N)
const [base, email, password, seconds, mode, nText] = process.argv.slice(2);
const n = Number(nText);
if (!base || !email || !password || !(Number(seconds) > 0) || !['rate', 'flood'].includes(mode) || !(n > 0)) {
  console.error('usage: bench-logins.mjs BASE_URL EMAIL PASSWORD SECONDS (rate R | flood N)');
  process.exit(2);
}
const end = Date.now() + Number(seconds) * 1000;
const body = JSON.stringify({ email, password });
const statuses = new Map();
const latencies = [];

async function one() {
  const t0 = performance.now();
  let status = 0;
  try {
    const res = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    status = res.status;
    await res.arrayBuffer();
  } catch {
    status = 0;
  }
  latencies.push(performance.now() - t0);
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
}

const pending = new Set();
if (mode === 'rate') {
  const interval = 1000 / n;
  let next = Date.now();
  while (Date.now() < end) {
    const p = one();
    pending.add(p);
    p.finally(() => pending.delete(p));
    next += interval;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
} else {
  await Promise.all(Array.from({ length: n }, async () => {
    while (Date.now() < end) await one();
  }));
}
await Promise.all(pending);
latencies.sort((a, b) => a - b);
const pct = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1) : '–');
const counts = [...statuses].map(([s, c]) => `${s}: ${c}`).join(', ');
console.log(`${latencies.length} log-ins (${(latencies.length / Number(seconds)).toFixed(1)}/s; ${counts}), p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
