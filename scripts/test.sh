#!/usr/bin/env bash
# Every suite, on a private stack (profile test: var/test/, ports 18080/15433/16380) built afresh:
#   builds (API, API with AddressSanitizer + UndefinedBehaviorSanitizer, front end), C unit tests,
#   the schema check (sql/schema.sql against the migrations), API tests through nginx, browser tests,
#   the API tests again against the sanitizer build, then the harvester against the fixture sites
#   (tests/harvest; last, as it adds harvested initiatives).
# Each step runs even when an earlier one failed; the summary ends with "N passed, N failed" and the
# exit status is non-zero when anything failed. The test stack is stopped on every exit.
#
# SC_SKIP_BROWSER=1 skips the browser suite; SC_SUITE_TIMEOUT (seconds, default 1800) bounds each suite.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT" || exit 1
export SC_PROFILE=test
# shellcheck source=scripts/common.sh
. "$ROOT/scripts/common.sh"

SUITE_TIMEOUT=${SC_SUITE_TIMEOUT:-1800}
STACK=$ROOT/scripts/stack.sh

names=()
results=()
notes=()

record() {
    names+=("$1")
    results+=("$2")
    notes+=("${3:-}")
}

banner() { printf '\n==== %s ====\n' "$*"; }

# step NAME CMD...: runs CMD and records whether it passed.
step() {
    local name=$1 rc
    shift
    banner "$name"
    "$@"
    rc=$?
    if ((rc == 0)); then
        record "$name" passed
    else
        record "$name" failed "exit status $rc"
    fi
    return "$rc"
}

# node_tests DIR: the test files node's runner would pick in DIR (node_modules excluded).
node_tests() {
    find "$1" -name node_modules -prune -o -type f \
        \( -name '*.test.js' -o -name '*.test.mjs' -o -name '*.test.cjs' \
        -o -name '*-test.js' -o -name '*-test.mjs' -o -name '*_test.js' -o -name '*_test.mjs' \
        -o -name 'test-*.js' -o -name 'test-*.mjs' -o -name 'test.js' -o -name 'test.mjs' \) \
        -print | LC_ALL=C sort
}

