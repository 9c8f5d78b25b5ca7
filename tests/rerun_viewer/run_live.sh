#!/usr/bin/env bash
# The real Rerun web viewer (npm @rerun-io/web-viewer 0.33.0, pinned in package-lock.json) in
# headless Debian Chromium watching `reel serve` live through its gRPC-web proxy (live.mjs).
# Usage: run_live.sh OUT_DIR REEL_BIN LOGGER_BIN
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "chromium not found (apt-get install chromium)" >&2
  exit 1
fi
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
   [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
rm -rf "$out"
mkdir -p "$out"
node "$here/live.mjs" "$out" "$2" "$3"
