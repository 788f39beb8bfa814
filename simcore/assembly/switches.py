"""Drawn switches that reach beyond one link: bridged vswitches and distributed switches.

Both are done once the links exist: a bridge's uplink and local ports, and a distributed
switch's VXLAN ports, are numbered after the link ports.

* A ``vswitch`` with ``bridged_to`` enslaves its host's NIC of that name
  (``devices.bridge.bridge_to``): the host's frames and the VMs' share the wire.
* A ``distributed_switch`` (built as a plain switch by ``nodes.py``) becomes its halves, one per
  member host, joined by VXLAN (``devices.vxlan``): each link port moves to the half of the host
  its peer is placed on.
* ``bridge fdb show`` on a host lists the vswitches placed on it and its distributed halves
  (``node.bridge_devices``, read by the console's ``bridge`` command).

Every problem has the code ``build.switch``.
"""

from __future__ import annotations

from simcore.assembly.context import BuildContext
from simcore.devices import HostNode, Switch
from simcore.devices.bridge import bridge_to
from simcore.devices.vxlan import DistributedSwitch, from_switch

CODE = "build.switch"


def bridge_vswitches(ctx: BuildContext, nodes: list[dict]) -> None:
    """Bridge every vswitch that has ``bridged_to`` to its host's NIC."""
    for i, spec in enumerate(nodes):
        if spec["kind"] != "vswitch" or not spec.get("bridged_to"):
            continue
        path = f"nodes[{i}].bridged_to"
        host, switch = ctx.host(spec.get("host")), ctx.nodes.get(spec["id"])
        if host is None or not isinstance(switch, Switch):
            ctx.report(CODE, path, f"{spec['id']!r}: bridged_to needs the vswitch's host")
            continue
        try:
            ctx.bridges[spec["id"]] = bridge_to(switch, host, spec["bridged_to"])
        except ValueError as exc:
            ctx.report(CODE, path, str(exc))


def split_distributed(ctx: BuildContext, nodes: list[dict]) -> None:
    """Turn every ``distributed_switch`` node into its halves (a VM on a host that is not a member,
    or a member without its underlay NIC, is a problem at ``nodes[i]``)."""
    placement = {spec["id"]: spec.get("host") for spec in ctx.specs.values()}
    for i, spec in enumerate(nodes):
        if spec["kind"] != "distributed_switch":
            continue
        node = ctx.nodes[spec["id"]]
        try:
            if not isinstance(node, DistributedSwitch):
                if not isinstance(node, Switch):
                    raise ValueError(f"distributed switch {spec['id']!r} was not built as a switch")
                node = from_switch(node, spec)
                ctx.replace_node(node)
            node.attach(ctx.nodes, placement)
        except ValueError as exc:
            ctx.report(CODE, f"nodes[{i}]", str(exc))


def list_bridge_devices(ctx: BuildContext, nodes: list[dict]) -> None:
    """What ``bridge fdb show`` lists on each host, in document order."""
    for spec in nodes:
        node = ctx.nodes.get(spec["id"])
        host = ctx.host(spec.get("host")) if spec["kind"] == "vswitch" else None
        if host is not None and node is not None:
            _bridge_devices(host).append(node)
        if isinstance(node, DistributedSwitch):
            for host_id, half in node.halves.items():
                member = ctx.host(host_id)
                if member is not None:
                    _bridge_devices(member).append(half)


def _bridge_devices(host: HostNode) -> list:
    # An attribute the console reads with getattr (apps cannot import devices); a fork copies it.
    return host.__dict__.setdefault("bridge_devices", [])
