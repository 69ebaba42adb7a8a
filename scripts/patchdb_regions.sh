#!/usr/bin/env bash
# Sourced by scripts/build_patchdb.sh and scripts/label_trials.sh: adds the
# hand-annotated regions of an annotation TSV to a patch database.
#
# add_regions DB TSV IMAGE_DIR DATASET ID_PREFIX LICENCE
#   every region of TSV (lines "image name <TAB> label <TAB> x,y,w,h"; lines
#   starting with # are comments) is added to DB from IMAGE_DIR/<name>.jpg as
#   a train-split patch of DATASET with image id ID_PREFIX<name>.jpg and
#   LICENCE. Uses $tint (default ./build/bin/tint).

BSDS500_LICENCE="BSDS500 (Arbelaez et al. 2011): non-commercial research and education"
IMAGENET_LICENCE="ImageNet sample (Deng et al. 2009): non-commercial research and education"

add_regions() {
  local db=$1 tsv=$2 dir=$3 dataset=$4 prefix=$5 licence=$6
  local id label rect
  grep -v '^#' "$tsv" | while IFS=$'\t' read -r id label rect; do
    [ -n "$id" ] || continue
    "${tint:-./build/bin/tint}" db add --db "$db" --label "$label" --image "$dir/$id.jpg" \
      --rect "$rect" --dataset "$dataset" --split train --image-id "$prefix$id.jpg" \
      --licence "$licence" >/dev/null
  done
}
