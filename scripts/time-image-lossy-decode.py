#!/usr/bin/env python3
"""Decode time of image-lossy on the 24 Kodak images (issue 13's "decode at most 2 s per Kodak
image on 2 threads"): for each quality, every image is encoded, then its file decoded with
`diffcomp decompress -T 2`, timed by wall clock from exec to exit (the PNG write included).
Prints one line per quality (mean, median, max) and the load average before and after.

Usage: scripts/time-image-lossy-decode.py [QUALITIES] > results/image-lossy/decode-time.txt
  QUALITIES: comma-separated, default 30,75,80,100 (75 is the default; 80 codes every latent
  step; 100 adds every refinement pass, i.e. the exact original).
Standard library only. Run on an otherwise idle machine: wall clock is what is measured.
"""
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
dc = os.path.join(root, "build", "bin", "diffcomp")
data = os.environ.get("DIFFCOMP_DATA", os.path.join(root, "..", "shared", "data"))
qualities = (sys.argv[1] if len(sys.argv) > 1 else "30,75,80,100").split(",")
files = sorted(glob.glob(os.path.join(data, "kodak", "*.png")))
if not files:
    sys.exit("no Kodak images under " + data)

print("# " + " ".join(["scripts/time-image-lossy-decode.py"] + sys.argv[1:]))
print("# load average before: %.2f %.2f %.2f" % os.getloadavg())
with tempfile.TemporaryDirectory() as tmp:
    dfc, png = os.path.join(tmp, "x.dfc"), os.path.join(tmp, "x.png")
    for q in qualities:
        times, sizes = [], []
        for f in files:
            subprocess.run([dc, "-q", "compress", "--codec", "image-lossy", "--quality", q, "-T", "2", "-f", "-o", dfc, f],
                           check=True)
            sizes.append(os.path.getsize(dfc))
            t = time.perf_counter()
            subprocess.run([dc, "-q", "decompress", "-T", "2", "-f", "-o", png, dfc], check=True)
            times.append(time.perf_counter() - t)
        bpp = 8 * sum(sizes) / (len(files) * 768 * 512)
        print("quality %s: %d images, mean %.3f bpp; decode on 2 threads: mean %.2f s, median %.2f s, max %.2f s"
              % (q, len(files), bpp, statistics.mean(times), statistics.median(times), max(times)), flush=True)
print("# load average after: %.2f %.2f %.2f" % os.getloadavg())
