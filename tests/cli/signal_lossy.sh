#!/usr/bin/env bash
# The lossy signal codec and `truncate` through the CLI, on a real WAV (../shared/data/signals):
#   - --bits-per-sample keeps the whole file within the rate; --snr reaches the SNR; the output is
#     a WAV of the same geometry; info names the codec;
#   - truncate: smaller files at lower rates that decode, never an output above the rate, the
#     input untouched; the wrong unit, a rate below the header, a non-progressive file, an
#     existing output without -f and a damaged file are errors that leave nothing behind.
# Run: bash tests/cli/signal_lossy.sh /path/to/diffcomp   (from the repository root)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash"
cli_init cli_signal_lossy "$@"

require_data || { cli_finish; exit $?; }
W=$WORK/sl
mkdir -p "$W"
IN=$DATA/signals/audio/alsa_Front_Center_48k.wav   # 68,545 samples, 16-bit mono
NS=68545
bits() { echo $(( $(stat -c %s "$1") * 8 )); }
snr() { "$PYTHON" - "$1" "$2" <<'PY'
import sys, wave, struct
def rd(p):
    w = wave.open(p); d = w.readframes(w.getnframes()); return struct.unpack('<%dh' % (len(d) // 2), d)
a, b = rd(sys.argv[1]), rd(sys.argv[2])
import math
e = sum(x * x for x in a); d = sum((x - y) ** 2 for x, y in zip(a, b))
print('%.2f' % (10 * math.log10(e / max(d, 1e-9))))
PY
}
ge() { "$PYTHON" -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$1" "$2"; }

before=$(file_state "$IN")
expect_ok "compress --bits-per-sample 3" -q compress --codec signal-lossy --bits-per-sample 3 -o "$W/a.dfc" "$IN"
check "rate within 3 bits/sample" [ "$(bits "$W/a.dfc")" -le $((3 * NS)) ]
check "rate uses the budget (> 2.7 bits/sample)" [ "$(bits "$W/a.dfc")" -gt $((27 * NS / 10)) ]
check "input untouched" [ "$(file_state "$IN")" == "$before" ]
run_dc --json info "$W/a.dfc"
check "info names signal-lossy" grep -q '"signal-lossy"' "$WORK/stdout"
expect_ok "decompress" -q decompress -o "$W/a.wav" "$W/a.dfc"
full=$(snr "$IN" "$W/a.wav")
check "3 bits/sample gives more than 40 dB (got $full)" ge "$full" 40

expect_ok "compress --snr 25" -q compress --codec signal-lossy --snr 25 -o "$W/s.dfc" "$IN"
expect_ok "decompress --snr file" -q decompress -o "$W/s.wav" "$W/s.dfc"
s25=$(snr "$IN" "$W/s.wav")
check "--snr 25 reaches 25 dB (got $s25)" ge "$s25" 24.8

prev=$(stat -c %s "$W/a.dfc")
prev_snr=$full
for r in 2 1 0.5; do
  before=$(file_state "$W/a.dfc")
  expect_ok "truncate to $r" -q truncate "$W/a.dfc" --bits-per-sample $r -o "$W/t$r.dfc"
  check "input .dfc untouched ($r)" [ "$(file_state "$W/a.dfc")" == "$before" ]
  check "truncated to $r is within the rate" "$PYTHON" -c "import sys; sys.exit(0 if $(bits "$W/t$r.dfc") <= $r * $NS else 1)"
  check "truncated to $r is smaller" [ "$(stat -c %s "$W/t$r.dfc")" -lt "$prev" ]
  expect_ok "decompress truncated $r" -q decompress -o "$W/t$r.wav" "$W/t$r.dfc"
  cur=$(snr "$IN" "$W/t$r.wav")
  check "lower rate, lower SNR ($r: $cur < $prev_snr)" ge "$prev_snr" "$cur"
  prev=$(stat -c %s "$W/t$r.dfc")
  prev_snr=$cur
done

expect_error "truncate: wrong unit" 2 truncate "$W/a.dfc" --bpp 1 -o "$W/x.dfc"
expect_no_file "no output after the wrong unit" "$W/x.dfc"
expect_error "truncate: no rate" 2 truncate "$W/a.dfc" -o "$W/x.dfc"
expect_error "truncate: rate below the header" 2 truncate "$W/a.dfc" --bits-per-sample 0.001 -o "$W/x.dfc"
expect_no_file "no output after a too-low rate" "$W/x.dfc"
expect_error "truncate: existing output" 16 truncate "$W/a.dfc" --bits-per-sample 1 -o "$W/t1.dfc"
head -c $(( $(stat -c %s "$W/a.dfc") - 10 )) "$W/a.dfc" >"$W/cut.dfc"
expect_error "truncate: damaged file" "9 11" truncate "$W/cut.dfc" --bits-per-sample 1 -o "$W/x.dfc"
expect_error "decompress: damaged file" "9 11" decompress -o "$W/x.wav" "$W/cut.dfc"
expect_no_file "no output after a damaged file" "$W/x.wav"
expect_ok "a lossless file" -q compress --codec lzw -o "$W/l.dfc" "$IN"
expect_error "truncate: not progressive" 2 truncate "$W/l.dfc" --bits-per-sample 1 -o "$W/x.dfc"
expect_no_file "no output for a lossless file" "$W/x.dfc"
expect_no_temp "no temporary files" "$W"
cli_finish
