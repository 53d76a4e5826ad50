#!/usr/bin/python3
"""Independent reference values for extras/metrics_test.cc (PSNR and MS-SSIM).

Run with Debian's python3 (needs python3-numpy, python3-scipy, python3-pil):
    /usr/bin/python3 tests/tools/msssim_reference.py [path/to/shared/data]

It decodes kodim01.png with PIL, applies the same deterministic degradation as
metrics_test.cc (DegradeForTest: 3x3 box blur with clamped edges and rounding, then
LCG noise in [-8, 8]), and prints PSNR and MS-SSIM for the pairs the test checks.

MS-SSIM follows pytorch_msssim.ms_ssim (as used by CompressAI): 11x11 Gaussian window,
sigma 1.5, valid filtering, K1 0.01, K2 0.03, data range 255, per channel then averaged,
relu on cs/ssim, 2x2 average pooling with padding = side % 2 and zeros counted. As in
extras/metrics.h, images under 161 pixels on a side use as many scales as keep the
coarsest one at least 11 pixels wide, with renormalised weights. The filtering here is a
direct 2-D correlation (scipy.signal.correlate2d), not the separable passes of the C++.
"""
import hashlib
import os
import sys

import numpy as np
from PIL import Image
from scipy.signal import correlate2d

WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
KODIM01_RGB_SHA256 = "a00210743353594464ac67e680a41710f484444ca5f9dfddeb570de25c428273"


def degrade(img):
    """img: uint8 array (h, w, c). Mirrors DegradeForTest in extras/metrics_test.cc."""
    h, w, c = img.shape
    src = img.astype(np.int64)
    padded = np.pad(src, ((1, 1), (1, 1), (0, 0)), mode="edge")
    total = np.zeros_like(src)
    for dy in range(3):
        for dx in range(3):
            total += padded[dy:dy + h, dx:dx + w, :]
    blurred = (total + 4) // 9
    flat = blurred.reshape(-1)
    out = np.empty_like(flat)
    state = 12345
    for i in range(flat.size):
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        noise = ((state >> 24) % 17) - 8
        out[i] = min(255, max(0, int(flat[i]) + noise))
    return out.reshape(h, w, c).astype(np.uint8)


def gaussian_window():
    coords = np.arange(11, dtype=np.float64) - 5
    g = np.exp(-(coords ** 2) / (2 * 1.5 ** 2))
    g /= g.sum()
    return np.outer(g, g)


def ssim_cs(x, y, win):
    c1 = (0.01 * 255) ** 2
    c2 = (0.03 * 255) ** 2
    f = lambda a: correlate2d(a, win, mode="valid")
    mu1, mu2 = f(x), f(y)
    s1 = f(x * x) - mu1 * mu1
    s2 = f(y * y) - mu2 * mu2
    s12 = f(x * y) - mu1 * mu2
    cs_map = (2 * s12 + c2) / (s1 + s2 + c2)
    ssim_map = (2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1) * cs_map
    return ssim_map.mean(), cs_map.mean()


def pool(a):
    ph, pw = a.shape[0] % 2, a.shape[1] % 2
    a = np.pad(a, ((ph, 0), (pw, 0)))  # zeros in front; torch's back padding is never read
    h, w = a.shape
    return a.reshape(h // 2, 2, w // 2, 2).sum(axis=(1, 3)) / 4.0


def levels_for(side):
    n = 0
    while n < 5 and side >= 11:
        n += 1
        side = (side + 1) // 2
    return n


def ms_ssim(a, b):
    h, w, c = a.shape
    levels = levels_for(min(h, w))
    weights = WEIGHTS[:levels] / WEIGHTS[:levels].sum()
    win = gaussian_window()
    values = []
    for ch in range(c):
        x = a[:, :, ch].astype(np.float64)
        y = b[:, :, ch].astype(np.float64)
        terms = []
        for level in range(levels):
            ssim, cs = ssim_cs(x, y, win)
            if level < levels - 1:
                terms.append(max(cs, 0.0))
                x, y = pool(x), pool(y)
            else:
                terms.append(max(ssim, 0.0))
        values.append(np.prod(np.array(terms) ** weights))
    return float(np.mean(values)), levels


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / mse))


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")
    img = np.asarray(Image.open(os.path.join(data, "kodak", "kodim01.png")).convert("RGB"))
    assert hashlib.sha256(img.tobytes()).hexdigest() == KODIM01_RGB_SHA256

    cases = [
        ("kodim01 full RGB", img),
        ("kodim01 crop x100 y50 181x167 RGB", img[50:50 + 167, 100:100 + 181, :]),
        ("kodim01 crop x300 y200 100x75 green only", img[200:200 + 75, 300:300 + 100, 1:2]),
    ]
    for name, ref in cases:
        ref = np.ascontiguousarray(ref)
        deg = degrade(ref)
        value, levels = ms_ssim(ref, deg)
        print(f"{name}: levels={levels} psnr={psnr(ref, deg):.12f} ms_ssim={value:.15f}")


if __name__ == "__main__":
    main()
