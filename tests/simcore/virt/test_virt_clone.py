"""clonevm (simcore.assembly.clones): only of a stopped VM, with VirtualBox's refusals; the clone
holds the source's files, appears as a node of the running network (``vm.cloned`` carries its
spec and links, which a design can keep), and with kept MACs on one switch the run shows what
goes wrong while the design checks say it before the run."""

from __future__ import annotations

import pytest
from virt_designs import VM1, S, build, lan_design, lines

from simcore.design import check, validate

NOT_STOPPED = ("Cannot clone the machine 'vm1' while it is running (machine state: Running): usually the VM to be "
               "cloned must be stopped; power it off or save its state first")


def off_net(trace=None):
    net = build(lan_design(initial="running"), trace)
    net.command("vm1", "echo from-the-original > mine.txt", at=4.0)
    net.vm_action("vm1", "poweroff", at=5.0)
    net.run_until(6)
    return net


def test_a_running_vm_is_not_cloned_and_nothing_changes():
    net = build(lan_design(initial="running"))
    nodes = list(net.nodes)
    assert net.check_vm_action("vm1", "clonevm", name="copy") == NOT_STOPPED
    net.vm_action("vm1", "clonevm", name="copy", at=1.0)
    net.run_until(2)
    assert list(net.nodes) == nodes


@pytest.mark.parametrize(("params", "msg"), [
    ({"name": "vm2"}, "Machine settings file '/home/student/VirtualBox VMs/vm2/vm2.vbox' already exists"),
    ({"name": "c", "link": True}, "Linked clone can only be created from a snapshot"),
    ({"name": "c", "snapshot": "nope"}, "This machine does not have any snapshots"),
    ({"name": "c", "mode": "all", "snapshot": "s"}, "--mode all clones vm1's current state with every one of its "
                                                    "snapshots; the simulator takes no --snapshot with it: clone one "
                                                    "snapshot with --mode machine --snapshot NAME"),
])
def test_refusals_say_what_and_why(params, msg):
    net = off_net()
    nodes = list(net.nodes)
    assert net.check_vm_action("vm1", "clonevm", **params) == msg
    assert list(net.nodes) == nodes


@pytest.mark.parametrize(("params", "msg"), [
    ({}, "clonevm needs a name for the new VM"),
    ({"name": "a/b"}, "clonevm: the name 'a/b' is not a VM name (at most 64 characters, no '/')"),
    ({"name": "c", "keep_macs": "yes"}, "clonevm: keep_macs must be bool, not 'yes'"),
    ({"name": "c", "colour": 1}, "clonevm takes name, mode, snapshot, link, keep_macs, not 'colour'"),
])
def test_bad_parameters_are_refused_before_anything_is_logged(params, msg):
    net = off_net()
    with pytest.raises(ValueError) as err:
        net.vm_action("vm1", "clonevm", **params)
    assert str(err.value) == msg and all("vm" not in a or a["vm"] != "clonevm" for a in net.actions)


def test_the_clone_is_a_node_holding_the_original_s_files_with_new_macs():
    trace = []
    net = off_net(trace)
    net.command("hv", "VBoxManage clonevm vm1 --name web2 --register", at=7.0)
    net.run_until(7.5)
    assert lines(net, "hv", since=7 * S)[-1][1] == 'Machine has been successfully cloned as "web2"'
    net.vm_action("web2", "start", at=8.0)
    net.command("web2", "cat mine.txt", at=13.0)
    net.command("hv", "VBoxManage list vms", at=13.1)
    net.run_until(14)
    assert [t for _, t in lines(net, "web2", since=13 * S)] == ["from-the-original"]
    assert '"web2" {' in lines(net, "hv", since=13 * S)[-1][1]
    ev = next(e for e in trace if e["kind"] == "vm.cloned")
    assert (ev["node"], ev["clone"], ev["name"], ev["mac_policy"], ev["snapshot"]) == ("vm1", "web2", "web2", "new",
                                                                                       None)
    assert ev["macs"]["eth0"] != VM1 and ev["macs"]["eth0"].startswith("08:00:27:")
    assert ev["links"] == [{"id": "web2-eth0", "a": {"node": "web2", "nic": "eth0"}, "b": {"node": "lan"},
                            "delay_us": 50.0}]
    row = net.tables()["vms"]["web2"]
    assert row["created_in_run"] is True and row["state"] == "Running"
    # The design can keep it: the original document plus the event's node and links is valid.
    doc = lan_design(initial="running")
    doc["nodes"].append(ev["spec"])
    doc["links"].extend(ev["links"])
    assert [p for p in validate(doc) if p.severity == "error"] == []


