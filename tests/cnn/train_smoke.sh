#!/usr/bin/env bash
# CTest cnn/train_smoke: experiments/cnn/train.py --smoke on tests/data, then
# `tint colorize --mode cnn` with the model it wrote.
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
echo "train_smoke: ok"
