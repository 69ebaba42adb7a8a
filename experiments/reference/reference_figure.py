#!/usr/bin/python3
"""The table and picture of the reference benchmark from a `tint
eval --config experiments/reference.toml` run.

    /usr/bin/python3 experiments/reference/reference_figure.py results/reference-run

Prints the Markdown table (AuC / rebalanced AuC / PSNR per data set and
method) and writes docs/images/reference_example.png: grey | reference |
welsh | classic --reference | truth for the BSDS500 test photo and the
CamVid k = 5 frame with the median AuC of classic --reference (by rule, not by
eye), made with `tint colorize`.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("--pairs", default=os.path.join(ROOT, "results", "reference", "pairs.tsv"))
    parser.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT",
                                                              os.path.join(ROOT, "..", "shared", "data")))
    parser.add_argument("--tint", default=os.path.join(ROOT, "build", "bin", "tint"))
    parser.add_argument("--images", default=os.path.join(ROOT, "docs", "images"))
    args = parser.parse_args()
    try:
        summary = json.load(open(os.path.join(args.run, "summary.json")))
        rows = list(csv.DictReader(open(os.path.join(args.run, "per_photo.csv"))))
        pairs = {}
        for line in open(args.pairs):
            if line.startswith("#") or not line.strip():
                continue
            dataset, photo, ref = line.rstrip("\n").split("\t")
            pairs[(dataset, photo)] = ref.replace("$data", args.data_root, 1)
    except OSError as e:
        sys.exit(f"reference_figure.py: error: {e}")

    names = [m["name"] for m in summary["datasets"][0]["methods"]]
    print("| data set (n) | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for d in summary["datasets"]:
        cells = [f"{m['mean']['auc']:.2f} / {m['mean']['auc_rebalanced']:.2f} / {m['mean']['psnr']:.2f}"
                 for m in d["methods"]]
        print(f"| {d['name']} ({d['done']}) | " + " | ".join(cells) + " |")

    picks = []
    for dataset in ("bsds500-test", "camvid-k5"):
        scored = sorted((float(r["auc"]), r["photo"]) for r in rows
                        if r["dataset"] == dataset and r["method"] == "classic-reference")
        if not scored:
            sys.exit(f"reference_figure.py: error: no classic-reference rows for {dataset}")
        picks.append((dataset, scored[len(scored) // 2][1]))
    height = 180
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for dataset, photo in picks:
            if dataset.startswith("bsds500"):
                path = os.path.join(args.data_root, "bsds500", "images", "test", photo)
            else:
                path = os.path.join(args.data_root, "camvid", "test", photo)
            ref = pairs[(dataset, photo)]
            truth, reference = cv2.imread(path), cv2.imread(ref)
            grey = cv2.cvtColor(cv2.cvtColor(truth, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
            tiles = [grey, reference]
            for method in ("welsh", "classic"):
                out = os.path.join(tmp, method + ".png")
                cmd = [args.tint, "colorize", path, "--method", method, "--reference", ref, "-o", out]
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    sys.exit(f"reference_figure.py: error: {' '.join(cmd)}: {r.stderr.strip()}")
                tiles.append(cv2.imread(out))
            tiles.append(truth)
            labels = ("grey", "reference", "welsh", "classic --reference", "truth")
            row = []
            for tile, label in zip(tiles, labels):
                small = cv2.resize(tile, (round(tile.shape[1] * height / tile.shape[0]), height),
                                   interpolation=cv2.INTER_AREA)
                strip = np.full((22, small.shape[1], 3), 255, np.uint8)
                text = label if label != "grey" else f"grey ({dataset} {photo})"
                cv2.putText(strip, text, (4, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1,
                            cv2.LINE_AA)
                row += [np.vstack([strip, small]), np.full((height + 22, 4, 3), 255, np.uint8)]
            lines.append(np.hstack(row[:-1]))
    width = max(l.shape[1] for l in lines)
    lines = [np.hstack([l, np.full((l.shape[0], width - l.shape[1], 3), 255, np.uint8)]) for l in lines]
    target = os.path.join(args.images, "reference_example.png")
    cv2.imwrite(target + ".tmp.png", np.vstack(lines))
    os.replace(target + ".tmp.png", target)
    print("\nexamples: " + ", ".join(f"{d} {p}" for d, p in picks))


if __name__ == "__main__":
    main()
