#!/usr/bin/env bash
# Configures and builds diffcomp (Release) into build/; the CLI lands at build/bin/diffcomp.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache (installed by install-deps.sh) lets the later builds of the same sources (CI's build
# without libtorch) reuse these objects.
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@" > build-configure.log 2>&1 || { cat build-configure.log; exit 1; }
cmake --build build -j"$(nproc)"
