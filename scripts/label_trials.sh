#!/usr/bin/env bash
# Repeats the label trials of docs/patchdb.md ("Labels tried"): each
# patchdb/annotations/tried_imagenet_<label>.tsv is added to a copy of the
# shipped database, which is built and scored with classic mode on BSDS500
# val and CamVid val beside the shipped database itself. The shipped
# database is only read.
# usage: scripts/label_trials.sh [DATA_ROOT] [OUT_DIR]   (defaults ../shared/data, /tmp/label-trials)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-${TINT_DATA_ROOT:-../shared/data}}
out=${2:-/tmp/label-trials}
tint=./build/bin/tint
[ -x "$tint" ] || { echo "build tint first (scripts/demo.sh)" >&2; exit 1; }
[ -d "$data/imagenet-sample" ] || { echo "no imagenet-sample under $data" >&2; exit 1; }
mkdir -p "$out"
source scripts/patchdb_regions.sh
score() {  # DB NAME: classic on both validation splits; prints the classic rows
  "$tint" eval --db "$1" --methods classic --images "$data/bsds500/images/val" >"$out/$2-bsds500-val.log" 2>&1
  "$tint" eval --db "$1" --methods classic --camvid "$data/camvid" --split val >"$out/$2-camvid-val.log" 2>&1
  echo "$2  BSDS500 val: $(grep -E '^classic +[0-9]' "$out/$2-bsds500-val.log")"
  echo "$2  CamVid val:  $(grep -E '^classic +[0-9]' "$out/$2-camvid-val.log")"
  grep -m1 -E '^classic label accuracy' "$out/$2-camvid-val.log"
}
score patchdb shipped
for tsv in patchdb/annotations/tried_imagenet_*.tsv; do
  name=$(basename "$tsv" .tsv)
  name=${name#tried_imagenet_}
  db="$out/db-$name"
  rm -rf "$db"
  cp -r patchdb "$db"
  add_regions "$db" "$tsv" "$data/imagenet-sample/images" imagenet "" "$IMAGENET_LICENCE"
  "$tint" db build --db "$db" >"$out/$name-build.log" 2>&1
  score "$db" "$name"
done
