#!/usr/bin/python3
"""Lossy video benchmark: diffcomp video-lossy beside libx264 and libx265 (-preset veryslow, several
CRFs) on every sequence of ../shared/data/video, all in one run.

Per point: bits per luma pixel per frame (whole file: our container; the codecs' raw elementary
streams, no container), per-frame PSNR of Y, PSNR of all samples (Y, U, V pooled) and MS-SSIM of Y
(build/bin/diffcomp-lossy-eval --video), averaged over frames; encode and decode time on 2 threads.
BD-rates (scripts/bd_rate.py) of ours against each codec, MS-SSIM (in dB) and PSNR-Y.

  /usr/bin/python3 scripts/bench-video-lossy.py --diffcomp build/bin/diffcomp --out results/video-lossy
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bd_rate import bd_rate  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "video"))
SEQUENCES = [
    # name, file, ffmpeg input args for raw files
    ("foreman_cif_30f", "foreman_cif_30f.y4m", None),
    ("mobile_cif_30f", "mobile_cif_30f.y4m", None),
    ("CiscoVT2people_320x192_12fps", "CiscoVT2people_320x192_12fps.yuv",
     ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "320x192", "-r", "12"]),
]
QUALITIES = [25, 42, 58, 75, 92, 100]  # 3, 5, 7, 9, 11, 12 of the 12 diffusion steps
BPP_TARGETS = [0.1, 0.3]               # rate-control check (--bpp)
CRFS = [51, 46, 41, 36, 31, 26]
CODECS = {
    "x264": lambda crf: ["-c:v", "libx264", "-preset", "veryslow", "-crf", str(crf), "-threads", "2", "-f", "h264"],
    "x265": lambda crf: ["-c:v", "libx265", "-preset", "veryslow", "-crf", str(crf),
                         "-x265-params", "pools=2:frame-threads=1:log-level=error", "-f", "hevc"],
}


def run(cmd):
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr.decode(errors="replace")[-2000:]))
    return time.time() - t0, p.stdout


def metrics(ev, ref, dist):
    _, out = run([ev, "--video", ref, dist])
    rows = [json.loads(l) for l in out.decode().splitlines() if l.strip()]
    n = len(rows)
    return {k: sum(r[k] for r in rows) / n for k in ("psnr_y", "psnr_yuv", "msssim_y")}, rows


def y4m_info(path):
    with open(path, "rb") as f:
        head = f.readline().decode()
        size = os.path.getsize(path)
    tok = dict((t[0], t[1:]) for t in head.split()[1:])
    w, h = int(tok["W"]), int(tok["H"])
    fb = w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2)
    return w, h, (size - len(head)) // (6 + fb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--diffcomp", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    dc = os.path.abspath(args.diffcomp)
    ev = os.path.join(os.path.dirname(dc), "diffcomp-lossy-eval")
    os.makedirs(args.out, exist_ok=True)
    res = {"sequences": {}, "qualities": QUALITIES, "crfs": CRFS, "bpp_targets": BPP_TARGETS}
    tmp = tempfile.mkdtemp(prefix="bench-vl-")
    for name, fname, raw in SEQUENCES:
        src = os.path.join(DATA, fname)
        ref = os.path.join(tmp, name + ".y4m")
        if raw:  # the raw sequence as Y4M, for every codec and the metrics alike
            run(["ffmpeg", "-v", "error", "-y"] + raw + ["-i", src, "-f", "yuv4mpegpipe", "-pix_fmt", "yuv420p", ref])
        else:
            ref = src
        w, h, frames = y4m_info(ref)
        px = w * h * frames
        seq = {"width": w, "height": h, "frames": frames, "ours": [], "bpp_control": []}
        print(f"{name}: {w}x{h}, {frames} frames", flush=True)
        for mode, values in (("quality", QUALITIES), ("bpp", BPP_TARGETS)):
            for q in values:
                dfc = os.path.join(tmp, f"{name}-{mode}{q}.dfc")
                dec = os.path.join(tmp, f"{name}-{mode}{q}.y4m")
                te, _ = run([dc, "-q", "compress", "--codec", "video-lossy", f"--{mode}", str(q), "-T", "2", "-f", "-o", dfc, ref])
                td, _ = run([dc, "-q", "decompress", "-T", "2", "-f", "-o", dec, dfc])
                m, rows = metrics(ev, ref, dec)
                pt = dict(m, bpp=8 * os.path.getsize(dfc) / px, bytes=os.path.getsize(dfc), enc_s=te, dec_s=td,
                          dec_fps=frames / td, per_frame=rows)
                pt["quality" if mode == "quality" else "bpp_set"] = q
                seq["ours" if mode == "quality" else "bpp_control"].append(pt)
                print(f"  ours {mode} {q}: {pt['bpp']:.4f} bpp, PSNR-Y {m['psnr_y']:.2f}, MS-SSIM {m['msssim_y']:.4f}, "
                      f"enc {te:.1f} s, dec {frames / td:.2f} fps", flush=True)
        for codec, flags in CODECS.items():
            seq[codec] = []
            for crf in CRFS:
                es = os.path.join(tmp, f"{name}-{codec}-{crf}.bin")
                dec = os.path.join(tmp, f"{name}-{codec}-{crf}.y4m")
                te, _ = run(["ffmpeg", "-v", "error", "-y", "-i", ref] + flags(crf) + [es])
                td, _ = run(["ffmpeg", "-v", "error", "-y", "-threads", "2", "-i", es, "-f", "yuv4mpegpipe",
                             "-pix_fmt", "yuv420p", dec])
                m, rows = metrics(ev, ref, dec)
                seq[codec].append(dict(m, crf=crf, bpp=8 * os.path.getsize(es) / px, bytes=os.path.getsize(es),
                                       enc_s=te, dec_s=td, dec_fps=frames / td, per_frame=rows))
                print(f"  {codec} crf {crf}: {seq[codec][-1]['bpp']:.4f} bpp, PSNR-Y {m['psnr_y']:.2f}, "
                      f"MS-SSIM {m['msssim_y']:.4f}", flush=True)
        seq["bd_rate"] = {c: {"msssim_y": bd_rate(seq["ours"], seq[c], "msssim_y"),
                              "psnr_y": bd_rate(seq["ours"], seq[c], "psnr_y"),
                              "psnr_yuv": bd_rate(seq["ours"], seq[c], "psnr_yuv")} for c in CODECS}
        print(f"  BD-rate: {json.dumps(seq['bd_rate'])}", flush=True)
        res["sequences"][name] = seq
        json.dump(res, open(os.path.join(args.out, "results.json"), "w"), indent=1)
    write_report(res, args.out)
    subprocess.run(["rm", "-rf", tmp])


def write_report(res, out):
    def f(v, d=2):
        return "n/a" if v is None else f"{v:.{d}f}"
    L = ["# Lossy video: diffcomp video-lossy beside x264 and x265", "",
         "Command: `/usr/bin/python3 scripts/bench-video-lossy.py --diffcomp build/bin/diffcomp --out results/video-lossy` "
         "(every sequence of ../shared/data/video, all codecs in the same run, 2 threads).", "",
         "Rate: bits per luma pixel per frame of the whole file (ours: the .dfc container; x264/x265: the raw "
         "elementary stream). Quality: per-frame PSNR of Y, PSNR of all samples (Y, U, V pooled), MS-SSIM of Y, "
         "averaged over frames (`diffcomp-lossy-eval --video`). Ours: `--quality Q` (Q/100 of the 12 diffusion "
         "steps per frame), keyframe every 30 frames; x264 / x265: `-preset veryslow -crf C`, default GOP.", ""]
    for name, s in res["sequences"].items():
        L += [f"## {name} ({s['width']}x{s['height']}, {s['frames']} frames)", "",
              "| codec | setting | bpp | PSNR-Y dB | PSNR-YUV dB | MS-SSIM-Y | encode s | decode fps |",
              "|---|---|---|---|---|---|---|---|"]
        for p in s["ours"]:
            L.append(f"| diffcomp | quality {p['quality']} | {p['bpp']:.4f} | {p['psnr_y']:.2f} | {p['psnr_yuv']:.2f} | "
                     f"{p['msssim_y']:.4f} | {p['enc_s']:.1f} | {p['dec_fps']:.2f} |")
        for c in CODECS:
            for p in s[c]:
                L.append(f"| {c} | crf {p['crf']} | {p['bpp']:.4f} | {p['psnr_y']:.2f} | {p['psnr_yuv']:.2f} | "
                         f"{p['msssim_y']:.4f} | {p['enc_s']:.1f} | {p['dec_fps']:.1f} |")
        L += ["", "Rate control (`--bpp B`, bits per luma pixel per frame): " + "; ".join(
            f"--bpp {p['bpp_set']} -> {p['bpp']:.4f} bpp, PSNR-Y {p['psnr_y']:.2f} dB" for p in s["bpp_control"])]
        L += ["", "BD-rate of diffcomp against each codec (negative: diffcomp needs fewer bits for the same "
              "quality; n/a: the curves share no quality range):", "",
              "| against | MS-SSIM-Y | PSNR-Y | PSNR-YUV |", "|---|---|---|---|"]
        for c, b in s["bd_rate"].items():
            L.append(f"| {c} | {f(b['msssim_y'], 1)} % | {f(b['psnr_y'], 1)} % | {f(b['psnr_yuv'], 1)} % |")
        L.append("")
    open(os.path.join(out, "results.md"), "w").write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
