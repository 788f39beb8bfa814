"""Live simulation runs through the COMPOSED `config.asgi.application` (origin check, session,
router, consumer), as a browser reaches it: the internal-switch example played at high speed in a
real worker process (spawn), watched by an owner and a viewer. One scenario per test."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from webhelpers import build_world, example_document, forget_live_state, make_design, stop_live_state

from config.asgi import application
from designer.simulation.registry import REGISTRY
from designer.simulation.relay import RELAY
from designer.simulation.worker import stable_view

GOOD_ORIGIN = "http://127.0.0.1:8000"
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

ARP_REQUEST = "vm1 asks everyone on intnet: who has 192.168.56.12? (ARP request, broadcast)"
FAST = 20.0  # the example's ping (1 s .. 3 s of simulated time) takes 0.15 s of wall time


@pytest_asyncio.fixture(autouse=True)
async def _clean_runs():
    forget_live_state()
    yield
    await stop_live_state()


def session_cookie(world, role: str) -> str:
    client = world.client(role)
    if "sessionid" not in client.cookies:
        client.session.save()
    return client.cookies["sessionid"].value


async def connect(world, role: str, design=None) -> WebsocketCommunicator:
    cookie = await sync_to_async(session_cookie)(world, role)
    design_id = (design or world.design).pk
    comm = WebsocketCommunicator(application, f"/ws/designs/{design_id}/", headers=[
        (b"origin", GOOD_ORIGIN.encode()), (b"cookie", f"sessionid={cookie}".encode()), (b"host", b"127.0.0.1:8000")])
    connected, _ = await comm.connect()
    assert connected
    hello = await comm.receive_json_from()
    assert hello["type"] == "design.hello", hello
    return comm


async def receive_until(comm, predicate, timeout: float = 20.0) -> list[dict]:
    """Every message received up to and including the first one matching `predicate`."""
    got = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"no matching message in {timeout} s; got {[m.get('type') for m in got][-20:]}")
        message = await comm.receive_json_from(timeout=remaining)
        got.append(message)
        if predicate(message):
            return got


def events_of(messages: list[dict]) -> list[dict]:
    return [ev for m in messages if m["type"] == "run.events" for ev in m["events"]]


def ping_done(message) -> bool:
    return message["type"] == "run.events" and any(
        ev["kind"] == "command.exit" and ev["node"] == "vm1" for ev in message["events"])


def is_ack(kind):
    return lambda m: m["type"] == "ack" and m["for"] == kind


async def start(comm, **fields) -> str:
    await comm.send_json_to({"type": "run.start", **fields})
    got = await receive_until(comm, lambda m: m["type"] in ("ack", "error"))
    assert got[-1]["type"] == "ack", got[-1]
    return got[-1]["data"]["run"]


def merge_tables(held: dict | None, msg: dict) -> dict:
    """What the browser holds after a `tables` message (static/src/live/tablemodel.js mergeTables):
    a snapshot's first part replaces, other parts and deltas merge by node id, `removed` drops."""
    base = {} if msg["snapshot"] and msg["part"] == 1 else {k: dict(v) if isinstance(v, dict) else v
                                                             for k, v in (held or {}).items()}
    for section, entries in msg["tables"].items():
        base[section] = entries if section == "t" else {**base.get(section, {}), **entries}
    for section, ids in (msg.get("removed") or {}).items():
        for key in ids:
            base.get(section, {}).pop(key, None)
    return base


def folded(messages: list[dict], held: dict | None = None) -> list[dict]:
    """The tables the browser holds after each `tables` message of `messages`."""
    out = []
    for m in messages:
        if m["type"] == "tables":
            held = merge_tables(held, m)
            out.append(held)
    return out


async def receive_tables(comm, parts: int) -> dict:
    """The `parts` pages of a snapshot that follow run.state / run.seeked, folded."""
    got = await receive_until(comm, lambda m: m["type"] == "tables" and m["snapshot"] and m["part"] == parts)
    pages = [m for m in got if m["type"] == "tables" and m["snapshot"]]
    assert [m["part"] for m in pages] == list(range(1, parts + 1))
    return folded(pages)[-1]


