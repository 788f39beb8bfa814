"""Host-only networking (``mode: hostonly``, VirtualBox manual 6.7).

One hidden switch per host-only adapter ``vboxnetN`` of a hypervisor; the hypervisor gets an
interface ``vboxnetN`` with 192.168.(56+N).1/24 (made by the first NIC on it), and VirtualBox's
DHCP server for it sits at .100, leasing from .101 (a hidden node). Nothing is forwarded beyond
it: no LAN, no Internet.
"""

from __future__ import annotations

import ipaddress
import re

from simcore.assembly.context import BuildContext
from simcore.assembly.vbox.common import (
    CODE,
    TITLES,
    ModeNic,
    announce,
    dhcp_server_node,
    hidden_switch,
    plug,
)

HOSTONLY_NET = "vboxnet0"
HOSTONLY_NAME = re.compile(r"^vboxnet([0-9]{1,3})$")


def hostonly_prefix(name: str) -> ipaddress.IPv4Network | None:
    """VirtualBox numbers host-only adapters vboxnet0, vboxnet1... on 192.168.56.0/24, .57.0/24..."""
    m = HOSTONLY_NAME.match(name)
    if m is None or int(m.group(1)) > 199:
        return None
    return ipaddress.IPv4Network(f"192.168.{56 + int(m.group(1))}.0/24")


def host_mac(host_id: str) -> str:
    """VirtualBox's host-only adapters have 0a:00:27 MACs; the rest is derived from the host id."""
    digest = sum((i + 1) * ord(c) for i, c in enumerate(host_id)) & 0xFFFFFF
    return f"0a:00:27:{digest >> 16:02x}:{(digest >> 8) & 0xFF:02x}:{digest & 0xFF:02x}"


def attach(ctx: BuildContext, at: ModeNic) -> None:
    hv, name = at.hv, at.network()
    prefix = hostonly_prefix(name)
    if prefix is None:
        ctx.report(CODE, f"{at.path}.network", f"{at.who}: a host-only network is a host-only adapter "
                                               f"vboxnet0..vboxnet199, not {name!r}")
        return
    key = ("hostonly", hv, name)
    new = key not in ctx.vbox.switches
    switch = hidden_switch(ctx, key, f"host-only network {name}")
    plug(ctx, at, switch)
    host_ip = f"{next(prefix.hosts())}/24"
    base = str(prefix.network_address).rsplit(".", 1)[0]
    host = ctx.host(hv)
    if new and host is not None:
        if name in host.nics:
            ctx.report(CODE, f"{at.path}.network",
                       f"{hv} already has a NIC named {name}, which VirtualBox's host-only adapter would be")
            return
        mac = host_mac(host.id) if name == HOSTONLY_NET else host_mac(f"{host.id}/{name}")
        try:
            nic = ctx.vbox.host_nics[(hv, name)] = ctx.add_nic(host, name, mac, host_ip)
        except ValueError as exc:
            raise ValueError(f"{hv} cannot have VirtualBox's host-only adapter {name} ({host_ip}): {exc}") from None
        ctx.connect(f"hostonly-{hv}-{name}", nic, switch.add_port())
        dhcp_server_node(ctx, f"vboxdhcp-{hv}-{name}", f"{name} DHCP server", f"{base}.100/24", switch,
                         f"{base}.101", f"{base}.254", None, ())
    announce(ctx, at, f"{TITLES['hostonly']} {name!r}: {hv} is {host_ip.split('/')[0]} there and VirtualBox's "
                      f"DHCP server {base}.100 leases from {base}.101; nothing is forwarded beyond it")
