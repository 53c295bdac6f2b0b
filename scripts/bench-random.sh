#!/usr/bin/env bash
# The randomized search bench and its peer (docs/performance.md, "Randomized search bench"): search
# requests drawn at random from the whole space people use (scripts/bench-search-random.mjs; a new
# seed each run, printed, unless SC_BENCH_SEED is given), each asked once without cache, then the
# same requests asked of Sphinx (Debian's sphinxsearch) indexing the same initiatives, with the same
# number of requests in flight, on the same machine, in the same run. Appends its tables to OUT.
#   scripts/bench-random.sh BASE_URL OUT      (run stack started; scripts/bench.sh calls it)
#   SC_BENCH_RANDOM_N (default 800)  SC_BENCH_SEED  SC_BENCH_CONNECTIONS (default 8)
#   SC_SPHINX_PORT (default the HTTP port + 20; searchd listens on 127.0.0.1 only, under var/sphinx)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export SC_PROFILE=${SC_PROFILE:-run}
# shellcheck source=scripts/common.sh
. "$ROOT/scripts/common.sh"
BASE=${1:?usage: bench-random.sh BASE_URL OUT}
OUT=${2:?usage: bench-random.sh BASE_URL OUT}
N=${SC_BENCH_RANDOM_N:-800}
CONN=${SC_BENCH_CONNECTIONS:-8}
export SC_BENCH_CONNECTIONS=$CONN
SPHINX_PORT=${SC_SPHINX_PORT:-$((HTTP_PORT + 20))}
SPHINX_DIR=$VAR/sphinx
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=$DB_USER PGDATABASE=$DB_NAME
JS=$ROOT/scripts/bench-search-random.mjs
WORK=$(mktemp -d)
SEARCHD_UP=
cleanup() {
    [[ -z $SEARCHD_UP ]] || searchd --config "$SPHINX_DIR/sphinx.conf" --stopwait >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
command -v searchd >/dev/null || die "searchd is missing (make install-deps: sphinxsearch)"

# Without the cache, as the "no cache" rows of scripts/bench.sh: every request reaches PostgreSQL.
SC_CACHE_TTL=0 SC_RATE_LIMITS=0 bash "$ROOT/scripts/stack.sh" restart-api >/dev/null
seed=${SC_BENCH_SEED:-$((RANDOM * 32768 + RANDOM))}
SC_BENCH_SEED=$seed node "$JS" draw "$BASE" "$N" "$WORK/requests.jsonl"
# A warm-up set drawn with another seed, asked of both engines and not measured: connections
# open, statements prepared, index files read once. The measured requests are never asked before.
SC_BENCH_SEED=$((seed + 1)) node "$JS" draw "$BASE" 40 "$WORK/warm.jsonl" >/dev/null
node "$JS" api "$BASE" "$WORK/warm.jsonl" >/dev/null
jq -r .path "$WORK/requests.jsonl" >"$WORK/paths.txt"

echo "random search bench: the API (${CONN} in flight)…"
SC_BENCH_SUMMARY=$WORK/api.json node "$JS" api "$BASE" "$WORK/requests.jsonl"
# The same list through wrk, the instrument of the other rows (overall figures only), cycled for as
# long as the pass above took (wrk runs for a set time; a request met a second time is still not
# cached, but its pages are then warm in PostgreSQL).
wrk_s=$(jq -r '.seconds | ceil' "$WORK/api.json")
wrk_res=$(wrk -t1 -c"$CONN" -d"${wrk_s}s" --latency -s "$ROOT/scripts/bench-mix.lua" "$BASE" -- "$WORK/paths.txt")
wrk_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$wrk_res")
wrk_p50=$(awk '$1 == "50%" {print $2}' <<<"$wrk_res")
wrk_p99=$(awk '$1 == "99%" {print $2}' <<<"$wrk_res")
wrk_bad=$(grep -c 'Non-2xx' <<<"$wrk_res" || true)

# The peer: its index is built from the database when the published initiatives changed since
# the last build (a count and the latest write), then searchd is started on loopback, asked the
# same list, and stopped.
mkdir -p "$SPHINX_DIR"
node "$ROOT/scripts/bench-search-sphinx.mjs" config "$SPHINX_DIR" "$PG_PORT" "$SPHINX_PORT" >/dev/null
stamp=$(psql -XAtc "SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM initiative WHERE status = 'published'")
index_s=0
if [[ ! -f $SPHINX_DIR/indexed || $(cat "$SPHINX_DIR/indexed") != "$stamp" || ! -f $SPHINX_DIR/data/initiatives.spa ]]; then
    echo "random search bench: Sphinx indexes the initiatives…"
    t0=$(date +%s)
    indexer --config "$SPHINX_DIR/sphinx.conf" --all --quiet >"$SPHINX_DIR/indexer.log" 2>&1 ||
        { tail -5 "$SPHINX_DIR/indexer.log" >&2; die "the Sphinx indexer failed"; }
    index_s=$(($(date +%s) - t0))
    printf '%s' "$stamp" >"$SPHINX_DIR/indexed"
fi
searchd --config "$SPHINX_DIR/sphinx.conf" >"$SPHINX_DIR/searchd.out" 2>&1 || die "searchd did not start"
SEARCHD_UP=1
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$SPHINX_PORT") 2>/dev/null && break; sleep 0.1; done
node "$JS" sphinx "$SPHINX_PORT" "$WORK/warm.jsonl" >/dev/null
echo "random search bench: Sphinx (${CONN} in flight)…"
SC_BENCH_SUMMARY=$WORK/sphinx.json node "$JS" sphinx "$SPHINX_PORT" "$WORK/requests.jsonl"
searchd --config "$SPHINX_DIR/sphinx.conf" --stopwait >/dev/null 2>&1 || true
SEARCHD_UP=

{
    echo
    echo "Randomized search bench (scripts/bench-random.sh): seed $seed, $N requests drawn at random,"
    echo "each asked once, no cache, $CONN in flight; Sphinx $(searchd --help 2>/dev/null | head -1 | awk '{print $2}')"
    echo "on the same initiatives, the same requests translated to SphinxQL (ids, total and facet counts),"
    echo "same client, same concurrency, right after. Sphinx index build: ${index_s} s (0: unchanged, reused)."
    echo "wrk over the same list for ${wrk_s} s (API): $wrk_rps requests/s, p50 $wrk_p50, p99 $wrk_p99$([[ $wrk_bad == 0 ]] || echo ' (non-2xx answers!)')."
    echo
    node "$JS" compare "$WORK/api.json" "$WORK/sphinx.json"
} | tee -a "$OUT"
