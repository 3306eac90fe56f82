#!/bin/sh
# Entrypoint of the offline mcp-harness/redis image: the official redis image's interface, on Debian's
# redis-server 7.0.
#
#   command   `redis-server [args]`, just args starting with '-' (`--appendonly yes`), or a config file path first
#             (`/etc/my.conf --port 7000`); anything else is exec'd as is.
#
# Without a config file the server listens on 0.0.0.0:6379 with protected mode off (as the official image does),
# data in /data; the caller's arguments come after these defaults, so they win. Logs go to stdout, including
# "Ready to accept connections" once the listener is up.
set -eu

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
    shift
    case "${1:-}" in
        *.conf) ;;                                   # the config file decides; no defaults injected
        *) set -- --bind 0.0.0.0 --protected-mode no --dir /data "$@" ;;
    esac
    set -- redis-server "$@"
    if [ "$(id -u)" -eq 0 ]; then
        chown redis:redis /data 2>/dev/null || true
        exec setpriv --reuid=redis --regid=redis --init-groups "$@"
    fi
fi

exec "$@"
