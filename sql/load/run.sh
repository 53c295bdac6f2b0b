#!/usr/bin/env bash
# Loads the reference data (vocabularies, the gazetteer) and the demonstration data into the database
# named by the usual libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE).
# Idempotent: running it again updates what changed and adds nothing twice.
# SC_SHARED_DIR: the folder holding vocabularies/ and geodata/ (default: ../shared beside the repo).
# SC_GAZETTEER_DIR: the official list of communes, départements and régions (default: the data folder
# of the npm package @etalab/decoupage-administratif, installed in sql/load by scripts/install-deps.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
shared=${SC_SHARED_DIR:-$repo/../shared}
geo=$shared/geodata
cog=${SC_GAZETTEER_DIR:-$here/node_modules/@etalab/decoupage-administratif/data}

for f in "$shared/vocabularies/vocabularies.json" "$geo/regions.geojson" "$geo/departements.geojson"; do
  [ -r "$f" ] || { echo "load: cannot read $f (set SC_SHARED_DIR)" >&2; exit 1; }
done
for f in "$cog/regions.json" "$cog/departements.json" "$cog/communes.json"; do
  [ -r "$f" ] || { echo "load: cannot read $f (run scripts/install-deps.sh, or set SC_GAZETTEER_DIR)" >&2; exit 1; }
done
shopt -s nullglob
geo_communes=()
while IFS= read -r -d '' f; do geo_communes+=("$f"); done \
  < <(find "$geo/communes" -maxdepth 1 -name '*.geojson.gz' -print0 2>/dev/null | LC_ALL=C sort -z)
[ ${#geo_communes[@]} -gt 0 ] || { echo "load: no $geo/communes/*.geojson.gz (set SC_SHARED_DIR)" >&2; exit 1; }

run_psql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "load: vocabularies"
run_psql -v file="$shared/vocabularies/vocabularies.json" -f "$here/vocabularies.sql"
# The gazetteer is rebuilt only when its inputs or its script changed since the last load (or when
# its rows were touched since): building 35,000 contours takes most of the time of this script.
gazetteer_inputs=("$here/territories.sql" "$cog/regions.json" "$cog/departements.json" "$cog/communes.json"
                  "$geo/regions.geojson" "$geo/departements.geojson" "${geo_communes[@]}")
checksum=$(md5sum "${gazetteer_inputs[@]}" | cut -d' ' -f1 | md5sum | cut -d' ' -f1)
loaded=$(run_psql -tA -c "SELECT checksum FROM reference_load r WHERE name = 'gazetteer' AND row_count =
    (SELECT count(*) FROM territory WHERE level IN ('region', 'departement', 'commune', 'arrondissement'))")
if [ "$loaded" = "$checksum" ]; then
  echo "load: gazetteer unchanged"
else
  echo "load: gazetteer (régions, départements, communes, arrondissements)"
  # One JSON document a line, "name<SOH>document": JSON text has no raw control characters, so
  # dropping its line breaks keeps it intact, and SOH never occurs in it.
  emit() { printf '%s\001' "$1"; tr -d '\r\n' <"$2"; printf '\n'; }
  {
    emit regions "$cog/regions.json"
    emit departements "$cog/departements.json"
    emit communes "$cog/communes.json"
    emit geo_regions "$geo/regions.geojson"
    emit geo_departements "$geo/departements.geojson"
    for f in "${geo_communes[@]}"; do
      printf 'geo_communes\001'; gzip -dc "$f" | tr -d '\r\n'; printf '\n'
    done
  } | run_psql -v checksum="$checksum" -f "$here/territories.sql"
  # The GIN indexes of the gazetteer (postcodes, former codes, trigrams of names) take new rows
  # into a pending list that every lookup reads in full until a vacuum merges it: 35,000 rows
  # made a postcode lookup 4 ms instead of 0.1 ms. Merge it now rather than when autovacuum
  # comes by.
  run_psql -c "VACUUM (ANALYZE) territory, territory_alias"
fi
# Passwords refused at sign-up and change (docs/api.md, "Accounts"): replaced whole when the list changed.
passwords=$(cd "$here" && node passwords.mjs)
if [ "$(run_psql -tA -c "SELECT count(*) FROM common_password")" != "$(printf '%s\n' "$passwords" | wc -l)" ]; then
  echo "load: common passwords"
  printf '%s\n' "$passwords" | run_psql -c "BEGIN" -c "TRUNCATE common_password" \
    -c "\\copy common_password (password) FROM STDIN" -c "COMMIT"
fi
# Synonyms and acronyms of the search (sql/load/synonyms.txt, docs/search.md): the search's
# functions are rewritten only when the list changed.
groups=$(printf '%s\n' "SELECT search_synonyms_load(:'list')" | run_psql -tA -v list="$(cat "$here/synonyms.txt")")
echo "load: $groups groups of synonyms"
demo=("$repo"/sql/demo/initiatives-*.json)
[ ${#demo[@]} -gt 0 ] || { echo "load: no demonstration data in sql/demo" >&2; exit 1; }
for f in "${demo[@]}"; do
  echo "load: demonstration data $(basename "$f")"
  run_psql -v file="$f" -f "$repo/sql/demo/load.sql"
done
run_psql -tA -c "SELECT 'load: ' || count(*) || ' published initiatives' FROM initiative WHERE status = 'published'"
run_psql -tA -c "SELECT 'load: ' || search_lexicon_refresh_if_changed() || ' words in the search lexicon'"
# Same reason as for the gazetteer: merge the pending lists of the GIN indexes the loads above
# filled (words of the initiatives, the lexicon's trigrams for "did you mean").
run_psql -c "VACUUM (ANALYZE) initiative, search_lexicon"
