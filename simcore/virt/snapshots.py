"""A VM's snapshots, as a tree, as VirtualBox keeps them: take, restore, delete.

Each VM has one :class:`SnapshotTree` (``machine.snapshots``). A :class:`Snapshot` has a name, a
description, a stable UUID, the instant it was taken, its parent and children; the tree has a
*current snapshot* (the parent of the "Current state", which is the VM as it is now).

What a snapshot holds (an :class:`Image`):

- always the VM's settings (its ``Hardware``: RAM, vCPUs, NICs with their MACs and cables, disks,
  DVD) and the contents of its disks (each attached medium's filesystem);
- of a VM that is running, paused or saved (an *online* snapshot) its RAM too: the guest's stack
  (addresses, ARP cache, routes), its DHCP clients and leases, its TCP connections, its services,
  its console's shell and jobs, the guest's pending timers with their guest due times, the guest
  clock's instant, and the boot phase.

Capturing copies the VM's own objects only: ``copy.deepcopy`` with a memo that maps everything
outside the VM (the engine, the tracer, other nodes, links, NICs, captures, the host, its disk
store and media, OS images) to itself. Filesystems are persistent trees, so a disk's copy costs
nothing until one side writes (``fs.Volume.__deepcopy__``). Restoring copies the image again, so
a snapshot can be restored any number of times.

VirtualBox's rules (``SessionMachine::takeSnapshot``, ``restoreSnapshot``, ``i_deleteSnapshot``
in ``SnapshotImpl.cpp``), with its sentences:

- take: in PoweredOff, Aborted, Saved, Running, Paused; refused in a transitional state with
  ``Cannot take a snapshot of the machine while it is changing the state (machine state: X)``;
- restore: only when the VM is not running (PoweredOff, Aborted, Saved); else ``Cannot delete the
  current state of the running machine (machine state: X)``. Restoring an online snapshot leaves
  the VM Saved, and ``start`` resumes it from the snapshot's instant; an offline one leaves it
  PoweredOff. The current state is lost; the restored snapshot becomes the current one;
- delete: in the same states as take (online deletion included); refused with ``Snapshot 'S' of
  the machine 'vm1' cannot be deleted, because it has 2 child snapshots, which is more than the one
  snapshot allowed for deletion`` and ``... because it is the current snapshot and has one child
  snapshot``; its children move up to its parent, the current state does not change;
- an unknown name: ``Could not find a snapshot named 'S'``, or ``This machine does not have any
  snapshots`` when there are none.

A departure, on purpose: VirtualBox lets two snapshots share a name (they are told apart by UUID);
here a name is refused when taken, since the run's controls and the console name snapshots by name.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any

from simcore.virt import power
from simcore.virt.guest import os_type
from simcore.virt.power import ABORTED, PAUSED, POWERED_OFF, RUNNING, SAVED, SHOWN

# Where each operation is allowed (VirtualBox's state dependencies).
TAKE_STATES = (POWERED_OFF, ABORTED, SAVED, RUNNING, PAUSED)
RESTORE_STATES = (POWERED_OFF, ABORTED, SAVED)
DELETE_STATES = TAKE_STATES
ONLINE_STATES = (RUNNING, PAUSED, SAVED)  # a snapshot taken in these holds the RAM too
OPS = ("take", "restore", "restorecurrent", "delete")
MAX_NAME = 128
MAX_DESCRIPTION = 1024

# VirtualBox's sentences.
TRANSIENT_TAKE = "Cannot take a snapshot of the machine while it is changing the state (machine state: {state})"
TRANSIENT_DELETE = "Cannot delete a snapshot of the machine while it is changing the state (machine state: {state})"
RUNNING_RESTORE = "Cannot delete the current state of the running machine (machine state: {state})"
NOT_FOUND = "Could not find a snapshot named '{name}'"
NO_SNAPSHOTS = "This machine does not have any snapshots"
TWO_CHILDREN = ("Snapshot '{name}' of the machine '{vm}' cannot be deleted, because it has {n} child snapshots, "
                "which is more than the one snapshot allowed for deletion")
CURRENT_WITH_CHILD = ("Snapshot '{name}' of the machine '{vm}' cannot be deleted, because it is the current snapshot "
                      "and has one child snapshot")
# Ours (VirtualBox allows duplicate names): the name is how the console and the controls find one.
NAME_TAKEN = ("{vm} already has a snapshot named '{name}': the simulator finds snapshots by name, so each name is "
              "used once (VirtualBox would allow it and tell them apart by UUID)")
EMPTY_NAME = "A snapshot needs a name"

PARAMS: dict[str, dict[str, type]] = {
    "snapshot": {"op": str, "name": str, "description": str, "live": bool},
}


def check_params(params: dict) -> None:
    """ValueError saying which parameter is wrong and why (then nothing is logged or changed)."""
    allowed = PARAMS["snapshot"]
    for key, value in params.items():
        if key not in allowed:
            raise ValueError(f"snapshot takes {', '.join(allowed)}, not {key!r}")
        if value is not None and type(value) is not allowed[key]:
            raise ValueError(f"snapshot: {key} must be {allowed[key].__name__}, not {value!r}")
    op = params.get("op")
    if op not in OPS:
        raise ValueError(f"snapshot needs op, one of: {', '.join(OPS)} (not {op!r})")
    if op in ("take", "restore", "delete") and not params.get("name"):
        raise ValueError(f"snapshot {op} needs a name")
    if op == "restorecurrent" and params.get("name") is not None:
        raise ValueError("snapshot restorecurrent takes no name: it restores the current snapshot")
    if len(params.get("name") or "") > MAX_NAME:
        raise ValueError(f"snapshot: a name has at most {MAX_NAME} characters")
    if len(params.get("description") or "") > MAX_DESCRIPTION:
        raise ValueError(f"snapshot: a description has at most {MAX_DESCRIPTION} characters")
    if op != "take" and (params.get("description") is not None or params.get("live") is not None):
        raise ValueError(f"snapshot {op} takes no description or live")


class Refused(Exception):
    """A snapshot operation VirtualBox refuses: ``sentence`` in its words, ``code`` its error code."""

    def __init__(self, sentence: str, code: str | None = "VBOX_E_INVALID_VM_STATE"):
        super().__init__(sentence)
        self.sentence = sentence
        self.code = code


@dataclass(eq=False)
class Image:
    """What a snapshot keeps: the VM's settings and disks, and its RAM when online."""

    guest: dict  # the Guest's attributes (settings, filesystems), copied
    volumes: dict  # medium path -> its filesystem (Volume), copied
    node: dict | None = None  # online: the node's attributes (stack, console, DHCP clients, TCP)
    services: list | None = None
    timers: list = field(default_factory=list)  # (guest due, priority, token, fn, args)
    guest_now: int = 0
    machine: dict = field(default_factory=dict)  # the guest's phase: booting/up, boot_at, ...


