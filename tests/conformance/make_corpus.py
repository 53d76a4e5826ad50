"""Adds files to the conformance corpus (tests/conformance/README.md).

  make_corpus.py DIFFCOMP DUMP TAG [CASE...]

DIFFCOMP is the CLI of the build that introduces a revision, DUMP its `dc_conformance` tool
(`dump` mode: decoded content + side data). TAG names the build in the file names (r1 for the
revisions of main at c3eb4f5). Every case writes tests/conformance/files/<codec>-<TAG>-<case>.dfc
and appends `file codec revision sha256 note` to tests/conformance/MANIFEST, where sha256 is the
SHA-256 of the decoded content followed by its side data (docs/format.md, "content"), as the
build's own decoder produced it; lossless cases are checked against their input first.
An existing file is never rewritten: golden hashes are added, never edited.
Inputs come from samples/ (Kodak crops, an ECG excerpt) and from deterministic generators below,
so that the corpus can be extended without ../shared.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FILES = os.path.join(HERE, "files")
MANIFEST = os.path.join(HERE, "MANIFEST")


def lcg(seed):
    s = seed
    while True:
        s = (s * 1103515245 + 12345) & 0x7FFFFFFF
        yield s >> 16


def crop(name, box, mode):
    im = Image.open(os.path.join(ROOT, "samples", name)).convert("RGB").crop(box)
    return im.convert(mode) if mode != "RGB" else im


def wav(channels, bits, rate, frames, seed):
    g = lcg(seed)
    amp = (1 << (bits - 1)) - 1
    data = bytearray()
    for i in range(frames):
        for c in range(channels):
            # a decaying two-tone with noise, then clipped: music-like and full-scale in places
            v = int(amp * 1.3 * (0.6 * ((i * (3 + c)) % 97 - 48) / 48.0 + 0.2 * ((next(g) % 200) - 100) / 100.0)
                    * (1.0 - i / (frames * 1.5)))
            v = max(-amp - 1, min(amp, v))
            if bits == 8:
                data += struct.pack("<B", v + 128)
            elif bits == 16:
                data += struct.pack("<h", v)
            elif bits == 24:
                data += struct.pack("<i", v)[:3]
            else:
                data += struct.pack("<i", v)
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + bytes(data)
    if len(data) % 2:
        body += b"\x00"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wfdb_header(dat, frames):
    """A 2-signal format-212 header for dat, with each signal's initial value and checksum."""
    sig = [[], []]
    for i in range(0, 3 * frames, 3):
        b0, b1, b2 = dat[i:i + 3]
        for k, v in enumerate((b0 | (b1 & 0x0F) << 8, b2 | (b1 & 0xF0) << 4)):
            sig[k].append(v - 4096 if v >= 2048 else v)
    def cks(x):
        c = sum(x) & 0xFFFF
        return c - 65536 if c >= 32768 else c
    return (b"ecg 2 360 %d\n" % frames + b"".join(
        b"ecg.dat 212 200 11 1024 %d %d 0 %s\n" % (s[0], cks(s), name) for s, name in zip(sig, (b"MLII", b"V5"))))


def y4m(w, h, chroma, frames):
    # moving crops of a Kodak sample as luma, smooth chroma
    im = Image.open(os.path.join(ROOT, "samples", "kodim23-256.png")).convert("YCbCr")
    tag = b"" if chroma == "420" else b" C444"
    out = b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1%s\n" % (w, h, tag)
    for f in range(frames):
        fr = im.crop((40 + 2 * f, 60 + f, 40 + 2 * f + w, 60 + f + h))
        y, u, v = fr.split()
        if chroma == "420":
            cw, ch = (w + 1) // 2, (h + 1) // 2
            u, v = u.resize((cw, ch), Image.BILINEAR), v.resize((cw, ch), Image.BILINEAR)
        out += b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes()
    return out


def y4m_static(w, h):
    """Four 4:2:0 frames for video-lossless revision 2: a crop, the same frame again (every tile
    copied), the crop moved by (3, 1), then that frame with a 4 x 4 patch changed (one luma tile
    coded with its carried model, the others copied)."""
    im = Image.open(os.path.join(ROOT, "samples", "kodim23-256.png")).convert("YCbCr")
    out = b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1\n" % (w, h)
    cw, ch = (w + 1) // 2, (h + 1) // 2
    frames = []
    for f, (dx, dy) in enumerate([(0, 0), (0, 0), (3, 1), (3, 1)]):
        fr = im.crop((70 + dx, 90 + dy, 70 + dx + w, 90 + dy + h))
        y, u, v = fr.split()
        u, v = u.resize((cw, ch), Image.BILINEAR), v.resize((cw, ch), Image.BILINEAR)
        yb = bytearray(y.tobytes())
        if f == 3:
            for yy in range(20, 24):
                for xx in range(5, 9):
                    yb[yy * w + xx] ^= 0x20
        frames.append(bytes(yb) + u.tobytes() + v.tobytes())
    return out + b"".join(b"FRAME\n" + fr for fr in frames)


