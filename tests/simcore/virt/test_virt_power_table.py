"""Every power state x every VBoxManage action: the new state, or VBoxManage's exact refusal.

The expected table is written out by hand, row by row, from VirtualBox's sources (VBoxManage's
"is not currently running" and "already locked", Console::pause/resume/powerDown/reset/
powerButton, saveState), not computed from simcore's table.
"""

import itertools

import pytest

from simcore.virt import power
from simcore.virt.power import ACTIONS, STATES, decide, refusal, transition

LOCKED = "The machine 'vm1' is already locked by a session (or being locked or unlocked)"
NOT_RUNNING = "Machine 'vm1' is not currently running"

# state -> action -> "via STATE -> STATE" | "-> STATE" | refusal sentence
EXPECTED = {
    "PoweredOff": {
        "start": "via Starting -> Running",
        **{a: NOT_RUNNING for a in ACTIONS if a != "start"},
    },
    "Saved": {
        "start": "via Restoring -> Running",
        **{a: NOT_RUNNING for a in ACTIONS if a != "start"},
    },
    "Aborted": {
        "start": "via Starting -> Running",
        **{a: NOT_RUNNING for a in ACTIONS if a != "start"},
    },
    "Starting": {
        "start": LOCKED,
        "pause": "Invalid machine state: Starting",
        "resume": "Cannot resume the machine as it is not paused (machine state: Starting)",
        "savestate": "Cannot save the execution state as the machine is not running or paused (machine state: Starting)",
        "acpipowerbutton": "Invalid machine state: Starting",
        "poweroff": "Invalid machine state: Starting (must be Running, Paused or Stuck)",
        "reset": "Invalid machine state: Starting",
    },
    "Running": {
        "start": LOCKED,
        "pause": "-> Paused",
        "resume": "Cannot resume the machine as it is not paused (machine state: Running)",
        "savestate": "via Saving -> Saved",
        "acpipowerbutton": "-> Running",
        "poweroff": "via Stopping -> PoweredOff",
        "reset": "-> Running",
    },
    "Paused": {
        "start": LOCKED,
        "pause": "Already paused",
        "resume": "-> Running",
        "savestate": "via Saving -> Saved",
        "acpipowerbutton": "Invalid machine state: Paused",
        "poweroff": "via Stopping -> PoweredOff",
        "reset": "Invalid machine state: Paused",
    },
    "Saving": {
        "start": LOCKED,
        "pause": "Already paused",
        "resume": "Cannot resume the machine as it is not paused (machine state: Saving)",
        "savestate": "Cannot save the execution state as the machine is not running or paused (machine state: Saving)",
        "acpipowerbutton": "Invalid machine state: Saving",
        "poweroff": "Cannot power down at this point during a save state",
        "reset": "Invalid machine state: Saving",
    },
    "Restoring": {
        "start": LOCKED,
        "pause": "Invalid machine state: Restoring",
        "resume": "Cannot resume the machine as it is not paused (machine state: Restoring)",
        "savestate": "Cannot save the execution state as the machine is not running or paused (machine state: Restoring)",
        "acpipowerbutton": "Invalid machine state: Restoring",
        "poweroff": "Invalid machine state: Restoring (must be Running, Paused or Stuck)",
        "reset": "Invalid machine state: Restoring",
    },
    "Stopping": {
        "start": LOCKED,
        "pause": "Invalid machine state: Stopping",
        "resume": "Cannot resume the machine as it is not paused (machine state: Stopping)",
        "savestate": "Cannot save the execution state as the machine is not running or paused (machine state: Stopping)",
        "acpipowerbutton": "Invalid machine state: Stopping",
        "poweroff": "The virtual machine is being powered down",
        "reset": "Invalid machine state: Stopping",
    },
}


def test_the_expected_table_covers_every_state_and_action():
    assert set(EXPECTED) == set(STATES)
    assert all(set(row) == set(ACTIONS) for row in EXPECTED.values())


def _outcome(found) -> str:
    if isinstance(found, str):
        return found
    return f"via {found.via} -> {found.to}" if found.via else f"-> {found.to}"


@pytest.mark.parametrize(("state", "action"), list(itertools.product(STATES, ACTIONS)))
def test_state_x_action(state, action):
    want = EXPECTED[state][action]
    assert _outcome(decide(state, action, "vm1")) == want
    legal = want.startswith(("via ", "-> "))
    assert (transition(state, action) is not None) is legal
    assert refusal(state, action, "vm1") == (None if legal else want)


def test_transitional_states_take_simulated_time_and_say_what_the_guest_does():
    rows = {(t.action, t.sources): (t.via, t.via_ns, t.guest) for t in power.TRANSITIONS}
    assert rows[("start", ("PoweredOff", "Aborted"))] == ("Starting", 500_000_000, "boot")
    assert rows[("start", ("Saved",))] == ("Restoring", 1_000_000_000, "continue")
    assert rows[("savestate", ("Running", "Paused"))] == ("Saving", 1_000_000_000, "freeze")
    assert rows[("poweroff", ("Running", "Paused"))] == ("Stopping", 100_000_000, "die")
    assert rows[("acpipowerbutton", ("Running",))] == (None, 0, "shutdown")
    assert rows[("reset", ("Running",))] == (None, 0, "reset")


def test_the_guest_halts_only_a_running_machine():
    assert _outcome(decide("Running", power.HALT, "vm1")) == "via Stopping -> PoweredOff"
    for state in STATES:
        if state != "Running":
            assert decide(state, power.HALT, "vm1") == "vm1 is not running: only a running guest can switch itself off"


def test_each_legal_pair_is_in_one_row_only():
    pairs = [(s, t.action) for t in power.TRANSITIONS for s in t.sources]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize(("state", "action", "msg"), [
    ("Running", "explode", "unknown VM power action 'explode'; one of: start, pause, resume, savestate, "
                           "acpipowerbutton, poweroff, reset"),
    ("Sleeping", "start", "unknown power state 'Sleeping'; one of: PoweredOff, Starting, Running, Paused, "
                          "Saving, Saved, Restoring, Stopping, Aborted"),
])
def test_unknown_states_and_actions_are_named(state, action, msg):
    with pytest.raises(ValueError) as err:
        decide(state, action, "vm1")
    assert str(err.value) == msg
