"""A VM's NICs follow its settings during a run: re-attached, added and removed on the wire.

``VBoxManage controlvm VM nicN MODE [NAME]`` (running) and ``modifyvm --nicN`` (powered off)
change a NIC's attachment in the VM's settings (``simcore.virt.hardware``); a snapshot restore
can bring older settings back. ``follow_settings`` is each VM guest's ``on_change`` hook and
makes the wire match the settings:

- the NIC leaves what it was plugged into: the switch port behind it loses its carrier (the
  switch forgets the MACs it learned there) and the link is gone; a NAT engine stays, with its
  connection table and port forwards, and takes the NIC back if it returns to NAT (VirtualBox
  keeps an adapter's NAT settings whatever it is attached to);
- it is plugged into what the new mode gives it, made the first time as at build (a host-only
  adapter on the host, a NAT Network's service...), and ``vbox.attached`` says so;
- on a running VM, VirtualBox's E1000 takes the link down for ``LINK_UP_DELAY_NS`` after an
  attachment change "so that the guest will know" (its ``LinkUpDelay``, 3 s): the guest's
  systemd-networkd sees the carrier go and come back, drops its lease and asks the new network
  for one, which is what a student sees on the wire;
- a NIC added while the VM is off is a new interface of the guest (no address: netplan does not
  know it); the last NIC removed leaves the guest.

What a mode cannot attach (a host without a NIC with a static address for NAT or bridged) leaves
the NIC attached to nothing, and the trace says why (``vbox.detached``).
"""

from __future__ import annotations

from typing import Any

from simcore.assembly.context import BuildContext
from simcore.assembly.vbox.attach import announce_attached, attach_nic, wiring
from simcore.assembly.vbox.common import TITLES, ModeNic
from simcore.assembly.vbox.natnetwork import add_pending_forwards
from simcore.net import Nic
from simcore.virt.hardware import Change, NicSetting
from simcore.virt.power import HAS_CARRIER

LINK_UP_DELAY_NS = 3_000_000_000  # VirtualBox's E1000 "LinkUpDelay" default (ms 3000)
MOVES = ("attachment", "nic")


def follow_settings(guest: Any, changes: list[Change]) -> None:
    """A VM guest's ``on_change`` hook (``changes`` empty: settings restored from a snapshot)."""
    if changes and not any(ch.what in MOVES for ch in changes):
        return
    machine = guest.node.machine
    if machine is None:
        return
    sync(machine.setup.ctx, guest, machine)


def sync(ctx: BuildContext, guest: Any, machine: Any) -> None:
    """Make the VM's NICs on the wire what its settings say, in slot order."""
    node, hw = guest.node, guest.hardware
    wanted = {s.name for s in hw.nics}
    for name in [n for n in node.nics if n not in wanted]:
        _unplug(ctx, guest, name, f"{node.name}'s NIC {name} is removed")
        _remove_nic(node, name)
        ctx.vbox.wired.pop((node.id, name), None)
    for j, setting in enumerate(hw.nics):
        if setting.drawn:
            continue
        if setting.name not in node.nics:
            _add_nic(ctx, node, machine, setting)
        want = wiring(setting.mode, setting.network)
        if ctx.vbox.wired.get((node.id, setting.name)) == want:
            continue
        _move(ctx, guest, machine, j, setting, want)


def _move(ctx: BuildContext, guest: Any, machine: Any, j: int, setting: NicSetting, want: tuple | None) -> None:
    node, name = guest.node, setting.name
    old = ctx.vbox.wired.pop((node.id, name), None)
    running = machine.state in HAS_CARRIER
    why = f"{node.name}'s NIC {name} is re-attached"
    had_carrier = node.nics[name].carrier
    left = _unplug(ctx, guest, name, why)
    if left is not None and ctx.tracer.on:
        ctx.tracer.emit("vbox.detached", f"{node.name}'s NIC {name} leaves {_words(old)}"
                        + ("; its NAT engine keeps its table and port forwards" if old and old[0] == "nat" else ""),
                        node=node.id, nic=name, mode=old[0] if old else None, link=left)
    if want is None:  # "null": VirtualBox's "Not attached", a NIC with no cable behind it
        _held(guest, node.nics[name], had_carrier, why)
        return
    spec = ctx.specs[node.id]
    nic = {"name": name, "mode": setting.mode, "network": setting.network}
    design_nic = next((n for n in spec.get("nics", []) if n["name"] == name), {})
    if design_nic.get("ip"):
        nic["ip"] = design_nic["ip"]
    problems = len(ctx.problems)
    attach_nic(ctx, ModeNic(list(ctx.specs).index(node.id), j, spec, nic), set())
    add_pending_forwards(ctx)
    found, ctx.problems[problems:] = ctx.problems[problems:], []
    if found:
        if ctx.tracer.on:
            ctx.tracer.emit("vbox.detached", f"{node.name}'s NIC {name} is attached to nothing: "
                            + "; ".join(p.msg for p in found), node=node.id, nic=name, mode=setting.mode,
                            link=None)
        return
    announce_attached(ctx, ctx.engine.now)
    if running and setting.cable:
        _link_down_a_while(ctx, guest, machine, name, had_carrier)
    else:  # off, or its cable pulled: plugged in (or held), without a carrier
        state = "its cable is pulled out" if running else f"{node.name} is {machine.shown_state}"
        _held(guest, node.nics[name], had_carrier, state, hold=not setting.cable)


