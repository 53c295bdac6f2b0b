# Shared settings of the local stack scripts (sourced, not run). Expects ROOT (the repository root).
# See docs/local-stack-contract.md for the ports and folders of each profile.

# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this file

SC_PROFILE=${SC_PROFILE:-run}
case $SC_PROFILE in
run)
    VAR=$ROOT/var
    HTTP_PORT=${SC_HTTP_PORT:-8080}
    PG_PORT=${SC_PG_PORT:-5433}
    REDIS_PORT=${SC_REDIS_PORT:-6380}
    FIXTURE_PORT=${SC_FIXTURE_PORT:-8090}
    SMTP_PORT=${SC_SMTP_PORT:-8025}
    ;;
test)
    VAR=$ROOT/var/test
    HTTP_PORT=${SC_HTTP_PORT:-18080}
    PG_PORT=${SC_PG_PORT:-15433}
    REDIS_PORT=${SC_REDIS_PORT:-16380}
    FIXTURE_PORT=${SC_FIXTURE_PORT:-18090}
    SMTP_PORT=${SC_SMTP_PORT:-18025}
    ;;
*)
    printf 'SC_PROFILE must be "run" or "test", not "%s"\n' "$SC_PROFILE" >&2
    exit 2
    ;;
esac

RUN_DIR=$VAR/run
LOG_DIR=$VAR/log
API_SOCK=$RUN_DIR/api.sock
MAIL_DIR=$VAR/mail
# The whole-catalogue files written each night by the job runner, served by nginx at /exports/.
EXPORT_DIR=${SC_EXPORT_DIR:-$VAR/exports}
# The counting index (docs/architecture.md, "Counting index"): built by the job runner, mapped by the API.
INDEX_FILE=${SC_INDEX_FILE:-$VAR/index/counts.cidx}
SECRET_FILE=$VAR/secret.key
PGBIN=${SC_PGBIN:-/usr/lib/postgresql/15/bin}
DB_NAME=socialconnect
DB_USER=socialconnect

# Reference data (geodata, vocabularies) is read in place, never copied into the repository.
SC_SHARED_DIR=${SC_SHARED_DIR:-$ROOT/../shared}
if [[ -d $SC_SHARED_DIR ]]; then
    SC_SHARED_DIR=$(cd "$SC_SHARED_DIR" && pwd -P)
else
    SC_SHARED_DIR=$(realpath -m -- "$SC_SHARED_DIR")
fi
export SC_SHARED_DIR

say() { printf '[%s] %s\n' "$SC_PROFILE" "$*"; }
warn() { printf '[%s] warning: %s\n' "$SC_PROFILE" "$*" >&2; }
die() {
    printf '[%s] error: %s\n' "$SC_PROFILE" "$*" >&2
    exit 1
}
as_root() { ((EUID == 0)); }
