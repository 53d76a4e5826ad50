#!/usr/bin/env bash
# Builds diffcomp-train against the CUDA libtorch inside a PyTorch installation, for
# `diffcomp train --device cuda` (Debian's libtorch is CPU-only). Untested here (no GPU).
# Usage: scripts/build-train-cuda.sh [BUILD_DIR]   (default build-cuda); then run
#   BUILD_DIR/bin/diffcomp-train --device cuda ...   (or --device auto)
# Notes: the PyTorch wheel's libtorch must use the same C++ ABI as this build (wheels since
# PyTorch 2.x on manylinux_2_28 use the C++11 ABI, as Debian's g++ does); Gloo's headers ship in
# the wheel's include directory on recent versions, else data parallelism is off (one rank).
set -euo pipefail
B=${1:-build-cuda}
PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
ABI=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
CUDA=$(python3 -c 'import torch; print(torch.version.cuda or "")')
[ -n "$CUDA" ] || { echo "build-train-cuda: this PyTorch has no CUDA" >&2; exit 1; }
echo "libtorch from $PREFIX (CUDA $CUDA, C++11 ABI $ABI)"
cmake -S "$(dirname "$0")/.." -B "$B" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" \
  -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$ABI" -DDC_ENABLE_TRAIN=ON
cmake --build "$B" -j"$(nproc)" --target diffcomp_train_cli diffcomp_cli
echo "built $B/bin/diffcomp-train; try: $B/bin/diffcomp-train --device cuda --codec image-lossless --data DIR --max-steps 30 --out m.dcw"
