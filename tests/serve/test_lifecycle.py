"""tint serve on SIGTERM: it drains, taking no new job, answering
polls and finishing the queued and running jobs within --drain-timeout;
what is left past it is stopped and counted; a second signal exits at once."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from service_client import get, post_image, sample_photo, start_tint  # noqa: E402


def submit(base, n, photo):
    ids = []
    for _ in range(n):
        status, body, _ = post_image(base, photo, "classic")
        assert status == 202, body
        ids.append(body["id"])
    return ids


def wait_for(path, text, timeout=60):
    deadline = time.time() + timeout
    while text not in path.read_text():
        assert time.time() < deadline, f"'{text}' not in {path.read_text()}"
        time.sleep(0.05)


def test_sigterm_drains_the_queue_and_results_stay_fetchable(tmp_path):
    log = tmp_path / "serve.log"
    server, m = start_tint(["serve", "--port", "0", "--methods", "classic", "--workers", "1"], log)
    base = m.group(1)
    photo, _ = sample_photo(2)
    ids = submit(base, 3, photo)
    server.send_signal(signal.SIGTERM)
    wait_for(log, "draining")
    status, body, _ = post_image(base, photo, "classic")
    assert status == 503 and "shutting down" in body["error"], body
    deadline = time.time() + 120
    while True:  # polls are answered while it drains, until every job is done
        states = [get(base, f"/api/jobs/{i}")[1]["state"] for i in ids]
        if all(s == "done" for s in states):
            break
        assert "failed" not in states, states
        assert time.time() < deadline, states
        time.sleep(0.1)
    for i in ids:  # the drain ends once every result is fetched
        assert get(base, f"/api/jobs/{i}/result.png")[0] == 200
    start = time.time()
    assert server.wait(timeout=60) == 0
    assert time.time() - start < 10  # not the 30 s drain timeout
    assert "every job finished" in log.read_text()


def busy_server(tmp_path, drain_timeout, jobs):
    """tint serve (classic, one worker) with `jobs` 1443x963 photos submitted."""
    log = tmp_path / "serve.log"
    server, m = start_tint(["serve", "--port", "0", "--methods", "classic", "--workers", "1",
                            "--drain-timeout", str(drain_timeout)], log)
    photo, _ = sample_photo(3)
    submit(m.group(1), jobs, photo)
    return server, log


def test_past_the_drain_timeout_jobs_are_dropped_and_counted(tmp_path):
    server, log = busy_server(tmp_path, 0.2, 3)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0
    assert "unfinished job(s) stopped and dropped" in log.read_text(), log.read_text()


def test_a_second_signal_stops_at_once(tmp_path):
    server, log = busy_server(tmp_path, 600, 4)
    server.send_signal(signal.SIGTERM)
    wait_for(log, "draining")
    start = time.time()
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 1
    assert time.time() - start < 10
    assert "second signal" in log.read_text()