def reference_tables(t_s: float) -> dict:
    from simcore.network import Network

    net = Network.from_design(example_document(), seed=0, trace=None)
    net.run_until(t_s)
    return net.tables()


# ------------------------------------------------------------------ one run, many viewers


async def test_a_run_streams_numbered_batches_and_tables_to_every_viewer():
    world = await sync_to_async(build_world)()
    owner, viewer = await connect(world, "owner"), await connect(world, "viewer")
    run_id = await start(owner, speed=FAST)
    seen_owner = await receive_until(owner, ping_done)
    seen_viewer = await receive_until(viewer, ping_done)

    events = events_of(seen_owner)
    assert [ev["seq"] for ev in events] == list(range(1, len(events) + 1))
    assert {ev["run"] for ev in events} == {run_id}
    texts = [ev["text"] for ev in events]
    assert ARP_REQUEST in texts
    assert "vm2 answers vm1: 192.168.56.12 is at 08:00:27:00:56:12 (ARP reply, unicast)" in texts
    assert any(ev["kind"] == "console.output" and ev["line"].startswith("64 bytes from 192.168.56.12") for ev in events)
    # The viewer saw the same events in the same order (the late part of its stream may be longer).
    assert events_of(seen_viewer)[:len(events)] == events[:len(events_of(seen_viewer))]
    assert len(events_of(seen_viewer)) >= len(events) - 50

    def learned_both(m):
        seen_owner.append(m)
        held = folded(seen_owner)
        return bool(held) and len(held[-1]["switches"]["intnet"]["fdb"]) == 2

    await receive_until(owner, learned_both)
    assert [m for m in seen_owner if m["type"] == "run.seeked"][0]["tables"] is None  # pages follow it
    learned = [sorted(e["mac"] for e in held["switches"]["intnet"]["fdb"]) for held in folded(seen_owner)]
    tables = [m for m in seen_owner if m["type"] == "tables"]
    assert tables[0]["snapshot"] is True and not any(m["snapshot"] for m in tables[1:])  # then deltas
    assert learned[0] == []  # the run starts with an empty table, then the switch learns
    assert learned[-1] == ["08:00:27:00:56:11", "08:00:27:00:56:12"]
    assert [m["seq"] for m in tables] == sorted(m["seq"] for m in tables)
    await owner.disconnect()
    await viewer.disconnect()


async def test_pause_then_step_runs_one_traced_event_at_a_time():
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, paused=True)
    await receive_until(owner, lambda m: m["type"] == "run.seeked" and m["started"])
    stepped = []
    for _ in range(4):
        await owner.send_json_to({"type": "run.step"})
        # The ack comes straight back; the events and the status come through the group.
        got = await receive_until(owner, lambda m: m["type"] == "run.status")
        stepped += events_of(got)
        assert got[-1]["status"] == "paused"
    assert [ev["seq"] for ev in stepped][:3] == [1, 2, 3]
    assert stepped[0]["kind"] == "command.run" and stepped[0]["t"] == 1_000_000_000
    await owner.send_json_to({"type": "run.resume"})
    assert (await receive_until(owner, lambda m: m["type"] == "run.status"))[-1]["status"] == "playing"
    await owner.send_json_to({"type": "run.pause"})
    assert (await receive_until(owner, lambda m: m["type"] == "run.status"))[-1]["status"] == "paused"
    await owner.disconnect()


