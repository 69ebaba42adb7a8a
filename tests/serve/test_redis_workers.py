"""The Redis path: tint serve + 2 tint workers + redis-server on loopback.
One worker is killed (kill -9) mid-job; every job still completes, exactly
once, on the other worker after the lease runs out."""
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import cv2
import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from service_client import (TINT, get, post_image, redis_cli, sample_photo, start_redis,
                             start_tint)

JOBS = 6


@pytest.fixture
def stack(tmp_path):
    redis, port = start_redis(str(tmp_path))
    url = f"redis://127.0.0.1:{port}"
    procs = []
    try:
        server, m = start_tint(["serve", "--port", "0", "--queue-url", url, "--queue", "32",
                                "--methods", "classic,grayscale"], tmp_path / "serve.log")
        procs.append(server)
        workers = []
        for i in range(2):
            w, _ = start_tint(["worker", "--queue-url", url, "--lease", "2",
                               "--methods", "classic,grayscale"], tmp_path / f"worker{i}.log")
            procs.append(w)
            workers.append(w)
        yield {"base": m.group(1), "redis_port": port, "server": server, "workers": workers,
               "logs": [tmp_path / f"worker{i}.log" for i in range(2)]}
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        redis.kill()
        redis.wait()


def test_a_worker_killed_mid_job_loses_no_job(stack):
    base, port = stack["base"], stack["redis_port"]
    photo, shape = sample_photo(3)
    ids = []
    for _ in range(JOBS):
        status, body, _ = post_image(base, photo)
        assert status == 202, body
        ids.append(body["id"])

    # Wait until worker 1 is colouring a job, then kill it without warning.
    victim = stack["workers"][1]
    victim_job = None
    deadline = time.time() + 60
    while victim_job is None and time.time() < deadline:
        for job_id in ids:
            _, job, _ = get(base, f"/api/jobs/{job_id}")
            if job["state"] == "running" and job["worker"].endswith(f":{victim.pid}"):
                victim_job = job_id
                break
        time.sleep(0.02)
    assert victim_job is not None, "worker 1 never took a job"
    victim.send_signal(signal.SIGKILL)
    victim.wait()

    # Every job finishes, the victim's on the other worker.
    deadline = time.time() + 180
    states = {}
    while time.time() < deadline:
        states = {i: get(base, f"/api/jobs/{i}")[1] for i in ids}
        if all(s["state"] in ("done", "failed") for s in states.values()):
            break
        time.sleep(0.2)
    assert all(s["state"] == "done" for s in states.values()), states
    survivor = stack["workers"][0].pid
    assert states[victim_job]["worker"].endswith(f":{survivor}")
    for job_id in ids:
        status, png, headers = get(base, f"/api/jobs/{job_id}/result.png")
        assert status == 200 and headers["Content-Type"] == "image/png"
        colour = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        assert colour.shape[:2] == shape

    # Exactly once: each job completed once in Redis, and "done ID" appears
    # once across both workers' logs; the victim's job was attempted twice.
    for job_id in ids:
        assert redis_cli(port, "HGET", f"tint:job:{job_id}", "completions") == "1"
    assert redis_cli(port, "HGET", f"tint:job:{victim_job}", "attempts") == "2"
    done_lines = []
    for log in stack["logs"]:
        done_lines += re.findall(r"^done ([0-9a-f]{32})$", log.read_text(), re.M)
    assert sorted(done_lines) == sorted(ids)
    assert "requeued 1 job(s)" in stack["logs"][0].read_text()
    _, metrics, _ = get(base, "/metrics")
    metrics = metrics.decode()
    assert "tint_jobs_requeued_total 1" in metrics
    assert f"tint_job_latency_seconds_count {JOBS}" in metrics
    assert 'code="5' not in metrics

    # Both remaining processes stop cleanly on SIGTERM.
    for p in (stack["server"], stack["workers"][0]):
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=30) == 0


def offered(base):
    return [m["name"] for m in get(base, "/api/methods")[1]["methods"]]


