#!/usr/bin/python3
"""A labelled contact sheet from a `tint eval --config` run's report thumbnails.

usage: scripts/thumb_sheet.py RUN DATASET OUT.png --columns [OTHER_RUN@]I:NAME ... [--rows best,median,worst]

RUN/thumbs/<DATASET>_<row>_<i>.png are the report's cells: i = 0 is the grey
input, 1..M the config's methods in order, M + 1 the truth. Each sheet row
is one of the report's photos (best, median, worst by the last method's
AuC); each column a chosen cell, with its name written above. A column
written OTHER_RUN@I:NAME takes its cell from another run of the same config
(a before/after sheet): its rows are the same photos only while the last
method is the same in both runs.
"""
import argparse
import os
import sys

import cv2
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("dataset")
    ap.add_argument("out")
    ap.add_argument("--columns", nargs="+", required=True, help="[OTHER_RUN@]INDEX:NAME")
    ap.add_argument("--rows", default="best,median,worst")
    args = ap.parse_args()
    cols = []
    for c in args.columns:
        where, _, name = c.partition(":")
        run, _, index = where.rpartition("@")
        if not index.isdigit() or not name:
            sys.exit(f"thumb_sheet.py: error: bad column '{c}' (want [OTHER_RUN@]INDEX:NAME)")
        cols.append((run or args.run, int(index), name))
    rows = []
    for row in args.rows.split(","):
        cells = []
        for run, index, _ in cols:
            path = os.path.join(run, "thumbs", f"{args.dataset}_{row}_{index}.png")
            # imread warns on stderr about a missing file: check first.
            img = cv2.imread(path) if os.path.isfile(path) else None
            if img is None:
                sys.exit(f"thumb_sheet.py: error: cannot read {path}")
            cells.append(cv2.copyMakeBorder(img, 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=(255, 255, 255)))
        h = max(c.shape[0] for c in cells)
        cells = [cv2.copyMakeBorder(c, 0, h - c.shape[0], 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
                 for c in cells]
        rows.append(np.hstack(cells))
    w = max(r.shape[1] for r in rows)
    rows = [cv2.copyMakeBorder(r, 0, 0, 0, w - r.shape[1], cv2.BORDER_CONSTANT, value=(255, 255, 255))
            for r in rows]
    cell_w = rows[0].shape[1] // len(cols)
    header = np.full((22, w, 3), 255, np.uint8)
    for k, (_, _, name) in enumerate(cols):
        cv2.putText(header, name, (k * cell_w + 4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1,
                    cv2.LINE_AA)
    sheet = np.vstack([header] + rows)
    tmp = args.out + ".tmp.png"
    cv2.imwrite(tmp, sheet)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
