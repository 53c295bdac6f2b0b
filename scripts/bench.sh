#!/usr/bin/env bash
# make bench: wrk over loopback against the run stack (started if needed). Each API figure is printed
# beside its limits measured in the same run: nginx serving the same bytes as a static file, and the
# bare SQL of the endpoint run by pgbench. Results: stdout and var/bench/last.md.
#   SC_BENCH_DURATION (default 10s)  SC_BENCH_CONNECTIONS (default 8)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export SC_PROFILE=run
# shellcheck source=scripts/common.sh
. "$ROOT/scripts/common.sh"
DUR=${SC_BENCH_DURATION:-10s}
CONN=${SC_BENCH_CONNECTIONS:-8}
BASE=http://127.0.0.1:$HTTP_PORT
command -v wrk >/dev/null || die "wrk is missing (make install-deps)"
mkdir -p "$VAR/bench"
OUT=$VAR/bench/last.md
STATIC_DIR=$ROOT/frontend/dist/__bench
trap 'rm -rf "$STATIC_DIR"' EXIT

bash "$ROOT/scripts/stack.sh" start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=$DB_USER PGDATABASE=$DB_NAME
rows=$(psql -XAtc "SELECT count(*) FROM initiative WHERE status = 'published'")
id=$(psql -XAtc "SELECT id FROM initiative WHERE status = 'published' ORDER BY id LIMIT 1")

# wrk NAME URL: one table row with requests/s and latency percentiles.
bench() {
    local name=$1 url=$2 res rps p50 p99
    res=$(wrk -t1 -c"$CONN" -d"$DUR" --latency "$url")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$res")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$res")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$res")
    if grep -q 'Non-2xx' <<<"$res"; then name="$name (non-2xx answers!)"; fi
    printf '| %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" | tee -a "$OUT"
}

# pgbench NAME SQL: the bare query, same connection count, no HTTP.
sqlbench() {
    local name=$1 sql=$2 file tps
    file=$(mktemp)
    printf '%s\n' "$sql" >"$file"
    tps=$(pgbench -n -c "$CONN" -j 1 -T "${DUR%s}" -f "$file" 2>/dev/null |
        awk '/^tps/ {print int($3)}')
    rm -f "$file"
    printf '| %s | %s | – | – |\n' "$name" "$tps" | tee -a "$OUT"
}

{
    echo "Run on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $rows published initiatives,"
    echo "wrk -t1 -c$CONN -d$DUR over loopback, pgbench -c$CONN -T${DUR%s}."
    echo
    echo "| scenario | requests/s | p50 | p99 |"
    echo "|---|---|---|---|"
} | tee "$OUT"

mkdir -p "$STATIC_DIR"
curl -fsS "$BASE/api/v1/search?q=jardin" >"$STATIC_DIR/search.json"
bench "limit: nginx, same bytes as /search?q=jardin, static" "$BASE/__bench/search.json"
bench "GET /api/v1/health (PostgreSQL + Redis ping)" "$BASE/api/v1/health"
bench "GET /api/v1/search?q=jardin (Redis cache hit)" "$BASE/api/v1/search?q=jardin"
bench "GET /api/v1/initiatives/$id (Redis cache hit)" "$BASE/api/v1/initiatives/$id"

# Without the cache: the API restarted with SC_CACHE_TTL=0.
SC_CACHE_TTL=0 bash "$ROOT/scripts/stack.sh" restart-api >/dev/null
bench "GET /api/v1/search?q=jardin (no cache)" "$BASE/api/v1/search?q=jardin"
sqlbench "limit: bare SQL, ranked page + count for 'jardin'" \
    "SELECT count(*) FROM (SELECT 1 FROM initiative WHERE status = 'published' AND tsv @@ websearch_to_tsquery('sc_french', 'jardin') LIMIT 10001) s; SELECT id FROM initiative i, websearch_to_tsquery('sc_french', 'jardin') q WHERE status = 'published' AND tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC, id DESC LIMIT 21;"
bench "GET /api/v1/search (no q: newest first, no cache)" "$BASE/api/v1/search"
bench "GET /api/v1/initiatives/$id (no cache)" "$BASE/api/v1/initiatives/$id"
sqlbench "limit: bare SQL, one initiative by id" \
    "SELECT * FROM initiative WHERE id = $id;"
bash "$ROOT/scripts/stack.sh" restart-api >/dev/null
echo
echo "Written to $OUT"