def wait_offered(base, names, seconds=15):
    deadline = time.time() + seconds
    while offered(base) != names:
        assert time.time() < deadline, f"offered {offered(base)}, not {names}"
        time.sleep(0.1)


def test_only_methods_a_live_worker_serves_are_offered(tmp_path):
    """The server loads classic and grayscale, its one worker serves only
    grayscale: the page's list has grayscale alone, with its stated cost, and
    a classic job is refused at submit (400, not accepted and failed later).
    With no worker live (before it starts, after it stops) nothing is known:
    both are offered and a job waits in the queue for a worker."""
    redis, port = start_redis(str(tmp_path))
    url = f"redis://127.0.0.1:{port}"
    server, m = start_tint(["serve", "--port", "0", "--queue-url", url, "--methods",
                            "classic,grayscale"], tmp_path / "serve.log")
    base = m.group(1)
    worker = None
    try:
        assert offered(base) == ["classic", "grayscale"]
        worker, _ = start_tint(["worker", "--queue-url", url, "--methods", "grayscale"],
                               tmp_path / "worker.log")
        photo, _ = sample_photo(1)
        status, body, _ = post_image(base, photo, "grayscale")  # at once: the cache is asked again
        assert status == 202, body
        wait_offered(base, ["grayscale"])
        listed = get(base, "/api/methods")[1]
        assert listed["methods"][0]["typical_seconds"] >= 0 and listed["typical_pixels"] == 481 * 321
        status, body, _ = post_image(base, photo, "classic")
        assert status == 400 and "no worker serves method 'classic' now" in body["error"], body
        assert "served: grayscale" in body["error"], body
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        wait_offered(base, ["classic", "grayscale"])
        status, body, _ = post_image(base, photo, "classic")
        assert status == 202, body
    finally:
        for p in (server, worker):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=30)
        redis.kill()
        redis.wait()


def test_a_reference_photo_travels_with_the_job(stack):
    """classic takes a reference photo: a job with a reddish one comes out
    redder than the same photo without; grayscale takes none (400); the
    photo's bytes leave the job's record when it finishes."""
    base, port = stack["base"], stack["redis_port"]
    photo, _ = sample_photo(1)
    colour = cv2.imread(os.path.join(os.path.dirname(__file__), "..", "..", "samples",
                                     "bridge.jpg"))
    reddish = colour.copy()
    reddish[:, :, 2] = np.clip(reddish[:, :, 2].astype(int) + 80, 0, 255)
    reference = cv2.imencode(".png", reddish)[1].tobytes()

    def result(extra):
        status, body, _ = post_image(base, photo, "classic", extra=extra)
        assert status == 202, body
        deadline = time.time() + 120
        while (job := get(base, f"/api/jobs/{body['id']}")[1])["state"] not in ("done", "failed"):
            assert time.time() < deadline
            time.sleep(0.05)
        assert job["state"] == "done", job
        assert redis_cli(port, "HEXISTS", f"tint:job:{body['id']}", "reference") == "0"
        png = get(base, f"/api/jobs/{body['id']}/result.png")[1]
        lab = cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR),
                           cv2.COLOR_BGR2LAB)
        return float(lab[:, :, 1].mean())

    plain = result(())
    guided = result((("reference", reference, "reference.png"),))
    assert guided > plain + 3, (plain, guided)
    status, body, _ = post_image(base, photo, "grayscale",
                                 extra=(("reference", reference, "reference.png"),))
    assert status == 400 and "takes no reference photo (those that do: classic)" in body["error"]


def wait_finished(base, job_id, seconds=60):
    deadline = time.time() + seconds
    job = {}
    while time.time() < deadline:
        job = get(base, f"/api/jobs/{job_id}")[1]
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    return job


