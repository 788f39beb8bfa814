"""Snapshots as a tree (simcore.virt.snapshots): every state x operation against a table written
by hand, the teacher's two stories (a file back after a restore; a lease restored after it expired,
NAKed on the wire), the tree against a naive model (hypothesis), the console's VBoxManage words,
bad input, and the same trace and pcap bytes whatever the hash seed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from virt_designs import S, build, dhcp_frames, lan_design, lines

from simcore.virt.fs import text_file
from simcore.virt.snapshots import Refused

ROOT = Path(__file__).resolve().parents[3]
TRANSIENT_TAKE = "Cannot take a snapshot of the machine while it is changing the state (machine state: {})"
TRANSIENT_DELETE = "Cannot delete a snapshot of the machine while it is changing the state (machine state: {})"
RUNNING_RESTORE = "Cannot delete the current state of the running machine (machine state: {})"

# How to bring vm1 into each state, with snapshot s0 taken in its initial state at t = 0:
# (initial power state, action at 0.1 s or None, when to look).
REACH = {
    "PoweredOff": ("off", None, 0.2),
    "Aborted": ("aborted", None, 0.2),
    "Saved": ("saved", None, 0.2),
    "Running": ("running", None, 0.2),
    "Paused": ("running", "pause", 0.2),
    "Starting": ("off", "start", 0.2),
    "Saving": ("running", "savestate", 0.2),
    "Restoring": ("saved", "start", 0.2),
    "Stopping": ("running", "poweroff", 0.15),
}
# The table, by hand: (state, op) -> (state after, tree after as "names; current") or the refusal.
TABLE = {
    ("PoweredOff", "take"): ("PoweredOff", "s0>new; new"),
    ("PoweredOff", "restore"): ("PoweredOff", "s0; s0"),
    ("PoweredOff", "delete"): ("PoweredOff", "; None"),
    ("Aborted", "take"): ("Aborted", "s0>new; new"),
    ("Aborted", "restore"): ("PoweredOff", "s0; s0"),
    ("Aborted", "delete"): ("Aborted", "; None"),
    ("Saved", "take"): ("Saved", "s0>new; new"),
    ("Saved", "restore"): ("Saved", "s0; s0"),
    ("Saved", "delete"): ("Saved", "; None"),
    ("Running", "take"): ("Running", "s0>new; new"),
    ("Running", "restore"): RUNNING_RESTORE.format("Running"),
    ("Running", "delete"): ("Running", "; None"),
    ("Paused", "take"): ("Paused", "s0>new; new"),
    ("Paused", "restore"): RUNNING_RESTORE.format("Paused"),
    ("Paused", "delete"): ("Paused", "; None"),
    ("Starting", "take"): TRANSIENT_TAKE.format("Starting"),
    ("Starting", "restore"): RUNNING_RESTORE.format("Starting"),
    ("Starting", "delete"): TRANSIENT_DELETE.format("Starting"),
    ("Saving", "take"): TRANSIENT_TAKE.format("Saving"),
    ("Saving", "restore"): RUNNING_RESTORE.format("Saving"),
    ("Saving", "delete"): TRANSIENT_DELETE.format("Saving"),
    ("Restoring", "take"): TRANSIENT_TAKE.format("Restoring"),
    ("Restoring", "restore"): RUNNING_RESTORE.format("Restoring"),
    ("Restoring", "delete"): TRANSIENT_DELETE.format("Restoring"),
    ("Stopping", "take"): TRANSIENT_TAKE.format("Stopping"),
    ("Stopping", "restore"): RUNNING_RESTORE.format("Stopping"),
    ("Stopping", "delete"): TRANSIENT_DELETE.format("Stopping"),
}
PARAMS = {"take": {"op": "take", "name": "new"}, "restore": {"op": "restore", "name": "s0"},
          "delete": {"op": "delete", "name": "s0"}}


def tree_words(machine) -> str:
    def walk(s):
        return s.name + ("".join(">" + walk(c) for c in s.children))
    return f"{','.join(walk(r) for r in machine.snapshots.roots)}; " + (
        machine.snapshots.current.name if machine.snapshots.current else "None")


def in_state(state: str):
    initial, action, look = REACH[state]
    trace = []
    net = build(lan_design(initial=initial, vm1_ip="10.0.0.11/24"), trace)
    net.vm_action("vm1", "snapshot", op="take", name="s0", at=0.0)
    if action:
        net.vm_action("vm1", action, at=0.1)
    net.run_until(look)
    assert net.machines["vm1"].state == state
    return net, trace


@pytest.mark.parametrize(("state", "op"), sorted(TABLE))
def test_every_state_and_operation_gives_the_table_s_answer(state, op):
    net, trace = in_state(state)
    m = net.machines["vm1"]
    expected = TABLE[(state, op)]
    before = (m.state, tree_words(m), net.engine.pending)
    refusal = net.check_vm_action("vm1", "snapshot", **PARAMS[op])
    if isinstance(expected, str):
        assert refusal == expected
        with pytest.raises(Refused) as err:
            m.snapshots.apply(PARAMS[op], "test")
        assert err.value.sentence == expected
        assert (m.state, tree_words(m), net.engine.pending) == before  # nothing changed
        assert m.row()["snapshots"]["ops"][op] == expected
    else:
        assert refusal is None and m.row()["snapshots"]["ops"][op] is None
        m.snapshots.apply(PARAMS[op], "test")
        assert (m.state, tree_words(m)) == expected


def test_a_file_written_then_deleted_is_back_after_restoring_the_snapshot():
    trace = []
    net = build(lan_design(initial="running", vm1_ip="10.0.0.11/24"), trace)
    net.command("vm1", "echo 'exam answers' > notes.txt", at=1.0)
    net.command("hv", "VBoxManage snapshot vm1 take before --description 'notes written'", at=2.0)
    net.command("vm1", "rm notes.txt", at=3.0)
    net.command("vm1", "cat notes.txt", at=3.1)
    net.command("hv", "VBoxManage controlvm vm1 poweroff", at=4.0)
    net.command("hv", "VBoxManage snapshot vm1 restore before", at=5.0)
    net.command("hv", "VBoxManage startvm vm1", at=6.0)
    net.command("vm1", "cat notes.txt", at=8.0)
    net.run_until(9)
    vm1 = [text for _, text in lines(net, "vm1", since=3 * S)]
    assert vm1 == ["cat: notes.txt: No such file or directory", "exam answers"]
    hv = [text for _, text in lines(net, "hv", since=5 * S)]
    uuid = net.machines["vm1"].snapshots.current.uuid
    assert hv[:2] == [f"Restoring snapshot 'before' ({uuid})",
                      "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%"]
    snaps = [(e["t"], e["op"], e["name"], e["online"]) for e in trace if e["kind"] == "vm.snapshot"]
    assert snaps == [(2 * S, "take", "before", True), (5 * S, "restore", "before", True)]
    states = [(e["t"], e["to"]) for e in trace if e["kind"] == "vm.state"]
    assert states[-3:] == [(5 * S, "Saved"), (6 * S, "Restoring"), (7 * S, "Running")]  # the snapshot's instant
    assert [e["action"] for e in trace if e["kind"] == "vm.state" and e["t"] == 5 * S] == ["snapshot"]


def test_an_online_snapshot_resumes_from_its_instant_arp_cache_and_clock_included():
    net = build(lan_design(initial="running", vm1_ip="10.0.0.11/24"))
    net.command("vm1", "ping -c 1 10.0.0.12", at=1.0)
    net.run_until(2.0)
    m = net.machines["vm1"]
    m.snapshots.apply({"op": "take", "name": "warm"}, "test")
    arp = net.tables()["nodes"]["vm1"]["arp"]
    guest_then = m.clock.now
    net.vm_action("vm1", "poweroff", at=3.0)
    net.run_until(4.0)
    assert net.tables()["nodes"]["vm1"]["arp"] == []  # the RAM is gone
    m.snapshots.apply({"op": "restore", "name": "warm"}, "test")
    assert m.state == "Saved" and m.clock.now == guest_then
    assert net.tables()["nodes"]["vm1"]["arp"] == arp  # the entry as old as it was
    net.vm_action("vm1", "start", at=10.0)
    net.run_until(11.0)
    assert m.state == "Running" and m.clock.now == guest_then


def test_a_lease_restored_after_it_expired_is_renewed_nak_ed_then_discovered_again():
    net = build(lan_design(initial="off"))
    net.vm_action("vm1", "start", at=0.0)  # DORA at boot, 3.3 s; the lease lasts 60 s
    net.vm_action("vm1", "snapshot", op="take", name="bound", at=10.0)
    net.vm_action("vm1", "poweroff", at=11.0)
    net.vm_action("vm1", "snapshot", op="restore", name="bound", at=100.0)  # srv let it expire at 63.3 s
    net.vm_action("vm1", "start", at=100.0)
    net.run_until(160)
    after = [(t, kind, src, dst) for t, kind, src, dst, _ in dhcp_frames(net, since=100 * S)]
    # Running again at 101 s with the guest's clock at 10 s: T1 (30 s after 3.3 s) is 23.3 s away.
    assert after[:2] == [(124_699_377_000, 3, "10.0.0.100", "10.0.0.1"), (124_699_577_000, 6, "10.0.0.1", "255.255.255.255")]
    assert [kind for _, kind, _, _ in after[2:]] == [3, 1, 2, 3, 5]  # rebinding, then DORA again
    assert after[3][2:] == ("0.0.0.0", "255.255.255.255")


def test_delete_keeps_the_current_state_and_moves_children_up():
    net = build(lan_design(initial="off"))
    m = net.machines["vm1"]
    tree = m.snapshots
    for name in ("a", "b", "c"):
        tree.apply({"op": "take", "name": name}, "t")
    tree.apply({"op": "restore", "name": "a"}, "t")
    tree.apply({"op": "take", "name": "d"}, "t")  # a has two children now: b and d
    assert tree_words(m) == "a>b>c>d; d"
    with pytest.raises(Refused) as err:
        tree.apply({"op": "delete", "name": "a"}, "t")
    assert err.value.sentence == ("Snapshot 'a' of the machine 'vm1' cannot be deleted, because it has 2 child "
                                  "snapshots, which is more than the one snapshot allowed for deletion")
    tree.apply({"op": "delete", "name": "b"}, "t")
    assert tree_words(m) == "a>c>d; d"
    tree.apply({"op": "restore", "name": "c"}, "t")
    tree.apply({"op": "delete", "name": "d"}, "t")
    tree.apply({"op": "take", "name": "e"}, "t")
    tree.apply({"op": "restore", "name": "c"}, "t")
    with pytest.raises(Refused) as err:
        tree.apply({"op": "delete", "name": "c"}, "t")
    assert err.value.sentence == ("Snapshot 'c' of the machine 'vm1' cannot be deleted, because it is the current "
                                  "snapshot and has one child snapshot")


@pytest.mark.parametrize(("params", "msg"), [
    ({"op": "take"}, "snapshot take needs a name"),
    ({"op": "fly", "name": "x"}, "snapshot needs op, one of: take, restore, restorecurrent, delete (not 'fly')"),
    ({"op": "take", "name": "x", "when": 1}, "snapshot takes op, name, description, live, not 'when'"),
    ({"op": "take", "name": 3}, "snapshot: name must be str, not 3"),
    ({"op": "restore", "name": "x", "live": True}, "snapshot restore takes no description or live"),
    ({"op": "restorecurrent", "name": "x"}, "snapshot restorecurrent takes no name: it restores the current snapshot"),
])
def test_bad_parameters_are_refused_and_nothing_is_logged(params, msg):
    net = build(lan_design())
    for call in (net.vm_action, net.check_vm_action):
        with pytest.raises(ValueError) as err:
            call("vm1", "snapshot", **params)
        assert str(err.value) == msg
    assert net.actions == []


def test_refusals_say_what_and_why_and_change_nothing():
    net = build(lan_design(initial="off"))
    m = net.machines["vm1"]
    assert net.check_vm_action("vm1", "snapshot", op="restore", name="x") == "This machine does not have any snapshots"
    assert net.check_vm_action("vm1", "snapshot", op="restorecurrent") == "This machine does not have any snapshots"
    m.snapshots.apply({"op": "take", "name": "s1"}, "t")
    assert net.check_vm_action("vm1", "snapshot", op="delete", name="x") == "Could not find a snapshot named 'x'"
    assert net.check_vm_action("vm1", "snapshot", op="take", name="s1") == (
        "vm1 already has a snapshot named 's1': the simulator finds snapshots by name, so each name is used once "
        "(VirtualBox would allow it and tell them apart by UUID)")
    assert tree_words(m) == "s1; s1"


def test_the_console_speaks_vboxmanage():
    net = build(lan_design(initial="running", vm1_ip="10.0.0.11/24"))
    for i, line in enumerate(["VBoxManage snapshot vm1 list", "VBoxManage snapshot vm1 take one --description first",
                              "VBoxManage snapshot vm1 take two --live", "VBoxManage snapshot vm1 list",
                              "VBoxManage snapshot vm1 restore one", "VBoxManage snapshot vm1 delete nope",
                              "VBoxManage snapshot vm1 bogus"]):
        net.command("hv", line, at=1 + i / 10)
    net.run_until(2)
    tree = net.machines["vm1"].snapshots
    one, two = tree.find("one").uuid, tree.find("two").uuid
    assert [text for _, text in lines(net, "hv", since=S)] == [
        "This machine does not have any snapshots",
        "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%",
        f"Snapshot taken. UUID: {one}",
        "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%",
        f"Snapshot taken. UUID: {two}",
        f"   Name: one (UUID: {one})",
        "   Description: first",
        f"      Name: two (UUID: {two}) *",
        f"Restoring snapshot 'one' ({one})",
        "VBoxManage: error: Cannot delete the current state of the running machine (machine state: Running)",
        "VBoxManage: error: Details: code VBOX_E_INVALID_VM_STATE (0x80bb0002), component SessionMachine, "
        "interface IMachine, callee nsISupports",
        "VBoxManage: error: Could not find a snapshot named 'nope'",
        "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component MachineWrap, "
        "interface IMachine, callee nsISupports",
        "VBoxManage: error: Invalid parameter 'bogus'",
        "Usage: VBoxManage snapshot <uuid|vmname> take <snapshot-name> [--description=description] [--live] | "
        "restore <snapshot-name> | restorecurrent | delete <snapshot-name> | list [--details]",
    ]


class TreeAgainstModel(RuleBasedStateMachine):
    """The tree against a naive model (parent of each name, the current one) while the VM is
    started and powered off in between; each snapshot also remembers what a file held, which a
    restore must bring back, and whether it was online (a restore then leaves the VM Saved)."""

    @initialize()
    def setup(self):
        self.net = build(lan_design(initial="off"))
        self.m = self.net.machines["vm1"]
        self.parent: dict[str, str | None] = {}
        self.order: list[str] = []
        self.current: str | None = None
        self.content: dict[str, str] = {}
        self.online: dict[str, bool] = {}
        self.state = "PoweredOff"
        self.file = "0"
        self.write("0")

    def run(self, action, seconds):
        self.net.vm_action("vm1", action)
        self.net.run_until(self.net.now_ns / S + seconds)

    @precondition(lambda self: self.state in ("PoweredOff", "Saved"))
    @rule()
    def start(self):
        self.run("start", 1.2)
        self.state = "Running"

    @precondition(lambda self: self.state == "Running")
    @rule()
    def poweroff(self):
        self.run("poweroff", 0.2)
        self.state = "PoweredOff"

    def write(self, text):
        fs = self.m.node.guest.fs
        fs.install("/home/ubuntu/f", text_file(text + "\n"))
        self.file = text

    def children(self, name):
        return [n for n in self.order if self.parent[n] == name]

    @rule(text=st.sampled_from("abc"))
    def change_file(self, text):
        self.write(text)

    @rule(name=st.sampled_from(["s1", "s2", "s3", "s4", "s5"]))
    def take(self, name):
        params = {"op": "take", "name": name}
        if name in self.parent:
            assert self.m.snapshots.check(params) is not None
            return
        self.m.snapshots.apply(params, "t")
        self.parent[name] = self.current
        self.order.append(name)
        self.current = name
        self.content[name] = self.file
        self.online[name] = self.state in ("Running", "Saved")

    @precondition(lambda self: self.order)
    @rule(data=st.data())
    def restore(self, data):
        name = data.draw(st.sampled_from(self.order))
        if self.state == "Running":
            assert self.m.snapshots.check({"op": "restore", "name": name}).sentence == RUNNING_RESTORE.format("Running")
            return
        self.m.snapshots.apply({"op": "restore", "name": name}, "t")
        self.current = name
        self.file = self.content[name]
        self.state = "Saved" if self.online[name] else "PoweredOff"

    @invariant()
    def same_tree(self):
        if not hasattr(self, "m"):
            return
        tree = self.m.snapshots
        got = {s.name: (s.parent.name if s.parent else None) for s in tree.all()}
        assert got == self.parent
        assert (tree.current.name if tree.current else None) == self.current
        assert self.m.node.guest.fs.read("/home/ubuntu/f").text == self.file + "\n"
        assert self.m.state == self.state


def _delete_with_parent(self, data):
    name = data.draw(st.sampled_from(self.order))
    kids = self.children(name)
    refusal = self.m.snapshots.check({"op": "delete", "name": name})
    if len(kids) > 1 or (name == self.current and kids):
        assert refusal is not None
        return
    assert refusal is None
    self.m.snapshots.apply({"op": "delete", "name": name}, "t")
    parent = self.parent.pop(name)
    for k in kids:
        self.parent[k] = parent
    self.order.remove(name)
    if self.current == name:
        self.current = parent


TreeAgainstModel.delete = precondition(lambda self: self.order)(rule(data=st.data())(_delete_with_parent))
TestTreeAgainstModel = TreeAgainstModel.TestCase
TestTreeAgainstModel.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)


DETERMINISM = """
import hashlib, json, sys
sys.path.insert(0, "tests/simcore/virt")
from virt_designs import build, lan_design
trace = []
net = build(lan_design(initial="off"), trace)
net.vm_action("vm1", "start", at=0.0)
net.command("vm1", "echo kept > k.txt", at=5.0)
net.command("hv", "VBoxManage snapshot vm1 take s1 --description 'a lease'", at=6.0)
net.command("vm1", "rm k.txt", at=7.0)
net.vm_action("vm1", "poweroff", at=8.0)
net.vm_action("vm1", "snapshot", op="restore", name="s1", at=70.0)
net.vm_action("vm1", "start", at=71.0)
net.command("vm1", "cat k.txt", at=75.0)
net.vm_action("vm1", "poweroff", at=80.0)
net.command("hv", "VBoxManage clonevm vm1 --name vm3 --register", at=81.0)
net.run_until(120)
h = hashlib.sha256()
h.update(json.dumps([e for e in trace], sort_keys=True, default=str).encode())
for name in sorted(net.captures):
    h.update(net.captures[name].pcap_bytes())
