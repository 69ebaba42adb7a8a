#!/usr/bin/python3
"""Peers measured beside tint on the same photo, with Debian's python3-*.

1. The original tool's matching: per-pixel brute-force cosine similarity,
   as scikit-learn's ``cosine_similarity`` does it, of each query pixel's
   neighborhood vector against the whole patch database, best match by
   argmax. Timed per pixel (one call per pixel, as the original tool went)
   on a sample of pixels, and batched (1024 pixels per call); both are
   extrapolated to the photo's query count to give seconds per photo.
2. scikit-image's normalized cuts on SLIC superpixels (slic, rag_mean_color
   in similarity mode, cut_normalized), with about as many superpixels as
   tint's graph has nodes.

The vectors are tint's defaults computed again in numpy (7 x 7 window of
CIE L, minus its mean, / 100, then mean and sd x 0.07), on the shipped
patch database sampled every 2 px, and on the Otsu-useful pixels of the
photo on tint's query grid (every 3rd pixel in x and y, its default). Output: Google Benchmark JSON, so that
benchmarks/compare.py and benchmarks/table.py read it like tint's own.

usage: benchmarks/peers.py [--photo samples/bridge.jpg] [--out FILE] [--quick]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchjson  # noqa: E402

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WINDOW = 7
STAT_SCALE = 1.0 * WINDOW / 100.0  # statistics_weight * sqrt(window^2) / 100


def lightness(bgr):
    lab = cv2.cvtColor(bgr.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab)
    return lab[:, :, 0]


def vectors_at(L, ys, xs, padded=True):
    """Default neighborhood vectors at (ys, xs); L padded by reflect-101."""
    h = WINDOW // 2
    P = np.pad(L, h, mode="reflect") if padded else L
    off = 0 if padded else -h
    win = np.lib.stride_tricks.sliding_window_view(P, (WINDOW, WINDOW))
    w = win[ys + off, xs + off].reshape(len(ys), -1).astype(np.float64)
    mean = w.mean(axis=1, keepdims=True)
    sd = np.sqrt(np.maximum(0.0, (w * w).mean(axis=1, keepdims=True) - mean * mean))
    return np.hstack([(w - mean) / 100.0, mean * STAT_SCALE, sd * STAT_SCALE]).astype(np.float32)


def database(quick):
    with open(os.path.join(ROOT, "patchdb", "manifest.json")) as f:
        manifest = json.load(f)
    patches = manifest["patches"][: 40 if quick else None]
    vecs, labels = [], []
    h = WINDOW // 2
    for p in patches:
        L = lightness(cv2.imread(os.path.join(ROOT, "patchdb", p["file"]), cv2.IMREAD_COLOR))
        ys, xs = np.mgrid[h : L.shape[0] - h : 2, h : L.shape[1] - h : 2]
        vecs.append(vectors_at(L, ys.ravel(), xs.ravel(), padded=False))
        labels += [p["label"]] * ys.size
    return np.vstack(vecs), np.array(labels)


def queries(L, stride):
    from skimage.filters import threshold_otsu

    dark = min(threshold_otsu(L), 25.0)
    ys, xs = np.mgrid[0 : L.shape[0] : stride, 0 : L.shape[1] : stride]
    ys, xs = ys.ravel(), xs.ravel()
    useful = L[ys, xs] >= dark
    return vectors_at(L, ys[useful], xs[useful])


def entry(name, seconds, **counters):
    e = {"name": name, "run_name": name, "run_type": "iteration", "iterations": 1,
         "real_time": seconds * 1e3, "cpu_time": seconds * 1e3, "time_unit": "ms"}
    e.update(counters)
    return e


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photo", default="", help="default samples/bridge.jpg (--quick: tests/data/bridge_small.jpg)")
    ap.add_argument("--out", default="")
    ap.add_argument("--quick", action="store_true", help="small database and samples (CI)")
    ap.add_argument("--query-stride", type=int, default=3, help="tint's query grid (its default: 3)")
    args = ap.parse_args()
    load_start = benchjson.loadavg()
    try:
        from sklearn.metrics.pairwise import cosine_similarity
        from skimage.segmentation import slic
        try:
            from skimage import graph as skgraph  # scikit-image >= 0.20
            skgraph.cut_normalized
        except (ImportError, AttributeError):
            from skimage.future import graph as skgraph  # Debian 12: 0.19
    except ImportError as e:
        sys.exit(f"error: {e}; install python3-sklearn and python3-skimage")
    if not args.photo:
        args.photo = os.path.join(ROOT, "tests/data/bridge_small.jpg" if args.quick else "samples/bridge.jpg")
    bgr = cv2.imread(args.photo, cv2.IMREAD_COLOR)
    if bgr is None:
        sys.exit(f"error: cannot read {args.photo}")
    L = lightness(bgr)
    db, labels = database(args.quick)
    Q = queries(L, args.query_stride)
    photo = f"{L.shape[1]}x{L.shape[0]}"
    results = []

    # 1a. One cosine_similarity call per pixel.
    sample = Q[: 20 if args.quick else 300]
    t = time.perf_counter()
    for q in sample:
        np.argmax(cosine_similarity(q[None, :], db)[0])
    per_pixel = (time.perf_counter() - t) / len(sample)
    results.append(entry(f"Peer_SklearnCosine/per_pixel/{photo}", per_pixel * len(Q),
                         queries=len(Q), db_size=len(db), sampled_queries=len(sample),
                         **{"queries/s": 1.0 / per_pixel}))
    # 1b. Batched, 1024 pixels per call.
    batch = Q[: 256 if args.quick else 4096]
    t = time.perf_counter()
    for i in range(0, len(batch), 1024):
        np.argmax(cosine_similarity(batch[i : i + 1024], db), axis=1)
    per_query = (time.perf_counter() - t) / len(batch)
    results.append(entry(f"Peer_SklearnCosine/batched/{photo}", per_query * len(Q),
                         queries=len(Q), db_size=len(db), sampled_queries=len(batch),
                         **{"queries/s": 1.0 / per_query}))

    # 2. scikit-image: SLIC superpixels, RAG, normalized cuts.
    image = np.repeat(L[:, :, None] * 2.55, 3, axis=2)  # L as grey, 0..255
    # About as many superpixels as tint's graph has nodes: SLIC regions of
    # 12 px (bench_ncut's "nodes": 1074 at 481 x 321).
    n_segments = max(16, L.size // 144)
    reps = 1 if args.quick else 3
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        sp = slic(image, n_segments=n_segments, compactness=10, start_label=0, channel_axis=-1)
        rag = skgraph.rag_mean_color(image, sp, mode="similarity")
        segments = skgraph.cut_normalized(sp, rag)
        times.append(time.perf_counter() - t)
    results.append(entry(f"Peer_SkimageNCut/superpixels/{photo}", float(np.median(times)),
                         nodes=int(sp.max() + 1), segments=int(len(np.unique(segments))),
                         repetitions=reps))

    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    out = {"context": {"date": datetime.datetime.now().isoformat(timespec="seconds"), "peers_commit": commit,
                       "host_name": platform.node(), "executable": "benchmarks/peers.py",
                       "num_cpus": os.cpu_count(), "tint_mode": "quick" if args.quick else "full",
                       "load_avg_start": load_start, "load_avg_end": benchjson.loadavg(),
                       "python": platform.python_version(),
                       "sklearn": __import__("sklearn").__version__,
                       "skimage": __import__("skimage").__version__, "numpy": np.__version__},
           "benchmarks": results}
    text = json.dumps(out, indent=2)
    if args.out:
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, args.out)
    for r in results:
        extra = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()
                          if k not in ("name", "run_name", "run_type", "iterations", "real_time", "cpu_time", "time_unit"))
        print(f"{r['name']}: {r['real_time'] / 1e3:.3f} s ({extra})")


if __name__ == "__main__":
    main()
