#!/usr/bin/env bash
# diffcomp as a dependency (issue 15): cmake --install into a temporary prefix, MOVE the prefix,
# and from the moved tree:
#   - the layout: bin/diffcomp, lib/libdiffcomp.so -> .so.0 -> .so.VERSION (SONAME libdiffcomp.so.0,
#     only dc_ symbols exported), libdiffcomp.a, include/diffcomp/ (public headers, nothing of src/),
#     lib/pkgconfig/diffcomp.pc, lib/cmake/diffcomp/, share/diffcomp/models/, share/man/man1/diffcomp.1;
#   - the CLI finds its models beside the library (not in the source tree), DIFFCOMP_MODEL_DIR and
#     --model override; a pipe round trip;
#   - a C program built with pkg-config, and a CMake project with find_package(diffcomp), run;
#   - the Python module (when built): an image, a WAV-derived array and bytes round trip;
#   - the man page documents every command and option of `diffcomp --help`.
# Run: bash tests/cli/install.sh /path/to/build/bin/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_install "$@"
BUILD=$(cd "$(dirname "$DC")/.." && pwd)
cd "$WORK"

if ! cmake --install "$BUILD" --prefix "$WORK/first" >install.log 2>&1; then
  fail "cmake --install failed"; tail -20 install.log >&2; cli_finish; exit 1
fi
mv "$WORK/first" "$WORK/moved"
P=$WORK/moved
LIBDIR=$(cd "$P" && dirname "$(find . -name 'libdiffcomp.so' | head -1)" | sed 's|^\./||')
unset DIFFCOMP_MODEL_DIR

# Layout.
for f in bin/diffcomp include/diffcomp/diffcomp.h include/diffcomp/extras.h include/diffcomp/status.h include/diffcomp/inspect.h \
  "$LIBDIR/libdiffcomp.a" "$LIBDIR/libdiffcomp_extras.a" "$LIBDIR/pkgconfig/diffcomp.pc" \
  "$LIBDIR/cmake/diffcomp/diffcompConfig.cmake" share/diffcomp/models/image-lossless-adm1.dcw \
  share/diffcomp/models/signal-lossless-sig1.dcw share/diffcomp/models/image-lossy-ldm1.dcw \
  share/diffcomp/models/video-lossless-adm1.dcw share/man/man1/diffcomp.1; do
  check "installed: $f" test -f "$P/$f"
done
check "libdiffcomp.so -> libdiffcomp.so.0" test "$(readlink "$P/$LIBDIR/libdiffcomp.so")" = libdiffcomp.so.0
check "libdiffcomp.so.0 -> libdiffcomp.so.X.Y.Z" bash -c "readlink '$P/$LIBDIR/libdiffcomp.so.0' | grep -qE '^libdiffcomp\.so\.[0-9]+\.[0-9]+\.[0-9]+$'"
check "SONAME libdiffcomp.so.0" bash -c "objdump -p '$P/$LIBDIR/libdiffcomp.so' | grep -q 'SONAME *libdiffcomp.so.0'"
check "only dc_ symbols exported" bash -c "! nm -D --defined-only '$P/$LIBDIR/libdiffcomp.so' | awk '{print \$3}' | grep -v '^dc_'"
check "the installed headers include nothing from src/" bash -c "! grep -rhE '#include \"(api|codecs|common|container|entropy|nn|rcc|diffusion|train)/' '$P/include'"
check "no internal header installed" bash -c "test -z \"\$(find '$P/include' -name '*.h' | grep -v '/diffcomp/')\""
check "the CLI links libdiffcomp.so" bash -c "objdump -p '$P/bin/diffcomp' | grep -q 'NEEDED *libdiffcomp.so.0'"
check "the CLI does not link libtorch" bash -c "! objdump -p '$P/bin/diffcomp' | grep -qi torch"