print(h.hexdigest(), len(trace))
"""


def _run(seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", DETERMINISM], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_same_actions_same_trace_and_pcap_bytes_whatever_the_hash_seed():
    first = _run(1)
    assert first == _run(2)
    assert int(first.split()[1]) > 50


def test_settings_cables_and_disks_come_back_with_the_snapshot():
    trace = []
    net = build(lan_design(initial="off"), trace)
    m = net.machines["vm1"]
    m.snapshots.apply({"op": "take", "name": "small"}, "t")
    net.command("hv", "VBoxManage modifyvm vm1 --memory 4096 --cpus 4", at=1.0)
    net.command("hv", "VBoxManage createmedium disk --filename 'VirtualBox VMs/vm1/data.vdi' --size 1024", at=1.1)
    net.command("hv", "VBoxManage storageattach vm1 --storagectl SATA --port 1 --type hdd "
                      "--medium 'VirtualBox VMs/vm1/data.vdi'", at=1.2)
    net.run_until(2)
    row = net.tables()["vms"]["vm1"]["hardware"]
    assert (row["ram_mb"], row["vcpus"], len(row["disks"])) == (4096, 4, 2)
    m.snapshots.apply({"op": "restore", "name": "small"}, "t")
    row = net.tables()["vms"]["vm1"]["hardware"]
    assert (row["ram_mb"], row["vcpus"], len(row["disks"])) == (2048, 2, 1)
    store = net.nodes["hv"].guest.store
    assert store.media["/home/student/VirtualBox VMs/vm1/data.vdi"].attached_to is None  # free for another VM
    vbox = net.nodes["hv"].guest.fs.read("/home/student/VirtualBox VMs/vm1/vm1.vbox").text
    assert '<Memory RAMSize="2048"/>' in vbox


def test_a_cable_pulled_in_the_snapshot_is_out_again_after_the_restore():
    net = build(lan_design(initial="running", vm1_ip="10.0.0.11/24"))
    m = net.machines["vm1"]
    net.vm_action("vm1", "setlinkstate", nic=1, on=False, at=1.0)
    net.run_until(1.5)
    m.snapshots.apply({"op": "take", "name": "unplugged"}, "t")
    net.vm_action("vm1", "setlinkstate", nic=1, on=True, at=2.0)
    net.vm_action("vm1", "poweroff", at=3.0)
    net.run_until(4)
    assert net.nodes["vm1"].nics["eth0"].link is not None
    m.snapshots.apply({"op": "restore", "name": "unplugged"}, "t")
    assert net.tables()["vms"]["vm1"]["hardware"]["cables"] == {"eth0": False}
    assert net.nodes["vm1"].nics["eth0"].link is None
    net.vm_action("vm1", "start", at=5.0)
    net.vm_action("vm1", "setlinkstate", nic=1, on=True, at=7.0)
    net.command("vm1", "ping -c 1 10.0.0.12", at=8.0)
    net.run_until(9)
    assert "1 packets transmitted, 1 received, 0% packet loss, time 0ms" in [t for _, t in lines(net, "vm1", 8 * S)]
