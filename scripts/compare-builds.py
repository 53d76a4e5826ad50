#!/usr/bin/env python3
"""Two diffcomp builds side by side on the same images: for each image, build A then build B
compress it (`-T 2`, default codec) and decompress their own file, interleaved so that load
changes hit both alike. Checks that both builds write byte-identical files, and prints the
wall-clock and CPU (user + system of the child) totals of each and their ratios.

Usage: scripts/compare-builds.py A/bin/diffcomp B/bin/diffcomp IMAGE...
e.g. (session 7, the speed work, design-adaptive.md "Speed"):
  git worktree add --detach ../old 96b522b && (cd ../old && cmake -S . -B build \\
    -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2 --target diffcomp_cli)
  scripts/compare-builds.py ../old/build/bin/diffcomp build/bin/diffcomp ../shared/data/kodak/*.png
Standard library only.
"""
import os
import resource
import subprocess
import sys
import tempfile
import time


def run(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    builds = {"A": sys.argv[1], "B": sys.argv[2]}
    images = sys.argv[3:]
    tot = {k: [0.0, 0.0, 0.0, 0.0] for k in builds}  # encode wall, cpu, decode wall, cpu
    print("# load average before: %.2f %.2f %.2f" % os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        for f in images:
            for k, b in builds.items():
                dfc, png = os.path.join(tmp, k + ".dfc"), os.path.join(tmp, k + ".png")
                w, c = run([b, "-q", "compress", "-T", "2", "-f", "-o", dfc, f])
                tot[k][0] += w
                tot[k][1] += c
                w, c = run([b, "-q", "decompress", "-T", "2", "-f", "-o", png, dfc])
                tot[k][2] += w
                tot[k][3] += c
            with open(os.path.join(tmp, "A.dfc"), "rb") as a, open(os.path.join(tmp, "B.dfc"), "rb") as b:
                if a.read() != b.read():
                    sys.exit(f"{f}: the two builds wrote different files")
    for k, v in tot.items():
        print("%s %s: encode wall %.1f s, CPU %.1f s; decode wall %.1f s, CPU %.1f s" % (k, builds[k], *v))
    a, b = tot["A"], tot["B"]
    print("A / B: encode wall %.3f, CPU %.3f; decode wall %.3f, CPU %.3f" % (a[0] / b[0], a[1] / b[1], a[2] / b[2], a[3] / b[3]))
    print("# load average after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