def _unplug(ctx: BuildContext, guest: Any, name: str, why: str) -> str | None:
    """Take NIC ``name`` off its link (plugged in, or held while its cable is out): the id of the
    link it left, or None."""
    nic = guest.node.nics[name]
    link = nic.link or guest._unplugged.pop(name, None)
    if link is None:
        return None
    guest._unplugged.pop(name, None)
    other = link.other(nic)
    hook = getattr(other.node, "carrier_changed", None)
    if hook is not None:  # a switch port: disabled, and what it learned there is forgotten
        hook(other, False, why)
    for end in (nic, other):
        if end.link is link:
            end.link = None
    ctx.links.pop(link.id, None)
    return link.id


def _held(guest: Any, nic: Nic, had_carrier: bool, why: str, *, hold: bool = False) -> None:
    """The NIC without a carrier (``why``): its new link (if any) held while its cable is out
    (``hold``), else plugged in; the port behind it is told quietly."""
    nic.carrier = False
    peer = nic.peer
    if peer is not None and hasattr(peer.node, "carrier_changed"):
        peer.node.carrier_changed(peer, False, why, announce=False)
    if hold and nic.link is not None:
        guest._unplugged[nic.name], nic.link = nic.link, None
    if had_carrier:
        guest.carrier_seen(nic.name, False)


def _link_down_a_while(ctx: BuildContext, guest: Any, machine: Any, name: str, had_carrier: bool) -> None:
    """VirtualBox's link-down after re-attaching a running VM's NIC, then its carrier again."""
    nic = guest.node.nics[name]
    link = nic.link
    guest._unplugged[name], nic.link = link, None
    nic.carrier = False
    why = f"VirtualBox holds the link down for {LINK_UP_DELAY_NS // 1_000_000_000} s after re-attaching the NIC"
    peer = link.other(nic)
    if hasattr(peer.node, "carrier_changed"):
        peer.node.carrier_changed(peer, False, why, announce=False)
    if ctx.tracer.on:
        ctx.tracer.emit("link.carrier", f"{guest.node.name}'s {name} has no carrier: {why}, so that the guest "
                        "notices the change", node=guest.node.id, nic=name, link=link.id, up=False, why=why)
    if had_carrier:
        guest.carrier_seen(name, False)
    ctx.engine.schedule(LINK_UP_DELAY_NS, _link_up, ctx, guest, machine, name, link)


def _link_up(ctx: BuildContext, guest: Any, machine: Any, name: str, link: Any) -> None:
    nic = guest.node.nics.get(name)
    if nic is None or guest._unplugged.get(name) is not link:
        return  # moved again, removed or plugged back meanwhile
    if not _cable_in(guest, name):
        return  # the user pulled the cable meanwhile: it stays held
    guest._unplugged.pop(name)
    nic.link = link
    if machine.state not in HAS_CARRIER:
        return
    nic.carrier = True
    why = "VirtualBox brings the link up again on the NIC's new attachment"
    peer = link.other(nic)
    if hasattr(peer.node, "carrier_changed"):
        peer.node.carrier_changed(peer, True, why)
    if ctx.tracer.on:
        ctx.tracer.emit("link.carrier", f"{guest.node.name}'s {name} has a carrier again: {why}", node=guest.node.id,
                        nic=name, link=link.id, up=True, why=why)
    guest.carrier_seen(name, True)


def _cable_in(guest: Any, name: str) -> bool:
    return next((s.cable for s in guest.hardware.nics if s.name == name), True)


def _add_nic(ctx: BuildContext, node: Any, machine: Any, setting: NicSetting) -> None:
    """A NIC added while the VM is off: the guest's next interface, without an address."""
    kept = node.stack.ifaces.get(setting.name)
    if kept is not None:  # a snapshot's RAM brought the interface back: the same NIC
        nic = node.nics[setting.name] = kept.nic
    else:
        nic = ctx.add_nic(node, setting.name, setting.mac, None)
    nic.handler = machine.receive
    nic.carrier = False


def _remove_nic(node: Any, name: str) -> None:
    """The VM is off (modifyvm): its stack holds no address on the NIC to undo."""
    node.nics.pop(name)
    node.stack.ifaces.pop(name, None)
    node.stack.routes.remove_dev(name)


def _words(wired: tuple | None) -> str:
    if wired is None:
        return "nothing"
    mode, network = wired
    return f"{TITLES[mode]} {network!r}" if network else TITLES[mode]
