#!/usr/bin/python3
"""Ultra-low-rate benchmark of image-lossy (issue 13): diffcomp against what a user would do instead.

For every image and every target rate B (default 0.02, 0.03, 0.05 bpp):
  ours      `diffcomp compress -c image-lossy --bpp B` (a fresh encode; the codec takes the longest
            prefix of diffusion steps whose whole .dfc file is at most B bpp, so the actual rate is
            at or below B and two targets can give the same file), then `diffcomp decompress`.
            Its actual byte count is the budget of every other candidate for that image and rate.
  avif-Nx   the image downscaled N x (PIL Lanczos), `avifenc -s 6 -j 1 -y 444 --min Q --max Q`, Q
            found by binary search as the smallest quantizer (best quality) whose file is at most
            the budget; `avifdec`, then upscaled back to full size (PIL Lanczos). N = 1 is plain AVIF.
  jxl       `cjxl -d D -e 7` (its default resampling: libjxl switches to 2x2 itself from d 20), D by
            binary search in log(D) over [0.3, 25] (25 is cjxl's largest distance) for the smallest
            D whose file is at most the budget; `djxl`.
  jxl-rN    the same with `--resampling=N` (JPEG XL's own downsampling; its decoder upsamples).
A candidate whose coarsest setting is still over the budget is recorded as not reachable, with the
size of that coarsest file. Monotonicity of size in the parameter is assumed by the search.

Metrics on the decoded 8-bit PNGs at full size: PSNR (RGB) and MS-SSIM from extras/metrics.h
(build/bin/diffcomp-lossy-eval); butteraugli from the Debian `butteraugli` tool (the 2017 release,
the project's usual number: it prints the max-norm distance only) and from libjxl 0.7's
butteraugli API (max-norm and 3-norm; a newer butteraugli, its numbers differ from the 2017 tool's).
Times: /usr/bin/time around each tool (wall seconds and user+system CPU seconds), for ours the
encode and the decode, for the others the final encode (not the search) and decode + upscale.

Results: OUT/raw.json, written after every image (an interrupted run resumes where it stopped).
After the run: `--sharpness` measures how much fine detail each decoded image keeps
(OUT/sharpness.json; needs numpy), `--crops` writes the side-by-side crops, `--report` the tables
(OUT/tables.md) that OUT/results.md quotes.
Needs /usr/bin/python3 with PIL (and numpy for --sharpness)."""
import argparse, json, math, os, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument('--images', default='../shared/data/kodak')
ap.add_argument('--out', default='results/image-lossy/ultralow')
ap.add_argument('--build', default='build')
ap.add_argument('--work', default='/tmp/dc-bench-ultralow')
ap.add_argument('--limit', type=int, default=0)
ap.add_argument('--bpps', default='0.02,0.03,0.05')
ap.add_argument('--threads', type=int, default=2, help='threads of diffcomp (the others run on one)')
ap.add_argument('--variants', default='avif-1x,avif-2x,avif-4x,avif-8x,jxl,jxl-r4,jxl-r8')
ap.add_argument('--crops', action='store_true', help='write the side-by-side crops from an existing run')
ap.add_argument('--crop-images', default='kodim15,kodim19,kodim23')
ap.add_argument('--crop-size', type=int, default=192)
ap.add_argument('--crop-bpps', default='0.03,0.05')
ap.add_argument('--report', action='store_true', help='write OUT/tables.md from an existing run')
ap.add_argument('--sharpness', action='store_true', help='write OUT/sharpness.json from an existing run (needs numpy)')
args = ap.parse_args()

