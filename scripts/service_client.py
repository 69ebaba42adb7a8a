"""A small client of `tint serve` with the standard library: start the
processes (redis-server, tint serve, tint worker), submit photos, read jobs.
Used by the service tests (tests/serve) and the load benchmark
(benchmarks/serve_load.py)."""
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid

SOURCE = os.environ.get("TINT_SOURCE_DIR", os.path.join(os.path.dirname(__file__), ".."))
BINARY = os.environ.get("TINT_BINARY_DIR", os.path.join(SOURCE, "build"))
TINT = os.path.join(BINARY, "bin", "tint")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(workdir, port=None, extra=()):
    """redis-server on loopback (a free port unless given), nothing saved to disk;
    `extra`: more redis-server flags (e.g. ["--requirepass", "pw"])."""
    exe = shutil.which("redis-server")
    assert exe, "redis-server is missing: scripts/test.sh installs it (Debian redis-server)"
    port = port or free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", workdir, *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def redis_cli(port, *args):
    out = subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def start_tint(args, log_path, ready=r"listening on (http://\S+)|taking jobs", env=None):
    """Starts `tint ARGS` with stdout to log_path (and `env` added to the
    environment); returns (process, first match)."""
    log = open(log_path, "w")
    proc = subprocess.Popen([TINT, *args], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    deadline = time.time() + 60
    while time.time() < deadline:
        text = open(log_path).read()
        m = re.search(ready, text)
        if m:
            return proc, m
        if proc.poll() is not None:
            raise RuntimeError(f"tint {' '.join(args)} exited {proc.returncode}: {text}")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"tint {' '.join(args)} did not start")


def post_image(base, data, method="classic", filename="photo.png", extra=()):
    """POST /api/jobs as multipart; returns (status, json body, headers).
    extra: more (name, bytes, filename or None) fields; data None: no
    'image' (an extra field 'from' names the job whose photo to colour)."""
    boundary = uuid.uuid4().hex
    parts = []
    image = () if data is None else (("image", data, filename),)
    for name, value, fname in (*image, ("method", method.encode(), None), *extra):
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        if fname:
            head += f'; filename="{fname}"\r\nContent-Type: application/octet-stream'
        parts.append(head.encode() + b"\r\n\r\n" + value + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    req = urllib.request.Request(base + "/api/jobs", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    return fetch(req)


def fetch(req):
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            kind = r.headers.get("Content-Type", "")
            return r.status, (json.loads(raw) if "json" in kind else raw), r.headers
    except urllib.error.HTTPError as e:
        raw = e.read()
        kind = e.headers.get("Content-Type", "")
        return e.code, (json.loads(raw) if "json" in kind else raw), e.headers


def get(base, path):
    return fetch(urllib.request.Request(base + path))


def sample_photo(scale=3):
    """The bundled sample, grey, at `scale`x (1443x963 at 3): about a second of classic."""
    import cv2
    img = cv2.imread(os.path.join(SOURCE, "samples", "bridge.jpg"), cv2.IMREAD_GRAYSCALE)
    img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    ok, png = cv2.imencode(".png", img)
    assert ok
    return png.tobytes(), img.shape
