"""A design of 10,000 nodes (the document limit) stays live (docs/limits.md, "Runs"): Play, its
tables (as pages, then deltas), a late joiner, a seek; every message the server sends is under
Daphne's 1 MiB frame limit, and no socket is closed with 1011. Slow (the worker builds 10,000
nodes): one scenario."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from test_sim_websocket import GOOD_ORIGIN, _clean_runs, merge_tables, session_cookie  # noqa: F401 (the fixture)
from webhelpers import build_world, make_design

from config.asgi import application
from designer.simulation.runview import FRAME_LIMIT

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.timeout(400)]


def big_document(n: int = 10_000) -> dict:
    """`n` nodes: lan_switches of 200 outside hosts each, chained; one host pings another."""
    switches = n // 201 + 1
    nodes = [{"id": f"sw{i}", "kind": "lan_switch"} for i in range(switches)]
    links = [{"id": f"t{i}", "a": {"node": f"sw{i - 1}"}, "b": {"node": f"sw{i}"}} for i in range(1, switches)]
    k = 0
    while len(nodes) < n:
        nodes.append({"id": f"h{k}", "kind": "outside_host",
                      "nics": [{"name": "eth0", "ip": f"10.{(k + 1) >> 16}.{((k + 1) >> 8) & 255}.{(k + 1) & 255}/8"}]})
        links.append({"id": f"l{k}", "a": {"node": f"h{k}", "nic": "eth0"}, "b": {"node": f"sw{k % switches}"}})
        k += 1
    return {"version": 1, "name": "Ten thousand", "nodes": nodes, "links": links,
            "script": [{"at": 0.5, "node": "h0", "command": "ping -c 2 10.0.0.3"}]}


async def connect(world, role: str, design) -> WebsocketCommunicator:
    """As test_sim_websocket.connect, with the time a 10,000-node document takes to load."""
    cookie = await sync_to_async(session_cookie)(world, role)
    comm = WebsocketCommunicator(application, f"/ws/designs/{design.pk}/", headers=[
        (b"origin", GOOD_ORIGIN.encode()), (b"cookie", f"sessionid={cookie}".encode()), (b"host", b"127.0.0.1:8000")])
    connected, _ = await comm.connect(timeout=60)
    assert connected
    hello = await comm.receive_json_from(timeout=60)
    assert hello["type"] == "design.hello", hello
    return comm


class Sizes:
    """Every frame a communicator received, as raw text: the sizes, and the decoded messages."""

    def __init__(self, comm):
        self.comm, self.sizes, self.messages, self.unacked = comm, [], [], 0

    async def until(self, predicate, timeout: float = 300.0) -> dict:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            out = await self.comm.receive_output(timeout=max(0.1, deadline - loop.time()))
            if out["type"] == "websocket.close":
                import collections
                kinds = collections.Counter(m["type"] for m in self.messages)
                print("closed after", dict(kinds), sum(self.sizes), "bytes", flush=True)
            assert out["type"] != "websocket.close", out  # never closed (no 1011)
            text = out["text"]
            self.sizes.append(len(text.encode("utf-8")))
            message = json.loads(text)
            self.messages.append(message)
            self.unacked += self.sizes[-1]
            if self.unacked > 1024 * 1024 or len(self.messages) % 50 == 0:
                # What a browser does (flow control: past 8 MiB or 1,000 messages unacknowledged,
                # the server closes with 4008).
                self.unacked = 0
                await self.comm.send_json_to({"type": "events.ack", "seq": 0})
            if predicate(message):
                print(f"{loop.time():.1f} {message['type']} after {len(self.messages)} messages", flush=True)
                return message

    def tables(self) -> dict:
        held = None
        for m in self.messages:
            if m["type"] == "tables":
                held = merge_tables(held, m)
        return held or {}


async def test_a_design_of_10000_nodes_plays_its_tables_a_late_joiner_and_a_seek_within_the_frame_limit():
    print(f"{asyncio.get_running_loop().time():.1f} start", flush=True)
    world = await sync_to_async(build_world)()
    design = await sync_to_async(make_design)(world.users["owner"], name="Big", document=big_document())
    print(f"{asyncio.get_running_loop().time():.1f} design made", flush=True)
    owner = Sizes(await connect(world, "owner", design))
    await owner.comm.send_json_to({"type": "run.start", "speed": 10.0})
    await owner.until(lambda m: m["type"] == "run.seeked" and m["started"])
    # Play: the snapshot's pages, then events and deltas as the ping goes.
    await owner.until(lambda m: m["type"] == "run.events" and any(
        ev["kind"] == "command.exit" and ev["node"] == "h0" for ev in m["events"]))
    held = owner.tables()
    assert len(held["nodes"]) == 10_000 - len(held["switches"])
    assert any(m["type"] == "tables" and not m["snapshot"] for m in owner.messages)  # a delta came

    late = Sizes(await connect(world, "owner", design))  # a second tab, joining late
    state = await late.until(lambda m: m["type"] == "run.state")
    assert state["tables"] is None and state["tables_parts"] > 4  # 3 MB of tables, in pages
    await late.until(lambda m: m["type"] == "tables" and m["snapshot"] and m["part"] == state["tables_parts"])
    assert late.tables()["nodes"].keys() == held["nodes"].keys()

    await owner.comm.send_json_to({"type": "run.seek", "t": 4.0, "ref": "s"})
    seeked = await late.until(lambda m: m["type"] == "run.seeked" and not m["started"])
    assert seeked["t"] == 4_000_000_000
    await late.until(lambda m: m["type"] == "tables" and m["snapshot"] and m["part"] == seeked["tables_parts"])
    await owner.until(lambda m: m["type"] == "ack" and m.get("ref") == "s")

    for who in (owner, late):
        assert max(who.sizes) <= FRAME_LIMIT  # every frame under 1 MiB, measured
        assert not [m for m in who.messages if m["type"] == "error"]
    await owner.comm.disconnect()
    await late.comm.disconnect()
