# Shared pieces of the independent decoders, written from docs/codecs/common.md and
# docs/weights-format.md only (not from the C++ sources).
import sys, struct, json, zlib, hashlib
import numpy as np
from container import *

f32 = np.float32

def varint(b, i):
    v = 0; s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7F) << s; s += 7
        if not c & 0x80: return v, i

# ---- common.md 2: DetExp, DetTanh
C5040 = f32(1) / f32(5040); C720 = f32(1) / f32(720); C120 = f32(1) / f32(120); C24 = f32(1) / f32(24); C6 = f32(1) / f32(6)
def detexp(x):
    x = f32(x)
    if not (x > f32(-87)): return f32(0)
    if x > f32(88): x = f32(88)
    t = x * f32(1.44269504)
    n = int(t)
    if t < 0 and f32(n) != t: n -= 1
    if t - f32(n) > f32(0.5): n += 1
    fn = f32(n)
    r = (x - fn * f32(0.693145752)) - fn * f32(1.42860677e-06)
    p = C5040
    for c in (C720, C120, C24, C6, f32(0.5), f32(1), f32(1)):
        p = p * r + c
    return p * f32(2.0 ** n)

def dettanh(x):
    if x > f32(9): return f32(1)
    if x < f32(-9): return f32(-1)
    return f32(1) - f32(2) / (detexp(f32(2) * x) + f32(1))

# ---- common.md 5.1: sigmoid table
S = [0] * 8193
for i in range(-4096, 4097):
    e = detexp((-f32(i)) / f32(256))
    s = f32(65536) / (f32(1) + e)
    S[i + 4096] = int(s + f32(0.5))
for i in range(1, 8193): S[i] = max(S[i], S[i - 1])
S[0] = 0; S[8192] = 65536

# ---- common.md 3: rANS
class Rans:
    def __init__(self, b):
        if len(b) < 4: raise ValueError('truncated')
        self.x = int.from_bytes(b[:4], 'big'); self.b = b; self.p = 4
        assert self.x >= 1 << 23
    def peek(self, p): return self.x & ((1 << p) - 1)
    def advance(self, start, freq, p):
        self.x = (freq * (self.x >> p) + (self.x & ((1 << p) - 1)) - start) & 0xFFFFFFFF
        while self.x < 1 << 23:
            if self.p >= len(self.b): raise ValueError('truncated')
            self.x = (self.x << 8) | self.b[self.p]; self.p += 1
    def bits(self, n):
        v = self.peek(n); self.advance(v, 1, n); return v
    def finish(self):
        assert self.x == 1 << 23 and self.p == len(self.b), 'rANS did not end cleanly'

# ---- common.md 5.2-5.4
def roundq(x, lo, hi):
    x = f32(x)
    if not (x >= f32(lo)): x = f32(lo)
    else: x = min(x, f32(hi))
    return int(x + f32(0.5)) if x >= 0 else int(x - f32(0.5))

class Dist:
    def __init__(self, K): self.K = K; self.w = [0] * K; self.mean = [0] * K; self.inv = [0] * K
    def copy(self):
        d = Dist(self.K); d.w = list(self.w); d.mean = list(self.mean); d.inv = list(self.inv); return d

def set_weights(d, logits):
    mx = logits[0]
    for l in logits[1:]: mx = max(mx, l)
    e = [detexp(l - mx) for l in logits]
    s = f32(0)
    for v in e: s = s + v
    if not (s > 0): e = [f32(1)] * len(e); s = f32(len(e))
    used = 0; best = 0
    for k in range(d.K):
        d.w[k] = int(e[k] / s * f32(32768)); used += d.w[k]
        if e[k] > e[best]: best = k
    d.w[best] += 32768 - used

def set_component(d, k, mean, inv):
    d.mean[k] = roundq(f32(mean) * f32(256), -65536, 131072)
    d.inv[k] = max(1, roundq(f32(inv) * f32(65536), 0, 1e9))

def cdf_below(d, v):
    b = v * 256 - 128; acc = 0
    for k in range(d.K):
        if d.w[k] == 0: continue
        z = (b - d.mean[k]) * d.inv[k]
        z = z >> 16 if z >= 0 else -((-z) >> 16)
        z = max(-4096, min(4096, z))
        acc += d.w[k] * S[z + 4096]
    return acc >> 15

def start(d, v):
    if v <= 0: return 0
    if v >= 256: return 65536
    return ((cdf_below(d, v) * 65280) >> 16) + v