def test_strokes_travel_with_the_job_to_a_worker(stack):
    """A re-run with strokes names the first job's photo (`from`): Redis
    keeps the upload after a worker finished the job. The strokes go
    through Redis with the job: the worker's result is green under a green
    stroke and stays grey (the grayscale method's) far from it; the
    strokes' bytes leave the job's record when it finishes."""
    base, port = stack["base"], stack["redis_port"]
    grey = np.full((48, 96), 128, np.uint8)
    strokes = np.zeros((48, 96, 4), np.uint8)
    strokes[20:28, 4:12] = (40, 160, 40, 255)
    photo = cv2.imencode(".png", grey)[1].tobytes()
    drawn = cv2.imencode(".png", strokes)[1].tobytes()
    status, body, _ = post_image(base, photo, method="grayscale")
    assert status == 202, body
    first = body["id"]
    assert wait_finished(base, first)["state"] == "done"
    assert 0 < int(redis_cli(port, "TTL", f"tint:image:{first}")) <= 600  # kept, expiring
    status, body, _ = post_image(base, None, method="grayscale",
                                 extra=(("from", first.encode(), None),
                                        ("hints", drawn, "strokes.png"), ("hint_reach", b"6", None)))
    assert status == 202, body
    assert (body["width"], body["height"]) == (96, 48)
    job_id = body["id"]
    job = wait_finished(base, job_id)
    assert job["state"] == "done", job
    status, png, _ = get(base, f"/api/jobs/{job_id}/result.png")
    assert status == 200
    lab = cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR),
                       cv2.COLOR_BGR2LAB).astype(int)
    assert lab[24, 8, 1] < 128 - 10, lab[24, 8]  # green under the stroke
    assert abs(lab[24, 90, 1] - 128) <= 2 and abs(lab[24, 90, 2] - 128) <= 2, lab[24, 90]
    assert redis_cli(port, "HEXISTS", f"tint:job:{job_id}", "hints") == "0"
    # Strokes of another size are the submit's 400, before any worker sees them.
    status, body, _ = post_image(base, photo, method="grayscale",
                                 extra=(("hints", cv2.imencode(".png", strokes[:10])[1].tobytes(),
                                         "strokes.png"),))
    assert status == 400 and "but the photo is 96x48" in body["error"], body
    # A job Redis no longer holds: 404, saying to upload the photo again.
    redis_cli(port, "DEL", f"tint:image:{first}")
    status, body, _ = post_image(base, None, method="grayscale",
                                 extra=(("from", first.encode(), None),))
    assert status == 404 and "upload the photo again" in body["error"], body


def test_a_job_whose_workers_keep_dying_fails_after_max_attempts(tmp_path):
    redis, port = start_redis(str(tmp_path))
    url = f"redis://127.0.0.1:{port}"
    args = ["worker", "--queue-url", url, "--lease", "1", "--max-attempts", "1",
            "--methods", "classic"]
    server, m = start_tint(["serve", "--port", "0", "--queue-url", url, "--methods", "classic"],
                           tmp_path / "serve.log")
    first, _ = start_tint(args, tmp_path / "first.log")
    base = m.group(1)
    second = None
    try:
        photo, _ = sample_photo(3)
        status, body, _ = post_image(base, photo, "classic")
        assert status == 202
        deadline = time.time() + 60
        while get(base, f"/api/jobs/{body['id']}")[1]["state"] != "running":
            assert time.time() < deadline
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        second, _ = start_tint(args, tmp_path / "second.log")
        deadline = time.time() + 60
        while (job := get(base, f"/api/jobs/{body['id']}")[1])["state"] not in ("done", "failed"):
            assert time.time() < deadline
            time.sleep(0.1)
        assert job["state"] == "failed"
        assert "stopped 1 time(s)" in job["error"], job
        assert get(base, f"/api/jobs/{body['id']}/result.png")[0] == 409
        assert "done " not in (tmp_path / "second.log").read_text()
    finally:
        for p in (server, second):
            if p is not None:
                p.send_signal(signal.SIGTERM)
                assert p.wait(timeout=30) == 0
        redis.kill()
        redis.wait()


