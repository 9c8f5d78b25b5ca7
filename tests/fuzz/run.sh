#!/usr/bin/env bash
# Runs every libFuzzer target of a REEL_BUILD_FUZZ build for a bounded time (`make fuzz`).
# Usage: run.sh BUILD_DIR [SECONDS_PER_TARGET [TARGET ...]]   (FUZZ_JOBS: targets at once)
# SECONDS_PER_TARGET defaults to $FUZZ_SECONDS, else 30 (CI's budget per target); the
# targets default to every *_fuzz program in BUILD_DIR, so a new decoder's target runs too.
#
# Seeds come from a real recording (reel_fuzz_seeds) and, for the import targets, from the
# files of tests/import's independent writers; each target's corpus grows in
# BUILD_DIR/corpus/TARGET across runs. A crash, leak, UB report, timeout (10 s per input) or
# allocation over 1 GiB fails the run; the input is kept in BUILD_DIR/artifacts and the
# report is printed. Reproduce with: BUILD_DIR/TARGET BUILD_DIR/artifacts/FILE
set -euo pipefail
build="$1"
seconds="${2:-${FUZZ_SECONDS:-30}}"
shift $(( $# < 2 ? $# : 2 ))
targets=("$@")
# Default: every target the build declared (CMake writes the list).
if [ "${#targets[@]}" -eq 0 ] && [ -f "$build/fuzz_targets.txt" ]; then
  mapfile -t targets < "$build/fuzz_targets.txt"
fi
if [ "${#targets[@]}" -eq 0 ]; then
  echo "fuzz: no fuzz targets listed in $build/fuzz_targets.txt (build the fuzz_targets target)" >&2
  exit 1
fi
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
max_len=65536
rm -rf "$build/seeds"
"$build/reel_fuzz_seeds" "$build/seeds" "$max_len" "$source_dir"
# The import targets' seeds: files from tests/import's independent writers (npm, rosbag).
if [[ " ${targets[*]} " =~ (mcap_reader|cdr|ros1_bag)_fuzz ]]; then
  bash "$(dirname "$0")/../import/write_fuzz_seeds.sh" "$build/seeds"
fi
mkdir -p "$build/artifacts"
# Targets run side by side, FUZZ_JOBS at a time (default: the machine's cores); each is
# single-threaded and has its own log, printed in the targets' order once all have ended.
jobs="${FUZZ_JOBS:-$(nproc)}"
run_target() {
  local t="$1" log="$build/$1.log" rc=0
  "$build/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -max_len="$max_len" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" "$build/corpus/$t" "$build/seeds/$t" >"$log" 2>&1 || rc=$?
  echo "$rc" >"$build/$t.rc"
}
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/seeds/$t"  # a target reel_fuzz_seeds has no seeds for
  # Inputs that once crashed a target (tests/fuzz/regressions/TARGET): run first, every time.
  regressions="$(dirname "$0")/regressions/$t"
  if [[ -d "$regressions" ]]; then cp "$regressions"/* "$build/seeds/$t"/; fi
  rm -f "$build/$t.rc"
  echo "fuzz: $t for ${seconds}s (log: $build/$t.log)"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_target "$t" &
done
wait
status=0
for t in "${targets[@]}"; do
  log="$build/$t.log"
  if [ "$(cat "$build/$t.rc" 2>/dev/null)" = 0 ]; then
    grep -E "^stat::(number_of_executed_units|new_units_added|peak_rss_mb)" "$log" | sed "s/^/  $t /"
  else
    echo "fuzz: $t FAILED; its report:"
    grep -v -E "^#[0-9]+ " "$log" | tail -n 60
    status=1
  fi
done
exit "$status"
