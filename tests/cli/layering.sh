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
# Issue 17: the programs are clients of the public headers (include/diffcomp/) only; src/ is
# private to the library (the tutorial's look inside signal-lossy is include/diffcomp/inspect.h).
internal='#include "(api|codecs|common|container|entropy|nn|rcc|diffusion|train)/'
check "programs/ includes a header under src/" "$(grep -rnE "$internal" programs || true)"
check "examples/ includes a header under src/" "$(grep -rnE "$internal" examples || true)"
check "extras' public headers include a header under src/" "$(grep -rnE "$internal" include || true)"
check "a public header is missing from include/diffcomp/extras.h" "$(for h in include/diffcomp/extras/*.h; do grep -q "\"diffcomp/extras/$(basename "$h")\"" include/diffcomp/extras.h || echo "$h"; done)"
echo "layering: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
