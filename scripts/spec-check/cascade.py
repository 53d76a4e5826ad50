# signal-lossless revision 2: the adaptive coder and the prediction cascade, written from
# docs/codecs/signal-lossless.md ("Revision 2 (normative)") only.
import numpy as np
from speccommon import Dist, set_weights, set_component, f32, Adapter

def clampL(v, L): return min(max(v, -L), L)
def sat16(v): return min(max(v, -32768), 32767)
def sgn(v): return (v > 0) - (v < 0)
def s16(v): v &= 0xFFFF; return v - 65536 if v >= 32768 else v
def s32(v): v &= 0xFFFFFFFF; return v - (1 << 32) if v >= 1 << 31 else v

def adaptive_block(dec, C, n, decode_residual):
    """The adaptive coder of one block: residuals r[t][c], frame-major."""
    m = [16] * C; a = [0] * C
    ad = Adapter(3, 2)
    r_out = [[0] * n for _ in range(C)]
    for t in range(n):
        for c in range(C):
            mp = max(m[c], 2); sp = (mp * 739) >> 14
            b = min(32, max(0, sp.bit_length() - 2))
            d = Dist(1); set_weights(d, [f32(0)])
            mu = np.float32(2.0 ** -b / 2 - 0.5 + 128)
            inv = np.float32(22.1807097779182 * 2.0 ** b / mp)
            set_component(d, 0, mu, inv)
            k = 0 if 32 * a[c] < m[c] else 1 if 16 * a[c] <= 2 * m[c] else 2
            ci = ad.apply(k, min(c, 1), d)
            r = decode_residual(dec, d, b, 0)
            ad.update(ci, min(max((r >> b) + 128, 0), 255))
            r_out[c][t] = r
            m[c] = m[c] + min(abs(r), 1 << 36) - (m[c] >> 4); a[c] = min(abs(r), 1 << 36)
    return r_out

class NLMS:
    def __init__(self, N, mu): self.N = N; self.mu = mu; self.w = [0] * N; self.h = [0] * N; self.E = 0
    def predict(self): return (sum(w * h for w, h in zip(self.w, self.h)) + (1 << 13)) >> 14
    def adapt(self, err):
        e = clampL(err, 1 << 26); num = e * (1 << (30 - self.mu)); den = self.E + 16 * self.N + 1
        f = abs(num) // den * (1 if num >= 0 else -1)  # rounding toward zero
        f = clampL(f, 1 << 30)
        self.w = [clampL(w + ((f * h) >> 16), 1 << 24) for w, h in zip(self.w, self.h)]
    def push(self, v):
        v = clampL(v, 1 << 26); self.E += v * v - self.h[0] * self.h[0]
        self.h = self.h[1:] + [v]

class SignLMS:
    def __init__(self, N, g, ds): self.N = N; self.g = g; self.ds = ds; self.w = [0] * N; self.h = [0] * N; self.a = [0] * N; self.A = 0
    def predict(self):
        s = s32(sum(w * h for w, h in zip(self.w, self.h)))
        return (s * (1 << self.ds) + (1 << (self.g - 1))) >> self.g
    def adapt(self, err):
        if err > 0: self.w = [s16(w + a) for w, a in zip(self.w, self.a)]
        elif err < 0: self.w = [s16(w - a) for w, a in zip(self.w, self.a)]
    def push(self, v):
        d = v >> self.ds; u = min(abs(d), 1 << 30)
        step = 32 if u > 3 * self.A else 16 if 3 * u > 4 * self.A else 8 if u > 0 else 0
        self.A = self.A + ((u - self.A) >> 4)
        self.h = self.h[1:] + [sat16(d)]; self.a = self.a[1:] + [sgn(d) * step]
        for back in (1, 2, 8):
            i = self.N - 1 - back
            if i >= 0: self.a[i] >>= 1

class Null:
    def predict(self): return 0
    def adapt(self, e): pass
    def push(self, v): pass

