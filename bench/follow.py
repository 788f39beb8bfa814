"""Following a presenter: one presenter and N followers on one design, one Daphne (SQLite file,
in-memory layer). Each holds its own socket as an editor share link's session (bench/coedit.py's
set-up; the server's path for presence is the same for a viewer, who only may not bring or hold).

The followers announce themselves (`presence`), the presenter brings everyone (`follow.bring`) and
each follower says whom it follows, as the browser does (static/src/live/followbar.js). Then, on
the same sockets:

1. echo: every follower sends `ping` once a second and the presenter ten times a second (the
   presenter's rate of presence below: one message per 100 ms); latency = the `pong` back on the
   same socket (the access check, JSON, the socket);
2. follow: the presenter moves ten times a second, as a browser's presence queue sends at most
   (static/src/live/presencesend.js): a pan (`viewport`) and, every other time, a selection and a
   picked event; latency = from the send to the move arriving on each follower's socket (the
   `presence` relayed with who and a colour, to all N).

Prints p50/p99 of both and ends with `ratio: <p99 move reaching the followers / p99 echo>`.

    .venv/bin/python bench/follow.py [--followers 100] [--seconds 10]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from coedit import pct, prepare  # noqa: E402
from liveserver import free_port, start_daphne, stop_process, wait_port  # noqa: E402

MOVES_PER_S = 10.0  # static/src/live/presencesend.js: one presence message per 100 ms at most
QUIET_S = 0.5  # a round of pings on every socket back within this: the server is idle again


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--followers", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    sent: dict[int, float] = {}  # move number (the viewport's x) -> send time
    reached: dict[int, int] = {}
    echo: list[float] = []
    moves: list[float] = []
    tmp = tempfile.mkdtemp(prefix="follow-")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "PORT": str(port), "DEBUG": "1",
           "ALLOWED_HOSTS": "127.0.0.1", "ALLOWED_ORIGINS": f"http://127.0.0.1:{port}"}
    env.pop("REDIS_URL", None)
    world = prepare(env, args.followers + 1)
    server = start_daphne(env, port)
    try:
        await wait_port(port, timeout=90.0)

        async def open_socket(cookie):
            ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/designs/{world['design']}/",
                                          origin=f"http://127.0.0.1:{port}",
                                          additional_headers={"Cookie": f"sessionid={cookie}"}, max_size=2**24)
            assert json.loads(await ws.recv())["type"] == "design.hello"
            return ws

        presenter = await open_socket(world["editors"][0])
        followers = [await open_socket(cookie) for cookie in world["editors"][1:]]
        sockets = [presenter, *followers]
        pings = [[] for _ in sockets]  # per socket: send times of pings not answered yet (in order)
        brought = [asyncio.get_running_loop().create_future() for _ in followers]
        me = asyncio.get_running_loop().create_future()

        async def reader(i, ws):
            try:
                await read(i, ws)
            except websockets.ConnectionClosed:  # the sockets close at the end
                pass

        async def read(i, ws):
            acked = 0.0
            async for text in ws:
                now = time.perf_counter()
                if now - acked >= 0.5:  # flow control as the browser does it: at most twice a second
                    acked = now
                    await ws.send('{"type": "events.ack", "seq": 0}')
                msg = json.loads(text)
                kind = msg["type"]
                if kind == "pong" and pings[i]:
                    took = now - pings[i].pop(0)
                    if measuring[0] == "echo":
                        echo.append(took)
                elif kind == "presence" and i > 0 and me.done() and msg["peer"] == me.result():
                    move = int((msg.get("viewport") or {}).get("x", -1))
                    if move in sent:
                        moves.append(now - sent[move])
                        reached[move] = reached.get(move, 0) + 1
                elif kind == "follow.brought" and i > 0 and not brought[i - 1].done():
                    brought[i - 1].set_result(msg["peer"])
                elif kind == "ack" and msg.get("for") == "follow.bring" and not me.done():
                    me.set_result(msg["data"]["peer"])
                elif kind == "error":
                    print("error:", msg, file=sys.stderr)

        readers = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(sockets)]
        measuring = [None]

        async def settle():
            """Until a round of pings on every socket comes back within QUIET_S (at most 30 s): the
            joins' presence storm (each joiner's presence to all, everyone's answer to each
            joiner's query) is over."""
            give_up = time.perf_counter() + 30.0
            while time.perf_counter() < give_up:
                started = time.perf_counter()
                for i, ws in enumerate(sockets):
                    pings[i].append(time.perf_counter())
                    await ws.send('{"type": "ping"}')
                while any(pings) and time.perf_counter() < give_up:
                    await asyncio.sleep(0.01)
                if time.perf_counter() - started < QUIET_S:
                    return
                await asyncio.sleep(0.5)

        view = {"x": 0, "y": 0, "zoom": 1, "w": 1280, "h": 720}
        for ws in sockets:
            await ws.send(json.dumps({"type": "presence", "viewport": view, "selection": [], "picked": None,
                                      "tables": None, "console": None, "following": None, "at": None}))
        await settle()  # everyone has heard of everyone (presence.query)
        await presenter.send(json.dumps({"type": "follow.bring", "ref": "bring"}))
        peers = await asyncio.wait_for(asyncio.gather(*brought), timeout=60)
        assert set(peers) == {me.result()}, peers
        for ws in followers:
            await ws.send(json.dumps({"type": "presence", "following": me.result()}))
        await settle()

        async def pinger(i, ws, rate):
            await asyncio.sleep(i / len(sockets) / rate)
            end = time.perf_counter() + args.seconds
            while time.perf_counter() < end:
                pings[i].append(time.perf_counter())
                await ws.send('{"type": "ping"}')
                await asyncio.sleep(1.0 / rate)

        measuring[0] = "echo"
        await asyncio.gather(*(pinger(i, ws, MOVES_PER_S if i == 0 else 1.0) for i, ws in enumerate(sockets)))
        measuring[0] = None
        await settle()

        async def present():
            n, end = 0, time.perf_counter() + args.seconds
            while time.perf_counter() < end:
                n += 1
                move = {"type": "presence", "viewport": {**view, "x": n, "y": -n % 300}}
                if n % 2 == 0:  # a click on an event: its node selected, the event picked
                    move |= {"selection": [world["nodes"][n % len(world["nodes"])]], "picked": n}
                sent[n] = time.perf_counter()
                await presenter.send(json.dumps(move))
                await asyncio.sleep(1.0 / MOVES_PER_S)

        await present()
        deadline = time.perf_counter() + 60.0  # every move reaches every follower, or we say so
        while time.perf_counter() < deadline and any(reached.get(m, 0) < len(followers) for m in sent):
            await asyncio.sleep(0.2)
        for ws in sockets:
            await ws.close()
        for task in readers:
            task.cancel()
    finally:
        stop_process(server)
    ms = 1000.0
    complete = sum(1 for m in sent if reached.get(m, 0) == len(followers))
    print(f"followers {len(followers)}, presenter moves {MOVES_PER_S:g}/s, {args.seconds:g} s per phase")
    print(f"echo (ping answered by pong on the same socket): n={len(echo)} p50 {pct(echo, .5) * ms:.1f} ms, "
          f"p99 {pct(echo, .99) * ms:.1f} ms")
    print(f"move reaching a follower: n={len(moves)} p50 {pct(moves, .5) * ms:.1f} ms, "
          f"p99 {pct(moves, .99) * ms:.1f} ms; moves that reached every follower: {complete}/{len(sent)}")
    print(f"ratio: {pct(moves, .99) / pct(echo, .99):.2f} (p99 presenter's move reaching its {len(followers)} followers "
          f"/ p99 ping echo on the same sockets)")


if __name__ == "__main__":
    asyncio.run(main())
