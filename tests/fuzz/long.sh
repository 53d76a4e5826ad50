#!/usr/bin/env bash
# A long fuzzing run measured in CPU time rather than wall time (TESTING.md, "Runs and findings"):
# runs tests/fuzz/run.sh until the fuzzer process has used CPU_MINUTES of CPU, then stops it with
# SIGINT (libFuzzer then prints its final statistics) and prints the CPU time used.
#   tests/fuzz/long.sh BUILD_DIR TARGET CPU_MINUTES [extra libFuzzer flags...]
set -euo pipefail
build=$1 target=$2 minutes=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
tick=$(getconf CLK_TCK)
# A wall-time cap far above the CPU budget, so that only the CPU budget stops a clean run.
"$here/run.sh" "$build" "$target" $(( minutes * 60 * 20 )) "$@" &
pid=$!
cpu=0 stopped=0
while kill -0 "$pid" 2>/dev/null; do
  sleep 5
  if [[ -r /proc/$pid/stat ]]; then
    read -r -a st < <(sed 's/.*) //' "/proc/$pid/stat")
    cpu=$(( (st[11] + st[12]) / tick ))   # utime + stime, fields 14 and 15 of stat
    if (( cpu >= minutes * 60 )); then stopped=1; kill -INT "$pid"; break; fi
  fi
done
rc=0; wait "$pid" || rc=$?
# libFuzzer exits 72 when interrupted; stopped by the budget, that is a clean run.
if (( stopped && rc == 72 )); then rc=0; fi
echo "long.sh: fuzz_$target used $cpu CPU-seconds ($(( cpu / 60 )) CPU-minutes), exit $rc"
exit "$rc"