def test_a_clone_of_a_snapshot_holds_the_snapshot_s_files():
    net = off_net()
    m = net.machines["vm1"]
    m.snapshots.apply({"op": "take", "name": "s1"}, "t")
    net.command("vm1", "x", at=6.1)  # ignored: vm1 is off
    net.machines["vm1"].node.guest.fs.install("/home/ubuntu/mine.txt", None)
    net.vm_action("vm1", "clonevm", name="linked", snapshot="s1", link=True, at=7.0)
    net.run_until(7.5)
    net.vm_action("linked", "start", at=8.0)
    net.command("linked", "cat mine.txt", at=13.0)
    net.run_until(14)
    assert [t for _, t in lines(net, "linked", since=13 * S)] == ["from-the-original"]


def test_kept_macs_on_one_switch_show_the_consequences_on_the_wire():
    trace = []
    net = off_net(trace)
    net.vm_action("vm1", "clonevm", name="twin", keep_macs=True, at=7.0)
    net.vm_action("vm1", "start", at=8.0)
    net.run_until(8.5)
    net.vm_action("twin", "start", at=8.5)
    net.run_until(40)
    moved = [e for e in trace if e["kind"] == "switch.learned" and "it moved from port" in e["text"]]
    assert moved, "the switch's entry for the shared MAC moves between the two ports"
    bound = [(e["node"], e["text"].split(" bound to ")[1].split(" ")[0]) for e in trace if e["kind"] == "dhcp.bound"]
    assert bound == [("vm1", "10.0.0.100/24"), ("twin", "10.0.0.100/24")]  # one address, twice on the wire
    # And the design checks say so before a run, in words.
    doc = lan_design(initial="running")
    ev = next(e for e in trace if e["kind"] == "vm.cloned")
    doc["nodes"].append(ev["spec"])
    doc["links"].extend(ev["links"])
    found = [p for p in check(doc) if p.code == "check.duplicate_mac"]
    assert len(found) == 1 and "the same MAC address 08:00:27:00:00:11" in found[0].msg
    assert "the same address from a DHCP server" in found[0].msg


def test_mode_all_gives_the_clone_the_snapshot_tree_aimed_at_itself():
    trace = []
    net = build(lan_design(initial="running", vm1_ip="10.0.0.11/24"), trace)
    net.command("vm1", "echo one > f.txt", at=4.0)
    net.command("vm1", "ping -c 1 10.0.0.12", at=4.1)
    net.command("hv", "VBoxManage snapshot vm1 take live1", at=5.0)
    net.command("vm1", "echo two > f.txt", at=5.5)
    net.command("hv", "VBoxManage controlvm vm1 poweroff", at=6.0)
    net.command("hv", "VBoxManage snapshot vm1 take off2", at=7.0)
    net.command("hv", "VBoxManage clonevm vm1 --name all --mode all --options KeepAllMACs --register", at=8.0)
    net.command("hv", "VBoxManage snapshot all list", at=8.5)
    net.command("hv", "VBoxManage snapshot all restore live1", at=9.0)
    net.command("hv", "VBoxManage startvm all", at=10.0)
    net.run_until(11)
    net.command("all", "cat f.txt", at=12.0)
    net.command("all", "ping -c 1 10.0.0.12", at=12.1)
    net.run_until(13)
    src, twin = net.machines["vm1"].snapshots, net.machines["all"].snapshots
    assert [s.name for s in twin.all()] == ["live1", "off2"] and twin.current.name == "live1"  # restored
    assert {s.uuid for s in twin.all()}.isdisjoint({s.uuid for s in src.all()})
    hv = [t for _, t in lines(net, "hv", since=8 * S)]
    assert hv[2:4] == [f"   Name: live1 (UUID: {twin.find('live1').uuid})",
                       f"      Name: off2 (UUID: {twin.find('off2').uuid}) *"]
    out = [t for _, t in lines(net, "all", since=12 * S)]
    assert out[0] == "one" and "1 packets transmitted, 1 received, 0% packet loss, time 0ms" in out
    assert src.current.name == "off2" and net.machines["vm1"].state == "PoweredOff"  # the source untouched


