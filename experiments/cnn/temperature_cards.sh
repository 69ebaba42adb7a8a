#!/usr/bin/env bash
# Write copies of a trained card at other annealed-mean temperatures, for
# choosing one on the validation splits (experiments/cnn_val.toml):
#   bash experiments/cnn/temperature_cards.sh MODEL_DIR TAG T1 [T2 ...]
# writes MODEL_DIR/card_t<T>.toml for each T and prints a [[method]] entry
# for each (name TAG-t<T>) to paste into a config.
set -euo pipefail
dir=$1
tag=$2
shift 2
for t in "$@"; do
  card="$dir/card_t$t.toml"
  sed -E "s/^temperature = .*/temperature = $t/" "$dir/card.toml" > "$card"
  printf '\n[[method]]\nname = "%s-t%s"\nmode = "cnn"\nmodel = "%s"\n' "$tag" "$t" "$(realpath "$card")"
done
