# shellcheck shell=bash
# Source me: start a throwaway PostgreSQL server for the booking-store tests.
#
#   source .ci/postgres.sh      # exports TSUNAGU_TEST_POSTGRES_URL, TSUNAGU_REQUIRE_POSTGRES=1
#   ...                         # run the tests
#   tsunagu_pg_stop             # stop the server and remove its files
#
# Installs Debian's `postgresql` package when no server binaries are present,
# creates a cluster in a temporary folder (as the `postgres` user when run as
# root: initdb refuses root), starts it on 127.0.0.1 on a free port with its
# socket in that folder, and creates the database `tsunagu_test`.

tsunagu_pg_log() { echo "postgres.sh: $*" >&2; }

tsunagu_pg_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
        echo "$d"
    fi
}

tsunagu_pg_start() {
    local bindir
    bindir=$(tsunagu_pg_bindir)
    if [ -z "$bindir" ]; then
        tsunagu_pg_log "installing PostgreSQL from Debian packages"
        if [ "$(id -u)" -ne 0 ]; then
            tsunagu_pg_log "not root and no PostgreSQL installed: cannot apt-get install"
            return 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >&2
        apt-get install -y -q --no-install-recommends postgresql >&2
        bindir=$(tsunagu_pg_bindir)
        if [ -z "$bindir" ]; then
            tsunagu_pg_log "postgresql installed but no initdb under /usr/lib/postgresql"
            return 1
        fi
    fi

    local run_as=()
    if [ "$(id -u)" -eq 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
        fi
        if command -v runuser >/dev/null 2>&1; then
            run_as=(runuser -u postgres --)
        else
            run_as=(su postgres -s /bin/sh -c)
        fi
    fi

    TSUNAGU_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tsunagu-pg.XXXXXX")
    export TSUNAGU_PG_DIR TSUNAGU_PG_BIN="$bindir" TSUNAGU_PG_RUN_AS="${run_as[*]:-}"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$TSUNAGU_PG_DIR"
    fi
    chmod 700 "$TSUNAGU_PG_DIR"

    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

    _tsunagu_pg_as() {
        if [ -z "${TSUNAGU_PG_RUN_AS:-}" ]; then
            "$@"
        elif [ "${TSUNAGU_PG_RUN_AS}" = "runuser -u postgres --" ]; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    }

    _tsunagu_pg_as "$bindir/initdb" -D "$TSUNAGU_PG_DIR/data" -U tsunagu -A trust \
        -E UTF8 --locale=C.UTF-8 --no-instructions >"$TSUNAGU_PG_DIR/initdb.log" 2>&1 || {
        tsunagu_pg_log "initdb failed:"; cat "$TSUNAGU_PG_DIR/initdb.log" >&2; return 1; }
    _tsunagu_pg_as "$bindir/pg_ctl" -D "$TSUNAGU_PG_DIR/data" -l "$TSUNAGU_PG_DIR/server.log" \
        -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k $TSUNAGU_PG_DIR -c max_connections=300" \
        start >&2 || {
        tsunagu_pg_log "server did not start:"; cat "$TSUNAGU_PG_DIR/server.log" >&2; return 1; }
    "$bindir/createdb" -h 127.0.0.1 -p "$port" -U tsunagu tsunagu_test || {
        tsunagu_pg_log "createdb failed"; return 1; }

    export TSUNAGU_TEST_POSTGRES_URL="postgresql+psycopg://tsunagu@127.0.0.1:$port/tsunagu_test"
    export TSUNAGU_REQUIRE_POSTGRES=1
    tsunagu_pg_log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

tsunagu_pg_stop() {
    if [ -n "${TSUNAGU_PG_DIR:-}" ] && [ -d "$TSUNAGU_PG_DIR/data" ]; then
        _tsunagu_pg_as "$TSUNAGU_PG_BIN/pg_ctl" -D "$TSUNAGU_PG_DIR/data" -m fast -w stop \
            >/dev/null 2>&1 || true
        rm -rf "$TSUNAGU_PG_DIR"
    fi
}

tsunagu_pg_start
