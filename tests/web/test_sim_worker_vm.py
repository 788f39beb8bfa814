"""``run.vm`` in the run worker: a VM's power control, refused at once when illegal (never logged),
else logged, streamed to every viewer, replayed by a seek (a seek across a power change lands in
the same state as a fresh run) and by a failover."""

from __future__ import annotations

import json

import pytest

from designer.simulation.worker import RunWorker
from simcore.network import Network

S = 1_000_000_000
DOC = {
    "version": 1,
    "nodes": [
        {"id": "hv", "kind": "host", "platform": "virtualbox", "hypervisor_type": 2, "ram_mb": 8192},
        {"id": "lan", "kind": "vswitch", "host": "hv"},
        {"id": "vm1", "kind": "vm", "host": "hv", "nics": [{"name": "eth0", "ip": "10.0.0.11/24"}],
         "power": {"initial": "off"}},
        {"id": "vm2", "kind": "vm", "host": "hv", "nics": [{"name": "eth0", "ip": "10.0.0.12/24"}]},
    ],
    "links": [{"id": "l1", "a": {"node": "vm1", "nic": "eth0"}, "b": {"node": "lan"}},
              {"id": "l2", "a": {"node": "vm2", "nic": "eth0"}, "b": {"node": "lan"}}],
    "script": [{"at": 8.0, "node": "vm2", "command": "ping -c 3 10.0.0.11"}],
}


def worker(**config) -> RunWorker:
    return RunWorker({"run": "r", "doc": DOC, "seed": 0, "speed": 10.0, **config}, now=0.0)


def play(w: RunWorker, seconds: float, start: float = 0.0) -> float:
    now = start
    while now < start + seconds - 1e-9:
        now += 0.05
        w.tick(now)
    return now


def events(messages: list[dict]) -> list[dict]:
    return [json.loads(text) for m in messages if m["kind"] == "batch" for text in m["events"]]


def test_an_illegal_action_is_refused_with_vboxmanage_s_sentence_and_not_logged():
    w = worker(play=False)
    out = w.handle({"op": "run.vm", "node": "vm1", "action": "pause", "id": 1}, 0.0)
    assert out == [{"kind": "reply", "id": 1, "ok": False, "code": "run.refused",
                    "msg": "Machine 'vm1' is not currently running"}]
    assert w.user_actions == []


@pytest.mark.parametrize(("cmd", "msg"), [
    ({"node": "vm9", "action": "start"}, "no node with id 'vm9'"),
    ({"node": "lan", "action": "start"}, "node 'lan' (vswitch) is not a virtual machine"),
    ({"node": "vm1", "action": "fly"}, "unknown VM action 'fly'; one of: start, pause, resume, savestate, "
                                       "acpipowerbutton, poweroff, reset, crash, modifyvm, setlinkstate, nic, "
                                       "storageattach, snapshot, clonevm"),
    ({"node": "vm1", "action": "start", "params": {"type": "gui"}}, "start takes no parameters, not type"),
])
def test_bad_input_is_refused_not_raised(cmd, msg):
    w = worker(play=False)
    assert w.handle({"op": "run.vm", "id": 7, **cmd}, 0.0) == [
        {"kind": "reply", "id": 7, "ok": False, "code": "run.refused", "msg": msg}]
    assert w.user_actions == []


def test_a_legal_action_is_logged_and_its_state_change_streamed():
    w = worker()
    now = play(w, 0.1)  # to 1 s
    out = w.handle({"op": "run.vm", "node": "vm1", "action": "start", "id": 2}, now)
    assert out[-1] == {"kind": "reply", "id": 2, "ok": True, "data": {"t": S + 1}}
    assert out[0] == {"kind": "log", "log": [{"t": S + 1, "node": "vm1", "vm": "start", "params": {}}]}
    streamed = []
    while now < 0.4:
        now += 0.05
        streamed += w.tick(now)
    states = [(e["from"], e["to"]) for e in events(streamed) if e["kind"] == "vm.state"]
    assert states == [("PoweredOff", "Starting"), ("Starting", "Running")]
    assert w.tables()["vms"]["vm1"]["state"] == "Running"


