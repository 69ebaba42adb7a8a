#!/usr/bin/env bash
# Rebuilds the bundled patch database from scratch, reproducibly:
#   1. CamVid train crops chosen through CamVid's label maps (seeded);
#   2. the hand-annotated BSDS500 train regions listed in
#      patchdb/annotations/bsds500_train.tsv;
#   3. the hand-annotated ImageNet-sample regions (train use only) listed in
#      patchdb/annotations/imagenet_train.tsv.
# usage: scripts/build_patchdb.sh [DATA_ROOT]   (default ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-${TINT_DATA_ROOT:-../shared/data}}
tint=./build/bin/tint
[ -x "$tint" ] || { echo "build tint first (scripts/demo.sh)" >&2; exit 1; }
[ -d "$data/camvid" ] || { echo "no CamVid under $data" >&2; exit 1; }
[ -d "$data/imagenet-sample" ] || { echo "no imagenet-sample under $data" >&2; exit 1; }

# Build into a new folder, then swap it in, so a failure leaves the old database.
new=$(mktemp -d patchdb.new.XXXXXX)
trap 'rm -rf "$new"' EXIT
mkdir -p "$new/annotations"
cp patchdb/annotations/* "$new/annotations/"
"$tint" db import --db "$new" --camvid "$data/camvid" --split train
# add_regions TSV IMAGE_DIR DATASET ID_PREFIX LICENCE: every annotated region
# (image name, label, x,y,w,h per line) of TSV into the new database.
add_regions() {
  grep -v '^#' "$1" | while IFS=$'\t' read -r id label rect; do
    [ -n "$id" ] || continue
    "$tint" db add --db "$new" --label "$label" --image "$2/$id.jpg" --rect "$rect" \
      --dataset "$3" --split train --image-id "$4$id.jpg" --licence "$5" >/dev/null
  done
}
add_regions patchdb/annotations/bsds500_train.tsv "$data/bsds500/images/train" bsds500 train/ \
  "BSDS500 (Arbelaez et al. 2011): non-commercial research and education"
add_regions patchdb/annotations/imagenet_train.tsv "$data/imagenet-sample/images" imagenet "" \
  "ImageNet sample (Deng et al. 2009): non-commercial research and education"
# Curated out after looking at the contact sheets.
excluded=$({ grep -v '^#' patchdb/annotations/excluded.txt || true; } | cut -f1 | tr '\n' ' ')
if [ -n "${excluded// /}" ]; then "$tint" db remove --db "$new" $excluded; fi
"$tint" db verify --db "$new"
old=$(mktemp -d patchdb.old.XXXXXX)
rmdir "$old"
mv patchdb "$old" && mv "$new" patchdb && rm -rf "$old"
trap - EXIT
"$tint" db build --db patchdb
"$tint" db stats --db patchdb
