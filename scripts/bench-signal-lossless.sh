#!/usr/bin/env bash
# The lossless signal benchmark of issue 5, committed under results/signal-lossless/.
# Usage: scripts/bench-signal-lossless.sh
#   audio/     every WAV in ../shared/data/signals/audio: signal-lossless (shipped model) beside
#              flac -8, wavpack -hhx6, xz, zstd, bzip2, huffman and lzw, one `diffcomp bench` run.
#   heldout/   signal-lossless with the cross-validation models (results/signal-lossless/folds/*):
#              every file coded by the model that never saw it (revision 2's default block coder
#              does not use the network, so these equal audio/; kept to show it).
#   own/       self-made audio of other kinds (scripts/make-signal-test-audio.py: espeak-ng speech,
#              clipped drums, FM bells, a 24-bit chord, tabla-like hits) beside wavpack -hhx6 and
#              flac -8: never used to tune anything.
#   ecg-series/ ECG record 100 (.hea + .dat) and the two CSV series: ours (shipped and held-out
#              model) beside xz -9e, bzip2 -9, zstd -19, huffman, lzw on the same bytes, and flac -8
#              on a 16-bit WAV of the ECG samples; every round trip verified with cmp.
set -euo pipefail
cd "$(dirname "$0")/.."
DC=$PWD/build/bin/diffcomp
DATA=${DIFFCOMP_DATA:-$PWD/../shared/data}
SIG=$DATA/signals
out=results/signal-lossless
folds=$out/folds
mkdir -p "$out/audio" "$out/heldout" "$out/own" "$out/ecg-series"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fold_of FILE -> the fold directory whose model never saw FILE.
fold_of() {
  local f
  for d in "$folds"/*/; do
    while read -r f; do
      [[ "$(basename "$1")" == "$f" ]] && { echo "${d%/}"; return; }
    done <"$d/holdout.txt"
  done
  echo "no fold holds out $1" >&2
  exit 1
}

# ---- audio, shipped model, one run beside the classic codecs ---------------------------------
codecs=signal-lossless,huffman,lzw,gzip-9,bzip2-9,xz-9e,zstd-19,flac-8,wavpack-hhx6
cmd=("$DC" bench --data "$SIG/audio" --codecs "$codecs" -T 2 --repeats 3 --json-out "$out/audio/bench.json"
  --markdown "$out/audio/bench.md" --plot "$out/audio/bench.svg")
echo "${cmd[*]}" | sed "s|$PWD/||g; s|$DATA|../shared/data|g" >"$out/audio/COMMAND.txt"
"${cmd[@]}"

# ---- held-out models, file by file -----------------------------------------------------------
: >"$out/heldout/COMMAND.txt"
for f in "$SIG"/audio/*.wav; do
  d=$(fold_of "$f")
  mkdir -p "$work/h/$(basename "$f")"
  cp "$f" "$work/h/$(basename "$f")/"
  cmd=("$DC" bench --data "$work/h/$(basename "$f")" --codecs signal-lossless -T 2 --repeats 1
    --json-out "$out/heldout/$(basename "$f").json")
  echo "DIFFCOMP_MODEL_DIR=$d ${cmd[*]}" | sed "s|$PWD/||g; s|$work/h/[^ ]*|../shared/data/signals/audio/$(basename "$f")|g" \
    >>"$out/heldout/COMMAND.txt"
  DIFFCOMP_MODEL_DIR=$PWD/$d "${cmd[@]}" >/dev/null
done

# ---- self-made audio of other kinds -----------------------------------------------------------
/usr/bin/python3 scripts/make-signal-test-audio.py "$work/own" >/dev/null
cmd=("$DC" bench --data "$work/own" --codecs signal-lossless,wavpack-hhx6,flac-8 -T 2 --repeats 3
  --json-out "$out/own/bench.json" --markdown "$out/own/bench.md")
{ echo "/usr/bin/python3 scripts/make-signal-test-audio.py OWN"; echo "${cmd[*]}" | sed "s|$PWD/||g; s|$work/own|OWN|g"; } \
  >"$out/own/COMMAND.txt"
"${cmd[@]}" >/dev/null

# ---- ECG and series: ours (shipped and held-out) and the byte compressors --------------------
cp "$SIG/ecg_mitbih/100.hea" "$SIG/ecg_mitbih/100.dat" "$SIG"/timeseries/*.csv "$work/"
/usr/bin/python3 - "$work/100.dat" "$work/100_16bit.wav" <<'PY'
import struct, sys, wave
raw = open(sys.argv[1], "rb").read()
s = []
for i in range(0, len(raw) - 2, 3):
    b0, b1, b2 = raw[i], raw[i + 1], raw[i + 2]
    for v in (b0 | ((b1 & 0x0F) << 8), b2 | ((b1 & 0xF0) << 4)):
        s.append(v - 4096 if v >= 2048 else v)
w = wave.open(sys.argv[2], "wb")
w.setnchannels(2); w.setsampwidth(2); w.setframerate(360)
w.writeframes(struct.pack("<%dh" % len(s), *s))
PY
{
  echo "scripts/bench-signal-lossless.sh (ecg-series part); per codec: compress, decompress, cmp with the original"
  echo "ours: diffcomp compress -T 2 100.hea (reads 100.dat beside it) / decompress -T 2, with the shipped model and with"
  echo "DIFFCOMP_MODEL_DIR=<the fold that held the file out>; xz -9e -T1, bzip2 -9, zstd -19, diffcomp -c huffman / lzw on"
  echo "the same files (100.dat; each CSV); flac -8 on a 16-bit stereo WAV of the ECG samples"
} >"$out/ecg-series/COMMAND.txt"
/usr/bin/python3 - "$DC" "$work" "$out/ecg-series/results.json" "$PWD/$folds" <<'PY'
import json, os, subprocess, sys, time, filecmp
dc, work, dst, folds = sys.argv[1:5]
def fold_dir(name):
    for d in sorted(os.listdir(folds)):
        if name in open(os.path.join(folds, d, "holdout.txt")).read().split():
            return os.path.join(folds, d)
    raise SystemExit("no fold holds out " + name)
def timed(cmd, env=None, stdout=None):
    t = time.time()
    subprocess.run(cmd, check=True, env=env, stdout=stdout)
    return time.time() - t
rows = []
items = [("100.hea", ["100.hea", "100.dat"], 650000 * 2), ("co2_mauna_loa_weekly.csv", ["co2_mauna_loa_weekly.csv"], 2284 * 2),
         ("sunspots_yearly_1700_2008.csv", ["sunspots_yearly_1700_2008.csv"], 309 * 2)]
for main, files, samples in items:
    src_bytes = sum(os.path.getsize(os.path.join(work, f)) for f in files)
    for label, env in (("signal-lossless (shipped model)", None),
                       ("signal-lossless (held-out model)", dict(os.environ, DIFFCOMP_MODEL_DIR=fold_dir(main)))):
        dfc = os.path.join(work, main + ".dfc")
        os.makedirs(os.path.join(work, "dec"), exist_ok=True)
        te = timed([dc, "-q", "compress", "-T", "2", "-f", "-o", dfc, os.path.join(work, main)], env)
        td = timed([dc, "-q", "decompress", "-T", "2", "-f", "-o", os.path.join(work, "dec", main), dfc], env)
        ok = all(filecmp.cmp(os.path.join(work, f), os.path.join(work, "dec", f), shallow=False) for f in files)
        rows.append({"input": main, "codec": label, "input_bytes": src_bytes, "bytes": os.path.getsize(dfc),
                     "samples": samples, "enc_s": te, "dec_s": td, "verified": ok})
    for f in files:
        if f.endswith(".hea"):
            continue
        path = os.path.join(work, f)
        for name, enc, dec in (("xz-9e", ["xz", "-9e", "-T1", "-c"], ["xz", "-d", "-c"]),
                               ("bzip2-9", ["bzip2", "-9", "-c"], ["bzip2", "-d", "-c"]),
                               ("zstd-19", ["zstd", "-19", "-q", "-c"], ["zstd", "-d", "-q", "-c"])):
            c = os.path.join(work, f + "." + name)
            with open(c, "wb") as o:
                te = timed(enc + [path], stdout=o)
            with open(c + ".dec", "wb") as o:
                td = timed(dec + [c], stdout=o)
            rows.append({"input": f, "codec": name, "input_bytes": os.path.getsize(path), "bytes": os.path.getsize(c),
                         "samples": samples, "enc_s": te, "dec_s": td, "verified": filecmp.cmp(path, c + ".dec", shallow=False)})
        for name in ("huffman", "lzw"):
            c = os.path.join(work, f + "." + name + ".dfc")
            te = timed([dc, "-q", "compress", "-c", name, "-f", "-o", c, path])
            td = timed([dc, "-q", "decompress", "-f", "-o", c + ".dec", c])
            rows.append({"input": f, "codec": name, "input_bytes": os.path.getsize(path), "bytes": os.path.getsize(c),
                         "samples": samples, "enc_s": te, "dec_s": td, "verified": filecmp.cmp(path, c + ".dec", shallow=False)})
        if f == "100.dat":
            w = os.path.join(work, "100_16bit.wav")
            c = os.path.join(work, "100.flac")
            te = timed(["flac", "-8", "-s", "-f", "-o", c, w])
            td = timed(["flac", "-d", "-s", "-f", "-o", c + ".wav", c])
            rows.append({"input": "100.dat as 16-bit WAV", "codec": "flac-8", "input_bytes": os.path.getsize(w),
                         "bytes": os.path.getsize(c), "samples": samples, "enc_s": te, "dec_s": td,
                         "verified": filecmp.cmp(w, c + ".wav", shallow=False)})
for r in rows:
    r["bits_per_sample"] = 8.0 * r["bytes"] / r["samples"]
    r["bits_per_input_byte"] = 8.0 * r["bytes"] / r["input_bytes"]
    r["enc_samples_per_s"] = r["samples"] / max(r["enc_s"], 1e-9)
    r["dec_samples_per_s"] = r["samples"] / max(r["dec_s"], 1e-9)
json.dump(rows, open(dst, "w"), indent=1)
for r in rows:
    print("%-32s %-34s %9d bytes %7.4f bits/sample %s" % (r["input"], r["codec"], r["bytes"], r["bits_per_sample"],
                                                          "ok" if r["verified"] else "NOT VERIFIED"))
if not all(r["verified"] for r in rows):
    raise SystemExit("a round trip failed")
PY
/usr/bin/python3 scripts/signal_summary.py "$out"
