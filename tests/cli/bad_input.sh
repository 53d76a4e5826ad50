#!/usr/bin/env bash
# Bad input through the real CLI. Each case must give its documented exit code (README, "Exit
# codes"), a code below 128 (no crash), exactly one line on stderr naming the problem, and no
# output file and no leftover temporary file; the input is never modified.
#   - missing input; empty file; random garbage; a text file given to decompress;
#   - every prefix of small .dfc files (bytes and image), a few prefixes of larger ones;
#   - bad magic, unsupported version, reserved flag bits, unknown codec id, unknown format id;
#   - hand-made headers (tests/cli/lib/craft.py): dimensions and sizes beyond the limits or
#     overflowing, zero dimensions, bad channel counts and tile sizes, model reference mismatches,
#     inconsistent store sizes, wrong CRC;
#   - flipped payload and CRC bytes (corrupt, checksum or truncated: never 0, never a crash);
#   - a .dfc made with another model (a copy of the default model with one tensor byte changed),
#     a missing model, a model file that is not one;
#   - unsupported images for compress: 16-bit PNG, text and random bytes to --codec
#     image-lossless, PPM maxval 65535, ASCII PPM, PNG/PPM headers with huge dimensions,
#     truncated or corrupted PNG; an unknown codec name.
# Run: bash tests/cli/bad_input.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_bad_input "$@"
IMAGES="$PYTHON $REPO/tests/cli/lib/images.py"

# decompress_fails DESCRIPTION CODES FILE.dfc [ARGS...]: decompress FILE.dfc with the default output
# name must fail with CODES, leave no FILE (and no temporary file) and not modify FILE.dfc.
decompress_fails() {
  local what=$1 codes=$2 f=$3
  shift 3
  local before out=${f%.dfc}
  before=$(file_state "$f")
  rm -f "$out"
  run_dc decompress "$@" "$f"
  check_error "$what" "$codes"
  if [[ -e $out ]]; then
    fail "$what: output $out was written"
    rm -f "$out"
  else
    pass
  fi
  expect_no_temp "$what" "$(dirname "$f")"
  [[ $(file_state "$f") == "$before" ]] && pass || fail "$what: the input $f was modified"
}

# compress_fails DESCRIPTION CODES FILE [ARGS...]: compress FILE must fail with CODES and leave
# no FILE.dfc, no temporary file, FILE unmodified.
compress_fails() {
  local what=$1 codes=$2 f=$3
  shift 3
  local before
  before=$(file_state "$f")
  rm -f "$f.dfc"
  run_dc compress "$@" "$f"
  check_error "$what" "$codes"
  if [[ -e $f.dfc ]]; then
    fail "$what: output $f.dfc was written"
    rm -f "$f.dfc"
  else
    pass
  fi
  expect_no_temp "$what" "$(dirname "$f")"
  [[ $(file_state "$f") == "$before" ]] && pass || fail "$what: the input $f was modified"
}

# Copy of FILE as DIR/NAME.dfc with the byte at OFFSET set to VALUE (xor with VALUE when the
# fourth argument is "xor").
mutate() {
  local src=$1 dst=$2 off=$3 val=$4 mode=${5:-set}
  cp "$src" "$dst"
  if [[ $mode == xor ]]; then val=$(($(peek "$src" "$off") ^ val)); fi
  poke "$dst" "$off" "$val"
}

B=$WORK/b
mkdir -p "$B"

# ------------------------------------------------------------ not a .dfc at all -------------
expect_error "compress of a missing file" 3 compress "$B/missing"
expect_no_file "no output for a missing input" "$B/missing.dfc"
expect_error "decompress of a missing file" 3 decompress "$B/missing.dfc"
expect_no_file "no output for a missing .dfc" "$B/missing"
expect_error "info of a missing file" 3 info "$B/missing.dfc"

: >"$B/empty.dfc"
decompress_fails "empty file" "6 9" "$B/empty.dfc"
expect_error "info of an empty file" "6 9" info "$B/empty.dfc"