# Models found relative to the library of the moved tree.
RC=0
"$P/bin/diffcomp" --json models >models.json 2>"$WORK/stderr" || RC=$?
check "moved CLI: diffcomp models" test $RC -eq 0
check "models come from the moved prefix" "$PYTHON" -c '
import json, os, sys
j = json.load(open(sys.argv[1]))
assert all(os.path.realpath(m["path"]).startswith(os.path.realpath(sys.argv[2]) + "/share/diffcomp/models/") for m in j), j' models.json "$P"
mkdir -p alt && cp "$P/share/diffcomp/models/"*.dcw alt/
DIFFCOMP_MODEL_DIR=$WORK/alt "$P/bin/diffcomp" --json models >models2.json 2>/dev/null
check "DIFFCOMP_MODEL_DIR overrides" grep -q "$WORK/alt/" models2.json

# Pipe round trip with the moved CLI (image-lossless: uses the model).
cp "$REPO/samples/kodim23-256.png" k.png
"$P/bin/diffcomp" compress -T 2 - <k.png | "$P/bin/diffcomp" decompress -T 2 - >k2.png 2>"$WORK/stderr" || true
check "pipe round trip (PNG): same pixels" "$PYTHON" -c '
import sys, numpy as np
from PIL import Image
a, b = (np.asarray(Image.open(f)) for f in sys.argv[1:3])
assert a.shape == b.shape and (a == b).all()' k.png k2.png
head -c 20000 "$P/bin/diffcomp" >b.bin
"$P/bin/diffcomp" compress - <b.bin | "$P/bin/diffcomp" decompress - >b2.bin
same_bytes "pipe round trip (bytes)" b.bin b2.bin

# C program with pkg-config.
export PKG_CONFIG_PATH=$P/$LIBDIR/pkgconfig
check "pkg-config --modversion diffcomp" pkg-config --exists diffcomp
if cc -std=c99 -Wall -Werror "$REPO/examples/consumer/roundtrip.c" -o rt_pc $(pkg-config --cflags --libs diffcomp) \
     -Wl,-rpath,"$P/$LIBDIR" 2>cc.log; then
  pass
  RC=0; ./rt_pc >rt_pc.out 2>&1 || RC=$?
  check "the pkg-config program runs (bytes and image round trip)" test $RC -eq 0 -a "$(grep -c 'round trip ok' rt_pc.out)" -eq 2
  [[ $RC -eq 0 ]] || cat rt_pc.out >&2
else
  fail "C program with pkg-config did not build"; cat cc.log >&2
fi
check "pkg-config --static gives zlib" bash -c "pkg-config --static --libs diffcomp | grep -q -- -lz"

# CMake project with find_package(diffcomp).
if cmake -S "$REPO/examples/consumer" -B cm -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release >cm.log 2>&1 &&
   cmake --build cm >>cm.log 2>&1; then
  pass
  RC=0; ./cm/roundtrip >cm.out 2>&1 || RC=$?
  check "the find_package program runs" test $RC -eq 0 -a "$(grep -c 'round trip ok' cm.out)" -eq 2
  [[ $RC -eq 0 ]] || cat cm.out >&2
else
  fail "CMake project with find_package(diffcomp) did not build"; tail -20 cm.log >&2
fi

# Python (when the module was built).
PYDIR=$P/lib/python3/dist-packages
if [[ -d $PYDIR/diffcomp ]]; then
  check "python: image, WAV-derived array and bytes round trip" env PYTHONPATH="$PYDIR" "$PYTHON" - "$REPO" <<'PY'
import io, struct, sys, wave
import numpy as np
import diffcomp
from PIL import Image
img = np.asarray(Image.open(sys.argv[1] + "/samples/kodim23-256.png").convert("RGB"))[:32, :48].copy()
assert (diffcomp.decompress(diffcomp.compress(img, threads=2)) == img).all()
n = 3000
pcm = (3000 * np.sin(np.arange(2 * n) * 0.03)).astype(np.int16).reshape(n, 2)
buf = io.BytesIO()
with wave.open(buf, "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(16000); w.writeframes(pcm.tobytes())
buf.seek(0)
with wave.open(buf, "rb") as w:
    arr = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels())
