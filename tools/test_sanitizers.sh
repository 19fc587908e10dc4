#!/usr/bin/env bash
# Builds the tests with AddressSanitizer + UndefinedBehaviorSanitizer (MIDSTANCE_SANITIZE, host
# code only: no CUDA, no benchmarks) into ./build-asan and runs them with ctest.
#   tools/test_sanitizers.sh [extra ctest arguments]
# -O1 with debug info: fast enough to run every test, readable stacks in the reports; without
# NDEBUG, so Eigen's and the standard library's assertions check too. MIDSTANCE_JOBS caps the
# parallel jobs (default: every core).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DMIDSTANCE_SANITIZE=ON -DMIDSTANCE_CUDA=OFF -DMIDSTANCE_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-asan -j "${MIDSTANCE_JOBS:-$(nproc)}"
# halt_on_error: UB is compiled recoverable only for the suppressed check (cmake/Sanitize.cmake),
# and must still stop the test here. Leaks are checked (LeakSanitizer) in every instrumented
# process, including the midstance binary the CLI tests start; python3 and the browsers the
# tests start are not instrumented and ignore these variables.
export UBSAN_OPTIONS="suppressions=$PWD/tools/ubsan.supp:print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1"
cd build-asan
ctest --output-on-failure -j "${MIDSTANCE_JOBS:-$(nproc)}" --timeout 1200 "$@"
