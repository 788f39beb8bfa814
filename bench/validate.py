"""What a flood of problems costs the server: POST /api/validate with a 500,000-key object.

Before answers were bounded the answer was 61 MB after 21.7 s, Daphne grew by 1 GB, and three
such requests at once raised the median of `GET /` from 12 ms to 1.3 s. Now an answer lists the
first 50 problems and counts the rest (docs/limits.md, "Answers and bodies").

What runs: Daphne on a free local port with a temporary SQLite database (as
tests/browser/conftest.py starts it). First `GET /` alone (--gets sequential requests), then
the same while three threads each POST the 5.9 MB body --rounds times. Printed: each validation's
time and answer size, Daphne's resident memory before and after, and the p50/p99 of `GET /`
alone and under load. The last line is `ratio: <p99 of GET / under load / p99 alone>` (1 is no
effect; the machine's other load shows up as noise, so compare with the figures above it).

Also printed: four validations one at a time before the floods (the first starts the
validation process; the others show what one costs once it runs). The floods queue in that one
process (designer/offload.py), so three at once take about three times one.

Run: ``.venv/bin/python bench/validate.py [--gets 60] [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}", ALLOWED_HOSTS="127.0.0.1", ALLOWED_ORIGINS=base,
               PORT=str(port), DEBUG="0", SECRET_KEY="bench-only-" + "x" * 50, SECURE_COOKIES="0",
               PYTHONUNBUFFERED="1")
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (workdir / "daphne.log").open("w")
    process = subprocess.Popen([str(Path(python).with_name("daphne")), "-b", "127.0.0.1", "-p", str(port),
                                "config.asgi:application"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"Daphne exited:\n{(workdir / 'daphne.log').read_text()}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return process, base
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.2)
    process.kill()
    raise SystemExit("Daphne did not answer within 60 s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def get_home(base: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(base + "/", timeout=120) as answer:
        answer.read()
    return (time.perf_counter() - start) * 1000


def csrf_token(base: str) -> str:
    """The CSRF cookie Django sets on a page (the API checks it like the editor's fetch does)."""
    with urllib.request.urlopen(base + "/accounts/login/", timeout=30) as answer:
        for header in answer.headers.get_all("Set-Cookie") or []:
            if header.startswith("csrftoken="):
                return header.split(";", 1)[0].split("=", 1)[1]
    raise SystemExit("no csrftoken cookie on the log-in page")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gets", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    doc = {"version": 1, "name": "flood", "nodes": [], "links": []}
    doc.update({f"k{i:06d}": 1 for i in range(500_000)})
    body = json.dumps(doc).encode()
    print(f"body: {len(body) / 1e6:.1f} MB, 500,000 unknown keys")
    with tempfile.TemporaryDirectory() as tmp:
        server, base = start_server(Path(tmp))
        try:
            for _ in range(5):
                get_home(base)  # warm up
            alone = [get_home(base) for _ in range(args.gets)]
            before = rss_mb(server.pid)
            results: list[tuple[float, int, int]] = []
            token = csrf_token(base)
            headers = {"Content-Type": "application/json", "X-CSRFToken": token, "Cookie": f"csrftoken={token}",
                       "Origin": base, "Referer": base + "/"}

            def post() -> tuple[float, int, int]:
                start = time.perf_counter()
                request = urllib.request.Request(base + "/api/validate", data=body, method="POST", headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=600) as answer:
                        content, status = answer.read(), answer.status
                except urllib.error.HTTPError as error:
                    content, status = error.read(), error.code
                if status == 200:
                    more = json.loads(content)["more_problems"]
                    assert more == 499_950, more
                return time.perf_counter() - start, len(content), status

            # One at a time first: the first starts the validation process, the next find it warm.
            single = [post() for _ in range(4)]

            def flood() -> None:
                for _ in range(args.rounds):
                    results.append(post())

            threads = [threading.Thread(target=flood) for _ in range(3)]
            for thread in threads:
                thread.start()
            loaded: list[float] = []
            while any(thread.is_alive() for thread in threads):
                loaded.append(get_home(base))
            for thread in threads:
                thread.join()
            after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"validate alone: {single[0][0]:.2f} s the first time (the validation process starts), then "
          + ", ".join(f"{seconds:.2f} s" for seconds, _size, _status in single[1:]))
    for seconds, size, status in results:
        print(f"validate, three at once: {status} in {seconds:.2f} s, answer {size:,} bytes")
    print(f"answer max: {max(size for _s, size, _st in results):,} bytes (bound 65,536)")
    print(f"Daphne RSS: {before:.0f} MB before the floods, {after:.0f} MB after")
    p99_alone, p99_loaded = percentile(alone, 0.99), percentile(loaded, 0.99)
    print(f"GET / alone: p50 {statistics.median(alone):.1f} ms, p99 {p99_alone:.1f} ms ({len(alone)} requests)")
    print(f"GET / during 3 floods: p50 {statistics.median(loaded):.1f} ms, p99 {p99_loaded:.1f} ms "
          f"({len(loaded)} requests)")
    print(f"ratio: {p99_loaded / p99_alone:.2f} (p99 of GET / while three 500,000-key validations run vs alone)")


if __name__ == "__main__":
    main()
