#!/usr/bin/python3
"""Figures and the table of the ablation ladder from a `tint eval
--config experiments/ladder.toml` run.

    /usr/bin/python3 experiments/ladder_figures.py results/ladder

Writes
  docs/images/ladder.png         AuC over gray and seconds per photo, per step;
  docs/images/ladder_thumbs.png  one row per step for two photos (grey first,
                                 truth last), made with `tint colorize` and the
                                 step's options;
  docs/images/seed_look.png      (with --seed-look) grey | classic:seed | classic |
                                 CNN | truth on
                                 three photos;
and prints the Markdown table for experiments/README.md.

The photos are chosen by a rule, not by eye: for the thumbnails, the BSDS500
test and CamVid test photos with the median AuC of the step that is
classic with every default;
for the seed's look, the BSDS500 test photos at the 75th and 25th
percentiles and the CamVid test photo at the median.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import tomllib

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def flags(options):
    """A config's options table as tint colorize flags."""
    out = []
    for key, value in options.items():
        name = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            out.append(name if value else "--no-" + key.replace("_", "-"))
        else:
            out += [name, str(value)]
    return out


def colorize(tint, photo, method, options, out_png, extra=()):
    cmd = [tint, "colorize", photo, "-o", out_png, "--method", method, "-j", "1"] + flags(options)
    cmd += list(extra)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"ladder_figures.py: error: {' '.join(cmd)}: {r.stderr.strip()}")
    img = cv2.imread(out_png)
    if img is None:
        sys.exit(f"ladder_figures.py: error: cannot read {out_png}")
    return img


def grey_of(img):
    return cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def fit(img, height):
    return cv2.resize(img, (round(img.shape[1] * height / img.shape[0]), height),
                      interpolation=cv2.INTER_AREA)


def fit_box(img, width, height):
    """img scaled to fit width x height, centred on white."""
    scale = min(width / img.shape[1], height / img.shape[0])
    small = cv2.resize(img, (round(img.shape[1] * scale), round(img.shape[0] * scale)),
                       interpolation=cv2.INTER_AREA)
    box = np.full((height, width, 3), 255, np.uint8)
    y, x = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    box[y:y + small.shape[0], x:x + small.shape[1]] = small
    return box


def label_strip(text, width, height=22):
    strip = np.full((height, width, 3), 255, np.uint8)
    cv2.putText(strip, text, (4, height - 7), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1,
                cv2.LINE_AA)
    return strip


def photo_path(data, dataset, photo):
    if dataset.startswith("bsds500"):
        return os.path.join(data, "bsds500", "images", "test", photo)
    return os.path.join(data, "camvid", "test", photo)


