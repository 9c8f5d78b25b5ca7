#!/usr/bin/env bash
# The version is written once, in CMakeLists.txt's project(); everything that states it must
# say the same: `reel --version`, Python's reel.__version__ and the viewer's package.json
# and package-lock.json (npm needs them literal: change them with the project version).
# Usage: version_test.sh VERSION REEL_BIN PYTHON [PYTHONPATH]  (no PYTHONPATH: the Python
# module is not built, only the JSON files are read with PYTHON)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$1"
reel="$2"
python="$3"
pythonpath="${4:-}"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

cli="$("$reel" --version)"
[[ "$cli" =~ ^reel\ ${version//./\\.}\ \(file\ format\ v[0-9]+\)$ ]] ||
  fail "reel --version says '$cli', expected 'reel $version (file format vN)'"

if [ -n "$pythonpath" ]; then
  py="$(PYTHONPATH="$pythonpath" "$python" -c 'import reel; print(reel.__version__)')"
  [ "$py" = "$version" ] || fail "reel.__version__ is '$py', expected '$version'"
fi

viewer="$here/../../viewer"
for place in "package.json:version" "package-lock.json:version" "package-lock.json:packages..version"; do
  file="${place%%:*}"
  key="${place#*:}"
  got="$("$python" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d[k]
print(d)' "$viewer/$file" "$key")"
  [ "$got" = "$version" ] ||
    fail "viewer/$file (${key//../.\"\".}) says '$got', expected '$version' (CMakeLists.txt project version)"
done

if [ "$failures" -ne 0 ]; then exit 1; fi
echo "version $version everywhere: $cli; python ${py:-not built}; viewer/package.json"