PROFILES = {  # (N, mu), (G, g), (H, h), X, mix, bias
    1: ((16, 4), None, (16, 11), 2, 1, 1),
    2: ((16, 4), (256, 13), (16, 11), 2, 1, 1),
    3: ((32, 5), None, None, 0, 0, 1),
    4: ((16, 4), (1024, 15), (16, 11), 2, 1, 1),
    5: ((32, 4), (256, 13), (16, 11), 2, 1, 1),
    6: (None, None, None, 0, 0, 1),
}

class Channel:
    def __init__(self, c, P, S, Dp):
        nl, lg, sh, X, self.mix, self.bias = PROFILES[P]
        ds = max(0, Dp - 16)
        self.last = 0
        self.nlms = NLMS(*nl) if nl else Null()
        self.stereo = NLMS(2, 5) if c > 0 and S else Null()
        self.long = SignLMS(lg[0], lg[1], ds) if lg else Null()
        self.short = SignLMS(sh[0], sh[1], ds) if sh else Null()
        self.cross = SignLMS(X, 12, ds) if c > 0 and X else Null()
        self.has_stereo = c > 0 and S; self.has_cross = c > 0 and X > 0
        self.b = [0, 0, 0]; self.prev = 0; self.w = [4096] * 4

def cascade(r, C, F, P, S, Dp):
    """r[c][t] residuals -> samples x[c][t] (working depth Dp)."""
    lo, hi = -(1 << (Dp - 1)), (1 << (Dp - 1)) - 1; plim = 1 << (Dp + 1); mod = 1 << Dp
    wrap = lambda v: ((v - lo) % mod) + lo
    x = [[0] * F for _ in range(C)]
    if P == 0:
        for c in range(C):
            for t in range(F): x[c][t] = wrap(r[c][t])
        return x
    ch = [Channel(c, P, S, Dp) for c in range(C)]
    for t in range(F):
        for c in range(C):
            s = ch[c]
            p0 = (31 * s.last) >> 5
            pS = clampL(s.stereo.predict(), plim); pN = clampL(s.nlms.predict(), plim)
            pG = clampL(s.long.predict(), plim); pH = clampL(s.short.predict(), plim); pX = clampL(s.cross.predict(), plim)
            k = 0 if s.prev < 0 else 1 if s.prev == 0 else 2
            pB = (s.b[k] + 128) >> 8 if s.bias else 0
            if s.mix > 0: T = p0 + pS + ((s.w[0] * pN + s.w[1] * pG + s.w[2] * pH + s.w[3] * pX + 2048) >> 12) + pB
            else: T = p0 + pS + pN + pG + pH + pX + pB
            Pr = min(max(T, lo), hi)
            v = wrap(r[c][t] + Pr); x[c][t] = v
            # Update(c, v)
            if s.mix > 0:
                e = v - T
                if e != 0:
                    for i, p in enumerate((pN, pG, pH, pX)):
                        if p != 0:
                            s.w[i] = clampL(s.w[i] + (s.mix if sgn(e) == sgn(p) else -s.mix), 1 << 15)
            s0 = v - p0; s1 = s0 - pS; s2 = s1 - pN; s3 = s2 - pG; s4 = s3 - pH; s5 = s4 - pX
            s.stereo.adapt(s1)
            if c + 1 < C and ch[c + 1].has_stereo: ch[c + 1].stereo.push(s0)
            s.nlms.adapt(s2); s.nlms.push(s1); s.long.adapt(s3); s.long.push(s2); s.short.adapt(s4); s.short.push(s3)
            s.cross.adapt(s5)
            if c + 1 < C and ch[c + 1].has_cross: ch[c + 1].cross.push(s5)
            if s.bias: s.b[k] += (clampL(s5, 1 << 40) * 256 - s.b[k]) >> 5
            s.prev = s5; s.last = v
    return x
