"""Fan-out benchmark: 100 websocket viewers of one run at about 1,000 events/s.

What it measures (printed too):

- through Channels: a real Daphne process (`config.asgi.application`, a temporary SQLite
  database), 100 viewers holding a share link and one owner who starts the run; the engine runs
  in its worker process (designer.simulation.worker) and its batches go through the registry, the
  channel layer group and every consumer. Once with the in-memory layer, once with Redis
  (`redis://127.0.0.1:6379/7`, when a Redis answers there).
- the baseline: the SAME worker process and the same batch texts, broadcast by a bare asyncio
  websocket server (autobahn, which Daphne itself uses) to 100 clients, in a child process.
- latency: per batch, client receive time minus the `sent` wall time the worker stamped on it
  (same machine, same clock); p50/p99 over every batch of every viewer after a 1 s warm-up.
- every viewer acknowledges what it received (`events.ack`, twice a second), as the browser
  does: without it the server closes a socket past 1,000 unacknowledged messages (4008).
- lost: events a viewer should have received (seq first..last of the run while it watched) that
  never arrived (the server fills gaps from the ring buffer, so this should be 0).

Run: `.venv/bin/python bench/fanout.py [--viewers 100] [--seconds 10]`. Last line:
`ratio: <Channels p99 / bare p99>` (in-memory layer); goal <= 2.0 with p99 < 100 ms, nothing lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

from liveserver import (
    PY,
    ROOT,
    Stats,
    free_port,
    redis_available,
    served_env,
    shell_json,
    start_daphne,
    stop_process,
    summarise,
    viewer,
    wait_port,
)

SPEED = 50.0  # two endless pings on the example: about 20 trace events per simulated second (~1,000/s)


def bench_document() -> dict:
    doc = json.loads((ROOT / "examples" / "internal-switch.json").read_text())
    doc["script"] = [{"at": 1.0, "node": "vm1", "command": "ping 192.168.56.12"},
                     {"at": 1.0, "node": "vm3", "command": "ping 192.168.56.12"}]
    return doc


# ------------------------------------------------------------------ Channels through Daphne


def prepare_database(env: dict, viewers: int) -> dict:
    script = f"""
from designer.actions import do_create_design, do_create_share_link
from designer.access import Actor, SESSION_KEY as LINKS
owner = get_user_model().objects.create_user(username="bench-owner", password="x-long-password-1")
design = do_create_design(owner, name="fanout", description="", document=json.loads({json.dumps(json.dumps(bench_document()))}))
link = do_create_share_link(Actor.for_user(owner), design, role="viewer")
s = signed_in_session(owner)
cookies = []
for _ in range({viewers}):
    v = SessionStore(); v[LINKS] = [link.token]; v.create(); cookies.append(v.session_key)
print(json.dumps({{"design": design.pk, "owner": s.session_key, "viewers": cookies}}))
"""
    return shell_json(env, script)


async def through_channels(name: str, viewers: int, seconds: float, redis_url: str | None) -> dict:
    tmp = tempfile.mkdtemp(prefix="fanout-")
    port = free_port()
    env = served_env({**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}, [port])
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    world = prepare_database(env, viewers)
    server = start_daphne(env, port)
    try:
        await wait_port(port)
        url = f"ws://127.0.0.1:{port}/ws/designs/{world['design']}/"
        origin = f"http://127.0.0.1:{port}"
        stats, stop, warm = Stats(), asyncio.Event(), [None]
        tasks = [asyncio.create_task(viewer(url, c, origin, stats, stop, warm)) for c in world["viewers"]]
        await asyncio.sleep(1.0)

        def start(proto):
            proto.sendMessage(json.dumps({"type": "run.start", "speed": SPEED}).encode())

        owner_stats = Stats()
        owner = asyncio.create_task(viewer(url, world["owner"], origin, owner_stats, stop, [None], on_open=start))
        warm[0] = time.time() + 2.0  # the worker process starts, then one second of warm-up
        await asyncio.sleep(seconds + 2.0)
        stop.set()
        await asyncio.gather(*tasks, owner)
        return summarise(name, stats, seconds)
    finally:
        stop_process(server)


# ------------------------------------------------------------------ the bare baseline


def bare_server(port: int) -> None:
    """A bare autobahn server: starts the same worker, broadcasts each batch's text to all."""
    import multiprocessing

    from autobahn.asyncio.websocket import WebSocketServerFactory, WebSocketServerProtocol

    from designer.simulation import worker
    from designer.simulation.runview import events_text

    clients: set = set()

    class Server(WebSocketServerProtocol):
        def onOpen(self):
            clients.add(self)

        def onClose(self, was_clean, code, reason):
            clients.discard(self)

        def onMessage(self, payload, is_binary):
            if json.loads(payload).get("type") == "run.start":
                start_worker()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def start_worker():
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        config = {"run": "bare", "doc": bench_document(), "seed": 0, "speed": SPEED}
        ctx.Process(target=worker.main, args=(child, config), daemon=True).start()

        def readable():
            while parent.poll():
                msg = parent.recv()
                if msg["kind"] == "batch" and msg["events"]:
                    text = events_text("bare", msg["first"], msg["last"], msg["t"], msg["events"], msg["wall"])
                    data = text.encode()
                    for c in list(clients):
                        if c.state == c.STATE_OPEN:
                            c.sendMessage(data)

        loop.add_reader(parent.fileno(), readable)

    factory = WebSocketServerFactory(f"ws://127.0.0.1:{port}")
    factory.protocol = Server
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", port))
    try:
        loop.run_forever()
    finally:
        server.close()


async def through_bare(viewers: int, seconds: float) -> dict:
    port = free_port()
    server = subprocess.Popen([PY, __file__, "--bare-server", str(port)], cwd=ROOT)
    try:
        await wait_port(port)
        url = f"ws://127.0.0.1:{port}/"
        stats, stop, warm = Stats(), asyncio.Event(), [None]
        tasks = [asyncio.create_task(viewer(url, None, "http://x", stats, stop, warm)) for _ in range(viewers)]
        await asyncio.sleep(1.0)

        def start(proto):
            proto.sendMessage(json.dumps({"type": "run.start"}).encode())

        owner = asyncio.create_task(viewer(url, None, "http://x", Stats(), stop, [None], on_open=start))
        warm[0] = time.time() + 2.0
        await asyncio.sleep(seconds + 2.0)
        stop.set()
        await asyncio.gather(*tasks, owner)
        return summarise("bare websocket server", stats, seconds)
    finally:
        stop_process(server)


async def main(viewers: int, seconds: float) -> None:
    print(f"{viewers} viewers, {seconds:g} s measured, speed {SPEED:g}x of two endless pings")
    bare = await through_bare(viewers, seconds)
    memory = await through_channels("channels in-memory", viewers, seconds, None)
    redis_url = "redis://127.0.0.1:6379/7"
    if redis_available(redis_url):
        await through_channels("channels redis", viewers, seconds, redis_url)
    else:
        print("channels redis         skipped: no Redis at", redis_url)
    print(f"ratio: {memory['p99'] / bare['p99']:.2f} (Channels in-memory p99 / bare websocket server p99, {viewers} viewers)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--bare-server":
        bare_server(int(sys.argv[2]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(main(args.viewers, args.seconds))
