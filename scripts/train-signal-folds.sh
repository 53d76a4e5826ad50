#!/usr/bin/env bash
# Cross-validation models of the lossless signal codec (issue 5): three folds by file, each model
# trained on every other file of ../shared/data/signals and never on its held-out files.
# Writes results/signal-lossless/folds/<fold>/{signal-lossless-sig1.dcw,holdout.txt,train.log}.
# Usage: scripts/train-signal-folds.sh [STEPS per fold, default 6200 (the shipped model's)] [FOLD...]
# Folds run one after the other (or start several with one fold each); --minutes 120 only caps.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-6200}
shift || true
SIG=../shared/data/signals
declare -A folds=(
  [A]="audio/sonicpi_guit_em9.wav audio/sonicpi_ambi_piano.wav"
  [B]="audio/sonicpi_drum_roll.wav audio/alsa_Front_Center_48k.wav audio/asterisk_allison_demo-congrats_8k.wav"
  [C]="ecg_mitbih/100.hea timeseries/co2_mauna_loa_weekly.csv timeseries/sunspots_yearly_1700_2008.csv"
)
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(A B C)
for f in "${names[@]}"; do
  d=results/signal-lossless/folds/$f
  mkdir -p "$d"
  hold=()
  : >"$d/holdout.txt"
  [[ -f $d/train.ckpt ]] || : >"$d/train.log"
  for h in ${folds[$f]}; do
    hold+=("$SIG/$h")
    basename "$h" >>"$d/holdout.txt"
  done
  resume=()
  [[ -f $d/train.ckpt ]] && resume=(--resume "$d/train.ckpt")  # continue an interrupted fold
  OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE build/bin/diffcomp-train --codec signal-lossless --data "$SIG" \
    --holdout "${hold[@]}" --max-steps "$steps" --minutes 120 --out "$d/signal-lossless-sig1.dcw" \
    --checkpoint "$d/train.ckpt" "${resume[@]}" -T 1 2>>"$d/train.log"
  rm -f "$d/train.ckpt"
done