DC = os.path.join(args.build, 'bin', 'diffcomp')
EVAL = os.path.join(args.build, 'bin', 'diffcomp-lossy-eval')
BPPS = [float(b) for b in args.bpps.split(',')]
VARIANTS = args.variants.split(',')
os.makedirs(args.out, exist_ok=True)
os.makedirs(args.work, exist_ok=True)
RAW = os.path.join(args.out, 'raw.json')


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(' '.join(cmd) + ': ' + r.stderr.strip())
    return r.stdout


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (wall seconds, user+system CPU seconds)."""
    tf = os.path.join(args.work, 'time.txt')
    r = subprocess.run(['/usr/bin/time', '-o', tf, '-f', '%e %U %S'] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(' '.join(cmd) + ': ' + r.stderr.strip())
    e, u, s = open(tf).read().split()[-3:]
    return float(e), float(u) + float(s)


def first_line(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return None


_JXL = []


def jxl_butteraugli(ref, dist):
    """libjxl 0.7's butteraugli (the library's C API, through ctypes: libjxl-dev is not installed,
    the shared library is): (max-norm, 3-norm), the two numbers libjxl's butteraugli_main prints;
    (None, None) without the library. 8-bit RGB read as sRGB, the API's default intensity target."""
    import ctypes
    if not _JXL:
        try:
            J = ctypes.CDLL('libjxl.so.0.7')
        except OSError:
            _JXL.append(None)
            return None, None

        class PF(ctypes.Structure):  # JxlPixelFormat
            _fields_ = [('num_channels', ctypes.c_uint32), ('data_type', ctypes.c_int),
                        ('endianness', ctypes.c_int), ('align', ctypes.c_size_t)]
        J.JxlButteraugliApiCreate.restype = ctypes.c_void_p
        J.JxlButteraugliApiCreate.argtypes = [ctypes.c_void_p]
        J.JxlButteraugliCompute.restype = ctypes.c_void_p
        J.JxlButteraugliCompute.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(PF), ctypes.c_char_p,
                                            ctypes.c_size_t, ctypes.POINTER(PF), ctypes.c_char_p, ctypes.c_size_t]
        J.JxlButteraugliResultGetDistance.restype = ctypes.c_float
        J.JxlButteraugliResultGetDistance.argtypes = [ctypes.c_void_p, ctypes.c_float]
        J.JxlButteraugliResultGetMaxDistance.restype = ctypes.c_float
        J.JxlButteraugliResultGetMaxDistance.argtypes = [ctypes.c_void_p]
        J.JxlButteraugliResultDestroy.argtypes = [ctypes.c_void_p]
        J.JxlButteraugliApiDestroy.argtypes = [ctypes.c_void_p]
        _JXL.append((J, PF(3, 2, 0, 0)))  # 3 channels, JXL_TYPE_UINT8 = 2, native endianness, no row alignment
    if _JXL[0] is None: return None, None
    J, pf = _JXL[0]
    from PIL import Image
    a, b = (Image.open(p).convert('RGB') for p in (ref, dist))
    if a.size != b.size: raise RuntimeError(f'{dist}: size differs from {ref}')
    ab, bb = a.tobytes(), b.tobytes()
    api = J.JxlButteraugliApiCreate(None)
    r = J.JxlButteraugliCompute(api, a.size[0], a.size[1], ctypes.byref(pf), ab, len(ab), ctypes.byref(pf), bb, len(bb))
    if not r:
        J.JxlButteraugliApiDestroy(api)
        raise RuntimeError(f'JxlButteraugliCompute failed on {dist}')
    out = float(J.JxlButteraugliResultGetMaxDistance(r)), float(J.JxlButteraugliResultGetDistance(r, 3.0))
    J.JxlButteraugliResultDestroy(r)
    J.JxlButteraugliApiDestroy(api)
    return out


def metrics(ref, dist):
    m = json.loads(run([EVAL, ref, dist]).splitlines()[0])
    b = subprocess.run(['butteraugli', ref, dist], capture_output=True, text=True)
    ba = float(b.stdout.split()[0]) if b.returncode == 0 and b.stdout.strip() else None
    jmax, j3 = jxl_butteraugli(ref, dist)
    return dict(psnr=m['psnr'], msssim=m['msssim'], butteraugli=ba, butteraugli_jxl_max=jmax, butteraugli_jxl_3norm=j3)


def resize(src, dst, size):
    from PIL import Image
    t0 = time.time()
    Image.open(src).convert('RGB').resize(size, Image.LANCZOS).save(dst)
    return time.time() - t0