def test_a_worker_rides_out_a_redis_restart(tmp_path):
    redis, port = start_redis(str(tmp_path))
    url = f"redis://127.0.0.1:{port}"
    server, m = start_tint(["serve", "--port", "0", "--queue-url", url, "--methods", "grayscale"],
                           tmp_path / "serve.log")
    worker, _ = start_tint(["worker", "--queue-url", url, "--methods", "grayscale"],
                           tmp_path / "worker.log")
    base = m.group(1)
    photo, _ = sample_photo(1)
    try:
        status, body, _ = post_image(base, photo, "grayscale")
        assert status == 202
        redis.kill()
        redis.wait()
        # Meanwhile the server says the store is gone, not that the job is.
        assert get(base, f"/api/jobs/{body['id']}")[0] == 503
        assert get(base, "/healthz")[0] == 503
        assert post_image(base, photo, "grayscale")[0] == 503
        time.sleep(2.5)  # the worker meets the outage and says so
        redis, _ = start_redis(str(tmp_path), port)  # empty: the first job is gone with it
        status, body, _ = post_image(base, photo, "grayscale")
        assert status == 202, body
        deadline = time.time() + 60
        while get(base, f"/api/jobs/{body['id']}")[1]["state"] != "done":
            assert time.time() < deadline, "the job was not done after Redis came back"
            time.sleep(0.1)
        assert worker.poll() is None
        assert "trying again in 2 s" in (tmp_path / "worker.log").read_text()
    finally:
        for p in (server, worker):
            p.send_signal(signal.SIGTERM)
            assert p.wait(timeout=30) == 0
        redis.kill()
        redis.wait()


@contextlib.contextmanager
def serve_and_worker(tmp_path, url, method, serve_args=(), worker_url=None, serve_env=None):
    """tint serve and one tint worker on `url` (the worker on `worker_url` if
    given), serving `method`; yields (base URL, the worker's log path), and
    stops both with SIGTERM (each must exit 0)."""
    server, m = start_tint(["serve", "--port", "0", "--queue-url", url, "--methods", method,
                            *serve_args], tmp_path / "serve.log", env=serve_env)
    try:
        worker, _ = start_tint(["worker", "--queue-url", worker_url or url, "--methods", method],
                               tmp_path / "worker.log")
    except BaseException:
        server.kill()
        raise
    try:
        yield m.group(1), tmp_path / "worker.log"
    finally:
        for p in (server, worker):
            p.send_signal(signal.SIGTERM)
            assert p.wait(timeout=60) == 0


def submit_and_wait(base, method, scale, log):
    """Posts the sample at `scale`x with `method`; returns its id once done."""
    photo, _ = sample_photo(scale)
    status, body, _ = post_image(base, photo, method)
    assert status == 202, body
    deadline = time.time() + 60
    while get(base, f"/api/jobs/{body['id']}")[1]["state"] != "done":
        assert time.time() < deadline, log.read_text()
        time.sleep(0.1)
    return body["id"]


def test_a_redis_with_a_password(tmp_path):
    """requirepass: the password from the URL or $TINT_REDIS_PASSWORD works; none
    or a wrong one is a one-line error at start (it was a NOAUTH retry loop), and
    no message repeats the password."""
    redis, port = start_redis(str(tmp_path), extra=["--requirepass", "s3cret"])
    try:
        def run(url, env=None):
            return subprocess.run([TINT, "worker", "--queue-url", url, "--max-jobs", "1",
                                   "--methods", "grayscale"], capture_output=True, text=True,
                                  timeout=60, env={**os.environ, **(env or {})})
        out = run(f"redis://127.0.0.1:{port}")
        assert out.returncode != 0 and "needs a password" in out.stderr, out.stderr
        out = run(f"redis://:wrong@127.0.0.1:{port}")
        assert out.returncode != 0 and "refused the login" in out.stderr, out.stderr
        assert "wrong" not in out.stderr
        with serve_and_worker(tmp_path, f"redis://127.0.0.1:{port}", "grayscale",
                              worker_url=f"redis://:s3cret@127.0.0.1:{port}",
                              serve_env={"TINT_REDIS_PASSWORD": "s3cret"}) as (base, log):
            assert "s3cret" not in log.read_text()
            submit_and_wait(base, "grayscale", 1, log)
    finally:
        redis.kill()
        redis.wait()


