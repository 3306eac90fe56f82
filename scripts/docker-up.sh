#!/usr/bin/env bash
# Bring up a local Docker engine on a Debian bookworm machine (project CI, sandbox VMs), idempotently.
#
#   scripts/docker-up.sh            # exits 0 once `docker info` works
#
# - Does nothing when `docker info` already works.
# - Otherwise installs Debian's docker.io (which pulls containerd, runc, iptables and tini) when `dockerd` is
#   missing, starts `dockerd` in the background (its own session, so it outlives this script), logs to
#   $DOCKERD_LOG, and waits at most $DOCKER_UP_TIMEOUT seconds for `docker info`.
# - Exits non-zero with the tail of the daemon log when the engine does not come up.
#
# Settings that work on the project machines (Firecracker VM, kernel 6.18, cgroup v1 hybrid, ext4 root,
# iptables-nft): the daemon defaults — overlay2, cgroupfs, bridge networking with iptables. They are tried first.
# Only when the first start fails in a way the log explains, the script retries once with a fallback:
#   - "overlay" / "graphdriver" errors (no overlayfs in the kernel, or the root is itself an overlay, as in nested
#     containers) → `--storage-driver=vfs` (slow and disk-hungry, but works everywhere);
#   - iptables / nat / bridge errors (no netfilter modules, e.g. gVisor or restricted VMs) → `--iptables=false
#     --ip-masq=false`; published ports then go through docker-proxy, which is all the harness needs (it only
#     connects to 127.0.0.1:<published port>).
# Extra daemon flags can always be forced with DOCKERD_EXTRA_ARGS (word-split).
#
# Environment: DOCKERD_LOG (default /tmp/dockerd.log), DOCKER_UP_TIMEOUT (default 60), DOCKERD_EXTRA_ARGS.
set -euo pipefail

LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
TIMEOUT=${DOCKER_UP_TIMEOUT:-60}
read -r -a EXTRA_ARGS <<<"${DOCKERD_EXTRA_ARGS:-}"

say() { printf 'docker-up: %s\n' "$*" >&2; }
die() {
    say "ERROR: $*"
    if [[ -s $LOG ]]; then
        say "last lines of $LOG:"
        tail -n 25 "$LOG" >&2
    fi
    exit 1
}

engine_ok() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && engine_ok; then
    say "Docker engine already running ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
    exit 0
fi

[[ $(id -u) -eq 0 ]] || die "the engine is not running and starting it needs root (run: sudo $0)"

# 1. Install the engine from Debian's packages when it is missing.
if ! command -v dockerd >/dev/null 2>&1 || ! command -v containerd >/dev/null 2>&1; then
    say "installing docker.io from the Debian archive (apt-get) ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null || die "apt-get update failed"
    # --no-install-recommends: skips apparmor, criu and needrestart (which would prompt); docker.io's Depends
    # already pull containerd, runc, iptables and tini.
    apt-get install -y -q --no-install-recommends docker.io iptables >/dev/null \
        || die "apt-get install docker.io failed"
fi
command -v docker >/dev/null 2>&1 || die "no docker CLI after installing docker.io"

dockerd_pid() {
    local pid
    [[ -s /var/run/docker.pid ]] || return 1
    pid=$(cat /var/run/docker.pid)
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

# wait_up PID: poll `docker info` until it works (0), the daemon died (1) or the deadline passed (2).
wait_up() {
    local pid=$1 deadline=$((SECONDS + TIMEOUT))
    while ((SECONDS < deadline)); do
        engine_ok && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 1
    done
    return 2
}

start_dockerd() {
    say "starting dockerd ${*:-(default settings)} (log: $LOG)"
    printf '\n==== %s docker-up.sh: dockerd %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOG"
    # setsid: own session, so the daemon survives this script and CI step boundaries; no stdin.
    setsid dockerd "$@" </dev/null >>"$LOG" 2>&1 &
    STARTED_PID=$!
}

# 2. A daemon is already starting (or hung): wait for it instead of starting a second one.
if pid=$(dockerd_pid); then
    say "dockerd (pid $pid) is running but not answering yet; waiting up to ${TIMEOUT}s"
    if wait_up "$pid"; then
        say "Docker engine up"
        exit 0
    fi
    die "dockerd (pid $pid) is running but \`docker info\` still fails; stop it or inspect $LOG"
fi

# 3. Start with the defaults (plus forced extras).
start_dockerd "${EXTRA_ARGS[@]}"
rc=0
wait_up "$STARTED_PID" || rc=$?
if ((rc == 0)); then
    say "Docker engine up: $(docker info --format '{{.ServerVersion}}, storage {{.Driver}}, cgroup {{.CgroupDriver}} v{{.CgroupVersion}}' 2>/dev/null)"
    exit 0
fi
((rc == 2)) && die "dockerd did not answer within ${TIMEOUT}s"

# 4. The daemon exited: pick a fallback from what its log says, and retry once.
fallback=()
recent=$(tail -n 60 "$LOG")
if grep -qiE 'overlay|graphdriver|storage-driver' <<<"$recent"; then
    fallback+=(--storage-driver=vfs)
fi
if grep -qiE 'iptables|nat|bridge|netfilter|masquerade' <<<"$recent"; then
    fallback+=(--iptables=false --ip-masq=false)
fi
((${#fallback[@]} > 0)) || die "dockerd exited during start-up"
say "dockerd exited during start-up; retrying with ${fallback[*]}"
start_dockerd "${EXTRA_ARGS[@]}" "${fallback[@]}"
rc=0
wait_up "$STARTED_PID" || rc=$?
((rc == 0)) || die "dockerd did not come up with ${fallback[*]} either"
say "Docker engine up (with ${fallback[*]})"
