# An independent image-lossless decoder written from docs/format.md, docs/weights-format.md,
# docs/codecs/image-lossless.md and docs/codecs/common.md only (not from the C++ sources).
import sys, struct, zlib, hashlib
from adm import *

def decode(path, model):
    b, i, rev, v2 = read_dfc(path, 3)
    if rev > 2: raise SystemExit('revision %d is not implemented by this decoder' % rev)
    W, i = varint(b, i); H, i = varint(b, i); C = b[i]; i += 1
    mid, i = varint(b, i); fp = struct.unpack('<I', b[i:i + 4])[0]; i += 4; check_model(fp, model)
    par, i = varint(b, i); T_ = par & 0x1FFF; adapt = bool((par >> 13) & 1)
    payload = lossless_payload(b, header_end(b, i, v2))
    meta, T = load_model(model)
    print('model id', meta['model_id'], 'file id', mid, 'fp', hex(fp), 'tile', T_, 'adapt', adapt, W, H, C)
    net = (meta['config'], T)
    cols = (W + T_ - 1) // T_; rows = (H + T_ - 1) // T_
    out = bytearray(W * H * C); p = 0
    for t in range(cols * rows):
        if cols * rows > 1: ln, p = varint(payload, p)
        else: ln = len(payload)
        stream = payload[p:p + ln]; p += ln
        x0 = (t % cols) * T_; y0 = (t // cols) * T_; tw = min(T_, W - x0); th = min(T_, H - y0)
        dec = Rans(stream)
        groups = {1: [(0, 1, False)], 3: [(0, 3, False)], 4: [(0, 3, False), (3, 1, True)]}[C]
        for first, coded, alpha in groups:
            const = None
            if alpha and dec.bits(1): const = dec.bits(8)
            lev = None if const is not None else decode_group(dec, net, th, tw, coded, adapt, rev=rev)
            for y in range(th):
                for x in range(tw):
                    for c in range(coded):
                        out[((y0 + y) * W + x0 + x) * C + first + c] = const if const is not None else lev[y][x][c]
        dec.finish()
    assert p == len(payload)
    crc = zlib.crc32(bytes(out)); ok = crc == int.from_bytes(b[-4:], 'little')
    print(path.split('/')[-1], 'CRC', 'OK' if ok else 'MISMATCH', hashlib.sha256(bytes(out)).hexdigest())

decode(sys.argv[1], sys.argv[2])
