#!/usr/bin/env bash
# The harvester's speed and memory on the fixture sites, politeness delays off: a first harvest
# (every record new, geocoded and stored) and a second one (every page answered 304, every record
# unchanged). The hostile site is left out: its page that never answers measures our timeout, not
# our speed. Runs on the test profile's database (started if needed); earlier fixture data is
# removed first. Prints a Markdown table and writes it to var/bench/harvest.md.
#   scripts/bench-harvest.sh            (make bench-harvest)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export SC_PROFILE=${SC_PROFILE:-test}
STACK=$ROOT/scripts/stack.sh
BIN=${SC_HARVEST_BIN:-$ROOT/backend/build/socialconnect-harvest}
SOURCES=(fixture-drupal fixture-joomla fixture-spip fixture-api fixture-rss fixture-csv)

[[ -x $BIN ]] || make -C "$ROOT/backend" >/dev/null
"$STACK" start-pg migrate load >/dev/null
"$STACK" start-fixtures >/dev/null
eval "$("$STACK" env)"
"$STACK" psql -X -q -v ON_ERROR_STOP=1 -f "$ROOT/tests/harvest/forget-fixtures.sql"
"$BIN" load "$ROOT"/sources/fixtures/*.json >/dev/null

mkdir -p "$ROOT/var/bench"
out=$ROOT/var/bench/harvest.md
{
    echo "| harvest of 6 fixture sites, delays off | pages | records | seconds | pages/s | peak RSS |"
    echo "|---|---|---|---|---|---|"
} >"$out"
for pass in "first (all new)" "second (all 304)"; do
    log=$(mktemp)
    SC_HARVEST_DELAY_MS=0 /usr/bin/time -f '%e %M' -o "$log.time" "$BIN" run "${SOURCES[@]}" >"$log"
    read -r secs rss_kb <"$log.time"
    pages=$(grep -o 'pages [0-9]*' "$log" | awk '{s += $2} END {print s}')
    records=$(grep -o 'fiches [0-9]*' "$log" | awk '{s += $2} END {print s}')
    rate=$(awk -v p="$pages" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0 ? p / s : 0)}')
    printf '| %s | %s | %s | %s | %s | %.1f MB |\n' "$pass" "$pages" "$records" "$secs" "$rate" \
        "$(awk -v k="$rss_kb" 'BEGIN {print k / 1024}')" >>"$out"
    rm -f "$log" "$log.time"
done
cat "$out"
