# An independent image-lossy decoder written from docs/format.md, docs/weights-format.md,
# docs/codecs/image-lossy.md, docs/rcc.md and docs/codecs/common.md only (not from the C++ sources).
import sys, struct, zlib, hashlib, math
import numpy as np
from speccommon import *

def pixel_shuffle(u, r=2):
    C4, h, w = u.shape; c = C4 // (r * r)
    out = np.zeros((c, h * r, w * r), np.float32)
    for k in range(c):
        for i in range(r):
            for j in range(r): out[k, i::r, j::r] = u[k * r * r + i * r + j]
    return out

def pixel_unshuffle(x, r=2):
    c, H, W = x.shape
    out = np.zeros((c * r * r, H // r, W // r), np.float32)
    for k in range(c):
        for i in range(r):
            for j in range(r): out[k * r * r + i * r + j] = x[k, i::r, j::r]
    return out

class Ldm:
    def __init__(self, path):
        meta, self.T = load_model(path); self.cfg = meta['config']; self.meta = meta
    def conv(self, x, name, relu): return conv2d(x, *conv_of(self.T, name), relu)
    def res(self, t, name): return res(t, conv_of(self.T, name + '_c1'), conv_of(self.T, name + '_c2'))
    def denoise(self, x, lam):
        L, h, w = x.shape
        inp = np.concatenate([x, np.full((1, h, w), f32(lam) / f32(10), np.float32)])
        t = self.conv(inp, 'den_in', False)
        for i in range(self.cfg['den_blocks']): t = self.res(t, f'den_b{i}')
        v = self.conv(t, 'den_out', True)
        return alpha(lam) * x - sigma_(lam) * v
    def decode(self, z):
        t = self.conv(z, 'dec_in', False)
        for i in range(self.cfg['blocks3']): t = self.res(t, f'dec_r3_{i}')
        t = pixel_shuffle(self.conv(t, 'dec_up3', True)); t = self.res(t, 'dec_r2')
        t = pixel_shuffle(self.conv(t, 'dec_up2', True)); t = self.res(t, 'dec_r1')
        return pixel_shuffle(self.conv(t, 'dec_up1', True))
    def encode(self, x):
        t = self.conv(pixel_unshuffle(x), 'enc_in1', False); t = self.res(t, 'enc_r1')
        t = self.conv(pixel_unshuffle(t), 'enc_in2', True); t = self.res(t, 'enc_r2')
        t = self.conv(pixel_unshuffle(t), 'enc_in3', True)
        for i in range(self.cfg['blocks3']): t = self.res(t, f'enc_r3_{i}')
        return self.conv(t, 'enc_out', True)

def progressive(p):
    hs, i = varint(p, 0); header = p[i:i + hs]; i += hs; segs = []
    while i < len(p):
        s, i = varint(p, i); assert i + s <= len(p); segs.append(p[i:i + s]); i += s
    return header, segs

def parse_header(h, rev=1):
    assert h[0] == 1 and not h[1] & (0xFE if rev == 1 else 0xFC), 'reserved flag bits'
    seed = int.from_bytes(h[2:10], 'little'); cb = h[10]; ds = h[11]
    dend = f32(struct.unpack('<h', h[12:14])[0]) / f32(256); S = h[14]
    lams = [f32(struct.unpack('<h', h[15 + 2 * i:17 + 2 * i])[0]) / f32(256) for i in range(S + 1)]
    i = 17 + 2 * S; colour = None
    if h[1] & 1:
        colour = np.frombuffer(h[i:i + 24], '<f2').astype(np.float32); i += 24
    steps = []
    if h[1] & 2:  # revision 2: the refinement passes' steps
        P = h[i]; steps = list(h[i + 1:i + 1 + P]); i += 1 + P
        assert 1 <= P <= 16 and len(steps) == P and steps[0] in [1 << e for e in range(8)], 'step list'
        assert all(steps[j] * 2 == steps[j - 1] for j in range(1, P)), 'step list'
    assert i == len(h)
    return dict(seed=seed, cb=cb, ds=ds, dend=dend, lams=lams, colour=colour, steps=steps)

def to8(v):
    p = np.floor((v + f32(1)) * f32(127.5) + f32(0.5))
    return 0 if not p > 0 else 255 if p > 255 else int(p)

def decode(path, model):
    b, i, rev, v2 = read_dfc(path, 5)
    if rev > 2: raise SystemExit('revision %d is not implemented by this decoder' % rev)
    W, i = varint(b, i); H, i = varint(b, i); C = b[i]; i += 1
    mid, i = varint(b, i); check_model(int.from_bytes(b[i:i + 4], 'little'), model); i += 4
    payload = lossy_payload(b, header_end(b, i, v2), v2)
    net = Ldm(model); L = net.cfg['latent']
    header, segs = progressive(payload); s = parse_header(header, rev)
    S = len(s['lams']) - 1
    assert len(segs) <= S + len(s['steps']), 'more segments than steps and passes'
    segs, passes = segs[:S], segs[S:]
    h, w = (H + 7) // 8, (W + 7) // 8; n = L * h * w
    x = std_normals(s['seed'], 0, 0, 0, n)
    for k in range(1, len(segs) + 1):
        lt, ls = s['lams'][k - 1], s['lams'][k]
        z0 = net.denoise(x.reshape(L, h, w), lt).reshape(-1)
        a, bb, c = posterior(lt, ls)
        mu = a * x + bb * z0
        x = rcc_decode(segs[k - 1], mu, c, s['seed'], k, s['cb'])
    lam = s['lams'][len(segs)]
    if s['ds'] > 0 and s['dend'] > lam:
        step = (s['dend'] - lam) / f32(s['ds'])
        for i2 in range(s['ds']):
            nxt = s['dend'] if i2 + 1 == s['ds'] else lam + step * f32(i2 + 1)
            z0 = net.denoise(x.reshape(L, h, w), lam).reshape(-1)
            at, st, as_, ss = alpha(lam), sigma_(lam), alpha(nxt), sigma_(nxt); r = ss / st
            x = as_ * z0 + r * (x - at * z0); lam = nxt
    z0 = net.denoise(x.reshape(L, h, w), lam)
    img = net.decode(z0)
    if s['colour'] is not None:
        m = s['colour']; r_, g_, b_ = img[0].copy(), img[1].copy(), img[2].copy()
        for c in range(3): img[c] = ((m[4 * c + 3] + m[4 * c] * r_) + m[4 * c + 1] * g_) + m[4 * c + 2] * b_
    out = bytearray()
    for y in range(H):
        for xx in range(W):
            if C == 3: out += bytes(to8(img[c, y, xx]) for c in range(3))
            else: out.append(to8(((img[0, y, xx] + img[1, y, xx]) + img[2, y, xx]) / f32(3)))
    if passes:  # revision 2: refinement passes from the S-step image
        from refine import refine
        out = refine(out, W, H, C, passes, s['steps'])
    print(path.split('/')[-1], 'segments', len(segs) + len(passes), 'decoded CRC', decoded_crc(b, v2, bytes(out)),
          'sha', hashlib.sha256(bytes(out)).hexdigest())

if __name__ == '__main__':
    decode(sys.argv[1], sys.argv[2])
