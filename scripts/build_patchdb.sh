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
source scripts/patchdb_regions.sh
add_regions "$new" patchdb/annotations/bsds500_train.tsv "$data/bsds500/images/train" bsds500 train/ \
  "$BSDS500_LICENCE"
add_regions "$new" patchdb/annotations/imagenet_train.tsv "$data/imagenet-sample/images" imagenet "" \
  "$IMAGENET_LICENCE"
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
