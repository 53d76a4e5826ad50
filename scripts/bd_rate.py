"""Bjontegaard delta rate, shared by the lossy benchmark reports (image and video)."""
import math

import numpy as np
from scipy.interpolate import PchipInterpolator


def db(m):
    """MS-SSIM in dB (-10 log10(1 - m)), the scale BD-rates over MS-SSIM are computed on."""
    return -10 * math.log10(max(1e-12, 1 - m))


def bd_rate(a, b, key, lo_bpp=None, hi_bpp=None, msssim_keys=('msssim', 'msssim_y')):
    """Bjontegaard delta rate of curve a against b (percent; negative = a needs fewer bits), with
    monotone cubic (PCHIP) interpolation of log-rate over the metric range both cover; optionally
    only where a's rate lies in [lo_bpp, hi_bpp]. Curves: lists of dicts with 'bpp' and key."""
    def prep(c):
        pts = sorted((db(p[key]) if key in msssim_keys else p[key], math.log10(p['bpp'])) for p in c if p[key] is not None)
        m, r = [], []
        for x, y in pts:
            if not m or x > m[-1] + 1e-9: m.append(x); r.append(y)
        return np.array(m), np.array(r)
    ma, ra = prep(a)
    mb, rb = prep(b)
    if len(ma) < 2 or len(mb) < 2: return None
    lo, hi = max(ma[0], mb[0]), min(ma[-1], mb[-1])
    fa = PchipInterpolator(ma, ra)
    if lo_bpp is not None:
        # metric values where a's rate is lo_bpp / hi_bpp
        grid = np.linspace(ma[0], ma[-1], 2000)
        rr = fa(grid)
        sel = grid[(rr >= math.log10(lo_bpp)) & (rr <= math.log10(hi_bpp))]
        if len(sel) < 2: return None
        lo, hi = max(lo, sel[0]), min(hi, sel[-1])
    if hi <= lo: return None
    fb = PchipInterpolator(mb, rb)
    xs = np.linspace(lo, hi, 1000)
    return float((10 ** np.mean(fa(xs) - fb(xs)) - 1) * 100)
