"""NAT Network (``mode: natnetwork``, VirtualBox manual 6.4): VMs of one hypervisor on one named
NAT network (default ``NatNetwork``) share a hidden switch with a NAT service at 10.0.2.1 (the
same ``NatNetwork`` router as a drawn ``nat_network``, on a hidden node instead of the host's
stack, so the host has no route in) and VirtualBox's DHCP server at 10.0.2.3 leasing from
10.0.2.4. A drawn ``nat_network`` on the same host whose id or name is the network's name is
used instead (its own switch, router and forwards).
"""

from __future__ import annotations

import re

from simcore.assembly.context import BuildContext
from simcore.assembly.vbox.common import (
    CODE,
    TITLES,
    ModeNic,
    announce,
    dhcp_server_node,
    hidden_switch,
    host_uplink,
    nat_router,
    plug,
    port_forwards,
)
from simcore.design import derive_mac
from simcore.devices import Switch
from simcore.devices.nat import PortForward
from simcore.devices.natnet import NatNetwork

NATNET_GATEWAY = "10.0.2.1/24"
NATNET_DHCP = "10.0.2.3/24"
NATNET_RANGE = ("10.0.2.4", "10.0.2.254")


def _drawn(ctx: BuildContext, hv: str | None, name: str) -> dict | None:
    """The drawn ``nat_network`` of ``hv`` that the NIC names, if any (first in document order)."""
    for spec in ctx.specs.values():
        if spec["kind"] == "nat_network" and spec.get("host") == hv and name in (spec["id"], spec.get("name")):
            return spec
    return None


def attach(ctx: BuildContext, at: ModeNic) -> None:
    hv, name = at.hv, at.network()
    drawn = _drawn(ctx, hv, name)
    if drawn is not None:
        if at.nic.get("port_forwards"):
            ctx.report(CODE, f"{at.path}.port_forwards",
                       f"{at.who} is on the drawn NAT network {drawn['id']}: give its port forwards there")
        switch = ctx.nodes[drawn["id"]]
        if not isinstance(switch, Switch):
            raise ValueError(f"{at.who}: the NAT network {drawn['id']} has no switch to plug into")
        plug(ctx, at, switch)
        announce(ctx, at, f"{TITLES['natnetwork']} {name!r}, the drawn NAT network {drawn['id']} "
                          f"(its router is {hv}'s own interface {drawn['gateway'].split('/')[0]})")
        return
    uplink = host_uplink(ctx, at, " (the NAT service's traffic leaves from it)")
    if uplink is None:
        return
    key = (hv, name)
    rules = port_forwards(ctx, at, at.static_ip)
    switch = hidden_switch(ctx, ("natnetwork", hv, name), f"NAT network {name}")
    if key not in ctx.vbox.natnets:
        slug = re.sub(r"[^A-Za-z0-9_-]", "_", name)
        router_id = f"vboxnatnet-{hv}-{slug}"
        router = nat_router(ctx, router_id, f"{name} NAT service")
        gateway = NATNET_GATEWAY.split("/")[0]
        natspec = {
            "id": router_id,
            "name": router.name,
            "uplink": uplink.nic,
            "gateway": NATNET_GATEWAY,
            "gateway_mac": derive_mac(router_id, "eth0", "nat_network"),
            "inside": "eth0",
            "describe": f"{TITLES['natnetwork']} {name!r}",
        }
        natnet = NatNetwork(switch, uplink.host, natspec, ctx.names, router=router, forward_from=gateway)
        ctx.add_link(natnet.link)
        ctx.vbox.engines[router_id] = natnet
        ctx.vbox.natnets[key] = natnet
        dhcp_server_node(ctx, f"vboxdhcp-{hv}-{slug}", f"{name} DHCP server", NATNET_DHCP, switch,
                         *NATNET_RANGE, gateway, (gateway,))
    ctx.vbox.pending_forwards.setdefault(key, []).extend((f"{at.path}.port_forwards", rule) for rule in rules)
    plug(ctx, at, switch)
    announce(ctx, at, f"{TITLES['natnetwork']} {name!r}: VMs of {hv} on it see each other; the NAT service "
                      f"10.0.2.1 sends the rest on from {hv}'s address {uplink.ip}; VirtualBox's DHCP server "
                      "10.0.2.3 leases from 10.0.2.4")


def add_pending_forwards(ctx: BuildContext) -> None:
    """Give each NAT service the port forwards of the NICs on it, once they are all attached."""
    for key, rules in ctx.vbox.pending_forwards.items():
        nat = ctx.vbox.natnets[key].nat
        for path, rule in rules:
            try:
                nat.add_forward(PortForward(rule["name"], rule["proto"], rule["host_ip"], rule["host_port"],
                                            rule["guest_ip"], rule["guest_port"]))
            except ValueError as exc:
                ctx.report(CODE, path, str(exc))
    ctx.vbox.pending_forwards.clear()
