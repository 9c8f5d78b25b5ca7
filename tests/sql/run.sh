#!/usr/bin/env bash
# reel export read back by independent readers (check_parquet.mjs): writes a dataset with
# write_dataset, exports it with `reel export`, re-exports (incremental: nothing written), and
# checks the Parquet with DuckDB (Node) and hyparquet against reel's own query of the data.
# Usage: run.sh WRITE_DATASET REEL OUTPUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
writer="$1"
reel="$2"
out="$3"
if ! bash "$here/../../scripts/duckdb.sh" --check 2>/dev/null && [ -z "${REEL_DUCKDB_LIBRARY:-}" ]; then
  echo "SKIP: DuckDB's library is not installed (scripts/duckdb.sh --install could not run)"
  exit 77
fi
PATH="$(bash "$here/../../scripts/node.sh" --bin-dir):$PATH"
if [ ! -d "$here/node_modules/hyparquet-compressors" ] || [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
"$writer" "$out"
"$reel" export "$out/in" -o "$out/parquet" 2> "$out/export.log" || { cat "$out/export.log"; exit 1; }
cat "$out/export.log"
grep -q "4 recordings written, 0 already there" "$out/export.log"
grep -q "cut.reel" "$out/export.log"  # the cut recording was reported (and skipped)
"$reel" export "$out/in" -o "$out/parquet" 2> "$out/export2.log"
grep -q "0 recordings written, [45] already there" "$out/export2.log" || { cat "$out/export2.log"; exit 1; }
node "$here/check_parquet.mjs" "$out"