def reference(until_s: float, actions: list[dict]) -> Network:
    net = Network.from_design(DOC, seed=0, capture_all=True)
    for a in actions:
        if "vm" in a:
            net.vm_action(a["node"], a["vm"], at=a["t"] / S, **a["params"])
        else:
            net.command(a["node"], a["command"], at=a["t"] / S)
    net.run_until(until_s)
    return net


@pytest.mark.parametrize("target_s", [0.5, 1.2, 3.0, 6.5, 9.0, 12.0])
def test_a_seek_across_power_changes_lands_where_a_fresh_run_is(target_s):
    w = worker()
    now = play(w, 0.1)  # 1 s
    w.handle({"op": "run.vm", "node": "vm1", "action": "start", "id": 1}, now)
    now = play(w, 0.5, now)  # 6 s: vm1 has booted
    w.handle({"op": "run.vm", "node": "vm1", "action": "pause", "id": 2}, now)
    now = play(w, 0.3, now)  # 9 s: vm2's ping reaches a paused vm1
    w.handle({"op": "run.vm", "node": "vm1", "action": "resume", "id": 3}, now)
    now = play(w, 0.2, now)
    w.handle({"op": "run.vm", "node": "vm1", "action": "savestate", "id": 4}, now)
    play(w, 0.3, now)  # to 14 s: vm1 saved
    assert [a["vm"] for a in w.user_actions] == ["start", "pause", "resume", "savestate"]
    seeked = w.handle({"op": "run.seek", "t": target_s, "id": 5}, now)[0]
    ref = reference(target_s, w.user_actions)
    assert seeked["tables"] == ref.tables()
    assert [c.records for c in w.net.captures.values()] == [c.records for c in ref.captures.values()]
    assert w.net.machines["vm1"].clock.now == ref.machines["vm1"].clock.now
    w.handle({"op": "run.seek", "t": 20.0, "id": 6}, now)
    ref.run_until(20.0)
    assert w.tables() == ref.tables() and w.tables()["vms"]["vm1"]["state"] == "Saved"


def test_a_failover_replays_the_power_actions():
    w = worker()
    now = play(w, 0.1)
    w.handle({"op": "run.vm", "node": "vm1", "action": "start", "id": 1}, now)
    play(w, 0.6, now)
    pos = {**w.state(), "log": w.user_actions, "wall_used": w.wall_used}
    twin = RunWorker({"run": "r", "doc": DOC, "seed": 0, "speed": 10.0, "resume": pos}, now=0.0)
    assert twin.tables() == w.tables() and twin.tables()["vms"]["vm1"]["state"] == "Running"


def test_hardware_changes_go_through_run_vm_too():
    w = worker(play=False)
    out = w.handle({"op": "run.vm", "node": "vm2", "action": "modifyvm", "params": {"memory": 4096}, "id": 5}, 0.0)
    assert out == [{"kind": "reply", "id": 5, "ok": False, "code": "run.refused",
                    "msg": "The RAM of vm2 can only be changed while it is powered off; it is Running "
                           "(VirtualBox: The machine 'vm2' is already locked for a session (or being unlocked))"}]
    out = w.handle({"op": "run.vm", "node": "vm1", "action": "modifyvm", "params": {"memory": 4096, "cpus": 2},
                    "id": 6}, 0.0)
    assert out[0] == {"kind": "log", "log": [{"t": 1, "node": "vm1", "vm": "modifyvm",
                                             "params": {"memory": 4096, "cpus": 2}}]}
    w.handle({"op": "run.resume", "id": 7}, 0.0)
    play(w, 0.2)
    assert w.tables()["vms"]["vm1"]["hardware"]["ram_mb"] == 4096


