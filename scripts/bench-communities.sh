#!/usr/bin/env bash
# Communities under load (make bench calls it; it can run alone against any profile): one large
# community (sql/bench/community.sql: 10,000 members, 5,000 threads, 100,000 replies), read by its
# owner, signed in, with wrk over loopback, 8 connections. Community answers are personal and never
# in the response cache: every request reaches PostgreSQL. Targets: the community page, its feed and
# a thread page p99 ≤ 50 ms; the unread notification count p99 ≤ 5 ms.
#   SC_PROFILE=test scripts/bench-communities.sh [OUT.md]     (rows appended to OUT.md when given)
#   SC_BENCH_DURATION (default 10s)  SC_BENCH_CONNECTIONS (default 8)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/common.sh
. "$ROOT/scripts/common.sh"
BASE=http://127.0.0.1:$HTTP_PORT
OUT=${1:-/dev/null}
DUR=${SC_BENCH_DURATION:-10s}
CONN=${SC_BENCH_CONNECTIONS:-8}
command -v wrk >/dev/null || die "wrk is missing (make install-deps)"
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=$DB_USER PGDATABASE=$DB_NAME
export SC_PG_DSN="host=127.0.0.1 port=$PG_PORT dbname=$DB_NAME user=$DB_USER"

# The bench member (as scripts/bench.sh makes it), owner of the community.
BENCH_EMAIL=bench@socialconnect.local
BENCH_PASSWORD='mesure des performances'
SC_ADMIN_PASSWORD=$BENCH_PASSWORD "$ROOT/backend/build/socialconnect-admin" create-admin "$BENCH_EMAIL" \
    "Mesure" >/dev/null 2>&1 || true
"$ROOT/backend/build/socialconnect-admin" grant "$BENCH_EMAIL" member >/dev/null
owner=$(psql -XAtc "SELECT id FROM app_user WHERE email_norm = '$BENCH_EMAIL'")
t0=$(date +%s)
psql -X -q -v owner="$owner" -f "$ROOT/sql/bench/community.sql"
cid=$(psql -XAtc "SELECT id FROM community WHERE name = 'Bench : grande communauté'")
tid=$(psql -XAtc "SELECT id FROM community_thread WHERE community_id = $cid ORDER BY id LIMIT 1")
echo "bench-communities: community $cid ready in $(($(date +%s) - t0)) s"
cookie=$(curl -fsS -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" "$BASE/api/v1/session" |
    sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
[[ -n $cookie ]] || die "the bench member cannot log in"
# A page deep in the thread of 10,000 replies: the cursor after its 5,000th reply.
mid=$(psql -XAtc "SELECT id FROM community_reply WHERE thread_id = $tid ORDER BY id OFFSET 4999 LIMIT 1")
# (a keyset cursor is base64url of "k1:KEY:ID"; a reply's key is its id: domain/cursor.c)
deep=$(printf 'k1:%s:%s' "$mid" "$mid" | base64 -w0 | tr '+/' '-_' | tr -d '=')

row() { printf '| %s | %s | %s | %s |\n' "$@" | tee -a "$OUT"; }
bench() {
    local name=$1 path=$2 limit=$3 res rps p50 p99
    for _ in 1 2 3; do curl -s -o /dev/null -H "Cookie: $cookie" "$BASE$path"; done
    res=$(wrk -t1 -c"$CONN" -d"$DUR" --latency -H "Cookie: $cookie" "$BASE$path")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$res")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$res")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$res")
    grep -q 'Non-2xx' <<<"$res" && name="$name (non-2xx answers!)"
    row "$name" "$rps" "$p50" "$p99"
    row "… target p99 ≤ $limit ms: p99 $p99" "" "" ""
}

echo
row "communities (10,000 members, 5,000 threads, 100,000 replies; signed in, never cached)" \
    "requests/s" "p50" "p99"
row "---" "---" "---" "---"
bench "GET /communities/{id} (the community page)" "/api/v1/communities/$cid" 50
bench "GET /communities/{id}/feed (20 newest of 115,000 events)" "/api/v1/communities/$cid/feed" 50
bench "GET /communities/{id}/threads (20 of 5,000, pinned first)" "/api/v1/communities/$cid/threads" 50
bench "GET …/threads/{tid}/replies (first 50 of 10,000)" "/api/v1/communities/$cid/threads/$tid/replies" 50
if [[ -n $deep ]]; then
    bench "GET …/threads/{tid}/replies (50 after the 5,000th)" \
        "/api/v1/communities/$cid/threads/$tid/replies?cursor=$deep" 50
fi
bench "GET /me/notifications/unread" "/api/v1/me/notifications/unread" 5
