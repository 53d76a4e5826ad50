#!/bin/bash
# Pilot of video-lossless (docs/design-adaptive.md, "Video"): compresses the clips of
# scripts/make-video-pilot.py and prints "LABEL clip bytes user-s sys-s wall-s" per clip.
# Usage: scripts/pilot-video-lossless.sh DIFFCOMP CLIPDIR LABEL [VAR=VALUE...]  (TILE=N: --tile N)
set -e
BIN=$1; DIR=$2; LABEL=$3; shift 3
for c in foreman6 mobile6 cisco6 screen6; do
  /usr/bin/time -f "%U %S %e" -o "$DIR/t.$LABEL.$c" env "$@" "$BIN" -q compress --codec video-lossless -T 2 \
    ${TILE:+--tile $TILE} -f -o "$DIR/$LABEL.$c.dfc" "$DIR/$c.y4m"
  echo "$LABEL $c $(stat -c %s "$DIR/$LABEL.$c.dfc") $(cat "$DIR/t.$LABEL.$c")"
done
