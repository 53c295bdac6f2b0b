#!/usr/bin/env bash
# Fills the database with N synthetic initiatives for benchmarks, deterministically: the same N and
# SEED always give the same rows (every value is derived from a hash of SEED and the row number,
# so neither batch order nor parallelism changes the result). Each row's commune, département and
# région are those of its point in the loaded gazetteer.
#   generate.sh N [SEED]        N up to 1,000,000; SEED defaults to 1
# Rows are written in batches of 20,000, each its own transaction, under the source "bench"
# (labelled as demonstration data). Running it again with the same SEED adds only missing rows.
set -euo pipefail
n=${1:?usage: generate.sh N [SEED]}
seed=${2:-1}
[[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 1000000 ]] || { echo "N must be 1..1000000" >&2; exit 2; }
[[ $seed =~ ^[0-9]+$ ]] || { echo "SEED must be a non-negative integer" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
batch=20000
start=1
t0=$(date +%s)
while [ "$start" -le "$n" ]; do
  end=$(( start + batch - 1 )); [ "$end" -gt "$n" ] && end=$n
  psql -X -q -v ON_ERROR_STOP=1 -v seed="$seed" -v first="$start" -v last="$end" -f "$here/generate.sql"
  echo "bench-data: $end / $n rows ($(( $(date +%s) - t0 )) s)"
  start=$(( end + 1 ))
done
# VACUUM too: the visibility map lets the suggestions and the map read their indexes alone.
psql -X -q -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE) initiative" -c "VACUUM (ANALYZE) map_point"
echo "bench-data: $(psql -X -qtA -c 'SELECT search_lexicon_refresh()') words in the search lexicon"
