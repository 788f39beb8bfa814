"""VirtualBox's power states and VBoxManage's transitions between them, as one table.

States have VirtualBox's ``MachineState`` names, spelled as VirtualBox shows them. Actions have
VBoxManage's names (``startvm`` is ``start``; the others are ``controlvm`` subcommands). For every
state and action, ``decide(state, action, name)`` gives either the :class:`Transition` that runs
or the sentence VBoxManage refuses it with (its own words: ``VBoxManage: error: <sentence>``).

A transition may pass through a transitional state that lasts a simulated time (``via``,
``via_ns``) before its final state (``to``), and says what happens inside the guest (``guest``):

- ``boot``: the guest starts from its firmware with a fresh RAM (the boot log, then its NICs);
- ``continue``: the guest's clock goes on where it stopped (resume, start from Saved);
- ``freeze``: the guest's clock stops (pause, save);
- ``shutdown``: the guest shuts itself down cleanly (ACPI power button); when it is done it asks
  the machine to switch off (``halt``: Stopping, then PoweredOff);
- ``die``: the guest stops at once and its RAM is lost (power off: "pulling the plug");
- ``reset``: the guest restarts from its firmware at once, without shutting down.

Departures from VirtualBox, on purpose: the guest boots inside ``Running`` as in VirtualBox, and
``Starting``/``Restoring``/``Saving``/``Stopping`` take fixed simulated times (VirtualBox's depend
on the host's disk and the VM's RAM); ``Stuck``, teleporting and snapshot states are not modelled.
``Aborted`` is reached by the run's ``crash`` control (the VM's process dies), which VBoxManage
does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

POWERED_OFF = "PoweredOff"
STARTING = "Starting"
RUNNING = "Running"
PAUSED = "Paused"
SAVING = "Saving"
SAVED = "Saved"
RESTORING = "Restoring"
STOPPING = "Stopping"
ABORTED = "Aborted"

STATES = (POWERED_OFF, STARTING, RUNNING, PAUSED, SAVING, SAVED, RESTORING, STOPPING, ABORTED)
# VBoxManage's own order of its controlvm subcommands, ``start`` (startvm) first.
ACTIONS = ("start", "pause", "resume", "savestate", "acpipowerbutton", "poweroff", "reset")
# What the guest itself asks of its machine: switch off at the end of a clean shutdown (ACPI S5).
HALT = "halt"
# The VM's process dies under it (a crash of VirtualBox's VM process, the host killing it): not a
# VBoxManage action, a control of the run's (``run.vm`` ``crash``). VirtualBox then marks the
# machine Aborted: its RAM is gone, its disks stay, ``startvm`` boots it afresh.
CRASH = "crash"
# What the run's controls may ask (the live panel's buttons): VBoxManage's actions, then the crash.
CONTROLS = (*ACTIONS, CRASH)

# The machine is not running: no VirtualBox process holds it, so controlvm finds no session.
NOT_RUNNING = (POWERED_OFF, SAVED, ABORTED)
# Its NICs have a carrier only while a VM process runs it (Paused included: frames are dropped).
HAS_CARRIER = (STARTING, RUNNING, PAUSED, SAVING, RESTORING)
# ``VBoxManage list runningvms`` lists these.
LISTED_RUNNING = (RUNNING, PAUSED)

MS = 1_000_000


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    sources: tuple[str, ...]  # the states it is legal from
    via: str | None  # the transitional state it passes through (None: straight to ``to``)
    via_ns: int  # how long ``via`` lasts, simulated
    to: str  # the final state
    guest: str  # what happens inside the guest (see the module's docstring)


# The one table: every legal (state, action) pair appears in exactly one row.
TRANSITIONS: tuple[Transition, ...] = (
    Transition("start", (POWERED_OFF, ABORTED), STARTING, 500 * MS, RUNNING, "boot"),
    Transition("start", (SAVED,), RESTORING, 1000 * MS, RUNNING, "continue"),
    Transition("pause", (RUNNING,), None, 0, PAUSED, "freeze"),
    Transition("resume", (PAUSED,), None, 0, RUNNING, "continue"),
    Transition("savestate", (RUNNING, PAUSED), SAVING, 1000 * MS, SAVED, "freeze"),
    Transition("acpipowerbutton", (RUNNING,), None, 0, RUNNING, "shutdown"),
    Transition("poweroff", (RUNNING, PAUSED), STOPPING, 100 * MS, POWERED_OFF, "die"),
    Transition("reset", (RUNNING,), None, 0, RUNNING, "reset"),
    # The guest's own request at the end of a clean shutdown, not a VBoxManage action.
    Transition(HALT, (RUNNING,), STOPPING, 100 * MS, POWERED_OFF, "die"),
    # The VM process dies: from any state a process runs (Stopping too: it dies before it ends).
    Transition(CRASH, (STARTING, RUNNING, PAUSED, SAVING, RESTORING, STOPPING), None, 0, ABORTED, "die"),
)

_BY_PAIR: dict[tuple[str, str], Transition] = {(s, t.action): t for t in TRANSITIONS for s in t.sources}

# VirtualBox's words (VBoxManage.cpp and ConsoleImpl.cpp), ``{name}``: the VM, ``{state}``: its state.
LOCKED = "The machine '{name}' is already locked by a session (or being locked or unlocked)"
NOT_CURRENTLY_RUNNING = "Machine '{name}' is not currently running"
INVALID_STATE = "Invalid machine state: {state}"
ALREADY_PAUSED = "Already paused"
NOT_PAUSED = "Cannot resume the machine as it is not paused (machine state: {state})"
CANNOT_SAVE = "Cannot save the execution state as the machine is not running or paused (machine state: {state})"
POWER_DOWN_STATE = "Invalid machine state: {state} (must be Running, Paused or Stuck)"
DURING_SAVE = "Cannot power down at this point during a save state"
BEING_POWERED_DOWN = "The virtual machine is being powered down"
GUEST_NOT_RUNNING = "{name} is not running: only a running guest can switch itself off"


def _refusal_template(state: str, action: str) -> str:
    if action == "start":
        return LOCKED
    if action == HALT:
        return GUEST_NOT_RUNNING
    if action == CRASH:
        return NOT_CURRENTLY_RUNNING
    if state in NOT_RUNNING:
        return NOT_CURRENTLY_RUNNING
    if action == "pause":
        return ALREADY_PAUSED if state in (PAUSED, SAVING) else INVALID_STATE
    if action == "resume":
        return NOT_PAUSED
    if action == "savestate":
        return CANNOT_SAVE
    if action == "poweroff":
        if state == SAVING:
            return DURING_SAVE
        if state == STOPPING:
            return BEING_POWERED_DOWN
        return POWER_DOWN_STATE
    return INVALID_STATE  # acpipowerbutton, reset


def check_known(action: str) -> None:
    """ValueError naming the known actions when ``action`` is not one of them."""
    if action not in ACTIONS and action not in (HALT, CRASH):
        raise ValueError(f"unknown VM power action {action!r}; one of: {', '.join(ACTIONS)}")


def transition(state: str, action: str) -> Transition | None:
    """The transition ``action`` runs from ``state``, or None when it is refused there."""
    if state not in STATES:
        raise ValueError(f"unknown power state {state!r}; one of: {', '.join(STATES)}")
    check_known(action)
    return _BY_PAIR.get((state, action))


def refusal(state: str, action: str, name: str) -> str | None:
    """The sentence ``action`` is refused with in ``state`` (``name``: the VM's), or None if legal."""
    if transition(state, action) is not None:
        return None
    return _refusal_template(state, action).format(name=name, state=state)


def decide(state: str, action: str, name: str) -> Transition | str:
    """The transition, or the refusal sentence."""
    found = transition(state, action)
    return found if found is not None else _refusal_template(state, action).format(name=name, state=state)


# How ``VBoxManage showvminfo`` and ``list`` spell a state (VBoxManage's machineStateToName).
SHOWN = {
    POWERED_OFF: "powered off", STARTING: "starting", RUNNING: "running", PAUSED: "paused", SAVING: "saving",
    SAVED: "saved", RESTORING: "restoring", STOPPING: "stopping", ABORTED: "aborted",
}

# The design's ``power.initial`` -> the state a VM starts the run in.
INITIAL_STATES = {"running": RUNNING, "off": POWERED_OFF, "saved": SAVED, "aborted": ABORTED}

# Cloning: only a stopped VM (VirtualBox clones a running one through a temporary snapshot; the
# course teaches that the VM to be cloned must be stopped). The console, the door and the live
# panel's generated table (simcore/virt/panel.py) all read this rule.
CLONABLE = (POWERED_OFF, ABORTED, SAVED)
NOT_CLONABLE = ("Cannot clone the machine '{vm}' while it is {shown} (machine state: {state}): usually the VM to be "
                "cloned must be stopped; power it off or save its state first")


def clone_refusal(vm: str, state: str) -> str | None:
    """Why a VM named ``vm`` cannot be cloned in power state ``state`` (None: it can)."""
    return None if state in CLONABLE else NOT_CLONABLE.format(vm=vm, shown=SHOWN[state], state=state)
