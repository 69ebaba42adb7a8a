#!/usr/bin/env bash
# CTest cnn/backbone_test: the pretrained backbone's import
# (experiments/cnn/import_backbone.py). The torch copy of nsfwjs's MobileNetV2
# must give the class probabilities of the package's own TensorFlow.js model
# within 1e-4 on 10 BSDS500 train photos; then train_pretrained.py --smoke on
# tests/data must export an ONNX file OpenCV dnn runs as torch does, and
# `tint colorize --mode cnn` must run its card, and finetune.py's pack, train
# and card steps must give one too. Skips (77) when node, the npm
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
# finetune.py end to end on CPU: pack 2 photos per data set, 3 steps of the
# whole network, a card tint runs.
/usr/bin/python3 "$src/experiments/cnn/finetune.py" pack --data-root "$data" --limit 2 \
  --out "$out/pack"
/usr/bin/python3 "$src/experiments/cnn/finetune.py" train --pack "$out/pack" --out "$out/ft" \
  --name smoke --unfreeze-from block_13_expand --steps 3 --batch 2 --crop 64 --device cpu
grep -q "^val step 3: grey" "$out/ft/smoke_log.txt"
/usr/bin/python3 "$src/experiments/cnn/finetune.py" card --weights "$out/ft/smoke.npz" \
  --pack "$out/pack" --out "$out/ft-card" --trained-as "backbone_test" 2>&1 | grep -v -i warning
grep -q "^# the training run's log:" "$out/ft-card/training_log.txt"
"$build/bin/tint" colorize "$src/tests/data/bridge_small.jpg" -o "$out/ft.png" --mode cnn \
  --model "$out/ft-card/card.toml"
test -s "$out/ft.png"
# Another nsfwjs than the one recorded is refused before anything is installed.
sed 's/"integrity": "sha512-krC1/"integrity": "sha512-XXXX/' \
  "$src/experiments/cnn/backbone/package-lock.json" > "$out/lock.json"
if TINT_BACKBONE_LOCK="$out/lock.json" /usr/bin/python3 "$src/experiments/cnn/import_backbone.py" \
  --models mobilenet_v2 2>"$out/refused.err"; then
  echo "backbone_test: another tarball integrity was accepted"; exit 1
fi
grep -q "this script imports nsfwjs@4.4.0 with sha512-krC1" "$out/refused.err"
echo "backbone_test: passed"
