#!/usr/bin/env python3
"""Summary of results/image-lossless-adaptive/ (issue 12): per set, the sum of bytes of each codec
and ours over the smaller of cjxl -e9 and cwebp -z9, summed over the set, with per-file ratios.

Usage: python3 scripts/summarise-adaptive.py results/image-lossless-adaptive > .../summary.md

cwebp drops an alpha channel that is opaque everywhere, so `diffcomp bench` reports such RGBA
files as "VERIFY FAILED: 3 channels, expected 4"; the RGB pixels are exact, and its bytes are
counted here (in favour of cwebp). Any other failed verification is reported and excluded.
Kodak's classic numbers come from results/image-lossless/kodak/bench.json (same binaries).
"""
import glob
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "results/image-lossless-adaptive"


def load(paths):
    per = {}  # file basename -> codec -> (bytes, units, enc_s, dec_s)
    problems = []
    for p in paths:
        d = json.load(open(p))
        for r in d["results"]:
            name = os.path.basename(r["file"])
            ok = r.get("ok") and r.get("verified")
            alpha_only = "3 channels, expected 4" in (r.get("error") or "")
            if not ok and not (r["codec"].startswith("cwebp") and r.get("compressed_bytes")):
                problems.append(f"{name} {r['codec']}: not verified")
                continue
            if not ok and not alpha_only and r["codec"].startswith("cwebp"):
                problems.append(f"{name} {r['codec']}: counted although not verified ({r.get('error') or r.get('status')})")
            per.setdefault(name, {})[r["codec"]] = (r["compressed_bytes"], r["units"],
                                                   (r.get("encode") or {}).get("wall_s", 0), (r.get("decode") or {}).get("wall_s", 0))
    return per, problems


print("# image-lossless revision 2: summary (scripts/summarise-adaptive.py)\n")
for set_name in ("graphics", "photos", "kodak"):
    paths = sorted(glob.glob(os.path.join(root, set_name, "*.json")))
    if not paths:
        continue
    per, problems = load(paths)
    if set_name == "kodak" and os.path.exists("results/image-lossless/kodak/bench.json"):
        ref, _ = load(["results/image-lossless/kodak/bench.json"])
        for name, codecs in ref.items():
            if name in per:
                for c in ("cjxl-e9", "cwebp-lossless-z9"):
                    if c in codecs:
                        per[name][c] = codecs[c]
                if "image-lossless" in codecs:
                    per[name]["image-lossless rev 1 (results/image-lossless/kodak)"] = codecs["image-lossless"]
    codecs = sorted({c for v in per.values() for c in v})
    files = sorted(per)
    print(f"## {set_name} ({len(files)} files)\n")
    print("| codec | files | bytes | bpsp | enc MP/s | dec MP/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for c in codecs:
        fs = [f for f in files if c in per[f]]
        b = sum(per[f][c][0] for f in fs)
        u = sum(per[f][c][1] for f in fs)
        e = sum(per[f][c][2] for f in fs)
        dd = sum(per[f][c][3] for f in fs)
        mp = u / 3 / 1e6  # sub-pixels / 3 (RGB; RGBA files count 4 sub-pixels, so this is approximate)
        print(f"| {c} | {len(fs)} | {b} | {8 * b / u:.4f} | {mp / e if e else 0:.3f} | {mp / dd if dd else 0:.3f} |")
    both = [f for f in files if "image-lossless" in per[f] and any(c in per[f] for c in ("cjxl-e9", "cwebp-lossless-z9"))]
    if both:
        ours = sum(per[f]["image-lossless"][0] for f in both)
        best = sum(min(per[f][c][0] for c in ("cjxl-e9", "cwebp-lossless-z9") if c in per[f]) for f in both)
        jxl = [f for f in both if "cjxl-e9" in per[f]]
        print(f"\nSum over {len(both)} files: ours {ours} bytes, smaller of cjxl -e9 / cwebp -z9 per file {best} bytes: "
              f"**{ours / best:.3f}x**" + (f"; ours / cjxl -e9 = {sum(per[f]['image-lossless'][0] for f in jxl) / sum(per[f]['cjxl-e9'][0] for f in jxl):.3f}x" if jxl else ""))
        print("\n| file | ours | cjxl -e9 | cwebp -z9 | ours / smaller |")
        print("|---|---:|---:|---:|---:|")
        for f in both:
            o = per[f]["image-lossless"][0]
            j = per[f].get("cjxl-e9", (None,))[0]
            w = per[f].get("cwebp-lossless-z9", (None,))[0]
            m = min(x for x in (j, w) if x is not None)
            print(f"| {f} | {o} | {j if j is not None else '-'} | {w if w is not None else '-'} | {o / m:.3f} |")
    for p in problems:
        print(f"\nnote: {p}")
    print()
