#!/usr/bin/python3
"""Fine-tune the pretrained hypercolumn colorizer end to end, on a GPU where one is lent.

    /usr/bin/python3 experiments/cnn/finetune.py pack --out experiments/cnn/backbone/pack
    python3 experiments/cnn/finetune.py train --pack experiments/cnn/backbone/pack \\
        --out OUT --name ft6 --unfreeze-from block_6_expand --minutes 6 --device cuda
    /usr/bin/python3 experiments/cnn/finetune.py card --weights OUT/ft6.npz \\
        --pack experiments/cnn/backbone/pack --out models/tint-mnv2-ft --temperature 0.38

train_pretrained.py trains the head alone on cached trunk taps (two CPU
cores); this script trains the whole network on crops made on the fly, with
the trunk frozen below --unfreeze-from (the first layer trained) and trained
at --trunk-lr above it. Three steps:

1. `pack` (here): the training photos (BSDS500 train, CamVid train, the
   ImageNet sample less its near-grayscale photos: no validation or test
   photo) re-encoded as JPEG with the longest side --side, the validation
   photos (BSDS500 val, CamVid val) with the longest side the network's
   max_side, the imported backbone and the ab bins of the training photos,
   in one folder small enough to travel to a GPU machine.
2. `train` (there, or here with --device cpu): random crops on the device
   (scale jitter 0.8..1.25 around the scale tint runs the network at, coin-flip
   mirror), OpenCV's Lab formulas in torch, the soft-encoded cross-entropy of
   Zhang et al. 2016 (optionally class-rebalanced) over every output pixel.
   The number of steps is fixed after timing the first 20 (--minutes), and
   logged. Validation AuC per temperature on the packed val photos (the
   network's scale: a proxy; choose with `tint eval`). Writes NAME.npz (the
   trained tensors) and NAME_log.txt.
3. `card` (here): loads the tensors into the network and writes the card
   folder exactly as train_pretrained.py does (ONNX, OpenCV check, manifest).
"""

import argparse
import hashlib
import json
import math
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
from hypercolumn import ab_grid_bins, soft_cross_entropy, soft_encode  # noqa: E402
from keras_graph import KerasGraph  # noqa: E402
from pretrained import BACKBONES, INPUT_RANGES, MULTIPLE, OUTPUT_STRIDE, Colorizer, Head, Trunk  # noqa: E402

VAL_SETS = [("bsds500", "bsds500/images/val", ".jpg"), ("camvid", "camvid/val", ".png")]
TEMPERATURES = [0.2, 0.3, 0.38, 0.5]


def fail(message):
    print(f"finetune.py: error: {message}", file=sys.stderr)
    sys.exit(1)


# --- pack -------------------------------------------------------------------

def _encode(path, side, quality):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        fail(f"cannot read {path}")
    h, w = img.shape[:2]
    s = min(1.0, side / max(h, w))
    if s < 1.0:
        img = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        fail(f"cannot encode {path}")
    return data.ravel(), max(h, w)


def pack(args):
    import train
    import import_backbone
    from train_pretrained import TRAIN_SETS
    items = train.list_images(args.data_root, TRAIN_SETS)
    items += train.list_images(args.data_root, [train.IMAGENET_SET], train.near_grayscale(args.data_root))
    val = train.list_images(args.data_root, VAL_SETS)
    if args.limit:  # the first photos of each data set (smoke test)
        items, val = [[it for it in its if sum(o[0] == it[0] for o in its[:its.index(it)]) < args.limit]
                      for its in (items, val)]
    blobs, meta = [], []
    for split, its, side in [("train", items, args.side), ("val", val, args.max_side)]:
        for dataset, rel, name, path in its:
            data, original = _encode(path, side, args.quality)
            blobs.append(data)
            meta.append({"split": split, "dataset": dataset, "folder": rel, "file": name,
                         "sha256": train.sha256_of(path), "original_side": original})
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
    # The ab bins: every training pixel of the packed photos at 1/4.
    ab = []
    for b, m in zip(blobs, meta):
        if m["split"] == "train":
            lab = train.to_lab(cv2.imdecode(b, cv2.IMREAD_COLOR))
            ab.append(lab[::4, ::4, 1:].reshape(-1, 2))
    centres, counts = ab_grid_bins(np.concatenate(ab))
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    np.save(os.path.join(args.out, "photos.npy"), np.concatenate(blobs))
    np.save(os.path.join(args.out, "offsets.npy"), offsets)
    np.save(os.path.join(args.out, "centres.npy"), centres)
    np.save(os.path.join(args.out, "counts.npy"), counts.astype(np.int64))
    with open(os.path.join(args.out, "photos.json"), "w") as f:
        json.dump({"side": args.side, "max_side": args.max_side, "quality": args.quality,
                   "photos": meta}, f, indent=0)
    backbone = os.path.join(args.out, "backbone")
    shutil.copytree(import_backbone.import_dir(args.backbone), backbone)
    print(f"finetune.py: packed {sum(m['split'] == 'train' for m in meta)} training and "
          f"{sum(m['split'] == 'val' for m in meta)} validation photos, {len(centres)} ab bins, "
          f"{offsets[-1] / 1e6:.1f} MB of JPEG in {args.out}")


