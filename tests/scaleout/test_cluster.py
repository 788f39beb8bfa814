"""Scale-out: several Daphne processes on one private Redis and one fresh
PostgreSQL database, viewers on different processes, and the failures a deployment meets:
a process killed with SIGKILL (one that hosts no run, then the one that hosts it) and a Redis
restart. The viewers here are websocket clients that follow docs/websocket-protocol.md: acknowledge
(`events.ack`), drop events they already have, fetch a gap (`events.fetch`), and on a lost
connection reconnect with backoff to another process, then `run.state` + `events.fetch`.

Every time limit below is a deadline for waiting (poll until, or fail), not a speed measurement.
Needs `REDIS_URL` and `DATABASE_URL` (PostgreSQL on 127.0.0.1:5432, user postgres) to be set, as
in CI's second pass (`make test-postgres`); the Redis of REDIS_URL is not used: the test starts
its own `redis-server`, so that restarting it disturbs nothing else.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
DAPHNE = str(Path(PY).with_name("daphne"))
ORIGIN = "http://127.0.0.1:8000"
SPEED = 10.0

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
                       reason="scale-out needs REDIS_URL and a PostgreSQL DATABASE_URL (make test-postgres sets both)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (to run a private one)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


# ------------------------------------------------------------------ private Redis, fresh database


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture(scope="module")
def backing():
    import psycopg

    redis = RedisServer()
    redis.start()
    name = f"scaleout_{secrets.token_hex(4)}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}", "REDIS_URL": redis.url,
           "ALLOWED_ORIGINS": ORIGIN, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DESIGNER_SIM_STORE", None)
    try:
        subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        yield redis, env
    finally:
        redis.kill()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_world(env: dict, designs: int = 1) -> dict:
    """A user, the nat-dhcp example as their design (`designs` copies: "designs"), and two
    logged-in sessions."""
    script = f"""
import json
from django.contrib.auth import get_user_model, HASH_SESSION_KEY, BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from designer.actions import do_create_design
user = get_user_model().objects.create_user(username="u{secrets.token_hex(4)}", password="x-long-password-1")
doc = json.load(open("examples/nat-dhcp.json"))
more = [do_create_design(user, name=f"NAT {{i}}", description="", document=doc).pk for i in range({designs})]
design = more[0]
sessions = []
for _ in range(2):
    s = SessionStore(); s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash(); s.create(); sessions.append(s.session_key)
print(json.dumps({{"design": design, "designs": more, "sessions": sessions}}))
"""
    out = subprocess.run([PY, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


class Cluster:
    """N Daphne processes, each on its own port (so the test knows which process a client reaches;
    `make cluster` puts them behind one port)."""

    def __init__(self, env: dict, n: int):
        self.env = env
        self.ports = [free_port() for _ in range(n)]
        self.logdir = Path(tempfile.mkdtemp(prefix="scaleout-"))
        self.logs = [open(self.logdir / f"daphne-{i}.log", "wb") for i in range(n)]  # noqa: SIM115
        self.procs = [subprocess.Popen([DAPHNE, "-b", "127.0.0.1", "-p", str(p), "config.asgi:application"],
                                       cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                      for p, log in zip(self.ports, self.logs, strict=True)]
        for p in self.ports:
            wait_port(p)

    def alive(self, i: int) -> bool:
        return self.procs[i].poll() is None

    def kill(self, i: int) -> None:
        os.kill(self.procs[i].pid, signal.SIGKILL)
        self.procs[i].wait(10)

    def index_of_pid(self, pid: int) -> int:
        return [p.pid for p in self.procs].index(pid)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in self.logs:
            log.close()

    def log(self, i: int) -> str:
        return (self.logdir / f"daphne-{i}.log").read_text(errors="replace")

    def tails(self) -> str:
        """The end of each process's log, for a failure message."""
        return "\n".join(f"--- daphne {i} (port {port})\n" + (self.logdir / f"daphne-{i}.log").read_text(
            errors="replace")[-3000:] for i, port in enumerate(self.ports))


