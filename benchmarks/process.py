#!/usr/bin/python3
"""Whole-process benchmark: `tint` as a user runs it.

usage: benchmarks/process.py --tint BIN --photos DIR --out FILE.json
                             [--db DIR] [--baseline BIN --baseline-db DIR]
                             [--runs N] [--quick]

Each case runs the real binary N times after one warm-up run and keeps the
median wall time (real_time), with the mean, standard deviation, min and max
of the runs (mean_seconds, stddev_seconds, min_seconds, max_seconds, and the
runs themselves for compare.py's U test), and the median peak resident memory (ru_maxrss of the child,
from wait4). "Cold" cases first drop tint's own files and the shared
libraries it loads from the page cache (posix_fadvise DONTNEED), so the
process reads them from disk again. Classic and CNN cases run with -v and
keep the "ready in" time: from the start of main to the colorizer being
ready (database or model loaded), i.e. start-up beyond library loading.

With --baseline, every case is run with that binary too (its own database
copy, whose cache it built), interleaved run by run with the current one so
that both see the same machine, and the result holds the ratio.

Output: Google Benchmark JSON (benchmarks/benchjson.py reads it): one
benchmark per case, real_time the median in seconds, counters peak_rss_MB,
ready_s, and baseline_* when a baseline ran.
"""
import argparse
import atexit
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchjson  # noqa: E402

READY = re.compile(r"ready in ([0-9.]+) s")


def run_once(argv):
    """(wall seconds, peak RSS MB, stderr, exit code) of one run. The peak is
    the child's ru_maxrss from wait4; Linux starts it at the parent's peak at
    fork, so the runner keeps itself small (no numpy or OpenCV in it)."""
    err = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    text = err.read().decode(errors="replace")
    return wall, usage.ru_maxrss / 1024.0, text, proc.returncode


