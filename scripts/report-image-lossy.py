#!/usr/bin/python3
"""Tables, BD-rates and SVG plots from results/image-lossy/raw.json (scripts/bench-image-lossy.py)."""
import json, math, os, sys
import numpy as np
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bd_rate import bd_rate, db  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else 'results/image-lossy'
R = json.load(open(os.path.join(out, 'raw.json')))
if os.path.exists(os.path.join(out, 'raw-baselines.json')):  # baselines run apart (--only-baselines)
    R['base'].update(json.load(open(os.path.join(out, 'raw-baselines.json')))['base'])
BPPS = R['bpps']
stems = sorted(R['ours'])
codecs = ['cjpeg', 'cwebp', 'cjxl', 'avif']
METRICS = ['psnr', 'msssim', 'butteraugli']
BASE_FLAGS = {'cjpeg': 'cjpeg -quality Q -optimize', 'cwebp': 'cwebp -q Q -m 6', 'cjxl': 'cjxl -d D -e 7',
              'avif': 'avifenc -s 6 -j 2 --min Q --max Q -y 444'}


def interp(points, bpp, key):
    pts = sorted((p['bpp'], p[key]) for p in points if p.get(key) is not None)
    xs = [math.log(b) for b, _ in pts]
    if not pts or bpp < pts[0][0] * 0.999 or bpp > pts[-1][0] * 1.001: return None
    lb = math.log(bpp)
    for (x0, (b0, v0)), (x1, (b1, v1)) in zip(zip(xs, pts), zip(xs[1:], pts[1:])):
        if x0 <= lb <= x1:
            return v0 if x1 == x0 else v0 + (v1 - v0) * (lb - x0) / (x1 - x0)
    return pts[0][1] if abs(lb - xs[0]) < 1e-3 else pts[-1][1]


# ours, per target
ours = []
for j, t in enumerate(BPPS):
    rows = [R['ours'][s]['points'][j] for s in stems]
    o = dict(target=t, bpp=np.mean([r['bpp'] for r in rows]))
    for k in METRICS:
        v = [r[k] for r in rows if r[k] is not None]
        o[k] = float(np.mean(v)) if v else None
    ours.append(o)
enc_s = float(np.mean([R['ours'][s]['enc_s'] for s in stems]))
enc_kib = max(R['ours'][s]['enc_kib'] for s in stems)
dec = {}
for label in ('full', '0.1'):
    recs = [R['ours'][s].get(f'cli_decode_{label}') for s in stems]
    recs = [r for r in recs if r]
    if recs:
        dec[label] = dict(s=float(np.mean([r['s'] for r in recs])), kib=max(r['kib'] for r in recs), n=len(recs),
                          same=sum(1 for r in recs if r['same_pixels_as_one_pass']), checked=sum(1 for r in recs if r['same_pixels_as_one_pass'] is not None))
one_pass = float(np.mean([R['ours'][s]['one_pass_decode_s'] for s in stems]))
full_bpp = float(np.mean([R['ours'][s]['full_bytes'] * 8 / R['ours'][s]['pixels'] for s in stems]))

# baselines matched to our per-image rates
matched = {}
for c in codecs:
    matched[c] = []
    for j, t in enumerate(BPPS):
        vals = {k: [] for k in METRICS}
        n_ok = 0
        for s in stems:
            pts = R['base'].get(f'{c}/{s}')
            if not pts: continue
            b = R['ours'][s]['points'][j]['bpp']
            got = {k: interp(pts, b, k) for k in METRICS}
            if got['psnr'] is None: continue
            n_ok += 1
            for k in METRICS:
                if got[k] is not None: vals[k].append(got[k])
        matched[c].append(dict(n=n_ok, **{k: (float(np.mean(v)) if v and n_ok == len(stems) else None) for k, v in vals.items()}))

# baseline mean curves over the grid
curves = {}
for c in codecs:
    per = [R['base'][f'{c}/{s}'] for s in stems if f'{c}/{s}' in R['base']]
    if len(per) != len(stems): continue
    params = [p['param'] for p in per[0] if all(any(q['param'] == p['param'] for q in im) for im in per)]
    curves[c] = []
    for prm in params:
        pts = [next(q for q in im if q['param'] == prm) for im in per]
        pt = dict(param=prm, bpp=float(np.mean([p['bpp'] for p in pts])))
        for k in METRICS:
            v = [p[k] for p in pts if p[k] is not None]
            pt[k] = float(np.mean(v)) if len(v) == len(pts) else None
        pt['enc_s'] = float(np.mean([p['enc_s'] for p in pts]))
        pt['dec_s'] = float(np.mean([p['dec_s'] for p in pts]))
        curves[c].append(pt)


