"""Internal network (``mode: internal``, VirtualBox manual 6.6): the NICs of one hypervisor that
name one network (default ``intnet``) share a hidden switch; the host takes no part in it."""

from __future__ import annotations

from simcore.assembly.context import BuildContext
from simcore.assembly.vbox.common import TITLES, ModeNic, announce, hidden_switch, plug


def attach(ctx: BuildContext, at: ModeNic) -> None:
    hv, name = at.hv, at.network()
    plug(ctx, at, hidden_switch(ctx, ("internal", hv, name), f"internal network {name}"))
    announce(ctx, at, f"{TITLES['internal']} {name!r}: only VMs of {hv} on {name!r} see it; "
                      f"{hv} itself has no address there")
