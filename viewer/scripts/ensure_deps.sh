#!/usr/bin/env bash
# Installs the viewer's npm dependencies with `npm ci` when package-lock.json changed since
# the last install (the stamp is a copy of the lock inside node_modules, so it follows the
# folder it describes, whichever build directory asks).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.reel-package-lock.json
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
# npm, and the scripts it runs, use the Node the viewer's tools support (scripts/node.sh
# says why there is none, and exits).
node_bin="$(bash ../scripts/node.sh --bin-dir)"
PATH="$node_bin:$PATH"
if ! command -v npm >/dev/null; then
  echo "viewer: npm is required (apt-get install nodejs npm)" >&2
  exit 1
fi
# A lock directory keeps two builds (or tests) from running npm ci at once.
lock=.npm-ci.lock
for _ in $(seq 1 600); do
  if mkdir "$lock" 2>/dev/null; then break; fi
  sleep 1
done
trap 'rmdir "$lock" 2>/dev/null || true' EXIT
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
echo "viewer: npm ci" >&2
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