"$PYTHON" -c '
import random, sys
r = random.Random(99)
data = bytes([0x42]) + bytes(r.getrandbits(8) for _ in range(4095))
open(sys.argv[1], "wb").write(data)' "$B/garbage.dfc"
decompress_fails "random garbage" 6 "$B/garbage.dfc"
expect_error "info of random garbage" 6 info "$B/garbage.dfc"
printf 'This is a text file, not a diffcomp file.\n' >"$B/text.dfc"
decompress_fails "text file" 6 "$B/text.dfc"
printf '\xdfDF' >"$B/magic3.dfc"
decompress_fails "three bytes of the magic number" 9 "$B/magic3.dfc"

# ------------------------------------------------------------ a valid small .dfc, damaged ---
printf 'hello, hello, hello world! the quick brown fox\n' >"$B/small.txt"
expect_ok "make a small huffman .dfc" -q compress -c huffman -o "$B/small.huf" "$B/small.txt"
expect_ok "make a small store .dfc" -q compress -c store -o "$B/small.sto" "$B/small.txt"
expect_ok "make a small lzw .dfc" -q compress -c lzw -o "$B/small.lzw" "$B/small.txt"
SMALL=$B/small.huf
N=$(stat -c %s "$SMALL")

# The control: the undamaged file decodes.
cp "$SMALL" "$B/control.dfc"
expect_ok "control: the undamaged file decodes" -q decompress "$B/control.dfc"
same_bytes "control: restored" "$B/small.txt" "$B/control"

# Every prefix (the whole file minus 1..N bytes).
for ((i = 0; i < N; i++)); do
  head -c "$i" "$SMALL" >"$B/prefix.dfc"
  if ((i == 0)); then codes="6 9"; elif ((i < 4)); then codes=9; else codes="9 10 11"; fi
  decompress_fails "huffman .dfc cut to $i of $N bytes" "$codes" "$B/prefix.dfc"
done
for f in "$B/small.sto" "$B/small.lzw"; do
  n=$(stat -c %s "$f")
  for ((i = 4; i < n; i += 3)); do
    head -c "$i" "$f" >"$B/prefix.dfc"
    decompress_fails "$(basename "$f") cut to $i of $n bytes" "9 10 11" "$B/prefix.dfc"
  done
done
# Bytes appended after the CRC.
{ cat "$SMALL"; printf 'x'; } >"$B/appended.dfc"
decompress_fails "a byte appended" "9 10 11" "$B/appended.dfc"

# Header fields (docs/format.md, container 2.0): magic 0-3, version 4, flags 5, codec 6,
# revision 7, format 8; the header checksum binds the rest.
for off in 0 1 2 3; do
  mutate "$SMALL" "$B/m.dfc" "$off" 0x20 xor
  decompress_fails "bad magic (byte $off)" 6 "$B/m.dfc"
done
for v in 0x00 0x30 0x31 0xF0 0xFF; do
  mutate "$SMALL" "$B/m.dfc" 4 "$v"
  decompress_fails "unsupported version byte $v" 7 "$B/m.dfc"
  expect_error "info: unsupported version byte $v" 7 info "$B/m.dfc"
done
# The version byte is under the header checksum: 2.1 from a damaged 2.0 file is damage.
mutate "$SMALL" "$B/m.dfc" 4 0x21
decompress_fails "version byte 0x21 (damaged)" 11 "$B/m.dfc"
mutate "$SMALL" "$B/m.dfc" 7 0x09
decompress_fails "revision byte 9 (damaged)" 11 "$B/m.dfc"
mutate "$SMALL" "$B/m.dfc" 7 0x00
decompress_fails "revision 0" 10 "$B/m.dfc"
for fl in 0x02 0x04 0x80 0xFE 0xFF; do
  mutate "$SMALL" "$B/m.dfc" 5 "$fl"
  decompress_fails "reserved flag bits $fl" 8 "$B/m.dfc"
  expect_error "info: reserved flag bits $fl" 8 info "$B/m.dfc"
done
mutate "$SMALL" "$B/m.dfc" 5 0x01
decompress_fails "model flag on a codec without a model" 10 "$B/m.dfc"
for c in 100 127 255; do
  mutate "$SMALL" "$B/m.dfc" 6 "$c"
  decompress_fails "unknown codec id $c" 12 "$B/m.dfc"
  expect_error "info: unknown codec id $c" 12 info "$B/m.dfc"
done
for fm in 11 255; do
  mutate "$SMALL" "$B/m.dfc" 8 "$fm"
  decompress_fails "unknown original format id $fm" 4 "$B/m.dfc"
