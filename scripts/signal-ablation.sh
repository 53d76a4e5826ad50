#!/usr/bin/env bash
# Builds scripts/signal-ablation.cc against build/ (cmake build of diffcomp first) and runs it.
# Usage: scripts/signal-ablation.sh MODEL FILE...   (results/signal-lossless/ablation.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/signal-ablation
g++ -O2 -std=c++17 -ffp-contract=off -Isrc -Iinclude -I. scripts/signal-ablation.cc build/libdiffcomp_extras.a \
  build/libdiffcomp.a -lpthread -lpng -lz -o "$bin"
"$bin" "$@"
