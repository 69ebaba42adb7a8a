#!/usr/bin/python3
"""Score a model card's network with other decodings, on the validation splits.

    /usr/bin/python3 experiments/cnn/decode_trials.py --model models/tint-hc/card.toml \
        [--data-root ../shared/data] [--images DIR]

Runs the card's ONNX network through OpenCV dnn at the card's input size and
decodes its logits three ways:
  mean    the card's decoding: the annealed mean at the card's temperature;
  flip    the same, from the logits averaged with those of the mirrored photo
          (test-time flipping: two forward passes);
  median  the geometric median of the bin distribution (T = 1), which is what
          minimizes the expected ab distance, and so maximizes the expected
          per-pixel AuC, when the distribution is calibrated.
It prints, for CamVid val and BSDS500 val (or every photo in --images), the
plain AuC (the same definition as train.py's sweep) and the mean output chroma
of each. Test splits are refused. Needs python3-torch, -opencv and -numpy.
"""

import argparse
import os
import sys
import tomllib

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402  (list_images, to_lab, network_input, auc)
from hypercolumn import MULTIPLE, annealed_mean  # noqa: E402

def fail(message):
    print(f"decode_trials.py: error: {message}", file=sys.stderr)
    sys.exit(1)


SPLITS = [("camvid", "camvid/val", ".png"), ("bsds500", "bsds500/images/val", ".jpg")]


def geometric_median(p, centres, iterations=10):
    """Weiszfeld's iterations for each pixel of p (K,h,w) over the bin centres
    (K,2), started from the mean; -> ab (h,w,2)."""
    k, h, w = p.shape
    prob = p.reshape(k, -1).T  # (n, K)
    y = prob @ centres
    for _ in range(iterations):
        dist = torch.cdist(y, centres).clamp_min(1e-3)  # (n, K)
        weight = prob / dist
        y = (weight @ centres) / weight.sum(dim=1, keepdim=True)
    return y.reshape(h, w, 2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a model card (card.toml) with decoder = \"bins\"")
    ap.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT", "../shared/data"))
    ap.add_argument("--images", help="score every .jpg/.png in this folder instead of the validation splits")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    try:
        with open(args.model, "rb") as f:
            card = tomllib.load(f)
        folder = os.path.dirname(os.path.abspath(args.model))
        if card["output"]["decoder"] != "bins":
            fail(f"{args.model}: decoder is {card['output']['decoder']!r}, not \"bins\"")
        net = cv2.dnn.readNetFromONNX(os.path.join(folder, card["model"]))
        centres = torch.from_numpy(np.load(os.path.join(folder, card["output"]["centres"]))).float()
        temperature = float(card["output"]["temperature"])
        max_side = int(card["input"]["max_side"])
        if int(card["input"]["multiple"]) != MULTIPLE:
            fail(f"{args.model}: input multiple {card['input']['multiple']}, not the network's {MULTIPLE}")
    except (OSError, KeyError, tomllib.TOMLDecodeError, cv2.error) as e:
        fail(f"cannot load the model card {args.model}: {e}")

    def logits(l):  # (1, K, h, w)
        net.setInput(train.network_input(l, max_side))
        return torch.from_numpy(net.forward())

    def mean(z):  # the card's decoding -> (h, w, 2)
        return annealed_mean(z, centres, temperature)[0].permute(1, 2, 0)

    if args.images:
        d = os.path.abspath(args.images)
        sets = [(d, [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.lower().endswith((".jpg", ".png"))])]
    else:
        sets = [(s[1], [it[3] for it in train.list_images(args.data_root, [s])]) for s in SPLITS]
    print(f"# {args.model}: annealed mean at T = {temperature}, input longest side {max_side}")
    print("| photos | decoding | AuC | mean chroma |")
    print("|---|---|---|---|")
    for name, paths in sets:
        if not paths:
            fail(f"no photos in {name}")
        scores = {"mean": [], "flip": [], "median": []}
        chroma = {k: [] for k in scores}
        for path in paths:
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is None:
                fail(f"cannot read {path}")
            lab = train.to_lab(img)
            h, w = lab.shape[:2]
            z = logits(lab[:, :, 0])
            mirrored = logits(np.ascontiguousarray(lab[:, ::-1, 0])).flip(dims=[3])
            decoded = {
                "mean": mean(z),
                "flip": mean((z + mirrored) / 2),
                "median": geometric_median(torch.softmax(z[0], 0), centres),
            }
            for key, ab in decoded.items():
                ab = cv2.resize(ab.numpy(), (w, h), interpolation=cv2.INTER_LINEAR)
                scores[key].append(train.auc(ab, lab[:, :, 1:]))
                chroma[key].append(float(np.sqrt((ab ** 2).sum(axis=-1)).mean()))
        for key in scores:
            print(f"| {name} ({len(paths)}) | {key} | {np.mean(scores[key]):.2f} | {np.mean(chroma[key]):.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