def load_pack(folder):
    data = np.load(os.path.join(folder, "photos.npy"))
    offsets = np.load(os.path.join(folder, "offsets.npy"))
    with open(os.path.join(folder, "photos.json")) as f:
        info = json.load(f)
    photos = [cv2.imdecode(data[offsets[i]:offsets[i + 1]], cv2.IMREAD_COLOR) for i in range(len(offsets) - 1)]
    return info, photos, np.load(os.path.join(folder, "centres.npy")), np.load(os.path.join(folder, "counts.npy"))


# --- train ------------------------------------------------------------------

def bgr_to_lab(bgr):
    """OpenCV's float BGR (0..1) -> Lab formulas (D65, sRGB gamma), (N,3,H,W) -> (N,3,H,W)."""
    rgb = bgr.flip(1)
    lin = torch.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    m = torch.tensor([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169],
                      [0.019334, 0.119193, 0.950227]], device=bgr.device, dtype=bgr.dtype)
    xyz = torch.einsum("ij,njhw->nihw", m, lin)
    xyz = xyz / torch.tensor([0.950456, 1.0, 1.088754], device=bgr.device, dtype=bgr.dtype).view(1, 3, 1, 1)
    f = torch.where(xyz > 0.008856, xyz.clamp_min(1e-12) ** (1 / 3), 7.787 * xyz + 16 / 116)
    big_l = torch.where(xyz[:, 1] > 0.008856, 116 * f[:, 1] - 16, 903.3 * xyz[:, 1])
    return torch.stack([big_l, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], dim=1)


def random_crop(img, rng, crop, scale):
    """A crop x crop window of `img` (H,W,3 uint8 tensor) at `scale` times its
    size (at least crop x crop), mirrored by coin flip: (3, crop, crop) float 0..1."""
    h, w = img.shape[:2]
    scale = max(scale, crop / min(h, w))
    window = min(min(h, w), max(1, int(round(crop / scale))))
    y, x = int(rng.integers(h - window + 1)), int(rng.integers(w - window + 1))
    part = img[y:y + window, x:x + window].permute(2, 0, 1)[None].float() / 255.0
    out = F.interpolate(part, size=(crop, crop), mode="bilinear", align_corners=False,
                        antialias=window > crop)[0]
    return out.flip(2) if rng.random() < 0.5 else out


def auc_torch(pred_ab, true_ab):
    """Zhang et al.'s AuC (train.auc) on tensors (2,H,W)."""
    err = (pred_ab - true_ab).pow(2).sum(0).sqrt().ravel()
    thresholds = torch.arange(151, device=err.device, dtype=err.dtype)
    frac = (err[None, :] <= thresholds[:, None]).float().mean(dim=1)
    return float((frac.sum() - 0.5 * (frac[0] + frac[-1])) / 150.0 * 100.0)