async def test_seek_back_gives_the_tables_of_that_instant():
    world = await sync_to_async(build_world)()
    owner, viewer = await connect(world, "owner"), await connect(world, "viewer")
    await start(owner, speed=FAST)
    await receive_until(owner, ping_done)
    for t_s, macs in ((0.5, []), (2.5, ["08:00:27:00:56:11", "08:00:27:00:56:12"]), (1.00005, ["08:00:27:00:56:11"])):
        await owner.send_json_to({"type": "run.seek", "t": t_s})
        target = int(round(t_s * 1e9))
        seeked = await receive_until(viewer, lambda m: m["type"] == "run.seeked" and not m["started"])
        assert seeked[-1]["t"] == target
        got = await receive_tables(viewer, seeked[-1]["tables_parts"])
        assert sorted(e["mac"] for e in got["switches"]["intnet"]["fdb"]) == macs
        assert stable_view(got) == stable_view(reference_tables(t_s))
        assert got["switches"] == reference_tables(t_s)["switches"]
    await owner.disconnect()
    await viewer.disconnect()


async def test_a_console_command_is_an_action_its_output_streams_and_a_seek_replays_it():
    world = await sync_to_async(build_world)()
    editor = await connect(world, "editor")
    await start(editor, speed=FAST)
    await receive_until(editor, ping_done)
    await editor.send_json_to({"type": "console.run", "node": "vm3", "line": "ping -c 1 192.168.56.11", "ref": 7})
    got = await receive_until(editor, lambda m: m["type"] == "run.events" and any(
        ev["kind"] == "command.exit" and ev["node"] == "vm3" for ev in m["events"]))
    ack = [m for m in got if m["type"] == "ack"][0]
    assert ack["ref"] == 7 and ack["for"] == "console.run"
    action_t = ack["data"]["t"]
    lines = [ev["line"] for ev in events_of(got) if ev["kind"] == "console.output" and ev["node"] == "vm3"]
    assert lines[0] == "PING 192.168.56.11 (192.168.56.11) 56(84) bytes of data."
    assert any(line.startswith("64 bytes from 192.168.56.11: icmp_seq=1 ttl=64") for line in lines)
    # Seek back before the command, then play: the action log replays it at the same instant.
    await editor.send_json_to({"type": "run.seek", "t": (action_t - 1_000_000) / 1e9})
    replay = await receive_until(editor, lambda m: m["type"] == "run.events" and any(
        ev["kind"] == "command.run" and ev["node"] == "vm3" for ev in m["events"]))
    rerun = [ev for ev in events_of(replay) if ev["kind"] == "command.run" and ev["node"] == "vm3"]
    assert rerun[0]["t"] == action_t
    await editor.disconnect()


async def test_gap_fetch_returns_what_a_client_missed():
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, speed=FAST)
    events = events_of(await receive_until(owner, ping_done))
    await owner.send_json_to({"type": "events.fetch", "after_seq": 3, "limit": 10, "ref": "f1"})
    reply = (await receive_until(owner, lambda m: m["type"] == "events"))[-1]
    assert reply["ref"] == "f1" and reply["more"] is True and reply["truncated"] is False
    assert [ev["seq"] for ev in reply["events"]] == list(range(4, 14))
    assert reply["events"] == events[3:13]
    await owner.disconnect()


async def test_a_late_joiner_gets_the_state_then_the_live_stream():
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    run_id = await start(owner, speed=FAST)
    events = events_of(await receive_until(owner, ping_done))
    late = await connect(world, "link_viewer")
    state = await late.receive_json_from(timeout=5)
    assert state["type"] == "run.state" and state["run"] == run_id
    assert state["status"] == "playing" and state["speed"] == FAST and state["seq"] >= len(events)
    assert state["recent"][:len(events)] == events
    tables = await receive_tables(late, state["tables_parts"])
    assert sorted(e["mac"] for e in tables["switches"]["intnet"]["fdb"]) == [
        "08:00:27:00:56:11", "08:00:27:00:56:12"]
    await owner.disconnect()
    await late.disconnect()


class DroppingLayer:
    """The channel layer, except that it silently loses the n-th events relay, as
    channel layers do when a channel's queue is full or a message expires."""

    def __init__(self, layer, drop: int):
        self.layer, self.drop, self.count = layer, drop, 0

    async def group_send(self, group, message):
        if message.get("kind") == "events":
            self.count += 1
            if self.count == self.drop:
                return
        await self.layer.group_send(group, message)


