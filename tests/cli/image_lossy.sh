#!/usr/bin/env bash
# The lossy image codec through the CLI, with the shipped model (models/image-lossy-ldm1.dcw):
#   - compress --codec image-lossy (--quality, --bpp), decompress to a PNG of the same size;
#   - the rate target is met; output bytes independent of -T; decoding independent of -T;
#   - progressive: `truncate --bpp B` of a full-rate file equals a fresh `compress --bpp B` byte
#     for byte, and decodes;
#   - refusals that leave nothing behind: a file cut inside a step segment, a flipped payload
#     byte, an RGBA image, a rate below the container's own size, --quality out of range.
# Run: bash tests/cli/image_lossy.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_image_lossy "$@"

expect_eq() {
  if [[ "$2" == "$3" ]]; then pass; else fail "$1: got '$2', expected '$3'"; fi
}
png_size() {
  "$PYTHON" -c 'import struct,sys; d=open(sys.argv[1],"rb").read(32); print(*struct.unpack(">II", d[16:24]))' "$1"
}

IN=$REPO/samples/kodim23-256.png
S=$WORK/lossy
mkdir -p "$S"
run_dc models
if [[ ! -e $REPO/models/image-lossy-ldm1.dcw && -z ${DIFFCOMP_MODEL_DIR:-} ]]; then
  fail "models/image-lossy-ldm1.dcw is missing"
  cli_finish
  exit 1
fi

expect_ok "compress quality 100" -q compress --codec image-lossy --quality 100 -T 2 -o "$S/full.dfc" "$IN"
expect_ok "compress quality 100, 1 thread" -q compress --codec image-lossy --quality 100 -T 1 -o "$S/full1.dfc" "$IN"
same_bytes "-T 1 and -T 2 outputs" "$S/full.dfc" "$S/full1.dfc"
expect_ok "decompress -T 2" -q decompress -T 2 -o "$S/full.png" "$S/full.dfc"
expect_ok "decompress -T 1" -q decompress -T 1 -o "$S/full1.png" "$S/full.dfc"
same_bytes "decoding on 1 and 2 threads" "$S/full.png" "$S/full1.png"
expect_eq "decoded PNG size" "$(png_size "$S/full.png")" "256 256"
run_dc --json compress --codec image-lossy --bpp 0.2 -o "$S/json.dfc" "$IN"
if [[ $RC -eq 0 ]] && "$PYTHON" -c 'import json,sys,os; j=json.load(open(sys.argv[1]))[0]; assert j["rate_unit"] == "bits/pixel" and j["lossy"] is True and abs(j["rate"] - 8.0 * os.path.getsize(sys.argv[2]) / 65536) < 1e-9 and j["rate"] <= 0.2 and "model_nll_bits" not in j' "$WORK/stdout" "$S/json.dfc"; then
  pass
else
  fail "--json compress of a lossy image: rate in bits per pixel, no model NLL"
fi

for b in 0.1 0.3; do
  expect_ok "compress --bpp $b" -q compress --codec image-lossy --bpp $b -o "$S/fresh-$b.dfc" "$IN"
  size=$(stat -c %s "$S/fresh-$b.dfc")
  check "--bpp $b met ($size bytes)" "$PYTHON" -c "import sys; sys.exit(0 if $size * 8 <= $b * 256 * 256 else 1)"
  expect_ok "truncate --bpp $b" -q truncate --bpp $b -o "$S/cut-$b.dfc" "$S/full.dfc"
  same_bytes "truncated = fresh at $b bpp" "$S/fresh-$b.dfc" "$S/cut-$b.dfc"
  expect_ok "decompress the $b bpp file" -q decompress -o "$S/cut-$b.png" "$S/cut-$b.dfc"
done

# A file cut inside a step segment (a byte short of the 0.3 bpp file's end) and a flipped byte.
head -c $(($(stat -c %s "$S/cut-0.3.dfc") - 1)) "$S/cut-0.3.dfc" >"$S/short.dfc"
expect_error "cut inside a segment" "9 10 11" decompress -o "$S/short.png" "$S/short.dfc"
expect_no_file "no output for a cut file" "$S/short.png"
cp "$S/cut-0.3.dfc" "$S/flip.dfc"
off=$(($(stat -c %s "$S/flip.dfc") / 2))
poke "$S/flip.dfc" $off $((($(peek "$S/flip.dfc" $off) + 1) % 256))
expect_error "flipped payload byte" "10 11" decompress -o "$S/flip.png" "$S/flip.dfc"
expect_no_file "no output for a flipped file" "$S/flip.png"
expect_no_temp "no temporary files" "$S"

# Refusals at compression.
if require_pil; then
  "$PYTHON" -c 'from PIL import Image; Image.new("RGBA", (32, 32), (10, 20, 30, 40)).save("'"$S/rgba.png"'")'
  expect_error "RGBA image" 4 compress --codec image-lossy -o "$S/rgba.dfc" "$S/rgba.png"
  expect_no_file "no output for RGBA" "$S/rgba.dfc"
fi
expect_error "rate below the container" 2 compress --codec image-lossy --bpp 0.0001 -o "$S/tiny.dfc" "$IN"
expect_no_file "no output for a too small rate" "$S/tiny.dfc"
run_dc compress --codec image-lossy --quality 101 -o "$S/q.dfc" "$IN"  # a usage error (CLI11's message)
if [[ $RC -eq 2 && ! -e $S/q.dfc ]]; then pass; else fail "quality 101: exit $RC, expected 2 and no output"; fi
expect_error "truncate a file that is not a .dfc" 6 truncate --bpp 1 -o "$S/x.dfc" "$REPO/samples/kodim23-256.png"
cli_finish
