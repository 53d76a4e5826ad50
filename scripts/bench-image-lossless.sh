#!/usr/bin/env bash
# The lossless image benchmark of issue 3, committed under results/image-lossless/<set>/.
# Usage: scripts/bench-image-lossless.sh kodak | cifar [COUNT]
#   kodak: all 24 Kodak images, our codec beside the classic ones, in one run.
#   cifar: CIFAR-10 test images as individual PNG files (COUNT spread over all classes, default
#          1000 for the baselines); our codec alone on all 10,000 in a second pass.
# Both also record, per image, the model's own NLL beside the coded size (diffcomp --json).
set -euo pipefail
cd "$(dirname "$0")/.."
DC=$PWD/build/bin/diffcomp
DATA=${DIFFCOMP_DATA:-$PWD/../shared/data}
set_name=${1:?kodak or cifar}
out=results/image-lossless/$set_name
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
codecs=image-lossless,huffman,lzw,gzip-9,bzip2-9,xz-9e,zstd-19,optipng-o7,cwebp-lossless-z9,cjxl-e7,cjxl-e9,avif-lossless-s6

nll_table() {  # dir -> JSON lines of per-image NLL vs coded size
  local dir=$1 dst=$2
  "$DC" --json compress -T 2 -f "$dir"/*.png > "$work/nll.json"
  /usr/bin/python3 - "$work/nll.json" "$dst" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))
sub = sum(r["width"] * r["height"] * r["channels"] for r in recs)
coded = sum(r["output_bytes"] * 8 for r in recs)
nll = sum(r["model_nll_bits"] for r in recs)
summary = {"images": len(recs), "subpixels": sub, "coded_bpsp": coded / sub, "model_nll_bpsp": nll / sub,
           "coded_over_nll": coded / nll,
           "note": "coded = whole .dfc files (container included); NLL = the float model's likelihood"}
json.dump({"summary": summary, "images": recs}, open(sys.argv[2], "w"), indent=1)
print(json.dumps(summary, indent=1))
PY
  rm -f "$dir"/*.dfc
}

case "$set_name" in
  kodak)
    cp "$DATA"/kodak/*.png "$work"/
    cmd=("$DC" bench --data "$work" --codecs "$codecs" -T 2 --json-out "$out/bench.json" --markdown "$out/bench.md" --plot "$out/bench.svg")
    echo "${cmd[*]}" | sed "s|$work|../shared/data/kodak (copied to a temp dir)|; s|$PWD/||g" > "$out/COMMAND.txt"
    "${cmd[@]}"
    nll_table "$work" "$out/nll.json"
    ;;
  cifar)
    count=${2:-1000}
    /usr/bin/python3 scripts/cifar_to_png.py "$DATA/cifar10/test_batch.bin" "$work/sub" "$count" $((10000 / count))
    cmd=("$DC" bench --data "$work/sub" --codecs "$codecs" -T 2 --json-out "$out/bench.json" --markdown "$out/bench.md" --plot "$out/bench.svg")
    echo "${cmd[*]}" | sed "s|$work/sub|$count CIFAR-10 test images (scripts/cifar_to_png.py, stride $((10000 / count)))|; s|$PWD/||g" > "$out/COMMAND.txt"
    "${cmd[@]}"
    /usr/bin/python3 scripts/cifar_to_png.py "$DATA/cifar10/test_batch.bin" "$work/all"
    nll_table "$work/all" "$out/nll-all-10000.json"
    ;;
  *) echo "unknown set $set_name" >&2; exit 2 ;;
esac
echo "(bash scripts/bench-image-lossless.sh $*)" >> "$out/COMMAND.txt"
