#!/usr/bin/env bash
# make chaos: a fault drill against the RUNNING stack of SC_PROFILE (run or test, with its ports from
# SC_HTTP_PORT…). wrk sends requests while one fault at a time is injected; for each scenario the drill
# prints the requests, the errors (non-2xx answers and socket errors), their statuses, the X-Cache
# values and the recovery time, and fails (exit 1) when a scenario exceeds its budget.
# Scenarios, budgets and figures: docs/reliability.md.
#
#   scripts/chaos.sh [--only NAME[,NAME…]] [--dry-run] [--help]
#
# It stops and starts parts of the stack (PostgreSQL, Redis) through scripts/stack.sh and puts back
# what it stopped, even when interrupted. It refuses to run when it cannot find the stack running.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/common.sh
. "$ROOT/scripts/common.sh"
STACK=$ROOT/scripts/stack.sh
LUA=$ROOT/scripts/chaos.lua
SLOW=$ROOT/scripts/chaos-slow.mjs
PATHS=$ROOT/scripts/bench-search-paths.txt
BASE=http://127.0.0.1:$HTTP_PORT

CONN=${SC_CHAOS_CONNECTIONS:-16}
THREADS=${SC_CHAOS_THREADS:-2}
PG_MARGIN_MS=${SC_CHAOS_PG_MARGIN_MS:-2000}
SLOW_CLIENTS=${SC_CHAOS_SLOW_CLIENTS:-200}
SLOW_P99_FACTOR=${SC_CHAOS_SLOW_P99_FACTOR:-3}
SLOW_P99_FLOOR_MS=${SC_CHAOS_SLOW_P99_FLOOR_MS:-50}
REDIS_DOWN_S=${SC_CHAOS_REDIS_DOWN_S:-10}
ALL=(kill-worker pg-restart redis-stop sighup slow-clients)

usage() {
    cat <<EOF
usage: SC_PROFILE=run|test $0 [--only NAME[,NAME…]] [--dry-run] [--help]
A fault drill against the running stack of the profile (http://127.0.0.1:$HTTP_PORT/ for
SC_PROFILE=$SC_PROFILE): start it first (scripts/stack.sh start). Scenarios, one at a time, each under wrk
($THREADS threads, $CONN connections; SC_CHAOS_CONNECTIONS, SC_CHAOS_THREADS):
  kill-worker   SIGKILL to one API worker          budget: errors <= $CONN (the requests in flight)
  pg-restart    PostgreSQL stopped and started     budget: no error on cached answers; errors on the
                                                   others only while it is down (+${PG_MARGIN_MS} ms,
                                                   SC_CHAOS_PG_MARGIN_MS)
  redis-stop    Redis stopped ${REDIS_DOWN_S} s, then started   budget: no error
  sighup        SIGHUP to the API master, twice    budget: no error
  slow-clients  $SLOW_CLIENTS connections that never finish a request (SC_CHAOS_SLOW_CLIENTS)
                                                   budget: no error; p99 <= ${SLOW_P99_FACTOR} x the p99
                                                   measured just before + ${SLOW_P99_FLOOR_MS} ms
--only runs some of them (comma-separated); --dry-run checks the tools and prints the plan only.
Exit status: 0 when every scenario kept its budget, 1 otherwise, 2 on a usage error or no stack.
EOF
}

only=""
dry=0
while (($# > 0)); do
    case $1 in
    --only)
        only=${2:-}
        shift 2 || {
            usage >&2
            exit 2
        }
        ;;
    --only=*)
        only=${1#--only=}
        shift
        ;;
    --dry-run)
        dry=1
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
done

scenarios=("${ALL[@]}")
if [[ -n $only ]]; then
    IFS=, read -r -a scenarios <<<"$only"
    for s in "${scenarios[@]}"; do
        [[ " ${ALL[*]} " == *" $s "* ]] || {
            printf 'chaos: unknown scenario "%s" (known: %s)\n' "$s" "${ALL[*]}" >&2
            exit 2
        }
    done
fi
for v in CONN THREADS PG_MARGIN_MS SLOW_CLIENTS SLOW_P99_FACTOR SLOW_P99_FLOOR_MS REDIS_DOWN_S; do
    [[ ${!v} =~ ^[0-9]+$ ]] || {
        printf 'chaos: %s must be a whole number, not "%s"\n' "$v" "${!v}" >&2
        exit 2
    }