async def test_a_group_message_the_layer_loses_is_filled_from_the_ring():
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, speed=FAST, paused=True)
    await receive_until(owner, lambda m: m["type"] == "run.seeked")
    run = REGISTRY.get(world.design.pk)
    run.layer = DroppingLayer(run.layer, drop=2)
    await owner.send_json_to({"type": "run.resume"})
    got = await receive_until(owner, ping_done)
    events = events_of(got)
    assert [ev["seq"] for ev in events] == list(range(1, len(events) + 1))
    assert run.layer.count >= 3
    refills = [m for m in got if m.get("refill")]
    assert len(refills) == 1 and refills[0]["first"] == events_of(got[:got.index(refills[0])])[-1]["seq"] + 1
    await owner.disconnect()


# ------------------------------------------------------------------ permissions and limits


@pytest.mark.parametrize("role", ["viewer", "link_viewer"])
async def test_a_viewer_cannot_run_anything_or_open_a_console(role):
    world = await sync_to_async(build_world)()
    viewer = await connect(world, role)
    await viewer.send_json_to({"type": "run.start"})
    assert (await viewer.receive_json_from()) == {
        "type": "error", "code": "forbidden.run", "msg": "running the simulation is for the design's owner and editors",
        "problems": []}
    owner = await connect(world, "owner")
    await start(owner, speed=FAST)
    for message in ({"type": "run.pause"}, {"type": "run.seek", "t": 0}, {"type": "run.stop"}):
        await viewer.send_json_to(message)
        assert (await receive_until(viewer, lambda m: m["type"] == "error"))[-1]["code"] == "forbidden.run"
    await viewer.send_json_to({"type": "console.run", "node": "vm1", "line": "ip addr"})
    assert (await receive_until(viewer, lambda m: m["type"] == "error"))[-1] == {
        "type": "error", "code": "forbidden.console",
        "msg": "console access is for the design's owner and editors (console access means admin access)",
        "problems": []}
    assert REGISTRY.get(world.design.pk).state["status"] in ("playing", "starting")
    await viewer.disconnect()
    await owner.disconnect()


@pytest.mark.parametrize("message, code, problems", [
    ({"type": "run.speed", "speed": 1000}, "ws.invalid_fields",
     [{"code": "schema.maximum", "path": "speed", "msg": "1000 is greater than the maximum of 100"}]),
    ({"type": "run.speed"}, "ws.invalid_fields",
     [{"code": "schema.required", "path": "speed", "msg": "missing required field 'speed'"}]),
    ({"type": "run.seek", "t": -1}, "ws.invalid_fields",
     [{"code": "schema.minimum", "path": "t", "msg": "-1 is less than the minimum of 0"}]),
    ({"type": "run.start", "sped": 2}, "ws.invalid_fields",
     [{"code": "schema.additionalProperties", "path": "sped", "msg": "unknown field 'sped' for run.start"}]),
    ({"type": "console.run", "node": "vm1", "line": 5}, "ws.invalid_fields",
     [{"code": "schema.type", "path": "line", "msg": "5 is not of type 'string'"}]),
    ({"type": "run.pause"}, "run.none", []),
    ({"type": "run.step"}, "run.none", []),
    ({"type": "events.fetch", "after_seq": 0}, "run.none", []),
    ({"type": "run.launch"}, "ws.unknown_type", []),
])
async def test_bad_or_out_of_order_messages_get_a_coded_error(message, code, problems):
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await owner.send_json_to(message)
    error = await owner.receive_json_from()
    assert (error["type"], error["code"], error["problems"]) == ("error", code, problems)
    await owner.disconnect()