def decode_value(dec, d):
    x = dec.peek(16); lo, hi = 0, 256
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if start(d, mid) <= x: lo = mid
        else: hi = mid
    s = start(d, lo); dec.advance(s, start(d, lo + 1) - s, 16); return lo

# ---- common.md 5.5
F = [65536, 55109, 77936, 46341, 92682]
def bitlength(x): return x.bit_length()
def tdiv(a, b): q = abs(a) // abs(b); return q if (a >= 0) == (b > 0) else -q
class Adapter:
    def __init__(self, stages, channels):
        self.ch = channels; self.ctx = [[0, 0, [0] * 5] for _ in range(stages * channels * 10)]
    def apply(self, stage, channel, d):
        mu = 0; top = 0
        for k in range(d.K):
            mu += d.w[k] * d.mean[k]
            if d.w[k] > d.w[top]: top = k
        mu = mu // (1 << 15)
        scale = (1 << 24) // d.inv[top]
        bucket = max(0, min(9, bitlength(scale) - 6))
        ci = (stage * self.ch + channel) * 10 + bucket; c = self.ctx[ci]
        bias = tdiv(c[0], c[1] + 64)
        for k in range(d.K): d.mean[k] = max(-65536, min(131072, d.mean[k] + bias))
        self.mu_net = mu; self.base = d.copy()
        best = 0
        for f in range(1, 5):
            if c[2][f] < c[2][best]: best = f
        if best: d.inv = [max(1, (v << 16) // F[best]) for v in self.base.inv]
        return ci
    def update(self, ci, v):
        c = self.ctx[ci]
        c[0] += 256 * v - self.mu_net; c[1] += 1
        if c[1] >= 256: c[0] = tdiv(c[0], 2); c[1] = c[1] // 2
        for f in range(5):
            d = self.base.copy()
            if f: d.inv = [max(1, (x << 16) // F[f]) for x in self.base.inv]
            fr = start(d, v + 1) - start(d, v); b = bitlength(fr) - 1
            L = ((16 - b) << 8) - (((fr << 8) >> b) - 256)
            c[2][f] += L - (c[2][f] >> 6)

# ---- common.md 6: kernels (float32, bias then i, ky, kx)
def conv2d(x, w, b, relu_in):
    cout, cin, k, _ = w.shape; _, h, wd = x.shape; r = k // 2
    if relu_in: x = np.where(x > 0, x, f32(0)).astype(np.float32)
    xp = np.zeros((cin, h + 2 * r, wd + 2 * r), np.float32); xp[:, r:r + h, r:r + wd] = x
    acc = np.broadcast_to(b[:, None, None], (cout, h, wd)).astype(np.float32).copy()
    for i in range(cin):
        for ky in range(k):
            for kx in range(k):
                acc = acc + w[:, i, ky, kx][:, None, None] * xp[i, ky:ky + h, kx:kx + wd][None]
    return acc

def res(t, c1, c2):
    u = conv2d(t, *c1, True); v = conv2d(u, *c2, True); return t + v

# ---- model
def load_model(path):
    b = open(path, 'rb').read(); M = struct.unpack('<I', b[8:12])[0]
    meta = json.loads(b[12:12 + M]); ds = (12 + M + 15) // 16 * 16
    T = {}
    for t in meta['tensors']:
        dt = '<f2' if t['dtype'] == 'f16' else '<f4'
        a = np.frombuffer(b, dt, count=int(np.prod(t['shape'])), offset=ds + t['offset'])
        T[t['name']] = a.astype(np.float32).reshape(t['shape'])
    return meta, T

def conv_of(T, name): return (T[name + '_w'], T[name + '_b'])


# ---- common.md 7: Philox4x32-10, Box-Muller, StdNormals
M32 = 0xFFFFFFFF
def philox(c, key):
    c0, c1, c2, c3 = c; k0, k1 = key
    for _ in range(10):
        p0 = 0xD2511F53 * c0; p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & M32, p1 & M32, ((p0 >> 32) ^ c3 ^ k1) & M32, p0 & M32
        k0 = (k0 + 0x9E3779B9) & M32; k1 = (k1 + 0xBB67AE85) & M32
    return (c0, c1, c2, c3)

def bits_f(u): return int(np.array([u], np.float32).view(np.uint32)[0])
def f_bits(b): return np.array([b], np.uint32).view(np.float32)[0]
def detlog(u):
    bits = bits_f(u); mant = bits & 0x7FFFFF; big = 1 if mant > 0x3504F3 else 0
    e = (bits >> 23) - 127 + big
    m = f_bits((mant | 0x3F800000) - (big << 23))
    s = (m - f32(1)) / (m + f32(1)); s2 = s * s
    p = f32(1) / f32(9)
    for c in (f32(1) / f32(7), f32(1) / f32(5), f32(1) / f32(3), f32(1)): p = p * s2 + c
    fe = f32(e)
    return fe * f32(0.693145752) + (fe * f32(1.42860677e-06) + f32(2) * s * p)

def sincos(v):
    t = (v + (1 << 21)) & 0xFFFFFF; q = t >> 22; r = (t & 0x3FFFFF) - (1 << 21)
    x = (f32(r) + f32(0.5)) * f32(3.7450702e-07); x2 = x * x
    ps = -f32(1) / f32(5040) + x2 * (f32(1) / f32(362880))
    ps = f32(1) / f32(120) + x2 * ps
    ps = -f32(1) / f32(6) + x2 * ps
    s = x + x * (x2 * ps)
    pc = f32(1) / f32(40320) - x2 * (f32(1) / f32(3628800))
    pc = -f32(1) / f32(720) + x2 * pc
    pc = f32(1) / f32(24) + x2 * pc
    pc = f32(-0.5) + x2 * pc
    c = f32(1) + x2 * pc
    return [(c, s), (-s, c), (-c, -s), (s, -c)][q]

def box_muller(a, b):
    u = (f32(a >> 9) + f32(0.5)) * (f32(1) / f32(8388608))
    rad = np.sqrt(f32(-2) * detlog(u)).astype(np.float32)
    c, s = sincos(b >> 8)
    return rad * c, rad * s

def std_normals(seed, step, chunk, cand, n):
    key = (seed & M32, seed >> 32); out = []
    j = 0
    while len(out) < n:
        w = philox((j, cand, chunk, step), key)
        out += list(box_muller(w[0], w[1])) + list(box_muller(w[2], w[3])); j += 1
    return np.array(out[:n], np.float32)

# ---- common.md 8: RCC step segment
def rcc_decode(seg, mu_p, sigma, seed, step, chunk_bits):
    n = len(mu_p)
    C, i = varint(seg, 0) if seg else (None, 0)
    assert C is not None and C <= n
    index = []
    if C > 0:
        Ssum = sum(b + 4 for b in range(chunk_bits + 1))
        st = [0]
        for b in range(chunk_bits): st.append(st[-1] + ((b + 4) << 16) // Ssum)
        st.append(1 << 16)
        dec = Rans(seg[i:])
        for _ in range(C):
            x = dec.peek(16); b = 0
            while st[b + 1] <= x: b += 1
            dec.advance(st[b], st[b + 1] - st[b], 16)
            low = dec.bits(b - 1) if b > 1 else 0
            index.append(0 if b == 0 else (1 << (b - 1)) | low)
        dec.finish()
    else:
        assert i == len(seg)
    perm = list(range(n))
    key = (seed & M32, seed >> 32); words = []; blk = 0
    for ii in range(n - 1, 0, -1):
        if not words: words = list(philox((blk, 0, 0xFFFFFF00, step), key)); blk += 1
        r = words.pop(0); j = (r * (ii + 1)) >> 32
        perm[ii], perm[j] = perm[j], perm[ii]
    Cp = max(C, 1); x = np.zeros(n, np.float32)
    for c in range(Cp):
        a = c * n // Cp; e = (c + 1) * n // Cp
        z = std_normals(seed, step, c, index[c] if C else 0, e - a)
        for k in range(a, e): x[perm[k]] = mu_p[perm[k]] + f32(sigma) * z[k - a]
    return x

# ---- common.md 9
def alpha(l): return np.sqrt(f32(1) / (f32(1) + detexp(-f32(l)))).astype(np.float32)
def sigma_(l): return np.sqrt(f32(1) / (f32(1) + detexp(f32(l)))).astype(np.float32)
def posterior(lt, ls):
    at, st, as_, ss = alpha(lt), sigma_(lt), alpha(ls), sigma_(ls)
    ats = at / as_
    var = (at * at) * (detexp(-f32(lt)) - detexp(-f32(ls)))
    a = (ats * (ss * ss)) / (st * st); b = (as_ * var) / (st * st)
    c = np.sqrt((var * (ss * ss)) / (st * st)).astype(np.float32)
    return f32(a), f32(b), f32(c)
