"""Co-editing latency: N editors on one design, on one Daphne (SQLite file, in-memory layer) or, with
`--daphnes K`, on K Daphnes sharing a fresh PostgreSQL database and Redis (editors spread over them
in turn, so most changes cross processes through the channel layer).

Each editor holds its own socket (an editor share link's session). Two phases on the same sockets:

1. echo: every editor sends `ping` at RATE per second; latency = the `pong` back (a bare echo
   through the same consumer: access check, JSON, the socket);
2. ops: every editor sends a `design.op` (moves one of the design's nodes) at RATE per second;
   latency = from the send to the change arriving (`design.ops`) on each OTHER editor's socket.

Prints p50/p99 of both and ends with `ratio: <p99 op visible on others / p99 echo>`.

    .venv/bin/python bench/coedit.py [--editors 30] [--seconds 10] [--rate 2] [--daphnes 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from liveserver import cluster_unavailable, free_port, fresh_cluster_env, shell_json, start_daphne, stop_process, wait_port  # noqa: E402,I001

REDIS_URL = "redis://127.0.0.1:6379/10"  # not used by the tests nor the other benches


def prepare(env: dict, editors: int) -> dict:
    return shell_json(env, f"""
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from designer.actions import do_create_design, do_create_share_link
from designer.access import Actor, SESSION_KEY as LINKS
owner = get_user_model().objects.create_user(username="bench-owner", password="x-long-password-1")
doc = json.load(open("examples/internal-switch.json"))
design = do_create_design(owner, name="coedit", description="", document=doc)
link = do_create_share_link(Actor.for_user(owner), design, role="editor")
cookies = []
for _ in range({editors}):
    v = SessionStore(); v[LINKS] = [link.token]; v.create(); cookies.append(v.session_key)
print(json.dumps({{"design": design.pk, "version": design.version, "editors": cookies,
                  "nodes": [n["id"] for n in design.document["nodes"]]}}))
""")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--editors", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=2.0, help="messages per second per editor")
    ap.add_argument("--daphnes", type=int, default=1, help="more than 1: PostgreSQL + Redis, one port each")
    args = ap.parse_args()
    if args.daphnes > 1:
        why = cluster_unavailable(REDIS_URL)
        if why:
            raise SystemExit(f"--daphnes {args.daphnes} needs PostgreSQL and Redis: {why}")
        with fresh_cluster_env("coedit", REDIS_URL) as env:
            await measure(args, env)
    else:
        tmp = tempfile.mkdtemp(prefix="coedit-")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        env.pop("REDIS_URL", None)
        await measure(args, env)


async def measure(args, env: dict) -> None:
    ports = [free_port() for _ in range(args.daphnes)]
    origins = ",".join(f"http://127.0.0.1:{p}" for p in ports)
    env = {**env, "PORT": str(ports[0]), "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1", "ALLOWED_ORIGINS": origins}
    world = prepare(env, args.editors)
    servers = [start_daphne(env, port) for port in ports]
    sent: dict[str, float] = {}  # change id -> send time
    echo: list[float] = []
    visible: list[float] = []
    seen: dict[str, int] = {}
    phase = ["echo"]
    try:
        for port in ports:
            await wait_port(port, timeout=90.0)
        sockets = []
        for i, cookie in enumerate(world["editors"]):
            port = ports[i % len(ports)]
            url = f"ws://127.0.0.1:{port}/ws/designs/{world['design']}/"
            ws = await websockets.connect(url, origin=f"http://127.0.0.1:{port}",
                                          additional_headers={"Cookie": f"sessionid={cookie}"}, max_size=2**24)
            assert json.loads(await ws.recv())["type"] == "design.hello"
            await ws.send(json.dumps({"type": "design.sync", "after": world["version"]}))
            sockets.append(ws)

        pings = [[] for _ in sockets]  # per socket: send times of pings not answered yet (answers come in order)

        async def reader(i, ws):
            name = f"e{i}"
            async for text in ws:
                now = time.perf_counter()
                msg = json.loads(text)
                if msg["type"] == "pong" and pings[i]:
                    echo.append(now - pings[i].pop(0))
                elif msg["type"] == "design.ops":
                    for entry in msg["changes"]:
                        change = entry.get("change")
                        if change in sent and entry.get("client") != name:
                            visible.append(now - sent[change])
                            seen[change] = seen.get(change, 0) + 1
                elif msg["type"] in ("error", "design.refused"):
                    print("refused:", msg, file=sys.stderr)

        readers = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(sockets)]

        async def writer(i, ws):
            interval = 1.0 / args.rate
            await asyncio.sleep(interval * i / len(sockets))
            n = 0
            end = time.perf_counter() + args.seconds
            while time.perf_counter() < end:
                n += 1
                if phase[0] == "echo":
                    pings[i].append(time.perf_counter())
                    await ws.send('{"type": "ping"}')
                else:
                    change = f"e{i}-{n}"
                    node = world["nodes"][(i + n) % len(world["nodes"])]
                    sent[change] = time.perf_counter()
                    await ws.send(json.dumps({"type": "design.op", "client": f"e{i}", "change": change, "ref": change,
                                              "ops": [{"op": "update", "coll": "nodes", "id": node, "before": {},
                                                       "after": {"position": {"x": n % 500, "y": i}}}]}))
                await asyncio.sleep(interval)

        await asyncio.gather(*(writer(i, ws) for i, ws in enumerate(sockets)))
        await asyncio.sleep(1.0)
        phase[0] = "ops"
        await asyncio.gather(*(writer(i, ws) for i, ws in enumerate(sockets)))
        deadline = time.perf_counter() + 120.0  # everything sent is seen by every other editor, or we say so
        while time.perf_counter() < deadline and any(seen.get(c, 0) < len(sockets) - 1 for c in sent):
            await asyncio.sleep(0.2)
        for ws in sockets:
            await ws.close()
        for task in readers:
            task.cancel()
    finally:
        for server in servers:
            stop_process(server)
    ms = 1000.0
    complete = sum(1 for c in sent if seen.get(c, 0) == len(sockets) - 1)
    where = (f"{args.daphnes} Daphnes, PostgreSQL + Redis" if args.daphnes > 1 else "1 Daphne, SQLite + in-memory layer")
    print(f"editors {len(world['editors'])}, {args.rate:g}/s each, {args.seconds:g} s per phase, {where}")
    print(f"echo (ping answered by pong on the same socket): n={len(echo)} p50 {pct(echo, .5) * ms:.1f} ms, "
          f"p99 {pct(echo, .99) * ms:.1f} ms")
    print(f"op visible on the others: n={len(visible)} p50 {pct(visible, .5) * ms:.1f} ms, "
          f"p99 {pct(visible, .99) * ms:.1f} ms; changes seen by every other editor: {complete}/{len(sent)}")
    print(f"ratio: {pct(visible, .99) / pct(echo, .99):.2f} (p99 op visible on the others / p99 echo on the same socket, {where})")


if __name__ == "__main__":
    asyncio.run(main())
