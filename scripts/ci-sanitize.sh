#!/usr/bin/env bash
# CI's sanitizer tier (TESTING.md, "Sanitizers" and "Fuzzing"), run by scripts/test.sh:
#   1. an ASan + UBSan build (gcc, DC_SANITIZE=ON, no trainer) of the library and the unit tests,
#      which runs the GoogleTest suite and decodes the conformance corpus;
#   2. the libFuzzer targets (clang, ASan + UBSan), each run DC_FUZZ_SECONDS (default 60) on its
#      seeds (the decompress target on the conformance corpus too). A finding fails CI; its
#      input is kept under $DC_FUZZ_WORK (default /tmp/diffcomp-fuzz-ci).
# Usage: scripts/ci-sanitize.sh [asan|fuzz|all]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
secs=${DC_FUZZ_SECONDS:-60}
jobs=$(nproc)
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi

if [[ $what == asan || $what == all ]]; then
  echo "ci-sanitize: ASan + UBSan build of the unit tests"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Release -DDC_SANITIZE=ON -DDC_ENABLE_TRAIN=OFF "${launcher[@]}" \
    >build-asan-configure.log 2>&1 || { cat build-asan-configure.log; exit 1; }
  cmake --build build-asan -j"$jobs" --target diffcomp_tests dc_conformance
  # halt_on_error: a UBSan report fails the run like an ASan one.
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  build-asan/bin/diffcomp_tests --gtest_brief=1
  build-asan/bin/dc_conformance check tests/conformance/MANIFEST | tail -n 1
fi

if [[ $what == fuzz || $what == all ]]; then
  echo "ci-sanitize: libFuzzer targets, ${secs} s each"
  cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DDC_ENABLE_FUZZ=ON \
    -DDC_ENABLE_TRAIN=OFF -DDC_ENABLE_TESTS=OFF "${launcher[@]}" >build-fuzz-configure.log 2>&1 ||
    { cat build-fuzz-configure.log; exit 1; }
  cmake --build build-fuzz -j"$jobs" --target fuzz_decompress fuzz_weights fuzz_image_io fuzz_rans
  work=${DC_FUZZ_WORK:-/tmp/diffcomp-fuzz-ci}
  for t in decompress weights image_io rans; do
    DC_FUZZ_WORK=$work/$t tests/fuzz/run.sh build-fuzz "$t" "$secs" >"$work-$t.log" 2>&1 || {
      tail -n 60 "$work-$t.log"; echo "ci-sanitize: fuzz_$t found a problem (inputs in $work/$t/artifacts)"; exit 1; }
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work-$t.log" | tr '\n' ' ' | sed "s/^/fuzz_$t: /"; echo
  done
fi
