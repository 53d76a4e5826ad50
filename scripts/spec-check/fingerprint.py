# The model fingerprint of docs/weights-format.md, computed from the .dcw file's bytes
# (no JSON library), compared with the sha256 member written in the file.
import sys, hashlib, struct, json
WS = b' \t\n\r'
def strip_ws(b):
    out = bytearray(); ins = False; esc = False
    for c in b:
        if ins:
            out.append(c)
            if esc: esc = False
            elif c == 0x5c: esc = True
            elif c == 0x22: ins = False
        else:
            if c in WS: continue
            out.append(c)
            if c == 0x22: ins = True
    return bytes(out)
def member_spans(m):
    # top-level object members: returns dict raw_key -> list of (start,end) of value
    i = 0; n = len(m)
    def ws(i):
        while i < n and m[i] in WS: i += 1
        return i
    def skip_string(i):
        assert m[i] == 0x22; i += 1
        while m[i] != 0x22:
            i += 2 if m[i] == 0x5c else 1
        return i + 1
    def skip_value(i):
        depth = 0
        while True:
            c = m[i]
            if c == 0x22: i = skip_string(i)
            elif c in b'{[': depth += 1; i += 1
            elif c in b'}]':
                if depth == 0: return i
                depth -= 1; i += 1
                if depth == 0: return i
            elif c == 0x2c and depth == 0: return i
            else:
                i += 1
            if depth == 0 and i < n and (m[i] in b',}' or m[i] in WS):
                # end of a scalar / container at depth 0
                return i
    spans = {}
    i = ws(0); assert m[i] == 0x7b; i += 1
    while True:
        i = ws(i)
        if m[i] == 0x7d: break
        ks = i; i = skip_string(i); key = m[ks+1:i-1]
        i = ws(i); assert m[i] == 0x3a; i = ws(i + 1)
        vs = i; i = skip_value(i); spans.setdefault(key, []).append((vs, i))
        i = ws(i)
        if m[i] == 0x2c: i += 1
    return spans
def fingerprint(path):
    """(SHA-256 hex of the fingerprinted bytes, the sha256 the file's metadata states, spans)."""
    b = open(path, 'rb').read()
    M = struct.unpack('<I', b[8:12])[0]; meta = b[12:12+M]
    ds = (12 + M + 15) // 16 * 16
    sp = member_spans(meta)
    cfg = strip_ws(meta[slice(*sp[b'config'][0])]); tab = strip_ws(meta[slice(*sp[b'tensors'][0])])
    h = hashlib.sha256(cfg + tab + b[ds:]).hexdigest()
    return h, json.loads(meta).get('sha256', ''), sp

if __name__ == '__main__':
    for path in sys.argv[1:]:
        h, stated, sp = fingerprint(path)
        print(h[:8], 'OK ' if h == stated else 'DIFF', path, stated[:8], len(sp[b'config']), len(sp[b'tensors']))
