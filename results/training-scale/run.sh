#!/usr/bin/env bash
# Samples/s of data-parallel training on this machine: 1 rank x 2 threads against 2 ranks x 1
# thread (image-lossless, default network, alternated and repeated), and the step time of every
# codec's default network on 2 ranks x 1 thread (for the paper estimate in README.md).
# Usage: results/training-scale/run.sh BUILD_DIR [SECONDS]   (appends to runs.txt beside this script)
#   OMP_WAIT_POLICY=PASSIVE ONLY_IMAGE=1 results/training-scale/run.sh build 45: the image series
#   with OpenMP threads that sleep instead of spinning at barriers.
set -euo pipefail
B=${1:-build}
S=${2:-75}
T="$B/bin/diffcomp-train"
D=../shared/data
OUT=$(dirname "$0")/runs.txt
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
MIN=$(python3 -c "print($S/60)")
{
  echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${S} s per run"
  for rep in 1 2; do
    for cfg in "1 2" "2 1"; do
      set -- $cfg
      n=$1; t=$2
      line=$(OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-} "$T" --codec image-lossless --data $D/photos $D/cifar10/train_subset_10k.bin --minutes "$MIN" \
        --out "$TMP/m.dcw" -T $((n * t)) --nproc "$n" 2>&1 | grep 'train: done' || true)
      echo "image-lossless ranks=$n threads/rank=$t rep=$rep OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-default} load=$(cut -d' ' -f1 /proc/loadavg): $line"
    done
  done
  [ -n "${ONLY_IMAGE:-}" ] && exit 0
  for codec in video-lossless signal-lossless image-lossy; do
    case $codec in
      signal-lossless) data="$D/signals/ecg_mitbih $D/signals/audio" ;;
      *) data="$D/photos" ;;
    esac
    line=$("$T" --codec $codec --data $data --minutes "$MIN" --out "$TMP/m.dcw" -T 2 --nproc 2 2>&1 | grep 'train: done' || true)
    echo "$codec ranks=2 threads/rank=1 load=$(cut -d' ' -f1 /proc/loadavg): $line"
  done
} | tee -a "$OUT"
