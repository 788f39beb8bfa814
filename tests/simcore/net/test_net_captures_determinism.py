"""pcaps that tshark dissects cleanly, byte-identical runs across hash seeds, tables and trace JSON."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from sim_designs import EXAMPLE, ROOT, S, build, example, lan, routed

from simcore.trace import JsonLinesSink, dumps_event

TSHARK = shutil.which("tshark") or ("/usr/bin/tshark" if os.path.exists("/usr/bin/tshark") else None)
BAD = '_ws.malformed || _ws.expert.severity >= "Error"'


def run_cli(tmp_path, name, hashseed):
    out_dir = tmp_path / name
    out_dir.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "simcore", "run", str(EXAMPLE), "--pcap-dir", str(out_dir),
         "--trace", str(out_dir / "trace.jsonl"), "--seed", "3"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return out_dir, proc.stdout


def tshark_problems(path) -> str:
    proc = subprocess.run(
        [TSHARK, "-r", str(path), "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
         "-o", "tcp.check_checksum:TRUE", "-Y", BAD], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def tshark_lines(path) -> list[str]:
    proc = subprocess.run([TSHARK, "-r", str(path), "-T", "fields", "-e", "_ws.col.Info"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_same_seed_same_bytes_whatever_the_hash_seed(tmp_path):
    a, out_a = run_cli(tmp_path, "a", 0)
    b, out_b = run_cli(tmp_path, "b", 12345)
    files = sorted(p.name for p in a.iterdir())
    assert files == ["trace.jsonl", "vm1_eth0.pcap", "vm2_eth0.pcap", "vm3_eth0.pcap"]
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert out_a.replace(str(a), "DIR") == out_b.replace(str(b), "DIR")
    lines = (a / "trace.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(line == dumps_event(e) for line, e in zip(lines, events, strict=True))


def test_different_seeds_differ_only_where_randomness_is_used():
    a, _ = build(example(), seed=1)
    b, _ = build(example(), seed=2)
    for net in (a, b):
        net.run_until(10)
    ids = [next(f["ident"] for f in net.facts() if f["kind"] == "ping") for net in (a, b)]
    assert ids[0] != ids[1]


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (.ci/run installs Debian's tshark)")
def test_tshark_dissects_every_example_pcap_cleanly(tmp_path):
    out_dir, _ = run_cli(tmp_path, "ex", 0)
    pcaps = sorted(out_dir.glob("*.pcap"))
    assert len(pcaps) == 3
    for path in pcaps:
        assert tshark_problems(path) == "", path.name
    assert tshark_lines(out_dir / "vm3_eth0.pcap") == ["Who has 192.168.56.12? Tell 192.168.56.11"]
    vm1 = tshark_lines(out_dir / "vm1_eth0.pcap")
    assert vm1[:2] == ["Who has 192.168.56.12? Tell 192.168.56.11", "192.168.56.12 is at 08:00:27:00:56:12"]
    assert sum("Echo (ping) reply" in line for line in vm1) == 3


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (.ci/run installs Debian's tshark)")
def test_tshark_accepts_icmp_errors_udp_and_link_captures(tmp_path):
    doc = routed()
    doc["captures"] = [{"link": "la"}, {"node": "pcB", "nic": "eth0"}]
    net, _ = build(doc)
    net.command("pcA", "ping -c 1 -t 1 10.0.2.20", at=0.0)
    net.command("pcA", "ping -c 1 10.0.9.9", at=1.0)
    net.command("pcA", "ping -c 2 -s 1000 10.0.2.20", at=2.0)
    net.engine.at(5 * S, net.nodes["pcA"].stack.udp_send, 33434, "10.0.2.20", 33435, b"probe")
    net.run_until(10)
    paths = net.write_pcaps(str(tmp_path))
    assert sorted(os.path.basename(p) for p in paths) == ["la.pcap", "pcB_eth0.pcap"]
    for path in paths:
        assert tshark_problems(path) == "", path
    info = tshark_lines(tmp_path / "la.pcap")
    assert any(line.startswith("Time-to-live exceeded") for line in info)
    assert any(line.startswith("Destination unreachable (Network unreachable)") for line in info)
    assert any(line.startswith("Destination unreachable (Port unreachable)") for line in info)


def test_link_capture_sees_both_directions_in_order():
    doc = lan(2)
    doc["captures"] = [{"link": "l1"}]
    net, _ = build(doc)
    net.command("pc1", "ping -c 1 10.0.0.2", at=0.0)
    net.run_until(2)
    recs = net.captures["l1"].records
    assert [(t, f.src) for t, f in recs] == [(0, "02:00:00:00:00:01"), (150_000, "02:00:00:00:00:02"),
                                              (200_000, "02:00:00:00:00:01"), (350_000, "02:00:00:00:00:02")]
    raw = net.captures["l1"].pcap_bytes()
    assert raw[:4] == bytes.fromhex("4d3cb2a1")  # little-endian nanosecond pcap magic
    assert len(raw) == 24 + sum(16 + len(f.emit()) for _t, f in recs)


def test_tables_are_json_at_any_instant():
    net, _ = build(example())
    snapshots = []
    for t in (0.5, 1.0001, 1.0002, 3.5, 400):
        net.run_until(t)
        snapshots.append(json.loads(json.dumps(net.tables())))
    assert snapshots[0]["switches"]["intnet"]["fdb"] == []
    assert [r["mac"] for r in snapshots[1]["switches"]["intnet"]["fdb"]] == ["08:00:27:00:56:11"]
    assert snapshots[1]["nodes"]["vm1"]["arp"][0]["state"] == "INCOMPLETE"
    assert snapshots[1]["nodes"]["vm1"]["arp"][0]["queued"] == 1
    assert snapshots[3]["nodes"]["vm1"]["arp"][0]["state"] == "REACHABLE"
    assert snapshots[4]["switches"]["intnet"]["fdb"] == []  # aged out after 300 s
    assert snapshots[4]["t"] == 400 * S


def test_jsonl_sink_writes_in_batches(tmp_path):
    path = tmp_path / "t.jsonl"
    sink = JsonLinesSink(str(path), batch=1000)
    net, _ = build(example())
    net2 = type(net).from_design(example(), trace=sink)
    net2.run_until(1.0002)
    assert path.read_text() != ""  # run_until flushes
    before = sink.count
    net2.run_until(10)
    sink.close()
    lines = path.read_text().splitlines()
    assert len(lines) == sink.count > before
    assert json.loads(lines[0])["kind"] == "command.run"


def test_untraced_runs_build_no_events_but_same_outcome():
    traced, events = build(example())
    quiet = type(traced).from_design(example(), trace=None)
    for net in (traced, quiet):
        net.run_until(10)
    assert traced.facts() == quiet.facts()
    assert [(t, f.emit()) for t, f in traced.captures["vm1_eth0"].records] == \
        [(t, f.emit()) for t, f in quiet.captures["vm1_eth0"].records]
    assert quiet.tracer.seq == 0 and len(events) > 50


def test_callback_sink_gets_batches_at_each_run_until():
    batches = []
    net = type(build(lan(1))[0]).from_design(example(), trace=batches.append)
    net.run_until(1.0001)
    assert len(batches) == 1 and batches[0][0]["seq"] == 1
    net.run_until(10)
    seqs = [e["seq"] for b in batches for e in b]
    assert seqs == list(range(1, len(seqs) + 1))


def test_event_limit_is_reported_in_the_trace():
    net, events = build(example(), max_events=5)
    status = net.run_until(10)
    assert status.value == "event_limit"
    assert events[-1]["kind"] == "run.limit"
    assert events[-1]["text"] == "The run stops: it reached the event limit (5 events)."


def test_step_runs_one_event_and_replaying_the_action_log_gives_the_same_run():
    net, events = build(example())
    steps = 0
    while net.step():
        steps += 1
        if steps == 12:
            break
    assert net.engine.events_run == 12
    assert events[-1]["t"] == net.now_ns
    first = [(e["t"], e["kind"], e.get("text")) for e in events]
    # A seek is a replay: the same document, seed and action log give the same events.
    replay, again = build(example())
    replay.run_until_ns(net.now_ns)
    assert [(e["t"], e["kind"], e.get("text")) for e in again][:len(first)] == first
    assert replay.actions == net.actions == [{"t": S, "node": "vm1", "command": "ping -c 3 192.168.56.12"}]


@pytest.mark.parametrize("traced", [True, False])
def test_a_fork_is_a_checkpoint_that_runs_on_exactly_like_the_original(traced):
    net, events = build(example()) if traced else (type(build(lan(1))[0]).from_design(example()), None)
    net.run_until(1.0003)  # mid-conversation: frames in flight, ARP entries half-learned
    later = []
    twin = net.fork(trace=later)
    twin_tables_then = json.dumps(twin.tables())
    assert twin_tables_then == json.dumps(net.tables())
    net2_events = []
    net.set_trace(net2_events)
    for n in (net, twin):
        n.run_until(30)
    assert [dumps_event(e) for e in later] == [dumps_event(e) for e in net2_events]
    assert later and later[0]["seq"] == net2_events[0]["seq"] == (len(events) + 1 if traced else 1)
    assert twin.facts() == net.facts()
    assert twin.captures["vm1_eth0"].pcap_bytes() == net.captures["vm1_eth0"].pcap_bytes()
    # Nothing is shared: the fork's tables moved on, a new fork of the first would not have.
    assert twin.nodes["vm1"] is not net.nodes["vm1"]
    assert twin.engine.rng is not net.engine.rng
