#!/usr/bin/env bash
# The viewer's unit tests: writes reel chunk payloads with the C++ writer, then runs vitest.
# Usage: run_unit.sh FIXTURE_WRITER OUTPUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/ensure_deps.sh"
mkdir -p "$2"
"$1" "$2" >/dev/null
cd "$here"
PATH="$(bash ../scripts/node.sh --bin-dir):$PATH"  # the Node vitest supports
REEL_INTEROP_DIR="$2" exec node node_modules/vitest/vitest.mjs run
