#!/bin/bash
# The latent-refinement pilot (docs/pilot-latent-refinement.md): crops, the autoencoder-level
# sweep, the codec encodes with plain and refined latents, their decodes by the normal decoder
# and the metrics, then the tables. Needs a build with the trainer (diffcomp-latent-refine).
#   scripts/pilot-latent-refinement.sh BUILD_DIR OUT_DIR
set -euo pipefail
B=${1:-build}/bin
O=${2:-/tmp/lat}
D=../shared/data/photos/wikipedia
M=models/image-lossy-ldm1.dcw
LR=0.03  # chosen on wikipedia/005 (not among the measured photos): 0.01 / 0.03 / 0.1
mkdir -p "$O/enc" "$O/dec"
# 512 x 384 centre crops (multiples of 8: no padding)
"$B/diffcomp-latent-refine" --crop $D/001.png 382 233 512 384 "$O/w001.png"
"$B/diffcomp-latent-refine" --crop $D/002.png 374 211 512 384 "$O/w002.png"
"$B/diffcomp-latent-refine" --crop $D/003.png 462 173 512 384 "$O/w003.png"
"$B/diffcomp-latent-refine" --crop $D/004.png 458 165 512 384 "$O/w004.png"
[ -s "$O/ae.jsonl" ] || for i in 001 002 003 004; do
  "$B/diffcomp-latent-refine" --ae $M "$O/w$i.png" 0,5,10,20,50,100 $LR 1
done > "$O/ae.jsonl"
# Codec: plain (N = 0), N = 20 and 50 Adam steps on the distortion, N = 20 on distortion + 0.01 x
# the rate proxy over the last 4 steps (beta chosen on wikipedia/005 among 0.002 / 0.01 / 0.03 / 0.1).
[ -s "$O/codec.jsonl" ] || for i in 001 002 003 004; do for cfg in "0 0" "20 0" "50 0" "20 0.01"; do
  set -- $cfg
  "$B/diffcomp-latent-refine" --encode $M "$O/w$i.png" $1 $LR 10,20,30,40,50,60,70,80 "$O/enc/w$i-i$1-b$2" 1 $2 4
done; done > "$O/codec.jsonl"
# The plain files are the library's own: byte-identical to `diffcomp compress`; the normal decoder
# (`diffcomp decompress`, which checks the decoded content's CRC written by the tool) reads the
# refined ones and gives the PSNR the tool printed.
: > "$O/verify.jsonl"
for i in 001 002 003 004; do for q in 30 50 80; do
  "$B/diffcomp" compress --codec image-lossy --quality $q -T 1 -f -o "$O/enc/cli-w$i-q$q.dfc" "$O/w$i.png" > /dev/null 2>&1
  cmp "$O/enc/cli-w$i-q$q.dfc" "$O/enc/w$i-i0-b0-q$q.dfc"
  for v in i50-b0 i20-b0.01; do
    "$B/diffcomp" decompress -T 2 -f -o "$O/dec/w$i-$v-q$q.png" "$O/enc/w$i-$v-q$q.dfc" > /dev/null 2>&1
    "$B/diffcomp-lossy-eval" "$O/w$i.png" "$O/dec/w$i-$v-q$q.png" >> "$O/verify.jsonl"
  done
done; done
/usr/bin/python3 scripts/pilot-latent-refinement-tables.py "$O"
