#!/usr/bin/env python3
"""The service under load, on loopback only, for a fixed time and count:

1. the JSON API with wrk (GET /api/methods, and GET /api/jobs/ID, the call a
   page polls): p50/p99 latency and requests per second;
2. whole jobs: CLIENTS clients each submit the bundled sample (481x321,
   classic) and poll until it is done, JOBS in all: p50/p99 latency and jobs
   per second; then the same with every second job carrying 20 strokes (the
   page's "Fix a colour": fields hints and hint_reach);
3. a full queue: wrk POSTs photos at a server with --queue 2 --workers 1:
   the surplus is answered 429, never 5xx;
4. whole jobs again through Redis: tint serve --queue-url and 2 tint worker
   processes (redis-server on loopback), the same clients and count;
5. scaling: classic whole jobs from 1 client and from 16 clients (jobs/s,
   the ratio, p99), and cnn whole jobs at --workers 1 and --workers 2 (the
   ratio). Clients long-poll (GET /api/jobs/ID?wait=10&after=P).

Writes result.json and table.md to --out and prints the table. Exits non-zero
when a job fails, any response is 5xx, or the full queue gave no 429: the
numbers themselves are reported, never asserted.

usage: benchmarks/serve_load.py [--quick] [--out DIR] [--tint PATH] [--no-redis]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import service_client as sc  # noqa: E402


def wrk(url, seconds, connections, script=None):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout

    def ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"p50_ms": ms("50"), "p99_ms": ms("99"), "requests_per_s": rps, "requests": total,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1).strip() if errors else "none",
            "seconds": seconds, "connections": connections}


def percentile(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def whole_jobs(base, photo, jobs, clients, method="classic", strokes=None):
    """`strokes`: every second job sends them too (fields hints and hint_reach)."""
    latencies, failures, lock = [], [], threading.Lock()
    counter = iter(range(jobs))

    def client():
        while True:
            with lock:
                index = next(counter, None)
                if index is None:
                    return
            extra = ()
            if strokes is not None and index % 2 == 0:
                extra = (("hints", strokes, "strokes.png"), ("hint_reach", b"40", None))
            start = time.perf_counter()
            status, body, headers = sc.post_image(base, photo, method, extra=extra)
            while status == 429:  # the client waits as told, then tries again
                time.sleep(float(headers.get("Retry-After", "1")))
                status, body, headers = sc.post_image(base, photo, method, extra=extra)
            if status != 202:
                with lock:
                    failures.append(f"submit {status}: {body}")
                continue
            progress = -1
            while True:  # long-poll: the answer comes at the job's next step
                _, job, _ = sc.get(base, f"/api/jobs/{body['id']}?wait=10&after={progress}")
                if job["state"] in ("done", "failed"):
                    break
                progress = job["progress"]
            status, _, _ = sc.get(base, f"/api/jobs/{body['id']}/result.png")
            with lock:
                if job["state"] != "done" or status != 200:
                    failures.append(f"job {body['id']}: {job.get('error', status)}")
                else:
                    latencies.append(time.perf_counter() - start)

    wall = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    return {"jobs": jobs, "clients": clients, "done": len(latencies), "failures": failures,
            "p50_s": percentile(latencies, 0.5) if latencies else None,
            "p99_s": percentile(latencies, 0.99) if latencies else None,
            "jobs_per_s": len(latencies) / wall, "wall_s": wall}


def stroke_image(photo):
    """20 strokes (12x3 px on a fixed grid) in the photo's own colours, as a
    user would paint them: a PNG of the photo's size, alpha 255 under them."""
    import cv2
    import numpy as np
    p = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR)
    h, w = p.shape[:2]
    s = np.zeros((h, w, 4), np.uint8)
    for i in range(20):
        x, y = w * (1 + i % 5) // 7, h * (1 + i // 5) // 6
        s[y:y + 3, x:x + 12, :3] = p[y:y + 3, x:x + 12]
        s[y:y + 3, x:x + 12, 3] = 255
    return cv2.imencode(".png", s)[1].tobytes()


def responses_by_code(base):
    _, text, _ = sc.get(base, "/metrics")
    return {int(c): int(n) for c, n in
            re.findall(r'tint_http_responses_total\{code="(\d+)"\} (\d+)', text.decode())}


def serve(args, log, methods="classic,grayscale"):
    proc, m = sc.start_tint(["serve", "--port", "0", "--methods", methods, *args], log)
    return proc, m.group(1)


