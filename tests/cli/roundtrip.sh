#!/usr/bin/env bash
# End-to-end round trips through the diffcomp CLI:
#   - huffman, lzw and store on empty, 1-byte, random, repetitive and real files (../shared/data),
#     restored byte for byte (cmp), with `info` reporting the codec and size;
#   - the default codec choice (lzw for bytes, image-lossless for images);
#   - image-lossless on small PNGs of every supported type (gray, gray 1-bit, gray+alpha, RGB,
#     RGBA, palette, palette with transparency) and on a Kodak crop, compared by decoded pixels
#     (PIL), plus thread-count independence of the output bytes;
#   - PPM and PGM inputs restored byte-identical to the canonical header form.
# Run: bash tests/cli/roundtrip.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_roundtrip "$@"
IMAGES="$PYTHON $REPO/tests/cli/lib/images.py"

# `diffcomp --json info FILE` once (info_load), then its fields (info_get FIELD).
info_load() {
  run_dc --json info "$1"
  if [[ $RC -eq 0 ]]; then cp "$WORK/stdout" "$WORK/info.json"; else echo "[{}]" >"$WORK/info.json"; fi
}
info_get() {
  "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0].get(sys.argv[2], "<missing>"))' \
    "$WORK/info.json" "$1"
}

# expect_eq DESCRIPTION ACTUAL EXPECTED
expect_eq() {
  if [[ "$2" == "$3" ]]; then pass; else fail "$1: got '$2', expected '$3'"; fi
}

# ---------------------------------------------------------------- byte codecs ----------------
mkdir -p "$WORK/bytes"
B=$WORK/bytes
: >"$B/empty"
printf 'x' >"$B/one_byte"
printf '\0' >"$B/one_zero_byte"
"$PYTHON" - "$B" <<'EOF'
import random, sys
d = sys.argv[1]
r = random.Random(20261125)
open(f"{d}/random_64k", "wb").write(bytes(r.getrandbits(8) for _ in range(65536)))
open(f"{d}/constant_300k", "wb").write(b"\xab" * 300000)
# Enough distinct phrases to fill the LZW dictionary (16-bit codes) and force resets.
words = [bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(2, 9))) for _ in range(5000)]
open(f"{d}/text_800k", "wb").write(b" ".join(r.choice(words) for _ in range(130000))[:800000])
open(f"{d}/all_bytes", "wb").write(bytes(range(256)) * 3)
EOF
files=("$B/empty" "$B/one_byte" "$B/one_zero_byte" "$B/random_64k" "$B/constant_300k" "$B/text_800k" "$B/all_bytes")
if require_data; then
  files+=("$DATA/kodak/kodim03.png" "$DATA/signals/timeseries/co2_mauna_loa_weekly.csv"
    "$DATA/signals/audio/alsa_Front_Center_48k.wav" "$DATA/signals/ecg_mitbih/100.dat"
    "$DATA/video/CiscoVT2people_320x192_12fps.yuv")
fi

for codec in huffman lzw store; do
  for f in "${files[@]}"; do
    name=$(basename "$f")
    dfc=$WORK/bytes/$name.$codec.dfc
    out=$WORK/bytes/$name.$codec.out
    expect_ok "compress $codec $name" -q compress -c "$codec" -o "$dfc" "$f"
    [[ $RC -eq 0 ]] || continue
    info_load "$dfc"
    expect_eq "info codec of $name ($codec)" "$(info_get codec)" "$codec"
    expect_eq "info original_size of $name ($codec)" "$(info_get original_size)" "$(stat -c %s "$f")"
    expect_ok "decompress $codec $name" -q decompress -o "$out" "$dfc"
    [[ $RC -eq 0 ]] || continue
    same_bytes "round trip $codec $name" "$f" "$out"
    rm -f "$dfc" "$out"
  done
done

# Default codec: lzw for anything that is not an image.
cp "$B/text_800k" "$WORK/bytes/plain.txt"
expect_ok "compress with the default codec" -q compress "$WORK/bytes/plain.txt"
info_load "$WORK/bytes/plain.txt.dfc"
expect_eq "default codec for a text file" "$(info_get codec)" lzw