@pytest.mark.parametrize("target_s", [2.5, 4.5, 7.5, 10.0])
def test_a_seek_across_a_snapshot_restore_and_a_clone_lands_where_a_fresh_run_is(target_s):
    w = worker()
    now = play(w, 0.1)  # 1 s
    w.handle({"op": "run.vm", "node": "vm2", "action": "snapshot", "params": {"op": "take", "name": "s1"}, "id": 1},
             now)
    now = play(w, 0.1, now)  # 2 s
    refused = w.handle({"op": "run.vm", "node": "vm2", "action": "snapshot", "params": {"op": "restore", "name": "s1"},
                        "id": 2}, now)
    assert refused == [{"kind": "reply", "id": 2, "ok": False, "code": "run.refused",
                        "msg": "Cannot delete the current state of the running machine (machine state: Running)"}]
    w.handle({"op": "run.vm", "node": "vm2", "action": "poweroff", "id": 3}, now)
    now = play(w, 0.1, now)  # 3 s
    w.handle({"op": "run.vm", "node": "vm2", "action": "snapshot", "params": {"op": "restore", "name": "s1"},
              "id": 4}, now)
    w.handle({"op": "run.vm", "node": "vm1", "action": "clonevm", "params": {"name": "vm3"}, "id": 5}, now)
    now = play(w, 0.2, now)  # 5 s
    w.handle({"op": "run.vm", "node": "vm2", "action": "start", "id": 6}, now)
    now = play(w, 0.5, now)  # 10 s: vm2 runs again from its 1 s instant; vm2's ping (8 s) meets it
    assert [a["vm"] for a in w.user_actions] == ["snapshot", "poweroff", "snapshot", "clonevm", "start"]
    streamed_kinds = {e["kind"] for e in events(w.tick(now))}
    assert w.tables()["vms"]["vm3"]["created_in_run"] is True and streamed_kinds is not None
    seeked = w.handle({"op": "run.seek", "t": target_s, "id": 7}, now)[0]
    ref = reference(target_s, w.user_actions)
    assert seeked["tables"] == ref.tables()
    assert [c.records for c in w.net.captures.values()] == [c.records for c in ref.captures.values()]
    assert w.net.machines["vm2"].clock.now == ref.machines["vm2"].clock.now


def test_run_vm_params_are_flat_scalars_at_the_socket():
    from designer.errors import DesignerError
    from designer.simulation.messages import validate

    ok = {"type": "run.vm", "node": "vm1", "action": "clonevm",
          "params": {"name": "vm3", "mode": "machine", "keep_macs": True}}
    assert validate(ok) is ok
    with pytest.raises(DesignerError) as err:
        validate({"type": "run.vm", "node": "vm1", "action": "snapshot", "params": {"op": "take", "name": {"x": 1}}})
    assert [(p["code"], p["path"]) for p in err.value.problems] == [("schema.type", "params.name")]


def test_snapshot_and_clone_refusals_come_back_to_the_sender_with_the_reason():
    w = worker(play=False)
    out = w.handle({"op": "run.vm", "node": "vm2", "action": "clonevm", "params": {"name": "vm3"}, "id": 8}, 0.0)
    assert out == [{"kind": "reply", "id": 8, "ok": False, "code": "run.refused",
                    "msg": "Cannot clone the machine 'vm2' while it is running (machine state: Running): usually the "
                           "VM to be cloned must be stopped; power it off or save its state first"}]
    out = w.handle({"op": "run.vm", "node": "vm1", "action": "snapshot", "params": {"op": "delete", "name": "x"},
                    "id": 9}, 0.0)
    assert out[0]["msg"] == "This machine does not have any snapshots"
    out = w.handle({"op": "run.vm", "node": "vm1", "action": "snapshot", "params": {"op": "take"}, "id": 10}, 0.0)
    assert out[0]["msg"] == "snapshot take needs a name"
    assert w.user_actions == []


def test_keep_hands_back_a_clone_made_during_the_run_with_its_link_to_the_switch():
    w = worker()
    now = play(w, 0.1)
    assert w.handle({"op": "run.keep", "node": "vm1", "id": 1}, now)[-1]["msg"] == (
        "'vm1' is neither a container nor a VM clone made during this run")
    w.handle({"op": "run.vm", "node": "vm1", "action": "clonevm", "params": {"name": "vm3"}, "id": 2}, now)
    now = play(w, 0.2, now)
    out = w.handle({"op": "run.keep", "node": "vm3", "id": 3}, now)[-1]
    assert out["ok"] is True
    node, links = out["data"]["node"], out["data"]["links"]
    assert (node["id"], node["kind"], node["host"]) == ("vm3", "vm", "hv")
    assert node["nics"][0]["mac"] != DOC["nodes"][2]["nics"][0].get("mac")
    assert [(ln["a"]["node"], ln["b"]["node"]) for ln in links] == [("vm3", "lan")]
    assert [a["vm"] for a in w.user_actions] == ["clonevm"]  # keeping changes nothing in the run
