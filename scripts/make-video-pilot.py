#!/usr/bin/env python3
"""Pilot clips of video-lossless revision 2 (docs/design-adaptive.md, "Video"): the first 6
frames of foreman, mobile and CiscoVT2people (../shared/data/video) as Y4M, and a 6-frame
screen clip made from graphics/gnome-nautilus-icons.png (a 24 x 24 box moving 20 pixels a frame,
frame 3 = frame 2, frame 5 scrolls a band by 8 lines).

Usage: /usr/bin/python3 scripts/make-video-pilot.py OUTDIR   (needs PIL)
"""
import os
import sys

from PIL import Image

D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")


def y4m_frames(path, n):
    data = open(path, "rb").read()
    hdr, rest = data.split(b"\n", 1)
    w = int([t for t in hdr.split() if t.startswith(b"W")][0][1:])
    h = int([t for t in hdr.split() if t.startswith(b"H")][0][1:])
    fb = w * h * 3 // 2
    frames, pos = [], 0
    for _ in range(n):
        assert rest[pos:pos + 6] == b"FRAME\n"
        pos += 6
        frames.append(rest[pos:pos + fb])
        pos += fb
    return w, h, frames


def write(name, w, h, frames):
    with open(name, "wb") as f:
        f.write(b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420mpeg2\n" % (w, h))
        for fr in frames:
            f.write(b"FRAME\n" + fr)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for nm in ["foreman", "mobile"]:
        w, h, fr = y4m_frames(os.path.join(D, "video", nm + "_cif_30f.y4m"), 6)
        write(os.path.join(out, nm + "6.y4m"), w, h, fr)
    raw = open(os.path.join(D, "video", "CiscoVT2people_320x192_12fps.yuv"), "rb").read()
    fb = 320 * 192 * 3 // 2
    write(os.path.join(out, "cisco6.y4m"), 320, 192, [raw[i * fb:(i + 1) * fb] for i in range(6)])
    im = Image.open(os.path.join(D, "graphics", "gnome-nautilus-icons.png")).convert("RGB")
    W, H = min(im.width, 320) // 2 * 2, min(im.height, 240) // 2 * 2
    base = im.crop((0, 0, W, H))
    frames = []
    for f in range(6):
        fr = base.copy()
        if f >= 5:
            band = fr.crop((0, 100, W, 160))
            fr.paste(band.crop((0, 8, W, 60)), (0, 100))
        pos = [(40, 40), (60, 44), (80, 48), (80, 48), (100, 52), (120, 56)][f]
        fr.paste((20, 20, 200), (pos[0], pos[1], pos[0] + 24, pos[1] + 24))
        y, u, v = fr.convert("YCbCr").split()
        u = u.resize((W // 2, H // 2), Image.BILINEAR)
        v = v.resize((W // 2, H // 2), Image.BILINEAR)
        frames.append(y.tobytes() + u.tobytes() + v.tobytes())
    write(os.path.join(out, "screen6.y4m"), W, H, frames)


if __name__ == "__main__":
    main()
