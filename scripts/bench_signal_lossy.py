#!/usr/bin/env python3
"""SNR against bits per sample: signal-lossy beside wavpack hybrid and FLAC of a requantized signal.

Run from the repository root with Debian's python (numpy, matplotlib):
  /usr/bin/python3 scripts/bench_signal_lossy.py --diffcomp BUILD/bin/diffcomp --out results/signal-lossy
Inputs: every WAV in ../shared/data/signals/audio and MIT-BIH record 100 (converted to a 2-channel
16-bit WAV at 360 Hz with the same sample values; format 212 decoded as in the data README).
Rates are whole-file bits per sample (all channels): .dfc size, .wv size (lossy part only, no
correction file), .flac size. SNR = 10 log10(sum x^2 / sum (x - y)^2) over all samples, on the
decoded files as written.
  ours:    diffcomp compress --codec signal-lossy --bits-per-sample MAX, then
           diffcomp truncate --bits-per-sample B for each lower B (progressive), decompress.
  wavpack: wavpack -hhx6 -bB (B >= 2, the hybrid minimum), wvunpack.
  flac:    the low k bits cleared (x & ~(2^k - 1), plus 2^(k-1) when k > 0: mid-rise), flac -8.
"""
import argparse, glob, json, os, subprocess, sys, tempfile, time, wave
import numpy as np

def read_wav(p):
    w = wave.open(p, 'rb')
    n, ch, sw, sr = w.getnframes(), w.getnchannels(), w.getsampwidth(), w.getframerate()
    a = np.frombuffer(w.readframes(n), dtype={2: np.int16}[sw]).astype(np.int64).reshape(-1, ch)
    return a, sr

def write_wav(p, a, sr):
    w = wave.open(p, 'wb'); w.setnchannels(a.shape[1]); w.setsampwidth(2); w.setframerate(sr)
    w.writeframes(a.astype('<i2').tobytes()); w.close()

def snr(a, b):
    a = a.astype(np.float64); b = b.astype(np.float64)
    return 10 * np.log10(np.sum(a * a) / max(np.sum((a - b) ** 2), 1e-12))

def ecg_wav(dat, out):
    raw = np.fromfile(dat, dtype=np.uint8).reshape(-1, 3).astype(np.int64)
    s0 = raw[:, 0] | ((raw[:, 1] & 0x0F) << 8)
    s1 = raw[:, 2] | ((raw[:, 1] & 0xF0) << 4)
    s0 = np.where(s0 >= 2048, s0 - 4096, s0); s1 = np.where(s1 >= 2048, s1 - 4096, s1)
    write_wav(out, np.stack([s0, s1], 1), 360)

