"""Reading Google Benchmark JSON (tint's benchmarks and benchmarks/peers.py).

A result is a JSON file or a folder of them (as scripts/bench.sh writes).
Repeated runs of one benchmark (--benchmark_repetitions) are reduced to
their median, and their times kept as "samples" (for compare.py's U test);
aggregate rows (mean, median, stddev) are ignored.

Every results file records the load average at its start and end
(context "load_avg_start" and "load_avg_end", the 1-, 5- and 15-minute
figures of /proc/loadavg; scripts/bench.sh stamps the benchmark
executables' files, process.py and peers.py write their own), and load()
warns on stderr when a file's 1-minute figure exceeds its core count: its
timings were taken on a loaded machine.
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


HYPERFINE = "hyperfine.json"  # hyperfine's own format (scripts/bench.sh), read by table.py


def files_of(path):
    if os.path.isdir(path):
        return sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".json") and f != HYPERFINE)
    if os.path.isfile(path):
        return [path]
    sys.exit(f"error: {path}: no such file or folder")


def loadavg():
    """The 1-, 5- and 15-minute load averages, or [] where /proc has none."""
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except (OSError, ValueError):
        return []


def loaded(context):
    """Why a results file's timings are suspect ("" when they are not): the
    1-minute load average at its start or end above its core count."""
    cores = context.get("num_cpus") or os.cpu_count() or 1
    seen = [(when, context.get(f"load_avg_{when}") or []) for when in ("start", "end")]
    high = [f"{v[0]:.2f} at {when}" for when, v in seen if v and v[0] > cores]
    return f"load average {' and '.join(high)} exceeds its {cores} cores" if high else ""


def stamp(path, start, end):
    """Writes the load averages at a run's start and end into a results file."""
    with open(path) as f:
        data = json.load(f)
    data.setdefault("context", {}).update({"load_avg_start": start, "load_avg_end": end})
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)


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
        why = loaded(data.get("context", {}))
        if why:
            print(f"warning: {f}: {why}: its timings may be slow", file=sys.stderr)
        for b in rows:
            if b.get("run_type") == "aggregate" or b.get("error_occurred"):
                continue
            name = plain_name(b.get("run_name", b["name"]))
            row = {"seconds": b["real_time"] * TO_SECONDS[b.get("time_unit", "ns")]}
            row.update({k: v for k, v in b.items() if k not in NOT_COUNTERS and isinstance(v, (int, float))})
            # process.py keeps every run of a case in one row.
            row["_runs"] = [float(x) for x in b.get("seconds_runs", [row["seconds"]])]
            runs.setdefault(name, []).append(row)
    merged = {}
    for name, rows in runs.items():
        keys = set().union(*rows) - {"_runs"}
        merged[name] = {k: statistics.median(r[k] for r in rows if k in r) for k in keys}
        merged[name]["samples"] = [x for r in rows for x in r["_runs"]]
        merged[name]["runs"] = len(merged[name]["samples"])
    return merged, context


if __name__ == "__main__":
    # scripts/bench.sh: benchjson.py loadavg | benchjson.py stamp FILE "START" "END"
    if sys.argv[1:2] == ["loadavg"]:
        print(" ".join(str(x) for x in loadavg()))
    elif sys.argv[1:2] == ["stamp"] and len(sys.argv) == 5:
        stamp(sys.argv[2], [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()])
    else:
        sys.exit("usage: benchjson.py loadavg | benchjson.py stamp FILE 'START' 'END'")
