#!/usr/bin/env bash
# CLI consistency (issue 15, from a review), one check or more per finding:
#   - bench writes its JSON file with --json-out; the global --json puts the document on stdout;
#   - progress does not name "tile" for every codec, and video decoding reports progress;
#   - --quality 0 (and --bpp, --snr, --bits-per-sample 0) are refused, not read as "default";
#   - image-lossy from a PPM decompresses to a PPM when the output is named .ppm;
#   - -k keeps the input, --rm removes it, -k beats --rm;
#   - truncate --json prints an array, like compress, decompress, info and models;
#   - the global flags may come before train (diffcomp -q train ...).
# Run: bash tests/cli/consistency.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_consistency "$@"
require_model || { cli_finish; exit 1; }
require_pil || { cli_finish; exit 1; }
S=$REPO/samples
cd "$WORK"

# bench: --json-out FILE; the old `bench --json FILE` no longer parses as an option of bench.
run_dc bench --help
check "bench --help lists --json-out" grep -q -- "--json-out" "$WORK/stdout"
head -c 3000 "$DC" >bench.bin
run_dc --json bench --data bench.bin --codecs huffman,lzw --limit 1
check "diffcomp --json bench prints the JSON document on stdout" "$PYTHON" -c '
import json, sys; j = json.load(open(sys.argv[1])); assert j["tool"] == "diffcomp bench" and len(j["results"]) >= 2' "$WORK/stdout"
run_dc bench --data bench.bin --codecs huffman --limit 1 --json-out b.json
check "bench --json-out FILE writes the file" "$PYTHON" -c 'import json; json.load(open("b.json"))'
run_dc bench --data bench.bin --codecs huffman --limit 1 --json b.json
check "bench --json FILE (the old clash) is refused" test $RC -ne 0

# Progress: the message names no unit that is wrong for a codec ("tile" for signals, video).
check "progress line names no 'tile'" bash -c "! strings '$DC' | grep -q ': tile %llu'"
if command -v script >/dev/null; then
  head -c 3000 "$DC" >b.bin
  script -qec "'$DC' compress -f b.bin" /dev/null >tty.out 2>&1 || true
  check "compress on a terminal shows a percentage" grep -q "%" tty.out
  if [[ -f $DATA/video/foreman_cif_30f.y4m ]]; then
    "$PYTHON" - "$DATA/video/foreman_cif_30f.y4m" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
hdr, rest = b.split(b"\n", 1)
w, h = 352, 288
open("v.y4m", "wb").write(hdr + b"\n" + rest[:2 * (6 + w * h * 3 // 2)])
PY
    "$DC" compress -q -T 2 v.y4m
    script -qec "'$DC' decompress -f -T 2 v.y4m.dfc -o v2.y4m" /dev/null >vtty.out 2>&1 || true
    check "video decoding shows progress (frames 1/2, 2/2)" grep -q "(2/2)" vtty.out
  fi
fi

# Rate and quality options: 0 means "not set" in dc_params, so the CLI refuses an explicit 0.
"$PYTHON" -c 'from PIL import Image; Image.open("'"$S"'/kodim23-256.png").convert("RGB").crop((0, 0, 40, 24)).save("s.ppm")'
for opt in "--quality 0" "--bpp 0" "--quality -5" "--quality 101"; do
  # shellcheck disable=SC2086
  run_dc compress --codec image-lossy $opt s.ppm -o q.dfc
  if [[ $RC -eq 2 ]]; then pass; else fail "compress $opt: exit $RC, expected 2 (refused)"; fi
  expect_no_file "no output after $opt" q.dfc
done
for opt in "--snr 0" "--bits-per-sample 0"; do
  # shellcheck disable=SC2086
  run_dc compress --codec signal-lossy $opt s.ppm -o q.dfc
  if [[ $RC -eq 2 ]]; then pass; else fail "compress $opt: exit $RC, expected 2 (refused)"; fi
done
expect_ok "--quality 0.5 is taken" compress -T 2 --codec image-lossy --quality 0.5 s.ppm -o q.dfc

# image-lossy from a PPM: the default output (s.ppm) is a PPM.
expect_ok "image-lossy compress of a PPM" compress -T 2 --codec image-lossy --quality 40 s.ppm -o l.ppm.dfc
expect_ok "image-lossy decompress to the default name" decompress -T 2 l.ppm.dfc
check "l.ppm is a PPM (P6)" bash -c '[[ $(head -c 2 l.ppm) == P6 ]]'
expect_ok "image-lossy decompress to .png" decompress -T 2 l.ppm.dfc -o l.png
check "l.png is a PNG" bash -c '[[ $(head -c 4 l.png | tail -c 3) == PNG ]]'

# -k / --rm.
head -c 2000 "$DC" >k.bin
expect_ok "compress -k" compress -k k.bin
check "-k keeps the input" test -f k.bin
expect_ok "compress --rm -f" compress --rm -f k.bin
check "--rm removes the input after writing the output" bash -c 'test ! -e k.bin && test -f k.bin.dfc'
expect_ok "decompress -k --rm" decompress -k --rm k.bin.dfc
check "-k beats --rm" bash -c 'test -f k.bin.dfc && test -f k.bin'
rm -f k.bin
expect_ok "decompress --rm" decompress --rm k.bin.dfc
check "decompress --rm removes the .dfc" bash -c 'test ! -e k.bin.dfc && test -f k.bin'

# truncate --json: an array of one record.
expect_ok "truncate --json" --json truncate l.ppm.dfc -o t.dfc --bpp 64 -f
check "truncate --json prints an array" "$PYTHON" -c '
import json, sys; j = json.load(open(sys.argv[1])); assert isinstance(j, list) and len(j) == 1 and j[0]["output"] == "t.dfc"' "$WORK/stdout"

# diffcomp -q train: the global flag before the command reaches the trainer (or, without one,
# the message says how to build it, not a parse error).
run_dc -q train --help
if [[ -x $(dirname "$DC")/diffcomp-train ]]; then
  if [[ $RC -eq 0 ]]; then pass; else fail "diffcomp -q train --help: exit $RC"; show_run; fi
else
  if grep -q "DIFFCOMP_TRAINING" "$WORK/stderr"; then pass; else fail "diffcomp -q train: unexpected message"; show_run; fi
fi
cli_finish
