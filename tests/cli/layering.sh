#!/usr/bin/env bash
# The dependency rules of the layout (STYLE.md practice 4), checked on the sources:
#   - decoder files never include encoder files;
#   - only src/train/ includes libtorch;
#   - the core library (src/) never includes the CLI (programs/) or file formats (extras/),
#     except the training code, which reads images for its data.
# Run as `bash tests/cli/layering.sh [diffcomp]` from the repo root (the argument is unused).
set -uo pipefail
pass=0 fail=0
check() {  # description, offending lines (empty = pass)
  if [[ -z $2 ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; echo "$2"; fi
}
check "a dec_ file includes an enc_ file" "$(grep -rnE '#include ".*enc_' --include='dec_*' src || true)"
check "libtorch outside src/train" "$(grep -rnE '#include <(torch|ATen|c10)/' src programs extras include | grep -v '^src/train/' || true)"
check "the core includes programs/ or extras/" "$(grep -rnE '#include "(programs|extras)/' src | grep -v '^src/train/' || true)"
check "the public header includes internal headers" "$(grep -nE '#include "' include/diffcomp/*.h | grep -v 'diffcomp/' || true)"
echo "layering: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
