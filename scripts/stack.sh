#!/usr/bin/env bash
# The private local stack: PostgreSQL/PostGIS, Redis, the API, nginx, the job runner and a local SMTP
# sink, under var/ (profile run) or
# var/test/ (profile test). Ports, folders and actions: docs/local-stack-contract.md.
#
#   SC_PROFILE=run|test scripts/stack.sh ACTION [ACTION...]
#
# Every start action skips what is already running (pid file plus a live process of the right program);
# every stop action stops only the process named by our own pid file.
set -euo pipefail
umask 022

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/common.sh
. "$ROOT/scripts/common.sh"

NGINX_BIN=${SC_NGINX_BIN:-/usr/sbin/nginx}
REDIS_BIN=${SC_REDIS_BIN:-redis-server}
MIGRATIONS_DIR=${SC_MIGRATIONS_DIR:-$ROOT/sql/migrations}
STOP_GRACE=${SC_STOP_GRACE:-20}

# When the postgres user cannot reach $VAR (a checkout under a private home, e.g. /root), the cluster
# lives here instead and $VAR/pg is a symbolic link to it.
FALLBACK_DIR=/var/tmp/socialconnect-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)-$SC_PROFILE

usage() {
    cat <<EOF
usage: SC_PROFILE=run|test $0 ACTION [ACTION...]
actions: start stop status restart
         start-pg stop-pg restart-pg migrate load
         start-redis stop-redis restart-redis
         start-api stop-api restart-api
         start-nginx stop-nginx restart-nginx
         start-mail stop-mail (the local SMTP sink: messages kept in \$VAR/mail)
         start-jobs stop-jobs restart-jobs (the job runner: harvests, alerts, e-mails)
         export (writes the whole-catalogue files into \$VAR/exports now, as each night)
         index (builds the counting index \$VAR/index/counts.cidx now; the job runner keeps it in step)
         start-fixtures stop-fixtures (the local imitations of source platforms)
         harvest (loads sources/fixtures/*.json but the hostile one, and harvests them)
         rotate (rotates the logs that are over SC_LOG_MAX_SIZE or a day old, now)
         start-logrotate stop-logrotate (the loop that runs rotate every SC_LOG_CHECK_INTERVAL s)
         env (prints shell exports for this profile)  psql [ARGS] (opens psql as socialconnect)
         wipe (stops the profile and deletes its data)
EOF
}

# ---------------------------------------------------------------------------------------------------
# Processes

# pid_alive PID: PID is a live process (a zombie that nobody reaped yet counts as gone).
pid_alive() {
    local pid=$1 stat
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

proc_comm() { cat "/proc/$1/comm" 2>/dev/null || true; }

proc_argv0() {
    local argv0=""
    IFS= read -r -d '' argv0 2>/dev/null <"/proc/$1/cmdline" || true
    printf '%s' "$argv0"
}

# read_pid FILE: prints the first line of FILE when it is a pid.
read_pid() {
    local pid=""
    [[ -f $1 ]] || return 1
    IFS= read -r pid <"$1" || true
    pid=${pid//[!0-9]/}
    [[ -n $pid ]] && printf '%s' "$pid"
}

# wait_gone PID TENTHS: waits until PID is gone, at most TENTHS tenths of a second.
wait_gone() {
    local pid=$1 i
    for ((i = 0; i < $2; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.1
    done
    ! pid_alive "$pid"
}

# stop_process NAME PID SIGNAL...: sends the first signal and waits STOP_GRACE seconds, then each next
# signal with 5 s, then KILL.
stop_process() {
    local name=$1 pid=$2 sig tenths=$((STOP_GRACE * 10))
    shift 2
    for sig in "$@" KILL; do
        pid_alive "$pid" || break
        kill -s "$sig" "$pid" 2>/dev/null || true
        if wait_gone "$pid" "$tenths"; then
            break
        fi
        warn "$name (pid $pid) still running ${tenths}00 ms after SIG$sig"
        tenths=50
    done
    if pid_alive "$pid"; then
        warn "$name (pid $pid) did not stop"
        return 1
    fi
    say "$name stopped (pid $pid)"
}

# port_busy PORT: something listens on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_dirs() {
    mkdir -p "$VAR" "$RUN_DIR" "$LOG_DIR" "$EXPORT_DIR" "$(dirname "$INDEX_FILE")"
    chmod 0755 "$EXPORT_DIR" # read by nginx's workers, which may run as nobody
}

# The key that signs the links sent by e-mail (SC_SECRET_KEY of the API and the job runner): made
# once per profile, kept in $VAR/secret.key (mode 600), so that links stay valid across restarts.
ensure_secret() {
    ensure_dirs
    if [[ ! -s $SECRET_FILE ]]; then
        (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '=+/\n' >"$SECRET_FILE.new")
        mv "$SECRET_FILE.new" "$SECRET_FILE"
        say "created the secret key $SECRET_FILE"
    fi
}

log_tail() {
    [[ -f $1 ]] || return 0
    printf -- '--- last lines of %s ---\n' "$1" >&2
    tail -n "${2:-20}" "$1" >&2
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL

# pg_as CMD...: runs CMD as the owner of the cluster (postgres when we are root: initdb refuses root).
pg_as() {
    if as_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# pg_paths [create]: sets PGDATA_DIR (the path the server uses) and PG_SOCK_DIR. With "create", decides
# where a new cluster goes and makes the folders.
pg_paths() {
    local link=$VAR/pg fallback=0
    if [[ -L $link ]]; then
        fallback=1
    elif [[ ! -e $link && ${1:-} == create ]] && as_root; then
        id postgres >/dev/null 2>&1 || die "no postgres user: run scripts/install-deps.sh"
        runuser -u postgres -- test -x "$VAR" 2>/dev/null || fallback=1
    fi
    if ((fallback)); then
        PGDATA_DIR=$FALLBACK_DIR/pg
        PG_SOCK_DIR=$FALLBACK_DIR/sock
    else
        PGDATA_DIR=$link
        PG_SOCK_DIR=$RUN_DIR/pg
    fi
    # A Unix socket path is limited to 107 bytes.
    if ((${#PG_SOCK_DIR} + 20 > 107)); then
        PG_SOCK_DIR=$FALLBACK_DIR/sock
    fi
    [[ ${1:-} == create ]] || return 0

    local owner=()
    as_root && owner=(-o postgres -g postgres)
    if [[ $PGDATA_DIR == "$FALLBACK_DIR"/* || $PG_SOCK_DIR == "$FALLBACK_DIR"/* ]]; then
        if [[ -e $FALLBACK_DIR || -L $FALLBACK_DIR ]]; then
            [[ -d $FALLBACK_DIR && ! -L $FALLBACK_DIR && -O $FALLBACK_DIR ]] ||
                die "$FALLBACK_DIR exists and is not ours: remove it"
        fi
        install -d -m 0755 "$FALLBACK_DIR"
    fi
    if ((fallback)) && [[ ! -L $link ]]; then
        say "the postgres user cannot reach $VAR: the cluster lives in $FALLBACK_DIR (linked from $link)"
        ln -s "$PGDATA_DIR" "$link"
    fi
    install -d -m 0700 "${owner[@]}" "$PGDATA_DIR"
    install -d -m 0755 "${owner[@]}" "$PG_SOCK_DIR"
}

# pg_pid: the postmaster's pid, from our pid file or else from the cluster's own postmaster.pid.
pg_pid() {
    local pid file=$RUN_DIR/postgres.pid
    pg_paths
    for pid in "$(read_pid "$file" || true)" "$(read_pid "$PGDATA_DIR/postmaster.pid" || true)"; do
        [[ -n $pid ]] || continue
        if pid_alive "$pid" && [[ $(proc_comm "$pid") == postgres ]] &&
            tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | grep -qxF -- "$PGDATA_DIR"; then
            [[ -d $RUN_DIR ]] && printf '%s\n' "$pid" >"$file"
            printf '%s' "$pid"
            return 0
        fi
    done
    if [[ -f $file ]]; then
        say "removing stale $file" >&2
        rm -f "$file"
    fi
    return 1
}

pg_write_config() {
    local conf=$PGDATA_DIR/socialconnect.conf sockdir=${PG_SOCK_DIR//\'/\'\'}
    cat >"$conf" <<EOF
# Written by scripts/stack.sh at every start of the cluster: edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sockdir'
max_connections = 100
shared_buffers = 256MB
fsync = on
synchronous_commit = on
full_page_writes = on
# JIT compilation adds 0.4-0.8 s to PostGIS queries and gains nothing on this workload.
jit = off
logging_collector = off
log_destination = 'stderr'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = ${SC_PG_LOG_MIN_DURATION_MS:-1000}
EOF
    cat >"$PGDATA_DIR/pg_hba.conf" <<'EOF'
# Written by scripts/stack.sh: a private development cluster, reachable from this machine only.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
    if ! grep -qx "include_if_exists = 'socialconnect.conf'" "$PGDATA_DIR/postgresql.conf"; then
        printf "\n# Settings of the local stack.\ninclude_if_exists = 'socialconnect.conf'\n" \
            >>"$PGDATA_DIR/postgresql.conf"
    fi
    if as_root; then
        chown postgres:postgres "$conf" "$PGDATA_DIR/pg_hba.conf" "$PGDATA_DIR/postgresql.conf"
    fi
}

pg_initdb() {
    local locale=C
    locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale=C.UTF-8
    say "initialising a PostgreSQL cluster in $PGDATA_DIR"
    if ! pg_as "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale="$locale" -A trust \
        >>"$LOG_DIR/postgres.log" 2>&1; then
        log_tail "$LOG_DIR/postgres.log"
        die "initdb failed"
    fi
}

psql_super() {
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

pg_ensure_db() {
    if [[ -z $(psql_super -d postgres -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'") ]]; then
        psql_super -d postgres -c "CREATE ROLE $DB_USER LOGIN"
        say "created role $DB_USER"
    fi
    if [[ -z $(psql_super -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
        psql_super -d postgres -c "CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0"
        say "created database $DB_NAME"
    fi
    psql_super -d "$DB_NAME" -c 'SET client_min_messages = warning' \
        -c 'CREATE EXTENSION IF NOT EXISTS postgis' \
        -c 'CREATE EXTENSION IF NOT EXISTS unaccent' \
        -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm' \
        -c 'CREATE EXTENSION IF NOT EXISTS rum' \
        -c 'CREATE EXTENSION IF NOT EXISTS btree_gin'
}

start_pg() {
    [[ -x $PGBIN/postgres ]] || die "PostgreSQL 15 is not installed in $PGBIN: run scripts/install-deps.sh"
    ensure_dirs
    pg_paths create
    local pid i
    if pid=$(pg_pid); then
        say "postgres already running (pid $pid, port $PG_PORT)"
    else
        [[ -f $PGDATA_DIR/PG_VERSION ]] || pg_initdb
        pg_write_config
        ! port_busy "$PG_PORT" || die "127.0.0.1:$PG_PORT is already in use by another program"
        printf '=== %s start (port %s)\n' "$(date -Is)" "$PG_PORT" >>"$LOG_DIR/postgres.log"
        # The log is opened here, by us: the postgres user may not be able to reach $VAR/log.
        if ! pg_as "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -w -t 60 -s start >>"$LOG_DIR/postgres.log" 2>&1; then
            log_tail "$LOG_DIR/postgres.log"
            die "PostgreSQL did not start"
        fi
        pid=$(read_pid "$PGDATA_DIR/postmaster.pid") || die "no postmaster.pid after start"
        printf '%s\n' "$pid" >"$RUN_DIR/postgres.pid"
        say "postgres started (pid $pid, 127.0.0.1:$PG_PORT)"
    fi
    for ((i = 0; i < 300; i++)); do
        "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
        sleep 0.1
    done
    "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL does not accept connections"
    pg_ensure_db
}

stop_pg() {
    local pid
    if ! pid=$(pg_pid); then
        say "postgres not running"
        return 0
    fi
    # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave); SIGQUIT is
    # its immediate shutdown, better than KILL, which would leave the backends behind.
    stop_process postgres "$pid" INT QUIT || return 1
    rm -f "$RUN_DIR/postgres.pid"
}

pg_env() {
    export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=$DB_USER PGDATABASE=$DB_NAME
}

migrate() {
    pg_env
    PSQL=$PGBIN/psql SC_MIGRATIONS_DIR=$MIGRATIONS_DIR "$ROOT/scripts/migrate.sh"
}

load() {
    local script=$ROOT/sql/load/run.sh
    if [[ ! -f $script ]]; then
        say "no sql/load/run.sh: nothing to load"
        return 0
    fi
    [[ -d $SC_SHARED_DIR ]] || warn "shared data folder $SC_SHARED_DIR is missing"
    pg_env
    export PATH="$PGBIN:$PATH"
    say "loading reference and demo data (sql/load/run.sh)"
    (cd "$ROOT" && bash "$script")
}

# ---------------------------------------------------------------------------------------------------
# Redis: a cache only, nothing is persisted.

redis_pid() {
    local pid file=$RUN_DIR/redis.pid
    pid=$(read_pid "$file") || return 1
    if pid_alive "$pid" && [[ $(proc_comm "$pid") == redis-server ]]; then
        printf '%s' "$pid"
        return 0
    fi
    say "removing stale $file" >&2
    rm -f "$file"
    return 1
}

start_redis() {
    command -v "$REDIS_BIN" >/dev/null || die "redis-server is not installed: run scripts/install-deps.sh"
    ensure_dirs
    local pid i conf=$VAR/redis/redis.conf
    if pid=$(redis_pid); then
        say "redis already running (pid $pid, port $REDIS_PORT)"
        return 0
    fi
    ! port_busy "$REDIS_PORT" || die "127.0.0.1:$REDIS_PORT is already in use by another program"
    mkdir -p "$VAR/redis"
    cat >"$conf" <<EOF
# Written by scripts/stack.sh at every start: edit the script, not this file.
bind 127.0.0.1
protected-mode yes
port $REDIS_PORT
daemonize yes
pidfile "$RUN_DIR/redis.pid"
logfile "$LOG_DIR/redis.log"
dir "$VAR/redis"
save ""
appendonly no
maxmemory 256mb
maxmemory-policy allkeys-lru
EOF
    "$REDIS_BIN" "$conf" || die "redis-server did not start (see $LOG_DIR/redis.log)"
    for ((i = 0; i < 100; i++)); do
        if pid=$(read_pid "$RUN_DIR/redis.pid" 2>/dev/null) &&
            [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; then
            say "redis started (pid $pid, 127.0.0.1:$REDIS_PORT)"
            return 0
        fi
        sleep 0.1
    done
    log_tail "$LOG_DIR/redis.log"
    die "redis did not answer within 10 s"
}

stop_redis() {
    local pid
    if ! pid=$(redis_pid); then
        say "redis not running"
        return 0
    fi
    stop_process redis "$pid" TERM || return 1
    rm -f "$RUN_DIR/redis.pid"
}

# ---------------------------------------------------------------------------------------------------
# The API (a master process and its workers).

api_bin() {
    local bin=${SC_API_BIN:-backend/build/socialconnect-api}
    [[ $bin == /* ]] || bin=$ROOT/$bin
    printf '%s' "$bin"
}

# api_pid: the master's pid, checked against the program recorded at its start.
api_pid() {
    local pid file=$RUN_DIR/api.pid bin=""
    pid=$(read_pid "$file") || return 1
    [[ -f $RUN_DIR/api.bin ]] && bin=$(<"$RUN_DIR/api.bin")
    if pid_alive "$pid"; then
        local name=${bin##*/}
        if [[ -z $bin || $(proc_argv0 "$pid") == "$bin" || $(proc_comm "$pid") == "${name:0:15}" ]]; then
            printf '%s' "$pid"
            return 0
        fi
    fi
    say "removing stale $file" >&2
    rm -f "$file" "$RUN_DIR/api.bin"
    return 1
}

