#!/usr/bin/env bash
# CTest cnn/backbone_test: the pretrained backbone's import
# (experiments/cnn/import_backbone.py). The torch copy of nsfwjs's MobileNetV2
# must give the class probabilities of the package's own TensorFlow.js model
# within 1e-4 on 10 BSDS500 train photos; then train_pretrained.py --smoke on
# tests/data must export an ONNX file OpenCV dnn runs as torch does, and
# `tint colorize --mode cnn` must run its card. Skips (77) when node, the npm
# install (scripts/test.sh runs npm ci in experiments/cnn/backbone), the
# Python packages or ../shared/data are absent.
set -euo pipefail
src=$1
build=$2
data=${TINT_DATA_ROOT:-$src/../shared/data}
if ! command -v node >/dev/null; then echo "SKIP: node is not installed"; exit 77; fi
if [ ! -d "$src/experiments/cnn/backbone/node_modules/nsfwjs" ]; then
  echo "SKIP: no experiments/cnn/backbone/node_modules (npm ci --prefix experiments/cnn/backbone)"
  exit 77
fi
if ! /usr/bin/python3 -c "import torch, cv2, numpy" 2>/dev/null; then
  echo "SKIP: python3-torch, python3-opencv or python3-numpy is not installed"; exit 77
fi
if [ ! -d "$data/bsds500/images/train" ]; then echo "SKIP: no $data/bsds500"; exit 77; fi
/usr/bin/python3 "$src/experiments/cnn/import_backbone.py" --models mobilenet_v2 --check 10 \
  --data-root "$data"
out="$build/test_scratch/backbone"
rm -rf "$out"
mkdir -p "$out"
/usr/bin/python3 "$src/experiments/cnn/train_pretrained.py" --smoke --images "$src/tests/data" \
  --out "$out/model" 2>&1 | grep -v -i warning
grep -q "^# sampled head vs full head" "$out/model/training_log.txt"
grep -q "^check: OpenCV dnn vs torch" "$out/model/training_log.txt"
"$build/bin/tint" colorize "$src/tests/data/bridge_small.jpg" -o "$out/colour.png" --mode cnn \
  --model "$out/model/card.toml"
test -s "$out/colour.png"
# Another nsfwjs than the one recorded is refused before anything is installed.
sed 's/"integrity": "sha512-krC1/"integrity": "sha512-XXXX/' \
  "$src/experiments/cnn/backbone/package-lock.json" > "$out/lock.json"
if TINT_BACKBONE_LOCK="$out/lock.json" /usr/bin/python3 "$src/experiments/cnn/import_backbone.py" \
  --models mobilenet_v2 2>"$out/refused.err"; then
  echo "backbone_test: another tarball integrity was accepted"; exit 1
fi
grep -q "this script imports nsfwjs@4.4.0 with sha512-krC1" "$out/refused.err"
echo "backbone_test: passed"
