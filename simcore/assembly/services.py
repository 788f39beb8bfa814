"""The services of drawn nodes (``nodes[].services``), started once the links exist.

A ``udp_traffic`` service aimed at ``"random"`` picks among the other nodes of its kind: their
first static addresses, in document order (``peers``), so the pick is the same on every run.
"""

from __future__ import annotations

from collections.abc import Iterable

from simcore.assembly.context import BuildContext
from simcore.devices import HostNode
from simcore.devices.services import start_services


def peers(specs: Iterable[dict]) -> dict[str, list[str]]:
    """Per kind, the first static address of each node of that kind, in document order."""
    out: dict[str, list[str]] = {}
    for spec in specs:
        for nic in spec.get("nics", []):
            ip = nic.get("ip")
            if ip and ip != "dhcp":
                out.setdefault(spec["kind"], []).append(ip.split("/")[0])
                break
    return out


def start_node_services(ctx: BuildContext, i: int, spec: dict, kind_peers: list[str]) -> None:
    """Bind the services of ``nodes[i]`` on its stack; a refused one is a problem at
    ``nodes[i].services`` (a DHCP server on a NIC without a static address, ...)."""
    if not spec.get("services"):
        return
    node = ctx.nodes.get(spec["id"])
    try:
        if not isinstance(node, HostNode):
            raise ValueError(f"{spec['id']}: a {spec['kind']} has no network stack to run services on")
        ctx.services[spec["id"]] = start_services(node, spec["services"], kind_peers, ctx.names)
    except ValueError as exc:
        ctx.report("build.service", f"nodes[{i}].services", str(exc))


def start_all(ctx: BuildContext, nodes: list[dict]) -> None:
    """Every node's services, in document order (the random source is drawn in that order)."""
    by_kind = peers(ctx.specs.values())
    for i, spec in enumerate(nodes):
        start_node_services(ctx, i, spec, by_kind.get(spec["kind"], []))
