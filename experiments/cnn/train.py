#!/usr/bin/python3
"""Train, export and check tint's hypercolumn colorization network.

    /usr/bin/python3 experiments/cnn/train.py --data-root ../shared/data --out models/tint-hc

Trains on BSDS500 train + val, CamVid train and (with --imagenet) the
ImageNet sample less its near-grayscale photos (test images are never read),
optionally with Zhang et al.'s class rebalancing (--rebalance 0.5), exports
ONNX opset 11, checks that OpenCV dnn gives torch's output
within 1e-4, and writes into --out (atomically, as a whole folder):

    tint_hc.onnx            the network (L -> logits over ab bins at 1/4 size)
    ab_bins.npy             the (K, 2) float32 ab bin centres
    card.toml               the tint model card (`tint colorize --mode cnn --model card.toml`)
    training_log.txt        loss per step, validation AuC on CamVid val
    training_manifest.json  every training image with its SHA-256
    check/input.npy, check/logits.npy   a torch reference pair for tint's C++ test

Needs Debian's python3-torch, python3-numpy and python3-opencv (CPU only).
`--smoke` runs one step on two images and writes a throwaway model: the CI
test of this script.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hypercolumn import (L_OFFSET, L_SCALE, MULTIPLE, OUTPUT_STRIDE, Hypercolumn,  # noqa: E402
                         ab_grid_bins, annealed_mean, soft_cross_entropy, soft_encode)

TRAIN_SETS = [("bsds500", "bsds500/images/train", ".jpg"),
              ("bsds500", "bsds500/images/val", ".jpg"),
              ("camvid", "camvid/train", ".png")]
# One photo per ImageNet class; its near-grayscale photos (listed by the data
# set) are no colour truth and are skipped.
IMAGENET_SET = ("imagenet", "imagenet-sample/images", ".jpg")
IMAGENET_SKIP = "imagenet-sample/near_grayscale.txt"
VALIDATION_SET = ("camvid", "camvid/val", ".png")  # for the temperature sweep only


def fail(message):
    print(f"train.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def list_images(root, sets, skip=()):
    items = []
    for dataset, rel, ext in sets:
        folder = os.path.join(root, rel)
        if not os.path.isdir(folder):
            fail(f"missing data folder {folder} (pass --data-root)")
        for name in sorted(os.listdir(folder)):
            if name.endswith(ext) and name not in skip:
                path = os.path.join(folder, name)
                if "/test" in rel:
                    fail(f"refusing test-split image {path}")
                items.append((dataset, rel, name, path))
    return items


def to_lab(bgr8):
    """OpenCV's float Lab, exactly as tint's C++ computes it."""
    return cv2.cvtColor(bgr8.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab)


def fit_scale(h, w, max_side):
    """The scale tint runs the network at for a photo: longest side = max_side."""
    return max_side / max(h, w)


def fit_size(h, w, max_side, multiple):
    """The network input size tint uses for a photo: fit, then round to the multiple."""
    s = fit_scale(h, w, max_side)
    rh = max(multiple, int(round(h * s / multiple)) * multiple)
    rw = max(multiple, int(round(w * s / multiple)) * multiple)
    return rh, rw


def network_input(l, max_side):
    """What tint feeds the network for a photo's L (h, w): fitted to max_side,
    rounded to the multiple, offset and scaled; (1, 1, rh, rw) float32."""
    rh, rw = fit_size(l.shape[0], l.shape[1], max_side, MULTIPLE)
    l_in = cv2.resize(l, (rw, rh), interpolation=cv2.INTER_AREA)
    return ((l_in + L_OFFSET) * L_SCALE)[None, None].astype(np.float32)


def near_grayscale(root):
    path = os.path.join(root, IMAGENET_SKIP)
    if not os.path.isfile(path):
        fail(f"missing {path}")
    with open(path) as f:
        return {os.path.basename(line.split()[0]) for line in f
                if line.strip() and not line.startswith("#")}


def rebalance_weights(centres, counts, lam, sigma=5.0):
    """Zhang et al. 2016, eq. 4: w = ((1 - lam) p~ + lam / Q)^-1, normalized so
    that the expected weight over the training pixels is 1; p~ is the bins'
    empirical distribution smoothed by a Gaussian of sigma (in ab units)."""
    p = counts.astype(np.float64) / counts.sum()
    d2 = ((centres[:, None, :].astype(np.float64) - centres[None, :, :]) ** 2).sum(-1)
    g = np.exp(-d2 / (2 * sigma * sigma))
    smooth = g @ p
    smooth /= smooth.sum()
    w = 1.0 / ((1.0 - lam) * smooth + lam / len(centres))
    w /= (smooth * w).sum()
    return w.astype(np.float32)


def scaled_crop(img, rng, s, crop):
    """`img` scaled by s (never below crop x crop), a random crop x crop of
    it, mirrored by coin flip; contiguous."""
    h, w = img.shape[:2]
    sh, sw = max(crop, int(round(h * s))), max(crop, int(round(w * s)))
    im = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA)
    y, x = rng.integers(sh - crop + 1), rng.integers(sw - crop + 1)
    im = im[y:y + crop, x:x + crop]
    if rng.random() < 0.5:
        im = im[:, ::-1]
    return np.ascontiguousarray(im)


def sample_batch(images, rng, batch, crop, groups=None, fit_side=0):
    """groups: lists of image indices; each crop first draws a group
    uniformly (--balance), else an image uniformly. fit_side > 0 (--fit-scale):
    scales drawn around the one tint runs the network at (longest side =
    fit_side, times 0.8 to 1.25) instead of between "shorter side = crop" and
    full size."""
    ls, abs_ = [], []
    for _ in range(batch):
        if groups:
            group = groups[rng.integers(len(groups))]
            img = images[group[rng.integers(len(group))]]
        else:
            img = images[rng.integers(len(images))]
        h, w = img.shape[:2]
        # Random scale, never below "shorter side = crop".
        lo = crop / min(h, w)
        if fit_side > 0:
            s = max(lo, fit_scale(h, w, fit_side) * float(np.exp(rng.uniform(np.log(0.8), np.log(1.25)))))
        else:
            s = rng.uniform(max(lo, 0.45), 1.0) if lo < 1.0 else lo
        lab = to_lab(scaled_crop(img, rng, s, crop))
        out = crop // OUTPUT_STRIDE
        ab = cv2.resize(lab[:, :, 1:], (out, out), interpolation=cv2.INTER_AREA)
        ls.append((lab[:, :, 0] + L_OFFSET) * L_SCALE)
        abs_.append(ab.transpose(2, 0, 1))
    return (torch.from_numpy(np.stack(ls)[:, None].astype(np.float32)),
            torch.from_numpy(np.stack(abs_).astype(np.float32)))


def auc(pred_ab, true_ab):
    """Zhang et al.'s AuC: mean over t = 0..150 of the fraction within t, in percent."""
    err = np.sqrt(((pred_ab - true_ab) ** 2).sum(axis=-1)).ravel()
    thresholds = np.arange(151)
    frac = (err[None, :] <= thresholds[:, None]).mean(axis=1)
    return float(np.trapz(frac, thresholds) / 150.0 * 100.0)


