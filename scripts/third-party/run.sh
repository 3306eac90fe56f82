#!/usr/bin/env bash
# Runs mcp-harness against third-party MCP servers, installed as a new user would install them:
#   - npm  @modelcontextprotocol/server-everything   stdio and Streamable HTTP
#   - npm  @modelcontextprotocol/server-memory       stdio
#   - npm  @modelcontextprotocol/server-filesystem   stdio, on a fresh temporary directory
#   - PyPI fastmcp: scripts/third-party/fastmcp_server.py, stdio and Streamable HTTP
# each with `--protocol auto` and `--protocol 2025-11-25`, and prints per run the Summary line and every
# failed / warning / error check with its reason.
#
# Installs into $THIRD_PARTY_DEPS (default /tmp/mcp-harness-third-party/deps): npm packages with
# `npm install --prefix` (never global) and a Python venv with fastmcp. Installs are skipped when already
# present (idempotent; set THIRD_PARTY_REINSTALL=1 to force). Reports go to
# $THIRD_PARTY_OUT (default /tmp/mcp-harness-third-party/out)/<target>-<transport>-<protocol>/report.json.
#
# Every HTTP server binds 127.0.0.1 only: server-everything binds all interfaces by itself, so it runs with
# NODE_OPTIONS="--require loopback.js" (this directory), which forces every listen() onto 127.0.0.1; FastMCP
# is told host 127.0.0.1. Background servers are always stopped (trap on EXIT).
#
# Environment:
#   MCP_HARNESS       harness binary (default: target/release/mcp-harness of this checkout, built if missing)
#   THIRD_PARTY_DEPS  install directory            THIRD_PARTY_OUT  report directory
#   THIRD_PARTY_ONLY  space-separated subset of run names to run (e.g. "everything-stdio fastmcp-http")
#   HARNESS_ARGS      extra arguments for every `mcp-harness run` (e.g. "--timeout-ms 5000")
#   THIRD_PARTY_PROTOCOLS  the --protocol values to run each server with (default "auto 2025-11-25")
# Needs: node + npm (>= 18), python3 (>= 3.10) with venv, jq or python3 for the summaries.
# Exit status: 0 when every run finished without `error` outcomes, 1 otherwise (failures and warnings of the
# servers are findings, not errors of this script).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BASE="${THIRD_PARTY_BASE:-/tmp/mcp-harness-third-party}"
DEPS="${THIRD_PARTY_DEPS:-$BASE/deps}"
OUT="${THIRD_PARTY_OUT:-$BASE/out}"
NPM_DIR="$DEPS/npm"
VENV="$DEPS/venv"
NPM_PACKAGES=(@modelcontextprotocol/server-everything @modelcontextprotocol/server-memory @modelcontextprotocol/server-filesystem)
read -r -a EXTRA <<< "${HARNESS_ARGS:-}"

log() { printf '[third-party] %s\n' "$*" >&2; }

# ---------- harness binary ----------
HARNESS="${MCP_HARNESS:-}"
if [[ -z "$HARNESS" ]]; then
  HARNESS="$ROOT/target/release/mcp-harness"
  if [[ ! -x "$HARNESS" ]]; then
    log "building mcp-harness (release)"
    cargo build --release --quiet -p mcp-harness --features cli --manifest-path "$ROOT/Cargo.toml"
  fi
fi
[[ -x "$HARNESS" ]] || { log "no harness binary at $HARNESS"; exit 2; }

# ---------- installs ----------
mkdir -p "$DEPS" "$OUT"
npm_installed() {
  local p
  for p in "${NPM_PACKAGES[@]}"; do [[ -f "$NPM_DIR/node_modules/$p/package.json" ]] || return 1; done
}
if [[ "${THIRD_PARTY_REINSTALL:-0}" == 1 ]] || ! npm_installed; then
  log "npm install --prefix $NPM_DIR ${NPM_PACKAGES[*]}"
  mkdir -p "$NPM_DIR"
  npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error "${NPM_PACKAGES[@]}" >&2
fi
if [[ "${THIRD_PARTY_REINSTALL:-0}" == 1 ]] || ! "$VENV/bin/python" -c 'import fastmcp' 2>/dev/null; then
  log "python venv with fastmcp in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check fastmcp >&2