bd = {}
for c in curves:
    bd[c] = {k: bd_rate(ours, curves[c], k) for k in ['psnr', 'msssim']}
    bd[c]['msssim_0.1_0.5'] = bd_rate(ours, curves[c], 'msssim', 0.1, 0.5)
    bd[c]['psnr_0.1_0.5'] = bd_rate(ours, curves[c], 'psnr', 0.1, 0.5)
    bd[c]['msssim_0.1_1.0'] = bd_rate(ours, curves[c], 'msssim', 0.1, 1.0)
    bd[c]['psnr_0.1_1.0'] = bd_rate(ours, curves[c], 'psnr', 0.1, 1.0)

# The whole file (every step and every refinement pass) against lossless codecs: revision 2
# files decode to the original exactly. Lossless sizes from results/image-lossless/kodak/bench.json.
lossless = None
lj = os.path.join(os.path.dirname(os.path.abspath(out)), 'image-lossless', 'kodak', 'bench.json')
if os.path.exists(lj):
    J = json.load(open(lj))
    by = {}
    for r in J['results']:
        stem = os.path.basename(r['file'])[:-4]
        if stem in stems and r.get('ok'): by.setdefault(r['codec'], {})[stem] = r['compressed_bytes']
    ours_total = sum(R['ours'][s]['full_bytes'] for s in stems)
    lossless = dict(ours=ours_total, sub_pixels=sum(3 * R['ours'][s]['pixels'] for s in stems),
                    others={c: sum(v.values()) for c, v in by.items() if len(v) == len(stems)})
    pngs = [os.path.join(os.path.dirname(os.path.abspath(out)), '..', '..', 'shared', 'data', 'kodak', s + '.png') for s in stems]
    if all(os.path.exists(p) for p in pngs):
        lossless['others']['Kodak PNG files as distributed'] = sum(os.path.getsize(p) for p in pngs)

# truncated vs fresh
fresh_rows = []
for s, pts in sorted(R['fresh'].items()):
    for p in pts:
        c = next(q for q in R['ours'][s]['points'] if q['target'] == p['target'])
        fresh_rows.append(dict(image=s, target=p['target'], fresh_bpp=p['bpp'], cut_bpp=c['bpp'], identical=p['identical_to_truncated'],
                               fresh_msssim=p['msssim'], cut_msssim=c['msssim'], fresh_psnr=p['psnr'], cut_psnr=c['psnr'], enc_s=p['enc_s']))

# Rates above 2 bpp and the whole file (scripts/bench-image-lossy-high.py)
high = None
hp = os.path.join(out, 'raw-high.json')
if os.path.exists(hp):
    H = json.load(open(hp))
    hs = [s for s in stems if s in H['ours']]
    if hs:
        high = dict(images=len(hs), exact=sum(1 for s in hs if H['ours'][s]['full_exact']), points=[], fresh=H.get('fresh', {}))
        for j, t in enumerate(H['bpps']):
            rows = [H['ours'][s]['points'][j] for s in hs]
            pt = dict(target=t, bpp=float(np.mean([r['bpp'] for r in rows])), psnr=float(np.mean([r['psnr'] for r in rows])),
                      msssim=float(np.mean([r['msssim'] for r in rows])), base={})
            for c in codecs:
                v = [interp(R['base'][f'{c}/{s}'], r['bpp'], 'psnr') for s, r in zip(hs, rows) if f'{c}/{s}' in R['base']]
                pt['base'][c] = (float(np.mean(v)) if v and all(x is not None for x in v) and len(v) == len(hs) else None,
                                 sum(1 for x in v if x is not None))
            high['points'].append(pt)
        if lossless is not None:
            lossless['exact'] = high['exact']
            lossless['checked'] = high['images']

summary = dict(images=len(stems), lossless=lossless, high=high, ours=ours, enc_s=enc_s, enc_peak_kib=enc_kib, decode=dec, one_pass_decode_s=one_pass, full_bpp=full_bpp, matched=matched, curves=curves, bd_rate=bd,
               fresh=fresh_rows)
json.dump(summary, open(os.path.join(out, 'summary.json'), 'w'), indent=1)


def f(v, d=3):
    return '—' if v is None else f'{v:.{d}f}'


