"""A private look back before the page joined the run (docs/live.md; docs/websocket-protocol.md,
`tables.at`): a late joiner asks for the tables of an instant before it came and gets exactly
what a page that was there held at that instant, on its socket alone, as `tables.at` pages; a
bad instant is refused saying what is wrong, and nothing about the run changes."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from test_sim_websocket import (
    FAST,
    connect,
    folded,
    merge_tables,
    ping_done,
    receive_tables,
    receive_until,
    start,
)
from test_sim_websocket import _clean_runs as _clean_runs  # the fixture (autouse)
from webhelpers import build_world

from designer.simulation.registry import REGISTRY

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def macs(tables: dict) -> list[str]:
    return sorted(e["mac"] for e in tables["switches"]["intnet"]["fdb"])


def held_at(history: list[tuple[int, dict]], t: int) -> dict:
    """What a page that received every `tables` message held at instant `t`."""
    return [tables for when, tables in history if when <= t][-1]


async def tables_at(comm, t_ns: int, ref: str) -> tuple[list[dict], dict]:
    """Asks for the tables of `t_ns`; returns the answer's pages and the tables they fold into."""
    await comm.send_json_to({"type": "tables.at", "t": t_ns / 1e9, "ref": ref})
    got = await receive_until(comm, lambda m: m.get("ref") == ref and (
        m["type"] == "error" or (m["type"] == "tables.at" and m["part"] == m["parts"])))
    if got[-1]["type"] == "error":
        return got, got[-1]
    pages = [m for m in got if m["type"] == "tables.at"]
    held = None
    for page in pages:
        held = merge_tables(held, page)
    return got, held


async def test_a_late_joiner_gets_the_tables_of_an_instant_before_it_joined():
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, speed=FAST)
    seen = await receive_until(owner, ping_done)

    late = await connect(world, "link_viewer")
    state = await late.receive_json_from(timeout=5)
    assert state["type"] == "run.state"
    live = await receive_tables(late, state["tables_parts"])
    joined_t = live["t"]
    # Everything the owner was sent up to a pause after the join: what a page that was there held.
    await owner.send_json_to({"type": "run.pause", "ref": "p"})
    seen += await receive_until(owner, lambda m: m.get("ref") == "p")
    pages = [m for m in seen if m["type"] == "tables"]
    history = list(zip([m["t"] for m in pages], folded(pages), strict=True))
    changes = sorted({t for t, _ in history if t > 0})
    assert history[0][0] == 0 and changes and changes[0] <= joined_t  # a snapshot at 0, the switch learning
    # Before the first change, just before it and at it, and the instant the late page joined (at
    # most four per two seconds on one socket): the answer is what the owner held then.
    instants = [changes[0] // 2, changes[0] - 1, changes[0], joined_t]
    for i, t in enumerate(instants):
        got, tables = await tables_at(late, t, f"at{i}")
        assert got[-1]["type"] == "tables.at", got[-1]
        answer = [m for m in got if m["type"] == "tables.at"]
        assert all(m["lookback"] is True and m["at"] == t and m["snapshot"] is True and m["from"] == 0
                   for m in answer), answer
        assert [m["part"] for m in answer] == list(range(1, answer[0]["parts"] + 1))
        assert tables == held_at(history, t)
        assert answer[0]["t"] == held_at(history, t)["t"]
    assert tables == live  # at the join: what the late page was sent when it joined
    # The switch learned during the run: looking back before it did shows it empty.
    assert macs(held_at(history, 0)) == [] and macs(live) == ["08:00:27:00:56:11", "08:00:27:00:56:12"]
    assert macs(held_at(history, instants[0])) == []
    # The live tables of every page are untouched: the owner got no look back.
    await owner.send_json_to({"type": "events.fetch", "after_seq": 0, "limit": 1, "ref": "fence"})
    after = await receive_until(owner, lambda m: m.get("ref") == "fence")
    assert not [m for m in after if m["type"] == "tables.at"]
    await owner.disconnect()
    await late.disconnect()


async def test_a_bad_instant_is_refused_saying_what_is_wrong_and_nothing_changes():
    world = await sync_to_async(build_world)()
    owner, viewer = await connect(world, "owner"), await connect(world, "viewer")
    await viewer.send_json_to({"type": "tables.at", "t": 1, "ref": "none"})
    error = (await receive_until(viewer, lambda m: m["type"] == "error"))[-1]
    assert (error["code"], error["ref"]) == ("run.none", "none")

    await start(owner, speed=FAST, paused=True)
    await receive_until(viewer, lambda m: m["type"] == "run.seeked" and m["started"])
    run = REGISTRY.get(world.design.pk)
    before = (run.run_id, dict(run.state), list(run.log))
    for t, path, code in ((-1, "t", "schema.minimum"), ("1.5", "t", "schema.type"), (10**8, "t", "schema.maximum")):
        await viewer.send_json_to({"type": "tables.at", "t": t, "ref": f"bad {t}"})
        error = (await receive_until(viewer, lambda m: m["type"] == "error"))[-1]
        assert error["code"] == "ws.invalid_fields"
        assert [(p["path"], p["code"]) for p in error["problems"]] == [(path, code)]
    await viewer.send_json_to({"type": "tables.at", "ref": "missing"})
    error = (await receive_until(viewer, lambda m: m["type"] == "error"))[-1]
    assert error["problems"] == [{"code": "schema.required", "path": "t", "msg": "missing required field 't'"}]
    # An instant the run has not reached (it is paused at 0).
    await viewer.send_json_to({"type": "tables.at", "t": 2.5, "ref": "later"})
    error = (await receive_until(viewer, lambda m: m["type"] == "error"))[-1]
    assert error == {"type": "error", "code": "run.not_yet", "ref": "later", "problems": [],
                     "msg": "The run is at 0.000 s: 2.500 s has not happened in it yet."}
    assert (run.run_id, dict(run.state), list(run.log)) == before
    await owner.disconnect()
    await viewer.disconnect()


async def test_look_backs_are_rate_limited_per_socket(settings):
    settings.DESIGNER_WS_TABLES_AT_RATE = (2, 60.0)
    world = await sync_to_async(build_world)()
    owner = await connect(world, "owner")
    await start(owner, speed=FAST, paused=True)
    await receive_until(owner, lambda m: m["type"] == "run.seeked" and m["started"])
    for i in range(2):
        got, _tables = await tables_at(owner, 0, f"ok{i}")
        assert got[-1]["type"] == "tables.at"
    got, error = await tables_at(owner, 0, "third")
    assert error["code"] == "ws.rate_limited" and "At most 2 tables.at per 60 s" in error["msg"]
    await owner.disconnect()
