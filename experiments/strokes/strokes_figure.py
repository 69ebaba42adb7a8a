#!/usr/bin/python3
"""Figures and the table of the strokes benchmark from a `tint eval
--config experiments/strokes.toml` run.

    /usr/bin/python3 experiments/strokes/strokes_figure.py results/strokes

Writes
  docs/images/strokes_auc.png      AuC and rebalanced AuC against the number of
                                   strokes k (k = 0: no strokes, the automatic
                                   method; for levin, the grey input);
  docs/images/strokes_example.png  grey + strokes | levin | classic + strokes |
                                   CNN + strokes | truth, at k = 5, on the photo
                                   with the median AuC of levin-k5 (by rule, not
                                   by eye), made with `tint colorize --hints`;
and prints the Markdown table for experiments/README.md.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import cv2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KS = (1, 5, 20)
FAMILIES = (("levin", "grayscale", "Levin et al. (strokes only)"),
            ("classic", "classic", "classic + strokes"),
            ("cnn", "cnn", "CNN (tint-hc) + strokes"))


def write_png(path, image):
    tmp = path + ".tmp.png"
    cv2.imwrite(tmp, image)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="the eval --out folder of experiments/strokes.toml")
    parser.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT",
                                                              os.path.join(ROOT, "..", "shared", "data")))
    parser.add_argument("--tint", default=os.path.join(ROOT, "build", "bin", "tint"))
    parser.add_argument("--images", default=os.path.join(ROOT, "docs", "images"))
    args = parser.parse_args()
    try:
        summary = json.load(open(os.path.join(args.run, "summary.json")))
        rows = list(csv.DictReader(open(os.path.join(args.run, "per_photo.csv"))))
    except OSError as e:
        sys.exit(f"strokes_figure.py: error: {e}")
    dataset = summary["datasets"][0]
    mean = {m["name"]: m["mean"] for m in dataset["methods"]}
    for family, base, _ in FAMILIES:
        for k in KS:
            if f"{family}-k{k}" not in mean:
                sys.exit(f"strokes_figure.py: error: {args.run} has no method {family}-k{k}")

    # The table.
    print("| method | k = 0 | k = 1 | k = 5 | k = 20 |")
    print("|---|---|---|---|---|")
    for family, base, label in FAMILIES:
        cells = [f"{mean[base]['auc']:.2f} / {mean[base]['auc_rebalanced']:.2f}"]
        cells += [f"{mean[f'{family}-k{k}']['auc']:.2f} / {mean[f'{family}-k{k}']['auc_rebalanced']:.2f}"
                  for k in KS]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("\nseconds per photo (k = 5): " + ", ".join(
        f"{family} {mean[f'{family}-k5']['seconds']:.3f}" for family, _, _ in FAMILIES))

    # The curve.
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    xs = (0,) + KS
    for family, base, label in FAMILIES:
        for ax, key in zip(axes, ("auc", "auc_rebalanced")):
            ys = [mean[base][key]] + [mean[f"{family}-k{k}"][key] for k in KS]
            ax.plot(range(len(xs)), ys, marker="o", label=label)
    for ax, title in zip(axes, ("AuC", "rebalanced AuC")):
        ax.axhline(mean["grayscale"][title == "AuC" and "auc" or "auc_rebalanced"], color="grey",
                   linestyle=":", label="grayscale")
        ax.set_xticks(range(len(xs)), [str(k) for k in xs])
        ax.set_xlabel("simulated strokes per photo (k)")
        ax.set_title(f"{title}, BSDS500 test (n = {dataset['done']})")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(args.images, exist_ok=True)
    curve = os.path.join(args.images, "strokes_auc.png")
    fig.savefig(curve + ".tmp.png", dpi=110)
    os.replace(curve + ".tmp.png", curve)

    # The example: the median photo of levin-k5.
    scored = sorted((float(r["auc"]), r["photo"]) for r in rows if r["method"] == "levin-k5")
    photo = scored[len(scored) // 2][1]
    path = os.path.join(args.data_root, "bsds500", "images", "test", photo)
    hints = os.path.join(ROOT, "results", "strokes-hints", "test", "k5",
                         os.path.splitext(photo)[0] + ".png")
    truth = cv2.imread(path)
    strokes = cv2.imread(hints, cv2.IMREAD_UNCHANGED)
    if truth is None or strokes is None:
        sys.exit(f"strokes_figure.py: error: cannot read {path} or {hints}")
    grey = cv2.cvtColor(cv2.cvtColor(truth, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    under = strokes[..., 3:] > 0
    # The strokes drawn over the grey photo, 4 px wider so they can be seen at this size.
    wide = cv2.dilate(under.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    colour = cv2.dilate(strokes[..., :3], np.ones((5, 5), np.uint8))
    guide = np.where(wide[..., None], colour, grey)
    tiles = [guide]
    with tempfile.TemporaryDirectory() as tmp:
        for method in ("levin", "classic", "cnn"):
            out = os.path.join(tmp, method + ".png")
            cmd = [args.tint, "colorize", path, "--method", method, "--hints", hints, "-o", out]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"strokes_figure.py: error: {' '.join(cmd)}: {r.stderr.strip()}")
            tiles.append(cv2.imread(out))
    tiles.append(truth)
    names = ("grey + 5 strokes", "levin", "classic + strokes", "CNN + strokes", "truth")
    height = 200
    row = []
    for tile, name in zip(tiles, names):
        small = cv2.resize(tile, (round(tile.shape[1] * height / tile.shape[0]), height),
                           interpolation=cv2.INTER_AREA)
        strip = np.full((22, small.shape[1], 3), 255, np.uint8)
        cv2.putText(strip, name, (4, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
        row.append(np.vstack([strip, small]))
        row.append(np.full((height + 22, 4, 3), 255, np.uint8))
    write_png(os.path.join(args.images, "strokes_example.png"), np.hstack(row[:-1]))
    print(f"\nexample photo: {photo} (median AuC of levin-k5)")


if __name__ == "__main__":
    main()
