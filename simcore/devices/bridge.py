"""Bridged mode: a vswitch bridged to a physical NIC of its host (a Linux bridge with the NIC as a port).

What it models (VirtualBox's bridged networking, or ``ip link set enp1s0 master br0`` on KVM):

- The physical NIC becomes a port of the vswitch (the *uplink*): frames arriving from the wire enter
  the switch there, and frames the switch sends out of it leave on the wire **with the VM's own
  MAC** (a bridge never rewrites addresses: IEEE 802.1D 7.7). A capture on the NIC sees both.
- The host's own address keeps working: Linux moves it onto the bridge device, whose *local port*
  delivers to the host's stack. Here the stack keeps its NIC name, MAC and address; only the object
  it sends through changes (:class:`LinkedNic`), so ``ip addr`` looks the same.
- The host's MAC is a permanent entry of the table pointing at the local port (Linux adds one for
  every port's own address: ``bridge fdb`` shows it ``permanent``); unicast for anybody else is
  never passed up to the host (the bridge device is not promiscuous).
"""

from __future__ import annotations

from collections.abc import Callable

import simcore.apps.console.bridge  # noqa: F401  (registers the ``bridge`` command)
from simcore.devices.host import HostNode
from simcore.devices.switch import FarSide, FdbEntry, SpecialPort, Switch, is_group
from simcore.net import Link, Nic, Port
from simcore.packets import Ethernet


class Uplink(SpecialPort):
    """The physical NIC as a port of the bridge."""

    __slots__ = ()

    @property
    def peer(self) -> Port | None:  # type: ignore[override]
        return self.via.peer  # sentences name what the cable leads to (the LAN switch)

    def send(self, frame: Ethernet) -> bool:
        return Nic.send(self.via, frame)  # onto the wire through the NIC (its captures record it)

    def from_wire(self, nic: Port, frame: Ethernet) -> None:
        self.node.receive(self, frame)


class LocalPort(SpecialPort):
    """The bridge's own port: the host's stack (Linux: the bridge device itself)."""

    __slots__ = ("stack", "linked")

    def __init__(self, switch: Switch, number: int, host: HostNode, linked: LinkedNic):
        super().__init__(switch, f"{linked.name}-local", number, linked.physical, FarSide(host.id, host.name))
        self.stack = host.stack
        self.linked = linked

    def send(self, frame: Ethernet) -> bool:
        dst = frame.dst
        if dst != self.linked.mac and not is_group(dst):
            return False  # an unknown unicast flooded by the bridge is not for the host
        # One event later, never inside the switch's own forwarding loop.
        self.node.engine.schedule(0, self.stack.receive, self.linked, frame)
        return True

    def from_stack(self, frame: Ethernet) -> None:
        self.node.receive(self, frame)

    def fdb_extra(self, entry: FdbEntry) -> dict:
        if entry.mac == self.linked.mac:
            return {"dev": self.linked.name, "permanent": True, "age_s": None, "expires_s": None}
        return {"dev": self.linked.name}


class LinkedNic(Nic):
    """The host's NIC as its stack sees it once the NIC is enslaved: same name, MAC and address, but
    frames go to the bridge's local port. ``link`` is the physical NIC's (for trace fields)."""

    __slots__ = ("physical", "to_bridge")

    def __init__(self, physical: Nic):
        super().__init__(physical.node, physical.name, physical.mac, physical.number)
        self.physical = physical
        self.to_bridge: Callable[[Ethernet], None] | None = None

    @property
    def link(self) -> Link | None:  # type: ignore[override]
        return self.physical.link

    @link.setter
    def link(self, value: Link | None) -> None:
        pass

    @property
    def peer(self) -> Port | None:  # type: ignore[override]
        return self.physical.peer

    def send(self, frame: Ethernet) -> bool:
        if self.physical.link is None:
            return False
        self.to_bridge(frame)
        return True


class Bridged:
    """The result of bridging: the switch, its two extra ports and the host."""

    def __init__(self, switch: Switch, host: HostNode, uplink: Uplink, local: LocalPort):
        self.switch = switch
        self.host = host
        self.uplink = uplink
        self.local = local


def bridge_to(switch: Switch, host: HostNode, nic_name: str) -> Bridged:
    """Enslave ``host``'s physical NIC ``nic_name`` to ``switch`` (after the design's links exist:
    the uplink and local ports are numbered after the link ports)."""
    physical = host.nics.get(nic_name)
    if physical is None:
        raise ValueError(f"{switch.id!r}: host {host.id!r} has no NIC {nic_name!r} to bridge to")
    if isinstance(host.stack.ifaces[nic_name].nic, LinkedNic):
        raise ValueError(f"{switch.id!r}: {host.id}'s {nic_name} is already bridged")
    number = len(switch.ports)
    uplink = Uplink(switch, nic_name, number + 1, physical, FarSide(host.id, host.name))
    linked = LinkedNic(physical)
    local = LocalPort(switch, number + 2, host, linked)
    linked.to_bridge = local.from_stack  # bound methods, so that Network.fork deep-copies them
    switch.ports.append(uplink)
    switch.ports.append(local)
    physical.handler = uplink.from_wire
    host.stack.ifaces[nic_name].nic = linked
    entry = switch.fdb[physical.mac] = FdbEntry(physical.mac, local, switch.engine.now)
    entry.timer = True  # permanent: no aging check is ever scheduled
    return Bridged(switch, host, uplink, local)
