#!/usr/bin/env bash
# The CLI's file handling and reporting:
#   - default output names (IN -> IN.dfc; decompress strips .dfc, and wants -o otherwise);
#   - never overwrite without -f (exit 16 = DC_ERR_EXISTS, the existing file unchanged), -f
#     overwrites; the output is never the input, even with -f;
#   - the input is never touched (content, size, mtime, inode) and never removed;
#   - no temporary file is left behind, on success or on error;
#   - several inputs at once; -q prints nothing;
#   - --json output of compress, decompress, info and models parses and has its fields;
#   - `info` and `models` in text form.
# Run: bash tests/cli/files.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_files "$@"

# json_has DESCRIPTION FILE PYTHON-EXPRESSION: the expression (over `j`, the parsed JSON) is true.
json_has() {
  local what=$1 file=$2 expr=$3 msg
  if msg=$("$PYTHON" -c '
import json, sys
try:
    j = json.load(open(sys.argv[1]))
except Exception as e:
    print("not valid JSON: %s" % e); sys.exit(1)
try:
    ok = eval(sys.argv[2])
except Exception as e:
    print("%s: %r" % (type(e).__name__, e)); sys.exit(1)
if not ok:
    print("false for %s" % json.dumps(j)[:400]); sys.exit(1)
' "$file" "$expr" 2>&1); then
    pass
  else
    fail "$what: $expr: $msg"
  fi
}

# unchanged DESCRIPTION FILE STATE: FILE still has STATE (from file_state).
unchanged() {
  if [[ ! -e $2 ]]; then
    fail "$1: $2 was removed"
  elif [[ $(file_state "$2") == "$3" ]]; then
    pass
  else
    fail "$1: $2 was modified (before: $3; after: $(file_state "$2"))"
  fi
}

D=$WORK/d
mkdir -p "$D"
"$PYTHON" -c '
import random, sys
r = random.Random(7)
open(sys.argv[1], "wb").write(b"".join(b"line %d: %s\n" % (i, bytes(r.choice(b"abcdef ") for _ in range(40))) for i in range(3000)))
' "$D/doc.txt"
cp "$D/doc.txt" "$WORK/doc.orig"
# An old mtime, so that any rewrite of the input would show.
touch -d '2001-02-03 04:05:06.123456789' "$D/doc.txt"
IN_STATE=$(file_state "$D/doc.txt")

# ------------------------------------------------------------ default naming -----------------
expect_ok "compress with the default output name" compress "$D/doc.txt"
check "compress writes IN.dfc" test -f "$D/doc.txt.dfc"
check "compress reports its output on stdout" grep -qF "$D/doc.txt.dfc" "$WORK/stdout"
unchanged "compress leaves the input alone" "$D/doc.txt" "$IN_STATE"
DFC_STATE=$(file_state "$D/doc.txt.dfc")

# ------------------------------------------------------------ no overwrite without -f -------
expect_error "compress onto an existing .dfc without -f" 16 compress -c store "$D/doc.txt"
unchanged "refused compress leaves the existing .dfc unchanged" "$D/doc.txt.dfc" "$DFC_STATE"
unchanged "refused compress leaves the input alone" "$D/doc.txt" "$IN_STATE"

expect_error "decompress onto the existing original without -f" 16 decompress "$D/doc.txt.dfc"
unchanged "refused decompress leaves the existing file unchanged" "$D/doc.txt" "$IN_STATE"
unchanged "refused decompress leaves the .dfc alone" "$D/doc.txt.dfc" "$DFC_STATE"

echo "precious" >"$D/other"
OTHER_STATE=$(file_state "$D/other")
expect_error "compress -o onto an existing file without -f" 16 compress -o "$D/other" "$D/doc.txt"
unchanged "refused compress -o leaves the existing file unchanged" "$D/other" "$OTHER_STATE"
expect_error "decompress -o onto an existing file without -f" 16 decompress -o "$D/other" "$D/doc.txt.dfc"
unchanged "refused decompress -o leaves the existing file unchanged" "$D/other" "$OTHER_STATE"

# A symlink occupies the name too: no write through it, no replacing it.
ln -s "$D/other" "$D/link.dfc"
expect_error "compress -o onto a symlink without -f" 16 compress -o "$D/link.dfc" "$D/doc.txt"
unchanged "symlink target unchanged" "$D/other" "$OTHER_STATE"
check "symlink still a symlink" test -L "$D/link.dfc"
ln -s "$D/nowhere" "$D/dangling.dfc"
expect_error "compress -o onto a dangling symlink without -f" 16 compress -o "$D/dangling.dfc" "$D/doc.txt"
check "no file created through the dangling symlink" test ! -e "$D/nowhere"

# ------------------------------------------------------------ -f overwrites -----------------
expect_ok "compress -f over an existing .dfc" -q compress -f -c store "$D/doc.txt"
run_dc --json info "$D/doc.txt.dfc"
json_has "compress -f replaced the .dfc" "$WORK/stdout" 'j[0]["codec"] == "store"'
unchanged "compress -f leaves the input alone" "$D/doc.txt" "$IN_STATE"

expect_ok "compress -f -o over an unrelated file" -q compress -f -c huffman -o "$D/other" "$D/doc.txt"
run_dc --json info "$D/other"
json_has "compress -f -o replaced the file" "$WORK/stdout" 'j[0]["codec"] == "huffman"'

echo "stale" >"$D/stale"
expect_ok "decompress -f -o over an existing file" -q decompress -f -o "$D/stale" "$D/other"
same_bytes "decompress -f restored the content" "$WORK/doc.orig" "$D/stale"

# Decompress with the default name once the original is gone; the .dfc stays.
mv "$D/doc.txt" "$D/doc.moved"
DFC_STATE=$(file_state "$D/doc.txt.dfc")
expect_ok "decompress with the default output name" decompress "$D/doc.txt.dfc"
check "decompress strips .dfc" test -f "$D/doc.txt"
same_bytes "decompress restores the original" "$WORK/doc.orig" "$D/doc.txt"
unchanged "decompress leaves the .dfc alone" "$D/doc.txt.dfc" "$DFC_STATE"
echo "changed" >"$D/doc.txt"
expect_ok "decompress -f over a changed original" -q decompress -f "$D/doc.txt.dfc"
same_bytes "decompress -f restores the original" "$WORK/doc.orig" "$D/doc.txt"
mv "$D/doc.moved" "$D/doc.txt"

# Without the .dfc suffix, decompress needs -o and writes nothing.
cp "$D/doc.txt.dfc" "$D/archive.bin"
expect_error "decompress of a name without .dfc and without -o" 2 decompress "$D/archive.bin"
cp "$D/doc.txt.dfc" "$D/.dfc"
expect_error "decompress of a file named just .dfc" 2 decompress "$D/.dfc"
expect_ok "decompress -o of a name without .dfc" -q decompress -o "$D/archive.out" "$D/archive.bin"
same_bytes "decompress -o of a name without .dfc" "$WORK/doc.orig" "$D/archive.out"

# ------------------------------------------------------------ the output is never the input --
cp "$D/doc.txt" "$D/self.txt"
SELF_STATE=$(file_state "$D/self.txt")
expect_error "compress -f -o INPUT INPUT" 2 compress -f -o "$D/self.txt" "$D/self.txt"
unchanged "compress -f -o INPUT leaves the input alone" "$D/self.txt" "$SELF_STATE"
ln "$D/self.txt" "$D/self.txt.dfc"
expect_error "compress -f onto a hard link of the input" 2 compress -f "$D/self.txt"
unchanged "compress -f onto a hard link leaves the input alone" "$D/self.txt" "$SELF_STATE"
rm -f "$D/self.txt.dfc"
cp "$D/doc.txt.dfc" "$D/self.dfc"
SELF_STATE=$(file_state "$D/self.dfc")
expect_error "decompress -f -o INPUT INPUT" 2 decompress -f -o "$D/self.dfc" "$D/self.dfc"
unchanged "decompress -f -o INPUT leaves the input alone" "$D/self.dfc" "$SELF_STATE"

# ------------------------------------------------------------ several inputs, -q, errors ----
mkdir -p "$D/many"
printf 'aaaa' >"$D/many/a"
printf 'bbbbbbbb' >"$D/many/b"
expect_ok "compress two inputs" -q compress -c huffman "$D/many/a" "$D/many/b"
check "compress -q prints nothing on stdout" test ! -s "$WORK/stdout"
check "two inputs give two .dfc files" test -f "$D/many/a.dfc" -a -f "$D/many/b.dfc"
expect_error "-o with two inputs" 2 compress -o "$D/many/x.dfc" "$D/many/a" "$D/many/b"
expect_no_file "-o with two inputs writes nothing" "$D/many/x.dfc"
rm "$D/many/a" "$D/many/b"
expect_ok "decompress two inputs" -q decompress "$D/many/a.dfc" "$D/many/b.dfc"
printf 'aaaa' >"$WORK/a.expected"
printf 'bbbbbbbb' >"$WORK/b.expected"
same_bytes "first of two inputs" "$WORK/a.expected" "$D/many/a"
same_bytes "second of two inputs" "$WORK/b.expected" "$D/many/b"
expect_error "output into a missing directory" 3 compress -o "$D/no/such/dir/x.dfc" "$D/doc.txt"
expect_no_file "no output into a missing directory" "$D/no"
mkdir "$D/adir"
expect_error "output onto a directory" "3 16" compress -f -o "$D/adir" "$D/doc.txt"
check "directory left as it was" test -d "$D/adir"
expect_error "input is a directory" 3 compress "$D/adir"
expect_no_file "no output for a directory input" "$D/adir.dfc"
expect_no_temp "no temporary files left" "$D"

# ------------------------------------------------------------ --json ------------------------
J=$WORK/j
mkdir -p "$J"
cp "$WORK/doc.orig" "$J/doc.txt"
run_dc --json compress -c lzw "$J/doc.txt"
check "--json compress exits 0" test "$RC" -eq 0
json_has "--json compress" "$WORK/stdout" \
  'isinstance(j, list) and len(j) == 1 and {"input", "output", "codec", "input_bytes", "output_bytes", "rate", "rate_unit"} <= set(j[0])'
SIZE=$(stat -c %s "$J/doc.txt")
DSIZE=$(stat -c %s "$J/doc.txt.dfc")
json_has "--json compress values" "$WORK/stdout" \
  "j[0]['codec'] == 'lzw' and j[0]['input_bytes'] == $SIZE and j[0]['output_bytes'] == $DSIZE and j[0]['output'].endswith('doc.txt.dfc') and j[0]['rate_unit'] == 'bits/byte' and abs(j[0]['rate'] - 8.0 * $DSIZE / $SIZE) < 1e-9"
rm "$J/doc.txt"
run_dc --json decompress "$J/doc.txt.dfc"
json_has "--json decompress" "$WORK/stdout" \
  "len(j) == 1 and {'input', 'output', 'output_bytes'} <= set(j[0]) and j[0]['output_bytes'] == $SIZE"
run_dc --json info "$J/doc.txt.dfc"
json_has "--json info" "$WORK/stdout" \
  "len(j) == 1 and {'file', 'version', 'codec', 'format', 'original_size', 'payload_size', 'container_size', 'rate', 'rate_unit'} <= set(j[0]) and j[0]['version'] == '2.0' and j[0]['format'] == 'raw' and j[0]['original_size'] == $SIZE and j[0]['container_size'] == $DSIZE and j[0]['payload_size'] < $DSIZE"
run_dc --json compress -c huffman "$D/many/a" "$D/many/b"
check "--json with an error: exit 16" test "$RC" -eq 16
json_has "--json stdout stays valid JSON when an input fails" "$WORK/stdout" 'isinstance(j, list)'

# ------------------------------------------------------------ info, models (text) -----------
run_dc info "$J/doc.txt.dfc"
check "info exits 0" test "$RC" -eq 0
check "info names the codec" grep -q 'codec lzw' "$WORK/stdout"
check "info gives the sizes" grep -qE "$SIZE bytes of content -> $DSIZE bytes" "$WORK/stdout"
expect_error "info of a missing file" 3 info "$J/missing.dfc"

if require_model; then
  run_dc models
  check "models exits 0" test "$RC" -eq 0
  check "models lists image-lossless and its path" grep -qF "$MODEL_PATH" "$WORK/stdout"
  run_dc --json models
  json_has "--json models" "$WORK/stdout" \
    "len(j) >= 1 and {'codec', 'model_id', 'arch', 'fingerprint', 'parameters', 'path'} <= set(j[0]) and j[0]['codec'] == 'image-lossless' and len(j[0]['fingerprint']) == 8 and int(j[0]['fingerprint'], 16) >= 0 and j[0]['parameters'] > 0"
  run_dc --json models --model "$MODEL_PATH"
  json_has "--json models --model FILE" "$WORK/stdout" "j[0]['path'] == '$MODEL_PATH'"
  expect_error "models --model of a missing file" 14 models --model "$WORK/no-such-model.dcw"

  if require_pil; then
    "$PYTHON" "$REPO/tests/cli/lib/images.py" make "$J"
    IMG_STATE=$(file_state "$J/rgb.png")
    run_dc --json compress "$J/rgb.png"
    json_has "--json compress of an image" "$WORK/stdout" \
      "j[0]['codec'] == 'image-lossless' and j[0]['width'] == 34 and j[0]['height'] == 21 and j[0]['channels'] == 3 and j[0]['rate_unit'] == 'bits/sub-pixel' and j[0]['model_nll_bits'] > 0 and j[0]['model_nll_rate'] > 0 and j[0]['input_bytes'] == $(stat -c %s "$J/rgb.png") and j[0]['output_bytes'] > 0"
    unchanged "image compress leaves the input alone" "$J/rgb.png" "$IMG_STATE"
    run_dc --json info "$J/rgb.png.dfc"
    FP=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["fingerprint"])' <(
      "$DC" --json models))
    json_has "--json info of an image" "$WORK/stdout" \
      "j[0]['codec'] == 'image-lossless' and j[0]['format'] == 'png' and j[0]['width'] == 34 and j[0]['height'] == 21 and j[0]['channels'] == 3 and j[0]['original_size'] == 34 * 21 * 3 and j[0]['model_fingerprint'] == '$FP' and j[0]['model_id'] >= 1"
    run_dc info "$J/rgb.png.dfc"
    check "info of an image gives its size" grep -q 'image 34x21, 3 channel' "$WORK/stdout"
    expect_error "image decompress onto the existing image without -f" 16 decompress "$J/rgb.png.dfc"
    unchanged "refused image decompress leaves the image alone" "$J/rgb.png" "$IMG_STATE"
  fi
fi
expect_no_temp "no temporary files left (json dir)" "$J"

# -o /dev/null (a device; also a FIFO) is written into, with or without -f, and stays a device: a
# temporary file renamed over it would have replaced the node (as root, /dev/null became a file).
if [[ -c /dev/null ]]; then
  N=$WORK/n
  mkdir -p "$N"
  printf 'bytes for /dev/null\n' > "$N/a.bin"
  run_dc compress -o /dev/null "$N/a.bin"
  check "compress -o /dev/null without -f succeeds" test "$RC" = 0
  run_dc compress -f -o /dev/null "$N/a.bin"
  check "compress -f -o /dev/null succeeds" test "$RC" = 0
  run_dc compress -o "$N/a.dfc" "$N/a.bin"
  run_dc decompress -o /dev/null "$N/a.dfc"
  check "decompress -o /dev/null succeeds" test "$RC" = 0
  check "/dev/null is still a character device" test -c /dev/null
  check "/dev/null is still empty" test ! -s /dev/null
  check "no temporary file beside /dev/null" test -z "$(find /dev -maxdepth 1 -name 'null.*' -print -quit)"
fi

cli_finish