done
mutate "$SMALL" "$B/m.dfc" 8 4
decompress_fails "a signal format (wav) on a byte codec" 10 "$B/m.dfc"
mutate "$SMALL" "$B/m.dfc" 8 9
decompress_fails "a video format (y4m) on a byte codec" 10 "$B/m.dfc"
# Another byte codec's id on the same payload: never 0 (the header checksum catches it).
mutate "$SMALL" "$B/m.dfc" 6 2
decompress_fails "huffman payload labelled lzw" "9 10 11" "$B/m.dfc"

# Flipped payload and CRC bytes. Header of these files: 9 fixed bytes + 1 varint (size < 128)
# + 4 bytes of header checksum.
for f in "$B/small.huf" "$B/small.lzw"; do
  n=$(stat -c %s "$f")
  for off in 9 10 $((n / 2)) $((n - 5)) $((n - 4)) $((n - 1)); do
    for x in 0x01 0x80 0xFF; do
      mutate "$f" "$B/flip.dfc" "$off" "$x" xor
      decompress_fails "$(basename "$f"): byte $off xor $x" "9 10 11" "$B/flip.dfc"
    done
  done
done
n=$(stat -c %s "$B/small.sto")
mutate "$B/small.sto" "$B/flip.dfc" 12 0x04 xor
decompress_fails "store: payload byte flipped" 11 "$B/flip.dfc"
mutate "$B/small.sto" "$B/flip.dfc" $((n - 2)) 0x01 xor
decompress_fails "store: CRC byte flipped" 11 "$B/flip.dfc"

# ------------------------------------------------------------ hand-made headers -------------
if require_model; then
  MODEL_ID=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["model_id"])' "$WORK/stdout")
  MODEL_FP=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["fingerprint"])' "$WORK/stdout")
fi
C=$WORK/crafted
mkdir -p "$C"
"$PYTHON" "$REPO/tests/cli/lib/craft.py" "$C" "${MODEL_ID:-1}" "${MODEL_FP:-00000000}" >"$WORK/manifest"
cp "$C/control_store.dfc.ok" "$C/control.dfc"
expect_ok "control: a hand-made store file decodes" -q decompress "$C/control.dfc"
check "control: hand-made store file restored" test "$(cat "$C/control" 2>/dev/null)" = abc
rm -f "$C/control.dfc" "$C/control"
while IFS=$'\t' read -r name codes why; do
  decompress_fails "hand-made header $name ($why)" "$codes" "$C/$name.dfc"
  # The header errors are found by `info` too (it reads the header only).
  case $codes in 13 | 11) ;; *)
    if [[ $name != store_*payload && $name != store_bad_crc ]]; then
      expect_error "info of $name ($why)" "$codes" info "$C/$name.dfc"
    fi
    ;;
  esac
done <"$WORK/manifest"
check "the manifest lists the hand-made files" test "$(wc -l <"$WORK/manifest")" -ge 25

# ------------------------------------------------------------ images ------------------------
if require_pil && [[ -n ${MODEL_ID:-} ]]; then
  I=$WORK/img
  mkdir -p "$I"
  $IMAGES make "$I"
  # A tiny image: every prefix of its .dfc.
  "$PYTHON" -c '
