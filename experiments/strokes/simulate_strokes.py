#!/usr/bin/python3
"""Simulated users for the strokes mode: for each BSDS500 photo of a
split, k strokes on k random regions of its first human segmentation (CamVid,
--dataset camvid: of its label map, a region being a connected part of one
class, void excluded), each in
the truth's median chroma over the stroke, written as <out>/k<K>/<id>.png
(BGRA: alpha 255 under a stroke), ready for `tint colorize --hints` and for the
`hints` key of an eval config.

    /usr/bin/python3 experiments/strokes/simulate_strokes.py --split test --k 1 5 20 \
        --out results/strokes-hints/test

A stroke: from a random pixel of the region shrunk by 3 px, a straight line
of up to 40 px in a random direction, 3 px wide, cut where it would leave the
shrunk region. Regions under 0.2% of the photo are never picked. The draw is
seeded by --seed, k and the photo's id, so the same arguments give the same
bytes. Only the truth of the split it is run on is read; nothing is tuned here.
"""
import argparse
import hashlib
import os
import sys

import cv2
import numpy as np

MIN_AREA = 0.002
LENGTH = 40
SHRINK = 3


def rng_for(seed, k, stem):
    digest = hashlib.sha256(f"{seed}:{k}:{stem}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def strokes_for(image, segmentation, k, rng):
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab)
    h, w = segmentation.shape
    ids, counts = np.unique(segmentation, return_counts=True)
    ids = [int(i) for i, c in zip(ids, counts) if c >= MIN_AREA * h * w and i >= 0]
    chosen = rng.choice(len(ids), size=min(k, len(ids)), replace=False)
    out = np.zeros((h, w, 4), np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * SHRINK + 1, 2 * SHRINK + 1))
    for c in sorted(int(i) for i in chosen):
        region = (segmentation == ids[c]).astype(np.uint8)
        inner = cv2.erode(region, kernel)
        if inner.sum() == 0:
            inner = region
        ys, xs = np.nonzero(inner)
        start = int(rng.integers(len(ys)))
        y0, x0 = float(ys[start]), float(xs[start])
        angle = float(rng.uniform(0, 2 * np.pi))
        line = np.zeros((h, w), np.uint8)
        x1, y1 = x0, y0
        for step in range(1, LENGTH + 1):
            x = int(round(x0 + step * np.cos(angle)))
            y = int(round(y0 + step * np.sin(angle)))
            if not (0 <= x < w and 0 <= y < h) or inner[y, x] == 0:
                break
            x1, y1 = x, y
        cv2.line(line, (int(x0), int(y0)), (int(x1), int(y1)), 1, 3)
        mask = (line > 0) & (region > 0)
        a = float(np.median(lab[..., 1][mask]))
        b = float(np.median(lab[..., 2][mask]))
        stroke = lab[mask].copy()
        stroke[:, 1] = a
        stroke[:, 2] = b
        bgr = cv2.cvtColor(stroke.reshape(-1, 1, 3), cv2.COLOR_Lab2BGR).reshape(-1, 3)
        out[mask, :3] = np.clip(np.round(bgr * 255), 0, 255).astype(np.uint8)
        out[mask, 3] = 255
    return out


CAMVID_VOID = 11


def camvid_regions(labels):
    """A CamVid label map as regions: each connected part of one class gets
    its own id; void pixels get -1, which strokes_for never picks."""
    if labels is None:
        return None
    regions = np.full(labels.shape, -1, np.int32)
    next_id = 0
    for label in np.unique(labels):
        if int(label) == CAMVID_VOID:
            continue
        count, parts = cv2.connectedComponents((labels == label).astype(np.uint8), connectivity=4)
        for part in range(1, count):
            regions[parts == part] = next_id
            next_id += 1
    return regions


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="bsds500", choices=["bsds500", "camvid"])
    parser.add_argument("--split", required=True, choices=["train", "val", "test"])
    parser.add_argument("--k", type=int, nargs="+", required=True, help="strokes per photo")
    parser.add_argument("--out", required=True, help="folder; k<K>/<id>.png are written in it")
    parser.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT", "../shared/data"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="first N photos by name (0: all)")
    args = parser.parse_args()
    if args.dataset == "bsds500":
        images = os.path.join(args.data_root, "bsds500", "images", args.split)
        segs = os.path.join(args.data_root, "bsds500", "segmentations", args.split)
        suffix = ".jpg"
    else:
        images = os.path.join(args.data_root, "camvid", args.split)
        segs = os.path.join(args.data_root, "camvid", args.split + "annot")
        suffix = ".png"
    if not os.path.isdir(images) or not os.path.isdir(segs):
        sys.exit(f"simulate_strokes: error: {images} or {segs} does not exist")
    photos = sorted(f for f in os.listdir(images) if f.endswith(suffix))
    if args.limit > 0:
        photos = photos[: args.limit]
    for k in args.k:
        if k < 1:
            sys.exit("simulate_strokes: error: --k must be at least 1")
        folder = os.path.join(args.out, f"k{k}")
        os.makedirs(folder, exist_ok=True)
        for name in photos:
            stem = os.path.splitext(name)[0]
            image = cv2.imread(os.path.join(images, name), cv2.IMREAD_COLOR)
            if args.dataset == "bsds500":
                seg = cv2.imread(os.path.join(segs, f"{stem}_0.png"), cv2.IMREAD_UNCHANGED)
            else:
                seg = camvid_regions(cv2.imread(os.path.join(segs, name), cv2.IMREAD_UNCHANGED))
            if image is None or seg is None:
                sys.exit(f"simulate_strokes: error: cannot read {name} or its segmentation")
            strokes = strokes_for(image, seg, k, rng_for(args.seed, k, stem))
            target = os.path.join(folder, stem + ".png")
            cv2.imwrite(target + ".tmp.png", strokes)
            os.replace(target + ".tmp.png", target)
        print(f"{len(photos)} photos, {k} strokes each: {folder}")


if __name__ == "__main__":
    main()
