#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (GoogleTest + CLI scripts +
# Python), then builds again without libtorch (-DDIFFCOMP_TRAINING=OFF, build-notrain/) and runs
# the dependency checks there: the coding library, CLI, Python module and tests need no libtorch.
# DIFFCOMP_CI_NOTRAIN=0 skips that second build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --minimal
bash scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 1200)
if [[ ${DIFFCOMP_CI_NOTRAIN:-1} == 1 ]]; then
  launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S . -B build-notrain -DCMAKE_BUILD_TYPE=Release -DDIFFCOMP_TRAINING=OFF "${launcher[@]}" \
    > build-notrain-configure.log 2>&1 || { cat build-notrain-configure.log; exit 1; }
  cmake --build build-notrain -j"$(nproc)"
  if [[ -e build-notrain/bin/diffcomp-train ]] || grep -q 'DIFFCOMP_TRAINING:BOOL=ON' build-notrain/CMakeCache.txt; then
    echo "test.sh: -DDIFFCOMP_TRAINING=OFF still built the trainer" >&2
    exit 1
  fi
  for f in build-notrain/lib/libdiffcomp.so build-notrain/bin/diffcomp; do
    if objdump -p "$f" | grep -qi 'NEEDED.*torch'; then echo "test.sh: $f links libtorch" >&2; exit 1; fi
  done
  (cd build-notrain && ctest --output-on-failure -j"$(nproc)" --timeout 1200 \
    -R 'cli_install|cli_pipes|cli_layering|cli_roundtrip|py_diffcomp|Abi\.|Inspect\.|Api')
fi
# The sanitizer tier: ASan + UBSan unit tests and the conformance corpus, then 60 s of each
# fuzz target (TESTING.md). DC_SKIP_SANITIZE=1 skips it for a quick local run.
if [[ -z ${DC_SKIP_SANITIZE:-} ]]; then bash scripts/ci-sanitize.sh all; fi
