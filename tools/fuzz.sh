#!/usr/bin/env bash
# Builds one reader's libFuzzer target with clang (ASan + UBSan) and runs it for a bounded time
# from its committed corpus (tests/fuzz/corpus/TARGET).
#   tools/fuzz.sh TARGET [SECONDS] [RUNS]
#   TARGET: c3d, trc, opensim_table (STO / MOT), session (session.toml), calibration (TOML)
# With MIDSTANCE_FUZZ_SEED set (CI), the run is reproducible: a fixed seed and at most RUNS
# inputs, so CI does not turn red at random; without it, each run explores anew.
# Findings land in build/fuzz/TARGET/ as crash-* / leak-* / oom-* / timeout-* files and make the
# script fail; replay one with build/fuzz/TARGET/TARGET_fuzzer FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-}"
seconds="${2:-60}"
runs="${3:--1}"
core=(src/core/error.cc src/core/one_line.cc)
# Each target compiles only its reader and what the reader calls, so no library needs rebuilding
# with clang. Text inputs are capped at 16 KiB: enough for every seed and for each rule of the
# formats, and it keeps the runs per second high.
case "$target" in
  c3d) sources=(src/io/c3d_reader.cc src/io/c3d_groups.cc) max_len=65536 ;;
  trc | opensim_table) sources=(src/io/opensim_files.cc src/io/atomic_output.cc) max_len=16384 ;;
  session) sources=(src/io/session_io.cc src/io/atomic_output.cc src/detect/detect_options.cc
                    src/reconstruct/reconstruct_options.cc) max_len=16384 ;;
  calibration) sources=(src/io/calibration_io.cc src/io/atomic_output.cc src/geometry/camera.cc
                        src/geometry/rigid3.cc) max_len=16384 ;;
  *) echo "usage: tools/fuzz.sh c3d|trc|opensim_table|session|calibration [SECONDS] [RUNS]"; exit 2 ;;
esac
seed_option=()
if [ -n "${MIDSTANCE_FUZZ_SEED:-}" ]; then seed_option=(-seed="$MIDSTANCE_FUZZ_SEED"); fi
clang="$(command -v clang++-14 || command -v clang++ || true)"
if [ -z "$clang" ]; then echo "fuzz: clang++ not found (tools/install-deps.sh installs clang-14)"; exit 1; fi
out="build/fuzz/$target"
mkdir -p "$out/corpus"
"$clang" -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iinclude \
  -isystem /usr/include/eigen3 "tests/fuzz/${target}_fuzzer.cc" "${sources[@]}" "${core[@]}" -o "$out/${target}_fuzzer"
cp -n "tests/fuzz/corpus/$target"/* "$out/corpus/" 2>/dev/null || true
# Memory must stay bounded by the input's size: no allocation over 64 MiB.
"$out/${target}_fuzzer" "$out/corpus" "${seed_option[@]}" -runs="$runs" -max_total_time="$seconds" -max_len="$max_len" \
  -malloc_limit_mb=64 -rss_limit_mb=1024 -timeout=10 -artifact_prefix="$out/" -print_final_stats=1 2>&1 | tail -n 12
