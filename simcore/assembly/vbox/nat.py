"""NAT (``mode: nat``, VirtualBox manual 6.3 and 9.8): a private NAT engine per VM NIC.

VirtualBox's user-mode NAT is a hidden router node wired straight to the NIC: gateway 10.0.2.2
(MAC 52:54:00:12:35:02) with the built-in DHCP server (10.0.2.15 first, DNS 10.0.2.3),
masquerading to the host's own address through the host's stack
(``devices.natnet.UserModeUplink``). Port forwards come from ``nics[].port_forwards``;
forwarded connections come from 10.0.2.2, as VirtualBox's do. No other VM shares the engine.
"""

from __future__ import annotations

from simcore.assembly.context import BuildContext
from simcore.assembly.vbox.common import (
    TITLES,
    ModeNic,
    announce,
    host_uplink,
    nat_router,
    port_forwards,
    vm_host,
)
from simcore.devices.natnet import NatNetwork
from simcore.net import Nic, Port

NAT_GATEWAY = "10.0.2.2/24"
NAT_GATEWAY_MAC = "52:54:00:12:35:02"
NAT_DNS = "10.0.2.3"
NAT_RANGE = ("10.0.2.15", "10.0.2.30")  # 16 leases from .15, as VirtualBox's NAT DHCP gives
NAT_LEASE_S = 86400


class DirectWire:
    """A NAT engine is wired straight to the VM's NIC: its one port is that NIC."""

    def __init__(self, nic: Nic):
        self.nic = nic

    def add_port(self) -> Port:
        return self.nic


def attach(ctx: BuildContext, at: ModeNic) -> None:
    uplink = host_uplink(ctx, at, " (the NAT engine's traffic leaves from it)")
    if uplink is None:
        return
    router_id = f"vboxnat-{at.node_id}-{at.name}"
    engine = ctx.vbox.engines.get(router_id)
    if engine is not None:  # the NIC comes back to NAT during a run: its own engine, table and forwards
        inside = engine.router.nics[engine.inside]
        engine.link = ctx.connect(f"{router_id}-bridge", inside, vm_host(ctx, at).nics[at.name])
        _announce(ctx, at, uplink.ip)
        return
    router = nat_router(ctx, router_id, f"{at.vm_name}'s NAT engine")
    gateway = NAT_GATEWAY.split("/")[0]
    natspec = {
        "id": router_id,
        "name": router.name,
        "uplink": uplink.nic,
        "gateway": NAT_GATEWAY,
        "gateway_mac": NAT_GATEWAY_MAC,
        "inside": "eth0",
        "describe": f"{at.vm_name}'s NIC {at.name} is attached to {TITLES['nat']}",
        "dhcp": {"range_start": NAT_RANGE[0], "range_end": NAT_RANGE[1], "lease_s": NAT_LEASE_S,
                 "router": gateway, "dns": [NAT_DNS], "probe": False},
        "port_forwards": port_forwards(ctx, at, at.static_ip or NAT_RANGE[0]),
    }
    wire = DirectWire(vm_host(ctx, at).nics[at.name])
    natnet = NatNetwork(wire, uplink.host, natspec, ctx.names, router=router, forward_from=gateway)
    ctx.add_link(natnet.link)
    ctx.vbox.engines[router_id] = natnet
    _announce(ctx, at, uplink.ip)


def _announce(ctx: BuildContext, at: ModeNic, uplink_ip: str) -> None:
    announce(ctx, at, f"{TITLES['nat']}: its own NAT engine, the built-in router 10.0.2.2 (DHCP server, first "
                      f"lease 10.0.2.15, DNS {NAT_DNS}), which sends its traffic on from {at.hv}'s address "
                      f"{uplink_ip}; no other VM shares it")
