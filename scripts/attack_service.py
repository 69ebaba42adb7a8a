#!/usr/bin/env python3
"""Replays the attacks on the service against `tint serve` on loopback, each
class bounded in time and size, and says for each what it expected and got:

  slow clients    40 clients trickling their heads, 40 trickling bodies
  bodies          length over the limit, chunked, compressed, 2 lengths,
                  200 headers, 20 KB head, 2,000 ranges
  connections     past --max-connections-per-address
  decoding        PNG and TIFF bombs (header size), NaN TIFF, float64 TIFF,
                  truncated JPEG
  memory          16-bit 4000x4000 PNGs queued past --queue-mb
  exposure        a foreign Host, a cross-origin POST, no token, a busy port
  lifecycle       SIGTERM drains, a second signal exits at once
  job deadline    a job past --job-timeout fails saying so

Exit status 0 when every check held, 1 otherwise; the server's peak RSS is
reported. Never leaves loopback. About a minute on 2 cores.

usage: scripts/attack_service.sh [--tint PATH]
"""
import argparse
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import service_client as sc  # noqa: E402

RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append((name, bool(ok), detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}",
          flush=True)


def raw(port, data, seconds=10):
    """Sends bytes, returns what comes back until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as s:
        try:
            s.sendall(data)
        except OSError:
            pass
        out = b""
        try:
            while len(out) < 1 << 20:
                d = s.recv(65536)
                if not d:
                    break
                out += d
        except OSError:
            pass
        return out


def status_of(answer):
    return int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else 0


def png_bomb(width, height):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def tiff_claiming(width, height):
    """A little-endian TIFF whose ImageWidth (LONG) and ImageLength claim a
    size its 8 bytes of strip cannot hold."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
               (262, 3, 1, 1), (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, height),
               (279, 4, 1, 8)]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHII", tag, kind, count, value)
    ifd += struct.pack("<I", 0)
    return b"II*\0" + struct.pack("<I", 16) + b"\0" * 8 + ifd


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def attack(tmp):
    import cv2
    import numpy as np
    token_file = os.path.join(tmp, "token")
    with open(token_file, "w") as f:
        f.write("attack-token-0123456789\n")
    proc, m = sc.start_tint(["serve", "--port", "0", "--methods", "grayscale,classic,classic-exact",
                             "--header-timeout", "2", "--body-timeout", "2", "--threads", "4",
                             "--max-connections-per-address", "100", "--queue-mb", "64",
                             "--max-upload-mb", "16", "--job-timeout", "1"],
                            os.path.join(tmp, "serve.log"))
    base = m.group(1)
    port = int(base.rsplit(":", 1)[1])
    host = b"Host: 127.0.0.1\r\n"
    try:
        # Slow clients: they hold no thread and meet their deadlines.
        slow = []
        for i in range(80):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\n" if i < 40 else
                      b"POST /api/jobs HTTP/1.1\r\n" + host + b"Content-Length: 9999\r\n\r\nab")
            slow.append(s)
        worst = 0.0
        for _ in range(3):
            for i, s in enumerate(slow):
                try:
                    s.sendall(b"X-Slow: 1\r\n" if i < 40 else b"c")
                except OSError:
                    pass
            t = time.perf_counter()
            status, _, _ = sc.get(base, "/healthz")
            worst = max(worst, time.perf_counter() - t)
            time.sleep(0.5)
        check("slow clients: /healthz answers while 80 trickle", worst < 1.0 and status == 200,
              f"{worst:.2f} s")
        codes = []
        for s in slow:
            try:
                codes.append(status_of(s.recv(4096)))
            except OSError:
                codes.append(0)
            s.close()
        check("slow clients: each gets 408 at its deadline", codes.count(408) == 80,
              f"{codes.count(408)} of 80")

        # Bodies and heads, refused from the head.
        post = b"POST /api/jobs HTTP/1.1\r\n" + host
        t = time.perf_counter()
        a = raw(port, post + b"Content-Length: 300000000\r\n\r\n")
        check("length over the limit: 413 before any body",
              status_of(a) == 413 and time.perf_counter() - t < 1.5, a[:60].decode(errors="replace"))
        check("chunked body: 411",
              status_of(raw(port, post + b"Transfer-Encoding: chunked\r\n\r\n10000\r\n")) == 411)
        check("compressed body: 415",
              status_of(raw(port, post + b"Content-Encoding: gzip\r\nContent-Length: 9\r\n\r\n"))
              == 415)
        check("two lengths: 400", status_of(raw(port, post + b"Content-Length: 1\r\n"
                                                b"Content-Length: 2\r\n\r\n")) == 400)
        many = b"".join(b"X-%d: 1\r\n" % i for i in range(200))
        check("200 header lines: 431", status_of(raw(port, b"GET / HTTP/1.1\r\n" + many +
                                                     b"\r\n")) == 431)
        check("a 20 KB head: 431", status_of(raw(port, b"GET / HTTP/1.1\r\nX: " + b"a" * 20000 +
                                                 b"\r\n\r\n")) == 431)
        ranges = b"bytes=0-" + b",0-" * 2000
        a = raw(port, b"GET / HTTP/1.1\r\n" + host + b"Connection: close\r\nRange: " + ranges +
                b"\r\n\r\n")
        check("2,000 ranges: one small 416", status_of(a) == 416 and len(a) < 4096)

        # Decoding: sizes come from the decoder's own reading of the header.
        for name, data, want in (
                ("PNG bomb (100000x100000 header)", png_bomb(100000, 100000), 413),
                ("TIFF claiming 300000x300000", tiff_claiming(300000, 300000), 413),
                ("truncated JPEG", cv2.imencode(".jpg", np.full((200, 300), 90, np.uint8))[1]
                 .tobytes()[:-300], 415)):
            status, body, _ = sc.post_image(base, data, "grayscale")
            check(f"{name}: {want}", status == want, f"{status} {body}")
        nan = np.full((16, 16), 0.5, np.float64)
        nan[3, 3] = np.nan
        status, body, _ = sc.post_image(base, cv2.imencode(".tiff", nan)[1].tobytes(), "grayscale")
        check("NaN TIFF: 415 naming NaN", status == 415 and "NaN" in body.get("error", ""),
              f"{status} {body}")
        status, body, _ = sc.post_image(base, cv2.imencode(".tiff", np.full((16, 16), 0.5))[1]
                                        .tobytes(), "grayscale")
        check("float64 TIFF: accepted", status == 202, f"{status} {body}")

        # Memory: 16-bit 4000x4000 PNGs (small files, 96 MB decoded) past --queue-mb 64.
        big = cv2.imencode(".png", np.zeros((4000, 4000), np.uint16))[1].tobytes()
        codes = [sc.post_image(base, big, "classic")[0] for _ in range(6)]
        check("queued pixels have a byte budget: 429 past --queue-mb", 429 in codes, str(codes))

        # Exposure.
        a = raw(port, b"GET /healthz HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
        check("a foreign Host: 421", status_of(a) == 421)
        a = raw(port, post + b"Origin: http://evil.example\r\nContent-Length: 0\r\n"
                b"Connection: close\r\n\r\n")
        check("a cross-origin POST: 403", status_of(a) == 403)
        second = subprocess.run([sc.TINT, "serve", "--port", str(port), "--methods",
                                    "grayscale"], capture_output=True, text=True, timeout=60)
        check("a busy port: the second server fails", second.returncode != 0 and
              "cannot bind" in second.stderr, second.stderr.strip())

        # Job deadline: classic with exact matching on a 5x photo runs past
        # --job-timeout 1 (classic itself now takes about 0.5 s there).
        photo, _ = sc.sample_photo(5)
        status, body, _ = sc.post_image(base, photo, "classic-exact")
        deadline = time.time() + 60
        while status == 429 and time.time() < deadline:  # the big jobs above still queued
            time.sleep(1)
            status, body, _ = sc.post_image(base, photo, "classic-exact")
        job = {"submit": status}
        while status == 202 and time.time() < deadline:
            _, job, _ = sc.get(base, f"/api/jobs/{body['id']}?wait=5")
            if job["state"] in ("done", "failed"):
                break
        check("a job past --job-timeout fails saying so",
              job.get("state") == "failed" and "time limit" in job.get("error", ""), str(job))
        check("no 5xx from any of it", b'code="5' not in sc.get(base, "/metrics")[1])
        check("peak RSS under 1.5 GB", rss_mb(proc.pid) < 1536, f"{rss_mb(proc.pid):.0f} MB")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)

    # A token, and connections per address.
    proc, m = sc.start_tint(["serve", "--port", "0", "--methods", "grayscale", "--token-file",
                             token_file, "--max-connections-per-address", "4"],
                            os.path.join(tmp, "serve_token.log"))
    base = m.group(1)
    port = int(base.rsplit(":", 1)[1])
    try:
        status, _, _ = sc.post_image(base, png_bomb(10, 10), "grayscale")
        check("no token: 401", status == 401, str(status))
        time.sleep(1.0)  # that client's connection closed and reaped: it counts until then
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
        time.sleep(0.3)
        a = raw(port, b"", 5)
        check("past --max-connections-per-address: 503", status_of(a) == 503,
              repr(a[:80]) or "no answer")
        for s in held:
            s.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)

    # Lifecycle: SIGTERM drains (a running job finishes); a second signal exits 1.
    # The job is classic with exact matching, seconds long, so the server is
    # still draining when the second job comes.
    proc, m = sc.start_tint(["serve", "--port", "0", "--methods", "classic-exact",
                             "--drain-timeout", "60"], os.path.join(tmp, "serve_drain.log"))
    base = m.group(1)
    photo, _ = sc.sample_photo(3)
    status, body, _ = sc.post_image(base, photo, "classic-exact")
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    status_after, _, _ = sc.post_image(base, photo, "classic-exact")
    check("draining: a new job gets 503", status_after == 503, str(status_after))
    t = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=30)
    check("a second signal exits at once, status 1", code == 1 and time.perf_counter() - t < 5,
          f"exit {code} after {time.perf_counter() - t:.1f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tint", help="the tint binary (default build/bin/tint)")
    a = ap.parse_args()
    if a.tint:
        sc.TINT = a.tint
    with tempfile.TemporaryDirectory(prefix="tint-attack-") as tmp:
        attack(tmp)
    failed = [name for name, ok, _ in RESULTS if not ok]
    print(f"attack_service: {len(RESULTS) - len(failed)} of {len(RESULTS)} checks held")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
