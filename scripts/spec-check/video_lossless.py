# An independent video-lossless decoder written from docs/format.md, docs/codecs/video-lossless.md,
# image-lossless.md and common.md only (not from the C++ sources).
import sys, zlib, hashlib, struct
from adm import *

def decode_field(dec, cols, rows):
    """Motion mode 2's field: per block (vx, vy, filter) in quarter pixels."""
    from match import read_flag  # the same binary symbol: a 1 is [0, P)
    p = [32768] * 34
    def flag(ctx):
        bit = read_flag(dec, min(max(p[ctx], 64), 65472))
        p[ctx] += ((65536 if bit else 0) - p[ctx]) >> 4
        return bit
    ctx = lambda comp, b: 16 * comp + min(b, 15)
    field = []; last = 0
    for r in range(rows):
        for c in range(cols):
            v = [0, 0]
            for comp in range(2):
                q = field[-1][comp] if c > 0 else field[-cols][comp] if r > 0 else 0
                d = 0
                if not flag(ctx(comp, 0)):
                    neg = flag(ctx(comp, 1)); i = 0
                    while flag(ctx(comp, 2 + i)):
                        i += 1
                        assert i < 123, 'vector magnitude'
                    d = -(i + 1) if neg else i + 1
                v[comp] = q + d
                assert -60 <= v[comp] <= 63, 'vector out of range'
            filt = 0
            if v[0] & 3 or v[1] & 3: filt = flag(32 + last); last = filt
            field.append((v[0], v[1], filt))
    dec.finish()
    return field

TAPS = [[0, 0, 0, 64, 0, 0, 0, 0], [-1, 4, -10, 58, 17, -5, 1, 0], [-1, 4, -11, 40, 40, -11, 4, -1], [0, 1, -5, 17, 58, -10, 4, -1]]

def qpel(P, pw, ph, y, x, vx, vy, filt):
    ix, fx, iy, fy = vx >> 2, vx & 3, vy >> 2, vy & 3
    Y, X = y + iy, x + ix
    at = lambda a, b: P[min(max(a, 0), ph - 1) * pw + min(max(b, 0), pw - 1)]
    if fx == 0 and fy == 0: return at(Y, X)
    if filt == 0:
        A, B_, C, D = at(Y, X), at(Y, X + 1), at(Y + 1, X), at(Y + 1, X + 1)
        return ((4 - fx) * (4 - fy) * A + fx * (4 - fy) * B_ + (4 - fx) * fy * C + fx * fy * D + 8) >> 4
    h = lambda a: sum(TAPS[fx][i] * at(a, X + i - 3) for i in range(8))
    if fy == 0: v = (h(Y) + 32) >> 6
    elif fx == 0: v = (sum(TAPS[fy][k] * at(Y + k - 3, X) for k in range(8)) + 32) >> 6
    else: v = (sum(TAPS[fy][k] * h(Y + k - 3) for k in range(8)) + 2048) >> 12
    return min(max(v, 0), 255)

