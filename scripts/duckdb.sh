#!/usr/bin/env bash
# DuckDB for `reel sql` and `reel export` (src/sql): the header the build compiles against and
# the shared library `reel` loads at run time (dlopen; reel runs without it and says so).
#
# A system libduckdb (duckdb.h and libduckdb.so where the compiler and the loader find them)
# is used as it is. Otherwise the set-up fetches the pinned npm packages below with
# `npm pack --ignore-scripts` (no package script runs, nothing is installed into
# node_modules): `duckdb` ships duckdb.h in its sources, `@duckdb/node-bindings-linux-x64`
# ships the engine as libduckdb.so. Both unpack into REEL_DUCKDB_DIR (default .tools/duckdb
# in the checkout, gitignored) as include/duckdb.h and lib/libduckdb.so.
#
# Usage:
#   scripts/duckdb.sh --check     where duckdb.h and libduckdb.so are; exit 0 when both are
#   scripts/duckdb.sh --install   fetch them unless the system or REEL_DUCKDB_DIR has them
set -euo pipefail

DUCKDB_VERSION=1.4.4
HEADER_PACKAGE=duckdb@$DUCKDB_VERSION
HEADER_SHA512=844249e61c9517454b8f776638ba6c5ab411d1bddde1892ab72826ea25178c72430e74aa83f5122b171be6abcdace84560f824b5ac94e9d5c2b603ea7269a9a2
LIBRARY_PACKAGE=@duckdb/node-bindings-linux-x64@$DUCKDB_VERSION-r.4
LIBRARY_SHA512=8c14cbfd6bdfc312d3a056bfa551df4fa7a532d96d2469dcdf04aec590fd39f325b62b7d614755152dfbbc1150cd7313d59f0e5a3b528cc87eccf2b13b01cb1c

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${REEL_DUCKDB_DIR:-$root/.tools/duckdb}"

say() { echo "duckdb: $*" >&2; }

system_header() {
  local d
  for d in /usr/include /usr/local/include; do
    if [ -f "$d/duckdb.h" ]; then echo "$d/duckdb.h"; return 0; fi
  done
  return 1
}
system_library() { ldconfig -p 2>/dev/null | awk '/libduckdb\.so / {print $NF; exit}' | grep . ; }

ready() {
  if [ -f "$dir/include/duckdb.h" ] && [ -f "$dir/lib/libduckdb.so" ]; then
    report="$dir/include/duckdb.h and $dir/lib/libduckdb.so (DuckDB $(cat "$dir/VERSION" 2>/dev/null || echo '?'))"
    return 0
  fi
  local h l
  if h="$(system_header)" && l="$(system_library)"; then
    report="system $h and $l"
    return 0
  fi
  report="no duckdb.h + libduckdb.so in the system nor in $dir"
  return 1
}

install() {
  if ready; then
    say "$report; nothing to install"
    return 0
  fi
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    say "no pinned libduckdb for $(uname -s)-$(uname -m): install DuckDB's C library yourself"
    return 1
  fi
  local npm
  if node_bin="$(bash "$root/scripts/node.sh" --bin-dir 2>/dev/null)"; then PATH="$node_bin:$PATH"; fi
  npm="$(command -v npm || true)"
  if [ -z "$npm" ]; then
    say "npm is needed to fetch DuckDB from the registry: apt-get install npm"
    return 1
  fi
  say "installing DuckDB $DUCKDB_VERSION ($HEADER_PACKAGE, $LIBRARY_PACKAGE) into $dir"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && "$npm" pack --ignore-scripts --silent --no-audit --no-fund \
      "$HEADER_PACKAGE" "$LIBRARY_PACKAGE" > /dev/null)
  local header_tgz="$tmp/duckdb-$DUCKDB_VERSION.tgz"
  local library_tgz="$tmp/duckdb-node-bindings-linux-x64-$DUCKDB_VERSION-r.4.tgz"
  local pair
  for pair in "$header_tgz:$HEADER_SHA512" "$library_tgz:$LIBRARY_SHA512"; do
    if [ "$(sha512sum "${pair%%:*}" | cut -d' ' -f1)" != "${pair#*:}" ]; then
      say "$(basename "${pair%%:*}") does not have the pinned sha512; not installing it"
      return 1
    fi
  done
  local new="$dir.new.$$"
  rm -rf "$new"
  mkdir -p "$new/include" "$new/lib" "$tmp/h" "$tmp/l"
  tar -xzf "$header_tgz" -C "$tmp/h" --no-same-owner package/src/duckdb/src/include/duckdb.h \
      package/LICENSE
  tar -xzf "$library_tgz" -C "$tmp/l" --no-same-owner package/libduckdb.so package/LICENSE
  mv "$tmp/h/package/src/duckdb/src/include/duckdb.h" "$new/include/duckdb.h"
  mv "$tmp/l/package/libduckdb.so" "$new/lib/libduckdb.so"
  mv "$tmp/l/package/LICENSE" "$new/LICENSE"
  echo "$DUCKDB_VERSION" > "$new/VERSION"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$new" "$dir"
  say "installed $dir/include/duckdb.h and $dir/lib/libduckdb.so"
}

case "${1:-}" in
  --check)
    if ready; then say "$report"; else say "$report"; exit 1; fi ;;
  --install) install ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2 ;;
esac
