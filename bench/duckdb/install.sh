#!/usr/bin/env bash
# Installs the DuckDB baseline's npm package (@duckdb/node-api, pinned by package-lock.json)
# when it is missing. Never fails: without Node or the registry, reel-bench's duckdb scenario
# says the baseline is missing and the other scenarios run as usual.
cd "$(dirname "$0")"
if [ -f node_modules/@duckdb/node-api/package.json ]; then exit 0; fi
# npm and its scripts run on the Node scripts/node.sh chose for the JavaScript tests.
if node_bin="$(bash ../../scripts/node.sh --bin-dir)"; then PATH="$node_bin:$PATH"; fi
if ! command -v npm >/dev/null; then
  echo "bench/duckdb: npm not found; the duckdb baseline will be skipped" >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error ||
  echo "bench/duckdb: npm ci failed; the duckdb baseline will be skipped" >&2
exit 0
