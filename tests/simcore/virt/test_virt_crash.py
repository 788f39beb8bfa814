"""Aborted is reachable during a run: the run's ``crash`` control kills the VM's process. The live
table says, per state, which controls and which hardware changes are legal (the panel's buttons
are enabled from it alone), in the engine's words."""

import pytest
from virt_designs import MS, S, build, lan_design, lines

from simcore.virt import power


def states(trace):
    return [(e["t"], e["from"], e["to"], e["action"]) for e in trace if e["kind"] == "vm.state" and e["node"] == "vm1"]


def test_a_crash_aborts_a_running_vm_its_ram_is_lost_and_start_boots_it_afresh():
    trace = []
    net = build(lan_design(vm1_ip="10.0.0.11/24", initial="running",
                           script=[(1.0, "vm1", "ping -c 1 10.0.0.12")]), trace)
    net.vm_action("vm1", "crash", at=5.0)
    net.run_until(6)
    assert net.machines["vm1"].state == "Aborted"
    assert states(trace) == [(5 * S, "Running", "Aborted", "crash")]
    assert net.tables()["nodes"]["vm1"]["arp"] == []
    # No carrier: the switch forgets the port, as it does at power off.
    carrier = [e for e in trace if e["kind"] == "link.carrier" and e["node"] == "vm1"]
    assert [(e["t"], e["up"]) for e in carrier] == [(5 * S, False)]
    assert any(e["kind"] == "switch.flushed" and e["t"] == 5 * S for e in trace)
    row = net.tables()["vms"]["vm1"]
    assert row["actions"]["start"] is None
    assert row["actions"]["crash"] == "Machine 'vm1' is not currently running"
    net.vm_action("vm1", "start", at=7.0)
    net.run_until(8)
    assert any(t == 7500 * MS and text.startswith("VirtualBox BIOS") for t, text in lines(net, "vm1"))


def test_a_crash_while_starting_voids_the_start():
    trace = []
    net = build(lan_design(initial="off"), trace)
    net.vm_action("vm1", "start", at=1.0)
    net.vm_action("vm1", "crash", at=1.2)
    net.run_until(3)
    assert states(trace) == [(1 * S, "PoweredOff", "Starting", "start"), (1200 * MS, "Starting", "Aborted", "crash")]
    assert net.machines["vm1"].state == "Aborted"


@pytest.mark.parametrize("initial", ["off", "saved", "aborted"])
def test_a_crash_of_a_vm_that_runs_no_process_is_refused(initial):
    net = build(lan_design(initial=initial))
    assert net.check_vm_action("vm1", "crash") == "Machine 'vm1' is not currently running"


def test_the_table_says_which_controls_and_changes_each_state_allows():
    net = build(lan_design(initial="off"))
    row = net.tables()["vms"]["vm1"]
    assert list(row["actions"]) == [*power.ACTIONS, "crash"]
    assert [a for a, why in row["actions"].items() if why is None] == ["start"]
    assert row["changes"] == {"settings": None, "cable": (
        "Connecting or disconnecting a NIC's cable acts on a running VM; vm1 is PoweredOff "
        "(VirtualBox: Machine 'vm1' is not currently running.)"),
        "attachment": ("Changing a NIC's attachment acts on a running VM; vm1 is PoweredOff "
                       "(VirtualBox: Machine 'vm1' is not currently running.)"),
        "storage": None}
    net.vm_action("vm1", "start", at=1.0)
    net.run_until(2)
    row = net.tables()["vms"]["vm1"]
    assert [a for a, why in row["actions"].items() if why is None] == [
        "pause", "savestate", "acpipowerbutton", "poweroff", "reset", "crash"]
    assert row["changes"]["settings"] == (
        "The RAM, vCPUs and NICs of vm1 can only be changed while it is powered off; it is Running "
        "(VirtualBox: The machine 'vm1' is already locked for a session (or being unlocked))")
    assert row["changes"]["cable"] is None and row["changes"]["storage"] is None
    net.vm_action("vm1", "savestate", at=3.0)
    net.run_until(5)
    row = net.tables()["vms"]["vm1"]
    assert row["changes"]["storage"].startswith("the drives of vm1 cannot change while it is Saved")
    assert row["changes"]["settings"].endswith("(VirtualBox: The machine is not mutable (state is Saved))")
