#!/usr/bin/env bash
# Checks that sql/schema.sql (the schema to read) is exactly the database the migrations build.
#
#   SC_PROFILE=test scripts/schema-check.sh          compare; on a difference print it and fail
#   SC_PROFILE=test scripts/schema-check.sh --dump   print the migrated schema, normalised (what to
#                                                     copy from when a new migration changes it)
#
# In the profile's running PostgreSQL (scripts/stack.sh start-pg) it makes two scratch databases with
# the extensions the stack installs, applies every migration to one (scripts/migrate.sh) and
# sql/schema.sql to the other, then compares `pg_dump --schema-only` of both, and the rows the
# migrations leave in a fresh database (`pg_dump --data-only`; schema_migrations and the value of the
# data version excepted), after removing pg_dump's comments, SET lines and blank lines. The scratch
# databases are dropped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/common.sh
. "$ROOT/scripts/common.sh"

SCHEMA=$ROOT/sql/schema.sql
DB_M=sc_schema_check_migrations
DB_S=sc_schema_check_file
mode=check
case ${1:-} in
--dump) mode=dump ;;
"") ;;
*)
    echo "usage: $0 [--dump]" >&2
    exit 2
    ;;
esac

super() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

"$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" ||
    die "PostgreSQL is not running on port $PG_PORT: SC_PROFILE=$SC_PROFILE scripts/stack.sh start-pg"

work=$(mktemp -d)
cleanup() {
    super -d postgres -c "DROP DATABASE IF EXISTS $DB_M" -c "DROP DATABASE IF EXISTS $DB_S" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# fresh DB: an empty database owned by the application role, with the stack's extensions.
fresh() {
    super -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" \
        -c "CREATE DATABASE $1 OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0"
    super -d "$1" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION postgis' \
        -c 'CREATE EXTENSION unaccent' -c 'CREATE EXTENSION pg_trgm' -c 'CREATE EXTENSION rum' \
        -c 'CREATE EXTENSION btree_gin'
}

# dump DB: its schema and its rows, without what differs by construction: schema_migrations' rows,
# the value of the data version (a count of writes: each migration that updates a table bumps it;
# only its single row is compared), pg_dump's comments, session settings, \restrict keys and blank
# lines.
dump() {
    {
        "$PGBIN/pg_dump" -h 127.0.0.1 -p "$PG_PORT" -U postgres --schema-only --no-owner --no-privileges "$1"
        "$PGBIN/pg_dump" -h 127.0.0.1 -p "$PG_PORT" -U postgres --data-only --no-owner --no-privileges \
            --exclude-table-data=public.schema_migrations --exclude-table-data=public.data_version "$1"
        printf 'data_version rows: '
        super -d "$1" -tA -c 'SELECT count(*) FROM data_version'
    } | grep -v -E '^(--|SET |SELECT pg_catalog\.set_config\(|\\(un)?restrict |$)'
}

fresh "$DB_M"
PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=$DB_USER PGDATABASE=$DB_M "$ROOT/scripts/migrate.sh" >"$work/migrate.log" 2>&1 ||
    {
        cat "$work/migrate.log" >&2
        die "the migrations failed on an empty database"
    }
dump "$DB_M" >"$work/migrations.sql"
if [[ $mode == dump ]]; then
    cat "$work/migrations.sql"
    exit 0
fi

[[ -f $SCHEMA ]] || die "$SCHEMA is missing"
fresh "$DB_S"
if ! "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_S" \
    -c 'SET client_min_messages = warning' -f "$SCHEMA" >"$work/schema.log" 2>&1; then
    cat "$work/schema.log" >&2
    die "sql/schema.sql does not load on an empty database (above)"
fi
dump "$DB_S" >"$work/schema.sql"

if diff -u --label 'what the migrations build' --label 'sql/schema.sql' "$work/migrations.sql" "$work/schema.sql"; then
    migrations=("$ROOT"/sql/migrations/[0-9][0-9][0-9]_*.sql)
    say "sql/schema.sql is what the migrations build (${#migrations[@]} migrations)"
    exit 0
fi
echo
echo "sql/schema.sql differs from what the migrations build (- migrations, + schema.sql): change the" \
    "definitions in sql/schema.sql until scripts/schema-check.sh passes (docs/architecture.md, \"The schema\")." >&2
exit 1
