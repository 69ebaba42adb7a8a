#!/usr/bin/python3
"""Train, export and check tint's colorizer on a pretrained backbone.

    /usr/bin/python3 experiments/cnn/import_backbone.py --models mobilenet_v2
    /usr/bin/python3 experiments/cnn/train_pretrained.py --out models/tint-mnv2

Trains the head of pretrained.Colorizer (the MobileNetV2 trunk stays frozen) on
BSDS500 train, CamVid train and the ImageNet sample less its near-grayscale
photos (no validation or test photo is read for training), each data set drawn
equally often. Two phases:

1. Cache: `--crops` random crops per photo (seeded; longest side scaled to
   --max-side x 0.8..1.25 as tint runs the network, then --crop x --crop and a
   coin-flip mirror), each through the frozen trunk once; its taps (float16)
   and the crop's ab at 1/4 go to a cache folder keyed by every setting that
   shapes them (experiments/cnn/backbone/cache/, git-ignored).
2. Head: --steps of Adam on the soft-encoded cross-entropy (Zhang et al.
   2016), optionally class-rebalanced (--rebalance), at --pixels random pixels
   per crop (Larsson et al. 2016 train hypercolumns on sampled pixels; the
   head samples each tap bilinearly exactly where the full network's upsampling
   puts it, checked at start).

Then exports ONNX opset 11, checks OpenCV dnn against torch (train.py's
check, within 1e-4) and writes --out as a whole folder: tint_hc.onnx,
ab_bins.npy, card.toml, training_log.txt, training_manifest.json, check/.
The temperature written to the card is --temperature; choose it on BSDS500 val
and CamVid val with `tint eval` (docs/cnn.md). Needs python3-torch,
python3-numpy, python3-opencv; the backbone comes from import_backbone.py.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import import_backbone  # noqa: E402
import train  # noqa: E402
from hypercolumn import ab_grid_bins, soft_cross_entropy, soft_encode  # noqa: E402
from keras_graph import KerasGraph  # noqa: E402
from pretrained import (BACKBONES, INPUT_RANGES, MULTIPLE, OUTPUT_STRIDE, Colorizer, Head,  # noqa: E402
                        Trunk)

TRAIN_SETS = [("bsds500", "bsds500/images/train", ".jpg"), ("camvid", "camvid/train", ".png")]
CACHE_ROOT = os.path.join(HERE, "backbone", "cache")

ABOUT = """description = "Hypercolumn colorizer (Larsson et al. 2016's design) on a frozen pretrained {backbone} (ImageNet features), {params} parameters of which {head_params} trained here, head at 1/4 resolution with the scene averaged in, {bins} ab bins."
backbone = "{backbone} from the npm package {package} (MIT licence), tarball integrity {integrity}; imported and checked against TensorFlow.js by experiments/cnn/import_backbone.py"
training = "{command}"
data = "training_manifest.json: {data} (no validation or test images)"
licence = "The backbone's weights: nsfwjs, MIT licence (c) Infinite Red, Inc. The head was trained by the tint project on BSDS500 (non-commercial research), CamVid (CC BY-NC 4.0) and ImageNet (non-commercial research and education) photos."
"""


def fail(message):
    print(f"train_pretrained.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def random_crop(img, rng, crop, max_side):
    """A crop at about the scale tint runs the network at, mirrored by coin flip."""
    h, w = img.shape[:2]
    s = max_side / max(h, w) * float(np.exp(rng.uniform(np.log(0.8), np.log(1.25))))
    return train.scaled_crop(img, rng, max(s, crop / min(h, w)), crop)


def build_cache(trunk, items, args, log):
    """Phase 1: the trunk's taps for --crops crops of every photo, float16, on disk."""
    key = hashlib.sha256(json.dumps({
        "version": 1, "backbone": args.backbone, "crops": args.crops, "crop": args.crop,
        "input_range": args.input_range,
        "max_side": args.max_side, "seed": args.seed,
        "photos": [it[4] for it in items]}).encode()).hexdigest()[:16]
    folder = os.path.join(CACHE_ROOT, f"{args.backbone}-{key}")
    names = ["tap0", "tap1", "tap2", "tap3", "scene", "ab"]
    if os.path.isfile(os.path.join(folder, "done")):
        log(f"# feature cache {folder} (reused)")
        return [np.load(os.path.join(folder, n + ".npy")) for n in names], folder
    n = len(items) * args.crops
    staging = folder + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    rng = np.random.default_rng(args.seed)
    crop, out = args.crop, args.crop // OUTPUT_STRIDE
    arrays = None
    start = time.time()
    batch_l, batch_ab, index = [], [], 0
    for i, it in enumerate(items):
        img = cv2.imread(it[3], cv2.IMREAD_COLOR)
        if img is None:
            fail(f"cannot read {it[3]}")
        for _ in range(args.crops):
            lab = train.to_lab(random_crop(img, rng, crop, args.max_side))
            l_offset, l_scale = INPUT_RANGES[args.input_range]
            batch_l.append((lab[:, :, 0] + l_offset) * l_scale)
            batch_ab.append(cv2.resize(lab[:, :, 1:], (out, out), interpolation=cv2.INTER_AREA).transpose(2, 0, 1))
        if len(batch_l) >= 16 or i == len(items) - 1:
            with torch.no_grad():
                feats = trunk(torch.from_numpy(np.stack(batch_l)[:, None].astype(np.float32)))
            feats = [f.half().numpy() for f in feats] + [np.stack(batch_ab).astype(np.float16)]
            if arrays is None:
                arrays = [np.lib.format.open_memmap(os.path.join(staging, nm + ".npy"), "w+", np.float16,
                                                    (n,) + f.shape[1:]) for nm, f in zip(names, feats)]
            for a, f in zip(arrays, feats):
                a[index:index + len(f)] = f
            index += len(batch_l)
            batch_l, batch_ab = [], []
        if (i + 1) % 100 == 0:
            log(f"# cache: {i + 1}/{len(items)} photos, {time.time() - start:.0f} s")
    for a in arrays:
        a.flush()
    with open(os.path.join(staging, "done"), "w") as f:
        f.write(f"{n} crops\n")
    shutil.rmtree(folder, ignore_errors=True)
    os.rename(staging, folder)
    log(f"# feature cache {folder}: {n} crops in {time.time() - start:.0f} s")
    return [np.load(os.path.join(folder, nm + ".npy")) for nm in names], folder


