#!/usr/bin/env bash
# The lossless signal codec through the CLI, on the real signals (../shared/data/signals):
#   - WAV, CSV and a WFDB record (.hea + .dat written beside the output .hea) restored byte for
#     byte, signal-lossless chosen by default, `info` reporting the signal's facts;
#   - headerless int16/int32 input (--raw, --channels) with a trailing partial frame;
#   - output bytes independent of the thread count;
#   - refusals that leave nothing behind: an existing .dat without -f, truncated files, a bad
#     --raw value, an unsupported file.
# Run: bash tests/cli/signal.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_signal "$@"

expect_eq() {
  if [[ "$2" == "$3" ]]; then pass; else fail "$1: got '$2', expected '$3'"; fi
}
json_field() {
  "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d[0] if isinstance(d,list) else d; print(d.get(sys.argv[2], "<missing>"))' \
    "$WORK/stdout" "$1"
}

require_data || { cli_finish; exit $?; }
require_model || { cli_finish; exit $?; }
S=$WORK/sig
mkdir -p "$S/out"
SIG=$DATA/signals

# ---------------------------------------------------------------- WAV and CSV ----------------
for f in "$SIG/audio/alsa_Front_Center_48k.wav" "$SIG/timeseries/co2_mauna_loa_weekly.csv" \
  "$SIG/timeseries/sunspots_yearly_1700_2008.csv"; do
  name=$(basename "$f")
  before=$(file_state "$f")
  expect_ok "compress $name" -q compress -o "$S/$name.dfc" "$f"
  expect_eq "input $name untouched" "$(file_state "$f")" "$before"
  run_dc --json info "$S/$name.dfc"
  expect_eq "default codec for $name" "$(json_field codec)" "signal-lossless"
  expect_ok "decompress $name" -q decompress -o "$S/out/$name" "$S/$name.dfc"
  same_bytes "$name restored" "$f" "$S/out/$name"
done
run_dc --json info "$S/alsa_Front_Center_48k.wav.dfc"
expect_eq "info: format" "$(json_field format)" "wav"
expect_eq "info: channels" "$(json_field channels)" "1"
expect_eq "info: bit depth" "$(json_field bit_depth)" "16"

# Thread count never changes the bytes.
expect_ok "compress -T 1" -q compress -T 1 -o "$S/t1.dfc" "$SIG/audio/alsa_Front_Center_48k.wav"
expect_ok "compress -T 2" -q compress -T 2 -o "$S/t2.dfc" "$SIG/audio/alsa_Front_Center_48k.wav"
same_bytes "-T 1 and -T 2 outputs" "$S/t1.dfc" "$S/t2.dfc"
expect_ok "decode a -T 2 file with -T 1" -q decompress -T 1 -o "$S/out/t2.wav" "$S/t2.dfc"
same_bytes "-T 2 file decoded with -T 1" "$SIG/audio/alsa_Front_Center_48k.wav" "$S/out/t2.wav"

# ---------------------------------------------------------------- WFDB ------------------------
cp "$SIG/ecg_mitbih/100.hea" "$SIG/ecg_mitbih/100.dat" "$S/"
expect_ok "compress a WFDB record" -q compress -o "$S/rec.dfc" "$S/100.hea"
mkdir -p "$S/rec"
expect_ok "decompress a WFDB record" -q decompress -o "$S/rec/100.hea" "$S/rec.dfc"
same_bytes "WFDB header restored" "$SIG/ecg_mitbih/100.hea" "$S/rec/100.hea"
same_bytes "WFDB signal file restored beside it" "$SIG/ecg_mitbih/100.dat" "$S/rec/100.dat"
mkdir -p "$S/rec2"
cp "$SIG/ecg_mitbih/100.dat" "$S/rec2/100.dat"
expect_error "decompress over an existing .dat without -f" 16 decompress -o "$S/rec2/100.hea" "$S/rec.dfc"
expect_no_file "no .hea written when the .dat exists" "$S/rec2/100.hea"
expect_no_temp "no temporary files after the refusal" "$S/rec2"
expect_ok "decompress over it with -f" -q decompress -f -o "$S/rec2/100.hea" "$S/rec.dfc"
same_bytes "WFDB signal file rewritten with -f" "$SIG/ecg_mitbih/100.dat" "$S/rec2/100.dat"

# ---------------------------------------------------------------- raw -------------------------
"$PYTHON" - "$S" <<'PYEOF'
import random, struct, sys
d = sys.argv[1]
r = random.Random(7)
x = [int(3000 * __import__("math").sin(i / 9.0)) + r.randint(-40, 40) for i in range(30001)]
open(f"{d}/a.s16", "wb").write(struct.pack("<%dh" % len(x), *x) + b"\x7f")
y = [r.randint(-2**31, 2**31 - 1) for _ in range(5000)]
open(f"{d}/b.s32", "wb").write(struct.pack("<%di" % len(y), *y))
PYEOF
expect_ok "compress raw int16, 1 channel" -q compress --raw s16le -o "$S/a.dfc" "$S/a.s16"
expect_ok "decompress raw int16" -q decompress -o "$S/out/a.s16" "$S/a.dfc"
same_bytes "raw int16 restored (with its odd trailing byte)" "$S/a.s16" "$S/out/a.s16"
expect_ok "compress raw int16, 2 channels" -q compress --raw s16le --channels 2 -o "$S/a2.dfc" "$S/a.s16"
expect_ok "decompress raw int16, 2 channels" -q decompress -o "$S/out/a2.s16" "$S/a2.dfc"
same_bytes "raw int16 stereo restored" "$S/a.s16" "$S/out/a2.s16"
expect_ok "compress raw int32 (full-range noise)" -q compress --raw s32le -o "$S/b.dfc" "$S/b.s32"
expect_ok "decompress raw int32" -q decompress -o "$S/out/b.s32" "$S/b.dfc"
same_bytes "raw int32 restored" "$S/b.s32" "$S/out/b.s32"

# ---------------------------------------------------------------- refusals --------------------
expect_error "a bad --raw value" 2 compress --raw u8 -o "$S/bad.dfc" "$S/a.s16"
expect_no_file "no output after a bad --raw" "$S/bad.dfc"
printf 'not a table\n' >"$S/words.csv"
expect_error "a CSV that is not numeric" 4 compress -o "$S/words.dfc" "$S/words.csv"
expect_no_file "no output for a non-numeric CSV" "$S/words.dfc"
size=$(stat -c %s "$S/a.dfc")
for cut in 1 5 12 20 $((size / 2)) $((size - 5)) $((size - 1)); do
  head -c "$cut" "$S/a.dfc" >"$S/cut.dfc"
  expect_error "a .dfc cut to $cut bytes" "9 10 11" decompress -o "$S/out/cut.s16" "$S/cut.dfc"
  expect_no_file "no output from a cut file" "$S/out/cut.s16"
done
expect_no_temp "no temporary files left" "$S/out"
cli_finish