def y4m_subpel(w, h, frames):
    """4:2:0 frames of a Kodak crop moving by (0.75, 0.5) pixels a frame (bicubic resampling), so
    that video-lossless revision 2 codes fractional motion vectors and both filters."""
    im = Image.open(os.path.join(ROOT, "samples", "kodim08-256.png")).convert("YCbCr")
    out = b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1\n" % (w, h)
    cw, ch = (w + 1) // 2, (h + 1) // 2
    for f in range(frames):
        fr = im.transform((w, h), Image.AFFINE, (1, 0, 60 + 0.75 * f, 0, 1, 40 + 0.5 * f), resample=Image.BICUBIC)
        y, u, v = fr.split()
        u, v = u.resize((cw, ch), Image.BILINEAR), v.resize((cw, ch), Image.BILINEAR)
        out += b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes()
    return out


def cases(tmp):
    """(name, codec, input file, compress args, truncate args or None, lossless check)."""
    def put(name, data):
        p = os.path.join(tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def img(name, box, mode, fmt="PNG"):
        p = os.path.join(tmp, name)
        crop("kodim23-256.png", box, mode).save(p, format=fmt)
        return p

    rgba = crop("kodim08-256.png", (10, 20, 43, 37), "RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(rgba.size))
    rgba.save(os.path.join(tmp, "rgba.png"))
    text = b"".join(b"line %d of a small text file for the byte codecs, abcabcabc\n" % i for i in range(12))
    with open(os.path.join(ROOT, "samples", "ecg100-10s.dat"), "rb") as f:
        dat = put("ecg.dat", f.read()[:1800])
    hea = wfdb_header(open(dat, "rb").read(), 600)
    csv = b"year,value\n" + b"".join(b"%d,%.1f\n" % (1700 + i, (i * 37 % 101) / 2.0) for i in range(120))
    raw16 = b"".join(struct.pack("<h", ((i * 131) % 2001) - 1000) for i in range(2000))
    yield "gray-odd", "image-lossless", img("gray.png", (3, 5, 40, 28), "L"), [], None, True
    yield "rgb", "image-lossless", img("rgb.png", (100, 90, 148, 122), "RGB"), [], None, True
    yield "rgba", "image-lossless", os.path.join(tmp, "rgba.png"), [], None, True
    yield "ppm", "image-lossless", img("in.ppm", (0, 0, 40, 24), "RGB", "PPM"), [], None, True
    yield "pgm", "image-lossless", img("in.pgm", (50, 50, 74, 90), "L", "PPM"), [], None, True
    yield "tiles", "image-lossless", img("tiles.png", (60, 60, 130, 100), "RGB"), ["--tile", "32"], None, True
    yield "rgb", "image-lossy", img("lossy.png", (64, 64, 128, 112), "RGB"), ["--quality", "60"], None, False
    yield "gray", "image-lossy", img("lossyg.png", (80, 30, 128, 62), "L"), ["--quality", "40"], None, False
    yield "truncated", "image-lossy", img("lossyt.png", (64, 64, 128, 112), "RGB"), ["--quality", "90"], ["--bpp", "1.5"], False
    # Revision 2's refinement passes (added at r2, session 8): every pass (the exact original), and
    # two passes of an odd-sized gray image.
    yield "passes-exact", "image-lossy", img("lossyp.png", (20, 20, 68, 60), "RGB"), ["--quality", "100"], None, True
    yield "passes-gray", "image-lossy", img("lossypg.png", (100, 40, 141, 73), "L"), ["--quality", "88"], None, False
    yield "wav8", "signal-lossless", put("w8.wav", wav(1, 8, 8000, 1500, 1)), [], None, True
    yield "wav16-stereo", "signal-lossless", put("w16.wav", wav(2, 16, 44100, 1500, 2)), [], None, True
    yield "wav24", "signal-lossless", put("w24.wav", wav(1, 24, 48000, 1200, 3)), [], None, True
    yield "wav32", "signal-lossless", put("w32.wav", wav(1, 32, 16000, 800, 4)), [], None, True
    yield "wfdb", "signal-lossless", put("ecg.hea", hea), [], None, True
    yield "csv", "signal-lossless", put("series.csv", csv), [], None, True
    yield "raw-s16le", "signal-lossless", put("raw.s16", raw16), ["--raw", "s16le", "--channels", "2"], None, True
    yield "wav16", "signal-lossy", put("sl.wav", wav(1, 16, 16000, 4000, 5)), ["--snr", "25"], None, False
    yield "truncated", "signal-lossy", put("slt.wav", wav(2, 16, 16000, 3000, 6)), ["--snr", "40"], ["--bits-per-sample", "2"], False
    yield "y4m420", "video-lossless", put("v420.y4m", y4m(48, 32, "420", 3)), ["--keyint", "2"], None, True
    yield "y4m444-odd", "video-lossless", put("v444.y4m", y4m(33, 17, "444", 2)), [], None, True
    yield "i420", "video-lossless", put("v.yuv", y4m(32, 16, "420", 2).split(b"FRAME\n", 1)[1].replace(b"FRAME\n", b"")), ["--size", "32x16", "--fps", "25"], None, True
    yield "y4m420-static", "video-lossless", put("vs.y4m", y4m_static(48, 32)), ["--tile", "16"], None, True
    yield "y4m420-subpel", "video-lossless", put("vsub.y4m", y4m_subpel(64, 48, 4)), [], None, True
    yield "y4m420", "video-lossy", put("vl.y4m", y4m(48, 32, "420", 3)), ["--quality", "50", "--keyint", "2"], None, False
    yield "y4m444", "video-lossy", put("vl444.y4m", y4m(32, 32, "444", 2)), ["--quality", "30"], None, False
    yield "text", "store", put("s.txt", text[:100]), [], None, True
    yield "empty", "store", put("e.bin", b""), [], None, True
    yield "text", "huffman", put("h.txt", text), [], None, True
    yield "text", "lzw", put("l.txt", text), [], None, True


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    cli, dump, tag = sys.argv[1:4]
    only = set(sys.argv[4:])
    os.makedirs(FILES, exist_ok=True)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, codec, src, args, trunc, lossless in cases(tmp):
            key = f"{codec}-{tag}-{name}"
            if only and key not in only:
                continue
            dst = os.path.join(FILES, key + ".dfc")
            if os.path.exists(dst):
                print(f"kept {key} (never regenerated)")
                continue
            tmpdfc = os.path.join(tmp, key + ".dfc")
            subprocess.run([cli, "-q", "compress", "--codec", codec, "-T", "1", *args, "-o", tmpdfc, src], check=True)
            if trunc:
                cut = tmpdfc + ".cut"
                subprocess.run([cli, "-q", "truncate", *trunc, "-o", cut, tmpdfc], check=True)
                os.replace(cut, tmpdfc)
            out = os.path.join(tmp, key + ".content")
            subprocess.run([dump, "dump", tmpdfc, out], check=True)
            if lossless:  # the CLI's own round trip restores the input
                backdir = os.path.join(tmp, key + ".back")
                os.makedirs(backdir)
                back = os.path.join(backdir, os.path.basename(src))
                subprocess.run([cli, "-q", "decompress", "-o", back, tmpdfc], check=True)
                if src.endswith(".png"):
                    a, b = Image.open(src), Image.open(back)
                    assert a.mode == b.mode and a.tobytes() == b.tobytes(), key
                elif src.endswith(".hea"):
                    assert sha(src) == sha(back), key
                    assert sha(os.path.join(tmp, "ecg.dat")) == sha(os.path.join(backdir, "ecg.dat")), key
                else:
                    assert sha(src) == sha(back), key
            info = subprocess.run([cli, "--json", "info", tmpdfc], check=True, capture_output=True, text=True).stdout
            rev = 1  # files of container version 1.0 are revision 1 of their codec
            if '"revision"' in info:
                import json
                j = json.loads(info)
                j = j[0] if isinstance(j, list) else j
                rev = int(j["revision"])
            os.replace(tmpdfc, dst)
            lines.append(f"files/{key}.dfc {codec} {rev} {sha(out)} {' '.join(args + (trunc or []))}".rstrip())
            print("added", lines[-1])
    with open(MANIFEST, "a") as f:
        for l in lines:
            f.write(l + "\n")


if __name__ == "__main__":
    main()
