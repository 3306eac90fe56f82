#!/usr/bin/env bash
# Code coverage of the reference server under the harness: builds the server instrumented (cargo llvm-cov), runs
# the harness against it over stdio, and has the harness put the measured line and function coverage into the
# report's `coverage.code` (--coverage-command runs `cargo llvm-cov report` once the server has ended and written
# its profile). The recipe for any Rust server is the same; see the README's "Code coverage".
#
# Needs cargo-llvm-cov (`cargo install cargo-llvm-cov --locked`) and LLVM's llvm-cov/llvm-profdata of the same
# major version as rustc's LLVM: `rustup component add llvm-tools-preview`, or Debian's llvm-<major> package
# (found here by version when the rustup component is missing).
#
# Usage: scripts/coverage/reference-server.sh [OUT_DIR] [extra mcp-harness run flags…]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-target/mcp-harness/coverage}"
shift || true

harness="$PWD/target/release/mcp-harness"
cargo build --release --locked -p mcp-harness --features cli

if [ -z "${LLVM_COV:-}" ] && ! rustup component list --installed 2>/dev/null | grep -q '^llvm-tools'; then
  major=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
  if [ -x "/usr/lib/llvm-$major/bin/llvm-cov" ]; then
    export LLVM_COV="/usr/lib/llvm-$major/bin/llvm-cov" LLVM_PROFDATA="/usr/lib/llvm-$major/bin/llvm-profdata"
  else
    echo "no llvm-cov for LLVM $major: rustup component add llvm-tools-preview (or apt-get install llvm-$major)" >&2
    exit 2
  fi
fi

# A target directory of its own, so the instrumented build does not replace the normal one.
export CARGO_TARGET_DIR="$PWD/target/coverage"
eval "$(cargo llvm-cov show-env --sh 2>/dev/null)"
cargo llvm-cov clean --workspace
cargo build --locked -p mcp-reference-server --bin mcp-reference-server

mkdir -p "$out"
export_file="$PWD/$out/llvm-cov.json"
status=0
"$harness" run --no-config --stdio "$CARGO_TARGET_DIR/debug/mcp-reference-server" --suite conformance,unit,security \
  --out "$out" --coverage-json "$export_file" \
  --coverage-command "cargo llvm-cov report --json --summary-only --output-path $export_file" "$@" || status=$?
python3 - "$out/report.json" <<'PY'
import json, sys
code = json.load(open(sys.argv[1], encoding="utf-8"))["coverage"]["code"]
if code["status"] != "measured":
    sys.exit(f"code coverage was not measured: {code.get('reason')}")
lines, functions = code["lines"], code["functions"]
print(f"reference server code coverage under the harness: {lines['percent']:.1f} % of lines "
      f"({lines['covered']}/{lines['total']}), {functions['percent']:.1f} % of functions")
PY
exit "$status"
