#!/usr/bin/python3
# Decodes every file of the conformance corpus (tests/conformance/MANIFEST) with the independent
# decoders of this folder, written from the specification in docs/ only (docs/format.md,
# docs/weights-format.md, docs/codecs/*.md, docs/rcc.md), not from the C++ sources, and compares
# the SHA-256 of the decoded content + side data with the manifest. Needs numpy.
#   /usr/bin/python3 scripts/spec-check/check_corpus.py
import os, subprocess, sys, hashlib
from container import read_dfc, header_end
here = os.path.dirname(os.path.abspath(__file__)); root = os.path.dirname(os.path.dirname(here))
conf = os.path.join(root, 'tests', 'conformance'); models = os.path.join(root, 'models')
tools = {'huffman': ['bytecodecs.py'], 'lzw': ['bytecodecs.py'],
         'image-lossless': ['image_lossless.py', 'image-lossless-adm1.dcw'],
         'signal-lossless': ['signal_lossless.py', 'signal-lossless-sig1.dcw', 'signal-lossless-sig1a.dcw'],
         'image-lossy': ['image_lossy.py', 'image-lossy-ldm1.dcw'],
         'signal-lossy': ['signal_lossy.py'],
         'video-lossless': ['video_lossless.py', 'video-lossless-adm1.dcw'],
         'video-lossy': ['video_lossy.py', 'image-lossy-ldm1.dcw']}
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7F) << s; s += 7
        if not c & 0x80: return v, i
LATEST = {'image-lossy': 2, 'signal-lossless': 2, 'image-lossless': 2, 'video-lossless': 2}  # the others: revision 1
bad = skipped = 0
for line in open(os.path.join(conf, 'MANIFEST')):
    if not line.strip() or line.startswith('#'): continue
    f, codec, rev, want = line.split()[:4]; path = os.path.join(conf, f)
    if int(rev) > LATEST.get(codec, 1):  # the revisions these decoders implement (README)
        skipped += 1; print('skip', f, codec, 'r' + rev, '(revision not implemented here)'); continue
    if codec == 'store':
        b, i, _, v2 = read_dfc(path, 0); n, i = varint(b, i); i = header_end(b, i, v2)
        got = hashlib.sha256(b[i:i + n]).hexdigest()
    else:
        # The decoders refuse a model whose fingerprint is not the file's; try the codec's models.
        t = tools[codec]
        for m in (t[1:] or [None]):
            cmd = [sys.executable, os.path.join(here, t[0]), path] + ([os.path.join(models, m)] if m else [])
            r = subprocess.run(cmd, capture_output=True, text=True)
            if 'model mismatch' not in r.stderr: break
        got = r.stdout.split()[-1] if r.returncode == 0 and r.stdout.split() else 'error: ' + r.stderr.strip()[-200:]
        if 'MISMATCH' in r.stdout: got = 'checksum mismatch: ' + r.stdout.strip()[-200:]
    ok = got == want; bad += not ok
    print('ok  ' if ok else 'FAIL', f, codec, 'r' + rev, '' if ok else got)
print('%s%s' % ('all match' if not bad else '%d mismatches' % bad, '; %d of a later revision not checked' % skipped if skipped else ''))
sys.exit(1 if bad else 0)