fi
version_of() { sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$NPM_DIR/node_modules/$1/package.json" | head -n1; }
EVERYTHING="$NPM_DIR/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
MEMORY="$NPM_DIR/node_modules/@modelcontextprotocol/server-memory/dist/index.js"
FILESYSTEM="$NPM_DIR/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"
FASTMCP_SERVER="$HERE/fastmcp_server.py"
log "harness $("$HARNESS" --version 2>/dev/null || echo '?'), node $(node --version)," \
    "server-everything $(version_of @modelcontextprotocol/server-everything)," \
    "server-memory $(version_of @modelcontextprotocol/server-memory)," \
    "server-filesystem $(version_of @modelcontextprotocol/server-filesystem)," \
    "fastmcp $("$VENV/bin/python" -c 'import fastmcp; print(fastmcp.__version__)')"

# ---------- scratch, background servers, cleanup ----------
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/mcp-third-party.XXXXXX")"
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$SCRATCH"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http PORT LOG: until something listens on 127.0.0.1:PORT (or the server died).
wait_http() {
  local port="$1" logf="$2"
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { log "server exited; its log:"; cat "$logf" >&2; return 1; }
    sleep 0.1
  done
  log "server did not listen on 127.0.0.1:$port within 15 s; its log:"; cat "$logf" >&2
  return 1
}

# ---------- summaries ----------
summarize() {
  local report="$1"
  python3 - "$report" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
proto = r.get("protocol", {})
neg = proto.get("negotiated") if isinstance(proto, dict) else None
print(f"  Summary: {s['total']} checks: {s['passed']} passed, {s['failed']} failed, {s['warnings']} warnings, "
      f"{s['skipped']} skipped, {s['errors']} errors (negotiated {neg}; exit {r['exit']['code']})")
for suite in r["suites"]:
    for c in suite["checks"]:
        if c["outcome"] in ("failed", "warning", "error"):
            reason = (c.get("reason") or "").replace("\n", " | ")
            print(f"    {c['outcome']:<8} {c['id']} [{c.get('level')}]: {reason[:400]}")
PY
}

ERRORS=0
RUNS=()
# run_harness NAME PROTOCOL TARGET-ARGS...
run_harness() {
  local name="$1" protocol="$2"; shift 2
  local out="$OUT/$name-$protocol"
  if [[ -n "${THIRD_PARTY_ONLY:-}" && " $THIRD_PARTY_ONLY " != *" $name "* ]]; then return 0; fi
  rm -rf "$out"; mkdir -p "$out"
  log "run $name --protocol $protocol"
  local code=0
  "$HARNESS" run "$@" --protocol "$protocol" --out "$out" "${EXTRA[@]}" >"$out/stdout.txt" 2>"$out/stderr.txt" || code=$?
  echo "== $name --protocol $protocol (exit $code)"
  if [[ -f "$out/report.json" ]]; then
    summarize "$out/report.json"
    local errs
    errs="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["errors"])' "$out/report.json")"
    [[ "$errs" == 0 ]] || ERRORS=$((ERRORS + 1))
  else
    echo "  no report (exit $code); stderr:"; sed 's/^/    /' "$out/stderr.txt"
    ERRORS=$((ERRORS + 1))
  fi
  RUNS+=("$name-$protocol")
}

read -r -a PROTOCOLS <<< "${THIRD_PARTY_PROTOCOLS:-auto 2025-11-25}"

# server-everything, stdio
for p in "${PROTOCOLS[@]}"; do
  run_harness everything-stdio "$p" --stdio "node $EVERYTHING stdio"
done

# server-everything, Streamable HTTP (its own listen() forced onto loopback)
for p in "${PROTOCOLS[@]}"; do
  [[ -n "${THIRD_PARTY_ONLY:-}" && " $THIRD_PARTY_ONLY " != *" everything-http "* ]] && continue
  port="$(free_port)"
  PORT="$port" NODE_OPTIONS="--require $HERE/loopback.js" node "$EVERYTHING" streamableHttp \
    >"$SCRATCH/everything-http.log" 2>&1 &
  SERVER_PID=$!
  wait_http "$port" "$SCRATCH/everything-http.log"
  run_harness everything-http "$p" --url "http://127.0.0.1:$port/mcp"
  stop_server
done

# server-memory, stdio (its knowledge graph in a scratch file, not inside node_modules)
for p in "${PROTOCOLS[@]}"; do
  run_harness memory-stdio "$p" --stdio "node $MEMORY" --env "MEMORY_FILE_PATH=$SCRATCH/memory-$p.jsonl"
done

# server-filesystem, stdio, on a fresh temporary directory with a few files
for p in "${PROTOCOLS[@]}"; do
  dir="$SCRATCH/fs-$p"
  mkdir -p "$dir/sub"
  printf 'hello\n' >"$dir/hello.txt"
  printf '# notes\n' >"$dir/sub/notes.md"
  run_harness filesystem-stdio "$p" --stdio "node $FILESYSTEM $dir"
done

# FastMCP, stdio
for p in "${PROTOCOLS[@]}"; do
  run_harness fastmcp-stdio "$p" --stdio "$VENV/bin/python $FASTMCP_SERVER stdio"
done

# FastMCP, Streamable HTTP on 127.0.0.1
for p in "${PROTOCOLS[@]}"; do
  [[ -n "${THIRD_PARTY_ONLY:-}" && " $THIRD_PARTY_ONLY " != *" fastmcp-http "* ]] && continue
  port="$(free_port)"
  "$VENV/bin/python" "$FASTMCP_SERVER" http "$port" >"$SCRATCH/fastmcp-http.log" 2>&1 &
  SERVER_PID=$!
  wait_http "$port" "$SCRATCH/fastmcp-http.log"
  run_harness fastmcp-http "$p" --url "http://127.0.0.1:$port/mcp"
  stop_server
done

# ---------- the verdict table ----------
python3 - "$OUT" "${RUNS[@]}" <<'PY' | tee "$OUT/summary.md"
import json, sys
out, runs = sys.argv[1], sys.argv[2:]
print("| run | negotiated | passed | failed | warnings | skipped | errors |")
print("|---|---|---|---|---|---|---|")
for run in runs:
    try:
        r = json.load(open(f"{out}/{run}/report.json"))
    except OSError:
        print(f"| {run} | no report | | | | | |")
        continue
    s = r["summary"]
    print(f"| {run} | {r['protocol'].get('negotiated')} | {s['passed']} | {s['failed']} | {s['warnings']} | {s['skipped']} | {s['errors']} |")
PY
log "reports in $OUT: ${RUNS[*]}"
if [[ $ERRORS -ne 0 ]]; then
  log "$ERRORS run(s) had error outcomes or no report"
  exit 1
fi
