# An independent video-lossy decoder written from docs/format.md, docs/codecs/video-lossy.md,
# image-lossy.md, video-lossless.md and common.md only (not from the C++ sources).
import sys, zlib, hashlib, struct
import numpy as np
from speccommon import *
from image_lossy import Ldm, progressive, parse_header

FREQ = [1, 1, 1, 1, 1, 1, 1, 1, 2, 6, 18, 60, 199, 660, 2190, 660, 199, 60, 18, 6, 2, 1, 1, 1, 1, 1, 1, 1, 1]
CDF = [0]
for fq in FREQ: CDF.append(CDF[-1] + fq)
assert CDF[-1] == 4096

def to8(v):
    r = np.floor(v + f32(0.5))
    return 0 if not r > 0 else 255 if r > 255 else int(r)

def frame_to_planes(Y, U, V, W, H, cw, sub, H8, W8):
    out = np.zeros((3, H8, W8), np.float32)
    for y in range(H8):
        sy = min(y, H - 1)
        for x in range(W8):
            sx = min(x, W - 1); ci = (sy >> sub) * cw + (sx >> sub)
            Yf = f32(1.164383) * (f32(Y[sy * W + sx]) - f32(16)); u = f32(U[ci]) - f32(128); v = f32(V[ci]) - f32(128)
            rgb = (Yf + f32(1.596027) * v, (Yf - f32(0.391762) * u) - f32(0.812968) * v, Yf + f32(2.017232) * u)
            for c in range(3): out[c, y, x] = min(max(rgb[c], f32(0)), f32(255)) / f32(127.5) - f32(1)
    return out

def planes_to_frame(img, W, H, chroma):
    def yuv(x, y):
        r, g, b = [(img[c, y, x] + f32(1)) * f32(127.5) for c in range(3)]
        return (((f32(16) + f32(0.256788) * r) + f32(0.504129) * g) + f32(0.097906) * b,
                ((f32(128) - f32(0.148223) * r) - f32(0.290993) * g) + f32(0.439216) * b,
                ((f32(128) + f32(0.439216) * r) - f32(0.367788) * g) - f32(0.071427) * b)
    Y = [0] * (W * H)
    if chroma == 1:
        U = [0] * (W * H); V = [0] * (W * H)
    for y in range(H):
        for x in range(W):
            v = yuv(x, y); Y[y * W + x] = to8(v[0])
            if chroma == 1: U[y * W + x] = to8(v[1]); V[y * W + x] = to8(v[2])
    if chroma == 0:
        cw, ch = (W + 1) // 2, (H + 1) // 2; U = [0] * (cw * ch); V = [0] * (cw * ch)
        for cy in range(ch):
            for cx in range(cw):
                su = sv = f32(0); n = 0
                for dy in range(2):
                    for dx in range(2):
                        x, y = 2 * cx + dx, 2 * cy + dy
                        if x >= W or y >= H: continue
                        v = yuv(x, y); su = su + v[1]; sv = sv + v[2]; n += 1
                U[cy * cw + cx] = to8(su / f32(n)); V[cy * cw + cx] = to8(sv / f32(n))
    return Y, U, V

def decode(path, model):
    b, i, rev, v2 = read_dfc(path, 8); only_revision_1(rev)
    W, i = varint(b, i); H, i = varint(b, i); chroma = b[i]; i += 1
    frames, i = varint(b, i); ss, i = varint(b, i); side = b[i:i + ss]; i += ss
    mid, i = varint(b, i); check_model(int.from_bytes(b[i:i + 4], 'little'), model); i += 4; keyint, i = varint(b, i)
    payload = lossy_payload(b, header_end(b, i, v2), v2)
    hs, p = varint(payload, 0); s = parse_header(payload[p:p + hs]); p += hs
    assert s['colour'] is None and s['ds'] == 0
    idx = []
    for _ in range(frames):
        sz, p = varint(payload, p); crc = int.from_bytes(payload[p:p + 4], 'little'); p += 4; idx.append((sz, crc))
    net = Ldm(model); L = net.cfg['latent']; h, w = (H + 7) // 8, (W + 7) // 8; n = L * h * w
    cw, chh = ((W + 1) // 2, (H + 1) // 2) if chroma == 0 else (W, H); sub = 1 if chroma == 0 else 0
    x0 = std_normals(s['seed'], 0, 0, 0, n); d0 = net.denoise(x0.reshape(L, h, w), s['lams'][0]).reshape(-1)
    prev = None; allout = bytearray()
    for f in range(frames):
        data = payload[p:p + idx[f][0]]; p += idx[f][0]; assert zlib.crc32(data) == idx[f][1]
        header, segs = progressive(data)
        x = x0.copy(); d = d0.copy(); ref = None
        if f % keyint:
            w0, mode = header[0], header[1]; assert w0 <= 64 and mode <= 1
            Y, U, V = prev
            if mode == 1:
                dec = Rans(header[2:]); cols, rows = (W + 15) // 16, (H + 15) // 16
                dx = [0] * (cols * rows); dy = [0] * (cols * rows)
                for bl in range(cols * rows):
                    for comp in (dx, dy):
                        v = dec.peek(12); sym = 0
                        while CDF[sym + 1] <= v: sym += 1
                        dec.advance(CDF[sym], FREQ[sym], 12)
                        P = comp[bl - 1] if bl % cols else (comp[bl - cols] if bl >= cols else 0)
                        c = sym - 14 + P; assert -7 <= c <= 7; comp[bl] = c
                dec.finish()
                moved = []
                for pi, (pl, pw, ph) in enumerate([(Y, W, H), (U, cw, chh), (V, cw, chh)]):
                    half = pi > 0 and chroma == 0; B = 8 if half else 16; o = [0] * (pw * ph)
                    for yy in range(ph):
                        for xx in range(pw):
                            bi = min(yy // B, rows - 1) * cols + min(xx // B, cols - 1)
                            ddx, ddy = dx[bi], dy[bi]
                            if half: ddx >>= 1; ddy >>= 1
                            o[yy * pw + xx] = pl[min(max(yy + ddy, 0), ph - 1) * pw + min(max(xx + ddx, 0), pw - 1)]
                    moved.append(o)
                Y, U, V = moved
            else:
                assert len(header) == 2
            ref = net.encode(frame_to_planes(Y, U, V, W, H, cw, sub, 8 * h, 8 * w)).reshape(-1)
            zh = d + (f32(w0) / f32(64)) * (ref - d)
        else:
            assert len(header) == 0; zh = d
        for k in range(1, len(segs) + 1):
            seg = segs[k - 1]
            if ref is not None: wk = seg[0]; assert wk <= 64; seg = seg[1:]
            a, bb, c = posterior(s['lams'][k - 1], s['lams'][k])
            mu = a * x + bb * zh
            x = rcc_decode(seg, mu, c, s['seed'], k, s['cb'])
            d = net.denoise(x.reshape(L, h, w), s['lams'][k]).reshape(-1)
            zh = d + (f32(wk) / f32(64)) * (ref - d) if ref is not None else d
        img = net.decode(zh.reshape(L, h, w))
        Y, U, V = planes_to_frame(img, W, H, chroma)
        prev = (Y, U, V); allout += bytes(Y + U + V)
    print(path.split('/')[-1], 'decoded CRC', decoded_crc(b, v2, bytes(allout)),
          'sha', hashlib.sha256(bytes(allout) + side).hexdigest())

decode(sys.argv[1], sys.argv[2])