def validate(model, images, centres, max_side, temperatures):
    model.eval()
    sums = {t: 0.0 for t in temperatures}
    gray = 0.0
    with torch.no_grad():
        for img in images:
            lab = to_lab(img)
            h, w = lab.shape[:2]
            logits = model(torch.from_numpy(network_input(lab[:, :, 0], max_side)))
            for t in temperatures:
                ab = annealed_mean(logits, centres, t)[0].numpy().transpose(1, 2, 0)
                ab = cv2.resize(ab, (w, h), interpolation=cv2.INTER_LINEAR)
                sums[t] += auc(ab, lab[:, :, 1:])
            gray += auc(np.zeros_like(lab[:, :, 1:]), lab[:, :, 1:])
    model.train()
    n = len(images)
    return {t: s / n for t, s in sums.items()}, gray / n


def export_and_check(model, path, check_dir, log):
    model.eval()
    dummy = torch.zeros(1, 1, 224, 320)
    torch.onnx.export(model, dummy, path, opset_version=11,
                      input_names=["l"], output_names=["logits"])
    net = cv2.dnn.readNetFromONNX(path)
    worst = 0.0
    rng = np.random.default_rng(7)
    for shape in [(1, 1, 224, 320), (1, 1, 320, 224), (1, 1, 64, 96)]:
        x = rng.uniform(-1, 1, size=shape).astype(np.float32)
        with torch.no_grad():
            ref = model(torch.from_numpy(x)).numpy()
        net.setInput(x)
        got = net.forward()
        if got.shape != ref.shape:
            fail(f"OpenCV dnn output shape {got.shape} != torch {ref.shape}")
        diff = float(np.abs(got - ref).max())
        worst = max(worst, diff)
        log(f"check: OpenCV dnn vs torch at {shape[2]}x{shape[3]}: max |diff| = {diff:.3g}")
    if worst > 1e-4:
        fail(f"OpenCV dnn differs from torch by {worst:.3g} (> 1e-4)")
    # A small reference pair for tint's C++ test (tests/cnn).
    os.makedirs(check_dir, exist_ok=True)
    x = rng.uniform(-1, 1, size=(1, 1, 32, 64)).astype(np.float32)
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    np.save(os.path.join(check_dir, "input.npy"), x)
    np.save(os.path.join(check_dir, "logits.npy"), ref.astype(np.float32))
    return worst