def test_foreign_records_are_quarantined_and_the_queue_goes_on(tmp_path):
    """A running-list entry whose record is not a hash, or whose lease is no
    number, made the lease check fail on every pass for every worker; now
    they are set aside in tint:quarantine and jobs still complete."""
    redis, port = start_redis(str(tmp_path))
    try:
        redis_cli(port, "RPUSH", "tint:running", "bad1", "bad2")
        redis_cli(port, "HSET", "tint:job:bad1", "state", "running", "lease", "soon")
        redis_cli(port, "SET", "tint:job:bad2", "not a hash")
        redis_cli(port, "RPUSH", "tint:waiting", "bad3")
        redis_cli(port, "SET", "tint:job:bad3", "not a hash either")
        with serve_and_worker(tmp_path, f"redis://127.0.0.1:{port}", "grayscale") as (base, log):
            submit_and_wait(base, "grayscale", 1, log)
            time.sleep(1.5)  # at least one reap pass
            assert sorted(redis_cli(port, "SMEMBERS", "tint:quarantine").split()) == [
                "bad1", "bad2", "bad3"]
            assert "ERR" not in log.read_text()
    finally:
        redis.kill()
        redis.wait()


def test_a_flushed_job_is_dropped_saying_so(tmp_path):
    """FLUSHALL while a job is coloured: the worker says the record is gone,
    not that another worker has the job."""
    redis, port = start_redis(str(tmp_path))
    try:
        with serve_and_worker(tmp_path, f"redis://127.0.0.1:{port}", "classic") as (base, log):
            photo, _ = sample_photo(3)
            status, body, _ = post_image(base, photo, "classic")
            assert status == 202, body
            deadline = time.time() + 60
            while redis_cli(port, "HGET", f"tint:job:{body['id']}", "state") != "running":
                assert time.time() < deadline
                time.sleep(0.02)
            redis_cli(port, "FLUSHALL")
            deadline = time.time() + 120
            while f"dropped {body['id']}" not in log.read_text():
                assert time.time() < deadline, log.read_text()
                time.sleep(0.1)
            assert "its record is gone from Redis" in log.read_text(), log.read_text()
            assert "another worker has it" not in log.read_text()
    finally:
        redis.kill()
        redis.wait()


def test_expired_results_are_counted(tmp_path):
    """tint_jobs_expired_total counts finished jobs past --result-ttl in Redis
    mode too (it stayed 0: Redis drops the keys by itself)."""
    redis, port = start_redis(str(tmp_path))
    try:
        with serve_and_worker(tmp_path, f"redis://127.0.0.1:{port}", "grayscale",
                              serve_args=["--result-ttl", "1"]) as (base, log):
            job = submit_and_wait(base, "grayscale", 1, log)
            time.sleep(2.5)
            assert get(base, f"/api/jobs/{job}")[0] == 404
            metrics = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
            assert "tint_jobs_expired_total 1" in metrics, metrics
    finally:
        redis.kill()
        redis.wait()


def test_a_foreign_key_fails_a_submit_whole(tmp_path):
    """A script that failed half-way kept its earlier writes: with tint:stats
    not a hash, a submit answered 503 yet its job was queued and coloured.
    Now every script checks its keys before its first write."""
    redis, port = start_redis(str(tmp_path))
    try:
        redis_cli(port, "SET", "tint:stats", "not a hash")
        server, m = start_tint(["serve", "--port", "0", "--queue-url",
                                f"redis://127.0.0.1:{port}", "--methods", "grayscale"],
                               tmp_path / "serve.log")
        try:
            photo, _ = sample_photo(1)
            status, body, _ = post_image(m.group(1), photo, "grayscale")
            assert status == 503, body
            assert "the Redis key tint:stats is a string, not a hash" in body["error"], body
            assert redis_cli(port, "LLEN", "tint:waiting") == "0"
            assert redis_cli(port, "KEYS", "tint:job:*") == ""
            assert redis_cli(port, "KEYS", "tint:image:*") == ""
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    finally:
        redis.kill()
        redis.wait()


