#!/usr/bin/env bash
# Installs what scripts/coverage/reference-server.sh needs when it is missing: cargo-llvm-cov (crates.io) and
# LLVM's llvm-cov/llvm-profdata of rustc's LLVM major version (the rustup component when rustup can reach its
# server; else Debian's llvm-<major> package, which is what an offline machine has).
set -euo pipefail
command -v cargo-llvm-cov >/dev/null || cargo install --locked cargo-llvm-cov@0.9.1
if rustup component list --installed 2>/dev/null | grep -q '^llvm-tools'; then
  exit 0
fi
major=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
if [ ! -x "/usr/lib/llvm-$major/bin/llvm-cov" ]; then
  if rustup component add llvm-tools-preview 2>/dev/null; then
    exit 0
  fi
  [ "$(id -u)" -eq 0 ] || { echo "need root to apt-get install llvm-$major" >&2; exit 2; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "llvm-$major" >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "llvm-$major" >/dev/null; }
fi
echo "llvm-cov: /usr/lib/llvm-$major/bin/llvm-cov"
