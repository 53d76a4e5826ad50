"""Test images for the CLI tests, made and compared with PIL (never with the code under test).

  images.py make DIR              small PNG/PPM/PGM files of every supported (and one unsupported) type
  images.py crop SRC X Y W H OUT  a crop of a real image (e.g. a Kodak file), saved as PNG
  images.py same A B              exit 0 if A and B decode to identical pixels, else 1 with a reason
  images.py pnm-canonical SRC OUT the canonical form of a PPM/PGM: "P6\\n<w> <h>\\n255\\n" + pixels
"""
import sys

import numpy as np
from PIL import Image


def pattern(h, w, c, seed):
    # Smooth gradients plus noise: like a photo, not like a constant block.
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    planes = [(x * (5 + 2 * k) + y * (3 + k) + 40 * k) % 256 for k in range(c)]
    a = np.stack(planes, -1).astype(np.int32) + rng.integers(-6, 7, (h, w, c))
    return a.clip(0, 255).astype(np.uint8)


def make(d):
    h, w = 21, 34  # not multiples of anything, so edge tiles and odd strides are exercised
    Image.fromarray(pattern(h, w, 1, 1)[:, :, 0], "L").save(f"{d}/gray.png")
    Image.fromarray(pattern(h, w, 3, 2), "RGB").save(f"{d}/rgb.png")
    rgba = pattern(h, w, 4, 3)
    rgba[0, 0, 3] = 0  # fully transparent pixel with a colour: must survive
    Image.fromarray(rgba, "RGBA").save(f"{d}/rgba.png")
    Image.fromarray(pattern(h, w, 2, 4), "LA").save(f"{d}/gray_alpha.png")
    pal = Image.fromarray(pattern(h, w, 3, 5), "RGB").quantize(colors=16)
    pal.save(f"{d}/palette.png")
    palt = pal.copy()
    palt.info["transparency"] = 3
    palt.save(f"{d}/palette_trns.png", transparency=3)
    Image.fromarray(pattern(h, w, 1, 6)[:, :, 0] > 128).save(f"{d}/gray1.png")  # 1-bit
    g16 = pattern(h, w, 1, 7)[:, :, 0].astype(np.uint16) * 257
    Image.fromarray(g16.astype(np.int32), "I").save(f"{d}/gray16.png")  # PIL writes 16-bit gray
    rgb = pattern(h, w, 3, 8)
    Image.fromarray(rgb, "RGB").save(f"{d}/rgb.ppm")
    gray = pattern(h, w, 1, 9)[:, :, 0]
    Image.fromarray(gray, "L").save(f"{d}/gray.pgm")
    # Legal but not canonical headers: a comment, extra whitespace. Restored canonically.
    with open(f"{d}/comment.ppm", "wb") as f:
        f.write(b"P6\n# made by images.py\n%d   %d\n255\n" % (w, h) + rgb.tobytes())
    with open(f"{d}/comment.pgm", "wb") as f:
        f.write(b"P5 %d\t%d\n# comment\n255\n" % (w, h) + gray.tobytes())


def load(path):
    im = Image.open(path)
    im.load()
    return im


def same(a, b):
    ia, ib = load(a), load(b)
    if ia.size != ib.size:
        print(f"size {ia.size} != {ib.size}")
        return 1
    # RGBA holds every 8-bit-or-less mode losslessly (L, 1, P with or without tRNS, LA, RGB).
    pa, pb = np.asarray(ia.convert("RGBA")), np.asarray(ib.convert("RGBA"))
    if not np.array_equal(pa, pb):
        n = int(np.any(pa != pb, axis=-1).sum())
        print(f"{n} pixels differ ({ia.mode} vs {ib.mode})")
        return 1
    # A gray image must stay gray, a colour one colour, alpha must not vanish.
    bands = lambda im: {"1": 1, "L": 1, "LA": 2, "P": 3, "RGB": 3, "RGBA": 4}.get(im.mode, 0)
    if "transparency" in ia.info or ia.mode in ("LA", "RGBA"):
        if ib.mode not in ("LA", "RGBA") and "transparency" not in ib.info:
            print(f"alpha lost: {ia.mode} -> {ib.mode}")
            return 1
    elif bands(ia) == 1 and bands(ib) != 1:
        print(f"gray became {ib.mode}")
        return 1
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "crop":
        src, x, y, w, h, out = sys.argv[2], *map(int, sys.argv[3:7]), sys.argv[7]
        load(src).crop((x, y, x + w, y + h)).save(out)
    elif cmd == "same":
        sys.exit(same(sys.argv[2], sys.argv[3]))
    elif cmd == "pnm-canonical":
        im = load(sys.argv[2])
        magic = b"P5" if im.mode == "L" else b"P6"
        with open(sys.argv[3], "wb") as f:
            f.write(magic + b"\n%d %d\n255\n" % im.size + im.tobytes())
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
