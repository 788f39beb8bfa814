"""Containers are deterministic: the same design and lines give the same consoles, trace and pcap
bytes whatever PYTHONHASHSEED; a fork in the middle (a seek's checkpoint) goes on exactly as the
run it was taken from; replaying the action log lands where the run did."""

import os
import subprocess
import sys
from pathlib import Path

from ct_designs import host_design

from simcore.network import Network

ROOT = Path(__file__).resolve().parents[3]
LINES = [
    (1.0, "hv", "lxc launch images:ubuntu/24.04 c1"),
    (1.5, "hv", "docker run -d --name web -p 8080:80 nginx:1.27"),
    (2.0, "hv", "lxc exec c1 -- sh -c 'echo hi > /root/f'"),
    (2.5, "pc", "curl -s http://192.168.1.10:8080/"),
    (3.0, "hv", "lxc exec c1 -- ping -c 2 192.168.1.20"),
    (4.0, "hv", "lxc snapshot c1"),
    (4.5, "hv", "lxc publish c1/snap0 --alias base"),
    (5.0, "hv", "lxc launch base c2"),
    (6.0, "hv", "docker commit web myweb"),
    (6.5, "hv", "docker run -d --name web2 -p 8081:80 myweb"),
    (7.0, "pc", "curl -sI http://192.168.1.10:8081/"),
    (8.0, "hv", "lxc list"),
    (8.0, "hv", "docker ps -a"),
    (8.5, "hv", "ps aux"),
]
CAPTURES = [{"node": "hv", "nic": "eth0"}, {"node": "pc", "nic": "eth0"}]
SCRIPT = """
import json, sys, tempfile, os, hashlib
sys.path.insert(0, "tests/simcore/containers")
from ct_designs import host_design
from test_ct_determinism import LINES, CAPTURES
from simcore.network import Network
trace = []
net = Network.from_design(host_design(script=LINES, captures=CAPTURES), trace=trace)
net.run_until(10)
d = tempfile.mkdtemp()
pcaps = {os.path.basename(p): hashlib.sha256(open(p, "rb").read()).hexdigest() for p in net.write_pcaps(d)}
print(json.dumps([net.console_lines(), [[e["kind"], e["text"]] for e in trace], pcaps]))
"""


def run_seed(seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_consoles_trace_and_pcaps_do_not_depend_on_the_hash_seed():
    first = run_seed(1)
    assert "container.created" in first and "Instance published with fingerprint" in first
    assert run_seed(2) == first


def _texts(trace):
    return [(e["t"], e["kind"], e.get("text")) for e in trace]


def test_a_fork_in_the_middle_goes_on_as_the_run_it_was_taken_from():
    whole = []
    net = Network.from_design(host_design(script=LINES), trace=whole)
    net.run_until(10)
    head = []
    first = Network.from_design(host_design(script=LINES), trace=head)
    first.run_until(4.2)  # after the snapshot, before the publish
    tail = []
    twin = first.fork(tail)
    twin.run_until(10)
    assert _texts(head) + _texts(tail) == _texts(whole)
    assert twin.console_lines() == net.console_lines()
    assert [c.name for c in twin.nodes["hv"].containers.all()] == ["c1", "c2", "web", "web2"]
    # the fork shares no mutable state with its original
    first.run_until(10)
    assert first.nodes["hv"].containers.lxd["c2"] is not twin.nodes["hv"].containers.lxd["c2"]


def test_the_action_log_replays_to_the_same_run():
    trace = []
    net = Network.from_design(host_design(), trace=trace)
    for at, node, line in LINES:
        net.command(node, line, at=at)
    net.run_until(10)
    replay = []
    again = Network.from_design(host_design(), trace=replay)
    for action in net.actions:
        again.command(action["node"], action["command"], at=action["t"] / 1e9)
    again.run_until(10)
    assert _texts(replay) == _texts(trace)
