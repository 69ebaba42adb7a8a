#!/usr/bin/python3
"""The picture of the keyframe benchmark from a
camvid_sequences.py run.

    /usr/bin/python3 experiments/sequence/sequence_figure.py results/sequence

Writes docs/images/sequence_example.png for the k = 5 clip whose last frame
has the median AuC of classic with the temporal term (by rule, not by eye):
keyframe | last frame, grey | classic, temporal 0 | classic, temporal 0.5 |
truth, and a row below of |ab| change between the last two frames for both
(the flicker the metric counts, brighter = more change).
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT",
                                                              os.path.join(ROOT, "..", "shared", "data")))
    parser.add_argument("--images", default=os.path.join(ROOT, "docs", "images"))
    args = parser.parse_args()
    base = os.path.join(args.run, "classic-t0.5", "k5")
    if not os.path.isdir(base):
        sys.exit(f"sequence_figure.py: error: {base} does not exist")
    scored = []
    for clip in sorted(os.listdir(base)):
        scores = json.load(open(os.path.join(base, clip, "scores.json")))
        scored.append((scores["frames"][-1]["auc"], clip, scores["frames"][-2]["frame"],
                       scores["frames"][-1]["frame"]))
    scored.sort()
    _, clip, before, last = scored[len(scored) // 2]
    camvid = os.path.join(args.data_root, "camvid", "test")
    key = cv2.imread(os.path.join(camvid, clip + ".png"))
    truth = cv2.imread(os.path.join(camvid, last))
    grey = cv2.cvtColor(cv2.cvtColor(truth, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    outs, changes = [], []
    for variant in ("classic-t0.0", "classic-t0.5"):
        folder = os.path.join(args.run, variant, "k5", clip)
        now = cv2.imread(os.path.join(folder, os.path.splitext(last)[0] + ".png"))
        prev = cv2.imread(os.path.join(folder, os.path.splitext(before)[0] + ".png"))
        if now is None or prev is None:
            sys.exit(f"sequence_figure.py: error: outputs missing in {folder}")
        outs.append(now)
        lab_now = cv2.cvtColor(now.astype(np.float32) / 255, cv2.COLOR_BGR2Lab)
        lab_prev = cv2.cvtColor(prev.astype(np.float32) / 255, cv2.COLOR_BGR2Lab)
        d = np.linalg.norm(lab_now[..., 1:] - lab_prev[..., 1:], axis=2)
        changes.append(cv2.cvtColor(np.clip(d * 12, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR))
    height = 170
    def tile(image, text):
        small = cv2.resize(image, (round(image.shape[1] * height / image.shape[0]), height),
                           interpolation=cv2.INTER_AREA)
        strip = np.full((22, small.shape[1], 3), 255, np.uint8)
        cv2.putText(strip, text, (4, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1, cv2.LINE_AA)
        return np.vstack([strip, small])
    gap = np.full((height + 22, 4, 3), 255, np.uint8)
    blank = np.full((height + 22, tile(key, "").shape[1], 3), 255, np.uint8)
    top = [tile(key, "keyframe " + clip), gap, tile(grey, "grey, 5 s later"), gap,
           tile(outs[0], "classic, temporal 0"), gap, tile(outs[1], "classic, temporal 0.5"), gap,
           tile(truth, "truth")]
    bottom = [blank, gap, blank, gap, tile(changes[0], "|ab change| from 1 s before"), gap,
              tile(changes[1], "|ab change|, temporal 0.5"), gap, blank]
    picture = np.vstack([np.hstack(top), np.full((4, np.hstack(top).shape[1], 3), 255, np.uint8),
                         np.hstack(bottom)])
    target = os.path.join(args.images, "sequence_example.png")
    cv2.imwrite(target + ".tmp.png", picture)
    os.replace(target + ".tmp.png", target)
    print(f"clip {clip}, frames {before} -> {last}")


if __name__ == "__main__":
    main()
