"""Drawn NAT networks (``kind: nat_network``): the router half on the host's own stack.

The node itself is built as a switch (``nodes.py``); here its router half is set up on its
``host`` (``devices.natnet.NatNetwork``: the gateway address on the host, masquerade on the
host's ``uplink``, port forwards, an optional DHCP server). This needs every node's addresses
and comes before the routes, which may go through the gateway.
"""

from __future__ import annotations

from simcore.assembly.context import BuildContext
from simcore.devices import Switch
from simcore.devices.natnet import NatNetwork

CODE = "build.nat_network"


def add_nat_network(ctx: BuildContext, i: int, spec: dict) -> None:
    """The router half of the ``nat_network`` node ``nodes[i]``; a problem at ``nodes[i]`` if its
    host cannot be its router (no static address on the uplink, ...)."""
    try:
        switch = ctx.nodes[spec["id"]]
        host = ctx.host(spec.get("host"))
        if not isinstance(switch, Switch) or host is None:
            raise ValueError(f"NAT network {spec['id']}: it needs its host, a node with a network stack")
        nat = ctx.nat_networks[spec["id"]] = NatNetwork(switch, host, spec, ctx.names)
        ctx.add_link(nat.link)
    except ValueError as exc:
        ctx.report(CODE, f"nodes[{i}]", str(exc))


def add_nat_networks(ctx: BuildContext, nodes: list[dict]) -> None:
    for i, spec in enumerate(nodes):
        if spec["kind"] == "nat_network":
            add_nat_network(ctx, i, spec)
