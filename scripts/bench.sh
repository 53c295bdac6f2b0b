#!/usr/bin/env bash
# make bench: fills the run stack's database up to SC_BENCH_N generated initiatives (default
# 1,000,000; deterministic, so rows already there are kept), then measures with wrk over loopback.
# Each API figure is printed beside its limits measured in the same run: nginx serving the same
# bytes as a static file, and the endpoint's bare SQL run by pgbench. Results: stdout and
# var/bench/last.md (copy them into the area tables of docs/performance.md, "Current figures", with
# the date; the run they replace goes to docs/performance-history.md).
#   SC_BENCH_N (default 1000000)  SC_BENCH_DURATION (default 10s)  SC_BENCH_CONNECTIONS (default 8)
#   SC_BENCH_ONLY: a comma-separated list of sections to run (default: all of them), e.g.
#   `SC_BENCH_ONLY=ogc,contributions make bench`. The limits (nginx static, the bare FastCGI echo,
#   health, and the bare SQL of the search) are measured in every run, whatever the list. Sections:
#   search (cached search mix, with and without a session cookie), keys, initiative, suggest, map
#   (cached), search-nocache (with the log-ins beside it), contributions (and the history pages),
#   stats, map-nocache, ogc, exports, communities, random (search requests drawn at random, beside
#   Sphinx on the same data: scripts/bench-random.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export SC_PROFILE=run
# shellcheck source=scripts/common.sh
. "$ROOT/scripts/common.sh"
N=${SC_BENCH_N:-1000000}
DUR=${SC_BENCH_DURATION:-10s}
CONN=${SC_BENCH_CONNECTIONS:-8}
BASE=http://127.0.0.1:$HTTP_PORT
MIX=$ROOT/scripts/bench-mix.lua
ONLY=${SC_BENCH_ONLY:-}
SECTIONS=" search keys initiative suggest map search-nocache contributions stats map-nocache ogc exports communities random "
for sec in ${ONLY//,/ }; do
    [[ $SECTIONS == *" $sec "* ]] || die "SC_BENCH_ONLY: unknown section '$sec' (one of:$SECTIONS)"
done
# want SECTION: whether that section runs (SC_BENCH_ONLY empty, or naming it).
want() { [[ -z $ONLY || ",$ONLY," == *",$1,"* ]]; }
command -v wrk >/dev/null || die "wrk is missing (make install-deps)"
mkdir -p "$VAR/bench"
OUT=$VAR/bench/last.md
STATIC_DIR=$ROOT/frontend/dist/__bench
ECHO_PID=
trap 'rm -rf "$STATIC_DIR"; [[ -z $ECHO_PID ]] || kill "$ECHO_PID" 2>/dev/null;
    SC_CACHE_TTL= bash "$ROOT/scripts/stack.sh" restart-api >/dev/null 2>&1 || true' EXIT

# Quotas (docs/api.md, "API keys and quotas"): wrk sends from 127.0.0.1 far more than a client
# address may; that address is exempt (the stack's default too; requests with a key are counted).
export SC_QUOTA_EXEMPT=127.0.0.1
bash "$ROOT/scripts/stack.sh" start >/dev/null
# The API with its default settings, whatever an earlier run or a person left running.
SC_CACHE_TTL= SC_RATE_LIMITS= bash "$ROOT/scripts/stack.sh" restart-api >/dev/null
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=$DB_USER PGDATABASE=$DB_NAME
rows=$(psql -XAtc "SELECT count(*) FROM initiative WHERE status = 'published'")
if ((rows < N)); then
    echo "bench: $rows initiatives, generating up to $N (deterministic, seed 1)…"
    bash "$ROOT/sql/bench/generate.sh" "$((N - 300 > 0 ? N - 300 : N))" 1
    rows=$(psql -XAtc "SELECT count(*) FROM initiative WHERE status = 'published'")
fi
id=$(psql -XAtc "SELECT id FROM initiative WHERE status = 'published' ORDER BY id LIMIT 1")

# bench NAME URL [PATHS_FILE]: one table row with requests/s and latency percentiles. With
# BENCH_COOKIE set, every request carries that Cookie header (a signed-in member).
bench() {
    local name=$1 url=$2 paths=${3:-} res rps p50 p99 hdr=()
    [[ -n ${BENCH_COOKIE:-} ]] && hdr=(-H "Cookie: $BENCH_COOKIE")
    if [[ -n $paths ]]; then
        res=$(wrk -t1 -c"$CONN" -d"$DUR" --latency "${hdr[@]}" -s "$MIX" "$url" -- "$paths")
    else
        res=$(wrk -t1 -c"$CONN" -d"$DUR" --latency "${hdr[@]}" "$url")
    fi
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$res")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$res")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$res")
    if grep -q 'Non-2xx' <<<"$res"; then name="$name (non-2xx answers!)"; fi
    printf '| %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" | tee -a "$OUT"
    LAST_RPS=$rps LAST_P99=$p99
}

