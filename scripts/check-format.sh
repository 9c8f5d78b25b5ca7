#!/usr/bin/env bash
# Checks that every tracked C++ file (*.cpp, *.hpp, *.h) is as .clang-format formats it, with
# the clang-format Debian 12 ships (14: other versions format some constructs differently).
# Prints the files that are not and exits 1; `make format` rewrites them.
# Usage: scripts/check-format.sh [FILE ...]   (default: git ls-files '*.cpp' '*.hpp' '*.h')
# Environment: CLANG_FORMAT, the program to run (default clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format="${CLANG_FORMAT:-clang-format}"
want_major=14

if ! command -v "$clang_format" >/dev/null; then
  echo "check-format: $clang_format not found (apt-get install clang-format)" >&2
  exit 1
fi
version="$("$clang_format" --version)"
major="$(sed -n 's/.*clang-format version \([0-9]*\)\..*/\1/p' <<< "$version")"
if [ "$major" != "$want_major" ]; then
  echo "check-format: $clang_format is '$version'; the check needs clang-format $want_major" \
       "(Debian 12's): set CLANG_FORMAT=clang-format-$want_major" >&2
  exit 1
fi

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
fi
bad=()
for f in "${files[@]}"; do
  if ! "$clang_format" --dry-run -Werror "$f" > /dev/null 2>&1; then bad+=("$f"); fi
done
if [ "${#bad[@]}" -ne 0 ]; then
  echo "check-format: ${#bad[@]} of ${#files[@]} files are not formatted as .clang-format says" \
       "(fix: make format):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted ($version)"
