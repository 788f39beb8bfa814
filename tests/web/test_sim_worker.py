"""The run worker in-process, on a fake clock: pacing, stepping, seeking (checkpoints + action
log replay), caps, and the pcap export. No child process, no Django: fast and exact."""

from __future__ import annotations

import io
import json

import dpkt
import pytest
from webhelpers import example_document

from designer.simulation.checkpoints import Checkpoints
from designer.simulation.pacing import Clock, check_speed
from designer.simulation.worker import RunWorker, stable_view
from simcore.network import Network

S = 1_000_000_000


def worker(**config) -> RunWorker:
    return RunWorker({"run": "r", "doc": example_document(), "seed": 0, **config}, now=0.0)


def play(w: RunWorker, seconds: float, start: float = 0.0) -> tuple[list[dict], float]:
    out, now = [], start
    while now < start + seconds - 1e-9:
        now += 0.05
        out += w.tick(now)
    return out, now


def events(messages: list[dict]) -> list[dict]:
    return [json.loads(text) for m in messages if m["kind"] == "batch" for text in m["events"]]


@pytest.mark.parametrize("speed, wall_s, sim_ns", [
    (1.0, 1.0, 1 * S), (10.0, 0.5, 5 * S), (0.1, 2.0, 200_000_000), (100.0, 0.05, 5 * S),
])
def test_simulated_time_follows_wall_time_at_the_speed(speed, wall_s, sim_ns):
    clock = Clock(speed)
    clock.anchor(10.0, 7)
    assert clock.target_ns(10.0 + wall_s) == 7 + sim_ns


@pytest.mark.parametrize("speed", [0.0, 0.09, 100.5, -1.0])
def test_speed_outside_the_range_is_refused(speed):
    with pytest.raises(ValueError, match=f"speed must be between 0.1 and 100, not {speed!r}"):
        check_speed(speed)


def test_a_late_tick_does_not_queue_up_ticks():
    clock = Clock(1.0)
    clock.anchor(0.0, 0)
    clock.advance_tick(0.5)  # the machine was busy for half a second
    assert clock.next_tick == pytest.approx(0.55)


def test_playing_numbers_events_from_one_without_gaps_and_tags_the_run():
    w = worker(speed=10.0)
    evs = events(play(w, 0.5)[0])
    assert [e["seq"] for e in evs] == list(range(1, len(evs) + 1))
    assert {e["run"] for e in evs} == {"r"}
    assert [e["tseq"] for e in evs] == [e["seq"] for e in evs]
    assert evs[0] == {**evs[0], "kind": "command.run", "t": S, "node": "vm1"}
    assert w.net.now_ns == 5 * S


def test_step_runs_to_the_next_traced_event_and_pauses():
    w = worker(play=False)
    seqs = []
    for _ in range(5):
        out = w.handle({"op": "run.step", "id": 1}, 0.0)
        seqs += [e["seq"] for e in events(out)]
        assert out[-2]["kind"] == "status" and out[-2]["status"] == "paused"
        assert out[-1] == {"kind": "reply", "id": 1, "ok": True, "data": None}
    assert seqs[:5] == [1, 2, 3, 4, 5][:len(seqs[:5])] and len(seqs) >= 5


def reference(t_s: float, actions=()) -> Network:
    net = Network.from_design(example_document(), seed=0, trace=[])
    for action in actions:
        net.command(action["node"], action["command"], at=action["t"] / S)
    net.run_until(t_s)
    return net


@pytest.mark.parametrize("target_s", [0.0, 0.5, 1.0, 1.00005, 2.5, 3.7, 6.2, 9.99])
def test_a_seek_back_is_the_run_as_it_was_at_that_instant(target_s):
    w = worker(speed=10.0)
    _, now = play(w, 0.35)  # to 3.5 s
    w.handle({"op": "console.run", "node": "vm3", "line": "ping -c 2 192.168.56.11", "id": 2}, now)
    play(w, 0.7, now)  # to 10.5 s
    out = w.handle({"op": "run.seek", "t": target_s, "id": 3}, now)
    seeked = out[0]
    ref = reference(target_s, w.user_actions)
    assert seeked["kind"] == "seeked" and seeked["t"] == int(round(target_s * S))
    assert seeked["tables"] == ref.tables()
    assert [c.records for c in w.net.captures.values()] == [c.records for c in ref.captures.values()]
    # And from there it runs on exactly as a fresh run would.
    w.handle({"op": "run.seek", "t": 12.0, "id": 4}, now)
    ref.run_until(12.0)
    assert w.tables() == ref.tables()


def test_a_seek_keeps_the_stream_numbers_going_up():
    w = worker(speed=10.0)
    first, now = play(w, 0.5)
    last_seq = events(first)[-1]["seq"]
    w.handle({"op": "run.seek", "t": 0.5, "id": 1}, now)
    again = events(play(w, 0.3, now)[0])
    assert again[0]["seq"] == last_seq + 1 and again[0]["kind"] == "command.run"


def test_reset_forgets_the_actions_and_starts_over_paused():
    w = worker(speed=10.0)
    _, now = play(w, 0.4)
    w.handle({"op": "console.run", "node": "vm2", "line": "ip addr", "id": 1}, now)
    out = w.handle({"op": "run.reset", "id": 2}, now)
    assert out[0]["reset"] is True and out[0]["t"] == 0 and out[0]["status"] == "paused"
    assert w.user_actions == [] and w.net.actions == reference(0.0).actions