def stop(proc):
    proc.terminate()
    return proc.wait(timeout=60)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 s per wrk run, 8 jobs (CI)")
    ap.add_argument("--out", help="result folder (default benchmarks/results/serve-<commit>)")
    ap.add_argument("--tint", help="the tint binary (default build/bin/tint)")
    ap.add_argument("--no-redis", action="store_true", help="leave out part 4")
    a = ap.parse_args()
    if a.tint:
        sc.TINT = a.tint
    if not shutil.which("wrk"):
        sys.exit("serve_load: wrk is missing (Debian wrk; scripts/test.sh installs it)")
    seconds, jobs, clients = (2, 8, 2) if a.quick else (10, 40, 4)
    commit = subprocess.run(["git", "-C", sc.SOURCE, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    out = a.out or os.path.join(sc.SOURCE, "benchmarks", "results", f"serve-{commit}")
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="tint-load-")
    with open(os.path.join(sc.SOURCE, "samples", "bridge.jpg"), "rb") as f:
        photo = f.read()
    result = {"commit": commit, "quick": a.quick, "cores": os.cpu_count()}
    problems = []

    # 1 and 2: a server as a user would start it, 2 colouring workers.
    proc, base = serve(["--workers", "2", "--queue", "64"], os.path.join(tmp, "serve.log"))
    try:
        status, first, _ = sc.post_image(base, photo, "classic")  # warm, and an id to poll
        assert status == 202, first
        while sc.get(base, f"/api/jobs/{first['id']}")[1]["state"] not in ("done", "failed"):
            time.sleep(0.05)
        result["api_methods"] = wrk(base + "/api/methods", seconds, 16)
        result["api_job_status"] = wrk(f"{base}/api/jobs/{first['id']}", seconds, 16)
        result["whole_jobs"] = whole_jobs(base, photo, jobs, clients)
        result["whole_jobs_strokes"] = whole_jobs(base, photo, jobs, clients,
                                                  strokes=stroke_image(photo))
        codes = responses_by_code(base)
        result["responses"] = codes
    finally:
        result["serve_exit"] = stop(proc)
    problems += result["whole_jobs"]["failures"] + result["whole_jobs_strokes"]["failures"]

    # 3: a full queue.
    small = os.path.join(sc.SOURCE, "tests", "data", "bridge_small.jpg")
    body_path = os.path.join(tmp, "body.bin")
    boundary = "tintloadboundary"
    with open(small, "rb") as f, open(body_path, "wb") as b:
        b.write((f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; "
                 f"filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode())
        b.write(f.read())
        b.write((f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\n"
                 f"classic\r\n--{boundary}--\r\n").encode())
    script = os.path.join(tmp, "post.lua")
    with open(script, "w") as s:
        s.write('local f = io.open("%s", "rb")\nwrk.method = "POST"\nwrk.body = f:read("*all")\n'
                'f:close()\nwrk.headers["Content-Type"] = "multipart/form-data; boundary=%s"\n'
                % (body_path, boundary))
    proc, base = serve(["--workers", "1", "--queue", "2"], os.path.join(tmp, "serve_full.log"))
    try:
        result["full_queue"] = wrk(base + "/api/jobs", seconds, 8, script)
        result["full_queue"]["responses"] = responses_by_code(base)
    finally:
        result["full_queue_serve_exit"] = stop(proc)

    # 5: scaling with clients (classic, --workers 2) and with workers (cnn).
    scale_jobs = 4 if a.quick else 32
    proc, base = serve(["--workers", "2", "--queue", "64"], os.path.join(tmp, "serve_scale.log"))
    try:
        result["clients_1"] = whole_jobs(base, photo, scale_jobs, 1)
        result["clients_16"] = whole_jobs(base, photo, scale_jobs, 16)
        result["clients_responses"] = responses_by_code(base)
    finally:
        result["scale_serve_exit"] = stop(proc)
    problems += result["clients_1"]["failures"] + result["clients_16"]["failures"]
    for workers in (1, 2):
        proc, base = serve(["--workers", str(workers), "--queue", "64"],
                           os.path.join(tmp, f"serve_cnn{workers}.log"), methods="cnn")
        try:
            whole_jobs(base, photo, 2, 2, "cnn")  # warm: the networks load on first use
            result[f"cnn_workers_{workers}"] = whole_jobs(base, photo, scale_jobs * 2, 8, "cnn")
        finally:
            stop(proc)
        problems += result[f"cnn_workers_{workers}"]["failures"]

    # 4: through Redis, 2 worker processes.
    if not a.no_redis:
        redis, port = sc.start_redis(tmp)
        url = f"redis://127.0.0.1:{port}"
        procs = []
        try:
            proc, base = serve(["--queue-url", url, "--queue", "64"],
                               os.path.join(tmp, "serve_redis.log"))
            procs.append(proc)
            for i in range(2):
                w, _ = sc.start_tint(["worker", "--queue-url", url, "--methods", "classic,grayscale"],
                                     os.path.join(tmp, f"worker{i}.log"))
                procs.append(w)
            result["whole_jobs_redis"] = whole_jobs(base, photo, jobs, clients)
            result["whole_jobs_redis"]["responses"] = responses_by_code(base)
        finally:
            result["redis_exits"] = [stop(p) for p in procs]
            redis.kill()
            redis.wait()
        problems += result["whole_jobs_redis"]["failures"]
        if any(result["redis_exits"]):
            problems.append("a Redis-mode process did not exit 0 on SIGTERM")

    fives = sum(n for code, n in list(result["responses"].items()) +
                list(result["clients_responses"].items()) +
                list(result["full_queue"]["responses"].items()) +
                list(result.get("whole_jobs_redis", {}).get("responses", {}).items())
                if code >= 500)
    if fives:
        problems.append(f"{fives} responses were 5xx")
    if result["full_queue"]["responses"].get(429, 0) == 0:
        problems.append("the full queue never answered 429")
    if result["serve_exit"] != 0 or result["full_queue_serve_exit"] != 0:
        problems.append("tint serve did not exit 0 on SIGTERM")
    result["problems"] = problems

    def five(codes):
        return sum(n for code, n in codes.items() if code >= 500)

    w, m, j, q = (result["whole_jobs"], result["api_methods"], result["api_job_status"],
                  result["full_queue"])
    ws = result["whole_jobs_strokes"]
    served = result["responses"]  # phase 1's server: the API rows and the whole jobs
    table = [
        f"Load test at {commit} ({'quick' if a.quick else 'full'}; {os.cpu_count()} cores; "
        "loopback; tint serve --workers 2 --queue 64; `benchmarks/serve_load.py`)",
        "",
        "| what | load | p50 | p99 | throughput | non-2xx / failed | 5xx |",
        "|---|---|---|---|---|---|---|",
        f"| GET /api/methods | wrk, 16 connections, {seconds} s | {m['p50_ms']:.2f} ms | "
        f"{m['p99_ms']:.2f} ms | {m['requests_per_s']:.0f} req/s | {m['non_2xx']} | "
        f"{five(served)} (server) |",
        f"| GET /api/jobs/ID | wrk, 16 connections, {seconds} s | {j['p50_ms']:.2f} ms | "
        f"{j['p99_ms']:.2f} ms | {j['requests_per_s']:.0f} req/s | {j['non_2xx']} | "
        f"{five(served)} (server) |",
        f"| whole job (481x321, classic: submit, poll, result) | {w['clients']} clients, "
        f"{w['jobs']} jobs | {w['p50_s']:.2f} s | {w['p99_s']:.2f} s | "
        f"{w['jobs_per_s']:.2f} jobs/s | {len(w['failures'])} | {five(served)} (server) |",
        f"| whole job, every 2nd with 20 strokes (`hints`, reach 40) | {ws['clients']} clients, "
        f"{ws['jobs']} jobs | {ws['p50_s']:.2f} s | {ws['p99_s']:.2f} s | "
        f"{ws['jobs_per_s']:.2f} jobs/s | {len(ws['failures'])} | {five(served)} (server) |",
        f"| POST /api/jobs at --queue 2 --workers 1 | wrk, 8 connections, {seconds} s | "
        f"{q['p50_ms']:.2f} ms | {q['p99_ms']:.2f} ms | {q['requests_per_s']:.0f} req/s: "
        f"{q['responses'].get(202, 0)} accepted, {q['responses'].get(429, 0)} refused 429 | "
        f"{q['non_2xx']} (the 429s) | {five(q['responses'])} |",
    ]
    c1, c16 = result["clients_1"], result["clients_16"]
    n1, n2 = result["cnn_workers_1"], result["cnn_workers_2"]
    table += [
        f"| whole job, classic, --workers 2, 1 client | {c1['jobs']} jobs | {c1['p50_s']:.2f} s | "
        f"{c1['p99_s']:.2f} s | {c1['jobs_per_s']:.2f} jobs/s | {len(c1['failures'])} | "
        f"{five(result['clients_responses'])} |",
        f"| whole job, classic, --workers 2, 16 clients | {c16['jobs']} jobs | "
        f"{c16['p50_s']:.2f} s | {c16['p99_s']:.2f} s | {c16['jobs_per_s']:.2f} jobs/s "
        f"({c16['jobs_per_s'] / c1['jobs_per_s']:.2f}x 1 client) | {len(c16['failures'])} | "
        f"{five(result['clients_responses'])} |",
        f"| whole job, cnn, --workers 1, 8 clients | {n1['jobs']} jobs | {n1['p50_s']:.2f} s | "
        f"{n1['p99_s']:.2f} s | {n1['jobs_per_s']:.2f} jobs/s | {len(n1['failures'])} | |",
        f"| whole job, cnn, --workers 2, 8 clients | {n2['jobs']} jobs | {n2['p50_s']:.2f} s | "
        f"{n2['p99_s']:.2f} s | {n2['jobs_per_s']:.2f} jobs/s "
        f"({n2['jobs_per_s'] / n1['jobs_per_s']:.2f}x --workers 1) | {len(n2['failures'])} | |",
    ]
    if "whole_jobs_redis" in result:
        r = result["whole_jobs_redis"]
        table.append(
            f"| whole job through Redis (tint serve --queue-url + 2 tint worker) | "
            f"{r['clients']} clients, {r['jobs']} jobs | {r['p50_s']:.2f} s | {r['p99_s']:.2f} s | "
            f"{r['jobs_per_s']:.2f} jobs/s | {len(r['failures'])} | {five(r['responses'])} |")
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("\n".join(table) + "\n")
    print("\n".join(table))
    shutil.rmtree(tmp, ignore_errors=True)
    if problems:
        print("serve_load: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