def by_percentile(rows, dataset, method, q):
    """The photo of `dataset` whose AuC under `method` is at quantile q."""
    scored = sorted((float(r["auc"]), r["photo"]) for r in rows
                    if r["dataset"] == dataset and r["method"] == method)
    return scored[min(len(scored) - 1, int(round(q * (len(scored) - 1))))][1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run", help="the ladder's results folder (results/ladder)")
    ap.add_argument("--config", default=os.path.join(ROOT, "experiments", "ladder.toml"))
    ap.add_argument("--tint", default=os.path.join(ROOT, "build", "bin", "tint"))
    ap.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT",
                                                          os.path.join(ROOT, "..", "shared", "data")))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "images"))
    ap.add_argument("--no-pictures", action="store_true", help="only the table and the plot")
    ap.add_argument("--seed-look", action="store_true",
                    help="also redraw seed_look.png (docs/concepts.md describes the photos of the "
                         "committed one, chosen at b749ffd when classic was step 11)")
    args = ap.parse_args()

    with open(args.config, "rb") as f:
        config = tomllib.load(f)
    steps = [(m["name"], m["mode"], m.get("options", {})) for m in config["method"]]
    summary = json.load(open(os.path.join(args.run, "summary.json")))
    rows = list(csv.DictReader(open(os.path.join(args.run, "per_photo.csv"))))
    means, labels = {}, {}
    for ds in summary["datasets"]:
        for m in ds["methods"]:
            means[(ds["name"], m["name"])] = m["mean"]
            if "label_accuracy" in m:
                labels[m["name"]] = m["label_accuracy"]
    datasets = [ds["name"] for ds in summary["datasets"]]

    # The table.
    # CamVid label accuracy (pixel / mean class) for the steps that label.
    head = "| step | " + " | ".join(
        f"{d} AuC | rebalanced | colourful | s/photo" for d in datasets) + " | label accuracy |"
    print(head)
    print("|" + "---|" * (2 + 4 * len(datasets)))
    for name in ["grayscale"] + [s[0] for s in steps]:
        cells = []
        for d in datasets:
            m = means[(d, name)]
            cells += [f"{m['auc']:.2f}", f"{m['auc_rebalanced']:.2f}", f"{m['colorfulness']:.1f}",
                      f"{m['seconds']:.3f}"]
        acc = labels.get(name)
        cells.append(f"{100 * acc['pixel']:.1f}% / {100 * acc['mean_class']:.1f}%" if acc else "")
        print(f"| {name} | " + " | ".join(cells) + " |")

    # The plot: AuC and rebalanced AuC over gray, and seconds per photo.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = [s[0] for s in steps]
    x = np.arange(len(names))
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True,
                                 gridspec_kw={"height_ratios": [2, 1]})
    for d, colour in zip(datasets, ["tab:blue", "tab:orange"]):
        g = means[(d, "grayscale")]
        ax.plot(x, [means[(d, n)]["auc"] - g["auc"] for n in names], "-o", color=colour,
                label=f"{d} AuC")
        ax.plot(x, [means[(d, n)]["auc_rebalanced"] - g["auc_rebalanced"] for n in names], "--s",
                color=colour, label=f"{d} rebalanced AuC")
        bx.plot(x, [means[(d, n)]["seconds"] for n in names], "-o", color=colour, label=d)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("minus gray (AuC points)")
    ax.set_title("The ladder: classic:seed (FLANN) to classic and beyond, one idea per step")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    bx.set_ylabel("seconds per photo")
    bx.set_xticks(x)
    bx.set_xticklabels(names, rotation=30, ha="right")
    bx.grid(alpha=0.3)
    fig.tight_layout()
    os.makedirs(args.out, exist_ok=True)
    fig.savefig(os.path.join(args.out, "ladder.png"), dpi=110)
    print(f"wrote {os.path.join(args.out, 'ladder.png')}", file=sys.stderr)
    if args.no_pictures:
        return

    # Photos are chosen by the step that is classic with every default.
    last = next((n for n, mode, opts in steps if mode == "classic" and not opts), names[-1])
    tmp = tempfile.mkdtemp(prefix="ladder_figures.")
    # Thumbnails: one row per step, two photos.
    photos = [(d, by_percentile(rows, d, last, 0.5)) for d in datasets]
    height = 120
    truth = [cv2.imread(photo_path(args.data_root, d, p)) for d, p in photos]
    grid = []
    for title, cells in [("grey", [grey_of(t) for t in truth])] + [
            (n, [colorize(args.tint, photo_path(args.data_root, d, p), mode, opts,
                          os.path.join(tmp, f"{n}_{i}.png"))
                 for i, (d, p) in enumerate(photos)]) for n, mode, opts in steps] + [
            ("truth", truth)]:
        row = np.hstack([fit(c, height) for c in cells])
        grid.append(np.vstack([label_strip(title, row.shape[1]), row]))
    width = max(r.shape[1] for r in grid)
    grid = [np.hstack([r, np.full((r.shape[0], width - r.shape[1], 3), 255, np.uint8)])
            for r in grid]
    # Two columns of rows keep the sheet readable.
    half = (len(grid) + 1) // 2
    left, right = np.vstack(grid[:half]), grid[half:]
    right = np.vstack(right + [np.full((left.shape[0] - sum(r.shape[0] for r in right), width, 3),
                                       255, np.uint8)])
    sheet = np.hstack([left, np.full((left.shape[0], 8, 3), 255, np.uint8), right])
    cv2.imwrite(os.path.join(args.out, "ladder_thumbs.png"), sheet)
    print(f"wrote {os.path.join(args.out, 'ladder_thumbs.png')} ({photos})", file=sys.stderr)

    if not args.seed_look:
        return
    # The seed's look: three photos, exact seed, classic, the CNN, truth.
    bsds, camvid = datasets[0], datasets[-1]
    picks = [(bsds, by_percentile(rows, bsds, last, 0.75)),
             (bsds, by_percentile(rows, bsds, last, 0.25)),
             (camvid, by_percentile(rows, camvid, last, 0.5))]
    lines = []
    for i, (d, p) in enumerate(picks):
        src = photo_path(args.data_root, d, p)
        t = cv2.imread(src)
        cells = [grey_of(t),
                 colorize(args.tint, src, "classic:seed", {}, os.path.join(tmp, f"seed_{i}.png")),
                 colorize(args.tint, src, "classic", {}, os.path.join(tmp, f"classic_{i}.png")),
                 colorize(args.tint, src, "cnn", {}, os.path.join(tmp, f"cnn_{i}.png")), t]
        lines.append(np.hstack([fit_box(c, 250, 180) for c in cells]))
    titles = ["grey", "classic:seed (exact)", "classic", "cnn (tint-hc)", "truth"]
    lines.insert(0, np.hstack([label_strip(n, 250) for n in titles]))
    cv2.imwrite(os.path.join(args.out, "seed_look.png"), np.vstack(lines))
    print(f"wrote {os.path.join(args.out, 'seed_look.png')} ({picks})", file=sys.stderr)


if __name__ == "__main__":
    main()
