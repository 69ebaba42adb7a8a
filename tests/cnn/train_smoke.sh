#!/usr/bin/env bash
# CTest cnn/train_smoke: experiments/cnn/train.py --smoke on tests/data, then
# `tint colorize --mode cnn` and experiments/cnn/decode_trials.py with the model it wrote.
set -euo pipefail
src=$1
build=$2
if ! /usr/bin/python3 -c "import torch, cv2, numpy" 2>/dev/null; then
  echo "SKIP: python3-torch, python3-opencv or python3-numpy is not installed (scripts/install_deps.sh --python)"
  exit 77
fi
out="$build/test_scratch/train_smoke"
rm -rf "$out"
mkdir -p "$build/test_scratch"
/usr/bin/python3 "$src/experiments/cnn/train.py" --smoke --images "$src/tests/data" --out "$out/model" \
  2>&1 | grep -v -i warning
test -s "$out/model/tint_hc.onnx"
test -s "$out/model/card.toml"
"$build/bin/tint" colorize "$src/tests/data/bridge_small.jpg" -o "$out/colour.png" --mode cnn \
  --model "$out/model/card.toml"
test -s "$out/colour.png"
# The optimizer knob: the default is Adam (the shipped cards), --adamw WD
# switches to AdamW and says so in the log; a negative decay is refused.
if grep -q "AdamW" "$out/model/training_log.txt"; then
  echo "train_smoke: AdamW without --adamw"; exit 1
fi
/usr/bin/python3 "$src/experiments/cnn/train.py" --smoke --images "$src/tests/data" --out "$out/adamw" \
  --adamw 0.05 2>&1 | grep -v -i warning
grep -q "^# AdamW, weight decay 0.05$" "$out/adamw/training_log.txt"
if /usr/bin/python3 "$src/experiments/cnn/train.py" --smoke --images "$src/tests/data" --out "$out/bad" \
  --adamw -1 2>"$out/bad.err"; then
  echo "train_smoke: --adamw -1 was accepted"; exit 1
fi
grep -q "adamw must be" "$out/bad.err"
test ! -e "$out/bad"
# The trial knobs: crops at the inference scale, the global-context branch
# (GlobalAveragePool + a broadcast Add) and the AuC loss export to a model
# tint runs; a negative AuC weight is refused.
/usr/bin/python3 "$src/experiments/cnn/train.py" --smoke --images "$src/tests/data" --out "$out/context" \
  --fit-scale --global-context --auc-loss 10 2>&1 | grep -v -i warning
grep -q "global context added to the head" "$out/context/card.toml"
grep -q "^# AuC loss, weight 10.0, on the annealed mean at T = 0.38$" "$out/context/training_log.txt"
if grep -q "AuC loss" "$out/model/training_log.txt"; then
  echo "train_smoke: AuC loss without --auc-loss"; exit 1
fi
if /usr/bin/python3 "$src/experiments/cnn/train.py" --smoke --images "$src/tests/data" --out "$out/bad" \
  --auc-loss -1 2>"$out/bad.err"; then
  echo "train_smoke: --auc-loss -1 was accepted"; exit 1
fi
grep -q "auc-loss must be" "$out/bad.err"
test ! -e "$out/bad"
"$build/bin/tint" colorize "$src/tests/data/street_small.png" -o "$out/context.png" --mode cnn \
  --model "$out/context/card.toml"
test -s "$out/context.png"
# The decoding trials score a card three ways; a card that is not one is refused.
/usr/bin/python3 "$src/experiments/cnn/decode_trials.py" --model "$out/model/card.toml" \
  --images "$src/tests/data" >"$out/decode.txt"
for decoding in mean flip median; do
  grep -q "^| .* (2) | $decoding | [0-9.]* | [0-9.]* |$" "$out/decode.txt"
done
if /usr/bin/python3 "$src/experiments/cnn/decode_trials.py" --model "$src/README.md" \
  --images "$src/tests/data" 2>"$out/decode.err"; then
  echo "train_smoke: decode_trials.py took README.md for a card"; exit 1
fi
grep -q "cannot load the model card" "$out/decode.err"
echo "train_smoke: ok"
