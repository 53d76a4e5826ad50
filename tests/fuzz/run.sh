#!/usr/bin/env bash
# Runs one fuzz target on a working copy of its seed corpus (tests/fuzz/corpus/<name>), so that
# the committed seeds stay as they are. See TESTING.md, "Fuzzing".
#   tests/fuzz/run.sh BUILD_DIR TARGET [SECONDS] [extra libFuzzer flags...]
# TARGET: decompress | weights | image_io | rans. Work files go to $DC_FUZZ_WORK (default
# /tmp/diffcomp-fuzz/TARGET): corpus/ grows there, crashes land in artifacts/.
set -euo pipefail
build=$1 target=$2 secs=${3:-300}
shift $(( $# < 3 ? $# : 3 ))
src=$(cd "$(dirname "$0")" && pwd)
work=${DC_FUZZ_WORK:-/tmp/diffcomp-fuzz/$target}
mkdir -p "$work/corpus" "$work/artifacts"
cp -n "$src/corpus/$target/"* "$work/corpus/" 2>/dev/null || true
# The decompress target also starts from the conformance corpus: files of every codec and revision.
if [[ $target == decompress ]]; then cp -n "$src/../conformance/files/"*.dfc "$work/corpus/"; fi
exec nice -n 10 "$build/bin/fuzz_$target" "$work/corpus" \
  -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=30 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@"
