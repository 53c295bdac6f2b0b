#!/usr/bin/env bash
# Installs what the build, the local stack and the tests need, and only what is missing: Debian packages
# (as root, or through sudo), then the npm packages of the front end, of the test suites and of the
# reference data (sql/load: the official list of communes).
# Quick when everything is present. Installed services are never used: scripts/stack.sh runs its own.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
    build-essential pkg-config
    libfcgi-dev libpq-dev libjansson-dev libhiredis-dev libcurl4-openssl-dev libxml2-dev libcmocka-dev
    libstemmer-dev libargon2-dev libssl-dev zlib1g-dev libroaring-dev
    postgresql-15 postgresql-15-postgis-3 postgresql-15-rum postgresql-contrib
    redis-server nginx
    chromium fonts-dejavu-core
    wrk logrotate clang-format clang libclang-rt-14-dev
    ca-certificates procps time jq
    wfrench sphinxsearch
)

installed() {
    [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
# Node may come from Debian (nodejs + npm) or from another packaging that bundles npm.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]} > 0)); then
    if ((EUID == 0)); then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "install-deps: missing ${missing[*]}, and neither root nor sudo is available" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    # Keep the freshly installed daemons (PostgreSQL, Redis, nginx) from starting on the standard ports:
    # the policy-rc.d hook is Debian's way of saying so during an installation.
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\n# socialconnect install-deps: no service starts during installation\nexit 101\n' |
            "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 0755 "$policy"
        trap '"${sudo[@]}" rm -f "$policy"' EXIT
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}"
else
    echo "install-deps: Debian packages present"
fi

# npm packages: `npm ci` when node_modules is missing or older than package-lock.json. A stamp records
# the last complete install (node_modules itself may be touched by other tools).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1
for dir in "$ROOT/frontend" "$ROOT/sql/load" "$ROOT"/tests/*/; do
    dir=${dir%/}
    [[ -f $dir/package.json ]] || continue
    rel=${dir#"$ROOT"/}
    stamp=$dir/node_modules/.npm-ci.stamp
    if [[ -f $stamp && ! $dir/package-lock.json -nt $stamp && ! $dir/package.json -nt $stamp ]]; then
        continue
    fi
    if [[ ! -f $dir/package-lock.json ]]; then
        echo "install-deps: $rel/package-lock.json is missing: npm ci needs it" >&2
        exit 1
    fi
    echo "install-deps: npm ci in $rel"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
done
