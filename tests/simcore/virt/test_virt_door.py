"""The network's door for power actions: ``net.vm_action`` logs and schedules, ``check_vm_action``
answers the refusal first; a run forked in the middle of a power change goes on exactly as a fresh
one; bad input is refused with what and where, and changes nothing."""

import pytest
from virt_designs import S, build, lan_design

from simcore.network import Network


def test_an_action_is_logged_and_runs_at_its_instant():
    trace = []
    net = build(lan_design(initial="running", vm1_ip="10.0.0.11/24"), trace)
    net.vm_action("vm1", "pause", at=2.5)
    assert net.actions == [{"t": 2_500_000_000, "node": "vm1", "vm": "pause", "params": {}}]
    net.run_until(2.4)
    assert net.machines["vm1"].state == "Running"
    net.run_until(2.5)
    assert net.machines["vm1"].state == "Paused"
    assert [(e["t"], e["why"]) for e in trace if e["kind"] == "vm.state"] == [
        (2_500_000_000, "asked from the run's controls")]


def test_check_answers_vboxmanage_s_sentence_or_none():
    net = build(lan_design())
    assert net.check_vm_action("vm1", "start") is None
    assert net.check_vm_action("vm1", "pause") == "Machine 'vm1' is not currently running"
    assert net.check_vm_action("vm2", "resume") == "Cannot resume the machine as it is not paused (machine state: Running)"
    assert net.actions == []


def test_an_action_that_became_illegal_is_refused_when_it_runs():
    trace = []
    net = build(lan_design(), trace)
    net.vm_action("vm1", "start", at=1.0)
    net.vm_action("vm1", "start", at=1.2)  # Starting lasts until 1.5 s
    net.run_until(2)
    assert [(e["t"], e["msg"]) for e in trace if e["kind"] == "vm.refused"] == [
        (1_200_000_000, "The machine 'vm1' is already locked by a session (or being locked or unlocked)")]
    assert net.machines["vm1"].state == "Running"


@pytest.mark.parametrize(("args", "kwargs", "msg"), [
    (("nosuch", "start"), {}, "no node with id 'nosuch'"),
    (("lan", "start"), {}, "node 'lan' (vswitch) is not a virtual machine"),
    (("hv", "start"), {}, "node 'hv' (host) is not a virtual machine"),
    (("vm1", "halt"), {}, "unknown VM action 'halt'; one of: start, pause, resume, savestate, acpipowerbutton, "
                          "poweroff, reset, modifyvm, setlinkstate, nic, storageattach, snapshot, clonevm"),
    (("vm1", "start"), {"type": "gui"}, "start takes no parameters, not type"),
])
def test_bad_input_is_refused_and_nothing_is_logged(args, kwargs, msg):
    net = build(lan_design())
    for call in (net.vm_action, net.check_vm_action):
        with pytest.raises(ValueError) as err:
            call(*args, **kwargs)
        assert str(err.value) == msg
    assert net.actions == [] and net.engine.pending == build(lan_design()).engine.pending


def test_an_action_in_the_past_is_refused():
    net = build(lan_design())
    net.run_until(5)
    with pytest.raises(ValueError) as err:
        net.vm_action("vm1", "start", at=4.0)
    assert str(err.value) == "at=4.0 s is in the past (now is 5.0 s)"
    assert net.actions == []


def _story(net: Network) -> None:
    net.vm_action("vm1", "start", at=1.0)
    net.vm_action("vm1", "pause", at=6.0)
    net.vm_action("vm1", "resume", at=9.0)
    net.vm_action("vm1", "savestate", at=12.0)
    net.vm_action("vm1", "start", at=80.0)


def _snapshot(net: Network) -> tuple:
    return (net.tables(), [(c.name, c.pcap_bytes()) for c in net.captures.values()], net.console_lines())


@pytest.mark.parametrize("fork_at", [7.0, 12.5, 50.0, 80.5])
def test_a_fork_in_the_middle_of_a_power_change_goes_on_as_a_fresh_run(fork_at):
    fresh_trace, forked_trace = [], []
    fresh = build(lan_design(), fresh_trace)
    _story(fresh)
    fresh.run_until(120)

    first = build(lan_design(), [])
    _story(first)
    first.run_until(fork_at)
    twin = first.fork(trace=forked_trace)
    twin.run_until(120)
    assert _snapshot(twin) == _snapshot(fresh)
    # the twin's trace is the fresh run's from the fork on, sequence numbers included
    assert forked_trace == [e for e in fresh_trace if e["t"] > fork_at * S]


def test_replaying_the_action_log_lands_in_the_same_state():
    net = build(lan_design())
    _story(net)
    net.run_until(100)
    again = build(lan_design())
    for action in net.actions:
        again.vm_action(action["node"], action["vm"], at=action["t"] / S, **action["params"])
    again.run_until(100)
    assert _snapshot(again) == _snapshot(net)
    assert again.machines["vm1"].clock.now == net.machines["vm1"].clock.now
