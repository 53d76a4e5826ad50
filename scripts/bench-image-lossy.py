#!/usr/bin/python3
"""Rate-distortion benchmark of image-lossy beside cjpeg, cwebp, cjxl and avifenc on Kodak.

Ours: one encode per image at full rate (--quality 100), then `diffcomp truncate --bpp B` to
each target rate and `diffcomp decompress`; fresh encodes at the same targets (`compress --bpp B`)
on the first --fresh images, compared byte for byte with the truncated files and by quality.
Baselines: a fixed parameter grid per codec (flags of ../shared/STACK.md section 3, efforts as in
programs/bench_codecs.cc); their metrics at our exact per-image rates are interpolated linearly
in log(bpp) between the two nearest grid points of the same image ("matched rate"); a rate
outside a codec's grid range is reported as not reachable.
Metrics: PSNR (RGB) and MS-SSIM from extras/metrics.h (diffcomp-lossy-eval), butteraugli from
the Debian `butteraugli` tool (the 2017 release; libjxl's butteraugli_main is not packaged).
Timing and peak memory: /usr/bin/time -f "%e %M" around each CLI call.
Needs /usr/bin/python3 (numpy, matplotlib)."""
import argparse, json, math, os, shutil, subprocess, sys, time
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument('--images', default='../shared/data/kodak')
ap.add_argument('--out', default='results/image-lossy')
ap.add_argument('--build', default='build')
ap.add_argument('--work', default='/tmp/dc-bench-lossy')
ap.add_argument('--limit', type=int, default=0)
ap.add_argument('--bpps', default='0.03,0.05,0.1,0.2,0.3,0.5,0.75,1.0,1.25,1.5,2.0')
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--fresh', type=int, default=2, help='images with fresh encodes')
ap.add_argument('--fresh-bpps', default='0.05,0.2,0.5')
ap.add_argument('--full-decodes', type=int, default=4, help='images whose full-rate file is also decoded by the CLI (timed)')
ap.add_argument('--model', default='')
ap.add_argument('--skip-baselines', action='store_true')
ap.add_argument('--only-baselines', action='store_true')
ap.add_argument('--no-butteraugli', action='store_true')
args = ap.parse_args()

