#!/usr/bin/env python3
"""What rcc shrinkage costs the signal-lossy chain: a float simulation of the codec's diffusion
chain (same DCT blocks of 1024, envelope, schedule step_q 2, activity threshold) on one channel of
a WAV, with the rcc replaced by an idealised sampler whose sample falls short of the posterior mean
by a fraction b (b = 0: exact samples), optionally aiming `overshoot` times past it. Prints the
cumulative KL (bits per sample, the rate an ideal coder of the KL would pay) and the Wiener SNR
every 10 steps.

  /usr/bin/python3 scripts/signal_lossy_chain_sim.py FILE.wav B [OVERSHOOT]
"""
import sys, wave
import numpy as np
from scipy.fft import dct

path, b = sys.argv[1], float(sys.argv[2])
ov = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
N, F = 1024, 2
w = wave.open(path); n = w.getnframes(); ch = w.getnchannels()
a = np.frombuffer(w.readframes(n), dtype=np.int16).astype(np.float64).reshape(-1, ch)
edges = [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]
nb = (n + N - 1) // N
x = np.zeros(nb * N); x[:n] = a[:, 0]
C = dct(x.reshape(nb, N), norm='ortho', axis=1); s2 = np.zeros_like(C)
for f0 in range(0, nb, F):
    for k in range(len(edges) - 1):
        v = C[f0:f0 + F, edges[k]:edges[k + 1]]; ms = np.mean(v ** 2)
        q = np.floor(2 * np.log2(ms) + 0.5) if ms > 1 else 0
        s2[f0:f0 + F, edges[k]:edges[k + 1]] = 2 ** (q / 2)
x0 = C.ravel(); s2 = s2.ravel(); E = np.sum(x0 ** 2)
rng = np.random.default_rng(1)
r = 2 ** (-2 / 8); sig2 = 4 * s2.max(); y = np.sqrt(sig2) * rng.standard_normal(len(x0)); tot = 0
for j in range(400):
    xh = s2 / (s2 + sig2) * y
    nxt = sig2 * r; std = np.sqrt(nxt * (1 - r)); act = s2 * 16 >= nxt
    mp = r * y + (1 - r) * xh; mq = r * y + (1 - r) * x0
    mqo = mp + ov * (mq - mp)
    tot += np.sum(((mqo - mp)[act]) ** 2) / (2 * std ** 2) / np.log(2)
    z = rng.standard_normal(len(x0))
    y = np.where(act, mqo + b * (mp - mqo) + std * z, mp + std * z); sig2 = nxt
    est = s2 / (s2 + sig2) * y
    if (j + 1) % 10 == 0:
        print('step %d  KL %.3f bits/sample  SNR %.2f dB' % (j + 1, tot / n, 10 * np.log10(E / np.sum((est - x0) ** 2))))
    if tot / n > 3.0: break
