#!/usr/bin/python3
"""Import the pretrained backbone tint's CNN is built on, and check the copy.

    /usr/bin/python3 experiments/cnn/import_backbone.py [--check 10] [--models mobilenet_v2 inception_v3]

1. Installs experiments/cnn/backbone/package.json with `npm ci` (the lock
   pins nsfwjs 4.4.0 and @tensorflow/tfjs 4.22.0 by integrity hash) into
   experiments/cnn/backbone/node_modules/ (git-ignored). The nsfwjs tarball's
   integrity in the lock (or in $TINT_BACKBONE_LOCK, for the test) must be
   NSFWJS_INTEGRITY below: another is refused.
2. Dumps each model's Keras topology, weights manifest and weights
   (backbone.cjs dump) into experiments/cnn/backbone/import/MODEL/
   (git-ignored), which keras_graph.KerasGraph.load reads.
3. With --check N: runs N BSDS500 train photos through the package's own
   model in TensorFlow.js (pure JavaScript CPU backend) and through the torch
   copy; the class probabilities must agree within --tolerance (1e-4).

nsfwjs (MIT licence) ships MobileNetV2 (224x224) and InceptionV3 (299x299),
trained from ImageNet classifiers and fine-tuned on a 5-class task: their
convolutional layers are ImageNet features. Inputs are RGB in 0..1.
Exit status 0 when every check passes, 1 on an error or a failed check.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
BACKBONE = os.path.join(HERE, "backbone")
NSFWJS = "nsfwjs@4.4.0"
NSFWJS_INTEGRITY = ("sha512-krC1fgeTLXtZwgdpKJ0jm7hqv0gTSRQQRL+FhOaxaJ9Wj92t42BO3csO2odwgTAgZgf2RvkwPtp0R8A"
                    "a7dc+MA==")
INPUT_SIZE = {"mobilenet_v2": 224, "mobilenet_v2_mid": 224, "inception_v3": 299}

sys.path.insert(0, HERE)
from keras_graph import KerasGraph  # noqa: E402


def fail(message):
    print(f"import_backbone.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def locked_integrity():
    lock_path = os.environ.get("TINT_BACKBONE_LOCK", os.path.join(BACKBONE, "package-lock.json"))
    with open(lock_path) as f:
        lock = json.load(f)
    entry = lock.get("packages", {}).get("node_modules/nsfwjs", {})
    return entry.get("version"), entry.get("integrity")


def install():
    """npm ci into backbone/node_modules unless the pinned nsfwjs is there."""
    version, integrity = locked_integrity()
    if f"nsfwjs@{version}" != NSFWJS or integrity != NSFWJS_INTEGRITY:
        fail(f"package-lock.json pins nsfwjs@{version} with integrity {integrity}; "
             f"this script imports {NSFWJS} with {NSFWJS_INTEGRITY} only")
    installed = os.path.join(BACKBONE, "node_modules", "nsfwjs", "package.json")
    if os.path.isfile(installed):
        with open(installed) as f:
            if json.load(f).get("version") == NSFWJS.split("@")[1]:
                return
    if shutil.which("npm") is None:
        fail("npm is not installed (apt-get install npm, or Node.js with npm)")
    print(f"import_backbone.py: npm ci in {BACKBONE} ({NSFWJS}, @tensorflow/tfjs)", flush=True)
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--silent"],
                       cwd=BACKBONE)
    if r.returncode != 0:
        fail("npm ci failed (is the npm registry reachable?)")


def import_dir(model):
    return os.path.join(BACKBONE, "import", model)


def dump(model):
    """backbone.cjs dump, into a temporary folder renamed into place."""
    out = import_dir(model)
    if os.path.isfile(os.path.join(out, "weights.bin")):
        return out
    os.makedirs(os.path.dirname(out), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{model}-", dir=os.path.dirname(out))
    r = subprocess.run(["node", os.path.join(BACKBONE, "backbone.cjs"), "dump", model, staging])
    if r.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        fail(f"could not dump {model}")
    os.rename(staging, out)
    return out


def check_photos(data_root, n, size):
    """n BSDS500 train photos, resized to size x size, RGB in 0..1: (n, size, size, 3)."""
    folder = os.path.join(data_root, "bsds500", "images", "train")
    if not os.path.isdir(folder):
        fail(f"missing {folder} (pass --data-root)")
    names = sorted(f for f in os.listdir(folder) if f.endswith(".jpg"))[:n]
    batch = []
    for name in names:
        bgr = cv2.imread(os.path.join(folder, name), cv2.IMREAD_COLOR)
        rgb = cv2.cvtColor(cv2.resize(bgr, (size, size), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        batch.append(rgb.astype(np.float32) / 255.0)
    return names, np.stack(batch)


def check(model, data_root, n, tolerance):
    size = INPUT_SIZE[model]
    names, photos = check_photos(data_root, n, size)
    with tempfile.TemporaryDirectory() as tmp:
        inputs, out = os.path.join(tmp, "inputs.f32"), os.path.join(tmp, "probs.json")
        photos.astype("<f4").tofile(inputs)
        r = subprocess.run(["node", os.path.join(BACKBONE, "backbone.cjs"), "predict", model, inputs,
                            str(len(names)), str(size), out], stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            fail(f"TensorFlow.js could not run {model}: {r.stderr.strip().splitlines()[-1]}")
        with open(out) as f:
            tfjs = np.array(json.load(f), np.float64)
    net = KerasGraph.load(import_dir(model)).eval()
    with torch.no_grad():
        ours = net(torch.from_numpy(photos.transpose(0, 3, 1, 2).copy())).double().numpy()
    diff = np.abs(ours - tfjs)
    worst = float(diff.max())
    agree = int((ours.argmax(1) == tfjs.argmax(1)).sum())
    print(f"{model}: {len(names)} photos at {size}x{size}: max |p_torch - p_tfjs| = {worst:.3g} "
          f"(tolerance {tolerance:g}), top class agrees on {agree}/{len(names)}")
    return worst <= tolerance


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["mobilenet_v2", "inception_v3"],
                    choices=sorted(INPUT_SIZE))
    ap.add_argument("--check", type=int, default=0, metavar="N",
                    help="compare the torch copy with TensorFlow.js on N BSDS500 train photos")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT", os.path.join(HERE, "../../../shared/data")))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if args.check < 0:
        fail("--check must be >= 0")
    torch.set_num_threads(args.threads)
    if shutil.which("node") is None:
        fail("node is not installed")
    install()
    ok = True
    for model in args.models:
        folder = dump(model)
        print(f"{model}: {folder}", flush=True)
        if args.check > 0:
            ok = check(model, args.data_root, args.check, args.tolerance) and ok
    if not ok:
        fail("the torch copy differs from TensorFlow.js")


if __name__ == "__main__":
    main()