# node_suite NAME DIR [NODE_ARG...]: runs node's test runner over DIR against the test stack.
node_suite() {
    local name=$1 dir=$2 files=()
    shift 2
    local node_args=("$@")
    if [[ ! -d $dir ]]; then
        banner "$name"
        echo "$dir does not exist: the suite is missing"
        record "$name" failed "missing: $dir does not exist"
        return 1
    fi
    mapfile -t files < <(node_tests "$dir")
    if ((${#files[@]} == 0)); then
        banner "$name"
        echo "no test file in $dir"
        record "$name" failed "missing: no test file in $dir"
        return 1
    fi
    step "$name" env SC_BASE_URL="http://127.0.0.1:$HTTP_PORT" SC_PROFILE=test SC_REPO="$ROOT" \
        SC_SHARED_DIR="$SC_SHARED_DIR" SC_CHROMIUM="${SC_CHROMIUM:-/usr/bin/chromium}" \
        PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=socialconnect PGDATABASE=socialconnect \
        SC_REDIS_HOST=127.0.0.1 SC_REDIS_PORT="$REDIS_PORT" \
        timeout --kill-after=30 "$SUITE_TIMEOUT" node "${node_args[@]}" --test "${files[@]}"
}

stack_stopped=0
stop_stack() {
    ((stack_stopped)) && return 0
    stack_stopped=1
    banner "stopping the test stack"
    "$STACK" stop
}
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step install-deps "$ROOT/scripts/install-deps.sh"
step build-backend make -C backend
step build-backend-asan make -C backend SANITIZE=1
step build-frontend make --no-print-directory frontend-required
# The OpenAPI description, assembled from docs/openapi/ (fails on two fragments describing one operation).
step openapi make --no-print-directory openapi
step unit make -C backend test
# make chaos itself needs a running stack and is timing-dependent: only check that it parses and starts.
step chaos-check "$ROOT/scripts/chaos.sh" --dry-run
# Every parser of outside input under libFuzzer, for a bounded time (SC_FUZZ_SECONDS each).
step fuzz make -C backend fuzz-run FUZZ_SECONDS="${SC_FUZZ_SECONDS:-15}"

banner "fresh test stack"
"$STACK" wipe
step stack "$STACK" start
# sql/schema.sql is exactly what the migrations build (scratch databases in the stack's PostgreSQL).
step schema "$ROOT/scripts/schema-check.sh"

# Every answer of the API suites is checked against the OpenAPI description (tests/api/openapi-validate.mjs).
OPENAPI_IMPORT=(--import "$ROOT/tests/api/openapi-validate.mjs")
node_suite api "$ROOT/tests/api" "${OPENAPI_IMPORT[@]}"

# Exports at scale (tests/api/load): adds 50,100 initiatives, measures the API workers' memory while
# one export streams 50,000 of them, writes the nightly catalogue files, and removes the rows again.
# A step of its own, after the API suite, whose files count the 300 demo initiatives.
step api-exports-load env SC_BASE_URL="http://127.0.0.1:$HTTP_PORT" SC_PROFILE=test SC_REPO="$ROOT" \
    SC_SHARED_DIR="$SC_SHARED_DIR" PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=socialconnect \
    PGDATABASE=socialconnect SC_REDIS_HOST=127.0.0.1 SC_REDIS_PORT="$REDIS_PORT" \
    timeout --kill-after=30 "$SUITE_TIMEOUT" node --test "$ROOT/tests/api/load/exports-load.mjs"

if [[ ${SC_SKIP_BROWSER:-} == 1 ]]; then
    banner browser
    echo "skipped (SC_SKIP_BROWSER=1)"
    record browser skipped "SC_SKIP_BROWSER=1"
else
    node_suite browser "$ROOT/tests/browser"
fi

# The API suite again, against the sanitizer build; any report fails it.
banner "API under AddressSanitizer + UndefinedBehaviorSanitizer"
rm -f "$LOG_DIR"/asan.* "$LOG_DIR"/ubsan.*
"$STACK" stop-api
api_log_start=$(stat -c %s "$LOG_DIR/api.log" 2>/dev/null || echo 0)
# Exported: the suite may restart the API itself through scripts/stack.sh.
export SC_API_BIN=backend/build-asan/socialconnect-api
export ASAN_OPTIONS="detect_leaks=1:log_path=$LOG_DIR/asan:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$LOG_DIR/ubsan"
if "$STACK" start-api; then
    node_suite api-asan "$ROOT/tests/api" "${OPENAPI_IMPORT[@]}"
    "$STACK" stop-api
    # With GCC, UndefinedBehaviorSanitizer linked beside AddressSanitizer ignores log_path and reports
    # on stderr, that is in api.log: keep what this run added there as a report file too.
    tail -c +"$((api_log_start + 1))" "$LOG_DIR/api.log" 2>/dev/null |
        grep -E -A 30 'runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer' >"$LOG_DIR/ubsan.api-log"
    [[ -s $LOG_DIR/ubsan.api-log ]] || rm -f "$LOG_DIR/ubsan.api-log"
    reports=()
    for f in "$LOG_DIR"/asan.* "$LOG_DIR"/ubsan.*; do
        [[ -e $f ]] && reports+=("$f")
    done
    if ((${#reports[@]} > 0)); then
        for f in "${reports[@]}"; do
            printf -- '--- %s ---\n' "$f"
            cat "$f"
        done
        if [[ ${results[-1]} == passed ]]; then
            results[-1]=failed
            notes[-1]="sanitizer reports: ${reports[*]##*/}"
        else
            notes[-1]+="; sanitizer reports: ${reports[*]##*/}"
        fi
    fi
else
    record api-asan failed "the sanitizer build of the API did not start"
fi
unset SC_API_BIN ASAN_OPTIONS UBSAN_OPTIONS

# The harvest of the fixture sites, end to end, last: it adds about 400 initiatives, which the
# API suites above must not see. The harvester runs as its sanitizer build; any report fails it.
banner "harvest of the fixture sites"
if ! "$STACK" start-api; then
    record harvest failed "the API did not start"
fi
rm -f "$LOG_DIR"/hv-asan.* "$LOG_DIR"/hv-ubsan.*
export SC_HARVEST_BIN=$ROOT/backend/build-asan/socialconnect-harvest
export ASAN_OPTIONS="detect_leaks=1:log_path=$LOG_DIR/hv-asan:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOG_DIR/hv-ubsan"
node_suite harvest "$ROOT/tests/harvest"
reports=()
for f in "$LOG_DIR"/hv-asan.* "$LOG_DIR"/hv-ubsan.*; do
    [[ -e $f ]] && reports+=("$f")
done
if ((${#reports[@]} > 0)); then
    for f in "${reports[@]}"; do
        printf -- '--- %s ---\n' "$f"
        cat "$f"
    done
    results[-1]=failed
    notes[-1]+="; sanitizer reports: ${reports[*]##*/}"
fi
unset SC_HARVEST_BIN ASAN_OPTIONS UBSAN_OPTIONS

stop_stack
trap - EXIT

banner summary
mkdir -p "$VAR"
for i in "${!names[@]}"; do
    printf '  %-8s %-20s %s\n' "${results[$i]}" "${names[$i]}" "${notes[$i]}"
done | tee "$VAR/summary.txt"
passed=$(grep -c '^  passed ' "$VAR/summary.txt")
failed=$(grep -c '^  failed ' "$VAR/summary.txt")
printf '%s passed, %s failed\n' "$passed" "$failed" | tee -a "$VAR/summary.txt"
((failed == 0))
