#!/usr/bin/env bash
# Applies the numbered migrations sql/migrations/NNN_name.sql in order, each once. Each one runs in a
# single transaction together with its row in schema_migrations (version = file name without ".sql"),
# so a failed migration leaves no trace and is retried next time.
#
# Connection: the libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD...).
# SC_MIGRATIONS_DIR overrides the folder; PSQL the psql program.
# Used by scripts/stack.sh migrate and by the migration job of docker/compose.yaml.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
dir=${SC_MIGRATIONS_DIR:-$ROOT/sql/migrations}
PSQL=${PSQL:-psql}

run_psql() { "$PSQL" -X -q -v ON_ERROR_STOP=1 "$@"; }

if [[ ! -d $dir ]]; then
    echo "migrate: no folder $dir: nothing to apply"
    exit 0
fi

run_psql -c "SET client_min_messages = warning" -c "CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now())"

declare -A applied=()
while IFS= read -r version; do
    [[ -n $version ]] && applied[$version]=1
done < <(run_psql -tA -c "SELECT version FROM schema_migrations")

files=()
while IFS= read -r -d '' file; do
    files+=("$file")
done < <(find "$dir" -maxdepth 1 -type f -name '[0-9][0-9][0-9]_*.sql' -print0 | LC_ALL=C sort -z)

declare -A numbers=()
for file in "${files[@]}"; do
    name=${file##*/}
    [[ $name =~ ^[0-9]{3}_[A-Za-z0-9_.-]+\.sql$ ]] || {
        echo "migrate: $name: use only letters, digits, '_', '-' and '.' in migration names" >&2
        exit 1
    }
    number=${name:0:3}
    if [[ -n ${numbers[$number]:-} ]]; then
        echo "migrate: $name and ${numbers[$number]} share the number $number" >&2
        exit 1
    fi
    numbers[$number]=$name
done

count=0
for file in "${files[@]}"; do
    name=${file##*/}
    version=${name%.sql}
    [[ -n ${applied[$version]:-} ]] && continue
    # The file runs inside the transaction opened by --single-transaction: its own BEGIN/COMMIT would
    # end that transaction early and record the migration apart from its effects.
    if grep -qiE '^[[:space:]]*(BEGIN|COMMIT|ROLLBACK|START[[:space:]]+TRANSACTION)[[:space:]]*;' "$file"; then
        echo "migrate: $name: remove its BEGIN/COMMIT, each migration already runs in one transaction" >&2
        exit 1
    fi
    echo "migrate: applying $version"
    if ! run_psql --single-transaction -o /dev/null -f "$file" \
        -c "INSERT INTO schema_migrations (version) VALUES ('$version')"; then
        echo "migrate: $version failed: nothing of it was kept" >&2
        exit 1
    fi
    count=$((count + 1))
done
# A migration that adds a stored column rewrites its table, and the rewritten table has no
# visibility map until VACUUM: its index-only scans read the rows again (the place-name prefix of
# the suggestions, "saint": 1.9 ms with the map, 3.7 ms without). Autovacuum does not restore it on
# the reference tables, which are not written to, and comes late on initiative (after migration
# 026 rewrote it, the uncached search mix at 1,000,000 initiatives fell from 267 to 181 requests/s
# until VACUUM); VACUUM cannot run inside a migration's transaction, so it runs here, after any
# migration (seconds: the pages of a table not rewritten are skipped through their map).
if ((count > 0)); then
    run_psql -c "VACUUM (ANALYZE) territory, vocabulary, initiative"
fi
echo "migrate: $count applied, $((${#files[@]} - count)) already present"
