# image-lossy revision 2: the refinement passes in pixel space, written from
# docs/codecs/image-lossy.md ("Revision 2: refinement passes in pixel space") only.
from speccommon import Rans, varint

SHIFT = [min(7, next(s for s in range(1, 17) if (n + 1) >> s == 0)) for n in range(256)]

class Bit:
    __slots__ = ('p0', 'n')
    def __init__(self): self.p0 = 32768; self.n = 0

def read_bit(dec, m):
    f0 = min(max(m.p0, 64), 65472)
    if dec.peek(16) < f0: dec.advance(0, f0, 16); bit = 0
    else: dec.advance(f0, 65536 - f0, 16); bit = 1
    s = SHIFT[m.n]
    if bit: m.p0 -= m.p0 >> s
    else: m.p0 += (65536 - m.p0) >> s
    m.n = min(m.n + 1, 255)
    return bit

def clamp(v): return min(max(v, 0), 255)
def med(a, b, c):
    if c >= max(a, b): return min(a, b)
    if c <= min(a, b): return max(a, b)
    return a + b - c
def sign3(v): return 0 if v < 0 else 1 if v == 0 else 2
def inv(e): e = min(e, 4095); return (1 << 26) // (e * e + 16)
def bucket8(a): return 0 if a == 0 else 1 if a <= 2 else 2 if a <= 4 else 3 if a <= 7 else 4 if a <= 11 else 5 if a <= 17 else 6 if a <= 29 else 7
def bucket5(a): return 0 if a == 0 else 1 if a == 1 else 2 if a <= 3 else 3 if a <= 7 else 4

class State:
    """rec: the current 8-bit image (interleaved), lo/hi: the intervals, pred0, from pass 0 on."""
    def __init__(self, rec, W, H, C):
        self.rec = rec; self.W = W; self.H = H; self.C = C
        self.lo = self.hi = self.pred0 = None

def bands(seg, H):
    p = 0; out = []
    for y0 in range(0, H, 64):
        n, p = varint(seg, p)
        if p + n > len(seg): raise ValueError('truncated')
        out.append((y0, min(H, y0 + 64), seg[p:p + n])); p += n
    if p != len(seg): raise ValueError('corrupt: bytes after the last band')
    return out

def nb(e, x, y, W, stride):
    """2 e(W) + 2 e(N) + e(NW) + e(NE) of a per-sample array (this channel), inside the image."""
    s = 0
    if x > 0: s += 2 * e[y * stride + x - 1]
    if y > 0:
        s += 2 * e[(y - 1) * stride + x]
        if x > 0: s += e[(y - 1) * stride + x - 1]
        if x + 1 < W: s += e[(y - 1) * stride + x + 1]
    return s