@pytest.fixture
def cluster3(backing):
    redis, env = backing
    Viewer.all.clear()
    cluster = Cluster(env, 3)
    yield cluster, make_world(env), redis
    cluster.stop()
    print(cluster.tails())  # shown by pytest when the test failed
    shutil.rmtree(cluster.logdir, ignore_errors=True)


@pytest.fixture
def cluster2(backing):
    redis, env = backing
    Viewer.all.clear()
    cluster = Cluster(env, 2)
    yield cluster, make_world(env), redis
    cluster.stop()
    print(cluster.tails())  # shown by pytest when the test failed
    shutil.rmtree(cluster.logdir, ignore_errors=True)


# ------------------------------------------------------------------ a client that follows the protocol


class Viewer:
    """Connects to the first live process of `order`; on a lost connection reconnects to the next
    live one with backoff, then asks `run.state` and fetches from the last seq it has."""

    all: list[Viewer] = []  # noqa: RUF012 (for failure messages)

    def __init__(self, name: str, cluster: Cluster, order: list[int], design: int, session: str):
        Viewer.all.append(self)
        self.name, self.cluster, self.order, self.design, self.session = name, cluster, order, design, session
        self.shown: list[dict] = []  # the events as the user would see them: deduplicated, gaps fetched
        self.have = 0
        self.run: str | None = None
        self.statuses: list[str] = []
        self.reconnects = 0
        self.where: int | None = None
        self.last_event_at = 0.0
        self.proto = None
        self.fetching = False
        self.last_ack = 0.0
        self.opened = asyncio.Event()
        self.replies: list[dict] = []
        self.trail: list[tuple] = []  # what came in (for failure messages)
        self.reading = asyncio.Event()
        self.reading.set()
        self.received = 0
        self.close_codes: list[int | None] = []
        self._task: asyncio.Task | None = None
        self._stop = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._life())

    async def stop(self) -> None:
        self._stop = True
        if self._task is not None:
            self._task.cancel()

    def send(self, message: dict) -> None:
        ws = self.proto
        if ws is not None:
            asyncio.get_running_loop().create_task(self._send(ws, json.dumps(message)))

    @staticmethod
    async def _send(ws, text: str) -> None:
        try:
            await ws.send(text)
        except Exception:  # the connection is going away: the reconnect resyncs
            pass

    async def _life(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        backoff = [0.25, 0.5, 1.0, 2.0]
        attempt = 0
        while not self._stop:
            live = [i for i in self.order if self.cluster.alive(i)]
            index = live[attempt % len(live)] if live else self.order[0]
            port = self.cluster.ports[index]
            try:
                async with connect(f"ws://127.0.0.1:{port}/ws/designs/{self.design}/", origin=ORIGIN,
                                   additional_headers={"Cookie": f"sessionid={self.session}"},
                                   open_timeout=10, ping_interval=None, max_size=None) as ws:
                    self.proto, self.where = ws, index
                    async for payload in ws:
                        await self.reading.wait()  # cleared: a stalled viewer (TCP backpressure)
                        self.received += 1
                        self.on_message(json.loads(payload))
                self.close_codes.append(ws.close_code)
            except ConnectionClosed as exc:
                self.close_codes.append(exc.rcvd.code if exc.rcvd else None)
            except (OSError, TimeoutError):
                pass
            self.proto = None
            self.fetching = False
            if self._stop:
                return
            self.reconnects += 1
            await asyncio.sleep(backoff[min(attempt, len(backoff) - 1)])
            attempt += 1

    def on_message(self, message: dict) -> None:
        kind = message["type"]
        self.trail.append((kind, message.get("first"), message.get("last"), len(message.get("events") or ()),
                           message.get("code")))
        if kind == "design.hello":
            attempt_resync = self.have > 0
            self.opened.set()
            if attempt_resync:
                self.send({"type": "run.state"})
                self.fetch()
        elif kind == "run.state":
            if message.get("run"):
                self.run = self.run or message["run"]
                self.statuses.append(message["status"])
                self.take(message.get("recent", []))
        elif kind == "run.events":
            self.take(message["events"])
        elif kind == "events":
            self.fetching = False
            self.take(message["events"])
            if message["more"]:
                self.fetch()
        elif kind in ("run.status", "run.seeked"):
            self.statuses.append(message["status"])
        elif kind in ("ack", "error"):
            self.replies.append(message)
            if kind == "error" and message["code"] in ("run.none", "run.ended", "ws.rate_limited"):
                self.fetching = False  # e.g. just after a Redis restart: the next batch asks again
        now = time.monotonic()
        if self.proto is not None and now - self.last_ack >= 0.5:
            self.last_ack = now
            self.send({"type": "events.ack", "seq": self.have})

    def fetch(self) -> None:
        if not self.fetching and self.proto is not None:
            self.fetching = True
            self.send({"type": "events.fetch", "after_seq": self.have})

    def take(self, events: list[dict]) -> None:
        for ev in events:
            if ev["seq"] <= self.have:
                continue  # already shown (a refill, a fetch and the live stream may overlap)
            if ev["seq"] != self.have + 1:
                self.fetch()  # a gap: ask for what is missing, the live stream goes on after
                return
            self.run = self.run or ev["run"]
            self.shown.append(ev)
            self.have = ev["seq"]
            self.last_event_at = time.monotonic()


async def until(predicate, timeout: float, what: str) -> float:
    """Poll `predicate` until true; return how long it took; fail after `timeout` seconds."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout} s" + "".join(
                f"\n  {v.name}: have {v.have}, on {v.where}, reconnects {v.reconnects}, closes {v.close_codes}, "
                f"statuses {v.statuses[-3:]}, "
                f"replies {v.replies[-2:]}\n   {v.trail[:4]} ... {v.trail[-12:]}" for v in Viewer.all))
        await asyncio.sleep(0.05)
    return time.monotonic() - start


def assert_complete(viewer: Viewer) -> None:
    seqs = [ev["seq"] for ev in viewer.shown]
    assert seqs == list(range(1, len(seqs) + 1)), f"{viewer.name}: seq not complete"
    # The engine's own numbering (tseq) has no hole either: the events after a takeover are the
    # ones the dead process would have produced next (nothing replayed twice, nothing skipped).
    tseqs = [ev["tseq"] for ev in viewer.shown]
    assert tseqs == list(range(tseqs[0], tseqs[0] + len(tseqs))), f"{viewer.name}: tseq not continuous"
    assert {ev["run"] for ev in viewer.shown} == {viewer.run}


def download(port: int, path: str, session: str) -> bytes:
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={session}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def hosting_pid(redis_port: int, design: int) -> int:
    import redis

    client = redis.Redis(port=redis_port)
    key = next(iter(client.scan_iter(match=f"sim:*:{design}:run")), None)
    meta = client.hget(key, "meta") if key else None
    return json.loads(meta)["pid"] if meta else 0  # 0: no host recorded (between two hosts)


async def start_endless_run(owner: Viewer, editor: Viewer) -> None:
    """Play the example; once its script is done (DHCP, ping -c 3), an endless ping typed on a
    socket of ANOTHER process than the host (forwarded to the host's mailbox)."""
    owner.send({"type": "run.start", "speed": SPEED})
    await until(lambda: owner.have > 0 and owner.shown[-1]["t"] > 11e9, 30,
                f"the example's script ran ({owner.name})")
    editor.send({"type": "console.run", "node": "vm", "line": "ping -i 0.2 203.0.113.10", "ref": "ping"})
    await until(lambda: any(r.get("ref") == "ping" for r in editor.replies), 15, "the forwarded console.run acked")
    reply = next(r for r in editor.replies if r.get("ref") == "ping")
    assert reply["type"] == "ack", reply


# ------------------------------------------------------------------ the scenarios


@pytest.mark.asyncio
async def test_killing_a_process_its_viewers_resume_then_killing_the_host_the_run_resumes_elsewhere(cluster3):
    cluster, world, redis = cluster3
    design, (s1, s2) = world["design"], world["sessions"]
    owner = Viewer("owner@0", cluster, [0, 1, 2], design, s1)
    editor = Viewer("editor@1", cluster, [1, 2, 0], design, s2)
    viewers = [owner, editor, Viewer("v@1", cluster, [1, 2, 0], design, s2),
               Viewer("v@2", cluster, [2, 0, 1], design, s2), Viewer("w@2", cluster, [2, 1, 0], design, s1)]
    for v in viewers:
        v.start()
    for v in viewers:
        await asyncio.wait_for(v.opened.wait(), 20)
    try:
        await start_endless_run(owner, editor)
        assert cluster.index_of_pid(hosting_pid(redis.port, design)) == 0
        await until(lambda: all(v.have > owner.have - 50 > 100 for v in viewers), 20, "every viewer streams")

        # 1. kill -9 a process that hosts no run: its viewers reconnect elsewhere, seq complete.
        on_2 = [v for v in viewers if v.where == 2]
        before = {v.name: v.have for v in on_2}
        cluster.kill(2)
        for v in on_2:
            await until(lambda v=v: v.reconnects >= 1 and v.where != 2 and v.have > before[v.name] + 20,
                        5, f"{v.name} resumed after its process died")
        for v in viewers:
            assert_complete(v)

        # 2. kill -9 the process that runs the simulation: another takes the lease and resumes.
        at_kill = max(v.have for v in viewers)
        killed_host = hosting_pid(redis.port, design)
        cluster.kill(0)
        # Frames the dead host had already published may still be in Redis, so events alone do not
        # prove the takeover: wait for the lease to name another process too.
        took = await until(lambda: all(v.have > at_kill + 20 or "interrupted" in v.statuses for v in viewers) and (
            any("interrupted" in v.statuses for v in viewers) or hosting_pid(redis.port, design) not in (killed_host, 0)),
            15, "the run resumed elsewhere or was marked interrupted")
        assert all("interrupted" not in v.statuses for v in viewers), "it should have resumed (one process is left)"
        assert cluster.index_of_pid(hosting_pid(redis.port, design)) == 1
        for v in viewers:
            assert_complete(v)
            assert v.shown[-1]["seq"] > at_kill
        assert took < 15
        print(f"takeover: events again {took:.1f} s after the host was killed")  # for the notes (-s)
        # It is really live again: control works on the new host.
        editor.send({"type": "run.speed", "speed": 20, "ref": "speed"})
        await until(lambda: any(r.get("ref") == "speed" for r in editor.replies), 10, "run.speed acked")
        assert next(r for r in editor.replies if r.get("ref") == "speed")["type"] == "ack"
    finally:
        for v in viewers:
            await v.stop()


@pytest.mark.asyncio
async def test_a_redis_restart_mid_run_every_viewer_gets_events_again_with_the_gap_filled(cluster2):
    cluster, world, redis = cluster2
    design, (s1, s2) = world["design"], world["sessions"]
    owner = Viewer("owner@0", cluster, [0, 1], design, s1)
    editor = Viewer("editor@1", cluster, [1, 0], design, s2)
    viewers = [owner, editor, Viewer("v@0", cluster, [0, 1], design, s2), Viewer("v@1", cluster, [1, 0], design, s1)]
    for v in viewers:
        v.start()
    for v in viewers:
        await asyncio.wait_for(v.opened.wait(), 20)
    try:
        await start_endless_run(owner, editor)
        await until(lambda: all(v.have > 100 for v in viewers), 20, "every viewer streams")
        # The pcap download works on the process that does not host the run (forwarded to the host).
        assert cluster.index_of_pid(hosting_pid(redis.port, design)) == 0
        pcap = await asyncio.to_thread(download, cluster.ports[1], f"/api/designs/{design}/run/pcap", s2)
        assert pcap[:4] == b"\x0a\x0d\x0d\x0a" and len(pcap) > 1000  # a pcapng with packets in it
        redis.kill()
        killed_at = max(v.have for v in viewers)
        await asyncio.sleep(0.5)
        redis.start()
        restarted = time.monotonic()
        for v in viewers:
            await until(lambda v=v: v.last_event_at > restarted and v.have > killed_at + 20, 5,
                        f"{v.name} receives events again after the Redis restart")
        for v in viewers:
            assert_complete(v)
        # The run's state is back in Redis (written again by its host): a fresh socket on the
        # other process gets it.
        late = Viewer("late@1", cluster, [1, 0], design, s2)
        late.start()
        await until(lambda: late.have > 0, 10, "a late joiner on the other process gets run.state")
        await late.stop()
    finally:
        for v in viewers:
            await v.stop()


@pytest.mark.asyncio
async def test_a_viewer_that_stops_reading_is_closed_4008_and_the_others_go_on(backing):
    """A real stalled socket: the client stops reading (its websocket library stops reading TCP
    after its small queue fills, so Daphne's buffer is what grows), sends no `events.ack`. With the
    bound lowered to 100 messages, the server closes it with 4008; the other viewer, who reads and
    acknowledges, keeps a complete stream."""
    redis, env = backing
    Viewer.all.clear()
    cluster = Cluster({**env, "DESIGNER_WS_UNACKED": "100,8388608"}, 1)
    world = make_world(env)
    design, (s1, s2) = world["design"], world["sessions"]
    owner = Viewer("owner", cluster, [0], design, s1)
    stalled = Viewer("stalled", cluster, [0], design, s2)
    try:
        for v in (owner, stalled):
            v.start()
            await asyncio.wait_for(v.opened.wait(), 20)
        await start_endless_run(owner, owner)
        stalled.reading.clear()
        paused_at = stalled.received
        before = owner.received
        await until(lambda: owner.received > before + 250, 30, "the owner goes on while the other stalls")
        stalled.reading.set()
        await until(lambda: stalled.close_codes, 10, "the stalled viewer's connection ended")
        # 4008 when the close frame gets through; a client that truly stopped reading usually sees
        # the connection dropped instead (the close frame waits behind what it did not read).
        assert stalled.close_codes[0] in (4008, 1006, None), stalled.close_codes
        assert "closing a socket that stopped reading (101 messages" in cluster.log(0)
        got_while_stalled = stalled.received - paused_at
        assert got_while_stalled <= 100 + 2, got_while_stalled  # the bound, then nothing but the close
        assert owner.close_codes == []
        assert_complete(owner)
        # The stalled viewer reconnects and resyncs, as the protocol says.
        mark = owner.have
        await until(lambda: stalled.have > mark, 10, "the stalled viewer resynced after reconnecting")
        assert_complete(stalled)
    finally:
        for v in (owner, stalled):
            await v.stop()
        cluster.stop()
        print(cluster.tails())
        shutil.rmtree(cluster.logdir, ignore_errors=True)


def test_the_cluster_supervisor_refuses_without_redis_and_postgres():
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    out = subprocess.run([PY, "-m", "designer.cluster", "-n", "2", "-p", str(free_port())], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "REDIS_URL and DATABASE_URL not set" in out.stderr


def test_the_cluster_supervisor_serves_n_processes_on_one_port(backing):
    _redis, env = backing
    port = free_port()
    sup = subprocess.Popen([PY, "-m", "designer.cluster", "-n", "2", "-p", str(port)], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = sup.stdout.readline()
        pids = [int(p) for p in line.split("pids ")[1].rstrip(")\n").split()]
        assert len(pids) == 2
        wait_port(port)
        import urllib.request

        for _ in range(4):  # the first answers wait for the children to be up (deadline, not speed)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as response:
                assert response.status == 200
        os.kill(pids[0], signal.SIGKILL)  # not restarted; the other still serves the port
        time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
    finally:
        sup.send_signal(signal.SIGTERM)
        sup.wait(20)


# ------------------------------------------------------------------ per-user limits across processes


async def open_socket(cluster: Cluster, index: int, design: int, session: str):
    """A raw design socket on process `index`: (the connection, its first message)."""
    from websockets.asyncio.client import connect

    ws = await connect(f"ws://127.0.0.1:{cluster.ports[index]}/ws/designs/{design}/", origin=ORIGIN,
                       additional_headers={"Cookie": f"sessionid={session}"}, open_timeout=10, ping_interval=None,
                       max_size=None)
    return ws, json.loads(await asyncio.wait_for(ws.recv(), 10))


async def answer(ws, message: dict) -> dict:
    """Send a run message and read up to its ack or error (the stream in between is skipped)."""
    ref = secrets.token_hex(4)
    await ws.send(json.dumps({**message, "ref": ref}))
    while True:
        got = json.loads(await asyncio.wait_for(ws.recv(), 15))
        if got.get("ref") == ref and got["type"] in ("ack", "error"):
            return got


@pytest.mark.asyncio
async def test_a_users_ten_sockets_and_two_runs_hold_across_processes(backing):
    """The user's sockets spread over two processes: the 11th is refused on either; their runs
    started through different processes: the 3rd is refused, and starts once one is stopped."""
    from websockets.exceptions import ConnectionClosed

    _redis, env = backing
    cluster = Cluster(env, 2)
    world = make_world(env, designs=3)
    (a, b, c), (s1, s2) = world["designs"], world["sessions"]
    sockets = []
    try:
        for index, design, n in ((0, a, 4), (1, b, 3), (0, c, 1), (1, c, 2)):
            for _ in range(n):
                ws, hello = await open_socket(cluster, index, design, s1 if index == 0 else s2)
                assert hello["type"] == "design.hello", hello
                sockets.append((index, design, ws))
        for index, design in ((0, a), (1, c)):  # ten open: the 11th is refused, whichever process
            ws, error = await open_socket(cluster, index, design, s1)
            assert (error["type"], error["code"]) == ("error", "ws.too_many_sockets"), error
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            assert ws.close_code == 4429
        # One closed on process 0 frees a place on process 1.
        closing = next(s for s in sockets if s[0] == 0 and s[1] == a)
        sockets.remove(closing)
        await closing[2].close()
        deadline = time.monotonic() + 10
        while True:
            ws, first = await open_socket(cluster, 1, c, s2)
            if first["type"] == "design.hello":
                sockets.append((1, c, ws))
                break
            await ws.close()
            assert time.monotonic() < deadline, f"the freed place was not given back: {first}"
            await asyncio.sleep(0.2)

        def on(index: int, design: int):
            return next(ws for i, d, ws in sockets if i == index and d == design)

        # Runs: A through process 0, B through process 1, then C (either process) is refused.
        assert (await answer(on(0, a), {"type": "run.start", "paused": True}))["type"] == "ack"
        assert (await answer(on(1, b), {"type": "run.start", "paused": True}))["type"] == "ack"
        assert cluster.index_of_pid(hosting_pid(_redis.port, a)) == 0
        assert cluster.index_of_pid(hosting_pid(_redis.port, b)) == 1
        for index in (0, 1):
            refused = await answer(on(index, c), {"type": "run.start", "paused": True})
            assert (refused["type"], refused["code"], refused["msg"]) == (
                "error", "run.too_many", "At most 2 running simulations per user: stop one first."), refused
        # Stopping one (A, on process 0) lets C start through process 1.
        assert (await answer(on(0, a), {"type": "run.stop"}))["type"] == "ack"
        deadline = time.monotonic() + 10
        while (got := await answer(on(1, c), {"type": "run.start", "paused": True}))["type"] != "ack":
            assert got["code"] == "run.too_many" and time.monotonic() < deadline, got
            await asyncio.sleep(0.2)
    finally:
        for _i, _d, ws in sockets:
            await ws.close()
        cluster.stop()
        print(cluster.tails())
        shutil.rmtree(cluster.logdir, ignore_errors=True)
