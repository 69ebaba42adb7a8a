"""Would deep neighbourhood vectors pay in classic? A probe before the C++ work.

Pixels of CamVid train with a database label (sky, building, earth,
vegetation, mapped as `tint db import --camvid` maps CamVid's classes) are the
examples; each sampled pixel of CamVid val takes the label of its k most
cosine-similar examples (a vote weighted by similarity^8, as classic's), per
pixel: no segments, no calibration, exact matching. Two kinds of vector at the
same pixels:

  shades  classic's default: the 7x7 window of L, zero-mean, / 100, with the
          window's mean and deviation appended (weight 1, times 7)
  deep    the MobileNetV2 hypercolumn of the whole photo (block_2_add,
          block_5_add, block_12_add: 152 channels at 1/4, 1/8 and 1/16,
          brought to 1/4 and read bilinearly at the pixel), standardized and
          reduced by a PCA fitted on the train examples only, to D dimensions

Vectors are unit-normalized before matching (cosine). Prints pixel and
mean-class accuracy for shades and for deep at each D. Needs the imported
backbone (experiments/cnn/import_backbone.py). Only train and val photos.

  /usr/bin/python3 experiments/cnn/deep_probe.py --data-root ../shared/data
"""

import argparse
import glob
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_backbone  # noqa: E402
from keras_graph import KerasGraph  # noqa: E402
from pretrained import INPUT_RANGES, Trunk  # noqa: E402

LABELS = ["sky", "building", "earth", "vegetation"]
CAMVID = {0: 0, 1: 1, 3: 2, 4: 2, 5: 3}  # CamVid class -> index in LABELS
TAPS = ["block_2_add", "block_5_add", "block_12_add"]
STRIDES = [4, 8, 16]


def lightness(bgr):
    lab = cv2.cvtColor(bgr.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab)
    return lab[:, :, 0]


def shade_vectors(l, ys, xs, window=7):
    h = window // 2
    padded = cv2.copyMakeBorder(l, h, h, h, h, cv2.BORDER_REFLECT_101)
    out = np.empty((len(ys), window * window + 2), np.float32)
    for i, (y, x) in enumerate(zip(ys, xs)):
        w = padded[y:y + window, x:x + window].reshape(-1)
        mean, std = w.mean(), w.std()
        out[i, :-2] = (w - mean) / 100.0
        out[i, -2:] = np.array([mean, std]) / 100.0 * window
    return out