done
((CONN >= THREADS && THREADS >= 1)) || {
    echo "chaos: SC_CHAOS_CONNECTIONS must be at least SC_CHAOS_THREADS (>= 1)" >&2
    exit 2
}
for tool in wrk node curl redis-cli; do
    command -v "$tool" >/dev/null || {
        printf 'chaos: %s is missing (scripts/install-deps.sh)\n' "$tool" >&2
        exit 2
    }
done
for f in "$LUA" "$SLOW" "$PATHS" "$STACK"; do
    [[ -r $f ]] || {
        printf 'chaos: %s is missing\n' "$f" >&2
        exit 2
    }
done
node --check "$SLOW"

if ((dry)); then
    printf 'chaos: would run %s against %s (profile %s)\n' "${scenarios[*]}" "$BASE" "$SC_PROFILE"
    exit 0
fi

now_ms() { date +%s%3N; }
pidfile() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }
alive() { [[ -n $1 ]] && kill -0 "$1" 2>/dev/null; }
workers() { pgrep -P "$(pidfile api)" | sort -n || true; }
health() { curl -s -m 3 "$BASE/api/v1/health" 2>/dev/null || true; }

# The stack must be this profile's, running: its pid files name live processes and nginx answers
# the health check in the API's JSON.
refuse() {
    printf 'chaos: %s\n' "$1" >&2
    printf 'chaos: start the stack first: SC_PROFILE=%s scripts/stack.sh start (ports from SC_HTTP_PORT…)\n' "$SC_PROFILE" >&2
    exit 2
}
for c in api nginx postgres redis; do
    alive "$(pidfile "$c")" || refuse "no running $c for profile $SC_PROFILE ($RUN_DIR/$c.pid)"
