"""A NAT network (VirtualBox NAT Network, libvirt's ``default`` network): one drawn object, three parts.

What a hypervisor really sets up, and so what this builds:

* a **switch** (libvirt's ``virbr0`` bridge): the design's links attach to it, one port each;
* the **router's inside address** (``gateway``, e.g. 10.0.2.2/24) on the **host's own stack**,
  as an internal interface plugged into that switch (virbr0's address), so the host gets the
  connected route to the NAT subnet with it; the host's ``ip_forward`` is turned on;
* **masquerade** on the host's ``uplink`` NIC (nftables ``masquerade`` + conntrack:
  ``simcore.devices.nat`` through ``NatHooks``), with the port forwards as DNAT rules;
* optionally a **DHCP server** (dnsmasq) bound on the internal interface.

The internal interface is named after the NAT network's id (at most 15 characters, as Linux
interface names); its link to the switch has no delay (it is the same machine's bridge).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Protocol

from simcore.apps.dhcp.glue import DhcpServerGlue
from simcore.devices.host import HostNode
from simcore.devices.nat import Nat, PortForward
from simcore.devices.nat.command import conntrack_command
from simcore.devices.nat.hooks import NatHooks
from simcore.net import Link, Nic, Port
from simcore.packets import IPv4
from simcore.stack import Stack
from simcore.stack.transport import DEFAULT_TTL
from simcore.trace.sentences import Names


class PortSource(Protocol):
    """What the router's inside interface is plugged into: a switch, or anything that hands out one
    port (VirtualBox's NAT engine is wired straight to the VM's NIC)."""

    def add_port(self) -> Port: ...


class NatNetwork:
    """The router half of a NAT network (the switch half is ``switch``)."""

    def __init__(self, switch: PortSource, host: HostNode, spec: dict, names: Names | None = None, *,
                 router: HostNode | None = None, forward_from: str | None = None):
        """``router``: None (libvirt: the router is the host's own stack), or a hidden node that is
        VirtualBox's NAT engine (``simcore.assembly.vbox``): the gateway lives there, not on the host, and the
        translated traffic leaves through the host's own stack (``UserModeUplink``), as a program
        on the host would send it. ``forward_from``: see ``Nat``."""
        self.switch = switch
        self.host = host
        self.router = host if router is None else router
        self.id = spec["id"]
        self.uplink = spec["uplink"]
        uplink_ip = host.stack.primary_ip(self.uplink)
        if uplink_ip is None:
            raise ValueError(f"NAT network {spec['name']}: the uplink {self.uplink} of {host.name} needs a static address")
        owner = self.router
        stack = owner.stack
        self.inside = spec.get("inside") or spec["id"][:15]
        self.gateway_ip = spec["gateway"].split("/")[0]
        nic = owner.add_nic(self.inside, spec["gateway_mac"], spec["gateway"])
        if names is not None:
            names.add_mac(spec["gateway_mac"], owner.id)
            names.add_ip(spec["gateway"].split("/")[0], owner.id)
        self.link = Link(host.engine, f"{self.id}-bridge", nic, switch.add_port(), 0)
        stack.ip_forward = True
        subnet = str(ipaddress.IPv4Interface(spec["gateway"]).network)
        forwards = [
            PortForward(rule["name"], rule["proto"], rule.get("host_ip", ""), rule["host_port"], rule["guest_ip"],
                        rule["guest_port"])
            for rule in spec.get("port_forwards", [])
        ]
        self.nat = Nat(uplink_ip, [subnet], host.engine.rng, forwards=forwards, forward_from=forward_from)
        nat_uplink = self.uplink
        self.user_mode: UserModeUplink | None = None
        if router is not None:
            self.user_mode = UserModeUplink(self, host, router, spec.get("describe", ""))
            nat_uplink = UserModeUplink.NIC
        self.hooks = NatHooks(self.nat, stack, nat_uplink).install()
        if self.user_mode is not None:
            self.user_mode.install()
        self.dhcp: DhcpServerGlue | None = None
        dhcp = spec.get("dhcp")
        if dhcp is not None:
            # The trace names the server, not the host that carries it (its frames and its notes).
            program = "dnsmasq" if dhcp["probe"] else "VirtualBox's DHCP server"
            voice = f"{spec['name']}'s DHCP server ({program} on {host.name})"
            self.dhcp = DhcpServerGlue(owner, self.inside, range_start=dhcp["range_start"], range_end=dhcp["range_end"],
                                       lease_s=dhcp["lease_s"], router=dhcp.get("router"), dns=tuple(dhcp["dns"]),
                                       probe=dhcp["probe"], names=names, voice=voice)
            if names is not None:
                names.dhcp_servers[spec["gateway_mac"]] = voice
        # The host's `conntrack` command reads this router's table (duck-typed: the console
        # cannot import devices).
        owner.__dict__.setdefault("nats", []).append(self.nat)
        if "conntrack" not in owner.__dict__:  # one table per host, as one network namespace has
            owner.conntrack = self.conntrack

    def conntrack(self, argv: list[str], now: int) -> tuple[int, str, str]:
        """``conntrack`` on the host: (exit status, stdout, stderr)."""
        result = conntrack_command(self.nat, argv, now)
        return result.exit_code, result.stdout, result.stderr

    def table(self) -> dict:
        now = self.host.engine.now
        return {
            "host": self.router.id,
            "uplink": self.uplink,
            "inside": self.inside,
            "conntrack": self.nat.table_rows(now),
            "port_forwards": self.nat.forwards.rows(),
            "leases": self.dhcp.leases() if self.dhcp is not None else [],
        }


class UserModeUplink:
    """The outside of VirtualBox's NAT engine: the host's own sockets, not a wire.

    VirtualBox's NAT (and NAT Network) service is a program on the host: what a VM sends to the
    outside is sent again by that program, so it leaves the host's uplink *from the host's own
    address*, and nothing arrives for it unless it is a reply to one of its connections or a
    port forward. Modelled as: the engine (a hidden router node) routes everything off its
    inside network to a pseudo NIC ``host``; after masquerade (source = the host's address) the
    packet is handed to the host's stack as a locally generated one (``send_ip``: routing, ARP,
    the host's own hooks). Back: an INPUT hook on the host gives each packet the engine claims
    (``Nat.claims``) to the engine, as if it arrived on ``host``. The host has no address on
    the NAT network and no route to it: host→VM only through a port forward.
    """

    NIC = "host"

    def __init__(self, natnet: NatNetwork, host: HostNode, router: HostNode, describe: str):
        self.natnet = natnet
        self.host = host
        self.router = router
        self.describe = describe  # "vm's NIC eth0 is attached to VirtualBox NAT"
        # Never on a wire (no frame ever leaves it), so its MAC is only a placeholder.
        self.nic = router.add_nic(self.NIC, "02:00:00:00:00:00", None)
        router.stack.add_route("default", None, self.NIC)

    def install(self) -> None:
        self.router.stack.postrouting.append(self._out)
        engines = self.host.__dict__.get("user_mode_nats")
        if engines is None:
            engines = self.host.user_mode_nats = []
            self.host.stack.input.append(_host_input)
        nat = self.natnet.nat
        for other in engines:
            other.natnet.nat.peers.append(nat)
            nat.peers.append(other.natnet.nat)
        engines.append(self)

    def _out(self, stack: Stack, packet: IPv4, nic: Nic | None) -> IPv4 | None:
        if nic is None or nic.name != self.NIC:
            return packet
        tracer = self.router.tracer
        if tracer.on:
            inside = self.natnet.nat.inside_of(packet)
            who = f"the packet from {inside}" if inside else "a packet"
            tracer.emit("vbox.nat", f"{self.describe}: the built-in router {self.natnet.gateway_ip} sends {who} on to "
                        f"{packet.dst} through {self.host.name}'s own network stack, from {self.host.name}'s "
                        f"address {packet.src}, as a program on {self.host.name} would (no frame crosses a wire "
                        "between the two)", node=self.router.id, host=self.host.id, direction="out",
                        src=packet.src, dst=packet.dst)
        # The host's own socket sends it: a fresh packet with the host's default TTL, not the
        # forwarded one's (a TTL of 63 on the LAN would betray a router that is not there).
        packet = dataclasses.replace(packet, ttl=DEFAULT_TTL)
        error = self.host.stack.send_ip(packet)
        if error is not None:
            self.host.stack.drop(packet, "vbox.no_route", self.host.stack.narrator.words(
                f"{self.host.name} cannot send {self.router.name}'s packet to {packet.dst}: {error}"))
        return None

    def inbound(self, packet: IPv4) -> None:
        tracer = self.router.tracer
        if tracer.on:
            tracer.emit("vbox.nat", f"{self.host.name} hands the packet from {packet.src} to {packet.dst} over to "
                        f"{self.router.name} ({self.describe}): it belongs to one of that engine's connections or "
                        "port forwards", node=self.router.id, host=self.host.id, direction="in",
                        src=packet.src, dst=packet.dst)
        self.router.stack._ip_input(self.nic, packet)


def _host_input(stack: Stack, packet: IPv4, nic: Nic | None) -> IPv4 | None:
    """The host's INPUT hook: what a VirtualBox NAT engine of this host claims goes to it."""
    for uplink in stack.node.user_mode_nats:
        if uplink.natnet.nat.claims(packet):
            uplink.inbound(packet)
            return None
    return packet
