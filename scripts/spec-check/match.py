# image-lossless revision 2: the neighbour colour model, written from docs/codecs/image-lossless.md
# ("Revision 2: the neighbour colour model") only.
M64 = (1 << 64) - 1
ABSENT = 0xFFFFFFFF
NEAR = {0: [(-1, -1), (-1, 1), (1, -1), (1, 1)], 1: [(-1, 0), (0, -1), (0, 1), (1, 0)], 2: [(-1, 0), (0, -1), (0, 1), (1, 0)]}
FAR = {0: [(0, -2), (-2, 0), (-2, -2), (-2, 2)], 1: [(0, -2), (-2, 0), (-2, -2), (-2, 2)],
       2: [(0, -2), (-2, 0), (-2, -2), (-2, 2), (-1, -1), (-1, 1), (1, -1), (1, 1)]}
SMALL_GROUP_PIXELS = 4096

def mix(h, v): return (((h ^ v) * 0x100000001B3) + (h >> 31)) & M64
def hsh(x, b):
    x = (x * 0x9E3779B97F4A7C15) & M64; x ^= x >> 29; x = (x * 0xBF58476D1CE4E5B9) & M64
    return x >> (64 - b)

TSQ = [1, 2, 3, 6, 10, 16, 27, 45, 73, 120, 194, 310, 488, 747, 1101, 1546, 2047, 2549, 2994, 3348, 3607, 3785,
       3901, 3975, 4022, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094]
def squash(d):
    if d > 2047: return 4095
    if d < -2047: return 1
    i = (d >> 7) + 16; w = d & 127
    return min(max((TSQ[i] * (128 - w) + TSQ[i + 1] * w + 64) >> 7, 1), 4095)
STRETCH = [0] * 4096
_pi = 0
for _x in range(-2047, 2048):
    _v = squash(_x)
    for _j in range(_pi, _v + 1): STRETCH[_j] = _x
    _pi = _v + 1
