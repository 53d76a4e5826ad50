#!/usr/bin/python3
"""Tables of the latent-refinement pilot (docs/pilot-latent-refinement.md) from the JSON lines
that scripts/pilot-latent-refinement.sh writes: OUT/ae.jsonl, OUT/codec.jsonl, OUT/eval.jsonl."""
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bd_rate import bd_rate  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/lat'
rd = lambda name: [json.loads(l) for l in open(os.path.join(out, name)) if l.strip()]
img = lambda p: os.path.basename(p).split('.')[0].split('-')[0]
PIX = 512 * 384

ae = rd('ae.jsonl')
imgs = sorted({img(r['image']) for r in ae})
iters = sorted({r['iters'] for r in ae})
print('## Autoencoder level: PSNR of Dec(z) (8-bit) after N Adam steps, CPU seconds (1 thread)\n')
print('| N | ' + ' | '.join(imgs) + ' | mean | mean gain | mean gain, both with colour fit | CPU s (mean) |')
print('|---' * (len(imgs) + 5) + '|')
base = {(img(r['image'])): r for r in ae if r['iters'] == 0}
for n in iters:
    rows = {img(r['image']): r for r in ae if r['iters'] == n}
    ps = [rows[i]['psnr'] for i in imgs]
    g = [rows[i]['psnr'] - base[i]['psnr'] for i in imgs]
    gc = [rows[i]['psnr_colour'] - base[i]['psnr_colour'] for i in imgs]
    cpu = sum(rows[i]['refine_cpu_s'] for i in imgs) / len(imgs)
    print(f'| {n} | ' + ' | '.join(f'{p:.2f}' for p in ps) +
          f' | {sum(ps)/len(ps):.2f} | {sum(g)/len(g):+.2f} | {sum(gc)/len(gc):+.2f} | {cpu:.1f} |')

codec = rd('codec.jsonl')
for r in codec:
    r['bpp'] = 8 * r['bytes'] / PIX
    r['cfg'] = (r['iters'], r['beta'])
cimgs = sorted({img(r['image']) for r in codec})
cfgs = sorted({r['cfg'] for r in codec}, key=lambda c: (c[1], c[0]))
quals = sorted({r['quality'] for r in codec})
get = lambda i, c, q: next(r for r in codec if img(r['image']) == i and r['cfg'] == c and r['quality'] == q)
name = lambda c: f'N={c[0]}' + (f' beta={c[1]:g}' if c[1] else '')
PLAIN = (0, 0.0)
# The refined files as the normal decoder (`diffcomp decompress`) read them, where verified.
for v in (rd('verify.jsonl') if os.path.exists(os.path.join(out, 'verify.jsonl')) else []):
    b = os.path.basename(v['dist']).rsplit('.', 1)[0].split('-')
    r = get(b[0], (int(b[1][1:]), float(b[2][1:])), int(b[3][1:]))
    assert abs(r['psnr'] - v['psnr']) < 1e-3, (r, v)


def interp_psnr(curve, bpp):
    """PSNR of a curve (sorted by bpp) at bpp, linear in log bpp; None outside it."""
    for a, b in zip(curve, curve[1:]):
        if a['bpp'] <= bpp <= b['bpp']:
            t = (math.log(bpp) - math.log(a['bpp'])) / (math.log(b['bpp']) - math.log(a['bpp']))
            return a['psnr'] + t * (b['psnr'] - a['psnr'])
    return None


refined = [c for c in cfgs if c != PLAIN]
print('\n## Codec: bytes / PSNR of the decoded file; refined: dPSNR against the plain curve at the same bytes\n')
print('| image | Q (steps) | plain | ' + ' | '.join(name(c) for c in refined) + ' |')
print('|---' * (3 + len(refined)) + '|')
deq = {c: {} for c in refined}
for i in cimgs:
    plain = sorted((get(i, PLAIN, q) for q in quals), key=lambda r: r['bpp'])
    for q in quals:
        p0 = get(i, PLAIN, q)
        cells = [f"{p0['bytes']} / {p0['psnr']:.2f}"]
        for c in refined:
            r = get(i, c, q)
            p = interp_psnr(plain, r['bpp'])
            d = '-' if p is None else f"{r['psnr'] - p:+.2f}"
            cells.append(f"{r['bytes']} / {r['psnr']:.2f} ({d})")
            if p is not None: deq[c].setdefault(q, []).append(r['psnr'] - p)
        print(f"| {i} | {q} ({p0['steps']}) | " + ' | '.join(cells) + ' |')

m = lambda v: sum(v) / len(v) if v else float('nan')
print('\n## dPSNR at equal bytes per quality, mean over images (points inside the plain curve)\n')
print('| Q | ' + ' | '.join(name(c) for c in refined) + ' |')
print('|---' * (1 + len(refined)) + '|')
for q in quals:
    print(f'| {q} | ' + ' | '.join(f"{m(deq[c].get(q, [])):+.2f} ({len(deq[c].get(q, []))})" for c in refined) + ' |')

print('\n## Summary (means over the 4 images)\n')
print('| latents | bytes vs plain, same Q | PSNR vs plain, same Q | BD-rate vs plain (PSNR), per image | refine CPU s | encode CPU s (full rate) |')
print('|---|---|---|---|---|---|')
for c in cfgs:
    db_, dp, bd, rc, ec = [], [], [], [], []
    for i in cimgs:
        for q in quals:
            a, b = get(i, c, q), get(i, PLAIN, q)
            db_.append(a['bytes'] / b['bytes'] - 1)
            dp.append(a['psnr'] - b['psnr'])
        if c != PLAIN:
            bd.append(bd_rate([get(i, c, q) for q in quals], [get(i, PLAIN, q) for q in quals], 'psnr'))
        rc.append(get(i, c, quals[0])['refine_cpu_s'])
        ec.append(get(i, c, quals[0])['encode_cpu_s'])
    bds = ', '.join('-' if x is None else f'{x:+.1f} %' for x in bd) if bd else '-'
    print(f'| {name(c) if c != PLAIN else "plain Enc(x)"} | {100*m(db_):+.1f} % | {m(dp):+.2f} dB | {bds} | {m(rc):.1f} | {m(ec):.1f} |')
