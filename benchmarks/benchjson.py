"""Reading Google Benchmark JSON (tint's benchmarks and benchmarks/peers.py).

A result is a JSON file or a folder of them (as scripts/bench.sh writes).
Repeated runs of one benchmark (--benchmark_repetitions) are reduced to
their median, and their times kept as "samples" (for compare.py's U test);
aggregate rows (mean, median, stddev) are ignored.
"""
import json
import os
import re
import statistics
import sys

TO_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
NOT_COUNTERS = {"name", "run_name", "run_type", "family_index", "per_family_instance_index", "repetitions",
                "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit",
                "aggregate_name", "aggregate_unit", "error_occurred", "error_message"}


SUFFIXES = re.compile(r"/(iterations:\d+|repeats:\d+|real_time|manual_time|min_time:[\d.]+)")


def plain_name(name):
    """The name without run options, so that quick and full runs match."""
    return SUFFIXES.sub("", name)


def files_of(path):
    if os.path.isdir(path):
        return sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".json"))
    if os.path.isfile(path):
        return [path]
    sys.exit(f"error: {path}: no such file or folder")


def load(path):
    """{name: {"seconds": s, counters...}} and the merged contexts."""
    runs, context = {}, {}
    for f in files_of(path):
        try:
            with open(f) as fh:
                data = json.load(fh)
            rows = data["benchmarks"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            sys.exit(f"error: {f}: not Google Benchmark JSON ({e})")
        context.update(data.get("context", {}))
        for b in rows:
            if b.get("run_type") == "aggregate" or b.get("error_occurred"):
                continue
            name = plain_name(b.get("run_name", b["name"]))
            row = {"seconds": b["real_time"] * TO_SECONDS[b.get("time_unit", "ns")]}
            row.update({k: v for k, v in b.items() if k not in NOT_COUNTERS and isinstance(v, (int, float))})
            runs.setdefault(name, []).append(row)
    merged = {}
    for name, rows in runs.items():
        keys = set().union(*rows)
        merged[name] = {k: statistics.median(r[k] for r in rows if k in r) for k in keys}
        merged[name]["runs"] = len(rows)
        merged[name]["samples"] = [r["seconds"] for r in rows]
    return merged, context
