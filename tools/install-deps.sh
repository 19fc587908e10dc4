#!/usr/bin/env bash
# Installs everything midstance needs to build, test and benchmark, from Debian 12's packages only.
# Idempotent: packages already present are left alone. Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libopencv-dev            # reference detection/projection, video I/O (FFV1 via libavcodec)
  libhdf5-dev              # results files
  libcli11-dev             # command line
  libgtest-dev libgmock-dev
  libbenchmark-dev
  libeigen3-dev
  libthrust-dev libcub-dev # CPU backend (Thrust OpenMP system) where no CUDA toolkit is installed
  libceres-dev
  libtoml11-dev
  nlohmann-json3-dev
  libspdlog-dev libfmt-dev
  libssl-dev               # SHA-256 of inputs (libcrypto)
  ffmpeg                   # tests rewrite containers and extract image sequences with it
  clang-14 libclang-rt-14-dev  # the C3D reader's libFuzzer targets (tools/fuzz.sh)
  python3-scipy python3-numpy  # filter_test checks the Butterworth design and sosfiltfilt against scipy.signal
  python3-statsmodels      # repeated_measures_test checks rm_corr (as an ANCOVA) and the REML mixed model against statsmodels
  python3-h5py python3-matplotlib python3-pandas  # tools/midstance_results.py (reads results, plots curves) and its test
  chromium fonts-dejavu-core   # report_test renders the HTML report headless and keeps a screenshot
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
