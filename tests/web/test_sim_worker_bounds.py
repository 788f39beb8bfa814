"""A run is bounded in every dimension (docs/limits.md, "Runs"): floods in a console (`ping -i 0`,
`ping -f`, a 100,000-ping script at 100x) leave the worker's loop coming back every tick, its
memory under the ceiling, and `run.stop` answered; the engine's budgeted run gives the same run as
an unbounded one. The stop latency itself is measured in bench/runbound.py, never asserted here."""

from __future__ import annotations

import json
import multiprocessing
import os
import time

import pytest
from webhelpers import example_document

from designer.simulation import worker as workermod
from designer.simulation.worker import RunWorker, rss_bytes
from simcore.engine import RunStatus
from simcore.network import Network

S = 1_000_000_000
VM2 = "192.168.56.12"
pytestmark = pytest.mark.timeout(120)


def test_a_bounded_run_is_the_same_run_as_an_unbounded_one():
    doc = example_document()
    doc["script"] = [{"at": 1.0, "node": "vm1", "command": f"ping -c 200 -i 0 {VM2}"}]
    whole, parts = [], []
    Network.from_design(doc, seed=3, trace=whole).run_until(2.0)
    net = Network.from_design(doc, seed=3, trace=parts)
    rounds = 0
    while net.run_bounded_ns(2 * S, max_events=37) is RunStatus.BUDGET:
        rounds += 1
    assert rounds > 10  # it did stop early, many times
    assert net.now_ns == 2 * S
    assert json.dumps(parts) == json.dumps(whole)


def test_a_tick_under_ping_i_0_ends_within_its_budget_and_says_what_it_did_not_stream():
    w = RunWorker({"run": "r", "doc": example_document(), "seed": 0, "speed": 1.0,
                   "max_stream_events_per_tick": 100}, now=0.0)
    w.handle({"op": "console.run", "id": 1, "node": "vm1", "line": f"ping -i 0 {VM2}"}, 0.0)
    now, out, ran = 0.0, [], []
    while len(ran) < 4:  # without a budget the first tick never returns (the test times out)
        now += 0.05
        before = w.net.engine.events_run
        got = w.tick(now)
        if got:
            ran.append(w.net.engine.events_run - before)
            out += got
    assert all(0 < n <= workermod.TICK_MAX_EVENTS for n in ran)
    texts = [json.loads(t) for m in out if m["kind"] == "batch" for t in m["events"]]
    dropped = [e for e in texts if e["kind"] == "trace.dropped"]
    assert len(dropped) == 4 and all(e["count"] > 0 for e in dropped)
    assert "were not streamed (at most 100 per tick" in dropped[0]["text"]
    assert [e["seq"] for e in texts] == list(range(1, len(texts) + 1))  # the stream stays numbered
    per_tick = [len(m["events"]) for m in out if m["kind"] == "batch"]
    assert all(n <= 101 for n in per_tick)


def test_over_its_memory_ceiling_a_run_is_capped_with_a_sentence():
    w = RunWorker({"run": "r", "doc": example_document(), "seed": 0, "speed": 10.0, "max_memory_mb": 1}, now=0.0)
    out = w.tick(0.05)
    assert w.status.value == "capped"
    assert "the memory limit of a run (1 MiB; its process used" in w.cap_msg
    assert out[-1]["kind"] == "status" and out[-1]["msg"] == w.cap_msg


def test_a_flood_that_fills_the_engine_queue_is_capped_with_a_sentence():
    w = RunWorker({"run": "r", "doc": example_document(), "seed": 0, "speed": 1.0, "max_pending_events": 500},
                  now=0.0)
    w.handle({"op": "run.seek", "id": 1, "t": 4.0}, 0.0)  # past the script's ping: vm2's MAC is known
    # A probe every nanosecond on 50 us links: 50,000 frames in flight at once.
    w.handle({"op": "console.run", "id": 2, "node": "vm1", "line": f"ping -i 0 {VM2}"}, 0.0)
    now = 0.0
    while w.status.value == "playing" and now < 30:
        now += 0.05
        w.tick(now)
    assert w.status.value == "capped"
    assert "the limit of pending engine events (500: frames in flight and timers" in w.cap_msg
    assert w.net.engine.pending > 500