async def test_a_second_start_and_a_third_run_are_refused():
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, speed=1.0)
    await owner.send_json_to({"type": "run.start"})
    assert (await receive_until(owner, lambda m: m["type"] == "error"))[-1]["code"] == "run.exists"
    designs = [await sync_to_async(make_design)(world.users["owner"], name=f"Lab {i}") for i in (2, 3)]
    second = await connect(world, "owner", designs[0])
    await start(second, speed=1.0)
    third = await connect(world, "owner", designs[1])
    await third.send_json_to({"type": "run.start"})
    error = (await receive_until(third, lambda m: m["type"] == "error"))[-1]
    assert (error["code"], error["msg"]) == (
        "run.too_many", "At most 2 running simulations per user: stop one first.")
    for comm in (owner, second, third):
        await comm.disconnect()


async def test_stop_ends_the_run_for_everyone():
    world = await sync_to_async(build_world)()
    owner, viewer = await connect(world, "owner"), await connect(world, "viewer")
    await start(owner, speed=1.0)
    await owner.send_json_to({"type": "run.stop"})
    got = await receive_until(viewer, lambda m: m["type"] == "run.status" and m["status"] == "stopped")
    assert got[-1]["msg"] == "The run was stopped."
    for _ in range(50):
        if REGISTRY.get(world.design.pk) is None:
            break
        await asyncio.sleep(0.05)
    assert REGISTRY.get(world.design.pk) is None
    await owner.disconnect()
    await viewer.disconnect()


async def test_limits_end_a_run_with_status_capped(settings):
    settings.DESIGNER_SIM_LIMITS = {"max_time_s": 2.0}
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, speed=FAST)
    got = await receive_until(owner, lambda m: m["type"] == "run.status" and m["status"] == "capped")
    assert got[-1]["msg"].startswith("The run stopped at 2.000 s of simulated time: it reached the simulated time limit")
    await owner.send_json_to({"type": "run.resume"})
    assert (await receive_until(owner, lambda m: m["type"] == "error"))[-1]["code"] == "run.refused"
    await owner.disconnect()


async def test_the_rate_limit_drops_messages_past_20_per_second():
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    for _ in range(25):
        await owner.send_json_to({"type": "ping"})
    answers = [await owner.receive_json_from() for _ in range(25)]
    assert [a["type"] for a in answers].count("pong") == 20
    assert {a.get("code") for a in answers if a["type"] == "error"} == {"ws.rate_limited"}
    await owner.disconnect()


async def test_a_message_over_64_kib_is_refused():
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await owner.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * (64 * 1024)}))
    assert (await owner.receive_json_from())["code"] == "ws.too_large"
    await owner.send_json_to({"type": "ping"})
    assert (await owner.receive_json_from())["type"] == "pong"
    await owner.disconnect()


async def test_an_eleventh_socket_of_one_user_is_closed():
    world = await sync_to_async(build_world)()
    sockets = [await connect(world, "viewer") for _ in range(10)]
    cookie = await sync_to_async(session_cookie)(world, "viewer")
    comm = WebsocketCommunicator(application, f"/ws/designs/{world.design.pk}/", headers=[
        (b"origin", GOOD_ORIGIN.encode()), (b"cookie", f"sessionid={cookie}".encode())])
    await comm.connect()
    assert (await comm.receive_json_from())["code"] == "ws.too_many_sockets"
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4429}
    await sockets[0].disconnect()
    again = await connect(world, "viewer")  # a closed socket frees its place
    for s in (*sockets[1:], again):
        await s.disconnect()


# ------------------------------------------------------------------ generated bad messages


