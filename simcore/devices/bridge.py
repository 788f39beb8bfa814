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

from typing import Any

import simcore.apps.console.bridge  # noqa: F401  (registers the ``bridge`` command)
from simcore.devices.switch import FarSide, FdbEntry, SpecialPort, Switch, is_group
from simcore.net import Nic


class Uplink(SpecialPort):
    """The physical NIC as a port of the bridge."""

    __slots__ = ()

    @property
    def peer(self) -> Any:  # type: ignore[override]
        return self.via.peer  # sentences name what the cable leads to (the LAN switch)

    def send(self, frame: Any) -> bool:
        return Nic.send(self.via, frame)  # onto the wire through the NIC (its captures record it)

    def from_wire(self, nic: Any, frame: Any) -> None:
        self.node.receive(self, frame)


class LocalPort(SpecialPort):
    """The bridge's own port: the host's stack (Linux: the bridge device itself)."""

    __slots__ = ("stack", "linked")

    def __init__(self, switch: Switch, number: int, host: Any, linked: LinkedNic):
        super().__init__(switch, f"{linked.name}-local", number, linked.physical, FarSide(host.id, host.name))
        self.stack = host.stack
        self.linked = linked

    def send(self, frame: Any) -> bool:
        dst = frame.dst
        if dst != self.linked.mac and not is_group(dst):
            return False  # an unknown unicast flooded by the bridge is not for the host
        # One event later, never inside the switch's own forwarding loop.
        self.node.engine.schedule(0, self.stack.receive, self.linked, frame)
        return True

    def from_stack(self, frame: Any) -> None:
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
        self.to_bridge: Any = None

    @property
    def link(self) -> Any:  # type: ignore[override]
        return self.physical.link

    @link.setter
    def link(self, value: Any) -> None:
        pass

    @property
    def peer(self) -> Any:  # type: ignore[override]
        return self.physical.peer

    def send(self, frame: Any) -> bool:
        if self.physical.link is None:
            return False
        self.to_bridge(frame)
        return True


class Bridged:
    """The result of bridging: the switch, its two extra ports and the host."""

    def __init__(self, switch: Switch, host: Any, uplink: Uplink, local: LocalPort):
        self.switch = switch
        self.host = host
        self.uplink = uplink
        self.local = local


def bridge_to(switch: Switch, host: Any, nic_name: str) -> Bridged:
    """Enslave ``host``'s physical NIC ``nic_name`` to ``switch`` (after the design's links exist)."""
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


def attach_all(net: Any, doc: dict) -> list[tuple[str, str]]:
    """After the links are built: bridge every vswitch that has ``bridged_to`` to its host's NIC."""
    problems = []
    for i, spec in enumerate(doc["nodes"]):
        if spec["kind"] == "vswitch" and spec.get("bridged_to"):
            host = net.nodes.get(spec.get("host"))
            if host is None:
                problems.append((f"nodes[{i}].bridged_to", f"{spec['id']!r}: bridged_to needs the vswitch's host"))
                continue
            try:
                net.bridges[spec["id"]] = bridge_to(net.nodes[spec["id"]], host, spec["bridged_to"])
            except ValueError as exc:
                problems.append((f"nodes[{i}].bridged_to", str(exc)))
    return problems


def build_extra(net: Any, doc: dict) -> list[tuple[str, str]]:
    """The network build's hook (``simcore.devices.build.build_extra``): bridged vswitches and
    distributed switches, once the links exist. Returns ``(path, message)`` problems."""
    from simcore.devices import vxlan

    if not hasattr(net, "bridges"):
        net.bridges = {}
    problems = attach_all(net, doc) + vxlan.attach_all(net, doc)
    # ``bridge fdb show`` on a host lists the vswitches placed on it and its distributed halves.
    for spec in doc["nodes"]:
        node = net.nodes.get(spec["id"])
        host = net.nodes.get(spec.get("host")) if spec["kind"] == "vswitch" else None
        if host is not None:
            host.__dict__.setdefault("bridge_devices", []).append(node)
        if isinstance(node, vxlan.DistributedSwitch):
            for host_id, half in node.halves.items():
                net.nodes[host_id].__dict__.setdefault("bridge_devices", []).append(half)
    return problems
