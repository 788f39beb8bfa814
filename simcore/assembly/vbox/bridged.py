"""Bridged networking (``mode: bridged``, VirtualBox manual 6.5): per hypervisor, one hidden
switch bridged (``devices.bridge.bridge_to``) to the host's first NIC with a static address; the
VM keeps its own MAC on the LAN, a machine of the LAN like any other."""

from __future__ import annotations

from simcore.assembly.context import BuildContext
from simcore.assembly.vbox.common import TITLES, ModeNic, announce, hidden_switch, host_uplink, plug
from simcore.devices.bridge import bridge_to


def attach(ctx: BuildContext, at: ModeNic) -> None:
    uplink = host_uplink(ctx, at)
    if uplink is None:
        return
    key = ("bridged", at.hv)
    new = key not in ctx.vbox.switches
    switch = hidden_switch(ctx, key, f"bridged-{at.hv}")
    if new:  # the uplink and local ports come first, then one port per VM NIC
        ctx.bridges[switch.id] = bridge_to(switch, uplink.host, uplink.nic)
    plug(ctx, at, switch)
    announce(ctx, at, f"{TITLES['bridged']} on {at.hv}'s {uplink.nic}: its frames leave there with its "
                      "own MAC, a machine of the LAN like any other")
