# reel: the front door. `make run` and `make test` work on a fresh Debian 12 machine as root.
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure --timeout 600

.PHONY: all deps generate build run test test-asan test-tsan bench bench-quick format format-check clean fuzz

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(if $(CI),-DREEL_WERROR=ON) $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)
	cmake --install $(BUILD) --component python  # reel for /usr/bin/python3 (docs/python.md)

# The main job: a demo recording logged through the SDK into the embedded store (and a file).
run: build
	$(BUILD)/reel-demo --save $(BUILD)/demo.reel
	$(BUILD)/reel stats $(BUILD)/demo.reel
	@echo "serving the demo recording to the web viewer (Ctrl-C to stop)"
	$(BUILD)/reel view $(BUILD)/demo.reel

test: build
	cd $(BUILD) && ctest $(CTEST_FLAGS) -j $(JOBS)

# AddressSanitizer + UndefinedBehaviorSanitizer build of every C++ test, with clang.
test-asan: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DREEL_SANITIZE=address,undefined -DREEL_WERROR=ON \
	  -DREEL_BUILD_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest $(CTEST_FLAGS) -j $(JOBS) -L cpp

# ThreadSanitizer build of the concurrency tests: only the programs that have some are built
# (target concurrency_tests), at -O1 with line tables (what TSan's reports need; faster to
# compile than -O2 -g).
TSAN_FLAGS = -O1 -gline-tables-only -DNDEBUG
test-tsan: deps
	cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DREEL_SANITIZE=thread -DREEL_WERROR=ON -DREEL_BUILD_BENCH=OFF \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$(TSAN_FLAGS)" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$(TSAN_FLAGS)"
	cmake --build build-tsan -j $(JOBS) --target concurrency_tests
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest $(CTEST_FLAGS) -j $(JOBS) -L concurrency \
	  --no-tests=error

# The benchmark: every scenario with its baselines (docs/benchmark.md). The DuckDB baseline's
# npm package is installed first when missing (its scenario says so if it cannot be).
# The duckdb baseline runs `node` from PATH: the one scripts/node.sh chose goes first.
WITH_NODE = PATH="$$(bash scripts/node.sh --bin-dir 2>/dev/null || echo /usr/bin):$$PATH"
bench: build
	@bash bench/duckdb/install.sh
	$(WITH_NODE) $(BUILD)/reel-bench --json $(BUILD)/bench.json

bench-quick: build
	@bash bench/duckdb/install.sh
	$(WITH_NODE) $(BUILD)/reel-bench --scale 0.1 --json $(BUILD)/bench-quick.json

# libFuzzer targets (src/*/*_fuzz.cpp; clang, ASan + UBSan) in build-fuzz, each run for
# FUZZ_SECONDS on seeds written from a real recording; a finding fails (tests/fuzz/run.sh).
FUZZ_SECONDS ?= 30
fuzz: deps
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DREEL_BUILD_FUZZ=ON -DREEL_BUILD_TESTS=OFF -DREEL_BUILD_BENCH=OFF \
	  $(if $(CI),-DREEL_WERROR=ON)
	cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	bash tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# The code generated from src/types/definitions.toml (archetypes, components, enums).
generate:
	/usr/bin/python3 src/types/codegen.py

# Formatting with Debian 12's clang-format (14) and the repo's .clang-format; CI runs the check.
format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h')

format-check: deps
	@bash scripts/check-format.sh

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
