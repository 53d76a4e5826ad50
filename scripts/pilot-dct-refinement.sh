#!/usr/bin/env bash
# Pilot of docs/pilot-dct-refinement.md (issue 13): crops, image-lossy bases and revision 2
# points, AVIF / JPEG XL / JPEG points, the transform-layer estimates, then the table.
#   scripts/pilot-dct-refinement.sh BUILD_DIR WORK_DIR
set -euo pipefail
B=$(cd "$1" && pwd)/bin W=$2
src=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export DC_SHARED=${DC_SHARED:-$(cd "$src/../.." && pwd)/shared}
NAMES="p001 p009 p014 c101085 c102061"
mkdir -p "$W" "$W/q27" "$W/q53"
cd "$W"
$PY - <<'PYEOF'
from PIL import Image
import os
S = os.environ['DC_SHARED'] + '/data/photos/'
for name, path in [('p001', 'wikipedia/001.png'), ('p009', 'wikipedia/009.png'), ('p014', 'wikipedia/014.png'),
                   ('c101085', 'cbsd68/101085.png'), ('c102061', 'cbsd68/102061.png')]:
    im = Image.open(S + path).convert('RGB')
    w, h = im.size
    if w > 768 and h > 512:  # 768 x 512 centre crop; the cbsd68 images stay whole
        l, t = (w - 768) // 2, (h - 512) // 2
        im = im.crop((l, t, l + 768, t + 512))
    im.save(name + '.png')
PYEOF
for f in $NAMES; do
  # bases: 12 latent steps (quality 80), 8 (53), 4 (27); revision 2 points: quality 84, 88, 92
  for q in 80 53 27; do
    d=.; [[ $q != 80 ]] && d=q$q && ln -sf ../$f.png q$q/$f.png
    $B/diffcomp compress --codec image-lossy --quality $q -T 2 -f -o $d/$f.q80.dfc $f.png >/dev/null
    $B/diffcomp decompress -T 2 -f -o $d/$f.rec.png $d/$f.q80.dfc >/dev/null
  done
  for q in 84 88 92; do
    $B/diffcomp compress --codec image-lossy --quality $q -T 2 -f -o ours.$f.q$q.dfc $f.png >/dev/null
    $B/diffcomp decompress -T 2 -f -o ours.$f.q$q.png ours.$f.q$q.dfc >/dev/null
  done
  for q in 8 12 17 22 27 32 37 42 46 50 54; do
    avifenc -s 6 -j 2 --min $q --max $q -y 444 $f.png avif.$f.$q.avif >/dev/null 2>&1
    avifdec avif.$f.$q.avif avif.$f.$q.png >/dev/null 2>&1
  done
  for d in 0.3 0.45 0.7 1.0 1.4 2 3 4 5.5 7.5; do
    cjxl -d $d -e 7 $f.png jxl.$f.$d.jxl >/dev/null 2>&1
    djxl jxl.$f.$d.jxl jxl.$f.$d.png >/dev/null 2>&1
  done
  for q in 20 40 60 75 85 92 96; do  # JPEG through Pillow's libjpeg (Debian's cjpeg reads no PNG)
    $PY -c "from PIL import Image; Image.open('$f.png').save('jpg.$f.$q.jpg', quality=$q, optimize=True); Image.open('jpg.$f.$q.jpg').convert('RGB').save('jpg.$f.$q.png')"
  done
done
$PY "$src/pilot-dct-refinement.py" "$W" $NAMES > pilot.jsonl
$PY "$src/pilot-dct-refinement.py" --ladder "$W" $NAMES >> pilot.jsonl
for q in 27 53; do
  { $PY "$src/pilot-dct-refinement.py" "$W/q$q" $NAMES | grep -v scratch
    $PY "$src/pilot-dct-refinement.py" --ladder "$W/q$q" $NAMES; } |
    sed "s/\"variant\": \"\([a-z+ ]*\)\"/\"variant\": \"\1 q$q\"/" > pilot.q$q.jsonl
done
$PY "$src/pilot-dct-refinement.py" --table "$W" pilot.jsonl,pilot.q27.jsonl,pilot.q53.jsonl $NAMES
