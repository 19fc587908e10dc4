#!/usr/bin/env bash
# README command 2: install what is needed, build everything, and run every test (CPU backend).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600
