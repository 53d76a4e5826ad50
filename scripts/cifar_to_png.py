#!/usr/bin/python3
"""Writes CIFAR-10 binary records as PNG files (one per image), for per-image benchmarks.

Usage: cifar_to_png.py BIN OUTDIR [COUNT [STRIDE]]
Takes records 0, STRIDE, 2*STRIDE, ... (COUNT of them; default all, stride 1). The test file is
sorted by class, so a stride spreads a subset over all classes.
"""
import os
import sys

from PIL import Image

src, out = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else None
stride = int(sys.argv[4]) if len(sys.argv) > 4 else 1
data = open(src, "rb").read()
n = len(data) // 3073
os.makedirs(out, exist_ok=True)
idx = list(range(0, n, stride))[: count or n]
for k in idx:
    rec = data[k * 3073 + 1 : (k + 1) * 3073]
    r, g, b = (Image.frombytes("L", (32, 32), rec[c * 1024 : (c + 1) * 1024]) for c in range(3))
    Image.merge("RGB", (r, g, b)).save(os.path.join(out, f"cifar_test_{k:05d}.png"))
print(f"wrote {len(idx)} PNGs to {out}")