CARD = """# tint model card, written by experiments/cnn/{writer}. Paths are relative to this file.
format = "tint-model-card"
version = 1
name = "{name}"
framework = "onnx"
model = "tint_hc.onnx"
sha256 = "{sha}"

[input]
blob = "l"
resize = "fit"          # keep the aspect ratio, longest side = max_side
max_side = {max_side}
multiple = {multiple}           # both sides rounded to a multiple of this
l_offset = {l_offset}     # the network sees (L + l_offset) * l_scale
l_scale = {l_scale}

[output]
blob = "logits"
decoder = "bins"        # annealed mean over the bins in `centres`
centres = "ab_bins.npy"
activation = "logits"
temperature = {temperature}

[about]
"""

ABOUT = """description = "Hypercolumn network in the spirit of Larsson et al. 2016, {params} parameters, head at 1/4 resolution{context}, {bins} ab bins (10x10 grid cells seen in training)."
training = "{command}"
data = "training_manifest.json: {data} (no test images)"
licence = "Trained by the tint project; the training images are {licence}."
"""


def card_text(writer, about, **fields):
    """A model card for an ONNX network over ab bins (fields: name, sha,
    max_side, multiple, l_offset, l_scale, temperature) with its [about] lines."""
    return CARD.format(writer=writer, **fields) + about


def folder_images(folder):
    """Every .jpg and .png in a folder as training items (the smoke tests)."""
    folder = os.path.abspath(folder)
    items = [("custom", folder, n, os.path.join(folder, n)) for n in sorted(os.listdir(folder))
             if n.lower().endswith((".jpg", ".png"))]
    if not items:
        fail(f"no .jpg or .png images in {folder}")
    return items


def start_run(out, script, threads, seed):
    """A staging folder beside `out` (renamed into place by finish_run) and a
    log function that prints and writes its training_log.txt, which starts
    with the command line and the versions. Returns (staging, log, log file,
    command)."""
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".train-", dir=parent)
    os.chmod(staging, 0o755)
    log_file = open(os.path.join(staging, "training_log.txt"), "w")

    def log(line):
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    command = f"/usr/bin/python3 experiments/cnn/{script} " + " ".join(sys.argv[1:])
    log(f"# {command}")
    log(f"# torch {torch.__version__}, OpenCV {cv2.__version__}, {threads} threads, seed {seed}")
    return staging, log, log_file, command