start_api() {
    local bin pid i
    bin=$(api_bin)
    ensure_dirs
    if pid=$(api_pid); then
        if [[ $(cat "$RUN_DIR/api.bin" 2>/dev/null) == "$bin" && ! $bin -nt $RUN_DIR/api.pid ]]; then
            say "api already running (pid $pid)"
            return 0
        fi
        say "api running from an older or another binary: restarting it"
        stop_api
    fi
    [[ -x $bin ]] || die "API program $bin not found: build it with 'make build'"
    ensure_secret
    ((${#API_SOCK} <= 107)) || die "socket path $API_SOCK is longer than 107 bytes: use a shorter checkout path"
    rm -f "$API_SOCK"
    {
        printf '=== %s start %s' "$(date -Is)" "$bin"
        [[ -n ${ASAN_OPTIONS:-} ]] && printf ' ASAN_OPTIONS=%s' "$ASAN_OPTIONS"
        printf '\n'
    } >>"$LOG_DIR/api.log"
    # SC_WORKERS, SC_MAX_BODY, ASAN_OPTIONS and UBSAN_OPTIONS pass through from the caller's environment.
    (
        cd "$ROOT"
        export SC_FCGI_SOCKET=$API_SOCK
        # Reopened by the master on SIGUSR1, after log rotation renamed it.
        export SC_LOG_FILE=$LOG_DIR/api.log
        export SC_PG_DSN="host=127.0.0.1 port=$PG_PORT dbname=$DB_NAME user=$DB_USER"
        export SC_REDIS_HOST=127.0.0.1 SC_REDIS_PORT=$REDIS_PORT
        export SC_INDEX_FILE=$INDEX_FILE
        # Plain HTTP on loopback: the session cookie cannot be Secure (docs/api.md, "Writes").
        export SC_PUBLIC_URL=${SC_PUBLIC_URL:-http://localhost:$HTTP_PORT} SC_COOKIE_SECURE=0
        SC_SECRET_KEY=$(<"$SECRET_FILE")
        export SC_SECRET_KEY
        # A local stack listens on loopback only: every client is 127.0.0.1 (the browser, the test
        # suites, make bench, make chaos), so that address is not limited without a key (keys are).
        export SC_QUOTA_EXEMPT=${SC_QUOTA_EXEMPT-127.0.0.1}
        if [[ $SC_PROFILE == test ]]; then
            # A small per-address quota, which the quota tests reach quickly from other loopback
            # addresses (tests/api/partner.test.mjs).
            export SC_QUOTA_IP_MINUTE=${SC_QUOTA_IP_MINUTE:-20} SC_QUOTA_IP_DAY=${SC_QUOTA_IP_DAY:-1000}
        fi
        exec setsid nohup "$bin" </dev/null >>"$LOG_DIR/api.log" 2>&1
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$RUN_DIR/api.pid"
    printf '%s\n' "$bin" >"$RUN_DIR/api.bin"
    for ((i = 0; i < 100; i++)); do
        [[ -S $API_SOCK ]] && break
        if ! pid_alive "$pid"; then
            rm -f "$RUN_DIR/api.pid" "$RUN_DIR/api.bin"
            log_tail "$LOG_DIR/api.log"
            die "the API exited during start-up"
        fi
        sleep 0.1
    done
    if [[ ! -S $API_SOCK ]]; then
        stop_api
        log_tail "$LOG_DIR/api.log"
        die "the API did not open $API_SOCK within 10 s"
    fi
    # nginx workers run as an unprivileged user when we are root (see start_nginx): let them connect.
    as_root && chmod 0666 "$API_SOCK"
    say "api started (pid $pid, $API_SOCK)"
}

stop_api() {
    local pid children=() c
    if ! pid=$(api_pid); then
        say "api not running"
        rm -f "$API_SOCK"
        return 0
    fi
    mapfile -t children < <(pgrep -P "$pid" 2>/dev/null || true)
    stop_process api "$pid" TERM || return 1
    # The master waits for its workers when it stops gracefully; any left after a KILL are ours too.
    for c in "${children[@]}"; do
        if pid_alive "$c"; then
            stop_process "api worker" "$c" TERM || true
        fi
    done
    rm -f "$RUN_DIR/api.pid" "$RUN_DIR/api.bin" "$API_SOCK"
}

# ---------------------------------------------------------------------------------------------------
# nginx

nginx_pid() {
    local pid file=$RUN_DIR/nginx.pid
    pid=$(read_pid "$file") || return 1
    if pid_alive "$pid" && [[ $(proc_comm "$pid") == nginx ]]; then
        printf '%s' "$pid"
        return 0
    fi
    say "removing stale $file" >&2
    rm -f "$file"
    return 1
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# nginx_config FILE: writes the configuration generated from nginx/local.conf.template.
nginx_config() {
    local out=$1 docroot=$ROOT/frontend/dist user_directive workers
    local regions=$SC_SHARED_DIR/geodata/regions.geojson temp=$VAR/nginx/tmp d
    if [[ ! -f $docroot/index.html ]]; then
        docroot=$VAR/nginx/placeholder
        mkdir -p "$docroot"
        cat >"$docroot/index.html" <<'EOF'
<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>SocialConnect</title></head>
<body><h1>SocialConnect</h1><p>L'interface n'est pas encore construite : lancez <code>make build</code>.</p></body>
</html>
EOF
    fi
    for d in client_body proxy fastcgi uwsgi scgi; do mkdir -p "$temp/$d"; done
    user_directive="# Not root: the workers run as the current user."
    if as_root; then
        local group
        group=$(id -gn nobody 2>/dev/null || echo nogroup)
        if id nobody >/dev/null 2>&1 &&
            runuser -u nobody -- test -r "$docroot/index.html" &&
            { [[ ! -e $regions ]] || runuser -u nobody -- test -r "$regions"; } &&
            runuser -u nobody -- test -x "$RUN_DIR"; then
            user_directive="user nobody $group;"
            chown -R nobody:"$group" "$temp"
        else
            user_directive="# The user nobody cannot read $docroot, $regions or reach $RUN_DIR
# (a checkout under a private home folder): the workers run as root, still bound to 127.0.0.1 only.
user root;"
        fi
    fi
    workers=$(nproc 2>/dev/null || echo 2)
    ((workers > 4)) && workers=4
    sed -e "s|@USER_DIRECTIVE@|$(sed_escape "$user_directive" | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g')|" \
        -e "s|@WORKER_PROCESSES@|$workers|g" \
        -e "s|@PID_FILE@|$(sed_escape "$RUN_DIR/nginx.pid")|g" \
        -e "s|@ERROR_LOG@|$(sed_escape "$LOG_DIR/nginx-error.log")|g" \
        -e "s|@ACCESS_LOG@|$(sed_escape "$LOG_DIR/nginx-access.log")|g" \
        -e "s|@TEMP_DIR@|$(sed_escape "$temp")|g" \
        -e "s|@NGINX_ETC@|/etc/nginx|g" \
        -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
        -e "s|@DOCROOT@|$(sed_escape "$docroot")|g" \
        -e "s|@REGIONS_GEOJSON@|$(sed_escape "$regions")|g" \
        -e "s|@API_SOCKET@|$(sed_escape "$API_SOCK")|g" \
        -e "s|@BENCH_ECHO_SOCKET@|$(sed_escape "$RUN_DIR/bench-echo.sock")|g" \
        -e "s|@SECURITY_HEADERS@|$(sed_escape "$ROOT/nginx/security-headers.conf")|g" \
        -e "s|@EXPORT_DIR@|$(sed_escape "$EXPORT_DIR")|g" \
        -e "s|@EMBED_SECURITY_HEADERS@|$(sed_escape "$ROOT/nginx/security-headers-embed.conf")|g" \
        "$ROOT/nginx/local.conf.template" >"$out"
    local left
    left=$(grep -v '^[[:space:]]*#' "$out" | grep -o '@[A-Z_]*@' | head -n1 || true)
    [[ -z $left ]] || die "unfilled placeholder $left in $out"
}

nginx_cmd() {
    "$NGINX_BIN" -p "$VAR/nginx/" -c "$VAR/nginx/nginx.conf" -e "$LOG_DIR/nginx-error.log" "$@"
}

start_nginx() {
    [[ -x $NGINX_BIN ]] || die "nginx is not installed: run scripts/install-deps.sh"
    ensure_dirs
    mkdir -p "$VAR/nginx"
    local pid i conf=$VAR/nginx/nginx.conf new=$VAR/nginx/nginx.conf.new
    nginx_config "$new"
    if pid=$(nginx_pid); then
        if cmp -s "$new" "$conf"; then
            rm -f "$new"
            say "nginx already running (pid $pid, port $HTTP_PORT)"
        else
            mv "$conf" "$conf.previous"
            mv "$new" "$conf"
            if ! nginx_cmd -t -q; then
                mv "$conf.previous" "$conf"
                die "the new nginx configuration is invalid: nginx keeps the previous one"
            fi
            local old=()
            mapfile -t old < <(pgrep -P "$pid" || true)
            kill -HUP "$pid"
            # The reload is done when the workers of the previous configuration are gone.
            for ((i = 0; i < 50; i++)); do
                local w alive=0
                for w in "${old[@]}"; do
                    pid_alive "$w" && alive=1
                done
                ((alive)) || break
                sleep 0.1
            done
            say "nginx configuration changed: reloaded (pid $pid)"
        fi
        return 0
    fi
    mv "$new" "$conf"
    ! port_busy "$HTTP_PORT" || die "127.0.0.1:$HTTP_PORT is already in use by another program"
    nginx_cmd -t -q || die "invalid nginx configuration $conf"
    nginx_cmd || die "nginx did not start (see $LOG_DIR/nginx-error.log)"
    for ((i = 0; i < 100; i++)); do
        if pid=$(read_pid "$RUN_DIR/nginx.pid" 2>/dev/null) && port_busy "$HTTP_PORT"; then
            say "nginx started (pid $pid, http://127.0.0.1:$HTTP_PORT/)"
            return 0
        fi
        sleep 0.1
    done
    log_tail "$LOG_DIR/nginx-error.log"
    die "nginx did not listen on port $HTTP_PORT within 10 s"
}

stop_nginx() {
    local pid
    if ! pid=$(nginx_pid); then
        say "nginx not running"
        return 0
    fi
    stop_process nginx "$pid" TERM || return 1
    rm -f "$RUN_DIR/nginx.pid"
}

# ---------------------------------------------------------------------------------------------------
# The fixture sites: local imitations of the platforms SocialConnect harvests (tests/harvest), so
# that the demonstration shows several sources with provenance without any network.

fixtures_pid() {
    local pid
    pid=$(read_pid "$RUN_DIR/fixtures.pid") || return 1
    pid_alive "$pid" && [[ $(proc_comm "$pid") == node* ]] || return 1
    printf '%s' "$pid"
}

start_fixtures() {
    ensure_dirs
    local pid i
    if pid=$(fixtures_pid); then
        say "fixture sites already running (pid $pid, port $FIXTURE_PORT)"
        return 0
    fi
    ! port_busy "$FIXTURE_PORT" || die "127.0.0.1:$FIXTURE_PORT is already in use by another program"
    setsid node "$ROOT/tests/harvest/fixture-server.mjs" --port "$FIXTURE_PORT" \
        >>"$LOG_DIR/fixtures.log" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/fixtures.pid"
    for ((i = 0; i < 100; i++)); do
        if port_busy "$FIXTURE_PORT"; then
            say "fixture sites started (pid $!, http://127.0.0.1:$FIXTURE_PORT/)"
            return 0
        fi
        sleep 0.1
    done
    log_tail "$LOG_DIR/fixtures.log"
    die "the fixture sites did not listen on port $FIXTURE_PORT within 10 s"
}

stop_fixtures() {
    local pid
    if ! pid=$(fixtures_pid); then
        say "fixture sites not running"
        return 0
    fi
    stop_process fixtures "$pid" TERM || return 1
    rm -f "$RUN_DIR/fixtures.pid"
}

harvest_bin() {
    local bin=${SC_HARVEST_BIN:-backend/build/socialconnect-harvest}
    [[ $bin == /* ]] || bin=$ROOT/$bin
    printf '%s' "$bin"
}

# The fixture sites are ours and local: no politeness delay is needed to spare them. The hostile
# one (404, timeouts, a redirect loop…) is for the tests, not for the demonstration.
harvest_fixtures() {
    pg_env
    local bin f docs=()
    bin=$(harvest_bin)
    [[ -x $bin ]] || die "$bin is missing: run make build"
    for f in "$ROOT"/sources/fixtures/*.json; do
        [[ $f == */fixture-hostile.json ]] || docs+=("$f")
    done
    SC_FIXTURE_PORT=$FIXTURE_PORT "$bin" load "${docs[@]}" >/dev/null
    SC_FIXTURE_PORT=$FIXTURE_PORT SC_HARVEST_DELAY_MS=0 "$bin" run --all | sed 's/^/harvest: /' ||
        say "harvest: some fixture sources failed (see above)"
}

# The administrator of the local profile, for trying the moderation and role screens: a documented
# address and password (README), never created outside `make run`.
LOCAL_ADMIN_EMAIL=admin@socialconnect.local
LOCAL_ADMIN_PASSWORD='administrateur local'
local_admin() {
    pg_env
    local bin=${SC_ADMIN_BIN:-$ROOT/backend/build/socialconnect-admin}
    [[ -x $bin ]] || die "$bin is missing: run make build"
    if [[ -n $("$PGBIN/psql" -XAtc "SELECT 1 FROM app_user WHERE email_norm = '$LOCAL_ADMIN_EMAIL' AND role = 'admin'") ]]; then
        say "local administrator: $LOCAL_ADMIN_EMAIL (see README)"
        return 0
    fi
    SC_ADMIN_PASSWORD=$LOCAL_ADMIN_PASSWORD "$bin" create-admin "$LOCAL_ADMIN_EMAIL" "Administrateur local" |
        sed 's/^/admin: /'
}

# ---------------------------------------------------------------------------------------------------
# The local SMTP sink (tests/mail-sink): keeps every message as a file in $MAIL_DIR, so that the
# e-mails of the job runner can be read without a mail server. SC_MAIL_SINK_DELAY_MS slows it
# down (tests).

mail_pid() {
    local pid
    pid=$(read_pid "$RUN_DIR/mail.pid") || return 1
    pid_alive "$pid" && [[ $(proc_comm "$pid") == node* ]] || return 1
    printf '%s' "$pid"
}

start_mail() {
    ensure_dirs
    local pid i
    if pid=$(mail_pid); then
        say "mail sink already running (pid $pid, port $SMTP_PORT)"
        return 0
    fi
    [[ -d $ROOT/tests/mail-sink/node_modules ]] || die "tests/mail-sink/node_modules is missing: run scripts/install-deps.sh"
    ! port_busy "$SMTP_PORT" || die "127.0.0.1:$SMTP_PORT is already in use by another program"
    mkdir -p "$MAIL_DIR"
    setsid node "$ROOT/tests/mail-sink/sink.mjs" --port "$SMTP_PORT" --dir "$MAIL_DIR" \
        --delay-ms "${SC_MAIL_SINK_DELAY_MS:-0}" >>"$LOG_DIR/mail.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$RUN_DIR/mail.pid"
    for ((i = 0; i < 100; i++)); do
        if port_busy "$SMTP_PORT"; then
            say "mail sink started (pid $pid, smtp://127.0.0.1:$SMTP_PORT, messages in $MAIL_DIR)"
            return 0
        fi
        pid_alive "$pid" || break
        sleep 0.1
    done
    log_tail "$LOG_DIR/mail.log"
    die "the mail sink did not listen on port $SMTP_PORT within 10 s"
}

stop_mail() {
    local pid
    if ! pid=$(mail_pid); then
        say "mail sink not running"
        rm -f "$RUN_DIR/mail.pid"
        return 0
    fi
    stop_process "mail sink" "$pid" TERM || return 1
    rm -f "$RUN_DIR/mail.pid"
}

# ---------------------------------------------------------------------------------------------------
# The job runner (socialconnect-jobs): harvest jobs, saved-search alerts, the e-mails of the outbox,
# expired sessions. In the test profile it leaves harvests to the harvest tests, which drive them
# (SC_JOBS_TASKS overrides the tasks in both profiles).

jobs_bin() {
    local bin=${SC_JOBS_BIN:-backend/build/socialconnect-jobs}
    [[ $bin == /* ]] || bin=$ROOT/$bin
    printf '%s' "$bin"
}

jobs_pid() {
    local pid bin=""
    pid=$(read_pid "$RUN_DIR/jobs.pid") || return 1
    [[ -f $RUN_DIR/jobs.bin ]] && bin=$(<"$RUN_DIR/jobs.bin")
    if pid_alive "$pid" && [[ -z $bin || $(proc_argv0 "$pid") == "$bin" ]]; then
        printf '%s' "$pid"
        return 0
    fi
    rm -f "$RUN_DIR/jobs.pid" "$RUN_DIR/jobs.bin"
    return 1
}

# The whole-catalogue files now (the job runner writes them each night at SC_EXPORT_HOUR).
export_catalogue() {
    local bin
    bin=$(jobs_bin)
    ensure_dirs
    [[ -x $bin ]] || die "job runner $bin not found: build it with 'make build'"
    (
        cd "$ROOT"
        export SC_PG_DSN="host=127.0.0.1 port=$PG_PORT dbname=$DB_NAME user=$DB_USER"
        export SC_PUBLIC_URL=http://localhost:$HTTP_PORT SC_EXPORT_DIR=$EXPORT_DIR
        "$bin" --once --only export
    )
}

# The counting index now (the job runner keeps it in step afterwards), from the database as it is.
build_index() {
    local bin
    bin=$(jobs_bin)
    ensure_dirs
    [[ -x $bin ]] || die "job runner $bin not found: build it with 'make build'"
    (
        cd "$ROOT"
        export SC_PG_DSN="host=127.0.0.1 port=$PG_PORT dbname=$DB_NAME user=$DB_USER"
        export SC_INDEX_FILE=$INDEX_FILE
        exec "$bin" --once --only index >>"$LOG_DIR/jobs.log" 2>&1
    ) || die "the counting index could not be built (see $LOG_DIR/jobs.log)"
    say "counting index built: $INDEX_FILE ($(stat -c %s "$INDEX_FILE") bytes)"
}

start_jobs() {
    local bin pid tasks
    bin=$(jobs_bin)
    ensure_dirs
    ensure_secret
    if pid=$(jobs_pid); then
        if [[ $(cat "$RUN_DIR/jobs.bin" 2>/dev/null) == "$bin" && ! $bin -nt $RUN_DIR/jobs.pid ]]; then
            say "job runner already running (pid $pid)"
            return 0
        fi
        say "job runner running from an older or another binary: restarting it"
        stop_jobs
    fi
    [[ -x $bin ]] || die "job runner $bin not found: build it with 'make build'"
    tasks=${SC_JOBS_TASKS:-}
    [[ -n $tasks || $SC_PROFILE != test ]] || tasks=alerts,communities,mail,cleanup,usage,index
    printf '=== %s start %s\n' "$(date -Is)" "$bin" >>"$LOG_DIR/jobs.log"
    (
        cd "$ROOT"
        export SC_PG_DSN="host=127.0.0.1 port=$PG_PORT dbname=$DB_NAME user=$DB_USER"
        export SC_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT SC_SMTP_STARTTLS=none
        export SC_PUBLIC_URL=http://localhost:$HTTP_PORT SC_JOBS_TASKS=$tasks
        export SC_REDIS_HOST=127.0.0.1 SC_REDIS_PORT=$REDIS_PORT
        export SC_EXPORT_DIR=$EXPORT_DIR SC_INDEX_FILE=$INDEX_FILE
        # Reopened on SIGUSR1, after log rotation renamed it.
        export SC_LOG_FILE=$LOG_DIR/jobs.log
        SC_SECRET_KEY=$(<"$SECRET_FILE")
        export SC_SECRET_KEY
        if [[ $SC_PROFILE == test ]]; then
            export SC_JOBS_POLL_MS=${SC_JOBS_POLL_MS:-200}
        else
            export SC_FIXTURE_PORT=$FIXTURE_PORT SC_HARVEST_DELAY_MS=${SC_HARVEST_DELAY_MS:-0}
        fi
        exec setsid nohup "$bin" </dev/null >>"$LOG_DIR/jobs.log" 2>&1
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$RUN_DIR/jobs.pid"
    printf '%s\n' "$bin" >"$RUN_DIR/jobs.bin"
    sleep 0.3
    if ! pid_alive "$pid"; then
        rm -f "$RUN_DIR/jobs.pid" "$RUN_DIR/jobs.bin"
        log_tail "$LOG_DIR/jobs.log"
        die "the job runner exited during start-up"
    fi
    say "job runner started (pid $pid, log $LOG_DIR/jobs.log)"
}

stop_jobs() {
    local pid
    if ! pid=$(jobs_pid); then
        say "job runner not running"
        return 0
    fi
    # SIGTERM: the runner finishes the item in hand (a harvest ends as partial) and exits.
    stop_process "job runner" "$pid" TERM || return 1
    rm -f "$RUN_DIR/jobs.pid" "$RUN_DIR/jobs.bin"
}

# ---------------------------------------------------------------------------------------------------
# Log rotation: Debian's logrotate, run by the stack itself (no cron daemon needed). A rotation is due
# when a log is over SC_LOG_MAX_SIZE, or when a day has passed since its last rotation; SC_LOG_KEEP
# rotated files are kept (the first one plain, the older ones gzipped) and those older than
# SC_LOG_MAX_AGE days are deleted. nginx's logs, the API's and the job runner's are renamed, and each
# program reopens its log on SIGUSR1. Every other log is the standard output of a process started
# here with ">>" (O_APPEND): it is copied then truncated in place (copytruncate); a line written
# between the end of the copy and the truncation would be lost.

LOG_MAX_SIZE=${SC_LOG_MAX_SIZE:-100M}
LOG_KEEP=${SC_LOG_KEEP:-5}
LOG_MAX_AGE=${SC_LOG_MAX_AGE:-14}
LOG_CHECK_INTERVAL=${SC_LOG_CHECK_INTERVAL:-60}
LOGROTATE_BIN=${SC_LOGROTATE_BIN:-/usr/sbin/logrotate}
LOGROTATE_DIR=$VAR/logrotate

logrotate_check_settings() {
    [[ $LOG_MAX_SIZE =~ ^[1-9][0-9]*[kMG]?$ ]] ||
        die "SC_LOG_MAX_SIZE must be a size such as 100M, 512k or 1G, not '$LOG_MAX_SIZE'"
    [[ $LOG_KEEP =~ ^[1-9][0-9]{0,3}$ ]] || die "SC_LOG_KEEP must be a count from 1, not '$LOG_KEEP'"
    [[ $LOG_MAX_AGE =~ ^[1-9][0-9]{0,4}$ ]] || die "SC_LOG_MAX_AGE must be a number of days from 1, not '$LOG_MAX_AGE'"
    [[ $LOG_CHECK_INTERVAL =~ ^[1-9][0-9]{0,5}$ ]] ||
        die "SC_LOG_CHECK_INTERVAL must be a number of seconds from 1, not '$LOG_CHECK_INTERVAL'"
}

# logrotate_config FILE: writes the configuration for this profile's logs with the current settings.
logrotate_config() {
    local out=$1 common
    common="    daily
    maxsize $LOG_MAX_SIZE
    rotate $LOG_KEEP
    maxage $LOG_MAX_AGE
    missingok
    notifempty
    compress
    delaycompress"
    cat >"$out" <<EOF
# Written by scripts/stack.sh at each rotation pass: edit the script (or the SC_LOG_* variables), not
# this file. Size SC_LOG_MAX_SIZE=$LOG_MAX_SIZE, kept SC_LOG_KEEP=$LOG_KEEP, age SC_LOG_MAX_AGE=$LOG_MAX_AGE days.

# nginx: renamed, then nginx reopens its logs (SIGUSR1 to the master, which passes it on to the
# workers). delaycompress: workers may write a last line into the renamed file before they reopen.
"$LOG_DIR/nginx-access.log" "$LOG_DIR/nginx-error.log" {
$common
    sharedscripts
    postrotate
        pid=\$(cat "$RUN_DIR/nginx.pid" 2>/dev/null) && kill -USR1 "\$pid" 2>/dev/null || true
    endscript
}

# The API: renamed, then its master reopens SC_LOG_FILE on SIGUSR1 and replaces its workers (as on
# SIGHUP); those leaving finish their requests writing to the renamed file.
"$LOG_DIR/api.log" {
$common
    nocreate
    postrotate
        pid=\$(cat "$RUN_DIR/api.pid" 2>/dev/null) && kill -USR1 "\$pid" 2>/dev/null || true
    endscript
}

# The job runner: renamed, then it reopens SC_LOG_FILE on SIGUSR1 (between two passes).
"$LOG_DIR/jobs.log" {
$common
    nocreate
    postrotate
        pid=\$(cat "$RUN_DIR/jobs.pid" 2>/dev/null) && kill -USR1 "\$pid" 2>/dev/null || true
    endscript
}

# The others write to a descriptor the stack opened in append mode: copied, then truncated in place.
"$LOG_DIR/postgres.log" "$LOG_DIR/redis.log" "$LOG_DIR/mail.log" "$LOG_DIR/fixtures.log" "$LOG_DIR/logrotate.log" {
$common
    copytruncate
}
EOF
}

# rotate_logs: one pass of logrotate over the profile's logs (state in $VAR/logrotate/state).
rotate_logs() {
    logrotate_check_settings
    [[ -x $LOGROTATE_BIN ]] || die "logrotate is not installed: run scripts/install-deps.sh"
    ensure_dirs
    mkdir -p "$LOGROTATE_DIR"
    # One configuration file per pass: a pass with other settings (a test's small size) does not
    # change what a concurrent pass reads. The last one used stays as logrotate.conf.
    local conf=$LOGROTATE_DIR/logrotate.conf.$$ rc=0
    logrotate_config "$conf"
    # logrotate refuses to run while another pass holds its state file: passes wait for each other.
    flock -w 60 "$LOGROTATE_DIR/lock" "$LOGROTATE_BIN" -s "$LOGROTATE_DIR/state" "$conf" || rc=$?
    mv -f "$conf" "$LOGROTATE_DIR/logrotate.conf"
    return "$rc"
}

rotate_loop() {
    logrotate_check_settings
    local sleeper=""
    trap '[[ -n $sleeper ]] && kill "$sleeper" 2>/dev/null; exit 0' TERM INT
    say "log rotation every ${LOG_CHECK_INTERVAL} s: over $LOG_MAX_SIZE or daily, $LOG_KEEP kept, $LOG_MAX_AGE days at most"
    while :; do
        # A subshell: rotate_logs dies on a bad setting, which must not end the loop.
        (rotate_logs) || warn "logrotate failed (exit $?)"
        sleep "$LOG_CHECK_INTERVAL" &
        sleeper=$!
        wait "$sleeper" || true
        sleeper=""
    done
}

logrotate_pid() {
    local pid
    pid=$(read_pid "$RUN_DIR/logrotate.pid") || return 1
    if pid_alive "$pid" && tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qx logrotate-loop; then
        printf '%s' "$pid"
        return 0
    fi
    rm -f "$RUN_DIR/logrotate.pid"
    return 1
}

start_logrotate() {
    logrotate_check_settings
    [[ -x $LOGROTATE_BIN ]] || die "logrotate is not installed: run scripts/install-deps.sh"
    ensure_dirs
    local pid
    if pid=$(logrotate_pid); then
        # The loop runs the functions of this script as it was when the loop started.
        if [[ ! $ROOT/scripts/stack.sh -nt $RUN_DIR/logrotate.pid ]]; then
            say "log rotation already running (pid $pid)"
            return 0
        fi
        say "log rotation running from an older scripts/stack.sh: restarting it"
        stop_logrotate
    fi
    setsid nohup bash "$ROOT/scripts/stack.sh" logrotate-loop </dev/null >>"$LOG_DIR/logrotate.log" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$RUN_DIR/logrotate.pid"
    sleep 0.2
    if ! pid_alive "$pid"; then
        rm -f "$RUN_DIR/logrotate.pid"
        log_tail "$LOG_DIR/logrotate.log"
        die "the log rotation loop exited during start-up"
    fi
    say "log rotation started (pid $pid, every $LOG_CHECK_INTERVAL s, over $LOG_MAX_SIZE or daily, $LOG_KEEP kept)"
}

stop_logrotate() {
    local pid
    if ! pid=$(logrotate_pid); then
        say "log rotation not running"
        return 0
    fi
    stop_process "log rotation" "$pid" TERM || return 1
    rm -f "$RUN_DIR/logrotate.pid"
}

# ---------------------------------------------------------------------------------------------------
# Whole stack

status() {
    local pid down=0
    if pid=$(pg_pid 2>/dev/null); then
        printf '%-9s running  pid %-8s 127.0.0.1:%s\n' postgres "$pid" "$PG_PORT"
    else
        printf '%-9s stopped\n' postgres
        down=1
    fi
    if pid=$(redis_pid 2>/dev/null); then
        printf '%-9s running  pid %-8s 127.0.0.1:%s\n' redis "$pid" "$REDIS_PORT"
    else
        printf '%-9s stopped\n' redis
        down=1
    fi
    if pid=$(api_pid 2>/dev/null); then
        printf '%-9s running  pid %-8s %s (workers: %s)\n' api "$pid" "$API_SOCK" \
            "$(pgrep -P "$pid" | tr '\n' ' ' || true)"
    else
        printf '%-9s stopped\n' api
        down=1
    fi
    if pid=$(nginx_pid 2>/dev/null); then
        printf '%-9s running  pid %-8s http://127.0.0.1:%s/\n' nginx "$pid" "$HTTP_PORT"
    else
        printf '%-9s stopped\n' nginx
        down=1
    fi
    if pid=$(mail_pid 2>/dev/null); then
        printf '%-9s running  pid %-8s smtp://127.0.0.1:%s (%s)\n' mail "$pid" "$SMTP_PORT" "$MAIL_DIR"
    else
        printf '%-9s stopped\n' mail
        down=1
    fi
    if pid=$(jobs_pid 2>/dev/null); then
        printf '%-9s running  pid %-8s %s\n' jobs "$pid" "$LOG_DIR/jobs.log"
    else
        printf '%-9s stopped\n' jobs
        down=1
    fi
    if pid=$(logrotate_pid 2>/dev/null); then
        printf '%-9s running  pid %-8s every %s s, over %s or daily, %s kept\n' logrotate "$pid" \
            "$LOG_CHECK_INTERVAL" "$LOG_MAX_SIZE" "$LOG_KEEP"
    else
        printf '%-9s stopped\n' logrotate
        down=1
    fi
    return "$down"
}

start_all() {
    start_pg
    migrate
    load
    # The test profile's data is loaded again at each start; a run stack keeps its file.
    if [[ $SC_PROFILE == test || ! -f $INDEX_FILE ]] && [[ -x $(jobs_bin) ]]; then
        build_index
    fi
    start_redis
    start_api
    start_nginx
    start_mail
    if [[ $SC_PROFILE == run ]]; then
        local_admin
        start_fixtures
        harvest_fixtures
    fi
    start_jobs
    start_logrotate
    say "SocialConnect is running: http://localhost:$HTTP_PORT/"
}

stop_all() {
    local rc=0
    stop_logrotate || rc=1
    stop_jobs || rc=1
    stop_mail || rc=1
    stop_fixtures || rc=1
    stop_nginx || rc=1
    stop_api || rc=1
    stop_redis || rc=1
    stop_pg || rc=1
    return "$rc"
}

wipe() {
    stop_all
    if [[ $SC_PROFILE == run ]]; then
        # var/test belongs to the test profile.
        [[ -d $VAR ]] && find "$VAR" -mindepth 1 -maxdepth 1 ! -name test -exec rm -rf {} +
    else
        rm -rf "$VAR"
    fi
    if [[ -d $FALLBACK_DIR && ! -L $FALLBACK_DIR && -O $FALLBACK_DIR ]]; then
        rm -rf "$FALLBACK_DIR"
    fi
    say "data of profile $SC_PROFILE deleted"
}

print_env() {
    cat <<EOF
export SC_PROFILE=$SC_PROFILE
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=$DB_USER PGDATABASE=$DB_NAME
export SC_REDIS_HOST=127.0.0.1 SC_REDIS_PORT=$REDIS_PORT
export SC_FCGI_SOCKET=$(printf '%q' "$API_SOCK")
export SC_BASE_URL=http://127.0.0.1:$HTTP_PORT
export SC_FIXTURE_PORT=$FIXTURE_PORT
export SC_SMTP_PORT=$SMTP_PORT
export SC_SHARED_DIR=$(printf '%q' "$SC_SHARED_DIR")
export SC_REPO=$(printf '%q' "$ROOT")
EOF
}

(($# > 0)) || {
    usage >&2
    exit 2
}

while (($# > 0)); do
    action=$1
    shift
    case $action in
    start) start_all ;;
    stop) stop_all ;;
    restart) stop_all && start_all ;;
    status) status ;;
    start-pg) start_pg ;;
    stop-pg) stop_pg ;;
    restart-pg) stop_pg && start_pg ;;
    migrate) migrate ;;
    load) load ;;
    start-redis) start_redis ;;
    stop-redis) stop_redis ;;
    restart-redis) stop_redis && start_redis ;;
    start-api) start_api ;;
    stop-api) stop_api ;;
    restart-api) stop_api && start_api ;;
    start-nginx) start_nginx ;;
    start-mail) start_mail ;;
    stop-mail) stop_mail ;;
    start-jobs) start_jobs ;;
    export) export_catalogue ;;
    index) build_index ;;
    stop-jobs) stop_jobs ;;
    restart-jobs) stop_jobs && start_jobs ;;
    start-fixtures) start_fixtures ;;
    stop-fixtures) stop_fixtures ;;
    harvest) harvest_fixtures ;;
    stop-nginx) stop_nginx ;;
    rotate) rotate_logs ;;
    start-logrotate) start_logrotate ;;
    stop-logrotate) stop_logrotate ;;
    logrotate-loop) rotate_loop ;;
    restart-nginx) stop_nginx && start_nginx ;;
    wipe) wipe ;;
    env) print_env ;;
    psql)
        pg_env
        exec "$PGBIN/psql" "$@"
        ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
done
