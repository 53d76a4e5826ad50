# Shared helpers of the CLI tests (tests/cli/*.sh). Sourced, not run: CTest only picks up
# tests/cli/*.sh, so this file (in a subfolder, .bash) is not a test of its own.
#
# Usage, from a test script run as `bash tests/cli/NAME.sh /path/to/diffcomp` at the repo root:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
#   cli_init NAME "$@"
#   ... checks ...
#   cli_finish
#
# Every check counts one pass or one failure; a failure prints "FAIL: <what>" with the details
# and the script goes on, so one run reports every problem. cli_finish prints
# "NAME: P passed, F failed" and exits non-zero if anything failed.

set -euo pipefail

PYTHON=${PYTHON:-/usr/bin/python3}
CLI_PASS=0
CLI_FAIL=0
RC=0

# Error codes (include/diffcomp/diffcomp.h); they are the CLI's exit codes.
declare -A ERR_NAME=(
  [2]=invalid-argument [3]=io [4]=unsupported-format [5]=too-large [6]=bad-magic
  [7]=unsupported-version [8]=reserved-bits [9]=truncated [10]=corrupt [11]=checksum
  [12]=unknown-codec [13]=model-mismatch [14]=model-not-found [15]=out-of-memory [16]=exists
  [17]=internal)

cli_init() {
  TEST_NAME=$1
  if [[ $# -lt 2 || -z $2 ]]; then
    echo "usage: bash tests/cli/$TEST_NAME.sh /path/to/diffcomp (from the repository root)" >&2
    exit 2
  fi
  if [[ ! -x $2 ]]; then
    echo "$TEST_NAME: FAIL: diffcomp binary '$2' does not exist or is not executable" >&2
    exit 1
  fi
  DC=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
  REPO=$(pwd)
  DATA=$REPO/../shared/data
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dc-cli-$TEST_NAME.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
}

cli_finish() {
  echo "$TEST_NAME: $CLI_PASS passed, $CLI_FAIL failed"
  [[ $CLI_FAIL -eq 0 ]]
}

pass() { CLI_PASS=$((CLI_PASS + 1)); }
fail() {
  CLI_FAIL=$((CLI_FAIL + 1))
  echo "FAIL: $*" >&2
}
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass; else fail "$what"; fi
}

# Runs diffcomp with the given arguments; stdout goes to $WORK/stdout, stderr to $WORK/stderr,
# the exit code to $RC. Never aborts the script.
run_dc() {
  RC=0
  "$DC" "$@" >"$WORK/stdout" 2>"$WORK/stderr" </dev/null || RC=$?
}

show_run() {
  echo "  exit code $RC; stderr:" >&2
  sed 's/^/    | /' "$WORK/stderr" | head -20 >&2
}

# expect_ok DESCRIPTION ARGS...: diffcomp ARGS must exit 0 and print nothing on stderr.
expect_ok() {
  local what=$1
  shift
  run_dc "$@"
  if [[ $RC -eq 0 && ! -s $WORK/stderr ]]; then
    pass
  else
    fail "$what: 'diffcomp $*' should succeed quietly on stderr"
    show_run
  fi
}

# Checks the last run_dc failed the way the issue demands: exit code CODE (or, with a
# space-separated list, any of them), a code below 128 (no crash), stderr exactly one line that
# starts with "diffcomp:" and names the error. Counts one check.
check_error() {
  local what=$1 codes=$2 ok=0 c
  for c in $codes; do [[ $RC -eq $c ]] && ok=1; done
  local problems=()
  [[ $ok -eq 1 ]] || problems+=("exit code $RC, expected one of: $codes")
  [[ $RC -ne 0 ]] || problems+=("exit code 0 on bad input")
  [[ $RC -lt 128 ]] || problems+=("exit code $RC >= 128: the process crashed (signal $((RC - 128)))")
  local lines
  lines=$(wc -l <"$WORK/stderr")
  [[ $lines -eq 1 ]] || problems+=("stderr has $lines lines, expected exactly 1")
  if [[ $lines -ge 1 ]]; then
    [[ $(head -n 1 "$WORK/stderr") == "diffcomp: "* ]] || problems+=("stderr does not start with 'diffcomp: '")
    if [[ $ok -eq 1 && -n ${ERR_NAME[$RC]:-} ]]; then
      grep -qF "(${ERR_NAME[$RC]})" "$WORK/stderr" || problems+=("stderr does not name the error (${ERR_NAME[$RC]})")
    fi
  fi
  if [[ ${#problems[@]} -eq 0 ]]; then
    pass
  else
    fail "$what: ${problems[*]}"
    show_run
  fi
}

# expect_error DESCRIPTION CODES ARGS...: runs diffcomp ARGS and applies check_error.
expect_error() {
  local what=$1 codes=$2
  shift 2
  run_dc "$@"
  check_error "$what ('diffcomp $*')" "$codes"
}

# expect_no_file DESCRIPTION PATH: PATH must not exist (no output after an error).
expect_no_file() {
  if [[ -e $2 || -L $2 ]]; then fail "$1: $2 exists but should not"; else pass; fi
}

# expect_no_temp DESCRIPTION DIR: no temporary file of WriteFileAtomic ("*.tmp", ".dc-*") left in DIR.
expect_no_temp() {
  local left
  left=$(find "$2" -maxdepth 1 \( -name '*.tmp' -o -name '.dc-*' \) -print)
  if [[ -z $left ]]; then pass; else fail "$1: temporary files left in $2: $left"; fi
}

# same_bytes DESCRIPTION A B: files identical (cmp).
same_bytes() {
  if cmp -s "$2" "$3"; then pass; else fail "$1: $2 and $3 differ ($(cmp "$2" "$3" 2>&1 | head -1))"; fi
}

# Fingerprint of a file for "never touch the input": content hash, size, mtime (ns), inode.
file_state() {
  echo "$(sha256sum <"$1" | cut -d' ' -f1) $(stat -c '%s %.9Y %i' "$1")"
}

# Writes BYTE (0-255) at OFFSET of FILE, in place.
poke() {
  printf "\\$(printf '%03o' "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# Prints the byte (0-255) at OFFSET of FILE.
peek() {
  od -An -tu1 -j "$2" -N1 "$1" | tr -d ' \n'
}

# The python with PIL and numpy used to make and compare images. Fails loudly when missing.
require_pil() {
  if "$PYTHON" -c 'import PIL, numpy' 2>/dev/null; then
    pass
    return 0
  fi
  fail "$PYTHON with PIL and numpy is needed to make and compare test images (set PYTHON=...)"
  return 1
}

# The default models (image-lossless, signal-lossless) must be found (DIFFCOMP_MODEL_DIR, <exe>/../../models, the
# source tree's models/): a test that needs it fails, never skips, when it is missing.
# Sets MODEL_PATH.
require_model() {
  run_dc --json models
  if [[ $RC -ne 0 ]]; then
    fail "a default model was not found (diffcomp models exited $RC): commit models/image-lossless-adm1.dcw" \
      "and models/signal-lossless-sig1.dcw or set DIFFCOMP_MODEL_DIR to a directory holding them"
    show_run
    return 1
  fi
  MODEL_PATH=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["path"])' "$WORK/stdout")
  pass
}

require_data() {
  if [[ -d $DATA/kodak ]]; then
    pass
    return 0
  fi
  fail "shared data not found at $DATA (../shared/data relative to the repository root)"
  return 1
}
