# The image-lossless core (also used by video-lossless), an independent decoder written from docs/format.md, docs/weights-format.md,
# docs/codecs/image-lossless.md and docs/codecs/common.md only (not from the C++ sources).
import sys, struct, zlib, hashlib
import numpy as np
from speccommon import *

# ---- image-lossless.md
R = f32(1) / f32(127.5)
def N(v): return f32(v) * R - f32(1)
PH = [(0, 0), (1, 1), (0, 1), (1, 0)]

def predictor(stage, y, x, c, H, W, px):
    nb = [(-1, -1), (-1, 1), (1, -1), (1, 1)] if stage == 0 else [(-1, 0), (1, 0), (0, -1), (0, 1)]
    s = n = 0
    for dy, dx in nb:
        yy, xx = y + dy, x + dx
        if 0 <= yy < H and 0 <= xx < W: s += px[yy][xx][c]; n += 1
    return (2 * s + n) // (2 * n)

def down(lev):
    H, W = len(lev), len(lev[0])
    return [[lev[2 * i][2 * j] for j in range((W + 1) // 2)] for i in range((H + 1) // 2)]

def decode_group(dec, net, H0, W0, coded, adapt, prev=None, rev=1, state=None):
    """state (video-lossless revision 2, predicted frames): the tile's carried temporal model and
    adapter ({'mm': ..., 'ad': ...}, None entries for a fresh start), updated in place."""
    cfg, T = net; K = cfg['mixtures']; video = cfg.get('extra_trunk_inputs', 0) > 0
    mm = None
    if state is not None:
        from match import TemporalModel
        mm = state['mm'] or TemporalModel(coded)
    elif rev >= 2:  # revision 2: the neighbour colour model (small groups: a raw bit chooses)
        from match import Model, SMALL_GROUP_PIXELS
        if H0 * W0 > SMALL_GROUP_PIXELS or dec.bits(1): mm = Model(coded)
    prevs = [prev] if prev is not None else None
    sizes = [(H0, W0)]
    while sizes[-1] != (1, 1): sizes.append(((sizes[-1][0] + 1) // 2, (sizes[-1][1] + 1) // 2))
    base = [dec.bits(8) for _ in range(coded)]
    if coded == 1: base = base * 3
    coarse = [[base]]
    ad = Adapter(3, 3) if adapt else None
    if state is not None:
        ad = state['ad'] or ad; state['mm'] = mm; state['ad'] = ad
    if prevs is not None:
        while len(prevs) < len(sizes): prevs.append(down(prevs[-1]))
    for l in range(len(sizes) - 2, -1, -1):
        H, W = sizes[l]; h, w = (H + 1) // 2, (W + 1) // 2
        lev = [[None] * W for _ in range(H)]
        for i in range(h):
            for j in range(w): lev[2 * i][2 * j] = list(coarse[i][j])
        tin = np.zeros((3, h, w), np.float32)
        for c in range(3):
            for i in range(h):
                for j in range(w): tin[c, i, j] = N(lev[2 * i][2 * j][c])
        if video:
            pl = prevs[l] if prevs is not None else None
            ph = np.zeros((12, h, w), np.float32)
            if pl is not None:
                for p in range(4):
                    dy, dx = PH[p]
                    for i in range(h):
                        for j in range(w):
                            if 2 * i + dy < H and 2 * j + dx < W:
                                for c in range(3): ph[3 * p + c, i, j] = N(pl[2 * i + dy][2 * j + dx][c])
            one = np.full((1, h, w), f32(1) if pl is not None else f32(0), np.float32)
            tin = np.concatenate([tin, ph, one])
        t = conv2d(tin, *conv_of(T, 'trunk_in'), False)
        for bi in range(cfg['trunk_blocks']): t = res(t, conv_of(T, f'trunk_b{bi}_c1'), conv_of(T, f'trunk_b{bi}_c2'))
        for st in range(3):
            hin = np.zeros((18, h, w), np.float32); pred = {}
            for p in range(st + 1):
                dy, dx = PH[p]
                for i in range(h):
                    for j in range(w):
                        y, x = 2 * i + dy, 2 * j + dx
                        if y < H and x < W:
                            for c in range(3): hin[3 * p + c, i, j] = N(lev[y][x][c])
            dy, dx = PH[st + 1]
            for i in range(h):
                for j in range(w):
                    y, x = 2 * i + dy, 2 * j + dx
                    if y < H and x < W:
                        pr = [predictor(st, y, x, c, H, W, lev) for c in range(3)]
                        pred[(i, j)] = pr
                        for c in range(3): hin[12 + c, i, j] = N(pr[c])
            hin[15 + st] = f32(1)
            if video:
                ex = np.zeros((18, h, w), np.float32)
                if pl is not None:
                    ex[:12] = ph
                    for (i, j), pr in pred.items():
                        y, x = 2 * i + dy, 2 * j + dx
                        for c in range(3):
                            ex[12 + c, i, j] = f32(pl[y][x][c] - pr[c]) * R
                            ex[15 + c, i, j] = f32(pl[y][x][c] - predictor(st, y, x, c, H, W, pl)) * R
                hin = np.concatenate([hin, ex])
            u = conv2d(hin, *conv_of(T, 'head_in'), False) + t
            for bi in range(cfg['head_blocks']): u = res(u, conv_of(T, f'head_b{bi}_c1'), conv_of(T, f'head_b{bi}_c2'))
            out = conv2d(u, *conv_of(T, 'head_out'), True)
            if mm: mm.start_stage(h, w)
            if state is not None: mm.ref_level = prevs[l]
            for i in range(h):
                for j in range(w):
                    if (i, j) not in pred: continue
                    y, x = 2 * i + dy, 2 * j + dx; pr = pred[(i, j)]; o = out[:, i, j]
                    def dist(c, resid):
                        d = Dist(K)
                        set_weights(d, [o[c * K + k] for k in range(K)])
                        rR = f32(resid[0]) / f32(127.5); rG = f32(resid[1]) / f32(127.5)
                        for k in range(K):
                            mean = (f32(pr[c]) / f32(127.5) - f32(1)) + o[3 * K + c * K + k]
                            if c == 1: mean = mean + dettanh(o[9 * K + K + k]) * rR
                            if c == 2:
                                mean = mean + dettanh(o[9 * K + 2 * K + k]) * rR
                                mean = mean + dettanh(o[9 * K + k]) * rG
                            ls = min(max(o[6 * K + c * K + k], f32(-7)), f32(3))
                            set_component(d, k, (mean + f32(1)) * f32(127.5), detexp(-ls) / f32(127.5))
                        return d
                    val = [0, 0, 0]; resid = [0, 0, 0]
                    if mm is None:
                        for c in range(coded):
                            d = dist(c, resid)
                            ci = ad.apply(st, c, d) if ad else None
                            v = decode_value(dec, d)
                            if ad: ad.update(ci, v)
                            val[c] = v; resid[c] = v - pr[c]
                        if coded == 1: val = [val[0]] * 3
                        lev[y][x] = val
                        continue
                    from match import read_flag, decode_excluded
                    cands = mm.gather(lev, H, W, st, y, x, i, j); n = len(cands)
                    matched = -1
                    if n:
                        prices = []
                        for cd in cands:
                            cv = [(cd.colour >> (8 * q)) & 255 for q in range(3)] if coded == 3 else [cd.colour] * 3
                            prod = 1; rs = [0, 0, 0]
                            for c in range(coded):
                                d = dist(c, rs)
                                prod *= start(d, cv[c] + 1) - start(d, cv[c]); rs[c] = cv[c] - pr[c]
                            prices.append(prod >> (16 * coded - 16))
                        bit = read_flag(dec, mm.pixel_flag(0, st, prices)); mm.update(bit)
                        if bit:
                            matched = n - 1
                            for k in range(n - 1):
                                bit = read_flag(dec, mm.pixel_flag(k + 1, st, prices)); mm.update(bit)
                                if bit: matched = k; break
                    if matched >= 0:
                        cd = cands[matched]
                        val = [(cd.colour >> (8 * q)) & 255 for q in range(3)] if coded == 3 else [cd.colour] * 3
                        lev[y][x] = val; mm.end_pixel(val, i, j, 2 + min(matched, 4))
                        continue
                    prev_hit = 0
                    for c in range(coded):
                        d = dist(c, resid)
                        ci = ad.apply(st, c, d) if ad else None
                        v = None; excl = []
                        if n:
                            vals, excl = mm.offer(c, val)
                            if vals:
                                vp = [start(d, vv[0] + 1) - start(d, vv[0]) for vv in vals]
                                bit = read_flag(dec, mm.channel_flag(0, st, c, vals, vp, prev_hit)); mm.update(bit)
                                prev_hit = 1 if bit else 2  # already for this channel's which-flags
                                if bit:
                                    idx = len(vals) - 1
                                    for k in range(len(vals) - 1):
                                        b2 = read_flag(dec, mm.channel_flag(k + 1, st, c, vals, vp, prev_hit)); mm.update(b2)
                                        if b2: idx = k; break
                                    v = vals[idx][0]
                                else:
                                    for vv in vals:
                                        if vv[0] not in excl: excl.append(vv[0])
                        if v is None: v = decode_excluded(dec, d, excl, start) if excl else decode_value(dec, d)
                        if ad: ad.update(ci, v)
                        val[c] = v; resid[c] = v - pr[c]
                    if coded == 1: val = [val[0]] * 3
                    lev[y][x] = val
                    mm.end_pixel(val, i, j, 1 if n else 0)
        coarse = lev
    return coarse

