#!/usr/bin/env bash
# Fills the database with N synthetic initiatives for benchmarks, deterministically: the same N and
# SEED always give the same rows (every value of row i is drawn by generate.mjs from a generator
# seeded by SEED and i alone, so neither batch order nor parallelism changes the result). The text
# reads like real records, with a long-tailed vocabulary drawn from a French word list
# (/usr/share/dict/french, Debian's wfrench; SC_BENCH_WORDS names another); the points are spread
# like the population, in communes drawn by population from the loaded gazetteer.
#   generate.sh N [SEED]        N up to 1,000,000; SEED defaults to 1
# Rows are written in batches of 20,000, each its own transaction, under the sources "bench…"
# (labelled as demonstration data). Running it again with the same SEED adds only missing rows: a
# batch whose last row is there (it committed whole) is skipped.
set -euo pipefail
n=${1:?usage: generate.sh N [SEED]}
seed=${2:-1}
[[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 1000000 ]] || { echo "N must be 1..1000000" >&2; exit 2; }
[[ $seed =~ ^[0-9]+$ ]] || { echo "SEED must be a non-negative integer" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
words=${SC_BENCH_WORDS:-/usr/share/dict/french}
[[ -r $words ]] || { echo "$words is missing (apt-get install wfrench, or make install-deps)" >&2; exit 1; }
batch=20000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The gazetteer and the vocabularies, read once, in a fixed order (the same rows on every run).
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT code, coalesce(population, 0), ST_X(point), ST_Y(point),
    ST_XMax(contour) - ST_XMin(contour), ST_YMax(contour) - ST_YMin(contour), name FROM territory
    WHERE level = 'commune' AND point IS NOT NULL AND contour IS NOT NULL ORDER BY code) TO '$tmp/communes.tsv'"
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT kind, code, parent FROM vocabulary ORDER BY kind, code) TO '$tmp/vocabulary.tsv'"
[[ -s $tmp/communes.tsv ]] || { echo "no commune in the gazetteer (scripts/stack.sh load)" >&2; exit 1; }
t0=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO source (code, name, kind, is_demo)
VALUES ('bench', 'Données synthétiques (tests de charge)', 'demo', true),
       ('bench-avise', 'Données synthétiques A (tests de charge)', 'demo', true),
       ('bench-rtes', 'Données synthétiques B (tests de charge)', 'demo', true),
       ('bench-labo', 'Données synthétiques C (tests de charge)', 'demo', true),
       ('bench-solidarum', 'Données synthétiques D (tests de charge)', 'demo', true)
ON CONFLICT (code) DO NOTHING;
SQL
# A large load writes the rows first and builds the initiative table's secondary indexes after
# (one build instead of a million scattered insertions into each text index: several times faster).
# Their definitions are kept in bench_index_stash until they are built again, so that a run that
# was interrupted rebuilds them the next time. Unique indexes stay: they make a second run idempotent.
have=$(psql -X -qtA -c "SELECT count(*) FROM initiative WHERE slug LIKE 'bench-$seed-%'")
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE TABLE IF NOT EXISTS bench_index_stash (name text PRIMARY KEY, def text NOT NULL)"
if (( n - have >= ${SC_BENCH_REINDEX_FROM:-100000} )); then
  echo "bench-data: $have rows there, $((n - have)) to add: the initiative table's secondary indexes are dropped and built again at the end"
  psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
INSERT INTO bench_index_stash (name, def)
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'initiative'::regclass AND NOT i.indisunique AND NOT i.indisprimary
ON CONFLICT (name) DO NOTHING;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT name FROM bench_index_stash LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I', r.name);
  END LOOP;
END $$;
COMMIT;
SQL
fi
# SC_BENCH_JOBS batches at a time (default 2): each batch is independent, so any interleaving
# writes the same rows. A batch that fails (a lock conflict between two batches' counter updates)
# is tried again, up to three times.
jobs=${SC_BENCH_JOBS:-2}
[[ $jobs =~ ^[1-9]$ ]] || { echo "SC_BENCH_JOBS must be 1..9" >&2; exit 2; }
nbatches=$(( (n + batch - 1) / batch ))
one_batch() {
  local start=$1 end=$2 try
  if [[ $(psql -X -qtA -c "SELECT count(*) FROM initiative WHERE slug = 'bench-$seed-$end'") == 1 ]]; then
    echo "bench-data: rows $start..$end already there"
    return 0
  fi
  for try in 1 2 3; do
    if node "$here/generate.mjs" "$seed" "$start" "$end" "$tmp/communes.tsv" "$tmp/vocabulary.tsv" "$words" |
      psql -X -q -v ON_ERROR_STOP=1 -v seed="$seed" -f "$here/generate.sql"; then
      echo "bench-data: rows $start..$end written ($(( $(date +%s) - t0 )) s)"
      return 0
    fi
    echo "bench-data: rows $start..$end failed (try $try)" >&2
  done
  return 1
}
worker() {
  local k start end
  for (( k = $1; k < nbatches; k += jobs )); do
    start=$(( k * batch + 1 )); end=$(( start + batch - 1 )); (( end > n )) && end=$n
    one_batch "$start" "$end" || return 1
  done
}
pids=()
for (( w = 0; w < jobs; w++ )); do worker "$w" & pids+=($!); done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
(( failed == 0 )) || { echo "bench-data: some batches failed; run again to add the missing rows" >&2; exit 1; }
echo "bench-data: $n rows there ($(( $(date +%s) - t0 )) s)"
if [[ $(psql -X -qtA -c "SELECT count(*) FROM bench_index_stash") != 0 ]]; then
  echo "bench-data: building the initiative table's indexes again ($(( $(date +%s) - t0 )) s)"
  build_index() {
    psql -X -q -v ON_ERROR_STOP=1 -v ix="$1" <<'SQL'
SET maintenance_work_mem = '512MB';
SELECT regexp_replace(def, '^CREATE INDEX ', 'CREATE INDEX IF NOT EXISTS ') AS def FROM bench_index_stash WHERE name = :'ix' \gset
:def;
DELETE FROM bench_index_stash WHERE name = :'ix';
SQL
    echo "bench-data: index $1 built ($(( $(date +%s) - t0 )) s)"
  }
  export -f build_index
  export t0
  # Two builds at a time (CREATE INDEX takes a lock that other builds share), the longest first.
  psql -X -qtA -c "SELECT name FROM bench_index_stash ORDER BY def ~ 'USING (rum|gist|gin)' DESC, name" |
    xargs -P "$jobs" -I{} bash -c 'build_index "$@"' _ {}
  [[ $(psql -X -qtA -c "SELECT count(*) FROM bench_index_stash") == 0 ]] || { echo "bench-data: an index failed to build; run again" >&2; exit 1; }
fi
# VACUUM too: the visibility map lets the suggestions and the map read their indexes alone.
psql -X -q -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE) initiative" -c "VACUUM (ANALYZE) map_point"
echo "bench-data: $(psql -X -qtA -c 'SELECT search_lexicon_refresh()') words in the search lexicon"
echo "bench-data: done in $(( $(date +%s) - t0 )) s"
