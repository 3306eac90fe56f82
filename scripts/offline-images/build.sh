#!/usr/bin/env bash
# Build the offline backing-service images from Debian packages — no container registry involved:
#
#   1. mmdebstrap a minimal Debian bookworm root filesystem (variant "essential" + postgresql-15, redis-server,
#      tini) from the same Debian mirror the host's apt uses, strip what a test database never needs (LLVM/JIT,
#      docs, man pages, the default cluster), and `docker import` it as the shared base image;
#   2. `docker build` the two small images beside this script on top of it (entrypoints that honour the official
#      postgres / redis images' interface);
#   3. verify each freshly built image for real: start it with a port published on 127.0.0.1, connect from the host
#      with psql / redis-cli, remove the container.
#
# Usage: scripts/offline-images/build.sh [--rebuild] [--verify | --no-verify]
#   --rebuild     rebuild the base and both images even when the tags exist
#   --verify      verify the images even when nothing was built
#   --no-verify   skip the verification
#
# Environment (defaults):
#   MCP_HARNESS_POSTGRES_IMAGE   mcp-harness/postgres:15-bookworm
#   MCP_HARNESS_REDIS_IMAGE      mcp-harness/redis:7-bookworm
#   MCP_HARNESS_BASE_IMAGE       mcp-harness/bookworm-base:latest
#   MCP_HARNESS_DEBIAN_MIRROR    a Debian mirror URL to use instead of the host's apt sources
#   BUILD_TIMEOUT                seconds allowed for mmdebstrap (600)
#   VERIFY_TIMEOUT               seconds allowed for each image to become ready during verification (60)
#
# Needs: root, a running Docker engine (scripts/docker-up.sh), network access to the Debian mirror.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_IMAGE=${MCP_HARNESS_POSTGRES_IMAGE:-mcp-harness/postgres:15-bookworm}
REDIS_IMAGE=${MCP_HARNESS_REDIS_IMAGE:-mcp-harness/redis:7-bookworm}
BASE_IMAGE=${MCP_HARNESS_BASE_IMAGE:-mcp-harness/bookworm-base:latest}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-600}
VERIFY_TIMEOUT=${VERIFY_TIMEOUT:-60}
SUITE=bookworm
PACKAGES=postgresql-15,redis-server,tini

rebuild=0
verify=auto
for arg in "$@"; do
    case $arg in
        --rebuild) rebuild=1 ;;
        --verify) verify=yes ;;
        --no-verify) verify=no ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
    esac
done

START=$SECONDS
say() { printf '[offline-images %3ds] %s\n' "$((SECONDS - START))" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 \
    || die "no running Docker engine; run scripts/docker-up.sh first"

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

apt_install() {
    [[ $(id -u) -eq 0 ]] || die "need root to apt-get install $*"
    say "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 || {
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
    } || die "apt-get install $* failed"
}

# One-line apt entries for the Debian archives the host's apt uses for $SUITE (main component only), from
# /etc/apt/sources.list{,.d/*.list} and deb822 /etc/apt/sources.list.d/*.sources. Third-party repositories
# (other suites, or no "main" component) are left out.
host_sources() {
    local f
    shopt -s nullglob
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        awk -v suite="$SUITE" '
            $1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }   # skip [options]
                uri = $i; s = $(i + 1); main = 0
                for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
                if (main && (s == suite || s == suite "-updates" || s == suite "-security" || s == suite "/updates"))
                    print "deb " uri " " s " main"
            }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        awk -v suite="$SUITE" '
            function flush(   n, m, a, b, i, j, main) {
                if (types ~ /(^| )deb( |$)/ && enabled != "no") {
                    main = (" " comps " ") ~ / main /
                    n = split(uris, a, " "); m = split(suites, b, " ")
                    for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
                        if (main && (b[j] == suite || b[j] == suite "-updates" || b[j] == suite "-security"))
                            print "deb " a[i] " " b[j] " main"
                }
                types = uris = suites = comps = enabled = ""
            }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]*#/ { next }
            tolower($1) == "types:" { $1 = ""; types = $0 }
            tolower($1) == "uris:" { $1 = ""; uris = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            tolower($1) == "components:" { $1 = ""; comps = $0 }
            tolower($1) == "enabled:" { enabled = tolower($2) }
            END { flush() }' "$f"
    done
    shopt -u nullglob
}

