#!/usr/bin/python3
"""The keyframe-video benchmark on CamVid test's sequences.

    /usr/bin/python3 experiments/sequence/camvid_sequences.py --out results/sequence --jobs 2

For k = 1, 5 and 15, each test sequence (its annotated frames, 1 s apart,
sorted by name) is cut into clips of k + 1 frames: the first, in colour, is
the keyframe; the k after it are coloured from it by `tint
colorize-sequence --score`. Clips do not overlap. Every method that takes a
reference runs with the temporal term off (0) and on (0.5, not tuned: the
flag's default). Per variant and k the script reports the mean over all
coloured frames of AuC, rebalanced AuC (the clip's own ab prior) and PSNR,
and the mean flicker over consecutive coloured frames (none at k = 1), and
writes <out>/summary.json with the commit it ran at.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KS = (1, 5, 15)
VARIANTS = (("welsh", 0.0), ("welsh", 0.5), ("classic", 0.0), ("classic", 0.5))


def clips(frames, k):
    by_sequence = {}
    for f in frames:
        by_sequence.setdefault(f.split("_")[0], []).append(f)
    for sequence in sorted(by_sequence):
        seq = by_sequence[sequence]
        for start in range(0, len(seq) - k, k + 1):
            yield seq[start], seq[start + 1:start + 1 + k]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--data-root", default=os.environ.get("TINT_DATA_ROOT", "../shared/data"))
    parser.add_argument("--tint", default=os.path.join(ROOT, "build", "bin", "tint"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="clips per k (0: all; for a quick try)")
    args = parser.parse_args()
    # The commit and whether the tree differs from it, at the start (what ran).
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True).stdout.strip())
    camvid = os.path.join(args.data_root, "camvid", "test")
    if not os.path.isdir(camvid):
        sys.exit(f"camvid_sequences.py: error: {camvid} does not exist")
    frames = sorted(f for f in os.listdir(camvid) if f.endswith(".png"))
    tasks = []
    for k in KS:
        for n, (key, clip) in enumerate(clips(frames, k)):
            if args.limit and n >= args.limit:
                break
            folder = os.path.join(args.out, "clips", f"k{k}", os.path.splitext(key)[0])
            os.makedirs(folder, exist_ok=True)
            for f in os.listdir(folder):
                os.remove(os.path.join(folder, f))
            for f in clip:
                os.symlink(os.path.abspath(os.path.join(camvid, f)), os.path.join(folder, f))
            for method, temporal in VARIANTS:
                out = os.path.join(args.out, f"{method}-t{temporal}", f"k{k}", os.path.splitext(key)[0])
                tasks.append((k, method, temporal, folder, os.path.join(camvid, key), out))

    def run(task):
        k, method, temporal, folder, key, out = task
        cmd = [args.tint, "colorize-sequence", folder, "--keyframe", key, "-o", out, "--method",
               method, "--temporal", str(temporal), "--score"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"camvid_sequences.py: error: {' '.join(cmd)}: {r.stderr.strip()}")
        return task, json.load(open(os.path.join(out, "scores.json")))

    totals = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for (k, method, temporal, _, _, _), scores in pool.map(run, tasks):
            t = totals.setdefault((method, temporal, k), {"frames": 0, "pairs": 0, "clips": 0,
                                                          "auc": 0.0, "auc_rebalanced": 0.0,
                                                          "psnr": 0.0, "flicker": 0.0})
            t["clips"] += 1
            for f in scores["frames"]:
                t["frames"] += 1
                for key in ("auc", "auc_rebalanced", "psnr"):
                    t[key] += f[key]
            for p in scores["pairs"]:
                t["pairs"] += 1
                t["flicker"] += p["flicker"]
    rows = []
    for (method, temporal, k), t in sorted(totals.items()):
        row = {"method": method, "temporal": temporal, "k": k, "clips": t["clips"],
               "frames": t["frames"], "pairs": t["pairs"]}
        for key in ("auc", "auc_rebalanced", "psnr"):
            row[key] = t[key] / t["frames"]
        row["flicker"] = t["flicker"] / t["pairs"] if t["pairs"] else None
        rows.append(row)
    summary = {"commit": commit, "dirty": dirty, "rows": rows}
    with open(os.path.join(args.out, "summary.json.tmp"), "w") as f:
        json.dump(summary, f, indent=1)
    os.replace(os.path.join(args.out, "summary.json.tmp"), os.path.join(args.out, "summary.json"))
    print("| method | temporal | k | clips / frames | AuC | rebalanced AuC | PSNR | flicker |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        flicker = f"{r['flicker']:.2f}" if r["flicker"] is not None else "–"
        print(f"| {r['method']} | {r['temporal']} | {r['k']} | {r['clips']} / {r['frames']} | "
              f"{r['auc']:.2f} | {r['auc_rebalanced']:.2f} | {r['psnr']:.2f} | {flicker} |")


if __name__ == "__main__":
    main()