def decode(path, model):
    b, i, rev, v2 = read_dfc(path, 7)
    if rev > 2: raise SystemExit('revision %d is not implemented by this decoder' % rev)
    W, i = varint(b, i); H, i = varint(b, i); chroma = b[i]; i += 1
    frames, i = varint(b, i); ss, i = varint(b, i); side = b[i:i + ss]; i += ss
    mid, i = varint(b, i); check_model(int.from_bytes(b[i:i + 4], 'little'), model); i += 4
    par, i = varint(b, i); tile = par & 0x1FFF; adapt = bool((par >> 13) & 1)
    keyint, i = varint(b, i)
    payload = lossless_payload(b, header_end(b, i, v2))
    meta, T = load_model(model); net = (meta['config'], T)
    p = 0; idx = []
    for _ in range(frames):
        s, p = varint(payload, p); crc = int.from_bytes(payload[p:p + 4], 'little'); p += 4; idx.append((s, crc))
    planes = [(W, H)] + [((W + 1) // 2, (H + 1) // 2) if chroma == 0 else (W, H)] * 2
    prev = None; allout = bytearray(); states = None
    for f in range(frames):
        data = payload[p:p + idx[f][0]]; p += idx[f][0]; q = 0
        ref = None
        if f % keyint == 0: states = {}  # revision 2: every carried state ends at a keyframe
        else:
            mode = data[q]; q += 1; assert mode <= (2 if rev == 2 else 1), 'motion mode'
            ref = [list(pl) for pl in prev]
            cols, rows = (W + 15) // 16, (H + 15) // 16
            if mode == 1:
                mv = []
                for _ in range(cols * rows):
                    v = data[q]; q += 1; mv.append(((v >> 4) - 8, (v & 15) - 8))
                for pi, (pw, ph) in enumerate(planes):
                    half = pi > 0 and chroma == 0; B = 8 if half else 16
                    for y in range(ph):
                        for x in range(pw):
                            dx, dy = mv[min(y // B, rows - 1) * cols + min(x // B, cols - 1)]
                            if half: dx >>= 1; dy >>= 1
                            ref[pi][y * pw + x] = prev[pi][min(max(y + dy, 0), ph - 1) * pw + min(max(x + dx, 0), pw - 1)]
            elif mode == 2:
                ln, q = varint(data, q); assert q + ln <= len(data), 'truncated field'
                field = decode_field(Rans(data[q:q + ln]), cols, rows); q += ln
                for pi, (pw, ph) in enumerate(planes):
                    half = pi > 0 and chroma == 0; B = 8 if half else 16
                    for y in range(ph):
                        for x in range(pw):
                            vx, vy, filt = field[min(y // B, rows - 1) * cols + min(x // B, cols - 1)]
                            if half: vx >>= 1; vy >>= 1
                            ref[pi][y * pw + x] = qpel(prev[pi], pw, ph, y, x, vx, vy, filt)
        cur = []; t = 0
        for pi, (pw, ph) in enumerate(planes):
            plane = [0] * (pw * ph)
            for y0 in range(0, ph, tile):
                for x0 in range(0, pw, tile):
                    tw, th = min(tile, pw - x0), min(tile, ph - y0)
                    ln, q = varint(data, q); stream = data[q:q + ln]; q += ln
                    pl = None
                    if ref is not None:
                        pl = [[[ref[pi][(y0 + y) * pw + x0 + x]] * 3 for x in range(tw)] for y in range(th)]
                    if rev == 2 and ln == 0:  # revision 2: a copied tile
                        assert ref is not None, 'empty tile stream in a keyframe'
                        for y in range(th):
                            for x in range(tw): plane[(y0 + y) * pw + x0 + x] = pl[y][x][0]
                        t += 1; continue
                    dec = Rans(stream)
                    if rev == 2 and ref is not None:
                        st_ = states.setdefault(t, {'mm': None, 'ad': None})
                        lev = decode_group(dec, net, th, tw, 1, adapt, pl, rev=2, state=st_)
                    else:
                        lev = decode_group(dec, net, th, tw, 1, adapt, pl, rev=rev)
                    dec.finish(); t += 1
                    for y in range(th):
                        for x in range(tw): plane[(y0 + y) * pw + x0 + x] = lev[y][x][0]
            cur.append(plane)
        assert q == len(data)
        fb = bytes(cur[0] + cur[1] + cur[2])
        assert zlib.crc32(fb) == idx[f][1], 'frame crc'
        allout += fb; prev = cur
    ok = zlib.crc32(bytes(allout)) == int.from_bytes(b[-4:], 'little')
    print(path.split('/')[-1], 'CRC', 'OK' if ok else 'MISMATCH', hashlib.sha256(bytes(allout) + side).hexdigest())

decode(sys.argv[1], sys.argv[2])
