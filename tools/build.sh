#!/usr/bin/env bash
# Configures and builds midstance into ./build (Release). The CUDA backend is built when nvcc is
# on PATH (MIDSTANCE_CUDA); pass extra CMake options in MIDSTANCE_CMAKE_ARGS, for example
#   MIDSTANCE_CMAKE_ARGS="-DCMAKE_CUDA_ARCHITECTURES=86" tools/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release ${MIDSTANCE_CMAKE_ARGS:-} >/dev/null
cmake --build build "$@"
