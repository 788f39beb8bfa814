"""What VirtualBox's attachment modes share: the NIC being attached, the host's uplink, hidden
switches, DHCP servers and NAT routers, port forwards and the ``vbox.attached`` sentences.

Every build problem of a mode is reported with the code ``build.switch`` at the NIC's path.
"""

from __future__ import annotations

from dataclasses import dataclass

from simcore.apps.dhcp.glue import DhcpServerGlue
from simcore.assembly.context import BuildContext
from simcore.assembly.vbox.state import Attachment, SwitchKey
from simcore.design import derive_mac
from simcore.devices import HostNode, Switch
from simcore.devices.natnet import PortSource
from simcore.net import Link

CODE = "build.switch"
# VirtualBox's defaults (manual 6.3-6.7).
DEFAULT_NETWORK = {"internal": "intnet", "hostonly": "vboxnet0", "natnetwork": "NatNetwork"}
# VBoxNetDHCP's lease time (host-only and NAT Network servers); a choice of this simulator.
VBOXNETDHCP_LEASE_S = 600
TITLES = {
    "nat": "VirtualBox NAT",
    "natnetwork": "VirtualBox NAT Network",
    "bridged": "VirtualBox bridged networking",
    "internal": "VirtualBox internal network",
    "hostonly": "VirtualBox host-only network",
}


@dataclass(frozen=True)
class ModeNic:
    """A VM NIC with a ``mode``: ``nodes[i].nics[j]`` of the document (``spec``, ``nic``)."""

    i: int
    j: int
    spec: dict
    nic: dict

    @property
    def path(self) -> str:
        return f"nodes[{self.i}].nics[{self.j}]"

    @property
    def node_id(self) -> str:
        return self.spec["id"]

    @property
    def name(self) -> str:
        return self.nic["name"]

    @property
    def mode(self) -> str:
        return self.nic["mode"]

    @property
    def hv(self) -> str | None:
        """The hypervisor the VM runs on (its ``host``)."""
        return self.spec.get("host")

    @property
    def who(self) -> str:
        """``vm1 eth0``: how problems name the NIC."""
        return f"{self.node_id} {self.name}"

    @property
    def vm_name(self) -> str:
        return self.spec.get("name") or self.node_id

    @property
    def static_ip(self) -> str | None:
        """The NIC's static address without its prefix length (None with DHCP or none)."""
        ip = self.nic.get("ip")
        return None if ip is None or ip == "dhcp" else ip.split("/")[0]

    def network(self) -> str:
        """The network named by ``nics[].network``, or VirtualBox's default for the mode."""
        return self.nic.get("network") or DEFAULT_NETWORK[self.mode]


@dataclass(frozen=True)
class Uplink:
    """The hypervisor's NIC that bridged frames and NAT traffic leave by, and its address."""

    host: HostNode
    nic: str
    ip: str


def host_uplink(ctx: BuildContext, at: ModeNic, why: str = "") -> Uplink | None:
    """The hypervisor's first NIC with a static address (in the document's order), or None with
    the problem reported: bridged, NAT and NAT Network modes all need one (``why`` says what for)."""
    host = ctx.host(at.hv)
    spec = ctx.specs.get(at.hv or "", {})
    for nic in spec.get("nics", []):
        if host is not None and nic.get("ip") and nic["ip"] != "dhcp":
            return Uplink(host, nic["name"], nic["ip"].split("/")[0])
    ctx.report(CODE, at.path, f"{at.who} is in {at.mode} mode: its host needs a NIC with a static address{why}")
    return None


def hidden_switch(ctx: BuildContext, key: SwitchKey, label: str) -> Switch:
    """The hidden switch of ``key`` (a network of one hypervisor), made the first time."""
    switch = ctx.vbox.switches.get(key)
    if switch is None:
        switch = ctx.new_switch("-".join(str(k) for k in key if k), label)
        ctx.vbox.switches[key] = switch
    return switch


def vm_host(ctx: BuildContext, at: ModeNic) -> HostNode:
    node = ctx.host(at.node_id)
    if node is None or at.name not in node.nics:
        raise ValueError(f"{at.who}: no such NIC to attach")
    return node


def plug(ctx: BuildContext, at: ModeNic, into: PortSource) -> Link:
    """The VM's NIC into a port of ``into`` (no delay: the cable is inside the hypervisor)."""
    nic = vm_host(ctx, at).nics[at.name]
    return ctx.connect(f"{at.mode}-{at.node_id}-{at.name}", nic, into.add_port())


def dhcp_server_node(ctx: BuildContext, node_id: str, name: str, cidr: str, switch: Switch, lo: str, hi: str,
                     router: str | None, dns: tuple[str, ...]) -> HostNode:
    """VirtualBox's DHCP server (VBoxNetDHCP) as a hidden node on ``switch``."""
    node = ctx.new_host(node_id, name, kind="dhcp_server")
    nic = ctx.add_nic(node, "eth0", derive_mac(node_id, "eth0", "dhcp_server"), cidr)
    ctx.connect(f"{node_id}-link", nic, switch.add_port())
    # VirtualBox's DHCP servers do not probe an address before offering it (dnsmasq does).
    DhcpServerGlue(node, "eth0", range_start=lo, range_end=hi, lease_s=VBOXNETDHCP_LEASE_S, router=router,
                   dns=dns, probe=False, names=ctx.names)
    return node


def nat_router(ctx: BuildContext, router_id: str, name: str) -> HostNode:
    """The hidden node that is a NAT engine or a NAT Network's NAT service."""
    return ctx.new_host(router_id, name, kind="nat_network", ip_forward=True)


def port_forwards(ctx: BuildContext, at: ModeNic, guest_default: str | None) -> list[dict]:
    """The NIC's port forwards with guest IP defaults; a host port taken twice on one host is a
    problem (VirtualBox refuses to start the second VM: the port is in use)."""
    rules = []
    taken = ctx.vbox.host_ports
    for k, rule in enumerate(at.nic.get("port_forwards", [])):
        guest_ip = rule.get("guest_ip") or guest_default
        path = f"{at.path}.port_forwards[{k}]"
        if not guest_ip:
            ctx.report(CODE, path, f"{at.who}: port forward {rule['name']!r} needs a guest_ip (the NIC takes its "
                                   "address by DHCP, which this rule cannot know)")
            continue
        key = (at.hv, rule["proto"], rule["host_port"])
        if key in taken:
            ctx.report(CODE, path, f"{at.who}: {rule['proto']} port {rule['host_port']} of {at.hv} is already "
                                   f"forwarded by {taken[key]!r}")
            continue
        taken[key] = rule["name"]
        rules.append({"name": rule["name"], "proto": rule["proto"], "host_ip": rule.get("host_ip", ""),
                      "host_port": rule["host_port"], "guest_ip": guest_ip, "guest_port": rule["guest_port"]})
    return rules


def announce(ctx: BuildContext, at: ModeNic, text: str) -> None:
    """Say at t = 0 (``vbox.attached``) what the NIC is attached to: ``text`` follows "is attached to"."""
    ctx.vbox.attached.append(Attachment(at.node_id, at.name, at.mode,
                                        f"{at.vm_name}'s NIC {at.name} is attached to {text}"))
