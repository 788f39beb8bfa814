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

import ipaddress
from typing import Any

from simcore.apps.dhcp.glue import DhcpServerGlue
from simcore.devices.nat import Nat, PortForward
from simcore.devices.nat.command import conntrack_command
from simcore.devices.nat.hooks import NatHooks
from simcore.devices.switch import Switch
from simcore.net import Link


class NatNetwork:
    """The router half of a NAT network (the switch half is ``switch``)."""

    def __init__(self, switch: Switch, host: Any, spec: dict, names: Any = None):
        self.switch = switch
        self.host = host
        self.id = spec["id"]
        self.uplink = spec["uplink"]
        stack = host.stack
        uplink_ip = stack.primary_ip(self.uplink)
        if uplink_ip is None:
            raise ValueError(f"NAT network {spec['name']}: the uplink {self.uplink} of {host.name} needs a static address")
        self.inside = spec["id"][:15]
        nic = host.add_nic(self.inside, spec["gateway_mac"], spec["gateway"])
        if names is not None:
            names.add_mac(spec["gateway_mac"], host.id)
            names.add_ip(spec["gateway"].split("/")[0], host.id)
        self.link = Link(host.engine, f"{self.id}-bridge", nic, switch.add_port(), 0)
        stack.ip_forward = True
        subnet = str(ipaddress.IPv4Interface(spec["gateway"]).network)
        forwards = [
            PortForward(rule["name"], rule["proto"], rule.get("host_ip", ""), rule["host_port"], rule["guest_ip"],
                        rule["guest_port"])
            for rule in spec.get("port_forwards", [])
        ]
        self.nat = Nat(uplink_ip, [subnet], host.engine.rng, forwards=forwards)
        self.hooks = NatHooks(self.nat, stack, self.uplink).install()
        self.dhcp: DhcpServerGlue | None = None
        dhcp = spec.get("dhcp")
        if dhcp is not None:
            self.dhcp = DhcpServerGlue(host, self.inside, range_start=dhcp["range_start"], range_end=dhcp["range_end"],
                                       lease_s=dhcp["lease_s"], router=dhcp.get("router"), dns=tuple(dhcp["dns"]),
                                       probe=dhcp["probe"], names=names)
        # The host's `conntrack` command reads this router's table (duck-typed: the console
        # cannot import devices).
        host.__dict__.setdefault("nats", []).append(self.nat)
        if "conntrack" not in host.__dict__:  # one table per host, as one network namespace has
            host.conntrack = self.conntrack

    def conntrack(self, argv: list[str], now: int) -> tuple[int, str, str]:
        """``conntrack`` on the host: (exit status, stdout, stderr)."""
        result = conntrack_command(self.nat, argv, now)
        return result.exit_code, result.stdout, result.stderr

    def table(self) -> dict:
        now = self.host.engine.now
        return {
            "host": self.host.id,
            "uplink": self.uplink,
            "inside": self.inside,
            "conntrack": self.nat.table_rows(now),
            "port_forwards": self.nat.forwards.rows(),
            "leases": self.dhcp.leases() if self.dhcp is not None else [],
        }
