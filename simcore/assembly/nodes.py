"""Drawn nodes: a device per node of the document, with its NICs and routes.

What each kind becomes (``KINDS[...]``): a switch kind a learning ``Switch``; a kind with NICs a
``HostNode`` (the ``internet`` kind an ``InternetNode``) with one NIC per ``nics[]`` entry and its
static address; any other kind (a drawing aid) takes no part in the network but keeps its name
for sentences. A hidden device of a VirtualBox mode is added by its mode (``vbox/``).

``add_node`` is the whole of adding one node: called for each node of the document at the
start, it can add a node to a running network as well (its links, services and modes then
follow, see docs/design.md, "Assembly").
"""

from __future__ import annotations

from simcore.assembly.context import BuildContext, Node
from simcore.design.kinds import KINDS
from simcore.devices import HostNode, InternetNode
from simcore.devices.host import ContainerNode
from simcore.devices.switch import DEFAULT_AGING_S
from simcore.virt.clock import GuestClock


def add_node(ctx: BuildContext, i: int, spec: dict) -> Node | None:
    """The device of ``nodes[i]`` (normalized ``spec``) and its NICs; None for a kind that takes no
    part in the network. A refused address is a problem at ``nodes[i].nics[j].ip``."""
    kind = KINDS[spec["kind"]]
    node_id, name = spec["id"], spec.get("name") or spec["id"]
    ctx.specs[node_id] = spec
    ctx.names.add_node(node_id, name)
    if kind.is_switch:
        return ctx.new_switch(node_id, name, kind=kind.id, aging_s=spec.get("aging_s", DEFAULT_AGING_S))
    if not kind.has_nics:
        return None
    cls = InternetNode if kind.id == "internet" else ContainerNode if kind.id == "container" else HostNode
    # A VM's guest has its own clock, which stops while the VM is paused, saved or off (simcore.virt).
    clock = GuestClock(ctx.engine) if kind.id == "vm" else None
    node = ctx.new_host(node_id, name, kind=kind.id, ip_forward=bool(spec.get("ip_forward", False)), cls=cls,
                        clock=clock)
    for j, nic in enumerate(spec.get("nics", [])):
        try:
            ctx.add_nic(node, nic["name"], nic["mac"], nic.get("ip"))
        except ValueError as exc:
            ctx.report("build.address", f"nodes[{i}].nics[{j}].ip", str(exc))
    return node


def add_routes(ctx: BuildContext, i: int, spec: dict) -> None:
    """The static routes of ``nodes[i]``, once every node has its addresses (a gateway must be on
    a connected network: the kernel's ``Nexthop has invalid gateway`` is a problem at the route)."""
    node = ctx.nodes.get(spec["id"])
    if not isinstance(node, HostNode):
        return
    for j, route in enumerate(spec.get("routes", [])):
        try:
            node.stack.add_route(route["to"], route.get("via"), route.get("dev"))
        except ValueError as exc:
            ctx.report("build.route", f"nodes[{i}].routes[{j}]", str(exc))
