#!/usr/bin/env bash
# The cost of an API key on a cached answer (docs/api.md, "API keys and quotas"): the same cached
# search measured with wrk without a key and with one, alternated three times in the same run, and
# the difference of the medians (p50). Target: the key's check and its quota add at most 0.5 ms p50.
# The key has quotas far above what the run sends; requests without a key must come from an address
# of SC_QUOTA_EXEMPT (make bench sets 127.0.0.1), so that the run without a key pays for no quota.
# Called by scripts/bench.sh; alone, against any stack:
#   PGHOST=… PGPORT=… PGUSER=… PGDATABASE=… scripts/bench-keys.sh http://127.0.0.1:PORT
# Prints rows of the bench's table; what it adds to the database (a member and a key) is removed.
set -euo pipefail
BASE=${1:?usage: bench-keys.sh BASE_URL}
DUR=${SC_BENCH_DURATION:-10s}
# One connection: the figure is what a key adds to one request's latency, not queueing behind the
# others (with 8 connections on 2 cores a p50 is mostly waiting for a worker).
CONN=${SC_BENCH_KEYS_CONNECTIONS:-1}
URL="$BASE/api/v1/search?q=jardin"
EMAIL=bench-keys@socialconnect.local

uid=$(psql -XAtqc "INSERT INTO app_user (email, email_norm, display_name, password_hash, email_verified_at)
    VALUES ('$EMAIL', '$EMAIL', 'Mesure des clés', '!', now())
    ON CONFLICT (email_norm) DO UPDATE SET updated_at = now() RETURNING id")
trap 'psql -XAtqc "DELETE FROM app_user WHERE id = $uid" >/dev/null 2>&1 || true' EXIT
secret=sck_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
hex=$(printf '%s' "$secret" | sha256sum | cut -c1-64)
psql -XAtqc "INSERT INTO api_key (user_id, name, prefix, hash, quota_minute, quota_day)
    VALUES ($uid, 'Mesure', '${secret:0:12}', decode('$hex', 'hex'), 1000000, 100000000)" >/dev/null
for h in "" "Authorization: Bearer $secret"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' ${h:+-H "$h"} "$URL")
    [[ $code == 200 ]] || { echo "bench-keys: $URL answered $code ${h:+with the key}" >&2; exit 1; }
done

# wrk's p50 in milliseconds ("845.00us", "1.23ms", "1.02s").
p50_ms() {
    awk '$1 == "50%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        print (u == "us" ? v / 1000 : (u == "s" ? v * 1000 : v)) }'
}
run() {
    local name=$1 res rps p50 p99
    shift
    res=$(wrk -t1 -c"$CONN" -d"$DUR" --latency "$@" "$URL")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$res")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$res")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$res")
    grep -q 'Non-2xx' <<<"$res" && name="$name (non-2xx answers!)"
    printf '| %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" >&2
    LAST_P50=$(p50_ms <<<"$res")
}
without=() with=()
for round in 1 2 3; do
    run "GET /search?q=jardin (Redis cache hit, $CONN connection(s)), no key #$round"
    without+=("$LAST_P50")
    run "GET /search?q=jardin (Redis cache hit, $CONN connection(s)), API key + quota #$round" -H "Authorization: Bearer $secret"
    with+=("$LAST_P50")
done 2>&1
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
a=$(median "${without[@]}") b=$(median "${with[@]}")
printf '| … target: the key adds ≤ 0.5 ms p50: median p50 %s ms without, %s ms with, +%s ms | | | |\n' \
    "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }')"
