#!/usr/bin/env bash
# The real Rerun web viewer (npm @rerun-io/web-viewer 0.33.0, pinned in package-lock.json) in
# headless Debian Chromium, as a test oracle for .rrd files; then reel's .rrd stream layer
# reads the file the viewer saved (format_test's RerunSavedFile cases).
# Usage: run.sh FORMAT_TEST OUT_DIR [REEL_RRD_WRITER]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
format_test="$1"
out="$2"
reel_writer="${3:-}"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "chromium not found (apt-get install chromium)" >&2
  exit 1
fi
# Install exactly what package-lock.json pins, when missing or stale.
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
   [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
rm -rf "$out"
mkdir -p "$out"
if [ -n "$reel_writer" ]; then
  # reel's SDK writes an .rrd; test.mjs opens it and checks what the JSON says.
  "$reel_writer" "$out/reel_written.rrd" > "$out/reel_written.json"
fi
node "$here/test.mjs" "$out"
REEL_RERUN_SAVED_RRD="$out/rerun_saved.rrd" "$format_test" --gtest_filter='RerunSavedFile.*'