def validate(model, photos, centres, max_side, l_offset, l_scale, dev):
    """Mean AuC and mean chroma per temperature over the packed val photos, and grey's AuC."""
    import train
    model.eval()
    auc = {t: [] for t in TEMPERATURES}
    chroma = {t: [] for t in TEMPERATURES}
    grey = []
    with torch.no_grad():
        for img in photos:
            lab = bgr_to_lab(torch.from_numpy(img).to(dev).permute(2, 0, 1)[None].float() / 255.0)
            h, w = img.shape[:2]
            rh, rw = train.fit_size(h, w, max_side, MULTIPLE)
            l_in = F.interpolate(lab[:, :1], size=(rh, rw), mode="area" if rh <= h else "bilinear")
            logits = model((l_in + l_offset) * l_scale).float()
            truth = lab[0, 1:]
            grey.append(auc_torch(torch.zeros_like(truth), truth))
            for t in TEMPERATURES:
                p = torch.softmax(logits / t, dim=1)
                ab = torch.einsum("nkhw,kc->nchw", p, centres)
                ab = F.interpolate(ab, size=(h, w), mode="bilinear", align_corners=False)[0]
                auc[t].append(auc_torch(ab, truth))
                chroma[t].append(float(ab.pow(2).sum(0).sqrt().mean()))
    model.train()
    return ({t: float(np.mean(v)) for t, v in auc.items()}, {t: float(np.mean(v)) for t, v in chroma.items()},
            float(np.mean(grey)))


def build_model(backbone_dir, num_bins, width, backbone="mobilenet_v2"):
    trunk = Trunk(KerasGraph.load(backbone_dir), backbone)
    return Colorizer(trunk, Head(num_bins, backbone, width))


def trainable_names(model, unfreeze_from):
    """The trunk's parameters at and after layer `unfreeze_from` (in graph
    order); 'none' trains the head alone, 'all' the whole trunk too."""
    if unfreeze_from == "none":
        return set()
    graph = model.trunk.graph
    if unfreeze_from != "all" and unfreeze_from not in graph.order:
        fail(f"--unfreeze-from: no layer '{unfreeze_from}' in the backbone")
    start = 0 if unfreeze_from == "all" else graph.order.index(unfreeze_from)
    stop = graph.order.index(model.trunk.scene) + 1  # the classifier after it is never run
    later = {n.replace(".", "_") for n in graph.order[start:stop]}
    return {f"trunk.graph.layers.{n}.{p}" for n, layer in graph.layers.items() if n in later
            for p, _ in layer.named_parameters()}