DC = os.path.join(args.build, 'bin', 'diffcomp')
EVAL = os.path.join(args.build, 'bin', 'diffcomp-lossy-eval')
RESEARCH = os.path.join(args.build, 'bin', 'diffcomp-lossy-research')  # tests/tools/lossy_research.cc
BPPS = [float(b) for b in args.bpps.split(',')]
os.makedirs(args.out, exist_ok=True)
os.makedirs(args.work, exist_ok=True)
imgs = sorted(f for f in os.listdir(args.images) if f.endswith('.png'))
if args.limit: imgs = imgs[:args.limit]
MODEL = ['--model', args.model] if args.model else []
DEFAULT_MODEL = 'models/image-lossy-ldm1.dcw'


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (seconds, peak KiB)."""
    tf = os.path.join(args.work, 'time.txt')
    r = subprocess.run(['/usr/bin/time', '-o', tf, '-f', '%e %M'] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(' '.join(cmd) + ': ' + r.stderr.strip())
    s, m = open(tf).read().split()[-2:]
    return float(s), int(m)


def pixels(path):
    r = subprocess.run(['/usr/bin/python3', '-c', 'import sys;from PIL import Image;i=Image.open(sys.argv[1]);print(i.size[0]*i.size[1])', path],
                       capture_output=True, text=True, check=True)
    return int(r.stdout)


def full_is_exact(src, png):
    """Revision 2: the whole file decodes to the original (pixel for pixel)."""
    r = subprocess.run(['/usr/bin/python3', '-c', 'import sys,numpy as np;from PIL import Image;'
                        'a,b=(np.asarray(Image.open(f).convert("RGB")) for f in sys.argv[1:]);print(int(a.shape==b.shape and (a==b).all()))',
                        src, png], capture_output=True, text=True, check=True)
    return r.stdout.strip() == '1'


def metrics(ref, dists, butteraugli=True):
    out = subprocess.run([EVAL, ref] + dists, capture_output=True, text=True, check=True).stdout
    res = [json.loads(l) for l in out.splitlines() if l.strip()]
    for r in res:
        r['butteraugli'] = None
        if butteraugli and not args.no_butteraugli:
            b = subprocess.run(['butteraugli', ref, r['dist']], capture_output=True, text=True)
            if b.returncode == 0: r['butteraugli'] = float(b.stdout.split()[0])
    return res


# ---- baselines: parameter grids ------------------------------------------------------------
BASE = {
    'cjpeg': dict(grid=[1, 3, 5, 8, 12, 18, 25, 35, 50, 65, 75, 85, 92, 96], ext='jpg',
                  enc=lambda i, o, q, ppm: ['cjpeg', '-quality', str(q), '-optimize', '-outfile', o, ppm],
                  # djpeg writes PPM whatever the name; the butteraugli tool reads PNG/JPEG only
                  dec=lambda i, o: ['djpeg', '-outfile', o + '.ppm', i], to_png=True, flags='cjpeg -quality Q -optimize'),
    'cwebp': dict(grid=[0, 2, 5, 10, 20, 30, 45, 60, 75, 85, 92, 97], ext='webp',
                  enc=lambda i, o, q, ppm: ['cwebp', '-quiet', '-q', str(q), '-m', '6', i, '-o', o],
                  dec=lambda i, o: ['dwebp', '-quiet', i, '-o', o], flags='cwebp -q Q -m 6'),
    'cjxl': dict(grid=[25, 18, 13, 10, 7.5, 5.5, 4, 3, 2, 1.4, 1.0, 0.7, 0.45], ext='jxl',
                 enc=lambda i, o, q, ppm: ['cjxl', i, o, '-d', str(q), '-e', '7', '--quiet'],
                 dec=lambda i, o: ['djxl', i, o, '--quiet'], flags='cjxl -d D -e 7'),
    'avif': dict(grid=[63, 60, 57, 54, 50, 46, 42, 37, 32, 27, 22, 17, 12, 8], ext='avif',
                 enc=lambda i, o, q, ppm: ['avifenc', '-s', '6', '-j', '2', '--min', str(q), '--max', str(q), '-y', '444', i, o],
                 dec=lambda i, o: ['avifdec', i, o], flags='avifenc -s 6 -j 2 --min Q --max Q -y 444'),
}

res_path = os.path.join(args.out, 'raw-baselines.json' if args.only_baselines else 'raw.json')
R = json.load(open(res_path)) if os.path.exists(res_path) else {}
if args.only_baselines and not R and os.path.exists(os.path.join(args.out, 'raw.json')):
    # start from the baseline points already measured (the grids only grew)
    R = dict(base=json.load(open(os.path.join(args.out, 'raw.json'))).get('base', {}))
R.setdefault('ours', {})
R.setdefault('fresh', {})
R.setdefault('base', {})
R['bpps'] = BPPS


def save():
    json.dump(R, open(res_path + '.tmp', 'w'), indent=1)
    os.replace(res_path + '.tmp', res_path)


t_start = time.time()
for n, name in enumerate(imgs):
    src = os.path.join(args.images, name)
    stem = name[:-4]
    npx = pixels(src)
    wd = os.path.join(args.work, stem)
    os.makedirs(wd, exist_ok=True)
    if not args.only_baselines and stem not in R['ours']:
        full = os.path.join(wd, 'full.dfc')
        es, em = timed([DC, 'compress', '-q', '--codec', 'image-lossy', '--quality', '100', '-T', str(args.threads), '-f', '-o', full, src] + MODEL)
        rec = dict(pixels=npx, full_bytes=os.path.getsize(full), enc_s=es, enc_kib=em, points=[])
        cuts = []
        for b in BPPS:
            cut = os.path.join(wd, f'cut-{b}.dfc')
            subprocess.run([DC, 'truncate', '-q', '-f', '--bpp', str(b), '-o', cut, full], check=True)
            cuts.append(cut)
        # All cuts decoded in one pass (lossy::DecodePrefixes, the decoder's own code path).
        t0 = time.time()
        subprocess.run([RESEARCH, '--cuts', args.model or DEFAULT_MODEL, full] + cuts + [full], check=True, stdout=subprocess.DEVNULL)
        rec['one_pass_decode_s'] = time.time() - t0
        rec['full_exact'] = full_is_exact(src, full[:-4] + '.png')
        # The CLI decoder, timed, at the full rate and at the 0.1 bpp cut; same pixels as above.
        for label, f in (('full', full), ('0.1', os.path.join(wd, 'cut-0.1.dfc'))):
            if not os.path.exists(f) or n >= args.full_decodes: continue  # CLI decodes timed on the first --full-decodes images
            png = f[:-4] + '.cli.png'
            ds, dm = timed([DC, 'decompress', '-q', '-T', str(args.threads), '-f', '-o', png, f] + MODEL)
            ref = f[:-4] + '.png' if label != 'full' else None
            if ref is None:
                # the full file equals the last cut whenever the last target is at or above the full rate
                last = cuts[-1]
                same_full = open(last, 'rb').read() == open(full, 'rb').read()
                ref = last[:-4] + '.png' if same_full else None
            same = None if ref is None else open(png, 'rb').read() == open(ref, 'rb').read()
            rec[f'cli_decode_{label}'] = dict(s=ds, kib=dm, same_pixels_as_one_pass=same)
        for b, cut in zip(BPPS, cuts):
            png = cut[:-4] + '.png'
            m = metrics(src, [png], butteraugli=b <= 1.0)[0]  # butteraugli where the baselines have it
            rec['points'].append(dict(target=b, bytes=os.path.getsize(cut), bpp=os.path.getsize(cut) * 8 / npx,
                                      psnr=m['psnr'], msssim=m['msssim'], butteraugli=m['butteraugli']))
        R['ours'][stem] = rec
        save()
    if not args.only_baselines and n < args.fresh and stem not in R['fresh']:
        pts = []
        for b in [float(x) for x in args.fresh_bpps.split(',')]:
            f = os.path.join(wd, f'fresh-{b}.dfc')
            png = os.path.join(wd, f'fresh-{b}.png')
            es, em = timed([DC, 'compress', '-q', '--codec', 'image-lossy', '--bpp', str(b), '-T', str(args.threads), '-f', '-o', f, src] + MODEL)
            cut = os.path.join(wd, f'cut-{b}.dfc')
            same = open(f, 'rb').read() == open(cut, 'rb').read()
            subprocess.run([DC, 'decompress', '-q', '-T', str(args.threads), '-f', '-o', png, f] + MODEL, check=True)
            m = metrics(src, [png])[0]
            pts.append(dict(target=b, bytes=os.path.getsize(f), bpp=os.path.getsize(f) * 8 / npx, enc_s=es,
                            identical_to_truncated=same, psnr=m['psnr'], msssim=m['msssim'], butteraugli=m['butteraugli']))
        R['fresh'][stem] = pts
        save()
    if not args.skip_baselines:
        ppm = os.path.join(wd, 'src.ppm')
        if not os.path.exists(ppm):
            from PIL import Image  # cjpeg reads PPM; PIL writes the same RGB pixels
            Image.open(src).convert('RGB').save(ppm)
        for codec, c in BASE.items():
            key = f'{codec}/{stem}'
            pts = list(R['base'].get(key, []))
            have = {p['param'] for p in pts}
            if all(q in have for q in c['grid']): continue
            for q in c['grid']:
                if q in have: continue
                o = os.path.join(wd, f'{codec}-{q}.{c["ext"]}')
                png = os.path.join(wd, f'{codec}-{q}.png')
                es, em = timed(c['enc'](src, o, q, ppm))
                ds, dm = timed(c['dec'](o, png))
                if c.get('to_png'):
                    from PIL import Image
                    Image.open(png + '.ppm').save(png)
                # butteraugli only where our rates are (it is the slow metric)
                m = metrics(src, [png], butteraugli=os.path.getsize(o) * 8 / npx <= 1.3)[0]
                pts.append(dict(param=q, bytes=os.path.getsize(o), bpp=os.path.getsize(o) * 8 / npx, enc_s=es, dec_s=ds,
                                psnr=m['psnr'], msssim=m['msssim'], butteraugli=m['butteraugli']))
            R['base'][key] = sorted(pts, key=lambda p: p['bpp'])
            save()
    print(f'[{n + 1}/{len(imgs)}] {stem} done, {time.time() - t_start:.0f} s', file=sys.stderr, flush=True)
save()
print('raw results in', res_path)
