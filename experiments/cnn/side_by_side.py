#!/usr/bin/python3
"""Grid of grey | classic | cnn | truth for a few photos, made with the tint binary.

    /usr/bin/python3 experiments/cnn/side_by_side.py PHOTO... -o docs/images/modes.png \
        [--tint build/bin/tint] [--model models/tint-hc/card.toml] [--width 320]
    /usr/bin/python3 experiments/cnn/side_by_side.py PHOTO... -o before_after.png \
        --cnn "before (tint-hc)=models/tint-hc/card.toml" --cnn "after=models/tint-mnv2/card.toml"

--cnn TITLE=CARD (repeatable) puts one column per card instead of --model's.

Each photo's luminance is the input (tint reduces colour to L itself) and the
photo the truth. Needs python3-opencv and python3-numpy.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np


def label(img, text):
    out = img.copy()
    cv2.rectangle(out, (0, 0), (8 + 9 * len(text), 22), (255, 255, 255), -1)
    cv2.putText(out, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("photos", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--tint", default="build/bin/tint")
    ap.add_argument("--model", default="models/tint-hc/card.toml")
    ap.add_argument("--cnn", action="append", default=[], metavar="TITLE=CARD",
                    help="a CNN column per card (repeatable; default: one, 'cnn', with --model)")
    ap.add_argument("--width", type=int, default=240, help="width of each tile")
    args = ap.parse_args()
    columns = [("classic", "classic", None)]
    for item in args.cnn or [f"cnn={args.model}"]:
        title, sep, card = item.partition("=")
        if not sep or not title or not card:
            sys.exit(f"side_by_side.py: error: --cnn '{item}': expected TITLE=CARD")
        columns.append((title, "cnn", card))

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for photo in args.photos:
            truth = cv2.imread(photo, cv2.IMREAD_COLOR)
            if truth is None:
                sys.exit(f"side_by_side.py: error: cannot read {photo}")
            outs = []
            for i, (title, mode, card) in enumerate(columns):
                out = os.path.join(tmp, f"{i}.png")
                cmd = [args.tint, "colorize", photo, "-o", out, "--mode", mode]
                if card is not None:
                    cmd += ["--model", card]
                subprocess.run(cmd, check=True)
                outs.append((title, cv2.imread(out, cv2.IMREAD_COLOR)))
            lab = cv2.cvtColor(truth.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab)
            lab[:, :, 1:] = 0
            grey = np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2BGR) * 255.0 + 0.5, 0, 255).astype(np.uint8)
            tiles = [("grey input", grey)] + outs + [("truth", truth)]
            h = int(round(truth.shape[0] * args.width / truth.shape[1]))
            row = [label(cv2.resize(t, (args.width, h), interpolation=cv2.INTER_AREA), name) for name, t in tiles]
            gap = np.full((h, 4, 3), 255, np.uint8)
            rows.append(np.hstack([x for t in row for x in (t, gap)][:-1]))
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    grid = np.vstack(rows)[:-4]
    tmp_out = args.output + ".tmp.png"
    cv2.imwrite(tmp_out, grid)
    os.replace(tmp_out, args.output)
    print(f"side_by_side.py: wrote {args.output} ({grid.shape[1]}x{grid.shape[0]})")


if __name__ == "__main__":
    main()