def train_main(args):
    dev = torch.device(args.device)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log_file = open(os.path.join(args.out, f"{args.name}_log.txt"), "w")

    def log(line):
        print(f"[{args.name}] {line}", flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    log("# python3 experiments/cnn/finetune.py train " + " ".join(sys.argv[2:]))
    gpu = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    log(f"# torch {torch.__version__}, {gpu}, seed {args.seed}")
    info, photos, centres_np, counts = load_pack(args.pack)
    kinds = [(m["split"], m["dataset"]) for m in info["photos"]]
    train_idx = [i for i, k in enumerate(kinds) if k[0] == "train"]
    datasets = sorted({kinds[i][1] for i in train_idx})
    groups = [[i for i in train_idx if kinds[i][1] == d] for d in datasets]
    val = [photos[i] for i, k in enumerate(kinds) if k[0] == "val"]
    if args.limit:
        groups = [g[:args.limit] for g in groups]
        val = val[:args.limit]
    on_dev = {i: torch.from_numpy(photos[i]).to(dev) for g in groups for i in g}
    log(f"# {sum(map(len, groups))} training photos (" +
        ", ".join(f"{d} {len(g)}" for d, g in zip(datasets, groups)) + f"), {len(val)} validation photos")
    centres = torch.from_numpy(centres_np).to(dev)
    weights = None
    if args.rebalance > 0:
        import train
        weights = torch.from_numpy(train.rebalance_weights(centres_np, counts, args.rebalance)).to(dev)
    model = build_model(os.path.join(args.pack, "backbone"), len(centres_np), args.width).to(dev)
    unfrozen = trainable_names(model, args.unfreeze_from)
    head_params, trunk_params = [], []
    for n, p in model.named_parameters():
        if n.startswith("head."):
            head_params.append(p)
        elif n in unfrozen:
            p.requires_grad_(True)
            trunk_params.append(p)
    log(f"# head {sum(p.numel() for p in head_params)} parameters at lr {args.lr}, trunk "
        f"{sum(p.numel() for p in trunk_params)} trained from '{args.unfreeze_from}' at lr {args.trunk_lr}, "
        f"rebalance {args.rebalance}, batch {args.batch}, crop {args.crop}")
    groups_opt = [{"params": head_params, "lr": args.lr}]
    if trunk_params:
        groups_opt.append({"params": trunk_params, "lr": args.trunk_lr})
    opt = torch.optim.AdamW(groups_opt, weight_decay=args.weight_decay)
    base_lrs = [g["lr"] for g in opt.param_groups]
    l_offset, l_scale = INPUT_RANGES["pm1"]
    side_scale = args.max_side / info["side"]
    amp = dev.type == "cuda"

    def one_step(step, total):
        frac = step / total
        warm = min(1.0, step / max(1, 0.05 * total))
        for g, lr in zip(opt.param_groups, base_lrs):
            g["lr"] = lr * warm * 0.5 * (1 + math.cos(math.pi * frac))
        which = rng.integers(len(groups), size=args.batch)
        crops = []
        for g in which:
            img = on_dev[groups[g][rng.integers(len(groups[g]))]]
            jitter = float(np.exp(rng.uniform(np.log(0.8), np.log(1.25))))
            crops.append(random_crop(img, rng, args.crop, side_scale * jitter))
        lab = bgr_to_lab(torch.stack(crops))
        l_in = (lab[:, :1] + l_offset) * l_scale
        target = soft_encode(F.avg_pool2d(lab[:, 1:], OUTPUT_STRIDE), centres)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=amp):
            logits = model(l_in)
        loss = soft_cross_entropy(logits.float(), target, weights).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    def save(tag):
        keep = {n: p.detach().float().cpu().numpy() for n, p in model.named_parameters()
                if n.startswith("head.") or n in unfrozen}
        keep["__centres"] = centres_np
        path = os.path.join(args.out, f"{args.name}.npz")
        np.savez(path + ".partial.npz", **keep)
        os.replace(path + ".partial.npz", path)
        log(f"# saved {len(keep) - 1} tensors ({tag})")

    def report(step):
        res, chroma, grey = validate(model, val, centres, args.max_side, l_offset, l_scale, dev)
        log(f"val step {step}: grey {grey:.2f}  " + "  ".join(
            f"T={t} AuC {res[t]:.2f} chroma {chroma[t]:.1f}" for t in TEMPERATURES))

    model.train()
    start = time.time()
    probe = min(30, args.steps or 30)
    running = None
    for s in range(probe):  # at ~zero learning rate: timing only
        if s == 10:  # the first steps pay for start-up (kernel choice, caches)
            if dev.type == "cuda":
                torch.cuda.synchronize()
            timed = time.time()
        running = one_step(s, 10 ** 9)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    per_step = (time.time() - timed) / (probe - 10) if probe > 10 else 1.0
    total = args.steps or max(probe + 1, int((args.minutes * 60 - (time.time() - start)) / per_step))
    timing = f"{per_step * 1000:.0f} ms per step over steps 10..{probe}: " if probe > 10 else ""
    log(f"# {timing}{total} steps in all")
    checkpoints = {int(total * f) for f in (0.5,)} | {total}
    for step in range(probe, total + 1):
        loss = one_step(step, total)
        running = 0.98 * running + 0.02 * loss
        if step % 200 == 0 or step == total:
            log(f"step {step:6d}  loss {loss:.4f}  smoothed {running:.4f}  "
                f"lr {opt.param_groups[0]['lr']:.2e}  {time.time() - start:7.1f} s")
        if step in checkpoints:
            save(f"step {step}")
            report(step)
    log(f"# trained {total} steps in {time.time() - start:.0f} s")


# --- card -------------------------------------------------------------------

