#!/usr/bin/env bash
# The benchmark of issue 12 (image-lossless revision 2), committed under
# results/image-lossless-adaptive/<set>/. Every file is round-tripped and compared by
# `diffcomp bench`.
# Usage: scripts/bench-image-lossless-adaptive.sh graphics | photos | kodak [CODECS]
#   graphics: ../shared/data/graphics (27 files), ours beside cjxl -e9 and cwebp -z9.
#   photos:   unseen photos: ../shared/data/photos/wikipedia/00[1-4].png and cbsd68 files 2-9 in
#             name order (101085.png, the first, was in the tuning set P5), same codecs.
#   kodak:    the 24 Kodak images, ours only (evaluation only; the classic coders' numbers are in
#             results/image-lossless/kodak/, same binaries).
# CODECS overrides the codec list (e.g. image-lossless alone to re-run ours only).
# Then: python3 scripts/summarise-adaptive.py results/image-lossless-adaptive
set -euo pipefail
cd "$(dirname "$0")/.."
DC=$PWD/build/bin/diffcomp
DATA=${DIFFCOMP_DATA:-$PWD/../shared/data}
set_name=${1:?graphics, photos or kodak}
out=results/image-lossless-adaptive/$set_name
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$set_name" in
  graphics) cp "$DATA"/graphics/*.png "$work"/; codecs=${2:-image-lossless,cjxl-e9,cwebp-lossless-z9} ;;
  photos)
    cp "$DATA"/photos/wikipedia/00[1-4].png "$work"/
    for f in $(ls "$DATA"/photos/cbsd68/*.png | sort | sed -n 2,9p); do cp "$f" "$work"/; done
    codecs=${2:-image-lossless,cjxl-e9,cwebp-lossless-z9} ;;
  kodak) cp "$DATA"/kodak/*.png "$work"/; codecs=${2:-image-lossless} ;;
  *) echo "unknown set $set_name" >&2; exit 2 ;;
esac
tag=$(echo "$codecs" | tr ',' '+')
cmd=("$DC" bench --data "$work" --codecs "$codecs" -T 2 --json-out "$out/$tag.json" --markdown "$out/$tag.md")
echo "${cmd[*]}" | sed "s|$work|$set_name files (copied to a temp dir)|; s|$PWD/||g" >> "$out/COMMAND.txt"
echo "(bash scripts/bench-image-lossless-adaptive.sh $*)" >> "$out/COMMAND.txt"
"${cmd[@]}"