def bad_messages(seed: int, n: int) -> list[str]:
    """`n` frames that must each be refused with an error: broken JSON, wrong shapes, wrong
    fields, unknown types, and well-formed commands that make no sense now (an unknown node)."""
    rng = random.Random(seed)
    types = ["run.start", "run.speed", "run.seek", "events.fetch", "console.run", "console.interrupt", "run.pause"]
    junk = [None, True, -1, 1e308, "x" * 70, [], {}, {"a": [1]}, 2**60, -0.5]
    out = []
    for _ in range(n):
        kind = rng.randrange(8)
        if kind == 0:
            out.append(rng.choice(["{", "[]", "null", '"ping"', "{'type': 'ping'}", '{"type": "ping",}', "NaN",
                                   '{"type": "ping", "x": 1e999}', "[" * 40 + "]" * 40]))
        elif kind == 1:
            out.append(json.dumps({"type": rng.choice(["", "run", "run.", "RUN.START", "run.start ", "tables"])}))
        elif kind == 2:
            out.append(json.dumps({"type": rng.choice(types), "bogus": rng.choice(junk)}))
        elif kind == 3:
            out.append(json.dumps({"type": "run.speed", "speed": rng.choice([0, 0.05, 101, "fast", None, True, [1]])}))
        elif kind == 4:
            out.append(json.dumps({"type": "run.seek", "t": rng.choice([-1, -1e-9, "1", None, 1e8, False])}))
        elif kind == 5:
            out.append(json.dumps({"type": "events.fetch", "after_seq": rng.choice([-1, 0.5, "3", None, 2**54])}))
        elif kind == 6:
            out.append(json.dumps({"type": "console.run", "node": rng.choice(["", "x" * 65, "nope", 3]),
                                   "line": rng.choice(["ip addr", 7, "y" * 1025])}))
        else:
            out.append(json.dumps({"type": "run.start", rng.choice(["seed", "speed", "paused"]):
                                   rng.choice([-1, 2**40, "1", None, 1000, 0.01])}))
    return out


async def test_a_thousand_generated_bad_messages_get_errors_and_disturb_nobody(settings):
    settings.DESIGNER_WS_RATE = (100_000, 1.0)
    # 1,000 frames sent before reading any answer: past the flow-control bound (1,000 unacked).
    settings.DESIGNER_WS_UNACKED = (10_000, 8 * 1024 * 1024)
    world = await sync_to_async(build_world)()
    owner, viewer = await connect(world, "owner"), await connect(world, "viewer")
    await start(owner, speed=FAST)
    frames = bad_messages(seed=7, n=1000)
    for frame in frames:
        await owner.send_to(text_data=frame)
    errors, owner_seen = [], []
    while len(errors) < len(frames):
        message = await owner.receive_json_from(timeout=20)
        (errors if message["type"] == "error" else owner_seen).append(message)
        assert message["type"] != "ack", message
    assert {e["code"] for e in errors} <= {"json.invalid", "ws.invalid", "ws.unknown_type", "ws.invalid_fields", "run.exists",
                                            "run.refused"}
    assert "run.refused" in {e["code"] for e in errors}  # the unknown node reached the worker and was refused
    if not any(ping_done(m) for m in owner_seen):
        owner_seen += await receive_until(owner, ping_done)
    viewer_seen = await receive_until(viewer, ping_done)
    events = events_of(viewer_seen)
    assert [ev["seq"] for ev in events] == list(range(1, len(events) + 1))
    assert events_of(owner_seen)[:len(events)] == events[:len(events_of(owner_seen))]
    assert REGISTRY.get(world.design.pk).state["status"] == "playing"
    await owner.disconnect()
    await viewer.disconnect()


async def test_a_run_nobody_watches_any_more_is_stopped_after_a_grace(monkeypatch):
    from designer.simulation import registry

    monkeypatch.setattr(registry, "ORPHAN_GRACE_S", 0.2)
    world = await sync_to_async(build_world)()
    owner, viewer = await connect(world, "owner"), await connect(world, "viewer")
    await start(owner, speed=1.0)
    await owner.disconnect()
    await asyncio.sleep(0.5)
    assert REGISTRY.get(world.design.pk) is not None  # the viewer still watches
    await viewer.disconnect()
    for _ in range(100):
        if REGISTRY.get(world.design.pk) is None:
            break
        await asyncio.sleep(0.05)
    assert REGISTRY.get(world.design.pk) is None