def pass0(st, seg, D):
    W, H, C = st.W, st.H, st.C
    order = [1, 0, 2] if C == 3 else [0]
    pre = st.rec[:]; rec = st.rec
    st.lo = [0] * len(rec); st.hi = [0] * len(rec); st.pred0 = [0] * len(rec)
    K = len(order)
    # per channel k: errors of each prediction, |v - P|, q (arrays over pixels)
    errs = [[[0] * (W * H) for _ in range(5 if k == 0 else 10)] for k in range(K)]
    eP = [[0] * (W * H) for _ in range(K)]
    qs = [[0] * (W * H) for _ in range(K)]
    zero = [Bit() for _ in range(360)]; sign = [Bit() for _ in range(27)]; mag = [Bit() for _ in range(72 * 8)]
    for y0, y1, stream in bands(seg, H):
        dec = Rans(stream)
        for y in range(y0, y1):
            for x in range(W):
                g = None; gnew = None; qg = 0
                for k, ci in enumerate(order):
                    at = lambda xx, yy, arr=rec: arr[(yy * W + xx) * C + ci]
                    i = (y * W + x) * C + ci; pix = y * W + x
                    b = pre[i]
                    w = at(x - 1, y) if x > 0 else (at(x, y - 1) if y > 0 else b)
                    n = at(x, y - 1) if y > 0 else w
                    nw = at(x - 1, y - 1) if x > 0 and y > 0 else n
                    ne = at(x + 1, y - 1) if y > 0 and x + 1 < W else n
                    bw = pre[(y * W + x - 1) * C + ci] if x > 0 else b
                    bn = pre[((y - 1) * W + x) * C + ci] if y > 0 else b
                    p = [b, med(w, n, nw), clamp(b + ((w - bw) + (n - bn)) // 2), (w + ne + 1) >> 1, clamp(w + n - nw)]
                    if k == 0: g = p[:]
                    else: p += [clamp(p[j] + gnew - g[j]) for j in range(5)]
                    ws = [inv(nb(errs[k][j], x, y, W, W)) for j in range(len(p))]
                    sw = sum(ws); P = (sum(wj * pj for wj, pj in zip(ws, p)) + sw // 2) // sw
                    act = bucket8(nb(eP[k], x, y, W, W) // D)
                    ex = x + 1 if x + 1 < W else x; wx = x - 1 if x > 0 else x
                    ny = y - 1 if y > 0 else y; sy = y + 1 if y + 1 < H else y
                    t = abs(pre[(y * W + ex) * C + ci] - pre[(y * W + wx) * C + ci]) + abs(pre[(sy * W + x) * C + ci] - pre[(ny * W + x) * C + ci])
                    tex = bucket5(t // D)
                    gb = min(abs(qg), 2)  # qg = 0 for the guide itself
                    qW = qs[k][pix - 1] if x > 0 else 0; qN = qs[k][pix - W] if y > 0 else 0
                    zc = ((3 * k + gb) * 8 + act) * 5 + tex
                    sc = (3 * k + sign3(qg)) * 3 + sign3(qW + qN)
                    mc = (3 * k + gb) * 8 + act
                    q = 0
                    if read_bit(dec, zero[zc]):
                        neg = read_bit(dec, sign[sc])
                        M = 0
                        while M < 14 and read_bit(dec, mag[8 * mc + min(M, 7)]): M += 1
                        if M == 14:
                            nbits = 0
                            while dec.bits(1):
                                nbits += 1
                                if nbits > 8: raise ValueError('corrupt: Exp-Golomb')
                            bits = 0
                            for _ in range(nbits): bits = (bits << 1) | dec.bits(1)
                            V = (1 << nbits) | bits; M = 14 + V - 1
                        q = -(M + 1) if neg else M + 1
                        if abs(q) > 255: raise ValueError('corrupt: |q| > 255')
                    lo = P + q * D - D // 2; hi = lo + D - 1
                    if lo > 255 or hi < 0: raise ValueError('corrupt: interval outside 0..255')
                    lo = max(lo, 0); hi = min(hi, 255)
                    v = (lo + hi + 1) >> 1
                    if q > 0: v = max(lo, v - 3 * D // 16)
                    if q < 0: v = min(hi, v + 3 * D // 16)
                    rec[i] = v; st.lo[i] = lo; st.hi[i] = hi; st.pred0[i] = P
                    qs[k][pix] = q; eP[k][pix] = abs(v - P)
                    for j in range(len(p)): errs[k][j][pix] = abs(v - p[j])
                    if k == 0: gnew = v; qg = q
        dec.finish()

def pass_split(st, seg):
    W, H, C = st.W, st.H, st.C
    order = [1, 0, 2] if C == 3 else [0]; K = len(order)
    rec = st.rec
    errs = [[[0] * (W * H) for _ in range(3)] for _ in range(K)]
    eP = [[0] * (W * H) for _ in range(K)]
    models = [Bit() for _ in range(288)]
    for y0, y1, stream in bands(seg, H):
        dec = Rans(stream)
        for y in range(y0, y1):
            for x in range(W):
                gm = 0; gbit = None
                for k, ci in enumerate(order):
                    i = (y * W + x) * C + ci; pix = y * W + x
                    at = lambda xx, yy: rec[(yy * W + xx) * C + ci]
                    cur = rec[i]
                    w = at(x - 1, y) if x > 0 else cur
                    n = at(x, y - 1) if y > 0 else cur
                    e = at(x + 1, y) if x + 1 < W else cur
                    s = at(x, y + 1) if y + 1 < H else cur
                    nw = at(x - 1, y - 1) if x > 0 and y > 0 else n
                    r = [w + n + e + s + gm, 4 * st.pred0[i] + gm, 4 * med(w, n, nw) + gm]
                    ws = [inv(nb(errs[k][j], x, y, W, W) // 4) for j in range(3)]
                    sw = sum(ws); P4 = (2 * sum(wj * rj for wj, rj in zip(ws, r)) + sw) // (2 * sw)
                    eb = nb(eP[k], x, y, W, W)
                    lo, hi = st.lo[i], st.hi[i]
                    bit = None
                    if lo != hi:
                        wd = hi - lo + 1; mid = lo + wd // 2
                        off = min(max((P4 - (4 * mid - 2)) // wd, -4), 3)
                        a = eb // (4 * wd)
                        act = 0 if a == 0 else 1 if a <= 2 else 2 if a <= 5 else 3
                        gc = 0 if k == 0 else (0 if gbit is None else 1 + gbit)
                        bit = read_bit(dec, models[((3 * k + gc) * 8 + off + 4) * 4 + act])
                        if bit: lo = mid
                        else: hi = mid - 1
                        c = (lo + hi + 1) >> 1
                        t4 = min(max(P4, 4 * lo), 4 * hi)
                        rec[i] = c + (t4 - 4 * c) // 16
                        st.lo[i], st.hi[i] = lo, hi
                    v = rec[i]
                    for j in range(3): errs[k][j][pix] = min(abs(4 * v - r[j]), 32767)
                    eP[k][pix] = min(abs(4 * v - P4), 32767)
                    if k == 0: gm_new = v - cur; gbit = bit
                    if k == 0: gm = 4 * gm_new
        dec.finish()

def refine(rec, W, H, C, segs, steps):
    """Applies the refinement segments (pass j with step steps[j]) to the 8-bit image rec."""
    st = State(list(rec), W, H, C)
    for j, seg in enumerate(segs):
        if j == 0: pass0(st, seg, steps[0])
        else: pass_split(st, seg)
    return bytes(st.rec)
