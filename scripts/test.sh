#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (GoogleTest + CLI scripts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --minimal
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 1200
