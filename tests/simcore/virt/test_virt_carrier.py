"""A VM that is powered off, saved or aborted has no carrier on its NICs: the switch flushes that
port's learned addresses (as a Linux bridge does when a port's link goes down), frames to it go
nowhere and it answers nothing. A paused VM keeps its carrier but drops what reaches it."""

import pytest
from virt_designs import VM1, VM2, S, build, lan_design

PING = [(1.0, "vm1", "ping -c 1 10.0.0.12"), (5.0, "vm1", "ping -c 2 -W 1 10.0.0.12")]


def design(vm2_action_at_3=None):
    return lan_design(vm1_ip="10.0.0.11/24", initial="running", script=PING)


def events(trace, kind, **match):
    return [e for e in trace if e["kind"] == kind and all(e.get(k) == v for k, v in match.items())]


def test_power_off_drops_the_carrier_and_the_switch_forgets_the_port():
    trace = []
    net = build(design(), trace)
    net.vm_action("vm2", "poweroff", at=3.0)
    net.run_until(2.9)
    assert {r["mac"] for r in net.tables()["switches"]["lan"]["fdb"]} == {VM1, VM2}
    net.run_until(4.0)
    assert [(e["t"], e["node"], e["nic"], e["up"], e["text"]) for e in events(trace, "link.carrier")] == [
        (3 * S, "vm2", "eth0", False, "vm2's eth0 has no carrier: vm2 is powered off")]
    flushed = events(trace, "switch.flushed")
    assert [(e["t"], e["port"], e["link"], e["macs"], e["text"]) for e in flushed] == [
        (3 * S, 2, "l2", [VM2], "lan's port 2 (link to vm2) lost its carrier (vm2 is powered off): it forgets "
                                "08:00:27:00:00:12 (vm2)")]
    assert {r["mac"] for r in net.tables()["switches"]["lan"]["fdb"]} == {VM1}
    assert net.machines["vm2"].state == "PoweredOff"


def test_frames_to_a_vm_without_carrier_go_nowhere_and_it_answers_nothing():
    trace = []
    net = build(design(), trace)
    net.vm_action("vm2", "poweroff", at=3.0)
    net.run_until(10)
    # vm1 still holds vm2's MAC: it sends unicast; the switch floods the unknown address, but not
    # to the port without carrier, and says the frame goes nowhere there.
    nowhere = events(trace, "packet.dropped", reason="link.no_carrier")
    assert nowhere and all(e["node"] == "lan" and e["port"] == 2 for e in nowhere)
    assert nowhere[0]["text"] == ("lan cannot deliver the frame for 08:00:27:00:00:12 (vm2): its port 2 (link to vm2) "
                                  "has no carrier (vm2 is powered off); the frame goes nowhere there")
    assert [t for t, _ in net.captures["vm2_eth0"].records if t > 3 * S] == []
    stats = [f for f in net.facts() if f.get("kind") == "ping" and f["t"] > 5 * S]
    assert [(f["transmitted"], f["received"]) for f in stats] == [(2, 0)]


def test_a_frame_reaching_a_powered_off_vm_directly_is_dropped_at_its_nic():
    trace = []
    doc = lan_design(vm1_ip="10.0.0.11/24", initial="off", script=[(1.0, "pc", "ping -c 1 -W 1 10.0.0.11")])
    doc["nodes"].append({"id": "pc", "kind": "outside_host", "nics": [{"name": "eth0", "ip": "10.0.0.50/24"}]})
    doc["links"] = [link for link in doc["links"] if link["id"] != "l1"]
    doc["links"].append({"id": "direct", "a": {"node": "pc", "nic": "eth0"}, "b": {"node": "vm1", "nic": "eth0"}})
    net = build(doc, trace)
    net.run_until(4)
    drops = [(e["node"], e["nic"], e["text"]) for e in events(trace, "packet.dropped", reason="link.no_carrier")]
    assert drops[0] == ("vm1", "eth0", "vm1 is powered off: its eth0 has no carrier, the frame goes nowhere")
    assert len(drops) == 3  # ARP asks three times, 1 s apart, and gives up


def test_a_paused_vm_keeps_its_carrier_and_drops_what_reaches_it():
    trace = []
    net = build(design(), trace)
    net.vm_action("vm2", "pause", at=3.0)
    net.run_until(10)
    assert events(trace, "switch.flushed") == [] and events(trace, "link.carrier") == []
    drops = events(trace, "packet.dropped", reason="vm.paused")
    assert drops and {(e["node"], e["nic"]) for e in drops} == {("vm2", "eth0")}
    assert drops[0]["text"] == "vm2 is paused: its eth0 drops the frame, nothing runs to take it"
    assert [t for t, f in net.captures["vm2_eth0"].records if t > 3 * S and f.src == VM2] == []


@pytest.mark.parametrize(("action", "state", "words"), [("savestate", "Saved", "saved"),
                                                         ("poweroff", "PoweredOff", "powered off")])
def test_started_again_the_port_comes_back(action, state, words):
    trace = []
    net = build(design(), trace)
    net.vm_action("vm2", action, at=3.0)
    net.vm_action("vm2", "start", at=20.0)
    net.run_until(19)
    assert net.machines["vm2"].state == state
    assert net.nodes["vm2"].nics["eth0"].carrier is False
    assert net.nodes["lan"].ports[1].carrier is False
    net.run_until(30)
    assert net.nodes["lan"].ports[1].carrier is True and net.nodes["lan"].down == 0
    assert [e["up"] for e in events(trace, "link.carrier")] == [False, True]
    assert events(trace, "link.carrier")[1]["why"] == f"vm2 is {'restoring' if action == 'savestate' else 'starting'}"
    assert words in events(trace, "vm.state", to=state)[0]["text"]