@dataclass(eq=False)
class Snapshot:
    uuid: str
    name: str
    description: str
    taken_ns: int
    state: str  # the VM's state when it was taken
    image: Image
    parent: Snapshot | None = None
    children: list[Snapshot] = field(default_factory=list)

    @property
    def online(self) -> bool:
        return self.image.node is not None

    def row(self, current: Snapshot | None) -> dict:
        return {"uuid": self.uuid, "name": self.name, "description": self.description, "taken_ns": self.taken_ns,
                "state": self.state, "online": self.online, "current": self is current,
                "children": [c.row(current) for c in self.children]}


_MACHINE_FIELDS = ("guest", "boot_at", "_phase", "_busy_until")
_NODE_KEEP = ("engine", "id", "name", "kind", "tracer", "narrator", "machine", "guest", "nics")


class SnapshotTree:
    """One VM's snapshots (``machine.snapshots``)."""

    def __init__(self, machine: Any):
        self.machine = machine
        self.roots: list[Snapshot] = []  # VirtualBox has one root; a deleted root's children move up
        self.current: Snapshot | None = None
        self._made = 0  # snapshots ever taken: their UUIDs are derived from it

    # -- reading ------------------------------------------------------------------------------
    def all(self) -> list[Snapshot]:
        out: list[Snapshot] = []

        def walk(s: Snapshot) -> None:
            out.append(s)
            for c in s.children:
                walk(c)
        for r in self.roots:
            walk(r)
        return out

    def find(self, ref: str) -> Snapshot:
        """The snapshot named (or with the UUID) ``ref``; Refused in VirtualBox's words."""
        snaps = self.all()
        if not snaps:
            raise Refused(NO_SNAPSHOTS, "VBOX_E_OBJECT_NOT_FOUND")
        for s in snaps:
            if ref in (s.name, s.uuid, "{" + s.uuid + "}"):
                return s
        raise Refused(NOT_FOUND.format(name=ref), "VBOX_E_OBJECT_NOT_FOUND")

    def row(self) -> dict:
        """What the live panel draws: the tree, the current snapshot, and the "Current state" node
        (a child of the current snapshot, or the only node when there is none)."""
        m = self.machine
        return {"tree": [r.row(self.current) for r in self.roots],
                "current": self.current.uuid if self.current is not None else None,
                "current_state": {"parent": self.current.uuid if self.current is not None else None,
                                  "state": m.state},
                # Each operation: None when allowed now, else the sentence it is refused with.
                "ops": {"take": self._take_refusal(), "restore": self._restore_refusal(),
                        "delete": self._delete_state_refusal()}}

    def list_lines(self, details: bool = False) -> list[str]:
        """``VBoxManage snapshot VM list``: three spaces per level, `` *`` on the current one."""
        out: list[str] = []

        def walk(s: Snapshot, prefix: str) -> None:
            out.append(f"   {prefix}Name: {s.name} (UUID: {s.uuid}){' *' if s is self.current else ''}")
            if s.description and "\n" not in s.description:
                out.append(f"   {prefix}Description: {s.description}")
            elif s.description:
                out.append(f"   {prefix}Description:")
                out.extend(s.description.split("\n"))
            for c in s.children:
                walk(c, prefix + "   ")
        for r in self.roots:
            walk(r, "")
        return out

    # -- checks -------------------------------------------------------------------------------
    def _take_refusal(self) -> str | None:
        state = self.machine.state
        return None if state in TAKE_STATES else TRANSIENT_TAKE.format(state=state)

    def _restore_refusal(self) -> str | None:
        state = self.machine.state
        return None if state in RESTORE_STATES else RUNNING_RESTORE.format(state=state)

    def _delete_state_refusal(self) -> str | None:
        state = self.machine.state
        return None if state in DELETE_STATES else TRANSIENT_DELETE.format(state=state)

    def check(self, params: dict) -> Refused | None:
        """Why the operation would be refused now (a Refused), or None. Changes nothing."""
        try:
            self._plan(params)
        except Refused as refused:
            return refused
        return None

    def _plan(self, params: dict) -> Snapshot | None:
        op, name = params["op"], params.get("name")
        vm = self.machine.name
        if op == "take":
            if (why := self._take_refusal()) is not None:
                raise Refused(why)
            if not name or not name.strip():
                raise Refused(EMPTY_NAME, None)
            if any(s.name == name for s in self.all()):
                raise Refused(NAME_TAKEN.format(vm=vm, name=name), None)
            return None
        # VBoxManage looks the snapshot up first, then asks VirtualBox (which checks the state).
        if op == "restorecurrent":
            if self.current is None:
                raise Refused(NO_SNAPSHOTS, "VBOX_E_OBJECT_NOT_FOUND")
            target = self.current
        else:
            target = self.find(name)
        if op == "delete":
            if (why := self._delete_state_refusal()) is not None:
                raise Refused(why)
            n = len(target.children)
            if n > 1:
                raise Refused(TWO_CHILDREN.format(name=target.name, vm=vm, n=n), "VBOX_E_INVALID_OBJECT_STATE")
            if target is self.current and n == 1:
                raise Refused(CURRENT_WITH_CHILD.format(name=target.name, vm=vm), "VBOX_E_INVALID_OBJECT_STATE")
            return target
        if (why := self._restore_refusal()) is not None:
            raise Refused(why)
        return target

    # -- doing --------------------------------------------------------------------------------
    def request(self, params: dict, origin: str) -> str | None:
        """Carry the operation out now; returns the refusal sentence (traced ``vm.refused``) or None."""
        try:
            self.apply(params, origin)
        except Refused as refused:
            self.machine.refuse("snapshot", refused.sentence)
            return refused.sentence
        return None

    def apply(self, params: dict, origin: str) -> Snapshot:
        """Do it (Refused, nothing changed, when VirtualBox would refuse); returns the snapshot."""
        target = self._plan(params)
        op = params["op"]
        if op == "take":
            return self._take(params["name"], params.get("description") or "", bool(params.get("live")), origin)
        if op == "delete":
            self._delete(target, origin)
            return target
        self._restore(target, origin)
        return target

    def _take(self, name: str, description: str, live: bool, origin: str) -> Snapshot:
        m = self.machine
        self._made += 1
        snap = Snapshot(_uuid(m.uuid, self._made), name, description, m.engine.now, m.state, capture(m), parent=self.current)
        (self.current.children if self.current is not None else self.roots).append(snap)
        self.current = snap
        kind = "online (with its RAM)" if snap.online else "offline (settings and disks)"
        paused = " while it runs (--live)" if live and m.state == RUNNING else ""
        self._emit("take", snap, f"{m.name}: snapshot '{name}' taken{paused}, {kind}: {_holds(snap)}", origin)
        return snap

    def _restore(self, snap: Snapshot, origin: str) -> None:
        m = self.machine
        old = m.state
        restore(m, snap.image)
        self.current = snap
        if old != m.state and m.tracer.on:  # the power state the snapshot leaves, for those who follow vm.state
            m.tracer.emit("vm.state", f"{m.name} is {SHOWN[m.state]}: snapshot '{snap.name}' is restored", node=m.id,
                          **{"from": old}, to=m.state, action="snapshot", why=origin)
        then = f"{snap.taken_ns / 1e9:g} s"
        if snap.online:
            text = (f"{m.name} is restored to snapshot '{snap.name}' (taken at {then}): it is saved as it was then "
                    "(its RAM, leases, connections, files, settings and MACs); start goes on from that instant. "
                    "What it was since is lost")
        else:
            text = (f"{m.name} is restored to snapshot '{snap.name}' (taken at {then}): powered off, its disks and "
                    "settings as they were then. What it was since is lost")
        self._emit("restore", snap, text, origin)

    def _delete(self, snap: Snapshot, origin: str) -> None:
        parent = snap.parent
        siblings = parent.children if parent is not None else self.roots
        i = siblings.index(snap)
        for child in snap.children:
            child.parent = parent
        siblings[i:i + 1] = snap.children
        if self.current is snap:
            self.current = parent
        self._emit("delete", snap, f"{self.machine.name}: snapshot '{snap.name}' is deleted; the current state "
                                   "does not change", origin)

    def _emit(self, op: str, snap: Snapshot, text: str, origin: str) -> None:
        m = self.machine
        if m.tracer.on:
            m.tracer.emit("vm.snapshot", text, node=m.id, op=op, uuid=snap.uuid, name=snap.name,
                          online=snap.online, current=self.current.uuid if self.current is not None else None,
                          why=origin)