# ---------------------------------------------------------------- images ---------------------
if require_pil && require_model; then
  I=$WORK/img
  mkdir -p "$I/out"
  $IMAGES make "$I"

  # file, expected channels in the container
  for spec in gray.png:1 gray1.png:1 gray_alpha.png:4 rgb.png:3 rgba.png:4 palette.png:3 palette_trns.png:4; do
    f=${spec%%:*}
    ch=${spec##*:}
    # Default naming and the default codec for a PNG: IN.png.dfc, image-lossless.
    expect_ok "compress $f" -q compress -T 2 "$I/$f"
    [[ $RC -eq 0 ]] || continue
    check "$f: compress writes $f.dfc beside the input" test -f "$I/$f.dfc"
    info_load "$I/$f.dfc"
    expect_eq "$f: default codec for a PNG" "$(info_get codec)" image-lossless
    expect_eq "$f: recorded format" "$(info_get format)" png
    expect_eq "$f: recorded channels" "$(info_get channels)" "$ch"
    expect_eq "$f: recorded size" "$(info_get width)x$(info_get height)" 34x21
    expect_ok "decompress $f" -q decompress -T 2 -o "$I/out/$f" "$I/$f.dfc"
    [[ $RC -eq 0 ]] || continue
    check "$f: restored pixels identical ($($IMAGES same "$I/$f" "$I/out/$f" 2>&1 || true))" \
      $IMAGES same "$I/$f" "$I/out/$f"
  done

  # A real photo crop; --tile 32 makes several tiles, including partial ones at the edges.
  if [[ -d $DATA/kodak ]]; then
    $IMAGES crop "$DATA/kodak/kodim23.png" 301 117 100 70 "$I/kodak.png"
    expect_ok "compress Kodak crop" -q compress -T 1 --tile 32 -o "$I/kodak.1.dfc" "$I/kodak.png"
    expect_ok "compress Kodak crop, 2 threads" -q compress -T 2 --tile 32 -o "$I/kodak.2.dfc" "$I/kodak.png"
    same_bytes "Kodak crop: output bytes independent of the thread count" "$I/kodak.1.dfc" "$I/kodak.2.dfc"
    expect_ok "decompress Kodak crop" -q decompress -T 2 -o "$I/out/kodak.png" "$I/kodak.1.dfc"
    check "Kodak crop: restored pixels identical ($($IMAGES same "$I/kodak.png" "$I/out/kodak.png" 2>&1 || true))" \
      $IMAGES same "$I/kodak.png" "$I/out/kodak.png"
    expect_ok "decompress Kodak crop, 1 thread" -q decompress -T 1 -o "$I/out/kodak1.png" "$I/kodak.1.dfc"
    check "Kodak crop: 1-thread decode identical" $IMAGES same "$I/kodak.png" "$I/out/kodak1.png"
    # Images given to a byte codec are just bytes, restored exactly.
    expect_ok "PNG through huffman" -q compress -c huffman -o "$I/kodak.huf.dfc" "$I/kodak.png"
    expect_ok "PNG through huffman, decompress" -q decompress -o "$I/out/kodak.huf.png" "$I/kodak.huf.dfc"
    same_bytes "PNG through huffman: byte-identical" "$I/kodak.png" "$I/out/kodak.huf.png"
  fi

  # PPM / PGM: restored with the canonical header "P6\n<w> <h>\n255\n" (P5 for PGM).
  for spec in rgb.ppm:ppm:3 gray.pgm:pgm:1 comment.ppm:ppm:3 comment.pgm:pgm:1; do
    IFS=: read -r f fmt ch <<<"$spec"
    $IMAGES pnm-canonical "$I/$f" "$I/$f.canonical"
    expect_ok "compress $f" -q compress -o "$I/$f.dfc" "$I/$f"
    [[ $RC -eq 0 ]] || continue
    info_load "$I/$f.dfc"
    expect_eq "$f: recorded format" "$(info_get format)" "$fmt"
    expect_eq "$f: recorded channels" "$(info_get channels)" "$ch"
    cp "$I/$f.dfc" "$I/out/$f.dfc"
    # Default naming: X.ppm.dfc -> X.ppm
    expect_ok "decompress $f" -q decompress "$I/out/$f.dfc"
    check "$f: decompress strips .dfc" test -f "$I/out/$f"
    same_bytes "$f: restored byte-identical to the canonical form" "$I/$f.canonical" "$I/out/$f"
  done
  same_bytes "rgb.ppm (already canonical) restored exactly" "$I/rgb.ppm" "$I/out/rgb.ppm"
  same_bytes "gray.pgm (already canonical) restored exactly" "$I/gray.pgm" "$I/out/gray.pgm"
fi

cli_finish
