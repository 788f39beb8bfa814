"""What the live-server benches share (bench/fanout.py, bench/coedit.py, bench/classroom.py): a real
Daphne on a free port, the Django shell step that prepares its database,
and the websocket viewer of a run that acknowledges what it gets as the browser does and counts
latency and lost events.

A viewer's latency is, per `run.events` batch, its receive time minus the `sent` wall time the
worker stamped on the batch (same machine, same clock). Lost: the sequence numbers a viewer should
have received (from its first batch, or from 1 when it was open before the run started, to its
last) that never came (the server fills gaps from the ring buffer, so this should be 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable
DAPHNE = str(Path(PY).parent / "daphne")

# Prepended to the scripts run by `shell_json`: a session of a signed-in user, made the way
# django.contrib.auth.login makes one (user id, backend, password hash), so the socket's
# `auth.get_user` accepts it.
SHELL_PRELUDE = """
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import get_user_model, HASH_SESSION_KEY, BACKEND_SESSION_KEY, SESSION_KEY as USER_KEY
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

def signed_in_session(user, **data):
    s = SessionStore()
    s[USER_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    for key, value in data.items():
        s[key] = value
    s.create()
    return s
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _r, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def shell_json(env: dict, script: str) -> dict:
    """Migrate, then run `script` (after SHELL_PRELUDE) in `manage.py shell`; its last printed
    line is JSON, returned."""
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([PY, "manage.py", "shell", "-c", SHELL_PRELUDE + script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _log(path: Path | None):
    return open(path, "wb") if path else subprocess.DEVNULL  # noqa: SIM115 (the child holds it)


def served_env(env: dict, ports: list[int]) -> dict:
    """`env` as `make run` serves (DEBUG off: no query log kept per request, no debug pages), for
    Daphnes on `ports` of 127.0.0.1: a bench measures what a class gets."""
    return {**env, "DEBUG": "0", "SECRET_KEY": "bench-only-" + "x" * 50, "SECURE_COOKIES": "0",
            "ALLOWED_HOSTS": "127.0.0.1", "ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{p}" for p in ports),
            "PORT": str(ports[0])}


def start_daphne(env: dict, port: int, log: Path | None = None) -> subprocess.Popen:
    """One Daphne on 127.0.0.1:`port`, in a process group of its own (stop_process ends it all);
    its output (the server's warnings and errors) goes to `log`, or nowhere."""
    return subprocess.Popen([DAPHNE, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=_log(log), start_new_session=True)


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, then after 10 s SIGKILL; to the process group when it leads one (start_daphne),
    so no child (the run workers, their fork server) outlives the bench."""
    group = process.pid if os.getpgid(process.pid) == process.pid else None

    def signal_all(signum):
        try:
            os.killpg(group, signum) if group else process.send_signal(signum)
        except ProcessLookupError:
            pass

    signal_all(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:  # Daphne may wait for its sockets: the bench is over
        signal_all(signal.SIGKILL)
        process.wait(10)
    if group:  # what the leader left behind (a worker that did not follow it)
        signal_all(signal.SIGKILL)


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def cluster_unavailable(redis_url: str) -> str | None:
    """Why the PostgreSQL + Redis setup cannot run here (None when both answer)."""
    try:
        import psycopg

        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except Exception as exc:
        return f"PostgreSQL at {PG_ADMIN} does not answer ({type(exc).__name__}: {str(exc).strip()[:120]})"
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis at {redis_url} does not answer ({type(exc).__name__}: {str(exc)[:120]})"
    return None


@contextlib.contextmanager
def fresh_cluster_env(prefix: str, redis_url: str):
    """The environment of a scale-out setup: a fresh PostgreSQL database (dropped after) and the
    Redis database `redis_url` (flushed before and after: a former run's leases and seats would
    name designs of the fresh database)."""
    import psycopg
    import redis

    name = f"{prefix}_{secrets.token_hex(4)}"
    layer = redis.Redis.from_url(redis_url)
    layer.flushdb()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}", "REDIS_URL": redis_url}
    env.pop("DESIGNER_SIM_STORE", None)
    try:
        yield env
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        layer.flushdb()


def redis_available(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


# ------------------------------------------------------------------ viewers (autobahn, asyncio)


class Stats:
    """What a group of viewers received: latencies (s), per viewer the sequence numbers seen, the
    range it should have seen, how long it saw events; closes the server made, errors it sent."""

    def __init__(self):
        self.latencies: list[float] = []
        self.sent: list[float] = []  # the `sent` stamp of each latency's batch
        self.seqs: list[set[int]] = []
        self.ranges: list[tuple[int, int]] = []
        self.spans: list[float] = []
        self.opened = 0  # design.hello received
        self.acks = 0  # answers to requests (run.start)
        self.closes: list[str] = []
        self.errors: list[str] = []

    def merged(self, *others: Stats) -> Stats:
        both = Stats()
        for s in (self, *others):
            both.latencies += s.latencies
            both.sent += s.sent
            both.seqs += s.seqs
            both.ranges += s.ranges
            both.spans += s.spans
            both.opened += s.opened
            both.acks += s.acks
            both.closes += s.closes
            both.errors += s.errors
        return both

    def lost(self) -> tuple[int, int]:
        """(events lost, events expected) over every viewer."""
        lost = total = 0
        for seen, (first, last) in zip(self.seqs, self.ranges, strict=False):
            if last:
                expected = set(range(first, last + 1))
                lost += len(expected - seen)
                total += len(expected)
        return lost, total

    def percentile(self, p: float, sent_after: float = 0.0) -> float:
        """The p-th fraction of the latencies (of the batches sent after the wall time
        `sent_after`), in ms (NaN without any)."""
        lat = sorted(x for x, sent in zip(self.latencies, self.sent, strict=True) if sent >= sent_after)
        return lat[min(len(lat) - 1, int(len(lat) * p))] * 1000 if lat else float("nan")


async def viewer(url: str, cookie: str | None, origin: str, stats: Stats, stop: asyncio.Event, warmup_until: list,
                 on_open=None, from_start: bool = False):
    """One websocket viewer until `stop`. Latencies count after `warmup_until[0]` (a wall time;
    None: not yet). `from_start`: the socket was open before the run began, so it should see
    every event from seq 1."""
    from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

    seen: set[int] = set()
    bounds = [None, None]
    times = [None, None]
    last_ack = [time.time()]
    loop = asyncio.get_running_loop()

    class Client(WebSocketClientProtocol):
        def onOpen(self):
            if on_open is not None:
                on_open(self)

        def onClose(self, was_clean, code, reason):
            if not stop.is_set():
                stats.closes.append(f"{code} {reason or ''}".strip())

        def onMessage(self, payload, is_binary):
            # Only the head is decoded: 100 clients in one process cannot json-decode ~100 MB/s,
            # and the bench must measure the server, not its own parser.
            now = time.time()
            if now - last_ack[0] >= 0.5 and self.state == self.STATE_OPEN:  # flow control, as the browser does
                # (the server closes with 4008 without it); not once our close is under way
                last_ack[0] = now
                self.sendMessage(b'{"type":"events.ack","seq":%d}' % (bounds[1] or 0))
            cut = payload.find(b',"events":[', 0, 400)
            if cut < 0:
                head = payload[:40]
                if b'"design.hello"' in head:
                    stats.opened += 1
                elif b'"ack"' in head:
                    stats.acks += 1
                elif b'"error"' in head:
                    stats.errors.append(payload[:300].decode("utf-8", "replace"))
                return
            message = json.loads(payload[:cut] + b"}")
            if message.get("type") != "run.events":
                return
            if "sent" in message and warmup_until[0] is not None and now > warmup_until[0]:
                stats.latencies.append(now - message["sent"])
                stats.sent.append(message["sent"])
            seen.update(range(message["first"], message["last"] + 1))
            if bounds[0] is None:
                bounds[0], times[0] = (1 if from_start else message["first"]), now
            bounds[1], times[1] = message["last"], now

    headers = {"Origin": origin}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    factory = WebSocketClientFactory(url, headers=headers)
    # A loaded server may take more than autobahn's 5 s to answer the opening handshake.
    factory.setProtocolOptions(utf8validateIncoming=False, openHandshakeTimeout=30)
    factory.protocol = Client
    host, port = url.split("//")[1].split("/")[0].split(":")
    transport, proto = await loop.create_connection(factory, host, int(port))
    await stop.wait()
    stats.seqs.append(seen)  # with its range, in the same order
    stats.ranges.append((bounds[0] or 0, bounds[1] or 0))
    stats.spans.append((times[1] or 0) - (times[0] or 0))
    proto.sendClose()
    await asyncio.sleep(0.05)
    transport.close()


def summarise(name: str, stats: Stats, seconds: float) -> dict:
    lost, total = stats.lost()
    p50, p99 = stats.percentile(0.5), stats.percentile(0.99)
    per_viewer = total / max(1e-9, sum(stats.spans))
    print(f"{name:<22} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   events/s per viewer {per_viewer:7.0f}   "
          f"lost {lost} of {total}")
    return {"p50": p50, "p99": p99, "lost": lost}
