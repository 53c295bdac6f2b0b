#!/usr/bin/env bash
# Exports under load-free conditions (make bench runs it last; it can run alone against any profile):
#   - a search export of 50,000 rows as CSV (the first 50,000 of the whole catalogue, newest first),
#     three times: the time to the first byte and to the last (target: at most 3 s at 1,000,000
#     initiatives);
#   - the nightly whole-catalogue files (socialconnect-jobs --once --only export): the time and the
#     job runner's peak memory, /usr/bin/time's "Maximum resident set size" (target: at most 60 s,
#     memory flat: the same peak whatever the number of initiatives).
#   SC_PROFILE=test scripts/bench-exports.sh [OUT.md]     (rows appended to OUT.md when given)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/common.sh
. "$ROOT/scripts/common.sh"
BASE=http://127.0.0.1:$HTTP_PORT
OUT=${1:-/dev/null}
JOBS=$ROOT/backend/build/socialconnect-jobs
[[ -x $JOBS ]] || die "$JOBS is missing: make build"
command -v /usr/bin/time >/dev/null || die "/usr/bin/time is missing (Debian package time)"
rows=$(PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=$DB_USER PGDATABASE=$DB_NAME \
    psql -XAtc "SELECT count(*) FROM initiative WHERE status = 'published'")

row() { printf '| %s | %s | %s | %s |\n' "$@" | tee -a "$OUT"; }

echo
row "exports ($rows published initiatives)" "first byte" "total" "size / peak memory"
row "---" "---" "---" "---"
for i in 1 2 3; do
    read -r first total size rows_sent < <(curl -s -o /dev/null -D - \
        -w '%{time_starttransfer} %{time_total} %{size_download}\n' \
        "$BASE/api/v1/search/export?format=csv" | awk -F': ' '
            tolower($1) == "x-export-rows" { n = $2; sub(/\r$/, "", n) }
            /^[0-9.]+ [0-9.]+ [0-9]+$/ { print $0, n }')
    row "search export, CSV, $rows_sent rows (run $i; target <= 3 s at 1,000,000)" "${first} s" "${total} s" \
        "$(awk -v b="$size" 'BEGIN { printf "%.1f MiB", b / 1048576 }')"
done

dir=${SC_EXPORT_DIR:-$EXPORT_DIR}
mkdir -p "$dir"
log=$(mktemp)
SC_PG_DSN="host=127.0.0.1 port=$PG_PORT dbname=$DB_NAME user=$DB_USER" SC_EXPORT_DIR=$dir \
    SC_PUBLIC_URL=http://localhost:$HTTP_PORT /usr/bin/time -v "$JOBS" --once --only export >"$log" 2>&1 ||
    { cat "$log"; die "the catalogue export failed"; }
elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$log")
peak=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f MiB", $2 / 1024 }' "$log")
records=$(sed -n 's/^  "records": \([0-9]*\).*/\1/p' "$dir/manifest.json")
row "catalogue files, $records records (target <= 60 s, memory flat)" "–" "$elapsed" "peak RSS $peak"
rm -f "$log"
