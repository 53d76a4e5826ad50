#!/usr/bin/env python3
"""Lossless video benchmark: video-lossless beside FFV1 (level 3), libx264 -qp 0 -preset veryslow
and libx265 lossless (-preset veryslow), on every sequence of ../shared/data/video.

Every coder runs with 2 threads; each round trip is verified (ours: the decompressed file
byte for byte; the others: the decoded planes, as raw frames, against the source's). Rates are
bits per pixel (per luma position, chroma included) of the coded file; timings are wall clock
of one run each (the machine is shared: compare within a run).

Usage (from the repository root):
  python3 scripts/bench-video-lossless.py --diffcomp BUILD/bin/diffcomp --out results/video-lossless
"""
import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

SEQUENCES = [
    # name, path, ffmpeg input args, width, height, frames per second
    ("foreman_cif_30f", "foreman_cif_30f.y4m", None, 352, 288),
    ("mobile_cif_30f", "mobile_cif_30f.y4m", None, 352, 288),
    ("CiscoVT2people_320x192_12fps", "CiscoVT2people_320x192_12fps.yuv",
     ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "320x192", "-r", "12"], 320, 192),
]

FFMPEG_CODECS = [
    ("ffv1-l3", ["-c:v", "ffv1", "-level", "3", "-coder", "1", "-context", "1", "-g", "1", "-slices", "4", "-threads", "2"], "mkv"),
    ("x264-qp0-veryslow", ["-c:v", "libx264", "-qp", "0", "-preset", "veryslow", "-threads", "2"], "mkv"),
    ("x265-lossless-veryslow", ["-c:v", "libx265", "-x265-params", "lossless=1:pools=2:frame-threads=1", "-preset", "veryslow"], "mkv"),
]


def run(cmd):
    t0 = time.time()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.time() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr.decode(errors="replace")[-2000:]))
    return wall, cpu, p.stdout


def raw_md5(inp_args, path):
    """MD5 of the decoded planes (yuv420p rawvideo) of a file, by ffmpeg."""
    cmd = ["ffmpeg", "-v", "error"] + (inp_args or []) + ["-i", path, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
    _, _, out = run(cmd)
    return hashlib.md5(out).hexdigest(), len(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--diffcomp", required=True)
    ap.add_argument("--data", default="../shared/data/video")
    ap.add_argument("--out", default="results/video-lossless")
    ap.add_argument("--model", default="")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="dc-video-bench-")
    results = []
    try:
        for name, fname, inargs, w, h in SEQUENCES:
            src = os.path.join(args.data, fname)
            raw_ref, raw_len = raw_md5(inargs, src)
            fb = w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2)
            frames = raw_len // fb
            pixels = w * h * frames
            rows = []
            # ours
            dfc = os.path.join(tmp, name + ".dfc")
            back = os.path.join(tmp, name + ".back")
            cmd = [args.diffcomp, "--json", "compress", "-T", "2", "-f", "-o", dfc]
            if args.model:
                cmd += ["--model", args.model]
            if inargs:
                cmd += ["--size", "%dx%d" % (w, h), "--fps", "12"]
            enc_wall, enc_cpu, out = run(cmd + [src])
            rec = json.loads(out)[0]
            dcmd = [args.diffcomp, "-q", "decompress", "-T", "2", "-f", "-o", back]
            if args.model:
                dcmd += ["--model", args.model]
            dec_wall, dec_cpu, _ = run(dcmd + [dfc])
            with open(src, "rb") as a, open(back, "rb") as b:
                ok = a.read() == b.read()
            _, _, info = run([args.diffcomp, "--json", "info", dfc])
            info = json.loads(info)[0]
            size = os.path.getsize(dfc)
            rows.append({"codec": "video-lossless", "bytes": size, "bpp": 8.0 * size / pixels,
                         "enc_s": enc_wall, "dec_s": dec_wall, "enc_cpu_s": enc_cpu, "dec_cpu_s": dec_cpu,
                         "enc_fps": frames / enc_wall, "dec_fps": frames / dec_wall, "verified": ok,
                         "model_nll_bpp": rec.get("model_nll_bits", 0) / pixels,
                         "frame_bytes": [f["bytes"] for f in info["frame_list"]],
                         "model_fingerprint": info.get("model_fingerprint")})
            # ffmpeg coders
            for cname, cargs, ext in FFMPEG_CODECS:
                o = os.path.join(tmp, "%s.%s.%s" % (name, cname, ext))
                cmd = ["ffmpeg", "-v", "error", "-y"] + (inargs or []) + ["-i", src] + cargs + [o]
                enc_wall, enc_cpu, _ = run(cmd)
                t0 = time.time()
                md5, _ = raw_md5(None, o)
                dec_wall = time.time() - t0
                size = os.path.getsize(o)
                rows.append({"codec": cname, "bytes": size, "bpp": 8.0 * size / pixels, "enc_s": enc_wall,
                             "dec_s": dec_wall, "enc_cpu_s": enc_cpu, "enc_fps": frames / enc_wall,
                             "dec_fps": frames / dec_wall, "verified": md5 == raw_ref,
                             "command": " ".join(cmd)})
            best = min(r["bytes"] for r in rows if r["codec"] != "video-lossless")
            for r in rows:
                r["x_best_classic"] = r["bytes"] / best
            results.append({"sequence": name, "file": fname, "width": w, "height": h, "frames": frames, "rows": rows})
            print("%s: %s" % (name, ", ".join("%s %.4f bpp (x%.3f)%s" % (r["codec"], r["bpp"], r["x_best_classic"],
                                                                        "" if r["verified"] else " NOT VERIFIED")
                                             for r in rows)), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta = {"measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cpus": os.cpu_count(),
            "command": " ".join(sys.argv), "sequences": results}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(meta, f, indent=1)
    lines = ["# Lossless video: video-lossless beside FFV1, x264 and x265 lossless", "",
             "Measured %s on %d CPUs (shared with other jobs), 2 threads per coder; `python3 %s`." % (
                 meta["measured"], meta["cpus"], " ".join(sys.argv)), "",
             "bpp: bits per pixel (luma position, chroma included) of the whole file; x best: bytes over the best of "
             "FFV1, x264 and x265 on that sequence; fps: frames per second, wall clock of one run; verified: the "
             "round trip gives the source frames back exactly.", ""]
    for s in results:
        lines += ["## %s (%dx%d, %d frames)" % (s["sequence"], s["width"], s["height"], s["frames"]), "",
                  "| codec | bytes | bpp | x best classic | enc fps | dec fps | verified |", "|---|---|---|---|---|---|---|"]
        for r in sorted(s["rows"], key=lambda r: r["bytes"]):
            lines.append("| %s | %d | %.4f | %.3f | %.2f | %.2f | %s |" % (
                ("**%s**" % r["codec"]) if r["codec"] == "video-lossless" else r["codec"], r["bytes"], r["bpp"],
                r["x_best_classic"], r["enc_fps"], r["dec_fps"], "yes" if r["verified"] else "NO"))
        lines.append("")
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
