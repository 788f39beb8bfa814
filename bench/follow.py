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

The followers live in `--clients` processes of their own (default 4), as a class's followers are
browsers on machines of their own: with every follower's socket read by one Python event loop,
that loop's turn through 100 frames (about 100 µs each: the frame, the JSON) was counted as
delivery time, and the last follower of each move waited for the 99 before it
(`--clients 1` measures it that way). Send and receive times are `time.perf_counter()`, which is
CLOCK_MONOTONIC on Linux: one clock for every process of the machine.

Prints p50/p99 of both and ends with `ratio: <p99 move reaching the followers / p99 echo>`.

    .venv/bin/python bench/follow.py [--followers 100] [--seconds 10] [--clients 4]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from coedit import pct, prepare  # noqa: E402
from liveserver import free_port, served_env, start_daphne, stop_process, wait_port  # noqa: E402

MOVES_PER_S = 10.0  # static/src/live/presencesend.js: one presence message per 100 ms at most
QUIET_S = 0.5  # a round of pings on every socket back within this: the server is idle again
VIEW = {"x": 0, "y": 0, "zoom": 1, "w": 1280, "h": 720}


class Sockets:
    """Some of the design's sockets, read in this process: pongs timed, the presenter's moves
    stamped with their arrival time, as a browser acknowledges what it gets."""

    def __init__(self, port: int, design: int):
        self.port, self.design = port, design
        self.sockets: list = []
        self.pings: list[list[float]] = []  # per socket: send times of pings not answered yet (in order)
        self.echo: list[float] = []
        self.measuring = False
        self.presenter: str | None = None  # whose moves are stamped
        self.arrivals: list[tuple[int, float]] = []  # (move number, arrival time)
        self.brought: list[asyncio.Future] = []
        self.bring_acked: asyncio.Future | None = None
        self.readers: list[asyncio.Task] = []

    async def open(self, cookies: list[str]) -> None:
        loop = asyncio.get_running_loop()
        self.bring_acked = loop.create_future()
        for cookie in cookies:
            ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/ws/designs/{self.design}/",
                                          origin=f"http://127.0.0.1:{self.port}",
                                          additional_headers={"Cookie": f"sessionid={cookie}"}, max_size=2**24)
            assert json.loads(await ws.recv())["type"] == "design.hello"
            self.sockets.append(ws)
            self.pings.append([])
            self.brought.append(loop.create_future())
        self.readers = [asyncio.create_task(self._reader(i, ws)) for i, ws in enumerate(self.sockets)]
        for ws in self.sockets:
            await ws.send(json.dumps({"type": "presence", "viewport": VIEW, "selection": [], "picked": None,
                                      "tables": None, "console": None, "following": None, "at": None}))

    async def _reader(self, i, ws):
        try:
            acked = 0.0
            async for text in ws:
                now = time.perf_counter()
                if now - acked >= 0.5:  # flow control as the browser does it: at most twice a second
                    acked = now
                    await ws.send('{"type": "events.ack", "seq": 0}')
                msg = json.loads(text)
                kind = msg["type"]
                if kind == "pong" and self.pings[i]:
                    took = now - self.pings[i].pop(0)
                    if self.measuring:
                        self.echo.append(took)
                elif kind == "presence" and self.presenter is not None and msg["peer"] == self.presenter:
                    self.arrivals.append((int((msg.get("viewport") or {}).get("x", -1)), now))
                elif kind == "follow.brought" and not self.brought[i].done():
                    self.brought[i].set_result(msg["peer"])
                elif kind == "ack" and msg.get("for") == "follow.bring" and not self.bring_acked.done():
                    self.bring_acked.set_result(msg["data"]["peer"])
                elif kind == "error":
                    print("error:", msg, file=sys.stderr)
        except websockets.ConnectionClosed:  # the sockets close at the end
            pass

    async def settle(self) -> None:
        """Until a round of pings on every socket comes back within QUIET_S (at most 30 s): the
        joins' presence storm (each joiner's presence to all, everyone's answer to each joiner's
        query) is over."""
        give_up = time.perf_counter() + 30.0
        while time.perf_counter() < give_up:
            started = time.perf_counter()
            for i, ws in enumerate(self.sockets):
                self.pings[i].append(time.perf_counter())
                await ws.send('{"type": "ping"}')
            while any(self.pings) and time.perf_counter() < give_up:
                await asyncio.sleep(0.01)
            if time.perf_counter() - started < QUIET_S:
                return
            await asyncio.sleep(0.5)

    async def follow(self) -> None:
        """Waits until each socket was brought (`follow.brought`), then follows whom it names."""
        peers = await asyncio.wait_for(asyncio.gather(*self.brought), timeout=60)
        assert len(set(peers)) == 1, peers
        for ws in self.sockets:
            await ws.send(json.dumps({"type": "presence", "following": peers[0]}))
        self.presenter = peers[0]

    async def ping_for(self, seconds: float, rate: float, slots: list[float]) -> None:
        """Each socket pings `rate` times a second for `seconds`, socket i first at `slots[i]` of
        the first period (every follower of every process its own slot, as in one loop)."""
        async def pinger(i, ws):
            await asyncio.sleep(slots[i] / rate)
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                self.pings[i].append(time.perf_counter())
                await ws.send('{"type": "ping"}')
                await asyncio.sleep(1.0 / rate)

        self.measuring = True
        await asyncio.gather(*(pinger(i, ws) for i, ws in enumerate(self.sockets)))
        self.measuring = False

    async def close(self) -> None:
        for ws in self.sockets:
            await ws.close()
        for task in self.readers:
            task.cancel()


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time of a process (Linux /proc), all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def followers(conn, port: int, design: int, cookies: list[str], slots: list[float]) -> None:
    """A client process: its followers' sockets, driven by the main process through `conn`."""
    async def main():
        group = Sockets(port, design)
        await group.open(cookies)
        await group.settle()
        conn.send("open")
        loop = asyncio.get_running_loop()
        while True:
            order = await loop.run_in_executor(None, conn.recv)
            if order == "follow":
                await group.follow()
                await group.settle()
                conn.send("following")
            elif order[0] == "echo":
                await group.ping_for(order[1], 1.0, slots)
                await group.settle()
                conn.send(group.echo)
            elif order == "cpu":
                conn.send(cpu_seconds())
            elif order[0] == "arrivals":  # the moves made: wait until each reached every socket
                moves = order[1]
                deadline = time.perf_counter() + 60.0
                while time.perf_counter() < deadline and len(group.arrivals) < moves * len(cookies):
                    await asyncio.sleep(0.2)
                conn.send(group.arrivals)
            elif order == "close":
                await group.close()
                conn.send("closed")
                return

    asyncio.run(main())


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--followers", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--clients", type=int, default=4, help="processes holding the followers' sockets")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="follow-")
    port = free_port()
    env = served_env({**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}, [port])
    env.pop("REDIS_URL", None)
    world = prepare(env, args.followers + 1)
    server = start_daphne(env, port)
    ctx = multiprocessing.get_context("spawn")
    clients = []
    loop = asyncio.get_running_loop()

    async def everyone(order):
        for conn, _process in clients:
            conn.send(order)
        return [await loop.run_in_executor(None, conn.recv) for conn, _process in clients]

    sent: dict[int, float] = {}  # move number (the viewport's x) -> send time
    try:
        await wait_port(port, timeout=90.0)
        presenter = Sockets(port, world["design"])
        await presenter.open(world["editors"][:1])
        cookies = world["editors"][1:]
        for k in range(args.clients):
            mine = cookies[k::args.clients]
            conn, child = ctx.Pipe()
            slots = [(k + i * args.clients) / len(cookies) for i in range(len(mine))]  # mine = cookies[k::clients]
            process = ctx.Process(target=followers, args=(child, port, world["design"], mine, slots),
                                  daemon=True)
            process.start()
            clients.append((conn, process))
        for conn, _process in clients:
            assert await loop.run_in_executor(None, conn.recv) == "open"
        await presenter.settle()  # everyone has heard of everyone (presence.query)
        await presenter.sockets[0].send(json.dumps({"type": "follow.bring", "ref": "bring"}))
        me = await asyncio.wait_for(presenter.bring_acked, timeout=60)
        assert await everyone("follow") == ["following"] * len(clients)

        # echo: the followers once a second each (in their processes), the presenter ten times
        pinging = asyncio.ensure_future(everyone(("echo", args.seconds)))
        await presenter.ping_for(args.seconds, MOVES_PER_S, [0.0])
        echo = presenter.echo + [took for got in await pinging for took in got]
        await presenter.settle()

        clients_cpu, server_cpu = sum(await everyone("cpu")), cpu_seconds(server.pid)
        n, end = 0, time.perf_counter() + args.seconds
        ws = presenter.sockets[0]
        while time.perf_counter() < end:
            n += 1
            move = {"type": "presence", "viewport": {**VIEW, "x": n, "y": -n % 300}}
            if n % 2 == 0:  # a click on an event: its node selected, the event picked
                move |= {"selection": [world["nodes"][n % len(world["nodes"])]], "picked": n}
            sent[n] = time.perf_counter()
            await ws.send(json.dumps(move))
            await asyncio.sleep(1.0 / MOVES_PER_S)
        arrivals = [a for got in await everyone(("arrivals", n)) for a in got]
        clients_cpu = sum(await everyone("cpu")) - clients_cpu
        server_cpu = cpu_seconds(server.pid) - server_cpu
        await everyone("close")
        await presenter.close()
    finally:
        for _conn, process in clients:
            process.join(5)
            if process.is_alive():
                process.kill()
        stop_process(server)
    ms = 1000.0
    moves = [at - sent[m] for m, at in arrivals if m in sent]
    reached: dict[int, int] = {}
    for m, _at in arrivals:
        reached[m] = reached.get(m, 0) + 1
    complete = sum(1 for m in sent if reached.get(m, 0) == args.followers)
    assert me, "the presenter was acknowledged"
    print(f"followers {args.followers} in {args.clients} client processes, presenter moves {MOVES_PER_S:g}/s, "
          f"{args.seconds:g} s per phase")
    print(f"echo (ping answered by pong on the same socket): n={len(echo)} p50 {pct(echo, .5) * ms:.1f} ms, "
          f"p99 {pct(echo, .99) * ms:.1f} ms")
    print(f"CPU time per move (its relay, the followers' acknowledgements): Daphne {server_cpu / n * ms:.1f} ms, "
          f"the followers' processes {clients_cpu / n * ms:.1f} ms")
    print(f"move reaching a follower: n={len(moves)} p50 {pct(moves, .5) * ms:.1f} ms, "
          f"p99 {pct(moves, .99) * ms:.1f} ms; moves that reached every follower: {complete}/{len(sent)}")
    print(f"ratio: {pct(moves, .99) / pct(echo, .99):.2f} (p99 presenter's move reaching its {args.followers} "
          f"followers / p99 ping echo on the same sockets)")


if __name__ == "__main__":
    asyncio.run(main())
