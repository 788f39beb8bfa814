"""``run.host`` and ``run.keep`` in the run worker: a host's power, refused at once when illegal
(never logged), else logged and replayed by a seek and a failover; a container made during the
run handed back as a design node."""

from __future__ import annotations

import pytest

from designer.simulation.worker import RunWorker

S = 1_000_000_000
DOC = {
    "version": 1,
    "nodes": [
        {"id": "hv", "kind": "host", "os": "linux", "nics": [{"name": "eth0", "ip": "192.168.1.10/24"}],
         "position": {"x": 300, "y": 200}},
        {"id": "pc", "kind": "outside_host", "nics": [{"name": "eth0", "ip": "192.168.1.20/24"}]},
        {"id": "sw", "kind": "lan_switch"},
    ],
    "links": [{"id": "l1", "a": {"node": "hv", "nic": "eth0"}, "b": {"node": "sw"}},
              {"id": "l2", "a": {"node": "pc", "nic": "eth0"}, "b": {"node": "sw"}}],
    "script": [{"at": 0.5, "node": "hv", "command": "docker run -d --name web --restart always nginx:1.27"}],
}


def worker(**config) -> RunWorker:
    return RunWorker({"run": "r", "doc": DOC, "seed": 0, "speed": 10.0, **config}, now=0.0)


def play(w: RunWorker, seconds: float, start: float = 0.0) -> float:
    now = start
    while now < start + seconds - 1e-9:
        now += 0.05
        w.tick(now)
    return now


@pytest.mark.parametrize(("cmd", "msg"), [
    ({"node": "hv", "action": "boot"}, "hv is running: only a host that is off boots"),
    ({"node": "pc", "action": "reboot"}, "node 'pc' (outside_host) is not a physical host"),
    ({"node": "hv", "action": "fly"}, "unknown host action 'fly'; one of: shutdown, reboot, boot"),
])
def test_refused_at_once_and_not_logged(cmd, msg):
    w = worker(play=False)
    assert w.handle({"op": "run.host", "id": 3, **cmd}, 0.0) == [
        {"kind": "reply", "id": 3, "ok": False, "code": "run.refused", "msg": msg}]
    assert w.user_actions == []


def test_a_reboot_is_logged_replayed_by_a_seek_and_by_a_failover():
    w = worker()
    now = play(w, 0.2)  # 2 s
    out = w.handle({"op": "run.host", "node": "hv", "action": "reboot", "id": 1}, now)
    assert out[0] == {"kind": "log", "log": [{"t": 2 * S + 1, "node": "hv", "host": "reboot"}]}
    now = play(w, 1.5, now)  # 17 s: down at 5 s, up at 13 s, web restarted (always)
    rt = w.net.nodes["hv"].containers
    assert w.net.nodes["hv"].host_power.state == "running" and rt.find_docker("web").state == "running"
    w.handle({"op": "run.seek", "t": 4.0, "id": 2}, now)
    assert w.net.nodes["hv"].host_power.state == "shutting down"
    assert w.net.nodes["hv"].containers.find_docker("web").state == "exited"
    w.handle({"op": "run.seek", "t": 17.0, "id": 3}, now)
    assert w.net.nodes["hv"].containers.find_docker("web").state == "running"
    pos = {**w.state(), "log": w.user_actions, "wall_used": w.wall_used}
    twin = RunWorker({"run": "r", "doc": DOC, "seed": 0, "speed": 10.0, "resume": pos}, now=0.0)
    assert twin.tables() == w.tables() and twin.net.nodes["hv"].host_power.state == "running"


def test_keep_hands_back_the_container_as_a_design_node():
    w = worker()
    now = play(w, 0.1)  # 1 s: web exists
    out = w.handle({"op": "run.keep", "node": "hv-web", "id": 4}, now)
    node = out[-1]["data"]["node"]
    assert out[-1]["ok"] is True and w.user_actions == [] and out[-1]["data"]["links"] == []
    assert {k: node[k] for k in ("id", "kind", "name", "host", "image")} == {
        "id": "hv-web", "kind": "container", "name": "web", "host": "hv", "image": "nginx:1.27"}
    assert w.handle({"op": "run.keep", "node": "pc", "id": 5}, now) == [
        {"kind": "reply", "id": 5, "ok": False, "code": "run.refused",
         "msg": "'pc' is neither a container nor a VM clone made during this run"}]