# sqlbench NAME FILE…: the bare queries, same connection count, no HTTP (pgbench picks files at
# random, as the mix does).
sqlbench() {
    local name=$1 tps
    shift
    local args=()
    for f in "$@"; do args+=(-f "$f"); done
    tps=$(pgbench -n -c "$CONN" -j 1 -T "${DUR%s}" "${args[@]}" 2>/dev/null | awk '/^tps/ {print int($3)}')
    printf '| %s | %s | – | – |\n' "$name" "$tps" | tee -a "$OUT"
}

warm() { while read -r p; do [[ -z $p || $p == \#* ]] || curl -s -o /dev/null "$BASE$p"; done <"$1"; }

{
    echo "Run on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $rows published initiatives,"
    echo "wrk -t1 -c$CONN -d$DUR over loopback, pgbench -c$CONN -T${DUR%s}${ONLY:+; sections: $ONLY}."
    echo
    echo "| scenario | requests/s | p50 | p99 |"
    echo "|---|---|---|---|"
} | tee "$OUT"

mkdir -p "$STATIC_DIR"
curl -fsS "$BASE/api/v1/search?q=jardin" >"$STATIC_DIR/search.json"
bench "limit: nginx, same bytes as /search?q=jardin, static" "$BASE/__bench/search.json"
# The ceiling of any FastCGI answer behind this nginx: libfcgi echoing the same bytes, with as many
# workers as the API, and nothing else (backend/src/programs/bench_echo_main.c).
ECHO_SOCK=$RUN_DIR/bench-echo.sock
"$ROOT/backend/build/socialconnect-bench-echo" "$ECHO_SOCK" "${SC_WORKERS:-$((2 * $(nproc)))}" \
    "$STATIC_DIR/search.json" &
ECHO_PID=$!
for _ in $(seq 50); do [[ -S $ECHO_SOCK ]] && break; sleep 0.1; done
bench "limit: bare FastCGI echo (libfcgi, same bytes, same workers)" "$BASE/__bench/echo"
ECHO_RPS=$LAST_RPS
kill "$ECHO_PID" && wait "$ECHO_PID" 2>/dev/null || true
ECHO_PID=
bench "GET /api/v1/health (PostgreSQL + Redis ping)" "$BASE/api/v1/health"

SEARCHES=$ROOT/scripts/bench-search-paths.txt
SUGGESTS=$(mktemp)
printf '%s\n' /api/v1/suggest?q=rec /api/v1/suggest?q=lyo /api/v1/suggest?q=jardin%20par \
    /api/v1/suggest?q=envir /api/v1/suggest?q=saint >"$SUGGESTS"
has_suggest=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/suggest?q=lyo")

if want search; then
    warm "$SEARCHES"
    bench "search mix, 12 kinds (Redis cache hit)" "$BASE" "$SEARCHES"
    # Target: a cached answer at 60 % or more of the echo's rate, p99 at most 3 ms.
    printf '| … target ≥ 60 %% of the echo, p99 ≤ 3 ms: %s %% of the echo, p99 %s | | | |\n' \
        "$(awk -v a="$LAST_RPS" -v b="$ECHO_RPS" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }')" \
        "$LAST_P99" | tee -a "$OUT"
fi

# A member signed in (docs/performance.md, "Accounts"): their space, never cached, and the public
# search with their session cookie, which must be served from the shared cache all the same.
BENCH_EMAIL=bench@socialconnect.local
BENCH_PASSWORD='mesure des performances'
SC_ADMIN_PASSWORD=$BENCH_PASSWORD "$ROOT/backend/build/socialconnect-admin" create-admin "$BENCH_EMAIL" \
    "Mesure" >/dev/null
"$ROOT/backend/build/socialconnect-admin" grant "$BENCH_EMAIL" member >/dev/null
login() {
    curl -fsS -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" "$BASE/api/v1/session" |
        sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p'
}
BENCH_COOKIE=$(login)
[[ -n $BENCH_COOKIE ]] || die "the bench member cannot log in"
COOKIE=$BENCH_COOKIE
if want search; then
    bench "GET /api/v1/me (signed in, never cached)" "$BASE/api/v1/me"
    # Runs of the same mix differ by 10-20 % on this machine: with and without the cookie alternate.
    for round in 1 2; do
        BENCH_COOKIE=$COOKIE bench "search mix, 12 kinds (Redis cache hit, with a session cookie) #$round" \
            "$BASE" "$SEARCHES"
        BENCH_COOKIE= bench "search mix, 12 kinds (Redis cache hit, without) #$round" "$BASE" "$SEARCHES"
    done
fi
BENCH_COOKIE=
# The cost of an API key (its check and its quota, one Redis script) on the same cached answer.
if want keys; then bash "$ROOT/scripts/bench-keys.sh" "$BASE" | tee -a "$OUT"; fi
if want initiative; then
    bench "GET /api/v1/initiatives/$id (Redis cache hit)" "$BASE/api/v1/initiatives/$id"
fi
if want suggest && [[ $has_suggest == 200 ]]; then
    warm "$SUGGESTS"
    bench "suggest mix (Redis cache hit)" "$BASE" "$SUGGESTS"
fi
MAPS=$ROOT/scripts/bench-map-paths.txt
if want map; then
    warm "$MAPS"
    bench "map mix, 4 kinds (Redis cache hit)" "$BASE" "$MAPS"
fi

# Without the cache: the API restarted with SC_CACHE_TTL=0, then each kind asked a few times so
# that every worker's connection has prepared and planned its statements, as the cached runs
# above were warmed: the figures are those of a running service, not of its first second.
SC_CACHE_TTL=0 SC_RATE_LIMITS=0 bash "$ROOT/scripts/stack.sh" restart-api >/dev/null
if want search-nocache; then
    for _ in 1 2 3 4 5 6; do warm "$SEARCHES"; done
    bench "search mix, 12 kinds (no cache)" "$BASE" "$SEARCHES"
fi
# The same mix while members log in (each log-in checks an Argon2id hash, ~40 ms of a core): at a
# steady 20 per second, then a flood of 8 clients logging in back to back. Rate limits are off in
# this part (SC_RATE_LIMITS=0) so that every log-in is really checked.
with_logins() {
    local label=$1 mode=$2 n=$3 log
    log=$(mktemp)
    node "$ROOT/scripts/bench-logins.mjs" "$BASE" "$BENCH_EMAIL" "$BENCH_PASSWORD" "$((${DUR%s} + 2))" \
        "$mode" "$n" >"$log" &
    local pid=$!
    sleep 1
    bench "search mix, 12 kinds (no cache), $label" "$BASE" "$SEARCHES"
    wait "$pid" || true
    printf '| … the log-ins beside it: %s | | | |\n' "$(cat "$log")" | tee -a "$OUT"
    rm -f "$log"
}
# Alone and with log-ins beside, alternated three times: one pair alone varies too much here.
if want search-nocache; then
    for round in 1 2 3; do
        [[ $round == 1 ]] || bench "search mix, 12 kinds (no cache) #$round" "$BASE" "$SEARCHES"
        with_logins "20 log-ins/s beside #$round" rate 20
    done
    with_logins "a flood of log-ins (8 clients) beside" flood 8
fi
# Contributions (no cache, no rate limits): proposals submitted by 8 clients at once, then approved
# by 8 moderators at once (each a new initiative in search, facets and the map), and the history
# page of an initiative with 200 revisions. What it adds is removed.
if want contributions; then
    BENCH_MODERATOR=bench-moderation@socialconnect.local
    bench_account() {
        SC_ADMIN_PASSWORD=$BENCH_PASSWORD "$ROOT/backend/build/socialconnect-admin" create-admin "$1" \
            "$2" >/dev/null
        "$ROOT/backend/build/socialconnect-admin" grant "$1" "$3" >/dev/null
    }
    bench_account "$BENCH_MODERATOR" "Mesure modération" moderator
    for i in $(seq 1 "$CONN"); do bench_account "bench-contrib-$i@socialconnect.local" "Mesure $i" member; done
    HISTORY_ID=$(mktemp)
    node "$ROOT/scripts/bench-contributions.mjs" "$BASE" bench-contrib- "$BENCH_MODERATOR" \
        "$BENCH_PASSWORD" "${DUR%s}" "$CONN" "$HISTORY_ID" | tee -a "$OUT"
    # The history of an initiative with 200 revisions: the page the interface asks (the 20 newest), a
    # page further on (by its cursor), and all 200 at once; no cache here, then from the cache.
    hid=$(cat "$HISTORY_ID")
    cursor=$(curl -fsS "$BASE/api/v1/initiatives/$hid/history?limit=20" | sed -n 's/.*"next_cursor": *"\([^"]*\)".*/\1/p')
    bench "GET /api/v1/initiatives/{id}/history, 20 newest of 200 revisions (no cache)" \
        "$BASE/api/v1/initiatives/$hid/history?limit=20"
    bench "GET /api/v1/initiatives/{id}/history, the next 20 by cursor (no cache)" \
        "$BASE/api/v1/initiatives/$hid/history?limit=20&cursor=$cursor"
    bench "GET /api/v1/initiatives/{id}/history, all 200 revisions (no cache)" \
        "$BASE/api/v1/initiatives/$hid/history?limit=200"
    SC_CACHE_TTL= SC_RATE_LIMITS=0 bash "$ROOT/scripts/stack.sh" restart-api >/dev/null
    bench "GET /api/v1/initiatives/{id}/history, 20 newest of 200 revisions (Redis cache hit)" \
        "$BASE/api/v1/initiatives/$hid/history?limit=20"
    SC_CACHE_TTL=0 SC_RATE_LIMITS=0 bash "$ROOT/scripts/stack.sh" restart-api >/dev/null
    psql -XAtqc "DELETE FROM initiative WHERE id = $hid"
    rm -f "$HISTORY_ID"
fi
SQLDIR=$(mktemp -d)
# The statements the API runs for them (domain/search.c): the planner's estimate instead of a count
# when it is large, the best page from the RUM index, facets read from facet_count.
cat >"$SQLDIR/common.sql" <<'SQL'
EXPLAIN (FORMAT JSON) SELECT 1 FROM initiative i WHERE i.status = 'published' AND i.tsv @@ sc_tsquery('recyclerie');
SELECT i.id FROM initiative i WHERE i.status = 'published' AND i.tsv @@ sc_tsquery('recyclerie') ORDER BY i.tsv <=> sc_tsquery('recyclerie') LIMIT 21;
SQL
cat >"$SQLDIR/filtered.sql" <<'SQL'
EXPLAIN (FORMAT JSON) SELECT 1 FROM initiative i WHERE i.status = 'published' AND i.tsv @@ sc_tsquery('insertion') AND i.themes && '{EMP}' AND i.region_code = '84';
SELECT count(*) FROM (SELECT 1 FROM initiative i WHERE i.status = 'published' AND i.tsv @@ sc_tsquery('insertion') AND i.themes && '{EMP}' AND i.region_code = '84' LIMIT 10001) s;
SELECT i.id FROM initiative i WHERE i.status = 'published' AND i.tsv @@ sc_tsquery('insertion') AND i.themes && '{EMP}' AND i.region_code = '84' ORDER BY i.tsv <=> sc_tsquery('insertion'), i.id DESC LIMIT 21;
SQL
cat >"$SQLDIR/facets.sql" <<'SQL'
SELECT c.code, c.n FROM facet_count c WHERE c.fkind = '' AND c.fcode = '' AND c.kind = 'theme' AND c.n > 0;
SELECT c.code, c.n FROM facet_count c WHERE c.fkind = 'theme' AND c.fcode = 'SOL' AND c.kind = 'actor_type' AND c.n > 0;
SELECT c.code, c.n FROM facet_count c WHERE c.fkind = 'theme' AND c.fcode = 'SOL' AND c.kind = 'region' AND c.n > 0;
SQL
sqlbench "limit: bare SQL of 3 of the mix (common word, filtered word, facet)" \
    "$SQLDIR/common.sql" "$SQLDIR/filtered.sql" "$SQLDIR/facets.sql"
rm -rf "$SQLDIR"
if want initiative; then
    bench "GET /api/v1/initiatives/$id (no cache)" "$BASE/api/v1/initiatives/$id"
    sqlbench_one=$(mktemp)
    echo "SELECT * FROM initiative WHERE id = $id;" >"$sqlbench_one"
    sqlbench "limit: bare SQL, one initiative by id" "$sqlbench_one"
    rm -f "$sqlbench_one"
fi
if want suggest && [[ $has_suggest == 200 ]]; then
    for _ in 1 2 3 4 5 6; do warm "$SUGGESTS"; done
    bench "suggest mix (no cache)" "$BASE" "$SUGGESTS"
fi
rm -f "$SUGGESTS"
# Statistics (no cache): for the whole catalogue, a theme, a région and a word, one dimension
# (six of them cycled) and two dimensions (three pairs cycled), each set asked a few times first.
if want stats; then
    STATS=$(mktemp -d)
    for filter in "" "theme=ENV&" "territory=region:84&" "q=jardin&"; do
        label=${filter%&}
        label=${label:-whole catalogue}
        for d in theme actor_type region start_year source public; do
            echo "/api/v1/stats?${filter}by=$d"
        done >"$STATS/one"
        for d in theme,region actor_type,start_year theme,public; do
            echo "/api/v1/stats?${filter}by=$d"
        done >"$STATS/two"
        for _ in 1 2 3; do warm "$STATS/one" && warm "$STATS/two"; done
        bench "stats, 1 dimension, $label (6 cycled, no cache)" "$BASE" "$STATS/one"
        bench "stats, 2 dimensions, $label (3 pairs cycled, no cache)" "$BASE" "$STATS/two"
    done
    rm -rf "$STATS"
fi
if want map-nocache; then
    for _ in 1 2 3 4 5 6; do warm "$MAPS"; done
    while read -r p; do
        [[ -z $p || $p == \#* ]] || bench "GET ${p#/api/v1} (no cache)" "$BASE$p"
    done <"$MAPS"
fi
# OGC API – Features: pages of 100 features over a mix of boxes, filters and dates (no cache: the
# API still runs with SC_CACHE_TTL=0). Target: p99 at most 30 ms.
OGC=$ROOT/scripts/bench-ogc-paths.txt
if want ogc; then
    for _ in 1 2 3; do warm "$OGC"; done
    bench "OGC items, 100 features, 20 kinds cycled (no cache)" "$BASE" "$OGC"
    printf '| … target p99 ≤ 30 ms: p99 %s | | | |\n' "$LAST_P99" | tee -a "$OUT"
fi
# Exports: a 50,000-row search export and the nightly catalogue files (scripts/bench-exports.sh).
if want exports; then bash "$ROOT/scripts/bench-exports.sh" "$OUT"; fi
# Communities: one community of 10,000 members read signed in (scripts/bench-communities.sh).
if want communities; then bash "$ROOT/scripts/bench-communities.sh" "$OUT"; fi
# Search requests nobody tuned for, drawn at random, beside Sphinx on the same data (scripts/bench-random.sh).
if want random; then bash "$ROOT/scripts/bench-random.sh" "$BASE" "$OUT"; fi
echo
echo "Written to $OUT"
