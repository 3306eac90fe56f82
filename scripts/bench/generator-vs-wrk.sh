#!/usr/bin/env bash
# mcp-harness's load generator against wrk on the same endpoint, in one run (ratios, not absolutes, mean something
# on a shared machine):
#   1. ceiling: the bundled reference server over Streamable HTTP (2026-07-28, stateless JSON, `echo`), closed loop
#      with 16 connections: wrk -t1 -c16 versus mcp-harness --virtual-users 16 --connections 16;
#   2. open loop at 50 % of wrk's rate: mcp-harness's achieved rate and corrected p50/p99;
#   3. truth under a stall: mcp-broken-server --defect tools-call-stalls-server over HTTP with one connection, wrk
#      -c1 (closed loop: it stops sending while the server stalls) versus mcp-harness --connections 1 --rate 100
#      (open loop: every delayed request is charged from its intended send time).
# Server on CPU 1, generators on CPU 0 (taskset) when the machine has two CPUs or more.
#
# Environment: BENCH_SECONDS (default 10), MCP_HARNESS (default target/release/mcp-harness, built if missing),
# BROKEN_SERVER (default target/release/mcp-broken-server, built if missing). Needs wrk and python3.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SECONDS_EACH="${BENCH_SECONDS:-10}"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '[bench] %s\n' "$*" >&2; }
command -v wrk >/dev/null || { log "wrk is not installed (apt-get install wrk)"; exit 2; }

HARNESS="${MCP_HARNESS:-$ROOT/target/release/mcp-harness}"
BROKEN="${BROKEN_SERVER:-$ROOT/target/release/mcp-broken-server}"
if [[ ! -x "$HARNESS" || ! -x "$BROKEN" ]]; then
  log "building release binaries"
  cargo build --release --quiet -p mcp-harness --features cli -p mcp-broken-server --manifest-path "$ROOT/Cargo.toml"
fi

SERVER_CPU=() GEN_CPU=()
if [[ "$(nproc)" -ge 2 ]] && command -v taskset >/dev/null; then SERVER_CPU=(taskset -c 1); GEN_CPU=(taskset -c 0); fi

# Starts a server that prints `listening on http://…` on stderr; echoes its URL.
start() {
  local log_file="$WORK/server-$#.log"
  "${SERVER_CPU[@]}" "$@" 2>"$log_file" >/dev/null &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    if url=$(grep -o 'http://127.0.0.1:[0-9]*[^ ]*' "$log_file" | head -1) && [[ -n "$url" ]]; then echo "$url"; return; fi
    sleep 0.1
  done
  log "the server did not report its URL: $(cat "$log_file")"; exit 1
}

ECHO_LUA="$HERE/wrk-echo.lua"

# wrk's requests/s and latency percentiles from its text output.
wrk_run() { "${GEN_CPU[@]}" wrk --latency "$@" 2>&1; }
wrk_rate() { awk '/Requests\/sec/ {print $2}'; }
wrk_p() { awk -v p="$1" '$1 == p {print $2}'; }

# One figure of a report's performance section.
perf() { python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['performance']; print(eval(sys.argv[2], {}, {'d': d}))" "$1" "$2"; }

harness_run() {
  local out="$1"; shift
  "${GEN_CPU[@]}" "$HARNESS" run --suite performance --no-progress --out "$out" --duration "${SECONDS_EACH}s" --warmup 2s "$@" \
    >/dev/null 2>"$out.log" || true
}

log "reference server (release, HTTP) …"
URL=$(MCP_HARNESS_SERVE_REFERENCE=1 start "$HARNESS" --transport http --listen 127.0.0.1:0)
log "at $URL"

log "1. ceiling, closed loop, 16 connections"
WRK_OUT=$(wrk_run -t1 -c16 -d"${SECONDS_EACH}s" -s "$ECHO_LUA" "$URL")
WRK_RATE=$(echo "$WRK_OUT" | wrk_rate)
harness_run "$WORK/closed" --url "$URL" --protocol 2026-07-28 --load-tool echo --load-args '{"message":"hello"}' \
  --virtual-users 16 --connections 16
H_RATE=$(perf "$WORK/closed/report.json" "d['throughput']['achievedPerSec']")
H_CPU=$(perf "$WORK/closed/report.json" "d['generator']['cpuPercent']")

log "2. open loop at half of wrk's rate"
HALF=$(python3 -c "print(int(float('$WRK_RATE') / 2))")
harness_run "$WORK/open" --url "$URL" --protocol 2026-07-28 --load-tool echo --load-args '{"message":"hello"}' \
  --rate "$HALF" --connections 16
O_RATE=$(perf "$WORK/open/report.json" "d['throughput']['achievedPerSec']")
O_P50=$(perf "$WORK/open/report.json" "d['latency']['corrected']['p50Ms']")
O_P99=$(perf "$WORK/open/report.json" "d['latency']['corrected']['p99Ms']")

log "3. a server that stalls 1.5 s every 150 calls, one connection"
STALL_URL=$(start "$BROKEN" --transport http --listen 127.0.0.1:0 --defect tools-call-stalls-server)
S_WRK=$(wrk_run -t1 -c1 -d"${SECONDS_EACH}s" -s "$ECHO_LUA" "$STALL_URL")
S_WRK_P99=$(echo "$S_WRK" | wrk_p 99%)
S_WRK_RATE=$(echo "$S_WRK" | wrk_rate)
harness_run "$WORK/stall" --url "$STALL_URL" --protocol 2026-07-28 --load-tool echo --load-args '{"message":"hello"}' \
  --rate 100 --connections 1
S_C99=$(perf "$WORK/stall/report.json" "d['latency']['corrected']['p99Ms']")
S_U99=$(perf "$WORK/stall/report.json" "d['latency']['service']['p99Ms']")

cat <<TABLE
| measurement | wrk 4.1 | mcp-harness |
|---|---|---|
| reference echo, HTTP stateless, closed loop c=16: requests/s | $WRK_RATE | $H_RATE (generator CPU $H_CPU % of a core) |
| open loop at $HALF/s: achieved/s, corrected p50 / p99 | — | $O_RATE, $O_P50 / $O_P99 ms |
| stalling server, 1 connection: p99 | $S_WRK_P99 (at $S_WRK_RATE req/s, closed loop) | corrected $S_C99 ms, uncorrected $S_U99 ms (open loop 100/s) |
TABLE
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%Y-%m-%d)"