done
[[ $(health) == *'"status":"ok"'* ]] || refuse "$BASE/api/v1/health does not answer \"ok\" (got: $(health | head -c 200))"
[[ -n $(workers) ]] || refuse "the API master $(pidfile api) has no worker"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sc-chaos.XXXXXX")
pg_stopped=0
redis_stopped=0
bg=()
cleanup() {
    local p
    for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
    ((redis_stopped)) && "$STACK" start-redis >/dev/null 2>&1 || true
    ((pg_stopped)) && "$STACK" start-pg >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_healthy() {
    local i
    for ((i = 0; i < 200; i++)); do
        [[ $(health) == *'"status":"ok"'* ]] && return 0
        sleep 0.1
    done
    echo "chaos: the stack is not healthy 20 s after the scenario" >&2
    return 1
}

# run_wrk OUT SECONDS MODE [CONNECTIONS] [PREFIX]: wrk in the background; its pid in $wrk_pid.
run_wrk() {
    local out=$1 secs=$2 mode=$3 conn=${4:-$CONN} prefix=${5:-chaos}
    local threads=$THREADS
    ((threads > conn)) && threads=$conn
    wrk -t"$threads" -c"$conn" -d"${secs}s" --timeout 5s --latency -s "$LUA" "$BASE" -- \
        "$mode" "$PATHS" "$prefix" >"$out" 2>&1 &
    wrk_pid=$!
    bg+=("$wrk_pid")
}

# field FILE KEY: a value from the CHAOS lines of a wrk output.
field() {
    local v
    v=$(grep '^CHAOS ' "$1" | tr ' ' '\n' | grep -m1 "^$2=" | cut -d= -f2- || true)
    printf '%s' "${v:-?}"
}
# errors FILE: non-2xx answers plus socket errors.
errors() {
    local st non2xx=0 k v
    st=$(field "$1" statuses)
    if [[ $st != none && $st != '?' ]]; then
        local IFS=,
        for kv in $st; do
            k=${kv%%:*} v=${kv#*:}
            [[ $k == 2?? ]] || non2xx=$((non2xx + v))
        done
    fi
    echo $((non2xx + $(field "$1" socket_errors)))
}
check_wrk() {
    grep -q '^CHAOS requests=' "$1" || {
        echo "chaos: wrk gave no result:" >&2
        cat "$1" >&2
        return 1
    }
}
# recovery FAULT_MS FILE: from the fault to the last error answer, in seconds (0 without errors).
recovery() {
    local last
    last=$(field "$2" last_error_ms)
    if [[ $last == 0 || $last == '?' ]]; then
        echo 0.00
    else
        awk -v a="$last" -v b="$1" 'BEGIN { d = (a - b) / 1000; if (d < 0) d = 0; printf "%.2f", d }'
    fi
}

results=()
failed=0
# report NAME FILE RECOVERY BUDGET VERDICT [NOTE]
report() {
    local name=$1 f=$2
    printf '\n== %s\n' "$name"
    printf '   requests %s, errors %s (socket errors %s), statuses %s, X-Cache %s\n' \
        "$(field "$f" requests)" "$(errors "$f")" "$(field "$f" socket_errors)" "$(field "$f" statuses)" \
        "$(field "$f" cache)"
    printf '   latency p50 %s ms, p99 %s ms, max %s ms; recovery %s s\n' \
        "$(field "$f" p50_ms)" "$(field "$f" p99_ms)" "$(field "$f" max_ms)" "$3"
    [[ -n ${6:-} ]] && printf '   %s\n' "$6"
    printf '   budget: %s -> %s\n' "$4" "$5"
    results+=("$(printf '%-18s %-5s %s' "$name" "$5" "$4")")
    [[ $5 == PASS ]] || failed=1
}

warm() {
    local p
    while IFS= read -r p; do
        [[ -z $p || $p == \#* ]] && continue
        curl -s -o /dev/null "$BASE$p" || true
        curl -s -o /dev/null "$BASE$p" || true
    done <"$PATHS"
}

scenario_kill_worker() {
    local out=$tmp/kill.out before victim t_fault t_back="" i
    warm
    before=$(workers | wc -l)
    run_wrk "$out" 10 list "$CONN" chaos-kill
    sleep 3
    victim=$(workers | head -n1)
    t_fault=$(now_ms)
    kill -KILL "$victim"
    for ((i = 0; i < 100; i++)); do
        if ! workers | grep -qx "$victim" && (($(workers | wc -l) >= before)); then
            t_back=$(now_ms)
            break
        fi
        sleep 0.05
    done
    wait "$wrk_pid" || true
    check_wrk "$out" || return 1
    local errs verdict=PASS note
    errs=$(errors "$out")
    ((errs <= CONN)) || verdict=FAIL
    if [[ -n $t_back ]]; then
        note="worker $victim killed; $before workers again after $(((t_back - t_fault))) ms"
    else
        note="worker $victim killed; the master did not bring the workers back to $before within 5 s"
        verdict=FAIL
    fi
    report kill-worker "$out" "$(recovery "$t_fault" "$out")" "errors <= $CONN (in flight)" "$verdict" "$note"
}

scenario_pg_restart() {
    local cached=$tmp/pg-cached.out others=$tmp/pg-others.out half=$((CONN / 2)) t_stop t_down t_up
    ((half >= 1)) || half=1
    warm
    run_wrk "$cached" 14 list "$half" chaos-pg-cached
    local w1=$wrk_pid
    run_wrk "$others" 14 unique "$half" chaos-pg-others
    local w2=$wrk_pid
    sleep 3
    t_stop=$(now_ms)
    pg_stopped=1
    "$STACK" stop-pg >"$tmp/pg-stack.log" 2>&1
    t_down=$(now_ms)
    "$STACK" start-pg >>"$tmp/pg-stack.log" 2>&1
    pg_stopped=0
    t_up=$(now_ms)
    wait "$w1" || true
    wait "$w2" || true
    check_wrk "$cached" || return 1
    check_wrk "$others" || return 1
    local ce oe first last verdict=PASS why="" cverdict=PASS
    ce=$(errors "$cached")
    oe=$(errors "$others")
    first=$(field "$others" first_error_ms)
    last=$(field "$others" last_error_ms)
    if ((ce > 0)); then
        cverdict=FAIL
        why="$ce errors on cached answers"
    fi
    if ((oe > 0)) && { ((first < t_stop)) || ((last > t_up + PG_MARGIN_MS)); }; then
        verdict=FAIL
        why+="${why:+; }errors on the others from $((first - t_stop)) ms to $((last - t_stop)) ms after the stop, outside 0..$((t_up - t_stop + PG_MARGIN_MS)) ms"
    fi
    local note="PostgreSQL stopped at 0 ms (down after $((t_down - t_stop)) ms), accepting again at $((t_up - t_stop)) ms"
    ((oe > 0)) && note+="; errors on the others from $((first - t_stop)) to $((last - t_stop)) ms"
    ((ce > 0)) && note+="; on cached answers from $(($(field "$cached" first_error_ms) - t_stop)) to $(($(field "$cached" last_error_ms) - t_stop)) ms"
    [[ -n $why ]] && note+=$'\n'"   over budget: $why"
    report pg-restart/cached "$cached" "$(recovery "$t_stop" "$cached")" \
        "no error on cached answers" "$cverdict" "$note"
    report pg-restart/others "$others" "$(recovery "$t_stop" "$others")" \
        "errors only while PostgreSQL is down (+${PG_MARGIN_MS} ms)" "$verdict"
}

scenario_redis_stop() {
    local out=$tmp/redis.out t_stop t_up
    warm
    run_wrk "$out" $((REDIS_DOWN_S + 6)) list "$CONN" chaos-redis
    sleep 3
    t_stop=$(now_ms)
    redis_stopped=1
    "$STACK" stop-redis >"$tmp/redis-stack.log" 2>&1
    sleep "$REDIS_DOWN_S"
    "$STACK" start-redis >>"$tmp/redis-stack.log" 2>&1
    redis_stopped=0
    t_up=$(now_ms)
    wait "$wrk_pid" || true
    check_wrk "$out" || return 1
    local errs
    errs=$(errors "$out")
    report redis-stop "$out" "$(recovery "$t_stop" "$out")" "no error" "$( ((errs == 0)) && echo PASS || echo FAIL)" \
        "Redis stopped at 0 ms, started again at $((t_up - t_stop)) ms"
}

scenario_sighup() {
    local out=$tmp/hup.out before after t_fault master
    warm
    master=$(pidfile api)
    before=$(workers | tr '\n' ' ')
    run_wrk "$out" 10 list "$CONN" chaos-hup
    sleep 3
    t_fault=$(now_ms)
    kill -HUP "$master"
    sleep 3
    kill -HUP "$master"
    wait "$wrk_pid" || true
    after=$(workers | tr '\n' ' ')
    check_wrk "$out" || return 1
    local errs verdict=PASS
    errs=$(errors "$out")
    ((errs == 0)) || verdict=FAIL
    local note="two SIGHUPs 3 s apart; workers before: ${before% }; after: ${after% }"
    if [[ $before == "$after" ]]; then
        note+=" (not replaced)"
        verdict=FAIL
    fi
    report sighup "$out" "$(recovery "$t_fault" "$out")" "no error" "$verdict" "$note"
}

scenario_slow_clients() {
    local base=$tmp/slow-base.out out=$tmp/slow.out slow=$tmp/slow-clients.out t_fault
    warm
    run_wrk "$base" 6 list "$CONN" chaos-slow-base
    wait "$wrk_pid" || true
    check_wrk "$base" || return 1
    node "$SLOW" 127.0.0.1 "$HTTP_PORT" "$SLOW_CLIENTS" 20 >"$slow" 2>&1 &
    local slow_pid=$!
    bg+=("$slow_pid")
    sleep 1.5
    t_fault=$(now_ms)
    run_wrk "$out" 8 list "$CONN" chaos-slow
    wait "$wrk_pid" || true
    kill -TERM "$slow_pid" 2>/dev/null || true
    wait "$slow_pid" || true
    check_wrk "$out" || return 1
    local errs p99 p99b bound verdict=PASS
    errs=$(errors "$out")
    p99=$(field "$out" p99_ms)
    p99b=$(field "$base" p99_ms)
    bound=$(awk -v b="$p99b" -v f="$SLOW_P99_FACTOR" -v a="$SLOW_P99_FLOOR_MS" 'BEGIN { printf "%.2f", b * f + a }')
    ((errs == 0)) || verdict=FAIL
    awk -v p="$p99" -v b="$bound" 'BEGIN { exit !(p <= b) }' || verdict=FAIL
    report slow-clients "$out" "$(recovery "$t_fault" "$out")" \
        "no error; p99 <= ${SLOW_P99_FACTOR} x ${p99b} + ${SLOW_P99_FLOOR_MS} = ${bound} ms" "$verdict" \
        "before the slow clients: $(field "$base" requests) requests, p99 ${p99b} ms, errors $(errors "$base"); slow clients: $(tail -n1 "$slow")"
}

printf 'chaos: %s against %s (profile %s), wrk %s threads x %s connections, %s\n' "${scenarios[*]}" "$BASE" \
    "$SC_PROFILE" "$THREADS" "$CONN" "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf 'chaos: load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
started=$(now_ms)
for s in "${scenarios[@]}"; do
    if ! "scenario_${s//-/_}"; then
        results+=("$(printf '%-18s %-5s %s' "$s" FAIL "the scenario could not run")")
        failed=1
    fi
    wait_healthy || failed=1
done

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
printf '\n== summary (%s s; load average %s; %s cores)\n' "$(((($(now_ms) - started) + 500) / 1000))" "$(loadavg)" "$(nproc)"
printf '   %s\n' "${results[@]}"
if ((failed)); then
    echo "chaos: FAIL"
    exit 1
fi
echo "chaos: PASS"
