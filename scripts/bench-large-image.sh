#!/usr/bin/env bash
# Peak memory and speed of image-lossless on a 6000x4000 image (a mosaic of the 24 Kodak images,
# repeated), measured with GNU time; writes results/image-lossless/large/result.json.
set -euo pipefail
cd "$(dirname "$0")/.."
DC=$PWD/build/bin/diffcomp
DATA=${DIFFCOMP_DATA:-$PWD/../shared/data}
out=results/image-lossless/large
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$DATA/kodak" "$work/big.png" <<'PY'
import glob, sys
from PIL import Image
files = sorted(glob.glob(sys.argv[1] + "/*.png"))
big = Image.new("RGB", (6000, 4000))
k = 0
for y in range(0, 4000, 512):
    for x in range(0, 6000, 768):
        im = Image.open(files[k % len(files)]).convert("RGB")
        if im.size != (768, 512):
            im = im.rotate(90, expand=True)
        big.paste(im, (x, y))
        k += 1
big.save(sys.argv[2], compress_level=1)
PY
/usr/bin/time -v "$DC" -q compress -T 2 -f -o "$work/big.dfc" "$work/big.png" 2> "$work/enc.time"
/usr/bin/time -v "$DC" -q decompress -T 2 -f -o "$work/back.png" "$work/big.dfc" 2> "$work/dec.time"
/usr/bin/python3 - "$work" "$out/result.json" <<'PY'
import json, re, sys
from PIL import Image
w = sys.argv[1]
def parse(p):
    t = open(p).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
    h, m, s = (float(x) if x else 0.0 for x in wall.groups())
    return {"wall_s": h * 3600 + m * 60 + s,
            "cpu_s": float(re.search(r"User time.*: ([\d.]+)", t).group(1)) + float(re.search(r"System time.*: ([\d.]+)", t).group(1)),
            "peak_rss_mib": int(re.search(r"Maximum resident set size.*: (\d+)", t).group(1)) / 1024}
a, b = Image.open(w + "/big.png"), Image.open(w + "/back.png")
import os
res = {"image": "6000x4000 RGB mosaic of the Kodak images", "threads": 2,
       "verified": a.tobytes() == b.tobytes(), "bytes": os.path.getsize(w + "/big.dfc"),
       "bpsp": os.path.getsize(w + "/big.dfc") * 8 / (6000 * 4000 * 3),
       "encode": parse(w + "/enc.time"), "decode": parse(w + "/dec.time")}
res["encode"]["mp_per_s"] = 24.0 / res["encode"]["wall_s"]
res["decode"]["mp_per_s"] = 24.0 / res["decode"]["wall_s"]
json.dump(res, open(sys.argv[2], "w"), indent=1)
print(json.dumps(res, indent=1))
PY
echo "bash scripts/bench-large-image.sh" > "$out/COMMAND.txt"
