#!/usr/bin/env bash
# Builds the C3D reader's libFuzzer target with clang (ASan + UBSan) and runs it for a bounded
# time from the committed corpus (tests/fuzz/corpus/c3d).
#   tools/fuzz_c3d.sh [SECONDS] [RUNS]
# With MIDSTANCE_FUZZ_SEED set (CI), the run is reproducible: a fixed seed and at most RUNS
# inputs, so CI does not turn red at random; without it, each run explores anew.
# Findings land in build/fuzz/ as crash-* / oom-* / timeout-* files and make the script fail.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
runs="${2:--1}"
seed_option=()
if [ -n "${MIDSTANCE_FUZZ_SEED:-}" ]; then seed_option=(-seed="$MIDSTANCE_FUZZ_SEED"); fi
clang="$(command -v clang++-14 || command -v clang++ || true)"
if [ -z "$clang" ]; then echo "fuzz_c3d: clang++ not found (tools/install-deps.sh installs clang-14)"; exit 1; fi
out=build/fuzz
mkdir -p "$out/corpus"
"$clang" -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iinclude \
  tests/fuzz/c3d_fuzzer.cc src/io/c3d_reader.cc src/io/c3d_groups.cc src/core/error.cc -o "$out/c3d_fuzzer"
cp -n tests/fuzz/corpus/c3d/* "$out/corpus/" 2>/dev/null || true
# Memory must stay bounded by the input's size: inputs up to 64 KiB, no allocation over 64 MiB.
"$out/c3d_fuzzer" "$out/corpus" "${seed_option[@]}" -runs="$runs" -max_total_time="$seconds" -max_len=65536 -malloc_limit_mb=64 -rss_limit_mb=1024 \
  -timeout=10 -artifact_prefix="$out/" -print_final_stats=1 2>&1 | tail -n 12
