#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (GoogleTest + CLI scripts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --minimal
bash scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 1200)
# The sanitizer tier: ASan + UBSan unit tests and the conformance corpus, then 60 s of each
# fuzz target (TESTING.md). DC_SKIP_SANITIZE=1 skips it for a quick local run.
if [[ -z ${DC_SKIP_SANITIZE:-} ]]; then bash scripts/ci-sanitize.sh all; fi
