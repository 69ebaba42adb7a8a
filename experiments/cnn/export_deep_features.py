"""Export classic's deep neighbourhood vectors: models/tint-deep/features.onnx.

The network takes L (N,1,H,W; 0..100, H and W multiples of 32) and gives
(N,32,H/4,W/4): the MobileNetV2 hypercolumn (block_2_add, block_5_add,
block_12_add: 152 channels at 1/4, 1/8 and 1/16, brought to 1/4 bilinearly),
standardized per channel and projected on its first 32 principal components,
all folded into the network's last 1x1 convolution. tint reads it bilinearly
at each pixel and unit-normalizes it (src/features/deep.h). The backbone is
nsfwjs's (imported and checked by import_backbone.py); the mean, deviation
and components are fitted here on hypercolumns of training photos only
(BSDS500 train and CamVid train, every --every-th photo, --per-photo random
pixels each). 32 dimensions were chosen on CamVid val (deep_probe.py,
docs/decisions.md). The export is checked against OpenCV dnn, and a small
input/output pair is written for tint's C++ test.

  /usr/bin/python3 experiments/cnn/export_deep_features.py --data-root ../shared/data
"""

import argparse
import glob
import json
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_backbone  # noqa: E402
from deep_probe import STRIDES, TAPS, hypercolumns, lightness  # noqa: E402
from keras_graph import KerasGraph  # noqa: E402
from pretrained import INPUT_RANGES, Trunk  # noqa: E402

DIMS = 32
MAX_SIDE = 640  # tint's src/features/deep.cc resizes larger photos to this


class DeepFeatures(nn.Module):
    """L (0..100) -> the first DIMS principal components of the standardized hypercolumn."""

    def __init__(self, trunk, mean, std, components):
        super().__init__()
        self.graph = trunk.graph
        offset, scale = INPUT_RANGES["pm1"]
        self.offset, self.scale = float(offset), float(scale)
        w = (components / std[:, None]).T  # (DIMS, 152)
        b = -(mean / std) @ components
        self.project = nn.Conv2d(w.shape[1], w.shape[0], 1)
        with torch.no_grad():
            self.project.weight.copy_(torch.from_numpy(w.astype(np.float32))[:, :, None, None])
            self.project.bias.copy_(torch.from_numpy(b.astype(np.float32)))
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, l):
        taps = self.graph((l + self.offset) * self.scale, outputs=TAPS)
        maps = [t if s == 4 else F.interpolate(t, scale_factor=float(s // 4), mode="bilinear",
                                                align_corners=False)
                for t, s in zip(taps, STRIDES)]
        return self.project(torch.cat(maps, dim=1))


def training_photos(root, every):
    camvid = sorted(glob.glob(os.path.join(root, "camvid", "train", "*.png")))[::every]
    bsds = sorted(glob.glob(os.path.join(root, "bsds500", "images", "train", "*.jpg")))[::every]
    return camvid + bsds


def fit(trunk, photos, per_photo, rng):
    rows = []
    for f in photos:
        l = lightness(cv2.imread(f))
        h, w = l.shape
        if max(h, w) > MAX_SIDE:
            s = MAX_SIDE / max(h, w)
            l = cv2.resize(l, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
            h, w = l.shape
        ys, xs = rng.integers(0, h, per_photo), rng.integers(0, w, per_photo)
        rows.append(hypercolumns(trunk, l, ys, xs))
    x = np.concatenate(rows).astype(np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    eigval, eigvec = np.linalg.eigh(np.cov((x - mean) / std, rowvar=False))
    order = np.argsort(eigval)[::-1]
    # Signs fixed (largest loading positive) so the export does not depend on LAPACK's choice.
    comps = eigvec[:, order[:DIMS]]
    comps *= np.sign(comps[np.abs(comps).argmax(axis=0), np.arange(DIMS)])
    return mean, std, comps, float(eigval[order[:DIMS]].sum() / eigval.sum()), len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-root", required=True)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "models",
                                                  "tint-deep"))
    ap.add_argument("--every", type=int, default=2)
    ap.add_argument("--per-photo", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2016)
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    start = time.time()
    trunk = Trunk(KerasGraph.load(import_backbone.import_dir("mobilenet_v2"))).eval()
    photos = training_photos(args.data_root, args.every)
    if any("test" in p.split(os.sep)[-2] for p in photos):
        sys.exit("export_deep_features.py: a test-split photo in the training list")
    mean, std, comps, kept, samples = fit(trunk, photos, args.per_photo,
                                          np.random.default_rng(args.seed))
    model = DeepFeatures(trunk, mean, std, comps).eval()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "features.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 224, 320), path, opset_version=11,
                      input_names=["l"], output_names=["features"])
    net = cv2.dnn.readNetFromONNX(path)
    rng = np.random.default_rng(7)
    worst = 0.0
    for shape in [(1, 1, 224, 320), (1, 1, 320, 224), (1, 1, 64, 96)]:
        x = rng.uniform(0, 100, size=shape).astype(np.float32)
        with torch.no_grad():
            ref = model(torch.from_numpy(x)).numpy()
        net.setInput(x)
        got = net.forward()
        worst = max(worst, float(np.abs(got - ref).max()))
    if worst > 1e-3:
        sys.exit(f"export_deep_features.py: OpenCV dnn differs from torch by {worst:.3g}")
    check = os.path.join(args.out, "check")
    os.makedirs(check, exist_ok=True)
    x = rng.uniform(0, 100, size=(1, 1, 32, 64)).astype(np.float32)
    with torch.no_grad():
        np.save(os.path.join(check, "input.npy"), x)
        np.save(os.path.join(check, "features.npy"), model(torch.from_numpy(x)).numpy())
    version, integrity = import_backbone.locked_integrity()
    about = {
        "format": "tint-deep-features", "version": 1, "dims": DIMS, "max_side": MAX_SIDE,
        "multiple": 32, "output_stride": 4, "taps": TAPS,
        "backbone": f"mobilenet_v2 from nsfwjs@{version} (MIT licence), tarball {integrity}",
        "fitted_on": f"{samples} hypercolumns at random pixels of {len(photos)} training photos "
                     f"(CamVid train and BSDS500 train, every {args.every}th; no val or test photo)",
        "variance_kept": round(kept, 4),
        "opencv_check_max_abs_diff": worst,
        "command": "/usr/bin/python3 experiments/cnn/export_deep_features.py " + " ".join(sys.argv[1:]),
    }
    with open(os.path.join(args.out, "about.json"), "w") as f:
        json.dump(about, f, indent=1)
        f.write("\n")
    print(f"export_deep_features.py: wrote {path} ({os.path.getsize(path)} bytes), {samples} samples, "
          f"variance kept {100 * kept:.0f}%, OpenCV check {worst:.3g}, {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
