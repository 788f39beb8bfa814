"""A timeline you can trust: after any seek, back or forward, what a client following the stream
holds (the event list, the consoles, the tables), folded as the browser folds it (session.js,
index.js on `seeked`: cut the list and the consoles at the instant, or clear them on a reset), is
exactly what a fresh run paused at that instant shows. Driven at the protocol level: the worker's
messages in, the fold out; 20 seeded random instants per example."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from designer.simulation.runview import apply_delta
from designer.simulation.worker import RunWorker
from simcore.network import Network

S = 1_000_000_000
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CONSOLE_KINDS = {"command.run", "console.output"}  # protocol.js CONSOLE_KINDS


class Client:
    """What a browser following the run holds, folded from the worker's messages."""

    def __init__(self):
        self.events: list[dict] = []
        self.tables: dict = {}

    def take(self, messages: list[dict]) -> None:
        for m in messages:
            if m["kind"] == "batch":
                self.events += [json.loads(text) for text in m["events"]]
                if m.get("tables_delta") is not None:
                    self.tables = apply_delta(self.tables, m["tables_delta"], m.get("tables_removed"))
            elif m["kind"] == "seeked":
                if m.get("reset") or m.get("started"):
                    self.events = []
                else:  # eventlist.cut(t), consoles.cut(t)
                    self.events = [e for e in self.events if e["t"] <= m["t"]]
                self.tables = m["tables"]

    def trace(self) -> list[tuple]:
        return [(e["tseq"], e["t"], e["kind"], e.get("node"), e.get("text")) for e in self.events]

    def consoles(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for e in self.events:
            if e["kind"] in CONSOLE_KINDS:
                out.setdefault(e["node"], []).append(e.get("line"))
        return out


def fresh(doc: dict, t_ns: int) -> tuple[list[dict], dict]:
    trace: list[dict] = []
    net = Network.from_design(doc, seed=0, trace=trace.extend, capture_all=True)
    net.run_until(t_ns / S)
    return trace, net.tables()


def stable(tables):  # the worker's clock ticks; the tables compared are those of the same instant
    return json.loads(json.dumps(tables))


@pytest.mark.parametrize("example", ["nat-dhcp.json", "port-forward.json"])
def test_every_seek_back_or_forward_leaves_what_a_fresh_run_to_that_instant_shows(example):
    doc = json.loads((EXAMPLES / example).read_text())
    w = RunWorker({"run": "r", "doc": doc, "seed": 0, "speed": 10.0}, now=0.0)
    client = Client()
    client.take([{"kind": "seeked", **w.state(), "tables": w.start_tables, "started": True}])
    now = 0.0
    while now < 0.8 - 1e-9:  # played to 8 s
        now += 0.05
        client.take(w.tick(now))
    rng = random.Random(15)
    targets = [round(rng.uniform(0.0, 30.0), 3) for _ in range(20)]
    went = {"back": 0, "forward": 0}
    for target in targets:
        went["back" if target * S < w.net.now_ns else "forward"] += 1
        client.take(w.handle({"op": "run.seek", "t": target, "id": 1}, now))
        ref_trace, ref_tables = fresh(doc, int(round(target * S)))
        ref = Client()
        ref.events = [{**e, "tseq": e["seq"]} for e in ref_trace]
        assert client.trace() == ref.trace(), f"event list after a seek to {target} s"
        assert client.consoles() == ref.consoles(), f"consoles after a seek to {target} s"
        assert stable(client.tables) == stable(ref_tables), f"tables after a seek to {target} s"
    assert went["back"] >= 5 and went["forward"] >= 5


def test_a_huge_span_says_how_many_earlier_events_are_not_shown(monkeypatch):
    import designer.simulation.worker as worker_module

    monkeypatch.setattr(worker_module, "SEEK_SPAN_EVENTS", 10)
    doc = json.loads((EXAMPLES / "nat-dhcp.json").read_text())
    w = RunWorker({"run": "r", "doc": doc, "seed": 0, "play": False}, now=0.0)
    client = Client()
    client.take(w.handle({"op": "run.seek", "t": 20.0, "id": 1}, 0.0))
    ref_trace, _ = fresh(doc, 20 * S)
    assert len(ref_trace) > 10
    marker, *kept = client.events
    assert marker["kind"] == "trace.skipped" and marker["count"] == len(ref_trace) - 10
    assert f"{len(ref_trace) - 10:,} earlier events" in marker["text"]
    assert [e["tseq"] for e in kept] == [e["seq"] for e in ref_trace[-10:]]


# -- what late joiners and reloads get: the host's ring (localrun.Run) and Redis's (RedisStore) --

def hosted(doc: dict):
    """A hosting-side Run fed by an in-process worker (no child process, no channel layer)."""
    import asyncio

    from designer.simulation.localrun import Run

    run = Run(1, "user:1", {"run": "r", "doc": doc}, None, "g")
    run._outbox = asyncio.Queue()
    w = RunWorker({"run": "r", "doc": doc, "seed": 0, "speed": 10.0}, now=0.0)
    run._on_message({"kind": "seeked", **w.state(), "tables": w.start_tables, "started": True})
    return run, w


def feed(run, messages):
    for m in messages:
        if m["kind"] != "reply":
            run._on_message(m)


def joined_events(run) -> list[dict]:
    state = json.loads(run.snapshot_texts()[0])
    recent = state["recent"]  # run.state's recent events (the newest of the ring)
    fetched = [json.loads(t) for _s, t, _f in run.ring]
    return recent + fetched


def test_after_a_reset_a_late_joiner_or_a_reload_gets_nothing_of_the_old_run():
    doc = json.loads((EXAMPLES / "nat-dhcp.json").read_text())
    run, w = hosted(doc)
    now = 0.0
    for _ in range(10):
        now += 0.05
        feed(run, w.tick(now))
    old = {e["seq"] for e in joined_events(run)}
    assert old, "the run streamed events"
    feed(run, w.handle({"op": "run.reset", "id": 1}, now))
    assert joined_events(run) == [] and run.events_after(0)["texts"] == []
    feed(run, w.handle({"op": "run.resume", "id": 2}, now))
    for _ in range(4):
        now += 0.05
        feed(run, w.tick(now))
    seen = joined_events(run)
    assert seen and not {e["seq"] for e in seen} & old
    assert max(e["t"] for e in seen) <= w.net.now_ns


def test_after_a_seek_back_the_ring_holds_nothing_after_the_instant():
    doc = json.loads((EXAMPLES / "nat-dhcp.json").read_text())
    run, w = hosted(doc)
    now = 0.0
    for _ in range(10):
        now += 0.05
        feed(run, w.tick(now))
    feed(run, w.handle({"op": "run.seek", "t": 2.0, "id": 1}, now))
    seen = joined_events(run)
    assert seen and max(e["t"] for e in seen) <= 2 * S
    durable = [m["durable"] for m in run._outbox._queue if isinstance(m, dict) and "durable" in m]
    assert durable == []  # a LocalStore keeps nothing outside the process


needs_redis = pytest.mark.skipif(not __import__("os").environ.get("REDIS_URL"),
                                 reason="the shared ring lives in Redis: needs REDIS_URL")


@needs_redis
@pytest.mark.asyncio
async def test_redis_ring_is_cut_at_a_seek_back_and_cleared_at_a_reset():
    import os
    import uuid

    from designer.simulation.store import RedisStore

    store = RedisStore(os.environ["REDIS_URL"], prefix=f"test-seek:{uuid.uuid4().hex}")
    try:
        await store.write(7, ring=[(i, f'{{"t":{i}}}', None) for i in range(1, 11)])
        await store.write(7, cut_ring_from=6)
        entries, _ = await store.ring_after(7, 0, 100)
        assert [e[0] for e in entries] == [1, 2, 3, 4, 5]
        await store.write(7, clear_ring=True)
        assert (await store.ring_after(7, 0, 100))[0] == []
        # And the host says so with its seeked message: the durable part carries the cut.
        doc = json.loads((EXAMPLES / "nat-dhcp.json").read_text())
        run, w = hosted(doc)
        run.store = store
        now = 0.0
        for _ in range(10):
            now += 0.05
            feed(run, w.tick(now))
        first_after = next(s for s, t, _f in run.ring if json.loads(t)["t"] > 2 * S)
        while not run._outbox.empty():
            run._outbox.get_nowait()
        feed(run, w.handle({"op": "run.seek", "t": 2.0, "id": 1}, now))
        cuts = [m["durable"].get("cut_ring_from") for m in list(run._outbox._queue) if "durable" in m]
        assert first_after in cuts
        feed(run, w.handle({"op": "run.reset", "id": 2}, now))
        assert any(m["durable"].get("clear_ring") for m in list(run._outbox._queue) if "durable" in m)
    finally:
        client = store.client()
        async for key in client.scan_iter(match=f"{store.prefix}:*"):
            await client.delete(key)
        await store.close()


def test_step_shows_one_traced_event_at_a_time_in_the_order_of_a_fresh_run():
    from webhelpers import (
        example_document,  # internal-switch: a switch floods (several lines per engine event)
    )

    doc = example_document()
    w = RunWorker({"run": "r", "doc": doc, "seed": 0, "play": False}, now=0.0)
    client = Client()
    shown = []
    for _ in range(200):
        if len(shown) >= 5 and w._held:
            break  # an engine event logged more than one line: the rest are held for the next Steps
        out = w.handle({"op": "run.step", "id": 1}, 0.0)
        got = [json.loads(t) for m in out if m["kind"] == "batch" for t in m["events"]]
        assert len(got) == 1, "one Step, one event"
        shown += got
        client.take(out)
    ref_trace, _ = fresh(doc, w.net.now_ns)
    ref = [(e["seq"], e["t"], e["kind"], e.get("text")) for e in ref_trace]
    assert [(e["tseq"], e["t"], e["kind"], e.get("text")) for e in shown] == ref[:len(shown)]
    assert len(ref) > len(shown)  # what was held back happened already
    # A seek forward to the same instant shows what the Steps ran but held back; then all is there.
    client.take(w.handle({"op": "run.seek", "t": w.net.now_ns / S, "id": 2}, 0.0))
    assert client.trace() == [(e["seq"], e["t"], e["kind"], e.get("node"), e.get("text")) for e in ref_trace]
