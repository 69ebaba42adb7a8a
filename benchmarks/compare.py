#!/usr/bin/python3
"""Compares two benchmark results and prints the ratios.

usage: benchmarks/compare.py BASE NEW [--filter REGEX]

BASE and NEW are Google Benchmark JSON files or folders of them (a run of
scripts/bench.sh, e.g. benchmarks/results/<machine>_<commit>/). For every
benchmark in both: the times, NEW/BASE (below 1 = NEW is faster), and the
ratio of every rate counter (".../s"). Accuracy counters (label_agreement,
top1_identity, recall_at_k) are shown side by side, since a speed-up that
costs accuracy must show it. With repetitions on both sides
(--benchmark_repetitions N), the times are compared by a two-sided
Mann-Whitney U test, as Google Benchmark's own tools/compare.py does: its
p-value, and "differ" below 0.05; under 9 repetitions a side the test is
weak, and the line says so.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchjson  # noqa: E402

ACCURACY = ("label_agreement", "top1_identity", "recall_at_k")
ALPHA = 0.05
STRONG_REPETITIONS = 9


def u_test(a, b):
    """The two-sided Mann-Whitney U test's p-value of two samples, or None."""
    if len(a) < 2 or len(b) < 2:
        return None
    try:
        from scipy.stats import mannwhitneyu
    except ImportError:
        return None
    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue)


def fmt_seconds(s):
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def main():
    ap = argparse.ArgumentParser(description="Ratios between two benchmark results.")
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("--filter", default="", help="only benchmarks whose name matches this regex")
    args = ap.parse_args()
    base, base_ctx = benchjson.load(args.base)
    new, new_ctx = benchjson.load(args.new)
    pattern = re.compile(args.filter)
    common = [n for n in base if n in new and pattern.search(n)]
    print(f"base: {args.base} ({base_ctx.get('tint_commit', '?')}, {base_ctx.get('tint_mode', '?')})")
    print(f"new:  {args.new} ({new_ctx.get('tint_commit', '?')}, {new_ctx.get('tint_mode', '?')})")
    if not common:
        sys.exit("error: no benchmark is in both results")
    width = max(len(n) for n in common)
    print(f"{'benchmark':<{width}}  {'base':>10}  {'new':>10}  {'new/base':>8}  other")
    for name in common:
        b, n = base[name], new[name]
        ratio = n["seconds"] / b["seconds"] if b["seconds"] > 0 else float("nan")
        extra = []
        for key in sorted(set(b) & set(n)):
            if key.endswith("/s") and b[key] > 0:
                extra.append(f"{key} x{n[key] / b[key]:.3g}")
            elif key in ACCURACY:
                extra.append(f"{key} {b[key]:.3f}->{n[key]:.3f}")
        p = u_test(b["samples"], n["samples"])
        if p is not None:
            weak = min(len(b["samples"]), len(n["samples"])) < STRONG_REPETITIONS
            extra.append(f"U test p {p:.3g} ({'differ' if p < ALPHA else 'same'}"
                         f"{', few repetitions' if weak else ''})")
        print(f"{name:<{width}}  {fmt_seconds(b['seconds']):>10}  {fmt_seconds(n['seconds']):>10}  "
              f"{ratio:>8.3f}  {', '.join(extra)}")
    only = sorted(set(base) ^ set(new))
    if only:
        print(f"({len(only)} benchmarks are in only one of the two results)")


if __name__ == "__main__":
    main()
