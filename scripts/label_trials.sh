#!/usr/bin/env bash
# Repeats the label trials of docs/patchdb.md ("Labels tried"): each
# patchdb/annotations/tried_<source>_<label>.tsv is added to a copy of the
# shipped database, which is built; then one configured run scores classic
# on every trial database beside the shipped one (each [[method]] names its
# own database, `db = ...`), on BSDS500 val and CamVid val. The shipped
# database is only read.
#
# usage: scripts/label_trials.sh [--features shades|deep] [DATA_ROOT] [OUT_DIR]
#   (defaults: shades, ../shared/data, /tmp/label-trials[-deep])
# The summary, report and per-label rows are in OUT_DIR/run (report.html,
# summary.json); the console table is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
features=shades
if [ "${1:-}" = "--features" ]; then
  features=$2
  shift 2
fi
case "$features" in
  shades) mode=classic; suffix="" ;;
  deep) mode=classic:deep; suffix="-deep" ;;
  *) echo "label_trials: --features must be shades or deep, got '$features'" >&2; exit 1 ;;
esac
data=$(realpath "${1:-${TINT_DATA_ROOT:-../shared/data}}")
out=${2:-/tmp/label-trials$suffix}
tint=./build/bin/tint
[ -x "$tint" ] || { echo "build tint first (scripts/demo.sh)" >&2; exit 1; }
[ -d "$data/imagenet-sample" ] || { echo "no imagenet-sample under $data" >&2; exit 1; }
mkdir -p "$out"
out=$(realpath "$out")
source scripts/patchdb_regions.sh

"$tint" db build --features "$features" >/dev/null  # the shipped database's cache
config="$out/trials.toml"
cat >"$config" <<EOF
name = "label-trials$suffix"
description = "classic ($features) on the shipped database and on each trial database"
[[dataset]]
name = "bsds500-val"
kind = "bsds500"
path = "$data/bsds500"
split = "val"
[[dataset]]
name = "camvid-val"
kind = "camvid"
path = "$data/camvid"
split = "val"
[[method]]
name = "shipped"
mode = "$mode"
EOF
for tsv in patchdb/annotations/tried_*.tsv; do
  name=$(basename "$tsv" .tsv)
  name=${name#tried_}  # <source>_<label>
  source_set=${name%%_*}
  db="$out/db-$name"
  rm -rf "$db"
  cp -r patchdb "$db"
  rm -f "$db"/index*.cache "$db/.lock"
  case "$source_set" in
    imagenet) add_regions "$db" "$tsv" "$data/imagenet-sample/images" imagenet "" "$IMAGENET_LICENCE" ;;
    bsds500) add_regions "$db" "$tsv" "$data/bsds500/images/train" bsds500 train/ "$BSDS500_LICENCE" ;;
    *) echo "label_trials: $tsv: unknown source '$source_set'" >&2; exit 1 ;;
  esac
  "$tint" db build --db "$db" --features "$features" >"$out/$name-build.log" 2>&1
  printf '[[method]]\nname = "%s"\nmode = "%s"\ndb = "%s"\n' "$name" "$mode" "$db" >>"$config"
done
"$tint" eval --config "$config" --out "$out/run" --jobs "$(nproc)"