def sample_points(head, feats, ys, xs):
    """The head's logits at 1/4-resolution pixels (ys, xs) of each crop: (N, K, P)."""
    *taps, scene = feats
    total = head.scene(scene)[:, :, :, 0]  # (N, C, 1)
    for tap, stride, project in zip(taps, head.strides, head.project):
        y = project(tap)
        f = stride // OUTPUT_STRIDE
        h, w = y.shape[2], y.shape[3]
        # F.interpolate(align_corners=False) puts output pixel i at input
        # coordinate (i + 0.5) / f - 0.5, clamped at the border.
        u = ((xs.float() + 0.5) / f - 0.5).clamp(0, w - 1)
        v = ((ys.float() + 0.5) / f - 0.5).clamp(0, h - 1)
        grid = torch.stack([(2 * u + 1) / w - 1, (2 * v + 1) / h - 1], dim=-1)[:, None]  # (N,1,P,2)
        total = total + F.grid_sample(y, grid, mode="bilinear", padding_mode="border",
                                      align_corners=False)[:, :, 0]
    hidden = F.relu(F.conv1d(F.relu(total), head.hidden.weight[:, :, 0], head.hidden.bias))
    return F.conv1d(hidden, head.out.weight[:, :, 0], head.out.bias)


def validate(model, images, centres, max_side, temperatures, l_offset, l_scale):
    """AuC (Zhang et al.) of the whole network on photos, per temperature, and grey's."""
    from hypercolumn import annealed_mean
    model.eval()
    sums, gray = {t: 0.0 for t in temperatures}, 0.0
    with torch.no_grad():
        for img in images:
            lab = train.to_lab(img)
            h, w = lab.shape[:2]
            rh, rw = train.fit_size(h, w, max_side, MULTIPLE)
            l_in = cv2.resize(lab[:, :, 0], (rw, rh), interpolation=cv2.INTER_AREA)
            logits = model(torch.from_numpy(((l_in + l_offset) * l_scale)[None, None].astype(np.float32)))
            for t in temperatures:
                ab = annealed_mean(logits, centres, t)[0].numpy().transpose(1, 2, 0)
                sums[t] += train.auc(cv2.resize(ab, (w, h), interpolation=cv2.INTER_LINEAR), lab[:, :, 1:])
            gray += train.auc(np.zeros_like(lab[:, :, 1:]), lab[:, :, 1:])
    return {t: s / len(images) for t, s in sums.items()}, gray / len(images)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT", "../shared/data"))
    ap.add_argument("--out", default="models/tint-mnv2")
    ap.add_argument("--backbone", default="mobilenet_v2", choices=sorted(BACKBONES))
    ap.add_argument("--crops", type=int, default=3, help="cached crops per photo")
    ap.add_argument("--crop", type=int, default=224)
    ap.add_argument("--max-side", type=int, default=320, help="network input side used by tint")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--pixels", type=int, default=256, help="sampled pixels per crop and step")
    ap.add_argument("--width", type=int, default=160, help="the head's channels")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--rebalance", type=float, default=0.0,
                    help="Zhang et al.'s class rebalancing with this lambda (0 = off)")
    ap.add_argument("--temperature", type=float, default=0.38, help="written to the card")
    ap.add_argument("--input-range", default="pm1", choices=sorted(INPUT_RANGES),
                    help="the backbone's input: pm1 = (L - 50) / 50, as Keras's MobileNetV2 was "
                         "trained on ImageNet; 01 = L / 100, as nsfwjs feeds it")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--name", default="tint-mnv2")
    ap.add_argument("--smoke", action="store_true", help="two photos, one crop, two steps (CI)")
    ap.add_argument("--images", help="train on every .jpg/.png in this folder instead (smoke test)")
    args = ap.parse_args()
    if args.crop % MULTIPLE:
        fail(f"--crop must be a multiple of {MULTIPLE}")
    if not 0.0 <= args.rebalance <= 1.0:
        fail("--rebalance must be in 0..1")
    if min(args.crops, args.steps, args.batch, args.pixels, args.width) < 1:
        fail("--crops, --steps, --batch, --pixels and --width must be positive")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    import_dir = import_backbone.import_dir(args.backbone)
    if not os.path.isfile(os.path.join(import_dir, "weights.bin")):
        fail(f"no imported backbone in {import_dir}: run experiments/cnn/import_backbone.py first")
    if args.images:
        items = train.folder_images(args.images)
    else:
        items = train.list_images(args.data_root, TRAIN_SETS)
        items += train.list_images(args.data_root, [train.IMAGENET_SET], train.near_grayscale(args.data_root))
    if args.smoke:
        items, args.crops, args.steps, args.batch, args.pixels = items[:2], 1, 2, 2, 16
    items = [it + (train.sha256_of(it[3]),) for it in items]

    staging, log, log_file, command = train.start_run(args.out, "train_pretrained.py", args.threads,
                                                      args.seed)
    log(f"# {len(items)} training photos: " + ", ".join(
        f"{d} {sum(1 for it in items if it[0] == d)}" for d in sorted(set(it[0] for it in items))))

    trunk = Trunk(KerasGraph.load(import_dir), args.backbone).eval()
    feats, cache_dir = build_cache(trunk, items, args, log)
    n = feats[0].shape[0]
    feats = [np.ascontiguousarray(f) for f in feats]  # into memory: random access per step
    ab_all = feats[5][:, :, ::2, ::2].astype(np.float32).transpose(0, 2, 3, 1).reshape(-1, 2)
    centres_np, counts = ab_grid_bins(ab_all)
    centres = torch.from_numpy(centres_np)
    log(f"# {len(centres_np)} ab bins from {len(ab_all)} pixels")
    weights = None
    if args.rebalance > 0:
        weights = torch.from_numpy(train.rebalance_weights(centres_np, counts, args.rebalance))
        log(f"# class rebalancing, lambda {args.rebalance}: bin weights "
            f"{float(weights.min()):.3g} .. {float(weights.max()):.3g}")

    head = Head(len(centres_np), args.backbone, args.width)
    head_params = sum(p.numel() for p in head.parameters())
    params = head_params + sum(p.numel() for p in trunk.parameters())
    log(f"# head {head_params} parameters, trunk {params - head_params} (frozen)")

    def batch_of(idx):
        return [torch.from_numpy(f[idx].astype(np.float32)) for f in feats]

    # The sampled head must be the full head at those pixels.
    with torch.no_grad():
        b = batch_of(np.arange(min(2, n)))
        full = head(b[:5])
        side = full.shape[2]
        ys = torch.from_numpy(rng.integers(side, size=(full.shape[0], 64)))
        xs = torch.from_numpy(rng.integers(side, size=(full.shape[0], 64)))
        ref = torch.stack([full[i][:, ys[i], xs[i]] for i in range(full.shape[0])])
        diff = float((sample_points(head, b[:5], ys, xs) - ref).abs().max())
    log(f"# sampled head vs full head: max |diff| {diff:.3g}")
    if diff > 1e-4:
        fail(f"the sampled head differs from the full head by {diff:.3g}")

    dataset_of_crop = np.repeat([it[0] for it in items], args.crops)
    groups = [np.nonzero(dataset_of_crop == d)[0] for d in sorted(set(dataset_of_crop))]
    opt = torch.optim.Adam(head.parameters(), lr=args.lr, weight_decay=1e-5)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=max(args.steps, 2), pct_start=0.1)
    start, running = time.time(), None
    side = args.crop // OUTPUT_STRIDE
    for step in range(1, args.steps + 1):
        which = rng.integers(len(groups), size=args.batch)
        idx = np.sort(np.array([groups[g][rng.integers(len(groups[g]))] for g in which]))
        b = batch_of(idx)
        ys = torch.from_numpy(rng.integers(side, size=(args.batch, args.pixels)))
        xs = torch.from_numpy(rng.integers(side, size=(args.batch, args.pixels)))
        ab = torch.stack([b[5][i][:, ys[i], xs[i]] for i in range(args.batch)])  # (N, 2, P)
        target = soft_encode(ab[:, :, None, :], centres)[:, :, 0, :]  # (N, K, P)
        logits = sample_points(head, b[:5], ys, xs)
        loss = soft_cross_entropy(logits, target, weights).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        if step % 50 == 0 or step == args.steps:
            log(f"step {step:5d}  loss {loss.item():.4f}  smoothed {running:.4f}  "
                f"lr {sched.get_last_lr()[0]:.2e}  {time.time() - start:7.1f} s")
    log(f"# trained {args.steps} steps in {time.time() - start:.0f} s")

    model = Colorizer(trunk, head).eval()
    if not args.smoke:
        for dataset, rel in [("BSDS500 val", "bsds500/images/val"), ("CamVid val", "camvid/val")]:
            folder = os.path.join(args.data_root, rel)
            val = [cv2.imread(os.path.join(folder, f), cv2.IMREAD_COLOR) for f in sorted(os.listdir(folder))
                   if f.endswith((".jpg", ".png"))]
            res, gray = validate(model, val, centres, args.max_side, [0.2, 0.3, 0.38, 0.5],
                                 *INPUT_RANGES[args.input_range])
            log(f"# {dataset} ({len(val)} photos) AuC: grayscale {gray:.2f}, " +
                ", ".join(f"T={t} {v:.2f}" for t, v in res.items()))

    model_path = os.path.join(staging, "tint_hc.onnx")
    worst = train.export_and_check(model, model_path, os.path.join(staging, "check"), log)
    np.save(os.path.join(staging, "ab_bins.npy"), centres_np.astype(np.float32))
    version, integrity = import_backbone.locked_integrity()
    with open(os.path.join(staging, "card.toml"), "w") as f:
        about = ABOUT.format(
            backbone=args.backbone,
            params=params, head_params=head_params, bins=len(centres_np), package=f"nsfwjs@{version}",
            integrity=integrity, command=command,
            data="BSDS500 train, CamVid train, the ImageNet sample less near_grayscale.txt; each data set "
                 "drawn equally often" + (f"; class rebalancing lambda {args.rebalance}"
                                          if args.rebalance > 0 else ""))
        f.write(train.card_text("train_pretrained.py", about, name=args.name,
                                sha=train.sha256_of(model_path), max_side=args.max_side,
                                multiple=MULTIPLE, l_offset=INPUT_RANGES[args.input_range][0],
                                l_scale=INPUT_RANGES[args.input_range][1],
                                temperature=args.temperature))
    manifest = {"format": "tint-training-manifest", "version": 1,
                "images": [{"dataset": d, "folder": rel, "file": name, "sha256": sha}
                           for d, rel, name, _, sha in items]}
    with open(os.path.join(staging, "training_manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    log(f"# exported {os.path.getsize(model_path)} bytes, OpenCV check max |diff| {worst:.3g}")
    log_file.close()

    out = train.finish_run(staging, args.out)
    if args.smoke:
        shutil.rmtree(cache_dir, ignore_errors=True)
    print(f"train_pretrained.py: wrote {out}")


if __name__ == "__main__":
    main()
