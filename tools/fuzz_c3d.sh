#!/usr/bin/env bash
# The C3D reader's fuzz run, kept for habit and old notes: tools/fuzz.sh c3d [SECONDS] [RUNS].
set -euo pipefail
exec bash "$(dirname "$0")/fuzz.sh" c3d "$@"