def finish_run(staging, out):
    """Swaps the finished folder in; the old model stays until the new one is complete."""
    out = os.path.abspath(out)
    old = out + ".old"
    if os.path.exists(old):
        shutil.rmtree(old)
    if os.path.exists(out):
        os.rename(out, old)
    os.rename(staging, out)
    if os.path.exists(old):
        shutil.rmtree(old)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT", "../shared/data"))
    ap.add_argument("--out", default="models/tint-hc")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--crop", type=int, default=192)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-side", type=int, default=320, help="network input side used by tint")
    ap.add_argument("--temperature", type=float, default=0.38)
    ap.add_argument("--imagenet", action="store_true",
                    help="add the ImageNet sample (less near_grayscale.txt) to the training set")
    ap.add_argument("--rebalance", type=float, default=0.0,
                    help="Zhang et al.'s class rebalancing with this lambda (0 = off; they use 0.5)")
    ap.add_argument("--name", default="tint-hypercolumn-s", help="the model card's name")
    ap.add_argument("--balance", action="store_true",
                    help="draw each crop's data set uniformly (BSDS500, CamVid, ImageNet), "
                         "then an image of it, instead of an image uniformly")
    ap.add_argument("--adamw", type=float, default=0.0, metavar="WD",
                    help="AdamW with this decoupled weight decay (0 = Adam with L2 1e-5, as the "
                         "shipped cards were trained)")
    ap.add_argument("--fit-scale", action="store_true",
                    help="draw crop scales around the inference scale (longest side = --max-side, "
                         "x 0.8 to 1.25) instead of between 'shorter side = crop' and full size")
    ap.add_argument("--global-context", action="store_true",
                    help="add the deepest features, averaged over the whole input, to the head's "
                         "hidden layer (a fusion layer like Iizuka et al. 2016)")
    ap.add_argument("--auc-loss", type=float, default=0.0, metavar="W",
                    help="add W x (1 - per-pixel AuC) of the decoded colour (the annealed mean at "
                         "--temperature, as tint decodes), i.e. W x min(|ab error|, 150) / 150, to "
                         "the cross-entropy (0 = off, as the shipped cards were trained)")
    ap.add_argument("--smoke", action="store_true", help="one step on two images (CI)")
    ap.add_argument("--images", help="train on every .jpg/.png in this folder instead (smoke test)")
    args = ap.parse_args()
    if args.crop % MULTIPLE:
        fail(f"--crop must be a multiple of {MULTIPLE}")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    if args.images:
        items = folder_images(args.images)
    else:
        items = list_images(args.data_root, TRAIN_SETS)
        if args.imagenet:
            items += list_images(args.data_root, [IMAGENET_SET], near_grayscale(args.data_root))
    if not 0.0 <= args.rebalance <= 1.0:
        fail("--rebalance must be in 0..1")
    if args.adamw < 0:
        fail("--adamw must be >= 0")
    if args.auc_loss < 0:
        fail("--auc-loss must be >= 0")
    if args.smoke:
        items = items[:2]
        args.steps, args.batch, args.crop = 1, 2, 64
    images = []
    for dataset, rel, name, path in items:
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            fail(f"cannot read {path}")
        images.append(img)

    staging, log, log_file, command = start_run(args.out, "train.py", args.threads, args.seed)
    folders = sorted(set(it[1] for it in items), key=lambda r: [it[1] for it in items].index(r))
    log(f"# {len(images)} training images: " + ", ".join(
        f"{rel} {sum(1 for it in items if it[1] == rel)}" for rel in folders))

    # Bins: the 10x10 ab cells that training pixels fall in.
    ab_all = np.concatenate([to_lab(im[::4, ::4])[:, :, 1:].reshape(-1, 2) for im in images])
    centres_np, counts = ab_grid_bins(ab_all)
    centres = torch.from_numpy(centres_np)
    log(f"# {len(centres_np)} ab bins from {len(ab_all)} pixels")
    weights = None
    if args.rebalance > 0:
        weights = torch.from_numpy(rebalance_weights(centres_np, counts, args.rebalance))
        log(f"# class rebalancing, lambda {args.rebalance}: bin weights "
            f"{float(weights.min()):.3g} .. {float(weights.max()):.3g}")

    if args.auc_loss > 0:
        log(f"# AuC loss, weight {args.auc_loss}, on the annealed mean at T = {args.temperature}")

    model = Hypercolumn(len(centres_np), global_context=args.global_context)
    params = sum(p.numel() for p in model.parameters())
    log(f"# model: {params} parameters")
    if args.adamw > 0:
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.adamw)
        log(f"# AdamW, weight decay {args.adamw}")
    else:
        opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-5)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=max(args.steps, 2),
                                                pct_start=0.1)
    groups = None
    if args.balance:
        names = sorted(set(it[0] for it in items))
        groups = [[i for i, it in enumerate(items) if it[0] == n] for n in names]
        log("# balanced sampling: " + ", ".join(f"{n} {len(g)} images" for n, g in zip(names, groups)))
    start = time.time()
    running = None
    for step in range(1, args.steps + 1):
        x, ab = sample_batch(images, rng, args.batch, args.crop, groups,
                             args.max_side if args.fit_scale else 0)
        target = soft_encode(ab, centres)
        logits = model(x)
        per_pixel = soft_cross_entropy(logits, target, weights)
        if args.auc_loss > 0:  # per pixel, 1 - AuC = min(error, 150) / 150
            error = (annealed_mean(logits, centres, args.temperature) - ab).pow(2).sum(dim=1).add(1e-6).sqrt()
            per_pixel = per_pixel + args.auc_loss * error.clamp(max=150.0) / 150.0
        loss = per_pixel.mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        if step % 25 == 0 or step == args.steps:
            el = time.time() - start
            log(f"step {step:5d}  loss {loss.item():.4f}  smoothed {running:.4f}  "
                f"lr {sched.get_last_lr()[0]:.2e}  {el:7.1f} s")
    train_seconds = time.time() - start
    log(f"# trained {args.steps} steps in {train_seconds:.0f} s")

    if not args.smoke:
        val_items = list_images(args.data_root, [VALIDATION_SET])
        val_images = [cv2.imread(it[3], cv2.IMREAD_COLOR) for it in val_items]
        temps = [0.2, 0.38, 0.6, 1.0]
        res, gray = validate(model, val_images, centres, args.max_side, temps)
        log(f"# CamVid val ({len(val_images)} photos) AuC: grayscale {gray:.2f}, " +
            ", ".join(f"T={t} {v:.2f}" for t, v in res.items()))

    model_path = os.path.join(staging, "tint_hc.onnx")
    worst = export_and_check(model, model_path, os.path.join(staging, "check"), log)
    np.save(os.path.join(staging, "ab_bins.npy"), centres_np.astype(np.float32))
    data = "BSDS500 train + val, CamVid train" + (
        ", the ImageNet sample less near_grayscale.txt" if args.imagenet else "")
    if args.balance:
        data += "; each data set drawn equally often"
    if args.rebalance > 0:
        data += f"; class rebalancing lambda {args.rebalance}"
    licence = "BSDS500 (non-commercial research) and CamVid (CC BY-NC 4.0)" + (
        " and ImageNet (non-commercial research and education)" if args.imagenet else "")
    with open(os.path.join(staging, "card.toml"), "w") as f:
        about = ABOUT.format(params=params, bins=len(centres_np),
                             context=", global context added to the head" if args.global_context else "",
                             command=command, data=data, licence=licence)
        f.write(card_text("train.py", about, name=args.name, sha=sha256_of(model_path),
                          max_side=args.max_side, multiple=MULTIPLE, l_offset=L_OFFSET,
                          l_scale=L_SCALE, temperature=args.temperature))
    manifest = {
        "format": "tint-training-manifest", "version": 1,
        "images": [{"dataset": d, "folder": rel, "file": name, "sha256": sha256_of(p)}
                   for d, rel, name, p in items],
    }
    with open(os.path.join(staging, "training_manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    log(f"# exported {os.path.getsize(model_path)} bytes, OpenCV check max |diff| {worst:.3g}")
    log_file.close()

    out = finish_run(staging, args.out)
    print(f"train.py: wrote {out}")


if __name__ == "__main__":
    main()