CLONE_TABLE = {  # by hand: each state -> the clone's state, or the refusal's state words
    "PoweredOff": "PoweredOff", "Aborted": "PoweredOff", "Saved": "PoweredOff",
    "Running": ("running", "Running"), "Paused": ("paused", "Paused"), "Starting": ("starting", "Starting"),
    "Saving": ("saving", "Saving"), "Restoring": ("restoring", "Restoring"), "Stopping": ("stopping", "Stopping"),
}


@pytest.mark.parametrize("state", sorted(CLONE_TABLE))
def test_every_state_clones_or_says_why_not(state):
    from test_virt_snapshots import in_state

    net, _ = in_state(state)
    want = CLONE_TABLE[state]
    nodes = list(net.nodes)
    if isinstance(want, tuple):
        msg = (f"Cannot clone the machine 'vm1' while it is {want[0]} (machine state: {want[1]}): usually the VM "
               "to be cloned must be stopped; power it off or save its state first")
        assert net.check_vm_action("vm1", "clonevm", name="c") == msg
        net.vm_action("vm1", "clonevm", name="c")
        net.run_until(net.now_ns / S)
        assert list(net.nodes) == nodes
    else:
        net.vm_action("vm1", "clonevm", name="c")
        net.run_until(net.now_ns / S)
        assert net.machines["c"].state == want and net.machines["vm1"].state == state


@pytest.mark.parametrize(("vm", "peer", "want"), [
    ("vmnat", None, "inet 10.0.2.15/24"),  # its own NAT engine's first lease
    ("intA", "intB", None),  # on the internal network 'intnet' with intB
])
def test_a_nic_with_a_virtualbox_mode_is_attached_by_its_mode(vm, peer, want):
    import json
    from pathlib import Path

    doc = json.loads((Path(__file__).resolve().parents[3] / "examples" / "vbox-modes.json").read_text())
    trace = []
    net = build(doc, trace)
    net.vm_action(vm, "poweroff", at=1)
    net.vm_action(vm, "clonevm", name="cl", at=2)
    net.run_until(2.5)
    ev = next(e for e in trace if e["kind"] == "vm.cloned")
    assert ev["links"] == [] and ev["spec"]["nics"][0]["mode"] == doc["nodes"][[n["id"] for n in doc["nodes"]].index(
        vm)]["nics"][0]["mode"]
    assert net.assembly.problems == []
    net.vm_action("cl", "start", at=3)
    net.run_until(8.5)
    if want:
        net.command("cl", "ip addr", at=9)
        net.run_until(10)
        assert any(want in t for _, t in lines(net, "cl", 9 * S))
    else:
        ip = next(n["ip"] for n in doc["nodes"] if n["id"] == peer for n in n["nics"]).split("/")[0]
        net.command("cl", f"ping -c 1 {ip}", at=9)
        net.run_until(10)
        assert "1 packets transmitted, 1 received, 0% packet loss, time 0ms" in [t for _, t in lines(net, "cl", 9 * S)]
