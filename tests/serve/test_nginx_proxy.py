"""deploy/nginx/tint.conf in front of `tint serve`: a job runs
through the proxy, and clients that send their headers a byte at a time
neither hold tint's threads nor the proxy: the page still answers, and each
slow client is cut when the whole-header deadline passes. Skips without nginx."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from service_client import free_port, get, post_image, sample_photo, start_tint  # noqa: E402

SOURCE = os.path.join(os.path.dirname(__file__), "..", "..")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
HEADER_TIMEOUT = 3  # seconds, in place of the shipped 10 s


@pytest.fixture
def proxy(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    tint_port, proxy_port = free_port(), free_port()
    server, _ = start_tint(["serve", "--port", str(tint_port), "--methods", "grayscale",
                            "--threads", "4", "--allow-host", "localhost"], tmp_path / "serve.log")
    conf = open(os.path.join(SOURCE, "deploy", "nginx", "tint.conf")).read()
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{proxy_port};")
    conf = conf.replace("server_name tint.example.org;", "server_name localhost;")
    conf = conf.replace("proxy_pass http://127.0.0.1:8080;", f"proxy_pass http://127.0.0.1:{tint_port};")
    conf = re.sub(r"client_header_timeout \d+s;", f"client_header_timeout {HEADER_TIMEOUT}s;", conf)
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(tmp_path / d, exist_ok=True)
    main = f"""daemon off;
master_process off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
{conf}
}}
"""
    (tmp_path / "nginx.conf").write_text(main)
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", proxy_port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"http://localhost:{proxy_port}", proxy_port
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_a_job_runs_through_the_proxy(proxy):
    base, _ = proxy
    photo, _ = sample_photo(1)
    status, body, _ = post_image(base, photo, "grayscale")
    assert status == 202, body
    deadline = time.time() + 60
    while get(base, f"/api/jobs/{body['id']}")[1]["state"] != "done":
        assert time.time() < deadline
        time.sleep(0.1)


def test_slow_clients_hold_nothing_and_are_cut(proxy):
    base, port = proxy
    slow = []
    for _ in range(32):  # 8x tint's --threads 4
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        slow.append(s)
    start = time.time()
    closed = set()
    while time.time() - start < HEADER_TIMEOUT + 4 and len(closed) < len(slow):
        for i, s in enumerate(slow):  # one header byte per client per 0.5 s
            if i in closed:
                continue
            try:
                s.sendall(b"X")
            except OSError:
                closed.add(i)
        t0 = time.time()
        assert get(base, "/healthz")[0] == 200  # the service answers meanwhile
        assert time.time() - t0 < 2.0
        time.sleep(0.5)
        for i, s in enumerate(slow):
            s.setblocking(False)
            try:
                if s.recv(4096) == b"":
                    closed.add(i)
            except BlockingIOError:
                pass
            except OSError:
                closed.add(i)
    elapsed = time.time() - start
    assert len(closed) == len(slow), f"{len(slow) - len(closed)} slow clients still held after {elapsed:.1f} s"
    assert elapsed >= HEADER_TIMEOUT - 0.5
    for s in slow:
        s.close()