def hypercolumns(trunk, l, ys, xs):
    """152-d hypercolumns at (ys, xs): taps brought to 1/4, read bilinearly."""
    offset, scale = INPUT_RANGES["pm1"]
    H, W = l.shape
    ph, pw = (-H) % 32, (-W) % 32
    x = cv2.copyMakeBorder((l + offset) * scale, 0, ph, 0, pw, cv2.BORDER_REFLECT_101)
    with torch.no_grad():
        taps = trunk.graph(torch.from_numpy(x)[None, None].float(), outputs=TAPS)
        maps = [t if s == 4 else F.interpolate(t, scale_factor=float(s // 4), mode="bilinear",
                                                align_corners=False)
                for t, s in zip(taps, STRIDES)]
        m = torch.cat(maps, dim=1)  # (1, 152, (H+ph)/4, (W+pw)/4)
        # Pixel centre (y + 0.5) / 4 - 0.5 in the 1/4 map (align_corners=False).
        gy = ((torch.tensor(ys, dtype=torch.float32) + 0.5) / 4 - 0.5) / (m.shape[2] - 1) * 2 - 1
        gx = ((torch.tensor(xs, dtype=torch.float32) + 0.5) / 4 - 0.5) / (m.shape[3] - 1) * 2 - 1
        grid = torch.stack([gx, gy], dim=1)[None, :, None, :]
        v = F.grid_sample(m, grid, mode="bilinear", align_corners=True)  # (1, 152, n, 1)
    return v[0, :, :, 0].T.numpy()


def sample(annot, n, rng):
    ys, xs = np.nonzero(np.isin(annot, list(CAMVID)))
    if len(ys) == 0:
        return ys, xs, ys
    pick = rng.choice(len(ys), size=min(n, len(ys)), replace=False)
    ys, xs = ys[pick], xs[pick]
    return ys, xs, np.array([CAMVID[int(annot[y, x])] for y, x in zip(ys, xs)])


def collect(trunk, root, split, every, per_photo, rng):
    shades, deep, labels = [], [], []
    files = sorted(glob.glob(os.path.join(root, split, "*.png")))[::every]
    for f in files:
        annot = cv2.imread(os.path.join(root, split + "annot", os.path.basename(f)), 0)
        l = lightness(cv2.imread(f))
        ys, xs, lab = sample(annot, per_photo, rng)
        if len(ys) == 0:
            continue
        shades.append(shade_vectors(l, ys, xs))
        deep.append(hypercolumns(trunk, l, ys, xs))
        labels.append(lab)
    return np.concatenate(shades), np.concatenate(deep), np.concatenate(labels), len(files)


def unit(v):
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def knn_labels(train, train_labels, query, k=8, power=8):
    sims = unit(query) @ unit(train).T
    top = np.argpartition(-sims, k, axis=1)[:, :k]
    votes = np.zeros((len(query), len(LABELS)))
    for j in range(k):
        s = sims[np.arange(len(query)), top[:, j]]
        np.add.at(votes, (np.arange(len(query)), train_labels[top[:, j]]),
                  np.maximum(s, 0) ** power)
    return votes.argmax(axis=1)


def accuracy(pred, truth):
    per = [float((pred[truth == c] == c).mean()) for c in range(len(LABELS)) if (truth == c).any()]
    return float((pred == truth).mean()), float(np.mean(per)), per


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-root", required=True)
    ap.add_argument("--train-every", type=int, default=6, help="every n-th CamVid train photo")
    ap.add_argument("--val-every", type=int, default=5, help="every n-th CamVid val photo")
    ap.add_argument("--per-photo", type=int, default=400, help="labelled pixels per photo")
    ap.add_argument("--dims", default="16,32,64")
    ap.add_argument("--seed", type=int, default=2016)
    args = ap.parse_args()
    torch.set_num_threads(2)
    rng = np.random.default_rng(args.seed)
    start = time.time()
    trunk = Trunk(KerasGraph.load(import_backbone.import_dir("mobilenet_v2"))).eval()
    root = os.path.join(args.data_root, "camvid")
    s_train, d_train, y_train, n_train = collect(trunk, root, "train", args.train_every,
                                                 args.per_photo, rng)
    s_val, d_val, y_val, n_val = collect(trunk, root, "val", args.val_every, args.per_photo, rng)
    print(f"# {len(y_train)} examples from {n_train} CamVid train photos, {len(y_val)} queries "
          f"from {n_val} CamVid val photos ({time.time() - start:.0f} s)")
    print("vectors       dims  pixel acc  mean-class acc  (" + ", ".join(LABELS) + ")")
    pixel, mean_class, per = accuracy(knn_labels(s_train, y_train, s_val), y_val)
    print(f"shades        {s_train.shape[1]:4d}  {100 * pixel:8.1f}%  {100 * mean_class:13.1f}%  "
          + " ".join(f"{100 * p:.1f}" for p in per))
    mean, std = d_train.mean(axis=0), d_train.std(axis=0) + 1e-6
    z_train, z_val = (d_train - mean) / std, (d_val - mean) / std
    eigval, eigvec = np.linalg.eigh(np.cov(z_train, rowvar=False))
    order = np.argsort(eigval)[::-1]
    for d in [int(x) for x in args.dims.split(",")]:
        p = eigvec[:, order[:d]]
        kept = eigval[order[:d]].sum() / eigval.sum()
        pixel, mean_class, per = accuracy(knn_labels(z_train @ p, y_train, z_val @ p), y_val)
        print(f"deep (PCA)    {d:4d}  {100 * pixel:8.1f}%  {100 * mean_class:13.1f}%  "
              + " ".join(f"{100 * q:.1f}" for q in per) + f"   variance kept {100 * kept:.0f}%")
    print(f"# {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
