#!/usr/bin/env bash
# Seeds for the import fuzz targets, from the independent test writers (nothing binary is
# committed): OUT/mcap_reader_fuzz (the MCAP files), OUT/ros1_bag_fuzz (the bags),
# OUT/cdr_fuzz (schema + message pairs) and OUT/mapping_fuzz (the same pairs).
# Usage: write_fuzz_seeds.sh OUT
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1"
if [ ! -d "$here/node_modules/@mcap/core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
files="$out/import_files"
rm -rf "$files" "$out/mcap_reader_fuzz" "$out/ros1_bag_fuzz" "$out/cdr_fuzz" "$out/mapping_fuzz"
mkdir -p "$files" "$out/mcap_reader_fuzz" "$out/ros1_bag_fuzz" "$out/cdr_fuzz"
node "$here/generate.mjs" "$files" "$out/cdr_fuzz" > /dev/null
/usr/bin/python3 "$here/write_bags.py" "$files" "$out/cdr_fuzz" > /dev/null
cp "$files"/*.mcap "$out/mcap_reader_fuzz/"
cp "$files"/*.bag "$out/ros1_bag_fuzz/"
# The mapping reads cdr_fuzz's input (schema + message): the same seeds.
cp -r "$out/cdr_fuzz" "$out/mapping_fuzz"
rm -rf "$files"
