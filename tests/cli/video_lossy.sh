#!/usr/bin/env bash
# The lossy video codec through the CLI:
#   - Y4M 4:2:0 (odd size) and raw I420 (--size, --fps) in, the same format and geometry out;
#   - output bytes independent of the thread count (-T 2 and -T 1 encode, -T 1 and -T 2 decode);
#   - --frames A:B decodes exactly the frames the full decode gives (from the keyframe before A);
#   - --quality orders the rate; --bpp keeps the file within its budget;
#   - info lists frames, keyframes and the rate per frame;
#   - refusals that leave nothing behind: truncate (not offered for video), damaged and truncated
#     .dfc files, a wrong model.
# Run: bash tests/cli/video_lossy.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_video_lossy "$@"

expect_eq() {
  if [[ "$2" == "$3" ]]; then pass; else fail "$1: got '$2', expected '$3'"; fi
}
require_model || { cli_finish; exit $?; }
V=$WORK/vl
mkdir -p "$V/out"

# A moving textured pattern, 4:2:0 at 45x34 (odd), 5 frames; raw I420 at 32x24, 3 frames.
"$PYTHON" - "$V" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(3)
def planes(w, h, f):
    cw, ch = (w + 1) // 2, (h + 1) // 2
    out = bytearray()
    for p, (pw, ph) in enumerate([(w, h), (cw, ch), (cw, ch)]):
        s = 1 if p == 0 else 2
        for y in range(ph):
            for x in range(pw):
                xs = x + (2 * f) // s
                v = (60 + (xs * 9 + y * 5) % 120 + ((xs // 6 + y // 6) % 2) * 40) if p == 0 else 110 + (xs + 2 * y) % 40
                out.append(max(0, min(255, v + random.randint(-1, 1))))
    return bytes(out)
with open(f"{d}/a.y4m", "wb") as o:
    o.write(b"YUV4MPEG2 W45 H34 F25:1 Ip A1:1 C420jpeg\n")
    for f in range(5):
        o.write(b"FRAME\n" + planes(45, 34, f))
with open(f"{d}/raw.yuv", "wb") as o:
    for f in range(3):
        o.write(planes(32, 24, f))
PY

before=$(file_state "$V/a.y4m")
expect_ok "compress -T 2" -q compress --codec video-lossy --keyint 3 -T 2 -o "$V/a2.dfc" "$V/a.y4m"
expect_eq "input untouched" "$(file_state "$V/a.y4m")" "$before"
expect_ok "compress -T 1" -q compress --codec video-lossy --keyint 3 -T 1 -o "$V/a1.dfc" "$V/a.y4m"
same_bytes "-T 1 and -T 2 files" "$V/a1.dfc" "$V/a2.dfc"
expect_ok "decompress -T 1" -q decompress -T 1 -o "$V/out/a1.y4m" "$V/a2.dfc"
expect_ok "decompress -T 2" -q decompress -T 2 -o "$V/out/a2.y4m" "$V/a2.dfc"
same_bytes "decoded the same on 1 and 2 threads" "$V/out/a1.y4m" "$V/out/a2.y4m"
geom=$("$PYTHON" - "$V/a.y4m" "$V/out/a1.y4m" <<'PY'
import sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
ha, hb = a[:a.index(b"\n")], b[:b.index(b"\n")]
fb = 45 * 34 + 2 * 23 * 17
ok_len = len(a) == len(b)
# luma mean absolute error over all frames (a lossy copy, not noise)
nl = a.index(b"\n") + 1
err = sum(abs(a[nl + f * (6 + fb) + 6 + i] - b[nl + f * (6 + fb) + 6 + i]) for f in range(5) for i in range(45 * 34)) / (5 * 45 * 34)
print(ha == hb, ok_len, err < 40)
PY
)
expect_eq "same header and size, close to the original" "$geom" "True True True"

run_dc --json info "$V/a2.dfc"
info=$("$PYTHON" -c '
import json,sys
d = json.load(open(sys.argv[1]))[0]
fl = d["frame_list"]
print(d["codec"], d["format"], d["frames"], d["keyint"], [f["frame"] for f in fl if f["keyframe"]], all(f["bytes"] > 0 for f in fl))' "$WORK/stdout")
expect_eq "info: codec, format, frames, keyint, keyframes" "$info" "video-lossy y4m 5 3 [0, 3] True"

# Ranges: frames 1:3 and 4: equal the full decode's frames.
"$PYTHON" - "$V/out/a1.y4m" "$V" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
nl = d.index(b"\n") + 1
fb = 6 + 45 * 34 + 2 * 23 * 17
fr = [d[nl + i * fb: nl + (i + 1) * fb] for i in range(5)]
open(sys.argv[2] + "/r13.y4m", "wb").write(d[:nl] + b"".join(fr[1:3]))
open(sys.argv[2] + "/r4.y4m", "wb").write(d[:nl] + fr[4])
PY
expect_ok "decompress --frames 1:3" -q decompress --frames 1:3 -o "$V/out/r13.y4m" "$V/a2.dfc"
same_bytes "--frames 1:3 = frames 1 and 2 of the full decode" "$V/r13.y4m" "$V/out/r13.y4m"
expect_ok "decompress --frames 4" -q decompress --frames 4 -o "$V/out/r4.y4m" "$V/a2.dfc"
same_bytes "--frames 4 = frame 4 of the full decode" "$V/r4.y4m" "$V/out/r4.y4m"

# Rate: quality orders the size; --bpp keeps within budget (bits per luma pixel per frame).
expect_ok "compress --quality 30" -q compress --codec video-lossy --quality 30 -o "$V/q30.dfc" "$V/a.y4m"
expect_ok "compress --quality 100" -q compress --codec video-lossy --quality 100 -o "$V/q100.dfc" "$V/a.y4m"
if (( $(stat -c %s "$V/q30.dfc") < $(stat -c %s "$V/q100.dfc") )); then pass; else fail "quality 30 not smaller than 100"; fi
expect_ok "compress --bpp 1.5" -q compress --codec video-lossy --bpp 1.5 -o "$V/b.dfc" "$V/a.y4m"
budget=$((45 * 34 * 5 * 15 / 80))
if (( $(stat -c %s "$V/b.dfc") <= budget )); then pass; else fail "--bpp 1.5: $(stat -c %s "$V/b.dfc") bytes > $budget"; fi

# Raw I420.
expect_ok "compress raw I420" -q compress --codec video-lossy --size 32x24 --fps 12 -o "$V/raw.dfc" "$V/raw.yuv"
expect_ok "decompress raw I420" -q decompress -o "$V/out/raw.yuv" "$V/raw.dfc"
expect_eq "raw I420 size" "$(stat -c %s "$V/out/raw.yuv")" "$(stat -c %s "$V/raw.yuv")"

# ---------------------------------------------------------------- refusals ------------------
expect_error "truncate a video" 2 truncate --bpp 0.5 -o "$V/t.dfc" "$V/a2.dfc"
expect_no_file "no output for truncate" "$V/t.dfc"
expect_error "wrong model" 13 decompress --model "$MODEL_PATH" -o "$V/out/wm.y4m" "$V/a2.dfc"
expect_no_file "no output with a wrong model" "$V/out/wm.y4m"
size=$(stat -c %s "$V/a2.dfc")
for cut in 10 60 $((size / 2)) $((size - 3)); do
  head -c "$cut" "$V/a2.dfc" >"$V/cut.dfc"
  expect_error "truncated .dfc at $cut" "9 10 11" decompress -o "$V/out/cut.y4m" "$V/cut.dfc"
  expect_no_file "no output for a .dfc cut at $cut" "$V/out/cut.y4m"
done
cp "$V/a2.dfc" "$V/dmg.dfc"
poke "$V/dmg.dfc" $((size - 50)) $(( ($(peek "$V/dmg.dfc" $((size - 50))) + 77) % 256 ))
expect_error "damaged frame data" 11 decompress -o "$V/out/dmg.y4m" "$V/dmg.dfc"
expect_no_file "no output for damaged frame data" "$V/out/dmg.y4m"
expect_no_temp "no temporary files left" "$V/out"
cli_finish
