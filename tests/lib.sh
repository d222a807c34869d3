# shellcheck shell=bash
# tests/lib.sh - shared by tests/run, deploy/local and tests/bench/run.
# Source it; it only defines variables and functions.
#
#   mm_install_packages [EXTRA...]   install what is missing (Debian, apt-get)
#   mm_build DIR [CONFIGURE-ARGS...] autoreconf if needed, configure out of tree, make
#   mm_browser_packages              the Debian packages the browser tests add
#   mm_browser_install               npm ci in tests/browser, when its lock file changed
#   MM_ROOT                          the repository root

MM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck disable=SC2034  # used by the scripts that source this
MM_PYTHON=/usr/bin/python3      # Debian's, never a pyenv/virtualenv one

# Every Debian package the build and the tests need.  Add new ones here;
# tools needed by only one script are passed as arguments (tests/bench/run
# adds wrk).  postgresql-15 provides initdb/pg_ctl/postgres under
# /usr/lib/postgresql/15/bin and psql: every script runs its own private
# cluster, never the package's "15/main" (see mm_install_packages).
# Likewise Postfix, postsrsd and dnsmasq run privately (mailstack.py):
# postfix is installed with "No configuration" and nothing starts.
MM_DEB_PACKAGES=(
    build-essential autoconf automake pkg-config
    libfcgi-dev libcurl4-openssl-dev libjson-c-dev libpq-dev libsodium-dev libctemplate-dev libidn2-dev
    libgmime-3.0-dev
    nginx-light postgresql-15
    python3 openssl ca-certificates
    clang-format gettext
    clang libclang-rt-14-dev
    man-db groff-base
    postfix postfix-pgsql postsrsd dnsmasq-base
)

# The browser tests (tests/browser) also need Debian's chromium, a font for
# its screenshots, and Node.js with npm: Debian's, unless a node is already
# installed (NodeSource's bundles npm and conflicts with Debian's package).
MM_BROWSER_PACKAGES=(chromium fonts-dejavu-core)

mm_browser_packages() {
    printf '%s\n' "${MM_BROWSER_PACKAGES[@]}"
    command -v node >/dev/null 2>&1 || echo nodejs
    command -v npm >/dev/null 2>&1 || echo npm
}

# playwright-core and axe-core, at the versions tests/browser/package-lock.json
# pins, from the npm registry (no browser download: chromium is Debian's).
# Skipped when node_modules was installed from this very lock file.
mm_browser_install() {
    local dir=$MM_ROOT/tests/browser stamp want
    stamp=$dir/node_modules/.mm-lock-sha256
    want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
    mm_say "npm ci (in tests/browser)"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund) || return 1
    printf '%s\n' "$want" > "$stamp"
}

mm_say() { printf '==> %s\n' "$*"; }

mm_missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' || printf '%s\n' "$p"
    done
}

