#!/usr/bin/python3
"""Matcher backends side by side: pipeline label agreement against speed.

usage: benchmarks/pareto.py RESULTS [--plot FILE.png]

RESULTS is a Google Benchmark JSON (or a folder of them) holding
BM_ClassicMatcher rows (build/bin/bench_end_to_end): every matcher setting
run through the whole classic pipeline on the same photos, its output labels
compared with exact matching's (`label_agreement`) and its matching time per
photo (`s_match`). Prints a Markdown table (speed-up = exact's matching time
over the setting's, whether the setting is on the Pareto front) and, with
--plot, draws agreement against speed-up with the issue's target region
(>= 20x at >= 97%).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchjson  # noqa: E402


def family_of(setting):
    """One line of the plot: a backend, and for FLANN which sweep (its
    checks at the default stride 3, at stride 2, the vote's confidence, or
    PCA's dimensions)."""
    parts = setting.split("/")
    for tag, what in (("vote:", "vote"), ("pca:", "PCA")):
        if any(part.startswith(tag) for part in parts):
            return f"{parts[0]} ({what})"
    if "query_stride:2" in parts:
        return f"{parts[0]} (stride 2)"
    return parts[0]


def main():
    ap = argparse.ArgumentParser(description="Matcher Pareto front from BM_ClassicMatcher.")
    ap.add_argument("results")
    ap.add_argument("--plot", default="")
    args = ap.parse_args()
    rows, ctx = benchjson.load(args.results)
    prefix = "BM_ClassicMatcher/"
    exact = rows.get(prefix + "exact")
    if not exact or not exact.get("s_match"):
        sys.exit(f"error: {args.results}: no BM_ClassicMatcher/exact row with s_match")
    points = []
    for name, r in sorted(rows.items()):
        if not name.startswith(prefix) or name == prefix + "exact" or not r.get("s_match"):
            continue
        setting = name[len(prefix):].rstrip("/")
        family = family_of(setting)
        points.append((family, setting, exact["s_match"] / r["s_match"], r["label_agreement"],
                       r["s_match"]))
    if not points:
        sys.exit(f"error: {args.results}: no matcher rows beside exact")
    front = {p[1] for p in points
             if not any(q[2] >= p[2] and q[3] >= p[3] and (q[2] > p[2] or q[3] > p[3]) for q in points)}
    print(f"Exact matching: {exact['s_match']:.3f} s per photo "
          f"({int(exact.get('photos', 0))} photos; {ctx.get('tint_commit', '?')}).\n")
    print("| setting | matching s/photo | speed-up vs exact | pixel label agreement | Pareto front |")
    print("|---|---|---|---|---|")
    for family, setting, speedup, agreement, s in sorted(points, key=lambda p: (p[0], -p[2])):
        print(f"| {setting} | {s:.3f} | {speedup:.1f}x | {100 * agreement:.1f}% | "
              f"{'yes' if setting in front else ''} |")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(9, 4.8), dpi=120)
        ax.axvspan(20, 1e4, ymin=0, ymax=1, alpha=0)
        ax.fill_between([20, 1e4], 97, 100, color="#cfe8cf", label="target: >= 20x at >= 97%")
        families = sorted({p[0] for p in points})
        for family, marker in zip(families, "osD^vx<>p*h"):
            fam = sorted((p for p in points if p[0] == family), key=lambda p: p[2])
            ax.plot([p[2] for p in fam], [100 * p[3] for p in fam], marker=marker, label=family)
            for p in fam:
                knob = [part for part in p[1].split("/")
                        if part.startswith(("checks:", "ef:", "nprobe:", "vote:", "pca:"))][-1:]
                ax.annotate(knob[0] if knob else p[1], (p[2], 100 * p[3]), fontsize=7,
                            xytext=(4, -10), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_xlim(min(p[2] for p in points) / 1.5, max(max(p[2] for p in points) * 1.5, 40))
        ax.set_ylim(min(80, min(100 * p[3] for p in points) - 1), 100)
        ax.set_xlabel("matching speed-up over exact (log)")
        ax.set_ylabel("output pixel labels equal to exact's (%)")
        ax.set_title("Matchers in the classic pipeline (BM_ClassicMatcher)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
        fig.tight_layout()
        tmp = args.plot + ".tmp.png"
        fig.savefig(tmp)
        os.replace(tmp, args.plot)
        print(f"\nwrote {args.plot}")


if __name__ == "__main__":
    main()
