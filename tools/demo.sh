#!/usr/bin/env bash
# README command 1: install what is needed, build, and run `midstance demo` on built-in
# synthetic data. Extra arguments go to `midstance demo` (e.g. --out DIR, --duration 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh --target midstance
exec ./build/src/cli/midstance demo "$@"