async def test_the_stream_is_slim_and_event_detail_gives_the_layers_and_bytes():
    import dpkt

    world = await sync_to_async(build_world)()
    viewer = await connect(world, "viewer")
    owner = await connect(world, "owner")
    await start(owner, speed=FAST)
    events = events_of(await receive_until(viewer, ping_done))
    request = next(ev for ev in events if ev["kind"] == "frame.sent" and ev["summary"].startswith("Echo (ping) request"))
    assert "frame" not in request and "layers" not in request
    await viewer.send_json_to({"type": "event.detail", "seq": request["seq"], "ref": 3})
    detail = (await receive_until(viewer, lambda m: m["type"] == "event.detail"))[-1]
    assert detail["ref"] == 3 and detail["seq"] == request["seq"]
    full = detail["event"]
    assert {k: v for k, v in full.items() if k not in ("layers", "frame")} == request
    frame = dpkt.ethernet.Ethernet(bytes.fromhex(full["frame"]))
    assert isinstance(frame.data.data, dpkt.icmp.ICMP) and frame.data.data.type == 8
    assert [layer["name"] if isinstance(layer, dict) and "name" in layer else layer for layer in full["layers"]]
    await viewer.send_json_to({"type": "event.detail", "seq": 10**6})
    assert (await receive_until(viewer, lambda m: m["type"] == "error"))[-1]["code"] == "run.event_gone"
    await owner.disconnect()
    await viewer.disconnect()


async def test_a_killed_worker_marks_the_run_failed_for_every_viewer():
    import os
    import signal

    world = await sync_to_async(build_world)()
    owner, viewer = await connect(world, "owner"), await connect(world, "viewer")
    await start(owner, speed=1.0)
    await receive_until(viewer, lambda m: m["type"] == "run.seeked")
    os.kill(REGISTRY.get(world.design.pk).process.pid, signal.SIGKILL)
    got = await receive_until(viewer, lambda m: m["type"] == "run.status")
    assert (got[-1]["status"], got[-1]["msg"]) == (
        "failed", "The simulation process ended unexpectedly (signal 9). Start the run again.")
    assert REGISTRY.get(world.design.pk) is None
    await start(owner, speed=1.0)  # and it can be started again
    await owner.disconnect()
    await viewer.disconnect()


async def test_a_worker_that_stops_answering_is_killed_by_its_parent(monkeypatch):
    import os
    import signal

    from designer.simulation import localrun

    monkeypatch.setattr(localrun, "WATCHDOG_S", 2.0)
    monkeypatch.setattr(localrun, "WATCH_EVERY_S", 0.2)
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, speed=1.0)
    await receive_until(owner, lambda m: m["type"] == "run.seeked")
    os.kill(REGISTRY.get(world.design.pk).process.pid, signal.SIGSTOP)  # alive, but silent
    got = await receive_until(owner, lambda m: m["type"] == "run.status", timeout=30)
    assert got[-1]["status"] == "failed"
    assert got[-1]["msg"].startswith("The simulation was ended by the server: it stopped answering for ")
    assert REGISTRY.get(world.design.pk) is None
    await owner.disconnect()


async def test_over_its_memory_ceiling_a_worker_is_stopped(settings):
    settings.DESIGNER_SIM_LIMITS = {"max_memory_mb": 1}  # any process is over it: caught at once
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, speed=1.0)
    got = await receive_until(owner, lambda m: m["type"] == "run.status" and m["status"] in ("capped", "failed"))
    # The worker caps itself on its first tick, or its parent kills it (1.5 times the ceiling):
    # whichever is first, the run says why.
    assert "memory" in got[-1]["msg"], got[-1]
    await owner.disconnect()