for _j in range(_pi, 4096): STRETCH[_j] = 2047
def stretch(p): return STRETCH[min(max(p, 0), 4095)]
RATE = [(131072 + n + 1) // (2 * n + 3) for n in range(61)]
def tshift(v, s): return v >> s if v >= 0 else -((-v) >> s)

class Cand:
    __slots__ = ('colour', 'support', 'mask', 'src')
    def __init__(self, colour, support, mask, src): self.colour = colour; self.support = support; self.mask = mask; self.src = src

class Model:
    NT = 5  # counter tables (the temporal model has 6)
    def __init__(self, coded):
        self.coded = coded
        self.cnt = [dict() for _ in range(self.NT)]  # entry -> (p, n); absent = (32768, 0)
        self.wsets = {}
        self.tables = [dict(), dict()]  # slot index -> entry (absent = 0)
        self.outcome = None
    def start_stage(self, h, w): self.outcome = [[0] * w for _ in range(h)]

    # ---- counters and mixer
    def prob(self, ctx, netin, wset):
        NT = self.NT
        self.ent = [hsh((ctx[t] * 8 + t) & M64, 16) for t in range(NT)]
        st = [stretch(self.cnt[t].get(self.ent[t], (32768, 0))[0] >> 4) for t in range(NT)]
        st.append(netin); st.append(256)
        w = self.wsets.setdefault(wset, [65536 // NT] * NT + [32768, 0])
        dot = sum(a * b for a, b in zip(st, w))
        d = dot >> 16 if dot >= 0 else -((-dot) >> 16)
        self.P12 = squash(min(max(d, -2047), 2047)); self.st = st; self.w = w
        return min(max(self.P12 << 4, 16), 65520)
    def update(self, y):
        for t in range(self.NT):
            p, n = self.cnt[t].get(self.ent[t], (32768, 0))
            p += (((65535 if y else 0) - p) * RATE[n]) >> 16
            self.cnt[t][self.ent[t]] = (p, min(n + 1, 60))
        err = ((y << 12) - self.P12) * 2
        for i in range(self.NT + 2): self.w[i] += tshift(self.st[i] * err, 12)

    def colour_of(self, px):
        return px[0] | px[1] << 8 | px[2] << 16 if self.coded == 3 else px[0]

    # ---- candidates
    def gather(self, lev, H, W, stage, y, x, i, j):
        cands = []
        def add(colour, weight, near_index, src):
            for c in cands:
                if c.colour == colour:
                    c.support += weight
                    if near_index >= 0: c.mask |= 1 << near_index
                    c.src |= src; return
            if len(cands) < 8: cands.append(Cand(colour, weight, (1 << near_index) if near_index >= 0 else 0, src))
        def at(dy, dx):
            yy, xx = y + dy, x + dx
            if 0 <= yy < H and 0 <= xx < W and lev[yy][xx] is not None: return self.colour_of(lev[yy][xx])
            return ABSENT
        if getattr(self, 'pre', None) is not None:  # temporal model: the reference colour first
            add(self.pre[0], self.pre[1], -1, 0); self.pre = None
        nh = stage + 1; ah = nh
        near = []
        for a, (dy, dx) in enumerate(NEAR[stage]):
            c = at(dy, dx); near.append(c)
            if c != ABSENT: add(c, 2, a, 0)
        for dy, dx in FAR[stage]:
            c = at(dy, dx)
            if c != ABSENT: add(c, 1, -1, 0)
            ah = mix(ah, c)
        pattern = 0
        for a in range(4):
            label = 4 if near[a] == ABSENT else min(b for b in range(a + 1) if near[b] == near[a])
            pattern = pattern * 5 + label; nh = mix(nh, near[a])
        self.near_hash = (nh ^ (nh >> 32)) & 0xFFFFFFFF
        self.all_hash = (mix(ah, nh) >> 16) & 0xFFFFFFFF
        self.idx = [hsh(nh, 17), hsh(mix(ah, nh), 17)]
        for t in range(2):
            for e in range(2):
                E = self.tables[t].get(2 * self.idx[t] + e, 0)
                if E != 0: add(E & 0xFFFFFF, 0, -1, (1 << t) * (1 if e == 0 else 4))
        cands.sort(key=lambda c: -c.support)  # Python's sort is stable
        self.pattern = pattern
        self.outcome_w = self.outcome[i][j - 1] if j > 0 else 7
        self.outcome_n = self.outcome[i - 1][j] if i > 0 else 7
        self.cands = cands
        return cands

    def netin(self, prices, slot, k):
        rest = sum(prices[k:])
        net12 = rest >> 4 if slot == 0 else (prices[k] << 12) // max(rest, 1)
        s5 = stretch(min(net12, 4095))
        return s5, min(max((s5 + 2048) >> 7, 0), 31)

    def kk(self, slot, c): return slot + 1
    def extra_ctx(self, base, c): return []
    def pixel_flag(self, slot, stage, prices):
        k = 0 if slot == 0 else slot - 1
        c = self.cands[k]; kk = self.kk(slot, c); n = len(self.cands)
        s5, bucket = self.netin(prices, slot, k)
        sup = min(c.support, 15); n7 = min(n, 7)
        colour = c.colour if self.coded == 3 else c.colour | c.colour << 8 | c.colour << 16
        base = kk * 4 + stage
        ctx = [((((base * 16 + sup) * 8 + n7) * 16 + c.mask) * 16 + c.src),
               mix(mix(mix(mix(base, self.pattern), c.mask), self.outcome_w), self.outcome_n),
               mix(mix(mix(base, self.near_hash), c.mask * 16 + c.src), 0x1234),
               mix(mix(mix(base, self.all_hash), colour), 0x5678),
               mix(mix(mix(base, bucket), sup * 16 + c.src), 0x9ABC)] + self.extra_ctx(base, c)
        wset = (min(slot, 8) * 3 + stage) * 2 + (1 if c.support == self.cands[0].support else 0)
        return self.prob(ctx, s5, wset)

    def offer(self, c, px):
        """Offered values of channel c (value, consistent, support, mask) and the impossible ones."""
        excl = []; vals = []
        for cd in self.cands:
            cv = [(cd.colour >> (8 * q)) & 255 for q in range(3)] if self.coded == 3 else [cd.colour] * 3
            consistent = all(cv[q] == px[q] for q in range(c))
            if c == self.coded - 1 and consistent:
                if cv[c] not in excl: excl.append(cv[c])
                continue
            for v in vals:
                if v[0] == cv[c]:
                    v[1] |= consistent; v[2] = min(255, v[2] + cd.support); v[3] |= cd.mask; break
            else: vals.append([cv[c], consistent, min(255, cd.support), cd.mask])
        vals = [v for v in vals if v[0] not in excl]
        vals.sort(key=lambda v: (not v[1], -v[2]))
        return vals, excl

    def channel_flag(self, slot, stage, c, vals, vp, prev_hit):
        k = 0 if slot == 0 else slot - 1
        v = vals[k]; kk = slot + 16; sc = stage * 3 + c
        s5, bucket = self.netin(vp, slot, k)
        sup = min(v[2], 15); nv7 = min(len(vals), 7); cons = 1 if v[1] else 0
        base = kk * 16 + sc
        ctx = [(((((base * 16 + sup) * 8 + nv7) * 16 + v[3]) * 2 + cons) * 4 + prev_hit),
               mix(mix(mix(mix(base, self.pattern), v[3] * 2 + cons), self.outcome_w), self.outcome_n),
               mix(mix(mix(base, self.near_hash), v[3] * 2 + cons), 0x2345),
               mix(mix(mix(base, self.all_hash), v[0]), 0x6789),
               mix(mix(mix(base, bucket), sup * 2 + cons), 0xABCD)]
        wset = 54 + (min(slot, 8) * 3 + c) * 2 + cons
        return self.prob(ctx, s5, wset)

    def end_pixel(self, px, i, j, outcome):
        entry = self.colour_of(px) | 1 << 24
        for t in range(2):
            s = 2 * self.idx[t]
            if self.tables[t].get(s, 0) != entry:
                self.tables[t][s + 1] = self.tables[t].get(s, 0); self.tables[t][s] = entry
        self.outcome[i][j] = outcome

def read_flag(dec, p):
    if dec.peek(16) < p: dec.advance(0, p, 16); return 1
    dec.advance(p, 65536 - p, 16); return 0

def decode_excluded(dec, d, excl, start):
    """A value under exclusion (start' of the spec); start(d, v) the distribution's starts."""
    drops = {u: start(d, u + 1) - start(d, u) - 1 for u in excl}
    D = sum(drops.values())
    def sp(v):
        if v >= 256: return 65536
        G = start(d, v) - sum(dr for u, dr in drops.items() if u < v)
        return (G << 16) // (65536 - D)
    x = dec.peek(16); lo, hi = 0, 256
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if sp(mid) <= x: lo = mid
        else: hi = mid
    s = sp(lo); dec.advance(s, sp(lo + 1) - s, 16); return lo

# ---- video-lossless revision 2: the temporal model (docs/codecs/video-lossless.md, "Revision 2")
def DB(a, b):
    d = abs(a - b)
    return d if d <= 3 else 4 if d <= 5 else 5 if d <= 8 else 6 if d <= 15 else 7

class TemporalModel(Model):
    """Six counter tables (8 mixer inputs), the reference colour gathered first, kk and ctx5."""
    NT = 6
    def gather(self, lev, H, W, stage, y, x, i, j):
        R = self.ref_level
        def same(dy, dx):
            yy, xx = y + dy, x + dx
            return 0 <= yy < H and 0 <= xx < W and lev[yy][xx] is not None and lev[yy][xx][0] == R[yy][xx][0]
        self.ref_near = sum(1 for dy, dx in NEAR[stage] if same(dy, dx))
        self.ref_far = sum(1 for dy, dx in FAR[stage] if same(dy, dx))
        self.r = R[y][x][0]
        self.pre = (self.r, 1 + 2 * self.ref_near)
        return Model.gather(self, lev, H, W, stage, y, x, i, j)
    def kk(self, slot, c): return slot + 1 + 32 * (1 if c.colour == self.r else 0)
    def extra_ctx(self, base, c):
        return [mix(mix(mix(mix(mix(base, self.ref_far), DB(c.colour, self.r)), self.outcome_w), self.outcome_n), 0xDEF0)]
