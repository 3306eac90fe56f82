#!/bin/bash
# Entrypoint of the offline mcp-harness/postgres image: the official postgres image's interface, on Debian's
# postgresql-15.
#
#   POSTGRES_USER              superuser name (default postgres)
#   POSTGRES_PASSWORD          its password; required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_DB                database created on first start (default: $POSTGRES_USER)
#   POSTGRES_HOST_AUTH_METHOD  auth method for TCP clients (default scram-sha-256)
#   POSTGRES_INITDB_ARGS       extra initdb arguments (word-split)
#   /docker-entrypoint-initdb.d/*.sql, *.sql.gz, *.sh   run once after initdb, against POSTGRES_DB
#   command                    `postgres [args]`, or just args starting with '-' (e.g. `-c fsync=off`, as
#                              testcontainers' Postgres module passes); anything else is exec'd as is.
#
# Readiness: "database system is ready to accept connections" appears on stderr from the server itself and, as in
# the official image, also on stdout. Unlike the official image (whose stdout line comes from the temporary
# initialisation server, before the real one listens), the stdout line here is printed only after a TCP connection
# to 127.0.0.1 with the configured user, password and database has succeeded — so waiting for either line is safe.
set -Eeuo pipefail

export PGDATA=${PGDATA:-/var/lib/postgresql/data}

if [[ $# -eq 0 || $1 == -* ]]; then
    set -- postgres "$@"
fi
if [[ $1 != postgres ]]; then
    exec "$@"
fi

# Started as root (the default): fix ownership of a possibly mounted data directory, then drop to postgres.
if [[ $(id -u) -eq 0 ]]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
port=${PGPORT:-5432}

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%F %T.%3N UTC')" "$*"; }

# Quote an SQL identifier.
ident() { local s=${1//\"/\"\"}; printf '"%s"' "$s"; }

init_cluster() {
    local auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
    if [[ -z ${POSTGRES_PASSWORD:-} && $auth != trust ]]; then
        cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser, for example
       "-e POSTGRES_PASSWORD=password" on "docker run". To allow all connections without a password
       use "-e POSTGRES_HOST_AUTH_METHOD=trust" (not recommended outside tests).
MSG
        exit 1
    fi

    # --no-sync: a test database does not need initdb's final fsync of every file (saves ~1.5 s per start).
    local -a args=(-D "$PGDATA" --username="$user" --encoding=UTF8 --locale=C.UTF-8 --no-sync
        --auth-local=trust --auth-host="$auth")
    local pwfile=""
    if [[ -n ${POSTGRES_PASSWORD:-} ]]; then
        pwfile=$(mktemp)
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
        args+=(--pwfile="$pwfile")
    fi
    local -a extra=()
    read -r -a extra <<<"${POSTGRES_INITDB_ARGS:-}"
    log "initdb (user $user, database $db, host auth $auth)"
    initdb "${args[@]}" "${extra[@]}"
    if [[ -n $pwfile ]]; then rm -f "$pwfile"; fi

    {
        echo
        echo "# Added by the mcp-harness entrypoint."
        echo "listen_addresses = '*'"
        # The image ships without LLVM (saves ~130 MB), so JIT cannot load.
        echo "jit = off"
    } >>"$PGDATA/postgresql.conf"
    printf '\n# Added by the mcp-harness entrypoint.\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

    if [[ $db != postgres ]]; then
        # Single-user mode: no listener, so no readiness line and nothing to wait for; -F: no fsync (test image).
        echo "CREATE DATABASE $(ident "$db");" | postgres --single -F -D "$PGDATA" postgres >/dev/null
    fi

    run_init_scripts
    log "PostgreSQL init process complete; ready for start up."
}

run_init_scripts() {
    shopt -s nullglob
    local -a files=(/docker-entrypoint-initdb.d/*)
    shopt -u nullglob
    ((${#files[@]} > 0)) || return 0
    # A socket-only temporary server; its log goes to a file so it cannot emit an early readiness line.
    local tmplog=/tmp/initdb-server.log
    pg_ctl -D "$PGDATA" -w -l "$tmplog" -o "-c listen_addresses='' -p $port" start >/dev/null
    local f
    local -a psql=(psql -X -v ON_ERROR_STOP=1 --no-psqlrc --username "$user" --no-password --dbname "$db" -p "$port")
    for f in "${files[@]}"; do
        case $f in
            *.sh) log "running $f"; if [[ -x $f ]]; then "$f"; else . "$f"; fi ;;
            *.sql) log "running $f"; "${psql[@]}" -f "$f" ;;
            *.sql.gz) log "running $f"; gunzip -c "$f" | "${psql[@]}" ;;
            *) log "ignoring $f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
}

# Print the readiness line on stdout once a real TCP login with the configured credentials works. Runs detached
# (double fork): it is re-parented to tini (PID 1), not to the postmaster, which must not see foreign children.
announce_ready() {
    local i
    for ((i = 0; i < 1200; i++)); do
        if PGPASSWORD=${POSTGRES_PASSWORD:-} PGCONNECT_TIMEOUT=2 \
            psql -X -q -w -h 127.0.0.1 -p "$port" -U "$user" -d "$db" -tAc 'SELECT 1' >/dev/null 2>&1; then
            log "LOG:  database system is ready to accept connections"
            return 0
        fi
        sleep 0.1
    done
    log "WARNING: no TCP login to 127.0.0.1:$port within 120 s" >&2
}

if [[ ! -s $PGDATA/PG_VERSION ]]; then
    init_cluster
else
    log "PostgreSQL database directory appears to contain a database; skipping initialization"
fi

(announce_ready &)
exec "$@"
