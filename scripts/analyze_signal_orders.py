#!/usr/bin/python3
"""Why the dyadic reveal order of signal-lossless costs more than a causal (LPC) order on audio.

Idealised costs with linear predictors, no network: each residual is charged its code length
under a discretised Laplace whose scale is the mean |residual| of its 256-residual run (a stand-in
for a good adaptive coder). Channel 0 of a 16-bit WAV, blocks of 8192 frames as in the codec.
  fixed:  the codec's integer 4-tap predictor at every dyadic level
  ls:     a least-squares interpolator of 2K coarse neighbours per (block, level), coefficients
          sent (16 bits each)
  ls+past: the same plus the M previous gaps of the same level (known to a sequential decoder)
  lpc:    causal linear prediction of order 32 per 4096 samples (FLAC-like), coefficients sent
Usage: /usr/bin/python3 scripts/analyze_signal_orders.py FILE.wav"""
import sys
import wave

import numpy as np
from numpy.linalg import lstsq


def load(p):
    w = wave.open(p)
    assert w.getsampwidth() == 2, "16-bit WAV only"
    x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
    return x.reshape(-1, w.getnchannels())[:, 0]


def laplace_bits(r):
    tot = 0.0
    for i in range(0, len(r), 256):
        s = r[i:i + 256]
        b = max(np.mean(np.abs(s)), 0.3)
        p = np.exp(-np.abs(s) / b) * (1 - np.exp(-1 / b)) / (1 + np.exp(-1 / b))
        tot += -np.log2(np.maximum(p, 1e-12)).sum()
    return tot


def dyadic(x, mode, K=8, M=0, B=8192):
    tot, cnt, side = {}, {}, 0
    for b0 in range(0, len(x), B):
        blk = x[b0:b0 + B]
        m = len(blk)
        for l in range(int(np.floor(np.log2(max(m - 1, 1)))), -1, -1):
            s = 1 << l
            y, gi = blk[::2 * s], np.arange(s, m, 2 * s)
            G = len(gi)
            if G == 0:
                continue
            t = blk[gi]
            g = np.arange(G)
            if mode == "fixed":
                ym1 = np.where(g >= 1, y[np.maximum(g - 1, 0)], 0)
                y0 = y[g]
                has1 = g + 1 < len(y)
                y1 = np.where(has1, y[np.minimum(g + 1, len(y) - 1)], y0)
                has2 = (g + 2 < len(y)) & (g >= 1)
                y2 = np.where(has2, y[np.minimum(g + 2, len(y) - 1)], 0)
                pred = np.where(has2, np.floor((-ym1 + 9 * y0 + 9 * y1 - y2 + 8) / 16),
                                np.where(has1, np.floor((y0 + y1 + 1) / 2), y0))
                r = t - pred
            else:
                A = y[np.clip(g[:, None] + np.arange(-K + 1, K + 1)[None, :], 0, len(y) - 1)]
                if M:
                    pidx = g[:, None] - np.arange(1, M + 1)[None, :]
                    A = np.concatenate([A, np.where(pidx >= 0, t[np.clip(pidx, 0, G - 1)], 0)], 1)
                if G > 4 * A.shape[1]:
                    c, *_ = lstsq(A, t, rcond=None)
                    c = np.round(c * 2 ** 14) / 2 ** 14
                    side += 16 * A.shape[1]
                    r = np.round(t - A @ c)
                else:
                    r = t - np.round((A[:, K - 1] + A[:, K]) / 2)
            tot[l] = tot.get(l, 0) + laplace_bits(r)
            cnt[l] = cnt.get(l, 0) + G
    n = sum(cnt.values())
    return (sum(tot.values()) + side) / n, {l: tot[l] / cnt[l] for l in tot}, {l: cnt[l] / n for l in cnt}


def lpc(x, order=32, B=4096):
    tot = 0.0
    for b0 in range(0, len(x), B):
        blk = x[b0:b0 + B]
        if len(blk) < 8 * order:
            tot += laplace_bits(blk - np.concatenate([[0], blk[:-1]]))
            continue
        A = np.stack([blk[order - k - 1:len(blk) - k - 1] for k in range(order)], 1)
        c, *_ = lstsq(A, blk[order:], rcond=None)
        c = np.round(c * 4096) / 4096
        tot += laplace_bits(np.round(blk[order:] - A @ c)) + 16 * order
    return tot / len(x)


x = load(sys.argv[1])
print(f"{sys.argv[1]}: channel 0, {len(x)} samples; bits per sample")
for name, (mode, K, M) in {"fixed 4-tap (the codec's predictor)": ("fixed", 0, 0),
                           "ls interpolator, 2x8 taps": ("ls", 8, 0),
                           "ls interpolator 2x4 taps + 8 past gaps": ("ls", 4, 8)}.items():
    total, per, share = dyadic(x, mode, K, M)
    levels = ", ".join(f"l{l} ({share[l] * 100:.1f} %) {per[l]:.2f}" for l in sorted(per)[:7])
    print(f"  dyadic, {name}: {total:.3f}   by level: {levels}")
print(f"  causal LPC order 32 per 4096 samples: {lpc(x):.3f}")
