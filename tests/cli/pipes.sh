#!/usr/bin/env bash
# Pipes (issue 15): "-" reads standard input, "-o -" writes standard output, for compress and
# decompress; content detection works on a stream (PNG, PPM, WAV, Y4M, bytes); stdin in, stdout
# out by default; nothing is written to stdout or a file on error; binary data is not written to
# a terminal; --json refuses -o -.
# Run: bash tests/cli/pipes.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_pipes "$@"
require_model || { cli_finish; exit 1; }
require_pil || { cli_finish; exit 1; }
S=$REPO/samples
cd "$WORK"

# pipe_round DESCRIPTION FILE [COMPRESS ARGS...]: cat FILE | compress - | decompress - equals the
# decompression of the same file compressed from its path, and the .dfc bytes are the same too.
pipe_round() {
  local what=$1 f=$2
  shift 2
  RC=0
  "$DC" compress -T 2 "$@" - <"$f" >p.dfc 2>"$WORK/stderr" || RC=$?
  if [[ $RC -ne 0 ]]; then fail "$what: compress from stdin exited $RC"; show_run; return; fi
  "$DC" compress -T 2 "$@" "$f" -o f.dfc -f >/dev/null 2>&1
  same_bytes "$what: the same .dfc from a pipe as from the file" p.dfc f.dfc
  RC=0
  "$DC" decompress -T 2 - <p.dfc >p.out 2>"$WORK/stderr" || RC=$?
  if [[ $RC -ne 0 ]]; then fail "$what: decompress from stdin exited $RC"; show_run; return; fi
  "$DC" decompress -T 2 f.dfc -o f.out -f >/dev/null 2>&1
  same_bytes "$what: the same restored file through pipes" p.out f.out
  rm -f p.dfc f.dfc p.out f.out
}

head -c 5000 "$DC" >bytes.bin
pipe_round "bytes (lzw)" bytes.bin
pipe_round "bytes (huffman)" bytes.bin --codec huffman
pipe_round "PNG (image-lossless)" "$S/kodim23-256.png"
"$PYTHON" -c 'from PIL import Image; Image.open("'"$S"'/kodim23-256.png").convert("RGB").crop((0, 0, 40, 24)).save("s.ppm")'
pipe_round "PPM (image-lossless)" s.ppm
pipe_round "PPM (image-lossy)" s.ppm --codec image-lossy --quality 40
"$PYTHON" - <<'PY'
import struct, math
n, rate = 4000, 8000
data = b"".join(struct.pack("<h", int(3000 * math.sin(i * 0.05) + 200 * math.sin(i * 0.9))) for i in range(n))
hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, 2 * rate, 2, 16)
open("t.wav", "wb").write(hdr + b"data" + struct.pack("<I", len(data)) + data)
PY
pipe_round "WAV (signal-lossless)" t.wav
if [[ -f $DATA/video/foreman_cif_30f.y4m ]]; then
  "$PYTHON" - "$DATA/video/foreman_cif_30f.y4m" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
hdr, rest = b.split(b"\n", 1)
w = int([t for t in hdr.split() if t.startswith(b"W")][0][1:]); h = int([t for t in hdr.split() if t.startswith(b"H")][0][1:])
fs = 6 + w * h * 3 // 2
open("v.y4m", "wb").write(hdr + b"\n" + rest[:2 * fs])
PY
  pipe_round "Y4M (video-lossless, 2 frames)" v.y4m
fi

# Round trip exact for bytes through one pipeline.
RC=0
"$DC" compress - <bytes.bin | "$DC" decompress - >rt.bin || RC=$?
check "compress - | decompress - restores the bytes" cmp -s bytes.bin rt.bin
# -o - from a named file, and the default output of stdin is stdout.
"$DC" compress bytes.bin -o - >o.dfc 2>/dev/null
check "compress FILE -o - writes the container to stdout" "$DC" info o.dfc
check "no FILE.dfc made when the output is stdout" test ! -e bytes.bin.dfc
"$DC" decompress o.dfc -o - >o.bin 2>/dev/null
same_bytes "decompress FILE -o - writes the content to stdout" bytes.bin o.bin
# Errors: nothing on stdout, no file.
RC=0
printf 'DFC\x01garbage' | "$DC" decompress - >err.out 2>"$WORK/stderr" || RC=$?
check_error "a bad container on stdin" "6 7 9 10"
check "nothing written to stdout on error" test ! -s err.out
RC=0
printf 'DFC\x01garbage' | "$DC" decompress - -o bad.out 2>"$WORK/stderr" >/dev/null || RC=$?
check_error "a bad container on stdin, -o FILE" "6 7 9 10"
expect_no_file "no output file after an error" bad.out
expect_no_temp "no temporary left after an error" .
# --json cannot share stdout with the data.
RC=0
"$DC" --json compress bytes.bin -o - >/dev/null 2>"$WORK/stderr" || RC=$?
check_error "--json with -o -" 2
# stdin must be the only input.
RC=0
"$DC" compress - bytes.bin </dev/null >/dev/null 2>"$WORK/stderr" || RC=$?
check_error "stdin among several inputs" 2
# A terminal never gets binary data (script(1) gives a pseudo-terminal when present).
if command -v script >/dev/null; then
  RC=0
  script -qec "'$DC' compress bytes.bin -o -" /dev/null </dev/null >tty.out 2>&1 || RC=$?
  if grep -q "terminal" tty.out; then pass; else fail "binary output to a terminal was not refused"; cat tty.out | head -3 >&2; fi
fi
cli_finish