from PIL import Image
import sys
im = Image.new("RGB", (5, 3))
im.putdata([(i * 40 % 256, i * 70 % 256, i * 13 % 256) for i in range(15)])
im.save(sys.argv[1])' "$I/tiny.png"
  expect_ok "make a tiny image .dfc" -q compress -o "$I/tiny.img" "$I/tiny.png"
  n=$(stat -c %s "$I/tiny.img")
  for ((i = 0; i < n; i++)); do
    head -c "$i" "$I/tiny.img" >"$I/prefix.dfc"
    if ((i == 0)); then codes="6 9"; elif ((i < 4)); then codes=9; else codes="9 10 11"; fi
    decompress_fails "tiny image .dfc cut to $i of $n bytes" "$codes" "$I/prefix.dfc"
  done
  # A larger one (real photo crop, several tiles): a few cuts and flips.
  if [[ -d $DATA/kodak ]]; then
    $IMAGES crop "$DATA/kodak/kodim05.png" 200 300 80 60 "$I/kodak.png"
    expect_ok "make a Kodak crop .dfc" -q compress --tile 32 -o "$I/kodak.img" "$I/kodak.png"
    n=$(stat -c %s "$I/kodak.img")
    for i in 8 12 17 20 40 $((n / 3)) $((n / 2)) $((n - 5)) $((n - 4)) $((n - 1)); do
      head -c "$i" "$I/kodak.img" >"$I/prefix.dfc"
      decompress_fails "Kodak crop .dfc cut to $i of $n bytes" "9 10 11" "$I/prefix.dfc"
    done
    for off in 25 30 $((n / 4)) $((n / 2)) $((n - 10)) $((n - 6)) $((n - 3)); do
      mutate "$I/kodak.img" "$I/flip.dfc" "$off" 0x10 xor
      decompress_fails "Kodak crop .dfc: byte $off xor 0x10" "9 10 11" "$I/flip.dfc"
    done
  else
    fail "Kodak data not found at $DATA/kodak"
  fi
  # Header fields of an image .dfc (container 2.0): format 8, width 9, height 10, channels 11
  # (1-byte varints here: 5x3 RGB); the header checksum catches what the field checks do not.
  mutate "$I/tiny.img" "$I/m.dfc" 9 0x06
  decompress_fails "image width changed" "9 10 11" "$I/m.dfc"
  mutate "$I/tiny.img" "$I/m.dfc" 11 0x04
  decompress_fails "image channels changed 3 -> 4" "9 10 11" "$I/m.dfc"
  mutate "$I/tiny.img" "$I/m.dfc" 11 0x02
  decompress_fails "image channels changed 3 -> 2" 4 "$I/m.dfc"
  mutate "$I/tiny.img" "$I/m.dfc" 8 0x03
  decompress_fails "RGB image labelled PGM" "10 11" "$I/m.dfc"
  mutate "$I/tiny.img" "$I/m.dfc" 8 0x00
  decompress_fails "image labelled raw" 10 "$I/m.dfc"
  mutate "$I/tiny.img" "$I/m.dfc" 5 0x00
  decompress_fails "image without the model flag" 10 "$I/m.dfc"

  # ---------------------------------------------------------- another model -----------------
  # Same model, one tensor byte changed: the fingerprint covers the data, so it differs.
  M2=$WORK/model2/other.dcw
  mkdir -p "$WORK/model2"
  "$PYTHON" - "$MODEL_PATH" "$M2" <<'EOF'
import json, struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
assert b[:4] == b"DCWT", "not a .dcw file"
mlen = struct.unpack_from("<I", b, 8)[0]
meta = json.loads(b[12:12 + mlen])
start = (12 + mlen + 15) // 16 * 16
t = max(meta["tensors"], key=lambda t: t["bytes"])
b[start + t["offset"]] ^= 0x01  # lowest mantissa bit of the first value of the largest tensor
open(sys.argv[2], "wb").write(b)
EOF
  run_dc --json models --model "$M2"
  FP2=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["fingerprint"])' "$WORK/stdout" 2>/dev/null || echo "?")
  check "the changed model loads and has another fingerprint ($FP2 vs $MODEL_FP)" \
    test "$RC" -eq 0 -a "$FP2" != "$MODEL_FP" -a "$FP2" != "?"
  cp "$I/rgb.png" "$I/other.png"
  expect_ok "compress with the other model" -q compress --model "$M2" "$I/other.png"
  run_dc --json info "$I/other.png.dfc"
  check "info shows the other model's fingerprint" grep -q "\"model_fingerprint\": \"$FP2\"" "$WORK/stdout"
  rm -f "$I/other.png"
  decompress_fails "a .dfc made by another model, default model" 13 "$I/other.png.dfc"
  check "the model mismatch message names both fingerprints" grep -q "$FP2.*$MODEL_FP" "$WORK/stderr"
  expect_ok "the same file decodes with --model of its model" -q decompress --model "$M2" "$I/other.png.dfc"
  check "pixels restored with the other model" $IMAGES same "$I/rgb.png" "$I/other.png"
  rm -f "$I/other.png"
  expect_ok "compress with the default model" -q compress -o "$I/default.dfc" "$I/rgb.png"
  decompress_fails "a default-model .dfc given --model of another model" 13 "$I/default.dfc" --model "$M2"
  decompress_fails "a missing model file" 14 "$I/default.dfc" --model "$WORK/model2/missing.dcw"
  printf 'not a model' >"$WORK/model2/bogus.dcw"
  decompress_fails "a model file that is not one" "6 10 14" "$I/default.dfc" --model "$WORK/model2/bogus.dcw"
  compress_fails "compress with a missing model file" 14 "$I/rgb.png" --model "$WORK/model2/missing.dcw"

  # ---------------------------------------------------------- unsupported images ------------
  compress_fails "16-bit PNG" 4 "$I/gray16.png"
  compress_fails "16-bit PNG, codec named" 4 "$I/gray16.png" -c image-lossless
  cp "$B/small.txt" "$I/notes.txt"
  compress_fails "a text file given to image-lossless" 4 "$I/notes.txt" --codec image-lossless
  cp "$B/garbage.dfc" "$I/noise.bin"
  compress_fails "random bytes given to image-lossless" 4 "$I/noise.bin" -c image-lossless
  "$PYTHON" - "$I" <<'EOF'