def test_a_full_redis_fails_the_job_saying_so(tmp_path):
    """Redis at maxmemory (noeviction) cannot take a result: the job was
    coloured three times and failed with "its worker stopped 3 times". Now
    it fails at once with Redis's own reason."""
    redis, port = start_redis(str(tmp_path), extra=["--maxmemory-policy", "noeviction"])
    url = f"redis://127.0.0.1:{port}"
    procs = []
    try:
        server, m = start_tint(["serve", "--port", "0", "--queue-url", url,
                                "--methods", "grayscale"], tmp_path / "serve.log")
        procs.append(server)
        noise = np.random.default_rng(0).integers(0, 256, (700, 700), dtype=np.uint8)
        status, body, _ = post_image(m.group(1), cv2.imencode(".png", noise)[1].tobytes(),
                                     "grayscale")
        assert status == 202, body
        used = int(re.search(r"used_memory:(\d+)", redis_cli(port, "INFO", "memory")).group(1))
        redis_cli(port, "CONFIG", "SET", "maxmemory", str(used + 256 * 1024))
        worker, _ = start_tint(["worker", "--queue-url", url, "--methods", "grayscale"],
                               tmp_path / "worker.log")
        procs.append(worker)
        deadline = time.time() + 60
        while (job := get(m.group(1), f"/api/jobs/{body['id']}")[1])["state"] != "failed":
            assert job["state"] != "done" and time.time() < deadline, job
            time.sleep(0.1)
        assert "could not be stored" in job["error"] and "OOM" in job["error"], job
        assert redis_cli(port, "HGET", f"tint:job:{body['id']}", "attempts") == "1"
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
        redis.kill()
        redis.wait()


def test_a_redis_that_evicts_any_key_is_refused(tmp_path):
    """allkeys-lru loses accepted jobs: serve and worker refuse it at start."""
    redis, port = start_redis(str(tmp_path), extra=["--maxmemory-policy", "allkeys-lru"])
    try:
        for args in (["serve", "--port", "0"], ["worker"]):
            out = subprocess.run([TINT, *args, "--queue-url", f"redis://127.0.0.1:{port}",
                                  "--methods", "grayscale"], capture_output=True, text=True,
                                 timeout=60)
            assert out.returncode != 0
            lines = out.stderr.strip().splitlines()
            assert len(lines) == 1 and "maxmemory-policy allkeys-lru" in lines[0], out.stderr
    finally:
        redis.kill()
        redis.wait()


@pytest.mark.parametrize("args,words", [
    (["worker", "--queue-url", "http://127.0.0.1:6379"], "queue URL must be redis://"),
    (["worker", "--queue-url", "redis://127.0.0.1:notaport"], "queue URL must be redis://"),
    (["worker", "--queue-url", "redis://nocolon@127.0.0.1"], "queue URL must be redis://"),
    (["worker", "--queue-url", "redis://u:hidden@127.0.0.1:x"], "redis://***@127.0.0.1:x"),
    (["worker", "--queue-url", "redis://127.0.0.1:1"], "cannot reach Redis"),
    (["worker", "--queue-url", "redis://127.0.0.1:1", "--max-attempts", "0"],
     "max-attempts must be 1..1000"),
    (["serve", "--port", "0", "--queue-url", "redis://127.0.0.1:1"], "cannot reach Redis"),
    (["serve", "--port", "0", "--workers", "0"], "workers must be 1..256"),
    (["serve", "--port", "70000"], "port must be 0..65535"),
    (["serve", "--port", "0", "--methods", "levin"], "colours only from strokes"),
    (["serve", "--port", "0", "--methods", "nosuch"], "unknown method 'nosuch'"),
    (["serve", "--port", "0", "--result-ttl", "0"], "result-ttl must be over 0"),
])
def test_bad_service_flags_are_one_line_errors(args, words):
    out = subprocess.run([TINT, *args], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], out.stderr