back = diffcomp.decompress(diffcomp.compress(arr, sample_rate=16000))
assert back.shape == arr.shape and (back == arr).all()
data = b"bytes " * 100
assert diffcomp.decompress(diffcomp.compress(data)) == data
print("python ok")
PY
fi

# The README's snippets (blocks after <!-- ci:run NAME -->), verbatim: the install block into a
# fresh prefix, the others against the moved one, from a directory that looks like the repository
# root (examples/ and samples/ linked).
"$PYTHON" - "$REPO/README.md" "$WORK/snippets" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
os.makedirs(sys.argv[2], exist_ok=True)
for name, lang, body in re.findall(r"<!-- ci:run ([a-z-]+) -->\n```(\w+)\n(.*?)```", text, re.S):
    open(os.path.join(sys.argv[2], f"{name}.{'py' if lang == 'python' else 'sh'}"), "w").write(body)
PY
for n in install pkg-config cmake python pipe; do
  check "README snippet '$n' found" test -f "$WORK/snippets/$n.sh" -o -f "$WORK/snippets/$n.py"
done
mkdir -p readme && ln -s "$REPO/examples" readme/examples && ln -s "$REPO/samples" readme/samples
if (cd readme && BUILD=$BUILD PREFIX=$WORK/readme-prefix bash -e "$WORK/snippets/install.sh") >snip-install.log 2>&1; then
  pass
else
  fail "README snippet 'install'"; tail -5 snip-install.log >&2
fi
for n in pkg-config cmake pipe; do
  if (cd readme && PREFIX=$P bash -e "$WORK/snippets/$n.sh") >"snip-$n.log" 2>&1; then pass; else
    fail "README snippet '$n'"; tail -5 "snip-$n.log" >&2; fi
done
check "README pkg-config snippet: both round trips" test "$(grep -c 'round trip ok' snip-pkg-config.log)" -eq 2
check "README pipe snippet: same pixels" "$PYTHON" -c '
import sys, numpy as np
from PIL import Image
a, b = (np.asarray(Image.open(f)) for f in sys.argv[1:3])
assert a.shape == b.shape and (a == b).all()' "$REPO/samples/kodim23-256.png" readme/copy.png
if [[ -d $PYDIR/diffcomp ]]; then
  if (cd readme && PYTHONPATH=$PYDIR "$PYTHON" "$WORK/snippets/python.py") >snip-python.log 2>&1; then pass; else
    fail "README snippet 'python'"; tail -5 snip-python.log >&2; fi
fi

# The man page documents every command and every option of the CLI.
if [[ -f $P/share/man/man1/diffcomp.1 ]]; then
  missing=""
  for cmd in "" compress decompress truncate info models bench train; do
    # shellcheck disable=SC2086
    "$P/bin/diffcomp" $cmd --help 2>/dev/null | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z0-9-]*' | tr -d ' ,' | sort -u >opts.txt || true
    while read -r o; do
      [[ $o == -h || $o == --help ]] && continue
      esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
      grep -qE -- "(${o}|${esc})" "$P/share/man/man1/diffcomp.1" || missing+=" ${cmd:-global}:$o"
    done <opts.txt
    [[ -z $cmd ]] || grep -qE "^\.SS .*\b$cmd\b|^\.TP\n?\.B $cmd|\b$cmd\b" "$P/share/man/man1/diffcomp.1" || missing+=" command:$cmd"
  done
  if [[ -z $missing ]]; then pass; else fail "options not in the man page:$missing"; fi
  if command -v man >/dev/null || command -v groff >/dev/null; then
    check "man -l renders the page" bash -c "MANWIDTH=80 man -l '$P/share/man/man1/diffcomp.1' 2>/dev/null | grep -q diffcomp || groff -man -Tutf8 '$P/share/man/man1/diffcomp.1' | grep -q diffcomp"
  fi
  if [[ -x $P/bin/diffcomp-train ]]; then
    check "the installed trainer runs (diffcomp train --help lists its options)" bash -c "'$P/bin/diffcomp' train --help | grep -q -- --minutes"
  fi
fi
cli_finish