import struct, sys, zlib
d = sys.argv[1]
def chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data))
def png(w, h, depth=8, colour=2, idat=None):
    if idat is None:
        idat = zlib.compress(b"\0" * 64)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
open(f"{d}/huge_side.png", "wb").write(png(100000, 10))
open(f"{d}/huge_pixels.png", "wb").write(png(65535, 65535))
open(f"{d}/huge_2p31.png", "wb").write(png(2**31 - 1, 2**31 - 1))
open(f"{d}/huge.ppm", "wb").write(b"P6\n40000 40000\n255\n" + b"\0" * 64)
open(f"{d}/huge_2p32.ppm", "wb").write(b"P6\n4294967297 4294967297\n255\n" + b"\0" * 64)
open(f"{d}/huge_digits.pgm", "wb").write(b"P5\n99999999999999999999999999 1\n255\n" + b"\0" * 64)
open(f"{d}/maxval16.ppm", "wb").write(b"P6\n2 2\n65535\n" + b"\0" * 24)
open(f"{d}/ascii.ppm", "wb").write(b"P3\n1 1\n255\n1 2 3\n")
open(f"{d}/short.ppm", "wb").write(b"P6\n20 20\n255\n" + b"\0" * 100)
good = open(f"{d}/rgb.png", "rb").read()
open(f"{d}/cut.png", "wb").write(good[: len(good) // 2])
open(f"{d}/bad_idat.png", "wb").write(png(8, 8, idat=b"\x78\x9c" + b"\xff" * 40))
EOF
  compress_fails "PNG wider than 65535" 5 "$I/huge_side.png"
  compress_fails "PNG of 65535 x 65535 pixels" 5 "$I/huge_pixels.png"
  compress_fails "PNG of (2^31-1)^2 pixels" 5 "$I/huge_2p31.png"
  compress_fails "PPM of 40000 x 40000" 5 "$I/huge.ppm"
  compress_fails "PPM of (2^32+1)^2 (overflows 32 and 64 bits)" 5 "$I/huge_2p32.ppm"
  compress_fails "PGM with a 26-digit width" 5 "$I/huge_digits.pgm"
  compress_fails "PPM maxval 65535" 4 "$I/maxval16.ppm"
  compress_fails "ASCII PPM (P3) given to image-lossless" 4 "$I/ascii.ppm" -c image-lossless
  compress_fails "PPM with its pixels cut" "9 10" "$I/short.ppm"
  compress_fails "PNG cut in half" "9 10" "$I/cut.png"
  compress_fails "PNG with corrupt compressed data" "9 10" "$I/bad_idat.png"
fi

# ------------------------------------------------------------ usage errors ------------------
compress_fails "unknown codec name" 12 "$B/small.txt" -c no-such-codec
run_dc compress --tile 5 "$B/small.txt"
check "--tile out of range is a usage error (2)" test "$RC" -eq 2
expect_no_file "no output after a usage error" "$B/small.txt.dfc"
run_dc compress
check "compress without input is a usage error (2)" test "$RC" -eq 2
run_dc no-such-command
check "an unknown subcommand is a usage error (2)" test "$RC" -eq 2

expect_no_temp "no temporary files anywhere" "$B"
cli_finish