def evict(paths):
    """Drops the files' pages from the page cache (best effort)."""
    for p in paths:
        try:
            fd = os.open(p, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def libraries(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    return [m.group(1) for m in re.finditer(r"=> (\S+) \(", out)]


def files_under(folder):
    for root, _, names in os.walk(folder):
        for n in names:
            yield os.path.join(root, n)


def main():
    ap = argparse.ArgumentParser(description="Whole-process benchmark of tint.")
    ap.add_argument("--tint", required=True)
    ap.add_argument("--db", default="")
    ap.add_argument("--baseline", default="")
    ap.add_argument("--baseline-db", default="")
    ap.add_argument("--baseline-label", default="", help="what the baseline is (a commit), for the table")
    ap.add_argument("--photos", required=True, help="folder of photos (a folder run takes 100)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="1 run, 10 photos, no 12 Mpx case")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    runs = 1 if args.quick else args.runs
    load_start = benchjson.loadavg()
    if load_start and load_start[0] > (os.cpu_count() or 1):
        print(f"warning: load average {load_start[0]:.2f} exceeds the {os.cpu_count()} cores: "
              "timings will be slow", file=sys.stderr)

    photos = sorted(os.path.join(args.photos, f) for f in os.listdir(args.photos)
                    if f.lower().endswith((".jpg", ".png")))
    if not photos:
        sys.exit(f"error: {args.photos}: no photos")
    folder = photos[:10 if args.quick else 100]
    one = photos[0]
    work = tempfile.mkdtemp(prefix="tint-process-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # also when a run fails
    big = os.path.join(work, "12mpx.jpg")
    huge = os.path.join(work, "24mpx.jpg")
    if not args.quick:
        # Made in a child (Debian python3-opencv): a child's ru_maxrss starts
        # from its parent's peak at fork, so this runner must stay small.
        for path, size in ((big, "(4000, 3000)"), (huge, "(6000, 4000)")):
            subprocess.run(["/usr/bin/python3", "-c",
                            "import cv2, sys; image = cv2.imread(sys.argv[1]); cv2.imwrite(sys.argv[2], "
                            f"cv2.resize(image, {size}, interpolation=cv2.INTER_CUBIC), "
                            "[cv2.IMWRITE_JPEG_QUALITY, 92])", one, path], check=True)

    # Strokes for the levin cases: 20 strokes (12x3 px, on a fixed grid) in the
    # photo's own colours, alpha 255 under them; and both at 3x (1443x963 for
    # the sample), the size of the comparison with a Python port of Levin et
    # al.'s code.
    hints = os.path.join(work, "hints.png")
    one_3x = os.path.join(work, "one_3x.png")
    hints_3x = os.path.join(work, "hints_3x.png")
    subprocess.run(["/usr/bin/python3", "-c",
                    "import cv2, numpy as np, sys; p = cv2.imread(sys.argv[1]); h, w = p.shape[:2]\n"
                    "s = np.zeros((h, w, 4), np.uint8)\n"
                    "for i in range(20):\n"
                    "    x, y = w * (1 + i % 5) // 7, h * (1 + i // 5) // 6\n"
                    "    s[y:y + 3, x:x + 12, :3] = p[y:y + 3, x:x + 12]; s[y:y + 3, x:x + 12, 3] = 255\n"
                    "cv2.imwrite(sys.argv[2], s)\n"
                    "cv2.imwrite(sys.argv[3], cv2.resize(p, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC))\n"
                    "cv2.imwrite(sys.argv[4], cv2.resize(s, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST))",
                    one, hints, one_3x, hints_3x], check=True)
    reference = photos[1] if len(photos) > 1 else one

    binaries = {"current": (args.tint, args.db)}
    if args.baseline:
        binaries["baseline"] = (args.baseline, args.baseline_db)
    # A build from before `--jobs` colorizes a folder one photo at a time:
    # its -j 1 case is its only one.
    helps = {w: subprocess.run([b, "colorize", "--help"], capture_output=True, text=True).stdout
             for w, (b, _) in binaries.items()}
    has_jobs = {w: "--jobs" in text for w, text in helps.items()}
    # The guided modes are timed for builds that have them.
    has_guides = {w: "--reference" in text for w, text in helps.items()}
    has_weights = {w: "--hint-weights" in text for w, text in helps.items()}
    guided = ("welsh", "levin", "levin_symmetric", "levin_3x", "levin_3x_symmetric")

    def argv(which, case):
        binary, db = binaries[which]
        dbflag = ["--db", db] if db else []
        out = os.path.join(work, f"{which}-{case}")
        if case == "help":
            return [binary, "--help"], []
        if case == "grayscale":
            return [binary, "colorize", one, "-o", out + ".png", "--method", "grayscale"], []
        if case in ("classic", "classic_cold"):
            return [binary, "colorize", one, "-o", out + ".png", "-v", "--require-cache"] + dbflag, []
        if case == "cnn":
            return [binary, "colorize", one, "-o", out + ".png", "-v", "--method", "cnn"], []
        if case.startswith("folder"):
            shutil.rmtree(out, ignore_errors=True)
            jobs = ["-j", "1"] if case.endswith("_j1") and has_jobs[which] else []
            return [binary, "colorize", *folder, "-o", out, "--require-cache"] + dbflag + jobs, []
        if case == "welsh":
            return [binary, "colorize", one, "-o", out + ".png", "-v", "--method", "welsh",
                    "--reference", reference], []
        if case.startswith("levin"):
            photo, strokes = (one_3x, hints_3x) if "_3x" in case else (one, hints)
            weights = ["--hint-weights", "symmetric"] if case.endswith("_symmetric") else []
            return [binary, "colorize", photo, "-o", out + ".png", "-v", "--method", "levin",
                    "--hints", strokes] + weights, []
        if case in ("classic_12mpx", "classic_24mpx"):
            photo = big if case == "classic_12mpx" else huge
            return [binary, "colorize", photo, "-o", out + ".png", "-v", "--require-cache"] + dbflag, []
        raise ValueError(case)

    cases = [("help", "tint --help (library loading)", runs),
             ("grayscale", "colorize, grayscale method (process, image read and write)", runs),
             ("classic", "colorize, classic, one 481x321 photo, warm", runs),
             ("classic_cold", "colorize, classic, one photo, cold (tint's files and libraries evicted)",
              max(1, runs // 2)),
             ("cnn", "colorize, CNN, one 481x321 photo, warm", runs),
             ("welsh", "colorize, welsh, one 481x321 photo from a 481x321 reference", runs),
             ("levin", "colorize, levin, one 481x321 photo, 20 strokes", runs),
             ("levin_symmetric", "the same, --hint-weights symmetric (the old weights)", runs),
             ("levin_3x", "colorize, levin, the photo at 3x (1443x963), 20 strokes", runs),
             ("levin_3x_symmetric", "the same, --hint-weights symmetric", runs),
             ("folder", f"colorize, classic, a folder of {len(folder)} photos (default jobs)",
              1 if args.quick else 3),
             ("folder_j1", f"colorize, classic, a folder of {len(folder)} photos, -j 1",
              1 if args.quick else 3)]
    if not args.quick:
        cases.append(("classic_12mpx", "colorize, classic, one 12 Mpx photo (4000x3000)", 3))
        cases.append(("classic_24mpx", "colorize, classic, one 24 Mpx photo (6000x4000)", 3))

    def cold_files(which):
        binary, db = binaries[which]
        db = db or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "patchdb")
        return [binary] + libraries(binary) + list(files_under(db))

    benchmarks = []
    for case, what, n in cases:
        samples = {w: [] for w in binaries}
        for i in range(n + 1):  # the first is a warm-up, not kept
            for which in binaries:
                if case in guided and not has_guides[which]:
                    continue
                if case.endswith("_symmetric") and not has_weights[which]:
                    continue
                cmd, _ = argv(which, case)
                if case.endswith("_cold"):
                    evict(cold_files(which))
                wall, rss, err, code = run_once(cmd)
                if code != 0:
                    sys.exit(f"error: {' '.join(cmd[:3])} ... exited {code}: {err.strip()[-400:]}")
                ready = READY.search(err)
                if i > 0 or n == 0:
                    samples[which].append((wall, rss, float(ready.group(1)) if ready else None))
        row = {"name": f"Process/{case}", "run_name": f"Process/{case}", "run_type": "iteration",
               "iterations": len(samples["current"]), "time_unit": "s", "label": what}
        if case.startswith("folder"):
            row["photos"] = len(folder)
        for which, prefix in (("current", ""), ("baseline", "baseline_")):
            if which not in samples or not samples[which]:
                continue
            walls = [s[0] for s in samples[which]]
            rss = [s[1] for s in samples[which]]
            readies = [s[2] for s in samples[which] if s[2] is not None]
            med = statistics.median(walls)
            if prefix:
                row["baseline_seconds"] = med
            else:
                row["real_time"] = row["cpu_time"] = med
                row["mean_seconds"] = statistics.mean(walls)
                row["stddev_seconds"] = statistics.stdev(walls) if len(walls) > 1 else 0.0
                row["min_seconds"], row["max_seconds"] = min(walls), max(walls)
                row["seconds_runs"] = walls
            row[prefix + "peak_rss_MB"] = statistics.median(rss)
            if readies:
                row[prefix + "ready_s"] = statistics.median(readies)
        if "baseline_seconds" in row:
            row["speedup"] = row["baseline_seconds"] / row["real_time"]
        benchmarks.append(row)
        extra = f", baseline {row['baseline_seconds']:.3f} s ({row['speedup']:.2f}x)" \
            if "speedup" in row else ""
        print(f"{case}: median {row['real_time']:.3f} s, mean {row['mean_seconds']:.3f} ± "
              f"{row['stddev_seconds']:.3f} s, min {row['min_seconds']:.3f}, max {row['max_seconds']:.3f} "
              f"({len(samples['current'])} runs), {row['peak_rss_MB']:.0f} MB{extra}", flush=True)

    def commit():
        try:
            return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                  text=True).stdout.strip()
        except OSError:
            return "?"

    import resource
    runner_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    context = {"date": datetime.datetime.now().isoformat(), "num_cpus": os.cpu_count(), "tint_cpu": cpu,
               # Every peak RSS is at least this (see run_once): far below tint's.
               "process_runner_rss_MB": runner_mb,
               "tint_commit": commit(), "process_runs": runs, "process_photo": os.path.basename(one),
               "process_baseline": args.baseline_label or args.baseline or "",
               "load_avg_start": load_start, "load_avg_end": benchjson.loadavg()}
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"context": context, "benchmarks": benchmarks}, f, indent=1)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
