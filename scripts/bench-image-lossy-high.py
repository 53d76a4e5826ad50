#!/usr/bin/python3
"""Rates above 2 bpp and the whole file, for image-lossy revision 2 (refinement passes).

Runs after (or beside) scripts/bench-image-lossy.py on the full-rate files it left in --work:
for each image, `diffcomp truncate --bpp B` of full.dfc to each of --bpps, all cuts and the
whole file decoded in one pass (diffcomp-lossy-eval --cuts), PSNR / MS-SSIM of each, and whether
the whole file decodes to the original pixel for pixel. Writes <out>/raw-high.json (read by
scripts/report-image-lossy.py). Needs /usr/bin/python3 (numpy, PIL)."""
import argparse, json, os, subprocess, sys, time

import numpy as np
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument('--images', default='../shared/data/kodak')
ap.add_argument('--out', default='results/image-lossy')
ap.add_argument('--build', default='build')
ap.add_argument('--work', default='/tmp/dc-bench-lossy')
ap.add_argument('--model', default='models/image-lossy-ldm1.dcw')
ap.add_argument('--bpps', default='3,4,6')
ap.add_argument('--wait', action='store_true', help='wait for full.dfc files still being written by the main bench')
ap.add_argument('--fresh', type=int, default=2, help='images with fresh encodes at --fresh-bpps (compared byte for byte with the cuts)')
ap.add_argument('--fresh-bpps', default='4,8')
ap.add_argument('--only-fresh', action='store_true', help='only the fresh encodes (may run beside a run without them)')
args = ap.parse_args()

DC = os.path.join(args.build, 'bin', 'diffcomp')
EVAL = os.path.join(args.build, 'bin', 'diffcomp-lossy-eval')
BPPS = [float(b) for b in args.bpps.split(',')]
path = os.path.join(args.out, 'raw-high.json')
R = json.load(open(path)) if os.path.exists(path) else {}
R['bpps'] = BPPS
R.setdefault('ours', {})
R.setdefault('fresh', {})
imgs = sorted(f[:-4] for f in os.listdir(args.images) if f.endswith('.png'))


def save(section, stem, value):
    """Re-reads the file before writing, so that two runs (--only-fresh beside the main one) merge."""
    cur = json.load(open(path)) if os.path.exists(path) else {}
    cur['bpps'] = BPPS
    cur.setdefault(section, {})[stem] = value
    R.setdefault(section, {})[stem] = value
    json.dump(cur, open(path + '.tmp', 'w'), indent=1)
    os.replace(path + '.tmp', path)



t0 = time.time()
for stem in ([] if args.only_fresh else imgs):
    if stem in R['ours']: continue
    wd = os.path.join(args.work, stem)
    full = os.path.join(wd, 'full.dfc')
    # the main bench writes full.dfc first, then its cuts; wait for the image's last cut
    while args.wait and not os.path.exists(os.path.join(wd, 'cut-2.0.png')):
        time.sleep(20)
    if not os.path.exists(full): continue
    src = os.path.join(args.images, stem + '.png')
    a = np.asarray(Image.open(src).convert('RGB'))
    npx = a.shape[0] * a.shape[1]
    cuts = []
    for b in BPPS:
        cut = os.path.join(wd, f'high-{b}.dfc')
        subprocess.run([DC, 'truncate', '-q', '-f', '--bpp', str(b), '-o', cut, full], check=True)
        cuts.append(cut)
    whole = os.path.join(wd, 'whole.dfc')  # a copy, so that its PNG does not clash with the main bench's
    open(whole, 'wb').write(open(full, 'rb').read())
    subprocess.run([EVAL, '--cuts', args.model, full] + cuts + [whole], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([EVAL, src] + [c[:-4] + '.png' for c in cuts], capture_output=True, text=True, check=True).stdout
    ms = [json.loads(l) for l in out.splitlines() if l.strip()]
    b = np.asarray(Image.open(whole[:-4] + '.png').convert('RGB'))
    save('ours', stem, dict(pixels=npx, full_bytes=os.path.getsize(full), full_exact=bool(a.shape == b.shape and (a == b).all()),
                            points=[dict(target=t, bytes=os.path.getsize(c), bpp=os.path.getsize(c) * 8 / npx, psnr=m['psnr'], msssim=m['msssim'])
                                    for t, c, m in zip(BPPS, cuts, ms)]))
    print(f'{stem} done, {time.time() - t0:.0f} s, exact={R["ours"][stem]["full_exact"]}', file=sys.stderr, flush=True)
if True:  # the ours entries another run may have added
    R = json.load(open(path)) if os.path.exists(path) else R
    R.setdefault("ours", {})
    R.setdefault("fresh", {})
for stem in imgs[:args.fresh]:
    if stem in R['fresh'] or stem not in R['ours']: continue
    wd = os.path.join(args.work, stem)
    pts = []
    for b in [float(x) for x in args.fresh_bpps.split(',')]:
        f = os.path.join(wd, f'fresh-high-{b}.dfc')
        subprocess.run([DC, 'compress', '-q', '--codec', 'image-lossy', '--bpp', str(b), '-T', '2', '-f', '-o', f,
                        os.path.join(args.images, stem + '.png'), '--model', args.model], check=True)
        cut = os.path.join(wd, f'high-{b}.dfc')
        if not os.path.exists(cut):
            subprocess.run([DC, 'truncate', '-q', '-f', '--bpp', str(b), '-o', cut, os.path.join(wd, 'full.dfc')], check=True)
        pts.append(dict(target=b, bytes=os.path.getsize(f), identical_to_truncated=open(f, 'rb').read() == open(cut, 'rb').read()))
    save('fresh', stem, pts)
    print(f'{stem} fresh: {pts}', file=sys.stderr, flush=True)
print('raw results in', path)
