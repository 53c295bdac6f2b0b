#!/usr/bin/env bash
# Loads the reference data (vocabularies, régions, départements) and the demonstration data into
# the database named by the usual libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE).
# Idempotent: running it again updates what changed and adds nothing twice.
# SC_SHARED_DIR: the folder holding vocabularies/ and geodata/ (default: ../shared beside the repo).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
shared=${SC_SHARED_DIR:-$repo/../shared}

for f in "$shared/vocabularies/vocabularies.json" "$shared/geodata/regions.geojson" \
         "$shared/geodata/departements.geojson"; do
  [ -r "$f" ] || { echo "load: cannot read $f (set SC_SHARED_DIR)" >&2; exit 1; }
done

run_psql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "load: vocabularies"
run_psql -v file="$shared/vocabularies/vocabularies.json" -f "$here/vocabularies.sql"
echo "load: régions and départements"
run_psql -v regions="$shared/geodata/regions.geojson" \
         -v departements="$shared/geodata/departements.geojson" -f "$here/territories.sql"
shopt -s nullglob
demo=("$repo"/sql/demo/initiatives-*.json)
[ ${#demo[@]} -gt 0 ] || { echo "load: no demonstration data in sql/demo" >&2; exit 1; }
for f in "${demo[@]}"; do
  echo "load: demonstration data $(basename "$f")"
  run_psql -v file="$f" -f "$repo/sql/demo/load.sql"
done
run_psql -tA -c "SELECT 'load: ' || count(*) || ' published initiatives' FROM initiative WHERE status = 'published'"
