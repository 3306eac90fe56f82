#!/usr/bin/env bash
# The reference server at its ceiling: 2026-07-28 stateless `tools/call echo` over HTTP (wrk, plain JSON answers)
# and pipelined calls over stdio (reference-server/benches/stdio_pipelined.rs).
#
# Placement (performance.md §6, "split"): the server on CPU $SERVER_CPU with one tokio worker, the load generator
# on CPU $CLIENT_CPU. Each configuration runs $RUNS times; the table shows every run and the median. Server CPU per
# call is the user + system time of the server process (/proc/<pid>/stat) during the run divided by the calls.
#
# Usage: scripts/bench/reference-ceiling.sh [http|stdio|all]
# Environment:
#   BIN=path         measure this server binary (default: build reference-server in release and use it)
#   DURATION=10      seconds per wrk run (bounded to 1..120)
#   CONNECTIONS="16 64"  wrk connection counts
#   RUNS=3           runs per configuration
#   STDIO_CALLS=100000  calls per stdio run; STDIO_K="1,16,64" in-flight depths
#   SERVER_CPU=1 CLIENT_CPU=0
#   CARGO_TARGET_DIR as for cargo (the release build lands there).
# Requires: wrk, taskset, cargo. Servers bind 127.0.0.1 only and are killed on exit.

set -euo pipefail

mode=${1:-all}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${DURATION:-10}
connections=${CONNECTIONS:-"16 64"}
runs=${RUNS:-3}
server_cpu=${SERVER_CPU:-1}
client_cpu=${CLIENT_CPU:-0}
stdio_calls=${STDIO_CALLS:-100000}
stdio_k=${STDIO_K:-"1,16,64"}
target_dir=${CARGO_TARGET_DIR:-$root/target}

if ((duration < 1 || duration > 120)); then
    echo "DURATION must be 1..120 seconds" >&2
    exit 2
fi
for tool in taskset cargo; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

server_pid=""
workdir=$(mktemp -d)
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

if [[ -z "${BIN:-}" ]]; then
    (cd "$root" && cargo build --release -p mcp-reference-server --bin mcp-reference-server >&2)
    BIN=$target_dir/release/mcp-reference-server
fi

clk_tck=$(getconf CLK_TCK)

# User + system CPU ticks of a process.
cpu_ticks() {
    # Fields after "(comm)": state is field 3, utime 14, stime 15.
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "# $(uname -r), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# loadavg before: $(cut -d' ' -f1-3 /proc/loadavg); server CPU $server_cpu, client CPU $client_cpu"
echo "# server: $BIN"

run_http() {
    command -v wrk >/dev/null || { echo "missing wrk (apt-get install -y wrk)" >&2; exit 2; }
    local log=$workdir/server.log
    taskset -c "$server_cpu" "$BIN" --transport http --listen 127.0.0.1:0 --log-level warn 2>"$log" &
    server_pid=$!
    local url=""
    for _ in $(seq 100); do
        url=$(sed -n 's/^mcp-reference-server listening on //p' "$log" | head -n1)
        [[ -n "$url" ]] && break
        sleep 0.1
    done
    [[ -n "$url" ]] || { echo "server did not start:" >&2; cat "$log" >&2; exit 1; }
    # Warm-up (connections, allocator, caches).
    taskset -c "$client_cpu" wrk -t1 -c16 -d2s -s "$here/wrk-echo.lua" "$url" >/dev/null
    printf '%-6s %-4s %10s %14s %10s %10s %6s\n' "conns" "run" "req/s" "server µs/call" "p50" "p99" "bad"
    for c in $connections; do
        local rates=() costs=()
        for run in $(seq "$runs"); do
            local before after out requests rate cost
            before=$(cpu_ticks "$server_pid")
            out=$(taskset -c "$client_cpu" wrk -t1 -c"$c" -d"${duration}s" --latency -s "$here/wrk-echo.lua" "$url")
            after=$(cpu_ticks "$server_pid")
            requests=$(awk '/requests in/ { print $1 }' <<<"$out")
            rate=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
            cost=$(awk -v d=$((after - before)) -v n="$requests" -v hz="$clk_tck" 'BEGIN { printf "%.2f", d / hz * 1e6 / n }')
            local p50 p99 bad
            p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
            p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
            bad=$(awk '/^bad_answers/ { print $2 }' <<<"$out")
            if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
                grep 'Non-2xx\|Socket errors' <<<"$out" >&2
            fi
            printf '%-6s %-4s %10s %14s %10s %10s %6s\n' "$c" "$run" "$rate" "$cost" "$p50" "$p99" "$bad"
            rates+=("$rate")
            costs+=("$cost")
        done
        printf '%-6s %-4s %10s %14s\n' "$c" "med" "$(printf '%s\n' "${rates[@]}" | median)" \
            "$(printf '%s\n' "${costs[@]}" | median)"
    done
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

run_stdio() {
    # The bench starts (and kills) its own server children under taskset. Build first, unpinned.
    (cd "$root" && cargo bench -q -p mcp-reference-server --bench stdio_pipelined --no-run >&2)
    (cd "$root" && taskset -c "$client_cpu" cargo bench -q -p mcp-reference-server --bench stdio_pipelined -- \
        --k "$stdio_k" --calls "$stdio_calls" --runs "$runs" --server-cpu "$server_cpu" --bin "$BIN")
}

case "$mode" in
    http) run_http ;;
    stdio) run_stdio ;;
    all) run_http; run_stdio ;;
    *) echo "usage: $0 [http|stdio|all]" >&2; exit 2 ;;
esac
echo "# loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
