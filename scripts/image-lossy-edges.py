#!/usr/bin/env python3
"""Border errors of image-lossy decodes (docs/image-lossy-bottom-edge.md).

For each image and quality: `diffcomp compress --codec image-lossy --quality Q -T T`, then
`diffcomp decompress`; prints one JSON line with the file's bytes and bpp, the PSNR over the whole
image, the PSNR without the all-black last row or column that 20 of the 24 Kodak images carry
(equal to the PSNR when the image has none), and the mean signed error (decoded - original, over
columns / rows and R, G, B, 8-bit units) of the first and last 4 rows and columns.

  scripts/image-lossy-edges.py --bin build/bin --out DIR --qualities 30,50,75,80 [--repair] IMG...
--repair: code a copy of each image whose black last row (column) is replaced by the row (column)
before it, and measure against that copy.

  scripts/image-lossy-edges.py --summary OUT.jsonl...
prints the markdown tables of docs/image-lossy-bottom-edge.md from those JSON lines.
"""
import argparse, json, os, subprocess, sys
import numpy as np
from PIL import Image


def black_lines(a):
    return bool((a[-1] == 0).all()), bool((a[:, -1] == 0).all())


def psnr(a, b):
    mse = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean()
    return 10 * np.log10(255.0 ** 2 / mse)


def summary(files):
    recs = [json.loads(l) for f in files for l in open(f) if l.strip()]
    print('| image | W x H | black line | Q | bytes | bpp | PSNR | PSNR without the line | last 4 rows (last first) | first 4 rows | last 4 columns (last first) | first 4 columns |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    fmt = lambda v: ', '.join('%+.1f' % x for x in v)
    for r in recs:
        line = 'row' if r['black_last_row'] else 'column' if r['black_last_col'] else '-'
        name = os.path.basename(r['image']) + (' (repaired)' if r['repaired'] else '')
        print(f"| {name} | {r['width']} x {r['height']} | {line} | {r['quality']:g} | {r['bytes']} | {r['bpp']:.4f} | "
              f"{r['psnr']:.2f} | {r['psnr_without_black_line']:.2f} | {fmt(r['bottom_rows_last_first'])} | "
              f"{fmt(r['top_rows'])} | {fmt(r['right_cols_last_first'])} | {fmt(r['left_cols'])} |")
    print()
    print('| set | Q | images | mean bpp | mean PSNR | mean PSNR without the line | largest abs mean error: last 4 rows | first 4 rows | last 4 columns | first 4 columns |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    groups = {}
    for r in recs:
        key = ('kodak' if 'kodak' in r['image'] else 'photos') + (' repaired' if r['repaired'] else '')
        groups.setdefault((key, r['quality']), []).append(r)
    for (key, q), rs in sorted(groups.items()):
        n = len(rs)
        big = lambda k: '%.1f' % max(max(abs(x) for x in r[k]) for r in rs)
        print(f"| {key} | {q:g} | {n} | {sum(r['bpp'] for r in rs) / n:.4f} | {sum(r['psnr'] for r in rs) / n:.3f} | "
              f"{sum(r['psnr_without_black_line'] for r in rs) / n:.3f} | {big('bottom_rows_last_first')} | "
              f"{big('top_rows')} | {big('right_cols_last_first')} | {big('left_cols')} |")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--summary':
        return summary(sys.argv[2:])
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', default='build/bin')
    ap.add_argument('--out', required=True)
    ap.add_argument('--qualities', default='30,50,75,80')
    ap.add_argument('--threads', default='2')
    ap.add_argument('--repair', action='store_true')
    ap.add_argument('images', nargs='+')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for path in a.images:
        orig = np.asarray(Image.open(path).convert('RGB'))
        name = os.path.splitext(os.path.basename(path))[0]
        row0, col0 = black_lines(orig)
        src = path
        if a.repair:
            orig = orig.copy()
            if row0: orig[-1] = orig[-2]
            if col0: orig[:, -1] = orig[:, -2]
            src = os.path.join(a.out, name + '-repaired.png')
            Image.fromarray(orig).save(src)
            name += '-repaired'
        H, W, _ = orig.shape
        for q in a.qualities.split(','):
            dfc = os.path.join(a.out, f'{name}-q{q}.dfc')
            png = os.path.join(a.out, f'{name}-q{q}.png')
            subprocess.run([os.path.join(a.bin, 'diffcomp'), '-q', 'compress', '-f', '--codec', 'image-lossy',
                            '--quality', q, '-T', a.threads, '-o', dfc, src], check=True)
            subprocess.run([os.path.join(a.bin, 'diffcomp'), '-q', 'decompress', '-f', '-T', a.threads,
                            '-o', png, dfc], check=True)
            dec = np.asarray(Image.open(png).convert('RGB'))
            d = dec.astype(np.float64) - orig.astype(np.float64)
            dm = d.mean(axis=2)
            inner = (slice(0, H - 1 if row0 else H), slice(0, W - 1 if col0 else W))
            nbytes = os.path.getsize(dfc)
            rec = {'image': path, 'repaired': a.repair, 'width': W, 'height': H, 'black_last_row': row0,
                   'black_last_col': col0, 'quality': float(q), 'bytes': nbytes,
                   'bpp': round(8.0 * nbytes / (W * H), 4), 'psnr': round(psnr(dec, orig), 3),
                   'psnr_without_black_line': round(psnr(dec[inner], orig[inner]), 3),
                   'top_rows': [round(dm[i].mean(), 2) for i in range(4)],
                   'bottom_rows_last_first': [round(dm[H - 1 - i].mean(), 2) for i in range(4)],
                   'left_cols': [round(dm[:, i].mean(), 2) for i in range(4)],
                   'right_cols_last_first': [round(dm[:, W - 1 - i].mean(), 2) for i in range(4)]}
            print(json.dumps(rec), flush=True)


if __name__ == '__main__':
    sys.exit(main())