L = []
L.append(f'# image-lossy on Kodak ({len(stems)} images)\n')
L.append('Rates are whole .dfc / codec files in bits per pixel. Ours: one full-rate encode per image, cut with '
         '`diffcomp truncate --bpp B`. Baselines: metric at our exact per-image rate, interpolated in log(bpp) '
         'between the two nearest points of the codec\'s parameter grid on the same image; — = the codec cannot reach that rate on every image.\n')
L.append('| target bpp | ours bpp | ours PSNR | ours MS-SSIM | ours butteraugli | ' + ' | '.join(f'{c} PSNR / MS-SSIM / butteraugli' for c in codecs) + ' |')
L.append('|---' * (5 + len(codecs)) + '|')
for j, t in enumerate(BPPS):
    o = ours[j]
    cells = []
    for c in codecs:
        m = matched[c][j]
        cells.append(f'{f(m["psnr"], 2)} / {f(m["msssim"], 4)} / {f(m["butteraugli"], 2)}' + ('' if m['n'] == len(stems) else f' ({m["n"]}/{len(stems)} reach)'))
    L.append(f'| {t} | {o["bpp"]:.4f} | {f(o["psnr"], 2)} | {f(o["msssim"], 4)} | {f(o["butteraugli"], 2)} | ' + ' | '.join(cells) + ' |')
L.append('')
L.append('## BD-rate of image-lossy against each codec (negative = fewer bits for the same quality)\n')
L.append('| codec | PSNR, whole overlap | MS-SSIM, whole overlap | PSNR, ours 0.1-0.5 bpp | MS-SSIM, ours 0.1-0.5 bpp | PSNR, ours 0.1-1.0 bpp | MS-SSIM, ours 0.1-1.0 bpp |')
L.append('|---|---|---|---|---|---|---|')
for c in bd:
    L.append(f'| {c} | {f(bd[c]["psnr"], 1)} % | {f(bd[c]["msssim"], 1)} % | {f(bd[c]["psnr_0.1_0.5"], 1)} % | {f(bd[c]["msssim_0.1_0.5"], 1)} % | {f(bd[c]["psnr_0.1_1.0"], 1)} % | {f(bd[c]["msssim_0.1_1.0"], 1)} % |')
L.append('\nMS-SSIM BD-rates use MS-SSIM in dB (-10 log10(1 - MS-SSIM)); monotone cubic interpolation of log-rate.\n')
L.append('## Speed and memory (2 threads; /usr/bin/time around the CLI)\n')
L.append(f'- encode (full rate: all steps and passes): {enc_s:.2f} s per image on average; peak RSS {enc_kib / 1024:.0f} MiB (max over images)')
for label, d in dec.items():
    what = 'the full-rate file (every step and every refinement pass: the original)' if label == 'full' else 'the 0.1 bpp cut'
    L.append(f'- decode of {what}: {d["s"]:.2f} s per image on average; peak RSS {d["kib"] / 1024:.0f} MiB; '
             f'pixels identical to the one-pass decode used for the metrics on {d["same"]}/{d["checked"]} images checked')
L.append(f'- one-pass decode of all {len(BPPS)} cuts (diffcomp-lossy-research --cuts, for the metrics): {one_pass:.2f} s per image')
L.append(f'- full-rate files (every step and every refinement pass): {full_bpp:.3f} bpp on average')
for c in curves:
    L.append(f'- {c}: encode {np.mean([p["enc_s"] for p in curves[c]]):.3f} s, decode {np.mean([p["dec_s"] for p in curves[c]]):.3f} s per image (mean over its grid)')
if fresh_rows:
    L.append('\n## Truncated files vs fresh encodes\n')
    L.append('| image | target | fresh bpp | truncated bpp | byte-identical | fresh MS-SSIM | truncated MS-SSIM | fresh encode s |')
    L.append('|---|---|---|---|---|---|---|---|')
    for r in fresh_rows:
        L.append(f'| {r["image"]} | {r["target"]} | {r["fresh_bpp"]:.4f} | {r["cut_bpp"]:.4f} | {"yes" if r["identical"] else "no"} | {r["fresh_msssim"]:.4f} | {r["cut_msssim"]:.4f} | {r["enc_s"]:.2f} |')
    d = [abs(r['fresh_msssim'] - r['cut_msssim']) for r in fresh_rows]
    L.append(f'\nLargest |MS-SSIM(fresh) - MS-SSIM(truncated)|: {max(d):.5f}.')