# ---- candidates ------------------------------------------------------------------------------
def variant_spec(v):
    """(kind, factor): ('avif', N) or ('jxl', resampling or 0 for cjxl's default)."""
    kind, _, f = v.partition('-')
    if kind == 'avif':
        return 'avif', int(f.rstrip('x'))
    return 'jxl', int(f[1:]) if f else 0


def search_candidate(v, src, size, budget, wd):
    """Best setting of variant v at most `budget` bytes; returns its record (metrics included)."""
    kind, f = variant_spec(v)
    W, H = size
    tag = os.path.join(wd, v)
    inp, down_s = src, 0.0
    if kind == 'avif' and f > 1:
        inp = tag + '-down.png'
        down_s = resize(src, inp, (W // f, H // f))
    sizes = {}

    def enc(p):
        ext = 'avif' if kind == 'avif' else 'jxl'
        o = f'{tag}-{p}.{ext}'
        if kind == 'avif':
            cmd = ['avifenc', '-s', '6', '-j', '1', '-y', '444', '--min', str(p), '--max', str(p), inp, o]
        else:
            cmd = ['cjxl', inp, o, '-d', f'{p:.4g}', '-e', '7', '--quiet'] + ([f'--resampling={f}'] if f else [])
        es, ec = timed(cmd)
        sizes[p] = (os.path.getsize(o), o, es, ec)
        return sizes[p][0]

    if kind == 'avif':
        coarsest = 63
        if enc(coarsest) > budget:
            return dict(reached=False, coarsest_param=coarsest, coarsest_bytes=sizes[coarsest][0])
        lo, hi = 0, 63  # invariant: hi fits
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if enc(mid) <= budget: hi = mid
            else: lo = mid
        if lo == 0 and enc(0) <= budget: hi = 0
        best = hi
    else:
        coarsest = 25.0
        if enc(coarsest) > budget:
            return dict(reached=False, coarsest_param=coarsest, coarsest_bytes=sizes[coarsest][0])
        lo, hi = math.log(0.3), math.log(25.0)  # hi fits
        for _ in range(8):  # ratio 83 in 8 halvings: 1.7 % steps in D
            mid = (lo + hi) / 2
            if enc(float(f'{math.exp(mid):.4g}')) <= budget: hi = mid
            else: lo = mid
        best = float(f'{math.exp(hi):.4g}') if hi != math.log(25.0) else coarsest
        if best not in sizes: enc(best)
    nbytes, o, es, ec = sizes[best]
    png = f'{tag}-dec.png'
    if kind == 'avif':
        ds, dc = timed(['avifdec', '-j', '1', o, png if f == 1 else tag + '-dec-small.png'])
        up_s = resize(tag + '-dec-small.png', png, (W, H)) if f > 1 else 0.0
    else:
        ds, dc = timed(['djxl', o, png, '--quiet', '--num_threads=1'])
        up_s = 0.0
    rec = dict(reached=True, param=best, bytes=nbytes, encodes_in_search=len(sizes),
               enc_s=es + down_s, enc_cpu_s=ec + down_s, dec_s=ds + up_s, dec_cpu_s=dc + up_s)
    rec.update(metrics(src, png))
    return rec


def image_size(path):
    from PIL import Image
    return Image.open(path).size


# ---- the run ---------------------------------------------------------------------------------
def provenance():
    head = run(['git', 'rev-parse', 'HEAD']).strip()
    dirty = bool(run(['git', 'status', '--porcelain', '--untracked-files=no']).strip())
    dpkg = lambda p: first_line(['dpkg-query', '-W', '-f', '${Version}', p])
    return dict(git_commit=head, git_dirty=dirty, command=' '.join(sys.argv),
                tools=dict(avifenc=first_line(['avifenc', '--version']), cjxl=first_line(['cjxl', '--version']),
                           butteraugli='Debian butteraugli ' + str(dpkg('butteraugli')), libjxl=dpkg('libjxl0.7'), pillow=__import__('PIL').__version__,
                           resampling='PIL Image.LANCZOS, down and up'))


def main_run():
    imgs = sorted(f for f in os.listdir(args.images) if f.endswith('.png'))
    if args.limit: imgs = imgs[:args.limit]
    R = json.load(open(RAW)) if os.path.exists(RAW) else {}
    R.setdefault('runs', []).append(dict(started=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), **provenance()))
    R['bpps'] = BPPS
    R['variants'] = VARIANTS
    R.setdefault('images', {})

    def save():
        json.dump(R, open(RAW + '.tmp', 'w'), indent=1)
        os.replace(RAW + '.tmp', RAW)

    t_start = time.time()
    for n, name in enumerate(imgs):
        stem = name[:-4]
        src = os.path.join(args.images, name)
        wd = os.path.join(args.work, stem)
        os.makedirs(wd, exist_ok=True)
        W, H = image_size(src)
        I = R['images'].setdefault(stem, dict(width=W, height=H, rates={}))
        by_budget = {}  # the search depends only on the budget: reuse it where two targets give one file
        for r in I['rates'].values():
            for v, c in r.get('candidates', {}).items():
                by_budget[(v, r['ours']['bytes'])] = c
        for B in BPPS:
            key = f'{B:g}'
            r = I['rates'].get(key)
            if r is None or 'ours' not in r:
                f = os.path.join(wd, f'ours-{key}.dfc')
                png = os.path.join(wd, f'ours-{key}.png')
                es, ec = timed([DC, 'compress', '-q', '-c', 'image-lossy', '--bpp', str(B), '-T', str(args.threads), '-f', '-o', f, src])
                ds, dc = timed([DC, 'decompress', '-q', '-T', str(args.threads), '-f', '-o', png, f])
                info = json.loads(run([DC, '--json', 'info', f]))[0]
                ok = image_size(png) == (W, H)
                if not ok: raise RuntimeError(f'{png}: decoded size differs from {src}')
                r = dict(ours=dict(bytes=os.path.getsize(f), bpp=os.path.getsize(f) * 8 / (W * H), decodes=ok,
                                   model_fingerprint=info['model_fingerprint'], revision=info['revision'],
                                   enc_s=es, enc_cpu_s=ec, dec_s=ds, dec_cpu_s=dc, **metrics(src, png)),
                         candidates={})
                I['rates'][key] = r
                save()
            budget = r['ours']['bytes']
            for v in VARIANTS:
                if v in r['candidates']: continue
                c = by_budget.get((v, budget))
                if c is None:
                    c = search_candidate(v, src, (W, H), budget, wd)
                    by_budget[(v, budget)] = c
                r['candidates'][v] = c
                save()
        print(f'[{n + 1}/{len(imgs)}] {stem} done, {time.time() - t_start:.0f} s', file=sys.stderr, flush=True)
    R['runs'][-1]['finished'] = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    save()


# ---- sharpness ------------------------------------------------------------------------------
def regenerate_avif(src, wd, v, key, c, W, H):
    """The decoded full-size PNG of AVIF variant v at its recorded quantizer (the work dir keeps
    only the last search's files); the re-encode must give the recorded size."""
    f = int(v.split('-')[1].rstrip('x'))
    tmp = os.path.join(wd, f'regen-{v}-{key}')
    if f > 1: resize(src, tmp + '-down.png', (W // f, H // f))
    run(['avifenc', '-s', '6', '-j', '1', '-y', '444', '--min', str(c['param']), '--max', str(c['param']),
         tmp + '-down.png' if f > 1 else src, tmp + '.avif'])
    if os.path.getsize(tmp + '.avif') != c['bytes']: raise RuntimeError(f'{tmp}.avif: size differs from the run')
    run(['avifdec', '-j', '1', tmp + '.avif', tmp + '-small.png' if f > 1 else tmp + '.png'])
    if f > 1: resize(tmp + '-small.png', tmp + '.png', (W, H))
    return tmp + '.png'


def main_sharpness():
    """Detail energy of each decoded image relative to the original, at three scales: luma
    (0.299 R + 0.587 G + 0.114 B) averaged over s x s blocks (s = 1, 2, 4), then the mean squared
    4-neighbour Laplacian over interior pixels, decoded / original. 1 = as much energy at that
    scale as the original (not necessarily the same detail), below 1 = blurred at that scale."""
    import numpy as np
    from PIL import Image
    R = json.load(open(RAW))

    SCALES = (1, 2, 4)

    def hf(path):
        a = np.asarray(Image.open(path).convert('RGB'), dtype=np.float64)
        y0 = a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114
        out = []
        for f in SCALES:
            h, w = y0.shape[0] // f, y0.shape[1] // f
            y = y0[:h * f, :w * f].reshape(h, f, w, f).mean(axis=(1, 3))
            lap = 4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:]
            out.append(float(np.mean(lap * lap)))
        return out

    ratio = lambda a, b: [x / y for x, y in zip(a, b)]

    S = dict(definition=' '.join(main_sharpness.__doc__.split()), scales=SCALES, images={})
    for stem in sorted(R['images']):
        I = R['images'][stem]
        src = os.path.join(args.images, stem + '.png')
        wd = os.path.join(args.work, stem)
        h0 = hf(src)
        out = S['images'][stem] = dict(original_hf=h0, rates={})
        for key, r in I['rates'].items():
            d = out['rates'][key] = dict(ours=ratio(hf(os.path.join(wd, f'ours-{key}.png')), h0))
            for v in ('avif-1x', 'avif-2x', 'avif-4x', 'avif-8x'):
                c = r['candidates'].get(v)
                if c and c['reached']: d[v] = ratio(hf(regenerate_avif(src, wd, v, key, c, I['width'], I['height'])), h0)
        print(stem, file=sys.stderr, flush=True)
    json.dump(S, open(os.path.join(args.out, 'sharpness.json'), 'w'), indent=1)


# ---- report --------------------------------------------------------------------------------
def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs) if xs else float('nan')


def main_report():
    R = json.load(open(RAW))
    imgs = sorted(R['images'])
    L = []
    w = L.append
    w(f'<!-- written by scripts/bench-image-lossy-ultralow.py --report from raw.json; {len(imgs)} images -->')
    w('')
    w('Per target rate: diffcomp\'s actual bytes are every other candidate\'s budget (same image, at most as many bytes). '
      'For each candidate: the images where it reaches the budget, its means over those images, diffcomp\'s means over the '
      'same images, and on how many of them diffcomp is better (lower butteraugli, higher PSNR, higher MS-SSIM). '
      '"AVIF best" is, per image, the AVIF (2x, 4x or 8x) with the lowest butteraugli: an oracle choice of the factor. '
      'butteraugli: the 2017 tool (max-norm); 3-norm: libjxl 0.7\'s butteraugli. Bytes: mean file size. Times: wall seconds, mean.')
    for B in R['bpps']:
        key = f'{B:g}'
        rs = {s: R['images'][s]['rates'][key] for s in imgs if key in R['images'][s]['rates']}
        ours = {s: r['ours'] for s, r in rs.items()}
        w('')
        w(f'### Target {key} bpp')
        w('')
        w(f'diffcomp: {mean(o["bytes"] for o in ours.values()):.0f} bytes ({mean(o["bpp"] for o in ours.values()):.4f} bpp, '
          f'{min(o["bpp"] for o in ours.values()):.4f}-{max(o["bpp"] for o in ours.values()):.4f}), '
          f'{len(ours)} of {len(ours)} decode; PSNR {mean(o["psnr"] for o in ours.values()):.2f} dB, '
          f'MS-SSIM {mean(o["msssim"] for o in ours.values()):.4f}, butteraugli {mean(o["butteraugli"] for o in ours.values()):.2f} '
          f'(libjxl: max {mean(o["butteraugli_jxl_max"] for o in ours.values()):.2f}, 3-norm {mean(o["butteraugli_jxl_3norm"] for o in ours.values()):.2f}); '
          f'encode {mean(o["enc_s"] for o in ours.values()):.1f} s ({mean(o["enc_cpu_s"] for o in ours.values()):.1f} s CPU), '
          f'decode {mean(o["dec_s"] for o in ours.values()):.1f} s ({mean(o["dec_cpu_s"] for o in ours.values()):.1f} s CPU).')
        w('')
        w('| candidate | reaches | bytes | PSNR | MS-SSIM | butteraugli | 3-norm | diffcomp on those images: PSNR / MS-SSIM / butteraugli / 3-norm | diffcomp better: butteraugli / 3-norm / PSNR / MS-SSIM | enc / dec s |')
        w('|---|---|---|---|---|---|---|---|---|---|')
        cands = {v: {s: r['candidates'][v] for s, r in rs.items() if v in r['candidates']} for v in R['variants']}
        best = {}
        for s, r in rs.items():
            a = [r['candidates'][v] for v in ('avif-2x', 'avif-4x', 'avif-8x') if r['candidates'].get(v, {}).get('reached')]
            if a: best[s] = min(a, key=lambda c: c['butteraugli'])
        cands['AVIF best'] = best
        for v, cs in cands.items():
            got = {s: c for s, c in cs.items() if c.get('reached')}
            if not got:
                w(f'| {v} | 0/{len(rs)} (its coarsest file: {mean(c["coarsest_bytes"] for c in cs.values()):.0f} bytes on average) | | | | | | | | |')
                continue
            n = len(got)
            o = [ours[s] for s in got]
            c = list(got.values())
            wins = lambda k, lower: sum((ours[s][k] < got[s][k]) if lower else (ours[s][k] > got[s][k]) for s in got)
            w(f'| {v} | {n}/{len(rs)} | {mean(x["bytes"] for x in c):.0f} | {mean(x["psnr"] for x in c):.2f} | {mean(x["msssim"] for x in c):.4f} | '
              f'{mean(x["butteraugli"] for x in c):.2f} | {mean(x["butteraugli_jxl_3norm"] for x in c):.2f} | '
              f'{mean(x["psnr"] for x in o):.2f} / {mean(x["msssim"] for x in o):.4f} / {mean(x["butteraugli"] for x in o):.2f} / '
              f'{mean(x["butteraugli_jxl_3norm"] for x in o):.2f} | {wins("butteraugli", True)} / {wins("butteraugli_jxl_3norm", True)} / '
              f'{wins("psnr", False)} / {wins("msssim", False)} of {n} | '
              f'{mean(x["enc_s"] for x in c):.2f} / {mean(x["dec_s"] for x in c):.2f} |')
    w('')
    w('Rate steps: diffcomp\'s rate moves in whole diffusion steps, so two targets can give the same file: ' + '; '.join(
        f'{a:g} and {b:g} bpp on {sum(R["images"][s]["rates"][f"{a:g}"]["ours"]["bytes"] == R["images"][s]["rates"][f"{b:g}"]["ours"]["bytes"] for s in imgs)} of {len(imgs)} images'
        for a, b in zip(R['bpps'], R['bpps'][1:])) + '.')
    w('')
    w('### Per image: butteraugli (lower is better) and bytes')
    w('')
    w('diffcomp bytes, then butteraugli of diffcomp / AVIF 2x / AVIF 4x (- = the budget is below that AVIF\'s coarsest file); '
      'the lowest of the three in bold.')
    w('')
    w('| image | ' + ' | '.join(f'{B:g} bpp' for B in R['bpps']) + ' |')
    w('|---|' + '---|' * len(R['bpps']))
    for s in imgs:
        cells = []
        for B in R['bpps']:
            r = R['images'][s]['rates'].get(f'{B:g}')
            if r is None: cells.append(''); continue
            vals = [r['ours']['butteraugli']] + [r['candidates'][v]['butteraugli'] if r['candidates'].get(v, {}).get('reached') else None
                                                 for v in ('avif-2x', 'avif-4x')]
            lo = min(x for x in vals if x is not None)
            txt = ['-' if x is None else (f'**{x:.1f}**' if x == lo else f'{x:.1f}') for x in vals]
            cells.append(f'{r["ours"]["bytes"]} B: ' + ' / '.join(txt))
        w(f'| {s} | ' + ' | '.join(cells) + ' |')
    sp = os.path.join(args.out, 'sharpness.json')
    if os.path.exists(sp):
        S = json.load(open(sp))
        w('')
        w('### Fine detail (sharpness.json)')
        w('')
        w('Detail energy at scale s (luma averaged over s x s blocks, then the mean squared Laplacian), decoded / original, '
          'mean over the images where the candidate reaches the budget (1 = as much energy at that scale as the original, '
          'lower = blurrier at that scale; it does not say whether the detail is the right one). In brackets: on how many of '
          'those images diffcomp\'s ratio is higher.')
        w('')
        vs = ('avif-1x', 'avif-2x', 'avif-4x', 'avif-8x')
        w('| target bpp | scale | diffcomp | ' + ' | '.join(vs) + ' |')
        w('|---|---|---|' + '---|' * len(vs))
        for B in R['bpps']:
            key = f'{B:g}'
            rows = [S['images'][s]['rates'][key] for s in sorted(S['images']) if key in S['images'][s]['rates']]
            for j, sc in enumerate(S['scales']):
                cells = [f'{mean(r["ours"][j] for r in rows):.3f}']
                for v in vs:
                    got = [r for r in rows if v in r]
                    cells.append(f'{mean(r[v][j] for r in got):.3f} ({sum(r["ours"][j] > r[v][j] for r in got)}/{len(got)})' if got else '-')
                w(f'| {key} | {sc} | ' + ' | '.join(cells) + ' |')
    dst = os.path.join(args.out, 'tables.md')
    open(dst, 'w').write('\n'.join(L) + '\n')
    print(dst, file=sys.stderr)


# ---- crops -----------------------------------------------------------------------------------
def main_crops():
    """One PNG per --crop-images image: the centre --crop-size pixels of the original, then for
    each --crop-bpps rate diffcomp | AVIF 2x | AVIF 4x at diffcomp's bytes. diffcomp's decoded
    file comes from the run's --work; the AVIFs are re-encoded at the recorded quantizer (checked
    to give the recorded size). Crops are not scaled: one image pixel is one crop pixel."""
    from PIL import Image, ImageDraw
    R = json.load(open(RAW))
    C = args.crop_size
    lab_h, gap = 40, 4
    for stem in args.crop_images.split(','):
        I = R['images'][stem]
        src = os.path.join(args.images, stem + '.png')
        wd = os.path.join(args.work, stem)
        W, H = I['width'], I['height']
        box = ((W - C) // 2, (H - C) // 2, (W + C) // 2, (H + C) // 2)
        panels = [(['original', f'centre {C} x {C}'], src, None)]
        for key in (f'{float(b):g}' for b in args.crop_bpps.split(',')):
            r = I['rates'][key]
            panels.append(([f'diffcomp {key}: {r["ours"]["bytes"]} B'], os.path.join(wd, f'ours-{key}.png'), r['ours']))
            for v in ('avif-2x', 'avif-4x'):
                c = r['candidates'][v]
                name = f'AVIF {v[5:]} {key}'
                if not c['reached']:
                    panels.append(([name, 'not reachable:', f'q63 is {c["coarsest_bytes"]} B'], None, None))
                    continue
                png = regenerate_avif(src, wd, v, key, c, W, H)
                panels.append(([f'{name}: {c["bytes"]} B q{c["param"]}'], png, c))
        out = Image.new('RGB', (len(panels) * C + (len(panels) - 1) * gap, C + lab_h), (255, 255, 255))
        d = ImageDraw.Draw(out)
        for i, (lines, path, m) in enumerate(panels):
            x = i * (C + gap)
            if path: out.paste(Image.open(path).convert('RGB').crop(box), (x, lab_h))
            if m: lines = lines + [f'butteraugli {m["butteraugli"]:.1f}', f'{m["psnr"]:.2f} dB, MS-SSIM {m["msssim"]:.3f}']
            for j, t in enumerate(lines): d.text((x + 2, 1 + 13 * j), t, fill=(0, 0, 0))
        dst = os.path.join(args.out, f'crop-{stem}.png')
        out.save(dst, optimize=True)
        print(dst, os.path.getsize(dst), file=sys.stderr)


if __name__ == '__main__':
    main_crops() if args.crops else main_report() if args.report else main_sharpness() if args.sharpness else main_run()