build_base() {
    command -v mmdebstrap >/dev/null 2>&1 || apt_install mmdebstrap

    local -a mirrors=()
    if [[ -n ${MCP_HARNESS_DEBIAN_MIRROR:-} ]]; then
        mirrors=("deb $MCP_HARNESS_DEBIAN_MIRROR $SUITE main" "deb $MCP_HARNESS_DEBIAN_MIRROR $SUITE-updates main")
    else
        mapfile -t mirrors < <(host_sources | awk '!seen[$0]++')
    fi
    if ((${#mirrors[@]} == 0)); then
        mirrors=("deb http://deb.debian.org/debian $SUITE main")
        say "no $SUITE entries in the host's apt sources; falling back to ${mirrors[0]}"
    fi
    say "Debian sources: $(printf '%s; ' "${mirrors[@]}")"

    # Carry over the host's apt settings that decide whether the mirror is usable at all (snapshot mirrors need
    # Check-Valid-Until false; proxies).
    local -a aptopts=()
    local line
    while IFS= read -r line; do
        aptopts+=("--aptopt=$line")
    done < <(apt-config dump 2>/dev/null \
        | grep -E '^Acquire::(Check-Valid-Until|Check-Date|Retries|https?::Proxy|ForceIPv4) ' || true)

    local work
    work=$(mktemp -d /var/tmp/mcp-harness-rootfs.XXXXXX)
    WORKDIRS+=("$work")

    say "mmdebstrap $SUITE ($PACKAGES), at most ${BUILD_TIMEOUT}s; log: $work/mmdebstrap.log"
    local -a dpkgopts=(
        'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*'
        'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright'
        'path-exclude=/usr/share/locale/*' 'path-include=/usr/share/locale/locale.alias'
        'path-exclude=/usr/lib/postgresql/*/lib/bitcode/*'
    )
    local -a args=(
        --variant=essential --mode=root --format=tar --include="$PACKAGES"
        "${aptopts[@]}"
        # No default cluster in /var/lib/postgresql/15/main: the entrypoint runs initdb itself.
        --essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/00-mcp-harness.conf"'
        # LLVM (JIT only, ~130 MB with libz3) is a hard dependency of postgresql-15 but never loaded with jit=off.
        --customize-hook='rm -f "$1"/usr/lib/x86_64-linux-gnu/libLLVM-*.so* "$1"/usr/lib/x86_64-linux-gnu/libz3.so* "$1"/usr/lib/postgresql/*/lib/llvmjit*'
        --customize-hook='rm -rf "$1"/usr/share/i18n "$1"/var/cache/debconf/*-old "$1"/var/lib/apt/lists/* "$1"/var/log/*.log'
    )
    local o
    for o in "${dpkgopts[@]}"; do args+=("--dpkgopt=$o"); done

    if ! timeout "$BUILD_TIMEOUT" mmdebstrap "${args[@]}" "$SUITE" "$work/rootfs.tar" "${mirrors[@]}" \
        >"$work/mmdebstrap.log" 2>&1; then
        tail -n 30 "$work/mmdebstrap.log" >&2
        die "mmdebstrap failed or took longer than ${BUILD_TIMEOUT}s"
    fi
    say "root filesystem: $(du -h "$work/rootfs.tar" | cut -f1)"
    docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/bash"]' \
        --message "mcp-harness: Debian $SUITE essential + $PACKAGES (mmdebstrap)" \
        "$work/rootfs.tar" "$BASE_IMAGE" >/dev/null
    rm -rf "$work"
    say "imported $BASE_IMAGE"
}

build_service() {
    local tag=$1 dir=$2
    say "docker build $tag (from $BASE_IMAGE)"
    # The legacy builder: Debian's engine has no BuildKit plugin, and newer CLIs would otherwise ask for buildx.
    DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$BASE_IMAGE" -t "$tag" "$dir" >/dev/null 2>"$dir/.build.log" \
        || { cat "$dir/.build.log" >&2; rm -f "$dir/.build.log"; die "docker build $tag failed"; }
    rm -f "$dir/.build.log"
}

# ---- verification -------------------------------------------------------------------------------------------
CONTAINERS=()
WORKDIRS=()
cleanup_containers() {
    local c
    for c in "${CONTAINERS[@]}"; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
    CONTAINERS=()
}
cleanup() {
    cleanup_containers
    local d
    for d in "${WORKDIRS[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_log CONTAINER STREAM TEXT: wait until TEXT appears on STREAM (stdout|stderr) of CONTAINER.
wait_log() {
    local c=$1 stream=$2 text=$3 deadline=$((SECONDS + VERIFY_TIMEOUT))
    while ((SECONDS < deadline)); do
        if [[ $stream == stdout ]]; then
            docker logs "$c" 2>/dev/null | grep -qF "$text" && return 0
        else
            docker logs "$c" 2>&1 >/dev/null | grep -qF "$text" && return 0
        fi
        [[ $(docker inspect -f '{{.State.Running}}' "$c" 2>/dev/null) == true ]] || break
        sleep 0.2
    done
    docker logs "$c" >&2 2>&1 || true
    die "$c: no \"$text\" on $stream within ${VERIFY_TIMEOUT}s"
}

verify_postgres() {
    command -v psql >/dev/null 2>&1 || apt_install postgresql-client
    local c=mcp-harness-verify-postgres-$$ port out t0=$SECONDS
    CONTAINERS+=("$c")
    docker run -d --name "$c" -p 127.0.0.1::5432 \
        -e POSTGRES_USER=harness -e POSTGRES_PASSWORD='p@ss "w0rd"' -e POSTGRES_DB=harness_db \
        "$PG_IMAGE" -c fsync=off >/dev/null
    wait_log "$c" stdout "database system is ready to accept connections"
    port=$(docker port "$c" 5432/tcp | head -n1 | sed 's/.*://')
    out=$(PGPASSWORD='p@ss "w0rd"' PGCONNECT_TIMEOUT=5 psql -X -w -h 127.0.0.1 -p "$port" -U harness -d harness_db -tA \
        -c "SELECT current_user || ',' || current_database() || ',' || current_setting('fsync') || ',' || split_part(version(), ' ', 2)")
    [[ $out == harness,harness_db,off,15.* ]] || die "postgres: unexpected answer: $out"
    if PGPASSWORD=wrong PGCONNECT_TIMEOUT=5 psql -X -w -h 127.0.0.1 -p "$port" -U harness -d harness_db -c 'SELECT 1' \
        >/dev/null 2>&1; then
        die "postgres: a wrong password was accepted"
    fi
    say "verified $PG_IMAGE: ready in $((SECONDS - t0))s, psql on 127.0.0.1:$port -> $out; wrong password rejected"

    # Missing password: must refuse to start, like the official image.
    local c2=mcp-harness-verify-postgres-nopw-$$
    CONTAINERS+=("$c2")
    docker run --name "$c2" "$PG_IMAGE" >/dev/null 2>&1 && die "postgres: started without POSTGRES_PASSWORD"
    say "verified $PG_IMAGE: refuses to initialise without POSTGRES_PASSWORD"
}

verify_redis() {
    command -v redis-cli >/dev/null 2>&1 || apt_install redis-tools
    local c=mcp-harness-verify-redis-$$ port out t0=$SECONDS
    CONTAINERS+=("$c")
    docker run -d --name "$c" -p 127.0.0.1::6379 "$REDIS_IMAGE" --save '' --appendonly no >/dev/null
    wait_log "$c" stdout "Ready to accept connections"
    port=$(docker port "$c" 6379/tcp | head -n1 | sed 's/.*://')
    out=$(redis-cli -h 127.0.0.1 -p "$port" PING)
    [[ $out == PONG ]] || die "redis: PING answered '$out'"
    out=$(redis-cli -h 127.0.0.1 -p "$port" CONFIG GET save | tr '\n' ' ')
    [[ $out == "save  " ]] || die "redis: extra arguments not passed through (CONFIG GET save: $out)"
    say "verified $REDIS_IMAGE: ready in $((SECONDS - t0))s, redis-cli PING on 127.0.0.1:$port -> PONG; arguments passed through"
}

# ---- main ---------------------------------------------------------------------------------------------------
built=0
if ((rebuild == 0)) && image_exists "$PG_IMAGE" && image_exists "$REDIS_IMAGE"; then
    say "$PG_IMAGE and $REDIS_IMAGE already exist (use --rebuild to rebuild)"
else
    if ((rebuild == 1)) || ! image_exists "$BASE_IMAGE"; then
        build_base
    else
        say "reusing $BASE_IMAGE"
    fi
    build_service "$PG_IMAGE" "$HERE/postgres"
    build_service "$REDIS_IMAGE" "$HERE/redis"
    built=1
fi

if [[ $verify == yes || ($verify == auto && $built == 1) ]]; then
    verify_postgres
    verify_redis
    cleanup_containers
fi

docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' \
    | grep -E "^(${PG_IMAGE}|${REDIS_IMAGE}|${BASE_IMAGE})  " >&2 || true
say "done"
