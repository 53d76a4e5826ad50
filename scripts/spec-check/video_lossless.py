# An independent video-lossless decoder written from docs/format.md, docs/codecs/video-lossless.md,
# image-lossless.md and common.md only (not from the C++ sources).
import sys, zlib, hashlib, struct
from adm import *

def decode(path, model):
    b, i, rev, v2 = read_dfc(path, 7); only_revision_1(rev)
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
    prev = None; allout = bytearray()
    for f in range(frames):
        data = payload[p:p + idx[f][0]]; p += idx[f][0]; q = 0
        ref = None
        if f % keyint:
            mode = data[q]; q += 1; assert mode <= 1
            ref = [list(pl) for pl in prev]
            if mode == 1:
                cols, rows = (W + 15) // 16, (H + 15) // 16; mv = []
                for _ in range(cols * rows):
                    v = data[q]; q += 1; mv.append(((v >> 4) - 8, (v & 15) - 8))
                for pi, (pw, ph) in enumerate(planes):
                    half = pi > 0 and chroma == 0; B = 8 if half else 16
                    for y in range(ph):
                        for x in range(pw):
                            dx, dy = mv[min(y // B, rows - 1) * cols + min(x // B, cols - 1)]
                            if half: dx >>= 1; dy >>= 1
                            ref[pi][y * pw + x] = prev[pi][min(max(y + dy, 0), ph - 1) * pw + min(max(x + dx, 0), pw - 1)]
        cur = []
        for pi, (pw, ph) in enumerate(planes):
            plane = [0] * (pw * ph)
            for y0 in range(0, ph, tile):
                for x0 in range(0, pw, tile):
                    tw, th = min(tile, pw - x0), min(tile, ph - y0)
                    ln, q = varint(data, q); stream = data[q:q + ln]; q += ln
                    pl = None
                    if ref is not None:
                        pl = [[[ref[pi][(y0 + y) * pw + x0 + x]] * 3 for x in range(tw)] for y in range(th)]
                    dec = Rans(stream)
                    lev = decode_group(dec, net, th, tw, 1, adapt, pl)
                    dec.finish()
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
