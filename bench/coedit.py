"""Co-editing latency: N editors on one design, on one Daphne (SQLite file, in-memory layer) or, with
`--daphnes K`, on K Daphnes sharing a fresh PostgreSQL database and Redis (editors spread over them
in turn, so most changes cross processes through the channel layer).

Each editor holds its own socket (an editor share link's session). Two phases on the same sockets:

1. echo: every editor sends `ping` at RATE per second; latency = the `pong` back (a bare echo
   through the same consumer: access check, JSON, the socket);
2. ops: every editor sends a `design.op` (moves one of the design's nodes) at RATE per second;
   latency = from the send to the change arriving (`design.ops`) on each OTHER editor's socket.

The editors live in `--clients` processes of their own (default 4; bench/follow.py says why:
one event loop reading every editor's frames counted its own turn through them as delivery
time). Times are `time.perf_counter()`, CLOCK_MONOTONIC on Linux, one clock for every process.

Prints p50/p99 of both and ends with `ratio: <p99 op visible on others / p99 echo>`.

    .venv/bin/python bench/coedit.py [--editors 30] [--seconds 10] [--rate 2] [--daphnes 3] [--clients 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from liveserver import (cluster_unavailable, free_port, fresh_cluster_env, served_env, shell_json,  # noqa: E402,I001
                        start_daphne, stop_process, wait_port)

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
    ap.add_argument("--clients", type=int, default=4, help="processes holding the editors' sockets")
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


def editors(conn, ports: list[int], world: dict, mine: list[int], rate: float, seconds: float) -> None:
    """A client process: the editors `mine` (indexes into world["editors"]), each on its own socket.
    Runs both phases from the start times the main process sends, and sends back what it measured:
    the echo latencies, its changes' send times, and when each other editor's change arrived."""
    async def main():
        sockets = {}
        for i in mine:
            port = ports[i % len(ports)]
            ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/designs/{world['design']}/",
                                          origin=f"http://127.0.0.1:{port}", max_size=2**24,
                                          additional_headers={"Cookie": f"sessionid={world['editors'][i]}"})
            assert json.loads(await ws.recv())["type"] == "design.hello"
            await ws.send(json.dumps({"type": "design.sync", "after": world["version"]}))
            sockets[i] = ws
        pings = {i: [] for i in mine}  # per socket: send times of pings not answered yet (in order)
        echo: list[float] = []
        sent: dict[str, float] = {}  # change id -> send time
        arrivals: list[tuple[str, float]] = []  # (change id, arrival) on another editor's socket

        async def reader(i, ws):
            name = f"e{i}"
            try:
                async for text in ws:
                    now = time.perf_counter()
                    msg = json.loads(text)
                    if msg["type"] == "pong" and pings[i]:
                        echo.append(now - pings[i].pop(0))
                    elif msg["type"] == "design.ops":
                        for entry in msg["changes"]:
                            if entry.get("change") and entry.get("client") != name:
                                arrivals.append((entry["change"], now))
                    elif msg["type"] in ("error", "design.refused"):
                        print("refused:", msg, file=sys.stderr)
            except websockets.ConnectionClosed:
                pass

        async def writer(i, ws, start, phase):
            interval = 1.0 / rate
            await asyncio.sleep(max(0.0, start + interval * i / len(world["editors"]) - time.perf_counter()))
            n = 0
            end = start + seconds
            while time.perf_counter() < end:
                n += 1
                if phase == "echo":
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

        readers = [asyncio.create_task(reader(i, ws)) for i, ws in sockets.items()]
        loop = asyncio.get_running_loop()
        conn.send("open")
        for phase in ("echo", "ops"):
            start = await loop.run_in_executor(None, conn.recv)
            await asyncio.gather(*(writer(i, ws, start, phase) for i, ws in sockets.items()))
            conn.send(len(sent))
        total = await loop.run_in_executor(None, conn.recv)  # changes sent by everyone
        deadline = time.perf_counter() + 120.0  # every change reaches every other editor, or we say so
        while time.perf_counter() < deadline and len(arrivals) < total * len(sockets) - len(sent):
            await asyncio.sleep(0.2)
        for ws in sockets.values():
            await ws.close()
        for task in readers:
            task.cancel()
        conn.send((echo, sent, arrivals))

    asyncio.run(main())


async def measure(args, env: dict) -> None:
    ports = [free_port() for _ in range(args.daphnes)]
    env = served_env(env, ports)
    world = prepare(env, args.editors)
    servers = [start_daphne(env, port) for port in ports]
    ctx = multiprocessing.get_context("spawn")
    clients = []
    loop = asyncio.get_running_loop()

    async def everyone(order=None):
        if order is not None:
            for conn, _process in clients:
                conn.send(order)
        return [await loop.run_in_executor(None, conn.recv) for conn, _process in clients]

    try:
        for port in ports:
            await wait_port(port, timeout=90.0)
        for k in range(args.clients):
            conn, child = ctx.Pipe()
            mine = list(range(k, args.editors, args.clients))
            process = ctx.Process(target=editors, args=(child, ports, world, mine, args.rate, args.seconds), daemon=True)
            process.start()
            clients.append((conn, process))
        assert await everyone() == ["open"] * len(clients)
        await asyncio.sleep(1.0)  # the joins are over
        await everyone(time.perf_counter() + 0.5)  # echo
        await asyncio.sleep(1.0)
        total = sum(await everyone(time.perf_counter() + 0.5))  # ops: the changes sent
        for conn, _process in clients:
            conn.send(total)
        got = [await loop.run_in_executor(None, conn.recv) for conn, _process in clients]
    finally:
        for _conn, process in clients:
            process.join(5)
            if process.is_alive():
                process.kill()
        for server in servers:
            stop_process(server)
    echo = [took for e, _s, _a in got for took in e]
    sent = {c: t for _e, s, _a in got for c, t in s.items()}
    visible = [at - sent[c] for _e, _s, a in got for c, at in a if c in sent]
    seen: dict[str, int] = {}
    for _e, _s, a in got:
        for c, _at in a:
            seen[c] = seen.get(c, 0) + 1
    ms = 1000.0
    complete = sum(1 for c in sent if seen.get(c, 0) == args.editors - 1)
    where = (f"{args.daphnes} Daphnes, PostgreSQL + Redis" if args.daphnes > 1 else "1 Daphne, SQLite + in-memory layer")
    print(f"editors {args.editors} in {args.clients} client processes, {args.rate:g}/s each, {args.seconds:g} s per "
          f"phase, {where}")
    print(f"echo (ping answered by pong on the same socket): n={len(echo)} p50 {pct(echo, .5) * ms:.1f} ms, "
          f"p99 {pct(echo, .99) * ms:.1f} ms")
    print(f"op visible on the others: n={len(visible)} p50 {pct(visible, .5) * ms:.1f} ms, "
          f"p99 {pct(visible, .99) * ms:.1f} ms; changes seen by every other editor: {complete}/{len(sent)}")
    print(f"ratio: {pct(visible, .99) / pct(echo, .99):.2f} (p99 op visible on the others / p99 echo on the same socket, {where})")


if __name__ == "__main__":
    asyncio.run(main())
