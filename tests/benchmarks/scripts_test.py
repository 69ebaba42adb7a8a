#!/usr/bin/python3
"""Tests of the benchmark scripts: compare.py and table.py on hand-made
Google Benchmark JSON with known answers, and peers.py in quick mode."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.environ.get("TINT_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PY = "/usr/bin/python3"


def bench(name, ms, **counters):
    row = {"name": name + "/real_time", "run_name": name + "/real_time", "run_type": "iteration",
           "iterations": 3, "real_time": ms, "cpu_time": ms, "time_unit": "ms"}
    row.update(counters)
    return row


def write(path, rows, **context):
    with open(path, "w") as f:
        json.dump({"context": dict({"tint_commit": "abc1234", "num_cpus": 2}, **context), "benchmarks": rows}, f)


def run(*args, tmpdir=None):
    """tmpdir: the script's TMPDIR, to see what it leaves there."""
    env = dict(os.environ, TMPDIR=tmpdir) if tmpdir else None
    p = subprocess.run([PY, *args], capture_output=True, text=True, env=env)
    return p.returncode, p.stdout + p.stderr


class CompareTest(unittest.TestCase):
    def test_ratios_of_times_and_rates(self):
        with tempfile.TemporaryDirectory() as d:
            write(f"{d}/a.json", [bench("BM_X/1", 10.0, **{"px/s": 100.0}), bench("BM_Only/1", 1.0)])
            write(f"{d}/b.json", [bench("BM_X/1/iterations:1", 5.0, **{"px/s": 200.0, "label_agreement": 0.9})])
            code, out = run(f"{ROOT}/benchmarks/compare.py", f"{d}/a.json", f"{d}/b.json")
            self.assertEqual(code, 0, out)
            line = next(l for l in out.splitlines() if l.startswith("BM_X/1 "))
            self.assertIn("0.500", line)  # new/base time
            self.assertIn("px/s x2", line)
            self.assertIn("1 benchmarks are in only one", out)

    def test_repetitions_get_a_u_test(self):
        with tempfile.TemporaryDirectory() as d:
            write(f"{d}/a.json", [bench("BM_X/1", 10.0 + 0.1 * i) for i in range(9)])
            write(f"{d}/b.json", [bench("BM_X/1", 5.0 + 0.1 * i) for i in range(9)])
            write(f"{d}/c.json", [bench("BM_X/1", 10.0 + 0.1 * ((i * 5) % 9)) for i in range(3)])
            code, out = run(f"{ROOT}/benchmarks/compare.py", f"{d}/a.json", f"{d}/b.json")
            self.assertEqual(code, 0, out)
            line = next(l for l in out.splitlines() if l.startswith("BM_X/1 "))
            self.assertIn("0.519", line)  # the medians: 5.4 / 10.4
            self.assertIn("(differ)", line)  # every b below every a: p about 4e-4
            code, out = run(f"{ROOT}/benchmarks/compare.py", f"{d}/a.json", f"{d}/c.json")
            line = next(l for l in out.splitlines() if l.startswith("BM_X/1 "))
            self.assertIn("(same, few repetitions)", line)

    def test_a_loaded_machine_is_warned_of(self):
        with tempfile.TemporaryDirectory() as d:
            write(f"{d}/a.json", [bench("BM_X/1", 10.0)], load_avg_start=[0.4, 0.5, 0.5],
                  load_avg_end=[0.6, 0.5, 0.5])
            write(f"{d}/b.json", [bench("BM_X/1", 20.0)], load_avg_start=[1.5, 1.0, 1.0],
                  load_avg_end=[6.85, 3.0, 2.0])
            code, out = run(f"{ROOT}/benchmarks/compare.py", f"{d}/a.json", f"{d}/b.json")
            self.assertEqual(code, 0, out)
            self.assertNotIn("a.json: load average", out)
            self.assertIn("b.json: load average 6.85 at end exceeds its 2 cores", out)

    def test_whole_process_runs_are_u_tested(self):
        with tempfile.TemporaryDirectory() as d:
            def proc(path, times):
                write(path, [{"name": "Process/classic", "run_name": "Process/classic", "run_type": "iteration",
                              "iterations": len(times), "real_time": sorted(times)[len(times) // 2],
                              "time_unit": "s", "seconds_runs": times}])
            proc(f"{d}/a.json", [0.50 + 0.01 * i for i in range(9)])
            proc(f"{d}/b.json", [0.30 + 0.01 * i for i in range(9)])
            code, out = run(f"{ROOT}/benchmarks/compare.py", f"{d}/a.json", f"{d}/b.json")
            self.assertEqual(code, 0, out)
            line = next(l for l in out.splitlines() if l.startswith("Process/classic "))
            self.assertIn("(differ)", line)  # nine runs a side, every b below every a

    def test_bad_input_is_one_line(self):
        with tempfile.TemporaryDirectory() as d:
            with open(f"{d}/bad.json", "w") as f:
                f.write("{not json")
            code, out = run(f"{ROOT}/benchmarks/compare.py", f"{d}/bad.json", f"{d}/bad.json")
            self.assertNotEqual(code, 0)
            self.assertEqual(len(out.strip().splitlines()), 1, out)
            self.assertIn("not Google Benchmark JSON", out)


class TableTest(unittest.TestCase):
    def test_rows_targets_and_slope(self):
        with tempfile.TemporaryDirectory() as d:
            rows = [bench("BM_Classic/481x321", 200.0, s_match=0.15, s_ncut=0.05, pixels=154401)]
            # s = 0.5 + 1.0 * Mpx exactly: slope 1.00, r^2 1.
            for mpx in (1, 4, 12):
                rows.append(bench(f"BM_Classic/{mpx}Mpx", (0.5 + mpx) * 1e3, pixels=mpx * 1e6,
                                  peak_rss_MB=450.0 if mpx == 12 else 300.0))
            rows.append(bench("BM_NCut/superpixels/481x321/radius:2.5", 400.0))
            rows.append(bench("BM_ExactMatch/db:100000/k:4", 1000.0))
            rows.append(bench("BM_FlannMatch/db:100000/k:4/trees:4/checks:32/pca:0", 40.0,
                              label_agreement=0.7, **{"queries/s": 5e4}))
            write(f"{d}/x.json", rows)
            write(f"{d}/peers.json", [bench("Peer_SkimageNCut/superpixels/481x321", 4000.0),
                                      bench("Peer_SklearnCosine/per_pixel/481x321", 30000.0)])
            code, out = run(f"{ROOT}/benchmarks/table.py", d, "--out", f"{d}/table.md")
            self.assertEqual(code, 0, out)
            self.assertTrue(os.path.exists(f"{d}/table.md"))
            classic = next(l for l in out.splitlines() if "one 481x321 photo" in l)
            self.assertIn("200 ms", classic)
            self.assertIn("150x", classic)  # 30 s / 0.2 s
            self.assertIn("match 150", classic)
            ncut = next(l for l in out.splitlines() if "Normalized cuts" in l)
            self.assertIn("**no**", ncut)  # 0.4 s > 0.3 s
            self.assertIn("10x", ncut)  # 4 s / 0.4 s
            flann = next(l for l in out.splitlines() if "FLANN" in l)
            self.assertIn("25x faster", flann)
            self.assertIn("70.0%", flann)
            self.assertIn("**no**", flann)  # fast enough, not accurate enough
            growth = next(l for l in out.splitlines() if "cost growth" in l)
            self.assertIn("1.00 s/Mpx + 0.50 s", growth)
            self.assertIn("r^2 1.0000", growth)
            memory = next(l for l in out.splitlines() if "peak memory" in l)
            self.assertIn("450 MB", memory)
            self.assertIn("**no**", memory)


class PeersTest(unittest.TestCase):
    def test_quick_run_writes_three_peers(self):
        with tempfile.TemporaryDirectory() as d:
            code, out = run(f"{ROOT}/benchmarks/peers.py", "--quick", "--out", f"{d}/peers.json")
            self.assertEqual(code, 0, out)
            with open(f"{d}/peers.json") as f:
                data = json.load(f)
            names = [b["name"] for b in data["benchmarks"]]
            self.assertEqual(len(names), 3, names)
            self.assertTrue(all(b["real_time"] > 0 for b in data["benchmarks"]))
            ncut = next(b for b in data["benchmarks"] if b["name"].startswith("Peer_SkimageNCut"))
            self.assertGreater(ncut["segments"], 1)

    def test_missing_photo_is_one_line(self):
        code, out = run(f"{ROOT}/benchmarks/peers.py", "--quick", "--photo", "/nonexistent.jpg")
        self.assertNotEqual(code, 0)
        self.assertIn("cannot read", out)


class ParetoTest(unittest.TestCase):
    def test_front_and_speedups(self):
        with tempfile.TemporaryDirectory() as d:
            write(f"{d}/e.json", [
                bench("BM_ClassicMatcher/exact", 1.0, s_match=10.0, label_agreement=1.0, photos=10),
                bench("BM_ClassicMatcher/flann/checks:32/query_stride:3", 1.0, s_match=0.5, label_agreement=0.93),
                bench("BM_ClassicMatcher/flann/checks:64/query_stride:3", 1.0, s_match=1.0, label_agreement=0.92),
                bench("BM_ClassicMatcher/hnsw/ef:16/query_stride:3", 1.0, s_match=0.25, label_agreement=0.95)])
            code, out = run(f"{ROOT}/benchmarks/pareto.py", f"{d}/e.json", "--plot", f"{d}/p.png")
            self.assertEqual(code, 0, out)
            hnsw = next(l for l in out.splitlines() if l.startswith("| hnsw/ef:16"))
            self.assertIn("40.0x", hnsw)
            self.assertIn("95.0%", hnsw)
            self.assertTrue(hnsw.rstrip().endswith("| yes |"))
            dominated = next(l for l in out.splitlines() if l.startswith("| flann/checks:64"))
            self.assertTrue(dominated.rstrip().endswith("|  |"), dominated)
            self.assertGreater(os.path.getsize(f"{d}/p.png"), 1000)
            code, out = run(f"{ROOT}/benchmarks/pareto.py", f"{d}/missing.json")
            self.assertNotEqual(code, 0)


class ProcessTest(unittest.TestCase):
    """benchmarks/process.py in quick mode on the real binary, with itself as
    the baseline: every case runs, and table.py turns it into rows."""

    def test_quick_run_with_a_baseline_gives_every_row(self):
        tint = os.environ["TINT_BIN"]  # set by CMake: the build's tint
        with tempfile.TemporaryDirectory() as d:
            db = f"{d}/db"
            shutil.copytree(f"{ROOT}/patchdb", db, ignore=shutil.ignore_patterns("index.cache", ".lock"))
            p = subprocess.run([tint, "db", "build", "--db", db], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            os.mkdir(f"{d}/photos")
            for i in range(3):
                shutil.copy(f"{ROOT}/samples/bridge.jpg", f"{d}/photos/p{i}.jpg")
            os.mkdir(f"{d}/tmp")
            code, out = run(f"{ROOT}/benchmarks/process.py", "--quick", "--tint", tint, "--db", db,
                            "--baseline", tint, "--baseline-db", db, "--photos", f"{d}/photos",
                            "--out", f"{d}/process.json", tmpdir=f"{d}/tmp")
            self.assertEqual(code, 0, out)
            self.assertEqual(os.listdir(f"{d}/tmp"), [])  # its work folder is gone
            with open(f"{d}/process.json") as f:
                data = json.load(f)
            rows = {b["name"]: b for b in data["benchmarks"]}
            for case in ("help", "grayscale", "classic", "classic_cold", "cnn", "folder", "folder_j1"):
                self.assertIn(f"Process/{case}", rows)
                self.assertGreater(rows[f"Process/{case}"]["real_time"], 0)
                self.assertGreater(rows[f"Process/{case}"]["peak_rss_MB"], 1)
                self.assertIn("speedup", rows[f"Process/{case}"])
            self.assertGreater(rows["Process/classic"]["ready_s"], 0)
            # Mean, spread and range of the runs (one run in quick mode: σ 0).
            classic = rows["Process/classic"]
            self.assertEqual(classic["stddev_seconds"], 0.0)
            self.assertEqual(classic["min_seconds"], classic["max_seconds"])
            self.assertEqual(classic["seconds_runs"], [classic["real_time"]])
            self.assertEqual(len(data["context"]["load_avg_start"]), 3)
            self.assertEqual(len(data["context"]["load_avg_end"]), 3)
            # hyperfine's export beside it (scripts/bench.sh) gets its own table.
            with open(f"{d}/hyperfine.json", "w") as f:
                json.dump({"results": [{"command": "classic, one 481x321 photo", "mean": 0.5, "stddev": 0.02,
                                        "median": 0.49, "min": 0.47, "max": 0.55, "times": [0.5] * 7}]}, f)
            # The child's own peak, not the runner's (tint --help is about 60 MB).
            self.assertLess(rows["Process/help"]["peak_rss_MB"], 120)
            self.assertEqual(rows["Process/folder"]["photos"], 3)
            code, out = run(f"{ROOT}/benchmarks/table.py", d)
            self.assertEqual(code, 0, out)
            self.assertIn("Whole process, classic, one 481x321 photo", out)
            self.assertIn("Start-up beyond library loading, classic", out)
            self.assertIn("a folder of 3 photos", out)
            self.assertIn("median (mean ", out)
            self.assertIn("| classic, one 481x321 photo | 500 ms ± 20 ms | 490 ms | 470 ms .. 550 ms | 7 |", out)

    def test_a_failing_run_is_one_line(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(f"{d}/photos")
            shutil.copy(f"{ROOT}/samples/bridge.jpg", f"{d}/photos/p.jpg")
            os.mkdir(f"{d}/tmp")
            code, out = run(f"{ROOT}/benchmarks/process.py", "--quick", "--tint", os.environ["TINT_BIN"],
                            "--db", f"{d}/no-db", "--photos", f"{d}/photos", "--out", f"{d}/p.json",
                            tmpdir=f"{d}/tmp")
            self.assertNotEqual(code, 0)
            self.assertIn("exited 1", out)
            self.assertFalse(os.path.exists(f"{d}/p.json"))
            self.assertEqual(os.listdir(f"{d}/tmp"), [])  # its work folder is gone, failed or not


if __name__ == "__main__":
    unittest.main()
