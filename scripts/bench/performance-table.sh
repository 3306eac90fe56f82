#!/usr/bin/env bash
# The performance suite against the bundled reference server, @modelcontextprotocol/server-everything and a FastMCP
# server, over stdio and Streamable HTTP, with the same load (default: 200 requests/s, 15 s after a 3 s warm-up,
# each server's default workload), printed as one Markdown table. The third-party servers are installed and started
# by scripts/third-party/run.sh (loopback only); every run writes its report under $BENCH_OUT.
#
# Environment: BENCH_ARGS (extra `run` arguments, e.g. "--rate 500 --duration 30s"), BENCH_OUT (default
# /tmp/mcp-harness-bench), MCP_HARNESS (default target/release/mcp-harness, built if missing).
# Needs what scripts/third-party/run.sh needs (node, npm, python3).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${BENCH_OUT:-/tmp/mcp-harness-bench}"
read -r -a EXTRA <<< "${BENCH_ARGS:-}"
HARNESS="${MCP_HARNESS:-$ROOT/target/release/mcp-harness}"
if [[ ! -x "$HARNESS" ]]; then
  cargo build --release --quiet -p mcp-harness --features cli --manifest-path "$ROOT/Cargo.toml"
fi
mkdir -p "$OUT"

for transport in stdio http; do
  "$HARNESS" run --reference "$transport" --protocol 2025-11-25 --suite performance --no-progress "${EXTRA[@]}" \
    --out "$OUT/reference-$transport" >/dev/null 2>"$OUT/reference-$transport.log" || true
done
MCP_HARNESS="$HARNESS" THIRD_PARTY_OUT="$OUT/third-party" \
  THIRD_PARTY_ONLY="everything-stdio everything-http fastmcp-stdio fastmcp-http" \
  THIRD_PARTY_PROTOCOLS="2025-11-25" HARNESS_ARGS="--suite performance --no-progress ${BENCH_ARGS:-}" \
  "$ROOT/scripts/third-party/run.sh" >/dev/null 2>"$OUT/third-party.log" || true

python3 - "$OUT" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
reports = sorted(out.glob("reference-*/report.json")) + sorted(out.glob("third-party/*/report.json"))
print("| target | workload | offered/s | answered/s | corrected p50 / p99 ms | uncorrected p99 ms | errors | server CPU µs/call | RSS growth MB | checks |")
print("|---|---|---|---|---|---|---|---|---|---|")
for path in reports:
    r = json.loads(path.read_text())
    p = r.get("performance")
    name = path.parent.name
    if not p:
        reason = next((c.get("reason") for s in r["suites"] for c in s["checks"] if c.get("reason")), "no load run")
        print(f"| {name} | — | — | — | — | — | — | — | — | {reason[:80]} |")
        continue
    w = " + ".join((e.get("tool") or e["method"]) for e in p["workload"])
    c, s = p["latency"]["corrected"], p["latency"]["service"]
    res = p.get("resources") or {}
    cpu = res.get("cpuMicrosPerCall")
    growth = res.get("rssGrowthBytes")
    checks = [c2 for s2 in r["suites"] for c2 in s2["checks"]]
    verdict = ", ".join(f"{c2['id'].split('.', 1)[1]} {c2['outcome']}" for c2 in checks if c2["outcome"] != "passed") or "all passed"
    print(f"| {name} | {w} | {p['throughput']['requestedPerSec']} | {p['throughput']['achievedPerSec']} | "
          f"{c['p50Ms']} / {c['p99Ms']} | {s['p99Ms']} | {p['errors']['rate']*100:.2f} % | "
          f"{cpu if cpu is not None else '—'} | {growth/1e6 if growth is not None else '—'} | {verdict} |")
PY
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%Y-%m-%d)"
