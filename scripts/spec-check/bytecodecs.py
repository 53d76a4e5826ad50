# Independent decoders of the huffman and lzw payloads, written from docs/codecs/{huffman,lzw}.md only.
import sys, hashlib, zlib
from container import *
def varint(b, i):
    v = 0; s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7F) << s; s += 7
        if not c & 0x80: return v, i
class Bits:  # MSB first
    def __init__(s, b): s.b = b; s.pos = 0
    def read(s, n):
        v = 0
        for _ in range(n):
            if s.pos >= 8 * len(s.b): raise EOFError('truncated')
            v = (v << 1) | ((s.b[s.pos >> 3] >> (7 - (s.pos & 7))) & 1); s.pos += 1
        return v
def canonical(lengths):
    count = [0] * 16
    for l in lengths: count[l] += 1
    count[0] = 0; nxt = [0] * 17; code = 0
    for l in range(1, 16):
        code = (code + count[l - 1]) << 1; nxt[l] = code
    codes = {}
    for s, l in enumerate(lengths):
        if l: codes[(l, nxt[l])] = s; nxt[l] += 1
    used = [l for l in lengths if l]
    K = sum(2 ** (15 - l) for l in used)
    assert used and (len(used) == 1 and used[0] == 1 or len(used) > 1 and K == 2 ** 15), 'invalid code'
    return codes
def sym(bits, codes):
    code = 0
    for l in range(1, 16):
        code = (code << 1) | bits.read(1)
        if (l, code) in codes: return codes[(l, code)]
    raise ValueError('invalid codeword')
def huffman(p, N):
    if N == 0: assert not p; return b''
    count, i = varint(p, 0); assert count == N
    bits = Bits(p[i:]); k = bits.read(4) + 4; assert k <= 19
    order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    cl = [0] * 19
    for j in range(k): cl[order[j]] = bits.read(3)
    clc = canonical(cl); L = []
    while len(L) < 256:
        s = sym(bits, clc)
        if s < 16: L.append(s)
        elif s == 16: assert L; L += [L[-1]] * (3 + bits.read(2))
        elif s == 17: L += [0] * (3 + bits.read(3))
        else: L += [0] * (11 + bits.read(7))
        assert len(L) <= 256
    pad = (8 - bits.pos % 8) % 8; assert bits.read(pad) == 0
    body = Bits(p[i + bits.pos // 8:]); codes = canonical(L)
    out = bytes(sym(body, codes) for _ in range(N))
    rest = 8 * len(body.b) - body.pos; assert rest < 8 and body.read(rest) == 0
    return out
def lzw(p, N):
    if N == 0: assert not p; return b''
    acc = int.from_bytes(p, 'little'); pos = 0; total = 8 * len(p)
    out = bytearray(); step = 0; prev = None; d = {}
    def width(k): return max(9, min(256 + k, 65535).bit_length())
    def string(c): return bytes([c]) if c < 256 else d[c]
    while len(out) < N:
        w = width(step); assert pos + w <= total, 'truncated'
        code = (acc >> pos) & ((1 << w) - 1); pos += w
        if step == 0:
            assert code < 256; s = bytes([code])
        elif code == 256:
            d = {}; step = 0; continue
        else:
            nxt = 256 + step
            if nxt <= 65535:
                assert code <= nxt
                first = string(prev)[0] if code == nxt else string(code)[0]
                d[nxt] = string(prev) + bytes([first])
            s = string(code)
        assert len(out) + len(s) <= N; out += s; prev = code; step += 1
    rest = total - pos; assert rest < 8 and (acc >> pos) == 0
    return bytes(out)
for path in sys.argv[1:]:
    codec = open(path, 'rb').read()[6]; b, i, rev, v2 = read_dfc(path, codec); only_revision_1(rev)
    N, i = varint(b, i); payload = lossless_payload(b, header_end(b, i, v2))
    out = {1: huffman, 2: lzw}[codec](payload, N)
    assert zlib.crc32(out) == int.from_bytes(b[-4:], 'little'), 'crc'
    print(path.split('/')[-1], hashlib.sha256(out).hexdigest())
