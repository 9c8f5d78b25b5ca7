#!/usr/bin/env bash
# Installs the Debian packages reel needs, skipping those already installed, then a Node.js
# recent enough for the web viewer's tools when the one on PATH is older (Debian 12's is
# 18.20; scripts/node.sh says which versions work and installs a pinned one into .tools/node).
# Run as root on Debian 12 (it is what `make run` and `make test` call first).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang clang-format lld libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  flatbuffers-compiler libflatbuffers-dev liblz4-dev libzstd-dev
  protobuf-compiler libprotobuf-dev libxxhash-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libboost-dev libsqlite3-dev
  python3 python3-dev pybind11-dev python3-numpy python3-pandas python3-pytest
  libprotobuf-dev libbz2-dev zlib1g-dev libturbojpeg0-dev python3-pil
  python3-rosbag python3-roslz4 python3-sensor-msgs python3-geometry-msgs python3-std-msgs
  python3-tf2-msgs
  nodejs npm chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node may come from elsewhere than Debian (a newer install): then only its presence matters
# here, and scripts/node.sh below judges its version.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]}"

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q || true
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's npm (on its Node 18) fetches the pinned Node when the node on PATH is too old.
bash "$(dirname "$0")/node.sh" --install

# DuckDB's C library for `reel sql` / `reel export` (optional at run time: reel loads it with
# dlopen): a system libduckdb, else the pinned npm packages unpacked into .tools/duckdb.
bash "$(dirname "$0")/duckdb.sh" --install ||
  echo "install-deps: DuckDB could not be installed; reel sql and its tests will say so" >&2