def _uuid(vm_uuid: str, n: int) -> str:
    """The ``n``-th snapshot's UUID of a VM: derived, never random (a replay makes the same)."""
    digest = hashlib.sha256(f"netdesigner-snapshot\0{vm_uuid}\0{n}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"


def _holds(snap: Snapshot) -> str:
    if snap.online:
        return "its settings, disks and RAM"
    return "its settings and disks"


# -- capturing and restoring ---------------------------------------------------------------------
def _memo(machine: Any) -> dict:
    """A deepcopy memo that keeps everything outside the VM as itself."""
    memo: dict = {}

    def keep(obj: Any) -> None:
        if obj is not None:
            memo[id(obj)] = obj
    node = machine.node
    for obj in machine.setup.outside(node):
        keep(obj)
    for obj in (machine, machine.clock, machine.engine, machine.tracer, node, node.guest, node.narrator,
                getattr(node.guest, "image", None), node.console.lines, node.console.facts):
        keep(obj)
    return memo


def capture(machine: Any) -> Image:
    """The VM's image now: its settings and disks, its RAM too when it is running, paused or saved."""
    node, guest, clock = machine.node, machine.node.guest, machine.clock
    online = machine.state in ONLINE_STATES
    bundle: dict = {
        "guest": dict(guest.__dict__),
        "volumes": {s.medium.path: s.medium.volume for s in guest.hardware.disks},
    }
    if online:
        bundle["node"] = {k: v for k, v in node.__dict__.items() if k not in _NODE_KEEP}
        bundle["services"] = machine.setup.services_of(node)
        if clock.running:
            offset = clock.offset
            timers = [(due - offset, prio, token, fn, args) for token, (due, prio, fn, args) in clock._timers.items()]
        else:
            timers = list(clock._held)
        timers.sort(key=lambda x: (x[0], x[1], x[2]))
        bundle["timers"] = timers
    copied = copy.deepcopy(bundle, _memo(machine))
    if not online:
        return Image(copied["guest"], copied["volumes"])
    return Image(copied["guest"], copied["volumes"], copied["node"], copied["services"], copied["timers"],
                 clock.now, {k: getattr(machine, k) for k in _MACHINE_FIELDS})


def restore(machine: Any, image: Image) -> None:
    """Put the VM in ``image``'s state (it must not be running): Saved with its RAM when the image
    is online, else PoweredOff. The image itself is copied, so it can be restored again."""
    node, guest, clock = machine.node, machine.node.guest, machine.clock
    img: Image = copy.deepcopy(image, _memo(machine))
    lines, facts = node.console.lines, node.console.facts
    # Each NIC's link (plugged in now or held while its cable is out) and the disks attached now.
    wires = {name: nic.link or guest._unplugged.get(name) for name, nic in node.nics.items()}
    before = [slot.medium for slot in guest.hardware.disks]
    guest.__dict__.clear()
    guest.__dict__.update(img.guest)
    _recable(node, guest, wires)
    for medium in before:
        medium.attached_to = None
    for slot in guest.hardware.disks:
        slot.medium.attached_to = guest.hardware.name
    host = guest.host
    for path, volume in img.volumes.items():
        medium = host.store.media.get(path) if host is not None and host.store is not None else None
        if medium is not None:
            medium.volume = volume
    if host is not None and host.store is not None:
        host.store.machines[guest.hardware.name] = guest.hardware
        host.store.write_settings(guest.hardware, os_type(guest.image))
    clock.wipe()
    clock.freeze()
    if img.node is None:
        machine._wipe()
        machine.state = POWERED_OFF
    else:
        for key in [k for k in node.__dict__ if k not in _NODE_KEEP]:
            del node.__dict__[key]
        node.__dict__.update(img.node)
        node.console.lines, node.console.facts = lines, facts
        machine.setup.set_services(node, img.services)
        clock.frozen_at = img.guest_now
        clock._held = list(img.timers)
        for k, v in img.machine.items():
            setattr(machine, k, v)
        machine.state = SAVED
    machine.since_ns = machine.engine.now
    for nic in node.nics.values():
        nic.handler = machine.receive
    machine._set_fast()
    machine._carrier(False, goal=machine.state)
    for hook in guest.on_change:  # no change listed: the settings as a whole came back
        hook(guest, [])


def _recable(node: Any, guest: Any, wires: dict) -> None:
    """The virtual cables as the restored settings say (the VM is not running: no carrier)."""
    cables = {n.name: n.cable for n in guest.hardware.nics}
    guest._unplugged = {}
    for name, nic in node.nics.items():
        link = wires.get(name)
        if cables.get(name, True):
            nic.link = link
        else:
            nic.link = None
            guest._unplugged[name] = link
        nic.carrier = False


def state_words(state: str) -> str:
    return SHOWN.get(state, state)


__all__ = ["SnapshotTree", "Snapshot", "Image", "Refused", "capture", "restore", "check_params", "PARAMS", "OPS",
           "power"]