def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit('failed: %s\n%s' % (' '.join(cmd), r.stderr))
    return r

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--diffcomp', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--data', default='../shared/data/signals')
    ap.add_argument('--max-bps', type=float, default=4.0)
    ap.add_argument('--threads', default='2')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='sl-bench-')
    files = sorted(glob.glob(os.path.join(args.data, 'audio', '*.wav')))
    ecg = os.path.join(tmp, 'ecg100.wav'); ecg_wav(os.path.join(args.data, 'ecg_mitbih', '100.dat'), ecg)
    files.append(ecg)
    rows = []
    ours_rates = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    for f in files:
        name = os.path.basename(f)
        x, sr = read_wav(f)
        ns = x.size
        dfc = os.path.join(tmp, 'a.dfc')
        t0 = time.time()
        run([args.diffcomp, '-q', 'compress', '-f', '-T', args.threads, '--codec', 'signal-lossy',
             '--bits-per-sample', str(args.max_bps), '-o', dfc, f])
        enc_s = time.time() - t0
        for b in ours_rates + [args.max_bps]:
            cut = dfc
            if b < args.max_bps:
                cut = os.path.join(tmp, 'c.dfc')
                run([args.diffcomp, '-q', 'truncate', '-f', dfc, '--bits-per-sample', str(b), '-o', cut])
            t0 = time.time()
            run([args.diffcomp, '-q', 'decompress', '-f', '-T', args.threads, '-o', os.path.join(tmp, 'd.wav'), cut])
            dec_s = time.time() - t0
            y, _ = read_wav(os.path.join(tmp, 'd.wav'))
            rows.append(dict(file=name, codec='signal-lossy', setting='truncate %.1f' % b if b < args.max_bps else 'compress %.1f' % b,
                             bps=8.0 * os.path.getsize(cut) / ns, snr_db=snr(x, y),
                             enc_s=enc_s if b == args.max_bps else None, dec_s=dec_s))
        for b in [2.0, 2.5, 3.0, 3.5, 4.0]:
            wv = os.path.join(tmp, 'a.wv')
            run(['wavpack', '-q', '-y', '-hhx6', '-b%g' % b, f, '-o', wv])
            run(['wvunpack', '-q', '-y', wv, '-o', os.path.join(tmp, 'w.wav')])
            y, _ = read_wav(os.path.join(tmp, 'w.wav'))
            rows.append(dict(file=name, codec='wavpack-hhx6', setting='-b%g' % b, bps=8.0 * os.path.getsize(wv) / ns, snr_db=snr(x, y)))
        for k in range(4, 13):
            q = (x & ~((1 << k) - 1)) + (1 << (k - 1))
            q = np.clip(q, -32768, 32767)
            rq = os.path.join(tmp, 'q.wav'); write_wav(rq, q, sr)
            fl = os.path.join(tmp, 'q.flac')
            run(['flac', '-s', '-f', '-8', rq, '-o', fl])
            rows.append(dict(file=name, codec='flac-8-requant', setting='k=%d' % k, bps=8.0 * os.path.getsize(fl) / ns, snr_db=snr(x, q)))
        print(name, 'done', file=sys.stderr)
    with open(os.path.join(args.out, 'results.json'), 'w') as fp:
        json.dump(rows, fp, indent=1)
    # SNR of each codec interpolated at common rates, and ours minus wavpack.
    def interp(rs, b):
        rs = sorted(rs, key=lambda r: r['bps'])
        xs = [r['bps'] for r in rs]; ys = [r['snr_db'] for r in rs]
        if b < xs[0] or b > xs[-1]: return None
        return float(np.interp(b, xs, ys))
    lines = ['# signal-lossy: SNR (dB) against bits per sample', '',
             'Generated by `scripts/bench_signal_lossy.py` (command in COMMAND.txt); every point in results.json.',
             'SNR interpolated linearly between measured points at the same whole-file rate; "-" = outside the measured range.', '',
             '| file | bits/sample | signal-lossy | wavpack -hhx6 | flac -8 requant | ours - wavpack |', '|---|---|---|---|---|---|']
    for f in files:
        name = os.path.basename(f)
        for b in [2.0, 2.5, 3.0, 3.5]:
            v = {c: interp([r for r in rows if r['file'] == name and r['codec'] == c], b) for c in ['signal-lossy', 'wavpack-hhx6', 'flac-8-requant']}
            fmt = lambda z: '-' if z is None else '%.2f' % z
            d = None if v['signal-lossy'] is None or v['wavpack-hhx6'] is None else v['signal-lossy'] - v['wavpack-hhx6']
            lines.append('| %s | %.1f | %s | %s | %s | %s |' % (name, b, fmt(v['signal-lossy']), fmt(v['wavpack-hhx6']), fmt(v['flac-8-requant']),
                                                              '-' if d is None else '%+.2f' % d))
    enc = [(r['file'], r['enc_s']) for r in rows if r.get('enc_s')]
    lines += ['', 'Encode wall time at %.1f bits/sample (%s threads, shared 2-core machine): ' % (args.max_bps, args.threads) +
              ', '.join('%s %.1f s' % e for e in enc)]
    open(os.path.join(args.out, 'results.md'), 'w').write('\n'.join(lines) + '\n')
    try:
        import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
        fig, axs = plt.subplots(2, 3, figsize=(13, 7.5))
        for ax, f in zip(axs.ravel(), files):
            name = os.path.basename(f)
            for c, st in [('signal-lossy', 'o-'), ('wavpack-hhx6', 's-'), ('flac-8-requant', '^-')]:
                rs = sorted([r for r in rows if r['file'] == name and r['codec'] == c], key=lambda r: r['bps'])
                ax.plot([r['bps'] for r in rs], [r['snr_db'] for r in rs], st, label=c, ms=3)
            ax.set_title(name, fontsize=9); ax.set_xlim(0, 5); ax.grid(alpha=.3); ax.set_xlabel('bits/sample'); ax.set_ylabel('SNR dB')
        axs[0, 0].legend(fontsize=8); fig.tight_layout(); fig.savefig(os.path.join(args.out, 'snr_vs_bps.svg'))
    except ImportError:
        pass

if __name__ == '__main__':
    main()