if lossless:
    L.append('\n## The whole file is lossless (revision 2)\n')
    L.append(f'Whole files decoded (one-pass decode) and compared pixel for pixel with the originals: {lossless.get("exact", 0)} of {lossless.get("checked", 0)} checked are exact. '
             'Total bytes over the images, lossless codecs from results/image-lossless/kodak/bench.json (same images):\n')
    L.append('| codec | bytes | bpsp | ours / codec |')
    L.append('|---|---:|---:|---:|')
    rows = [('image-lossy revision 2, whole file (container included)', lossless['ours'])] + sorted(lossless['others'].items(), key=lambda kv: kv[1])
    for name, b in rows:
        L.append(f'| {name} | {b} | {8 * b / lossless["sub_pixels"]:.4f} | {lossless["ours"] / b:.3f} x |')
if high:
    L.append(f'\n## Above 2 bpp ({high["images"]} images; scripts/bench-image-lossy-high.py)\n')
    L.append('| target bpp | ours bpp | ours PSNR | ours MS-SSIM | ' + ' | '.join(f'{c} PSNR at our rate' for c in codecs) + ' |')
    L.append('|---' * (4 + len(codecs)) + '|')
    for p in high['points']:
        cells = [f(p['base'][c][0], 2) + ('' if p['base'][c][1] == high['images'] else f' ({p["base"][c][1]}/{high["images"]} reach)') for c in codecs]
        L.append(f'| {p["target"]} | {p["bpp"]:.4f} | {p["psnr"]:.2f} | {p["msssim"]:.4f} | ' + ' | '.join(cells) + ' |')
    for s2, pts in sorted(high['fresh'].items()):
        L.append(f'\nFresh `compress --bpp B` of {s2} against `truncate --bpp B` of its whole file: ' +
                 ', '.join(f'{p["target"]} bpp: {"byte-identical" if p["identical_to_truncated"] else "DIFFERENT"} ({p["bytes"]} bytes)' for p in pts))
L.append('\n## Baseline grids (mean over images)\n')
for c in curves:
    L.append(f'- {c} ({BASE_FLAGS[c]}): ' + ', '.join(f'{p["param"]}: {p["bpp"]:.3f} bpp {p["psnr"]:.2f} dB {p["msssim"]:.4f}' for p in curves[c]))
open(os.path.join(out, 'results.md'), 'w').write('\n'.join(L) + '\n')

# plots
fig, axes = plt.subplots(1, 3, figsize=(16, 5))
for ax, k, lab in zip(axes, METRICS, ['PSNR (RGB) dB', 'MS-SSIM', 'butteraugli (2017 tool), lower is better']):
    for c in curves:
        pts = [p for p in curves[c] if p[k] is not None]
        ax.plot([p['bpp'] for p in pts], [p[k] for p in pts], 'o-', ms=3, label=c)
    pts = [o for o in ours if o[k] is not None]
    if high and k != 'butteraugli':  # the cuts above 2 bpp (refinement passes), same images
        pts = sorted(pts + [dict(bpp=p['bpp'], **{k: p[k]}) for p in high['points']], key=lambda o: o['bpp'])
    ax.plot([o['bpp'] for o in pts], [o[k] for o in pts], 's-', color='black', lw=2, label='image-lossy (truncated)')
    ax.set_xscale('log')
    ax.set_xlim(0.02, 8.0)
    ax.set_xlabel('bits per pixel')
    ax.set_ylabel(lab)
    ax.grid(True, which='both', alpha=0.3)
    if k == 'butteraugli': ax.set_ylim(0, 20)
axes[0].legend()
fig.suptitle(f'Kodak ({len(stems)} images): rate-distortion, mean over images')
fig.tight_layout()
fig.savefig(os.path.join(out, 'rd.svg'))
if fresh_rows:
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot([r['cut_bpp'] for r in fresh_rows], [r['cut_msssim'] for r in fresh_rows], 's', label='truncated', ms=8, mfc='none')
    ax.plot([r['fresh_bpp'] for r in fresh_rows], [r['fresh_msssim'] for r in fresh_rows], 'x', label='fresh encode')
    ax.set_xscale('log'); ax.set_xlabel('bits per pixel'); ax.set_ylabel('MS-SSIM'); ax.grid(True, alpha=0.3); ax.legend()
    ax.set_title('truncated vs fresh (' + ', '.join(sorted(R['fresh'])) + ')')
    fig.tight_layout()
    fig.savefig(os.path.join(out, 'truncated-vs-fresh.svg'))
print('\n'.join(L))
