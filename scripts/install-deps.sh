#!/usr/bin/env bash
# Installs the Debian packages reel needs, skipping those already installed.
# Run as root on Debian 12 (it is what `make run` and `make test` call first).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang lld libclang-rt-14-dev clang-format
  libgtest-dev libgmock-dev libbenchmark-dev
  flatbuffers-compiler libflatbuffers-dev liblz4-dev libzstd-dev
  protobuf-compiler libprotobuf-dev libxxhash-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libboost-dev libsqlite3-dev
  python3 python3-dev pybind11-dev python3-numpy python3-pandas python3-pytest
  nodejs npm chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node may come from elsewhere than Debian (a newer install): then only its presence matters.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]}"

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q || true
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
