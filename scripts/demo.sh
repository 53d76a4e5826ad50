#!/usr/bin/env bash
# The main job on the shipped default model: installs what is missing, builds, compresses and
# decompresses the bundled samples, verifies every round trip, and compares with classic coders.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
DC=build/bin/diffcomp
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp samples/*.png samples/*.dat "$work"/

echo "== diffcomp models"
$DC models
echo
echo "== compress / decompress / verify (image-lossless on PNG, lzw and huffman on the ECG bytes)"
for f in "$work"/*.png; do
  $DC compress -T 2 "$f"
  $DC decompress -T 2 -o "$f.back.png" "$f.dfc"
  /usr/bin/python3 - "$f" "$f.back.png" <<'PY'
import sys
from PIL import Image
a, b = (Image.open(p) for p in sys.argv[1:3])
assert a.mode == b.mode and a.size == b.size and a.tobytes() == b.tobytes(), "pixels differ"
print(f"  verified: {sys.argv[2].split('/')[-1]} has the same {a.size[0]}x{a.size[1]} {a.mode} pixels")
PY
done
for codec in lzw huffman; do
  $DC compress --codec $codec -f -o "$work/ecg.$codec.dfc" "$work/ecg100-10s.dat"
  $DC decompress -f -o "$work/ecg.$codec.back" "$work/ecg.$codec.dfc"
  cmp "$work/ecg100-10s.dat" "$work/ecg.$codec.back" && echo "  verified: $codec round trip is byte-exact"
done
echo
echo "== image-lossy: one progressive encode, cut to a lower rate without re-encoding"
$DC compress --codec image-lossy --bpp 0.4 -T 2 -o "$work/k23.lossy.dfc" "$work/kodim23-256.png"
$DC truncate "$work/k23.lossy.dfc" --bpp 0.1 -o "$work/k23.lossy-0.1.dfc"
for f in k23.lossy k23.lossy-0.1; do
  $DC decompress -T 2 -o "$work/$f.png" "$work/$f.dfc"
  $DC info "$work/$f.dfc" | head -3
  build/bin/diffcomp-lossy-eval "$work/kodim23-256.png" "$work/$f.png"
done
echo
echo "== the same files beside the classic coders (every lossless round trip verified)"
$DC bench --data "$work/kodim23-256.png" "$work/kodim08-256.png" "$work/ecg100-10s.dat" \
  --codecs image-lossless,huffman,lzw,compress-b16,gzip-9,bzip2-9,xz-9e,zstd-19,optipng-o7,cwebp-lossless-z9,cjxl-e7,cjxl-e9 -T 2
