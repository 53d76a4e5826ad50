# An independent signal-lossy decoder written from docs/format.md, docs/codecs/signal-lossy.md,
# docs/codecs/image-lossy.md (progressive framing) and docs/codecs/common.md only.
import sys, zlib, hashlib, struct, math
import numpy as np
from speccommon import *
from image_lossy import progressive

T16 = [f32(v) for v in (1.0, 1.04427378, 1.09050773, 1.13878863, 1.18920712, 1.24185781, 1.29683955,
                         1.35425555, 1.41421356, 1.47682615, 1.54221083, 1.61049033, 1.68179283,
                         1.75625216, 1.83400809, 1.91520656)]
def E(m):
    w = m // 16  # floor
    return np.ldexp(T16[m - 16 * w], w).astype(np.float32)

def band_edges(n):
    e = [0]; v = 1
    while v < n:
        e.append(v)
        if v < 4: v += 1
        elif v & (v - 1) == 0: v += v // 2
        else: v = v // 3 * 4
    e.append(n); return e

def cos_turn(m, P):
    m %= P; Q = P // 4; qq = (m + Q // 2) // Q; dd = m - qq * Q
    x = (6.283185307179586 * dd) / P; x2 = x * x
    c, s, tc, ts = 1.0, x, 1.0, x
    for i in range(1, 10):
        tc = ((-tc) * x2) / ((2 * i - 1) * (2 * i)); ts = ((-ts) * x2) / ((2 * i) * (2 * i + 1))
        c += tc; s += ts
    return [c, -s, -c, s][qq % 4]

def decode(path):
    b, i, rev, v2 = read_dfc(path, 6); only_revision_1(rev)
    frames, i = varint(b, i); C = b[i]; bd = b[i + 1]; i += 2
    ss, i = varint(b, i); side = b[i:i + ss]; i += ss
    payload = lossy_payload(b, header_end(b, i, v2), v2)
    h, segs = progressive(payload)
    assert h[0] == 1; L, cb, sq, F = h[1], h[2], h[3], h[4]
    seed, j = varint(h, 5); e0, j = varint(h, j); ln, j = varint(h, j); env_stream = h[j:j + ln]; assert j + ln == len(h)
    n = 1 << L; blocks = (frames + n - 1) // n; fb = 1 if F <= L else 1 << (F - L)
    edges = band_edges(n); bands = len(edges) - 1; ef = (blocks + fb - 1) // fb
    dec = Rans(env_stream); env = []
    for c in range(C):
        e = []
        for k in range(ef * bands):
            if k < bands: e.append(dec.bits(7))
            else:
                m = 0
                while not dec.bits(1): m += 1; assert m <= 8
                u = (1 << m) - 1 + (dec.bits(m) if m else 0)
                d = -((u + 1) // 2) if u & 1 else u // 2
                q = e[k - bands] + d; assert 0 <= q <= 127; e.append(q)
        env.append(e)
    dec.finish()
    assert len(segs) <= min(400, (e0 + 32) // sq)
    s2 = np.zeros(C * blocks * n, np.float32)
    for c in range(C):
        for bl in range(blocks):
            for band in range(bands):
                v = E(8 * env[c][(bl // fb) * bands + band])
                for k in range(edges[band], edges[band + 1]): s2[(c * blocks + bl) * n + k] = v
    Nn = len(s2)
    sig2 = lambda jj: E(2 * (e0 - jj * sq))
    y = std_normals(seed, 0, 0xFFFFFF80, 0, Nn)
    y = np.sqrt(sig2(0)).astype(np.float32) * y
    for jj in range(1, len(segs) + 1):
        nxt = sig2(jj); r = E(-2 * sq); sd = np.sqrt(nxt * (f32(1) - r)).astype(np.float32)
        w = (s2 / (s2 + sig2(jj - 1))) * y
        o = f32(1) - r
        mu = r * y + o * w
        active = np.nonzero(s2 * f32(16) >= nxt)[0]
        inactive = np.nonzero(~(s2 * f32(16) >= nxt))[0]
        xa = rcc_decode(segs[jj - 1], mu[active], sd, seed, jj, cb)
        z = std_normals(seed, jj, 0xFFFFFF80, 0, len(inactive))
        y = y.copy(); y[active] = xa; y[inactive] = mu[inactive] + sd * z
    J = len(segs)
    est = (s2 / (s2 + sig2(J))) * y
    a0, ak = math.sqrt(1.0 / n), math.sqrt(2.0 / n)
    M = np.array([[f32((a0 if k == 0 else ak) * cos_turn((2 * ii + 1) * k, 4 * n)) for ii in range(n)] for k in range(n)], np.float32)
    out = [0] * (frames * C); lo, hi = -(2 ** (bd - 1)), 2 ** (bd - 1) - 1
    for c in range(C):
        for bl in range(blocks):
            coef = est[(c * blocks + bl) * n:(c * blocks + bl + 1) * n]
            acc = np.zeros(n, np.float32)
            for k in range(n): acc = acc + M[k] * coef[k]
            for ii in range(n):
                t = bl * n + ii
                if t >= frames: break
                a = float(acc[ii]) if np.isfinite(acc[ii]) else 0.0
                out[t * C + c] = int(min(hi, max(lo, round(a))))  # Python round: ties to even
    raw = struct.pack('<%di' % len(out), *out)
    print(path.split('/')[-1], 'segments', len(segs), 'decoded CRC', decoded_crc(b, v2, raw),
          'sha', hashlib.sha256(raw + side).hexdigest())

decode(sys.argv[1])
