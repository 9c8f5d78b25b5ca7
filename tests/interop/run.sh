#!/usr/bin/env bash
# Writes chunk payloads with reel and decodes them with apache-arrow for JavaScript.
# Usage: run.sh FIXTURE_WRITER OUTPUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
writer="$1"
out="$2"
# node and npm: the Node scripts/node.sh chose for the JavaScript tests.
PATH="$(bash "$here/../../scripts/node.sh" --bin-dir):$PATH"
if [ ! -d "$here/node_modules/apache-arrow" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$out"
"$writer" "$out"
node "$here/check_chunks.mjs" "$out"