def _start(line: str | None, speed: float, **config):
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["designer.simulation.forkboot", "designer.simulation.worker", "simcore.network"])
    parent, child = ctx.Pipe()
    doc = example_document()
    if line is not None and line.startswith("script:"):
        doc["script"] = [{"at": 1.0, "node": "vm1", "command": line[len("script:"):]}]
        line = None
    proc = ctx.Process(target=workermod.main, daemon=True,
                       args=(child, {"run": "r", "doc": doc, "seed": 0, "speed": speed, "max_events": 5_000_000,
                                     **config}))
    proc.start()
    child.close()
    while parent.recv()["kind"] != "seeked":
        pass
    if line is not None:
        parent.send({"op": "console.run", "id": 1, "node": "vm1", "line": line})
    return proc, parent


@pytest.mark.parametrize("line, speed", [
    (f"ping -i 0 {VM2}", 1.0),
    (f"ping -f {VM2}", 1.0),
    (f"script:ping -c 100000 -i 0.001 {VM2}", 100.0),
])
def test_a_flood_leaves_the_worker_streaming_under_its_memory_ceiling_and_stop_is_answered(line, speed):
    ceiling_mb = workermod.DEFAULT_MAX_MEMORY_MB
    proc, conn = _start(line, speed)
    try:
        batches, peak, kinds = 0, 0, set()
        end = time.monotonic() + 3.0
        while time.monotonic() < end:
            if conn.poll(0.1):
                msg = conn.recv()
                kinds.add(msg["kind"])
                if msg["kind"] == "batch" and msg["events"]:
                    batches += 1
            peak = max(peak, rss_bytes(proc.pid))
        assert batches >= 3  # the loop came back and streamed, again and again
        assert kinds <= {"batch", "log", "reply", "alive", "status"}  # never failed
        assert 0 < peak < ceiling_mb * 1024 * 1024
        conn.send({"op": "run.pause", "id": 98})  # answered by the loop itself, between two ticks
        while True:
            msg = conn.recv()
            if msg["kind"] == "reply" and msg["id"] == 98:
                break
        assert msg["ok"] is True
        conn.send({"op": "run.stop", "id": 99})
        while True:  # answered at all (how fast: bench/runbound.py)
            msg = conn.recv()
            if msg["kind"] == "reply" and msg["id"] == 99:
                break
        assert msg["ok"] is True
        proc.join(10)
        assert proc.exitcode == 0
    finally:
        if proc.is_alive():
            proc.kill()


def test_the_ring_of_a_run_is_bounded_by_its_text_as_well_as_its_count(monkeypatch):
    from designer.simulation import localrun

    monkeypatch.setattr(localrun, "RING_CHARS", 1000)
    run = localrun.Run(1, "user:1", {"run": "r", "doc": {}}, layer=None, group="g")
    for seq in range(1, 51):
        run._keep((seq, "x" * 90, None))
    assert run.ring_chars <= 1000 and len(run.ring) == 11
    assert [entry[0] for entry in run.ring] == list(range(40, 51))  # the newest, in order, no gap
    assert run.events_after(38)["truncated"] is True
    assert run.event_detail(50) == "x" * 90


def test_a_run_worker_is_nicer_than_the_server():
    # The server relays every run's events: a class's runs starting at once must not keep it
    # waiting for a CPU (bench/classroom.py), so workers run at a higher niceness than their parent.
    proc, conn = _start(None, 1.0)
    try:
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) == os.getpriority(os.PRIO_PROCESS, 0) + workermod.WORKER_NICE
    finally:
        proc.kill()
