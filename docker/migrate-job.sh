#!/bin/sh
# One-shot job of docker/compose.yaml: extensions, migrations, then reference and demo data.
# Connection from the libpq environment (PGHOST, PGUSER, PGPASSWORD, PGDATABASE); SC_SHARED_DIR holds
# the reference data (vocabularies/, geodata/).
set -eu
psql -X -q -v ON_ERROR_STOP=1 \
    -c 'SET client_min_messages = warning' \
    -c 'CREATE EXTENSION IF NOT EXISTS postgis' \
    -c 'CREATE EXTENSION IF NOT EXISTS unaccent' \
    -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm' \
    -c 'CREATE EXTENSION IF NOT EXISTS rum' \
    -c 'CREATE EXTENSION IF NOT EXISTS btree_gin'
/opt/socialconnect/scripts/migrate.sh
if [ -f /opt/socialconnect/sql/load/run.sh ]; then
    bash /opt/socialconnect/sql/load/run.sh
fi
