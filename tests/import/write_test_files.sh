#!/usr/bin/env bash
# Writes the import tests' files with independent writers: MCAP with Foxglove's npm libraries,
# ROS 1 bags with Debian's python3-rosbag, plain files with Pillow and by hand.
# Usage: write_test_files.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1"
if [ ! -d "$here/node_modules/@mcap/core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
rm -rf "$out"
mkdir -p "$out"
node "$here/generate.mjs" "$out"
/usr/bin/python3 "$here/write_bags.py" "$out"
/usr/bin/python3 "$here/write_files.py" "$out"