async def test_a_relay_the_layer_forgot_joins_again_and_the_gap_is_filled(monkeypatch):
    """As after a Redis restart, which forgets every group membership without an error: the
    group no longer has the relay's channel."""
    from designer.simulation import relay as relay_module

    monkeypatch.setattr(relay_module, "REJOIN_S", 1.0)
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, speed=FAST, paused=True)
    await receive_until(owner, lambda m: m["type"] == "run.seeked")
    leader = RELAY.leader(world.design.pk)
    await leader.channel_layer.group_discard(relay_module.relay_group(world.design.pk), leader.channel_name)
    await owner.send_json_to({"type": "run.resume"})
    got = await receive_until(owner, ping_done, timeout=10)
    events = events_of(got)
    assert [ev["seq"] for ev in events] == list(range(1, len(events) + 1))
    assert any(m.get("refill") for m in got)
    await owner.disconnect()


# ------------------------------------------------------------------ flow control


async def test_a_viewer_that_stops_acknowledging_is_closed_4008_and_the_others_go_on(settings):
    """Daphne buffers what a client does not read (one stalled viewer grew it by 50 MB): a stalled
    viewer is bounded (here 30 unacknowledged messages instead of 1,000, to be quick) and closed
    with 4008; the owner, who acknowledges, keeps the whole stream."""
    settings.DESIGNER_WS_UNACKED = (30, 8 * 1024 * 1024)
    world = await sync_to_async(build_world)()
    owner, stalled = await connect(world, "owner"), await connect(world, "viewer")
    await start(owner, speed=FAST)
    await owner.send_json_to({"type": "console.run", "node": "vm1", "line": "ping 192.168.56.12", "ref": "p"})
    events, received, last_ack = [], 0, 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while len(events) < 400 or received < 120:
        assert loop.time() < deadline, f"only {len(events)} events in 30 s"
        message = await owner.receive_json_from(timeout=10)
        received += 1
        if message["type"] == "run.events":
            events.extend(message["events"])
        if received - last_ack >= 5:  # what the browser does from its message handler
            last_ack = received
            await owner.send_json_to({"type": "events.ack", "seq": events[-1]["seq"] if events else 0})
    assert [ev["seq"] for ev in events] == list(range(1, len(events) + 1))
    # The stalled viewer got at most the bound, then the close frame with 4008.
    got = []
    while True:
        output = await stalled.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
        got.append(output)
    assert output["code"] == 4008
    assert 25 <= len(got) <= 31  # design.hello was before the run (counted too), then at most 30
    assert received > 4 * len(got)  # the owner went on well past the stalled viewer's bound
    await owner.disconnect()


async def test_events_ack_is_validated_and_never_answered():
    world = await sync_to_async(build_world)()
    viewer = await connect(world, "viewer")
    await viewer.send_json_to({"type": "events.ack", "seq": -1})
    error = await viewer.receive_json_from(timeout=5)
    assert error["code"] == "ws.invalid_fields" and error["problems"][0]["path"] == "seq"
    await viewer.send_json_to({"type": "events.ack", "seq": 12})
    assert await viewer.receive_nothing(timeout=0.3)
    await viewer.send_json_to({"type": "ping"})
    assert (await viewer.receive_json_from(timeout=5))["type"] == "pong"
    await viewer.disconnect()


async def test_logging_out_closes_the_open_sockets_of_that_session_within_a_second():
    """No message needed (the per-message check is the other half, tested in
    test_websocket.py); the owner's other session is not touched."""
    world = await sync_to_async(build_world)()
    client = await sync_to_async(world.client)("viewer")
    cookie = client.cookies["sessionid"].value
    comm = WebsocketCommunicator(application, f"/ws/designs/{world.design.pk}/", headers=[
        (b"origin", GOOD_ORIGIN.encode()), (b"cookie", f"sessionid={cookie}".encode()), (b"host", b"127.0.0.1:8000")])
    assert (await comm.connect())[0]
    assert (await comm.receive_json_from())["type"] == "design.hello"
    owner = await connect(world, "owner")
    await sync_to_async(client.logout)()
    assert await comm.receive_output(timeout=1) == {"type": "websocket.close", "code": 4404}
    await owner.send_json_to({"type": "ping"})
    assert (await owner.receive_json_from(timeout=5))["type"] == "pong"
    await owner.disconnect()