@pytest.mark.parametrize("config, what", [
    ({"max_events": 10}, "the event limit"),
    ({"max_time_s": 2.0}, "the simulated time limit"),
    ({"max_wall_s": 0.2}, "the wall-time limit (0.2 s of playing)"),
])
def test_limits_cap_the_run_with_a_summary(config, what):
    w = worker(speed=10.0, **config)
    out, now = play(w, 1.0)
    status = [m for m in out if m["kind"] == "status"]
    assert status[-1]["status"] == "capped" and what in status[-1]["msg"]
    refused = w.handle({"op": "run.resume", "id": 9}, now)
    assert refused == [{"kind": "reply", "id": 9, "ok": False, "code": "run.refused", "msg": status[-1]["msg"]}]


def test_an_unknown_node_or_op_is_refused_not_raised():
    w = worker(play=False)
    assert w.handle({"op": "console.run", "node": "vm9", "line": "ip addr", "id": 1}, 0.0) == [
        {"kind": "reply", "id": 1, "ok": False, "code": "run.refused", "msg": "no node with id 'vm9'"}]
    assert w.handle({"op": "explode", "id": 2}, 0.0)[0]["code"] == "run.bad_op"


def test_tables_are_sent_as_deltas_when_they_change_not_when_only_ages_do():
    w = worker(speed=10.0)
    out, now = play(w, 1.0)
    with_tables = [m for m in out if m["kind"] == "batch" and m.get("tables_delta") is not None]
    assert with_tables  # the switch learned
    # Only the entries that changed: the switch's MAC table, never the whole tables.
    assert any("intnet" in m["tables_delta"].get("switches", {}) for m in with_tables)
    everyone = set(w.tables()["nodes"])
    assert all(set(m["tables_delta"].get("nodes", {})) < everyone for m in with_tables)
    later = [m for m in play(w, 1.0, now)[0] if m.get("tables_delta") is not None]
    assert later == []  # nothing but ages changed (no events at all from 10 s to 20 s)
    assert stable_view({"fdb": [{"mac": "m", "age_s": 1.0, "expires_s": 2.0}], "t": 5}) == {"fdb": [{"mac": "m"}]}


def test_checkpoints_are_thinned_past_the_limit():
    net = reference(0.0)
    cks = Checkpoints(every_ns=S, limit=4)
    for t in range(0, 6):
        net.run_until(float(t))
        cks.maybe_add(net, 0)
    assert [ck.t // S for ck in cks.items] == [0, 2, 4] and cks.every_ns == 2 * S
    assert cks.before(int(3.5 * S)).t == 2 * S


def test_pcap_of_all_captures_is_a_pcapng_dpkt_reads_in_time_order():
    w = worker(speed=10.0)
    _, now = play(w, 0.4)
    data = w.handle({"op": "pcap", "id": 1}, now)[-1]["data"]
    times = [ts for ts, _ in dpkt.pcapng.Reader(io.BytesIO(data))]
    assert len(times) == 17 and times == sorted(times)
    single = w.handle({"op": "pcap", "capture": "vm3_eth0", "id": 2}, now)[-1]["data"]
    assert len(list(dpkt.pcap.Reader(io.BytesIO(single)))) == 1


def test_a_resumed_worker_continues_exactly_where_the_streamed_run_was():
    """Failover (docs/websocket-protocol.md): a new worker given the document, seed, action log and
    the last streamed position (t, events_run, seq) replays silently and then produces exactly
    the events the original run would have produced next, numbered from seq + 1."""
    original = worker(speed=10.0)
    out, now = play(original, 0.3)
    original.handle({"op": "console.run", "node": "vm2", "line": "ping -c 2 192.168.56.11", "id": 1}, now)
    more, now = play(original, 0.2, start=now)
    out += more
    pos = {**original.state(), "wall_used": original.wall_used, "log": list(original.user_actions)}
    assert pos["seq"] > 0 and pos["actions"] == 1
    resumed = worker(speed=10.0, resume=pos)
    assert resumed.seq == original.seq and resumed.net.now_ns == original.net.now_ns
    assert resumed.net.engine.events_run == original.net.engine.events_run
    assert stable_view(resumed.tables()) == stable_view(original.tables())
    original.clock.anchor(now, original.net.now_ns)  # the same pacing from here on, for both
    resumed.clock.anchor(now, resumed.net.now_ns)
    a, _ = play(original, 0.5, start=now)
    b, _ = play(resumed, 0.5, start=now)
    events_a = [e for m in a if m["kind"] == "batch" for e in m["events"]]
    events_b = [e for m in b if m["kind"] == "batch" for e in m["events"]]
    assert events_a and events_a == events_b
    assert json.loads(events_b[0])["seq"] == pos["seq"] + 1


def test_a_resume_from_a_position_reached_by_stepping_stops_at_the_same_event():
    original = worker(speed=10.0, play=False)
    for i in range(7):
        original.handle({"op": "run.step", "id": i}, 0.0)
    pos = {**original.state(), "wall_used": 0.0, "log": []}
    resumed = worker(speed=10.0, play=False, resume=pos)
    assert resumed.net.engine.events_run == original.net.engine.events_run == pos["events_run"]
    step_a = original.handle({"op": "run.step", "id": 99}, 0.0)
    step_b = resumed.handle({"op": "run.step", "id": 99}, 0.0)
    assert [m.get("events") for m in step_a if m["kind"] == "batch"] == \
        [m.get("events") for m in step_b if m["kind"] == "batch"]