def card_main(args):
    import import_backbone
    import train
    import train_pretrained
    arrays = dict(np.load(args.weights))
    centres_np = arrays.pop("__centres")
    model = build_model(import_backbone.import_dir("mobilenet_v2"), len(centres_np), args.width)
    state = model.state_dict()
    for n, a in arrays.items():
        if n not in state or tuple(state[n].shape) != a.shape:
            fail(f"{args.weights}: tensor {n} does not fit the network")
        state[n] = torch.from_numpy(a)
    model.load_state_dict(state)
    model.eval()
    with open(os.path.join(args.pack, "photos.json")) as f:
        info = json.load(f)
    staging, log, log_file, command = train.start_run(args.out, "finetune.py", 2, 0)
    log_path = os.path.splitext(args.weights)[0] + "_log.txt"
    if os.path.isfile(log_path):
        with open(log_path) as f:
            log("# the training run's log:\n" + f.read().rstrip())
    model_path = os.path.join(staging, "tint_hc.onnx")
    worst = train.export_and_check(model, model_path, os.path.join(staging, "check"), log)
    np.save(os.path.join(staging, "ab_bins.npy"), centres_np.astype(np.float32))
    version, integrity = import_backbone.locked_integrity()
    trained = sum(a.size for a in arrays.values())
    used = trainable_names(model, "all")  # the trunk up to its scene layer: what ONNX holds
    params = sum(p.numel() for n, p in model.named_parameters() if n.startswith("head.") or n in used)
    training = (args.trained_as or "(train command not given)") + \
        f"; card: experiments/cnn/finetune.py card --temperature {args.temperature}"
    with open(os.path.join(staging, "card.toml"), "w") as f:
        about = train_pretrained.ABOUT.format(
            backbone="mobilenet_v2", params=params, head_params=trained, bins=len(centres_np),
            package=f"nsfwjs@{version}", integrity=integrity, command=training,
            data="BSDS500 train, CamVid train, the ImageNet sample less near_grayscale.txt; each data set "
                 "drawn equally often")
        about = about.replace("on a frozen pretrained", "on a pretrained").replace(
            "The head was trained", "The network was fine-tuned")
        f.write(train.card_text("finetune.py", about,
                                name=args.name, sha=train.sha256_of(model_path), max_side=args.max_side,
                                multiple=MULTIPLE, l_offset=INPUT_RANGES["pm1"][0],
                                l_scale=INPUT_RANGES["pm1"][1], temperature=args.temperature))
    manifest = {"format": "tint-training-manifest", "version": 1,
                "images": [{"dataset": m["dataset"], "folder": m["folder"], "file": m["file"],
                            "sha256": m["sha256"]} for m in info["photos"] if m["split"] == "train"]}
    with open(os.path.join(staging, "training_manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    log(f"# exported {os.path.getsize(model_path)} bytes, OpenCV check max |diff| {worst:.3g}")
    log_file.close()
    print(f"finetune.py: wrote {train.finish_run(staging, args.out)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="pack the training and validation photos and the backbone")
    p.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT", "../shared/data"))
    p.add_argument("--out", default=os.path.join(HERE, "backbone", "pack"))
    p.add_argument("--side", type=int, default=400, help="training photos' longest side")
    p.add_argument("--max-side", type=int, default=320, help="the network's input side in tint")
    p.add_argument("--quality", type=int, default=90)
    p.add_argument("--backbone", default="mobilenet_v2", choices=sorted(BACKBONES))
    p.add_argument("--limit", type=int, default=0, help="photos per data set (smoke test)")
    t = sub.add_parser("train", help="train on a pack")
    t.add_argument("--pack", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--name", required=True)
    t.add_argument("--unfreeze-from", default="none", help="first trunk layer trained; none | all | LAYER")
    t.add_argument("--minutes", type=float, default=6.0, help="training time (sets the steps)")
    t.add_argument("--steps", type=int, default=0, help="the steps instead of --minutes")
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--crop", type=int, default=224)
    t.add_argument("--max-side", type=int, default=320)
    t.add_argument("--width", type=int, default=160)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--trunk-lr", type=float, default=1e-4)
    t.add_argument("--weight-decay", type=float, default=1e-4)
    t.add_argument("--rebalance", type=float, default=0.0)
    t.add_argument("--limit", type=int, default=0, help="photos per data set (smoke)")
    t.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    t.add_argument("--seed", type=int, default=0)
    c = sub.add_parser("card", help="write a model card from trained tensors")
    c.add_argument("--weights", required=True)
    c.add_argument("--pack", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--name", default="tint-mnv2-ft")
    c.add_argument("--trained-as", default="", help="the train command and where it ran, for the card")
    c.add_argument("--temperature", type=float, default=0.38)
    c.add_argument("--max-side", type=int, default=320)
    c.add_argument("--width", type=int, default=160)
    args = ap.parse_args()
    if args.command == "pack":
        pack(args)
    elif args.command == "train":
        if args.crop % MULTIPLE:
            fail(f"--crop must be a multiple of {MULTIPLE}")
        if not 0.0 <= args.rebalance <= 1.0:
            fail("--rebalance must be in 0..1")
        train_main(args)
    else:
        card_main(args)


if __name__ == "__main__":
    main()