# The system nginx's master, if one runs (we never use it: every script runs
# its own private nginx).
mm_system_nginx_pid() {
    local pid
    pid=$(cat /run/nginx.pid 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
}

# The Debian PostgreSQL clusters that run ("15/main" ...), one a line; none
# before postgresql-common is installed.  The scripts never use them.
mm_online_pg_clusters() {
    command -v pg_lsclusters >/dev/null 2>&1 || return 0
    pg_lsclusters -h 2>/dev/null | awk '$4 ~ /^online/ { print $1 "/" $2 }'
}

# mm_install_packages [EXTRA...]: installs the missing ones of MM_DEB_PACKAGES
# and EXTRA; "apt-get update" runs once, and only if something is missing.
mm_install_packages() {
    local missing
    mapfile -t missing < <(mm_missing_packages "${MM_DEB_PACKAGES[@]}" "$@")
    [ "${#missing[@]}" -eq 0 ] && return 0
    mm_say "installing missing Debian packages: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    # postfix asks what kind of mail server this is: none (no main.cf, no
    # system instance), whatever the frontend.
    if printf '%s\n' "${missing[@]}" | grep -qx postfix; then
        echo "postfix postfix/main_mailer_type select No configuration" |
            "${sudo[@]}" debconf-set-selections || return 1
    fi
    # Never let a package start its system service (nginx on port 80, the
    # cluster "15/main" on port 5432 that postgresql-15's postinst creates and
    # starts through invoke-rc.d, postfix, postsrsd on 10001/10002): the
    # standard policy-rc.d "deny" hook, only for the duration of the install.
    local guard=0 nginx_before pg_before
    nginx_before=$(mm_system_nginx_pid || true)
    pg_before=$(mm_online_pg_clusters)
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\n# written by membermail tests/lib.sh during apt-get install\nexit 101\n' |
            "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
        "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
        guard=1
    fi
    local rc=0 apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
    if [ -z "${MM_APT_UPDATED:-}" ]; then
        "${sudo[@]}" "${apt[@]}" update -q || rc=$?
        MM_APT_UPDATED=1
    fi
    [ "$rc" -eq 0 ] && { "${sudo[@]}" "${apt[@]}" install -y --no-install-recommends "${missing[@]}" || rc=$?; }
    [ "$guard" -eq 1 ] && "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
    # If the install started a system nginx anyway, stop the one it started.
    local nginx_after
    nginx_after=$(mm_system_nginx_pid || true)
    if [ -n "$nginx_after" ] && [ "$nginx_after" != "$nginx_before" ]; then
        mm_say "stopping the system nginx (pid $nginx_after) that the package install started"
        "${sudo[@]}" kill -QUIT "$nginx_after" 2>/dev/null || true
    fi
    # Likewise a PostgreSQL cluster the install started anyway.
    local cluster
    while read -r cluster; do
        [ -n "$cluster" ] || continue
        grep -qxF "$cluster" <<< "$pg_before" && continue
        mm_say "stopping the PostgreSQL cluster $cluster that the package install started"
        "${sudo[@]}" pg_ctlcluster "${cluster%%/*}" "${cluster#*/}" stop || true
    done < <(mm_online_pg_clusters)
    [ "$rc" -eq 0 ] || { echo "apt-get failed ($rc) installing: ${missing[*]}" >&2; return "$rc"; }
    mapfile -t missing < <(mm_missing_packages "${MM_DEB_PACKAGES[@]}" "$@")
    [ "${#missing[@]}" -eq 0 ] || { echo "still missing after apt-get: ${missing[*]}" >&2; return 1; }
}

# mm_build DIR [CONFIGURE-ARGS...]: an out-of-tree build in DIR (relative to
# the repository root or absolute).  Regenerates the build system when
# configure.ac/Makefile.am are newer, reconfigures when the arguments change.
mm_build() {
    local dir=$1; shift
    case $dir in /*) ;; *) dir=$MM_ROOT/$dir ;; esac
    if [ ! -x "$MM_ROOT/configure" ] || [ ! -f "$MM_ROOT/Makefile.in" ] ||
       [ "$MM_ROOT/configure.ac" -nt "$MM_ROOT/configure" ] ||
       [ "$MM_ROOT/Makefile.am" -nt "$MM_ROOT/Makefile.in" ]; then
        mm_say "autoreconf -fi"
        (cd "$MM_ROOT" && autoreconf -fi) || return 1
    fi
    if [ -f "$MM_ROOT/config.status" ]; then
        echo "mm_build: $MM_ROOT was configured in the source tree; out-of-tree builds need 'make distclean' there first" >&2
        return 1
    fi
    mkdir -p "$dir"
    local want have=""
    want=$(printf '%q ' "$@")
    [ -f "$dir/.mm-configure-args" ] && have=$(cat "$dir/.mm-configure-args")
    if [ ! -f "$dir/config.status" ] || [ ! -f "$dir/Makefile" ] || [ "$want" != "$have" ] ||
       [ "$MM_ROOT/configure" -nt "$dir/config.status" ]; then
        mm_say "configure $* (in ${dir#"$MM_ROOT"/})"
        (cd "$dir" && "$MM_ROOT/configure" "$@") || return 1
        printf '%s' "$want" > "$dir/.mm-configure-args"
    fi
    mm_say "make -j2 (in ${dir#"$MM_ROOT"/})"
    make -C "$dir" -j2 || return 1
}
