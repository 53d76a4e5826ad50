#!/usr/bin/env bash
# Installs what diffcomp needs from Debian 12 packages. Idempotent: packages that are
# already installed are skipped, and nothing runs apt when all are present.
# Usage: scripts/install-deps.sh [--minimal]
#   --minimal: what building and testing need (no baseline codecs for the benchmark/demo).
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake pkg-config git
  libtorch-dev libopenblas0-pthread libopenblas-dev libgloo-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libpng-dev zlib1g-dev
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev ccache
  ncompress python3-numpy python3-pil
  python3-dev python3-pybind11 pybind11-dev python3-pytest
)
# External baselines for `diffcomp bench` and the README demo (see ../shared/STACK.md, section 3).
BASELINE_PKGS=(
  zstd xz-utils brotli bzip2 gzip optipng webp libjxl-tools libavif-bin
  libjpeg-turbo-progs flac wavpack ffmpeg butteraugli python3-scipy python3-matplotlib
  espeak-ng sox  # scripts/make-signal-test-audio.py: self-made speech for signal-lossless checks
)

pkgs=("${BUILD_PKGS[@]}")
if [[ "${1:-}" != "--minimal" ]]; then pkgs+=("${BASELINE_PKGS[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/diffcomp-apt.XXXXXX.log)
if ! { $SUDO apt-get update -o DPkg::Lock::Timeout=900 &&
       $SUDO apt-get install -y -o DPkg::Lock::Timeout=900 --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 40 "$log"
  echo "install-deps: apt-get failed (full log: $log)" >&2
  exit 1
fi
echo "install-deps: done (log: $log)"
