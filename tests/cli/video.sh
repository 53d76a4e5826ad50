#!/usr/bin/env bash
# The lossless video codec through the CLI:
#   - Y4M 4:2:0 and 4:4:4 (odd sizes, frame lines with parameters) and raw I420 (--size, --fps)
#     restored byte for byte; video-lossless chosen by default for Y4M;
#   - output bytes independent of the thread count (-T 2 encode, -T 1 decode);
#   - --frames A:B decodes only that range (from the keyframe before A), as a valid Y4M;
#   - info lists frames, keyframes and the rate per frame;
#   - refusals that leave nothing behind: truncated Y4M, a raw size that is not whole frames,
#     raw input without --fps, unsupported chroma, truncated and damaged .dfc files.
# Run: bash tests/cli/video.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_video "$@"

expect_eq() {
  if [[ "$2" == "$3" ]]; then pass; else fail "$1: got '$2', expected '$3'"; fi
}
V=$WORK/vid
mkdir -p "$V/out"
if ! DIFFCOMP_TEST_MODEL=$("$DC" --json models 2>/dev/null | "$PYTHON" -c '
import json,sys
for m in json.load(sys.stdin):
    if m["codec"] == "video-lossless": print(m["path"])'); [[ -z $DIFFCOMP_TEST_MODEL ]]; then
  fail "the default video-lossless model (models/video-lossless-adm1.dcw) was not found"
  cli_finish
  exit $?
fi

# Small synthetic sequences: a moving gradient with noise; 420 at 37x21 (odd), 444 at 24x16.
"$PYTHON" - "$V" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(5)
def planes(w, h, chroma, f):
    cw, ch = ((w + 1) // 2, (h + 1) // 2) if chroma == 420 else (w, h)
    out = bytearray()
    for p, (pw, ph) in enumerate([(w, h), (cw, ch), (cw, ch)]):
        for y in range(ph):
            for x in range(pw):
                v = ((x + 2 * f) * 6 + y * 3 + p * 50) % 256 + random.randint(-3, 3)
                out.append(max(0, min(255, v)))
    return bytes(out)
def y4m(name, w, h, chroma, n, tag, lines=None):
    with open(f"{d}/{name}", "wb") as o:
        o.write(f"YUV4MPEG2 W{w} H{h} F25:1 Ip A1:1 {tag}\n".encode())
        for f in range(n):
            o.write((lines[f] if lines else "FRAME\n").encode())
            o.write(planes(w, h, chroma, f))
y4m("a420.y4m", 37, 21, 420, 6, "C420jpeg")
y4m("b444.y4m", 24, 16, 444, 3, "C444", ["FRAME\n", "FRAME Ip\n", "FRAME XY=1\n"])
y4m("c422.y4m", 16, 16, 420, 1, "C422")
with open(f"{d}/raw.yuv", "wb") as o:
    for f in range(4):
        o.write(planes(32, 18, 420, f))
PY

# ---------------------------------------------------------------- round trips ---------------
for f in a420.y4m b444.y4m; do
  before=$(file_state "$V/$f")
  expect_ok "compress $f" -q compress -T 2 -o "$V/$f.dfc" "$V/$f"
  expect_eq "input $f untouched" "$(file_state "$V/$f")" "$before"
  expect_ok "decompress $f" -q decompress -T 1 -o "$V/out/$f" "$V/$f.dfc"
  same_bytes "$f restored byte for byte" "$V/$f" "$V/out/$f"
done
run_dc --json info "$V/a420.y4m.dfc"
info=$("$PYTHON" -c '
import json,sys
d = json.load(open(sys.argv[1]))[0]
fl = d["frame_list"]
print(d["codec"], d["format"], d["frames"], d["keyint"], d["chroma"], len(fl), sum(f["keyframe"] for f in fl),
      all(f["bytes"] > 0 and abs(f["bits_per_pixel"] - 8 * f["bytes"] / (37 * 21)) < 1e-9 for f in fl))' "$WORK/stdout")
expect_eq "info: codec, format, frames, keyint, chroma, frame list, keyframes, rates" "$info" \
  "video-lossless y4m 6 30 420 6 1 True"
expect_ok "info (text)" info "$V/a420.y4m.dfc"
if grep -q "keyframe every 30" "$WORK/stdout" && grep -qE '^  0 +K ' "$WORK/stdout"; then pass; else fail "info text lacks the keyframes"; fi

# Threads never change the bytes.
expect_ok "compress -T 1" -q compress -T 1 -o "$V/t1.dfc" "$V/a420.y4m"
same_bytes "-T 1 and -T 2 outputs" "$V/t1.dfc" "$V/a420.y4m.dfc"

# Keyframes and ranges: --keyint 2, frames 3:5 = frames 3 and 4 (decoding from keyframe 2).
expect_ok "compress --keyint 2" -q compress --keyint 2 -o "$V/k2.dfc" "$V/a420.y4m"
run_dc --json info "$V/k2.dfc"
keys=$("$PYTHON" -c 'import json,sys; print([f["frame"] for f in json.load(open(sys.argv[1]))[0]["frame_list"] if f["keyframe"]])' "$WORK/stdout")
expect_eq "keyframes at --keyint 2" "$keys" "[0, 2, 4]"
expect_ok "decompress --frames 3:5" -q decompress --frames 3:5 -o "$V/out/r.y4m" "$V/k2.dfc"
"$PYTHON" - "$V/a420.y4m" "$V/r_expect.y4m" 3 5 <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
nl = d.index(b"\n") + 1
fb = 37 * 21 + 2 * 19 * 11
frames = [d[nl + i * (6 + fb): nl + (i + 1) * (6 + fb)] for i in range(6)]
open(sys.argv[2], "wb").write(d[:nl] + b"".join(frames[int(sys.argv[3]):int(sys.argv[4])]))
PY
same_bytes "--frames 3:5 gives frames 3 and 4" "$V/r_expect.y4m" "$V/out/r.y4m"
expect_ok "decompress --frames 4:" -q decompress --frames 4: -o "$V/out/r2.y4m" "$V/k2.dfc"
"$PYTHON" - "$V/a420.y4m" "$V/r2_expect.y4m" 4 6 <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
nl = d.index(b"\n") + 1
fb = 37 * 21 + 2 * 19 * 11
frames = [d[nl + i * (6 + fb): nl + (i + 1) * (6 + fb)] for i in range(6)]
open(sys.argv[2], "wb").write(d[:nl] + b"".join(frames[int(sys.argv[3]):int(sys.argv[4])]))
PY
same_bytes "--frames 4: gives frames 4 and 5" "$V/r2_expect.y4m" "$V/out/r2.y4m"
expect_error "--frames past the end" 2 decompress --frames 9:12 -o "$V/out/none.y4m" "$V/k2.dfc"
expect_no_file "no output after a bad range" "$V/out/none.y4m"
expect_error "--frames B <= A" 2 decompress --frames 3:3 -o "$V/out/none.y4m" "$V/k2.dfc"

# Raw I420.
expect_ok "compress raw I420" -q compress --size 32x18 --fps 12 -o "$V/raw.dfc" "$V/raw.yuv"
expect_ok "decompress raw I420" -q decompress -o "$V/out/raw.yuv" "$V/raw.dfc"
same_bytes "raw I420 restored" "$V/raw.yuv" "$V/out/raw.yuv"
run_dc --json info "$V/raw.dfc"
expect_eq "info: raw format and fps" "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1]))[0]; print(d["format"], d["fps"], d["frames"])' "$WORK/stdout")" "raw-i420 12 4"

# ---------------------------------------------------------------- refusals ------------------
head -c 1000 "$V/a420.y4m" >"$V/trunc.y4m"
expect_error "truncated Y4M frame" 9 compress -o "$V/trunc.dfc" "$V/trunc.y4m"
expect_no_file "no output for a truncated Y4M" "$V/trunc.dfc"
expect_error "raw size not whole frames" 9 compress --size 32x17 --fps 12 -o "$V/bad.dfc" "$V/raw.yuv"
expect_no_file "no output for a wrong raw size" "$V/bad.dfc"
expect_error "raw without --fps" 2 compress --size 32x18 -o "$V/bad.dfc" "$V/raw.yuv"
expect_error "--size malformed" 2 compress --size 32by18 --fps 12 -o "$V/bad.dfc" "$V/raw.yuv"
expect_error "unsupported chroma (422)" 4 compress -o "$V/bad.dfc" "$V/c422.y4m"
expect_no_file "no output for 4:2:2" "$V/bad.dfc"
expect_error "video-lossless on a PNG-less text file" 4 compress --codec video-lossless -o "$V/bad.dfc" "$REPO/README.md"

size=$(stat -c %s "$V/a420.y4m.dfc")
for cut in 10 40 $((size / 2)) $((size - 5)); do
  head -c "$cut" "$V/a420.y4m.dfc" >"$V/cut.dfc"
  expect_error "truncated .dfc at $cut" "9 10 11" decompress -o "$V/out/cut.y4m" "$V/cut.dfc"
  expect_no_file "no output for a .dfc cut at $cut" "$V/out/cut.y4m"
done
cp "$V/a420.y4m.dfc" "$V/dmg.dfc"
poke "$V/dmg.dfc" $((size - 200)) $(( ($(peek "$V/dmg.dfc" $((size - 200))) + 77) % 256 ))
expect_error "damaged frame data" "9 10 11" decompress -o "$V/out/dmg.y4m" "$V/dmg.dfc"
expect_no_file "no output for damaged frame data" "$V/out/dmg.y4m"
expect_no_temp "no temporary files left" "$V/out"
cli_finish
