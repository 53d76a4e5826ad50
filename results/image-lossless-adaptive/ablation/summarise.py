#!/usr/bin/env python3
"""Totals of the ablation runs (graphics.txt, kodak.txt: output of the temporary
diffcomp-image-lossless-rev -C ... build, switches.patch) as a Markdown table.
Usage: python3 summarise.py [DIR]"""
import os
import re
import sys

d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
line_re = re.compile(r"  (\S+) (\d+) B enc ([\d.]+) s dec ([\d.]+) s (ok|not-decoded|ROUND TRIP FAILED|ENCODE FAILED)")


def small_groups(w, h, tile):
    """Tiles of at most 4096 pixels (the groups that carry the small-group bit)."""
    n = 0
    for y in range(0, h, tile):
        for x in range(0, w, tile):
            n += min(tile, w - x) * min(tile, h - y) <= 4096
    return n


def load(name):
    tot, files, px = {}, 0, 0
    tiles, small = set(), [0, 0]
    for ln in open(os.path.join(d, name)):
        if " ctile " not in ln:
            continue
        files += 1
        w, h, c = map(int, ln.split()[1].split("x"))
        ct = int(ln.split()[3])
        tiles.add(ct)
        small[0] += small_groups(w, h, ct)
        small[1] += small_groups(w, h, 256)
        px += w * h * c
        for lab, b, e, dd, v in line_re.findall(ln):
            t = tot.setdefault(lab, [0, 0.0, 0.0, 0, 0])
            t[0] += int(b)
            t[1] += float(e)
            t[2] += float(dd)
            t[3] += v == "ok"
            t[4] += v not in ("ok", "not-decoded")
    print(f"{name}: content-dependent tiles used {sorted(tiles)}; tiles of <= 4096 px: {small[0]} "
          f"(at tile 256: {small[1]})")
    return tot, files, px


k, kf, ksp = load("kodak.txt")
g, gf, _ = load("graphics.txt")
# Kodak rows not run: identical by construction (every Kodak image gets tile 256 and has no
# tile of <= 4096 px), so the bytes of the row named.
same_as = {"rev1_tile256": "rev1", "no_small_bit": "full", "tile256": "full"}
rows = ["full", "rev1", "rev1_tile256", "no_colour_tables", "no_channel_flags", "no_net_input", "no_net_all",
        "no_small_bit", "no_adapt", "tile256"]
print(f"Kodak: {kf} files, graphics: {gf} files")
print("| configuration | Kodak bytes | Kodak bpsp | Kodak vs full | graphics bytes | graphics vs full | "
      "Kodak enc CPU s | vs full | graphics enc CPU s | vs full | decoded and compared |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    kk, gg = k.get(r), g.get(r)
    alias = None
    if kk is None and r in same_as:
        alias, kk = same_as[r], k[same_as[r]]
    def pct(a, b):
        return f"{100.0 * (a / b - 1):+.2f} %"
    ks = f"{kk[0]} | {8 * kk[0] / ksp:.4f} | {pct(kk[0], k['full'][0])}"
    if alias:
        ks = f"{kk[0]} (= {alias}) | {8 * kk[0] / ksp:.4f} | {pct(kk[0], k['full'][0])}"
    gs = f"{gg[0]} | {pct(gg[0], g['full'][0])}" if gg else " | "
    kt = f"{kk[1]:.1f} | {pct(kk[1], k['full'][1])}" if kk and not alias else "(not run) | "
    gt = f"{gg[1]:.1f} | {pct(gg[1], g['full'][1])}" if gg else " | "
    ver = f"Kodak {kk[3] if not alias else '-'}/{kf}, graphics {gg[3] if gg else '-'}/{gf}"
    fail = (kk[4] if not alias else 0) + (gg[4] if gg else 0)
    print(f"| {r} | {ks} | {gs} | {kt} | {gt} | {ver}{' FAILURES ' + str(fail) if fail else ''} |")
for name, t in (("Kodak", k), ("graphics", g)):
    for r in ("full", "rev1"):
        if r in t:
            print(f"{name} {r}: decode user CPU {t[r][2]:.1f} s")
