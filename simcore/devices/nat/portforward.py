"""Port forwarding rules in VirtualBox's form, and their hit counters.

A rule is ``name, protocol, host IP, host port, guest IP, guest port`` (``VBoxManage modifyvm
--natpf1 "web,tcp,,8080,10.0.2.15,80"``); an empty host IP means any of the router's addresses.
A rule is consulted only for the first packet of a connection, as an nftables DNAT rule in the
``nat`` chain is (later packets follow the connection table), so its hit counter counts
connections, like that rule's ``counter``. The forwarded connection keeps the client's real
address (nftables DNAT does no SNAT; VirtualBox's own NAT engine would show 10.0.2.2 instead).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from simcore.packets import PROTO_TCP, PROTO_UDP

_PROTOS = {"tcp": PROTO_TCP, "udp": PROTO_UDP}
_NAME = re.compile(r"^[^,]{1,64}$")


def _check_ip(rule: str, field: str, value: str, *, optional: bool) -> None:
    if optional and value == "":
        return
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError(f"port forward {rule!r}: {field} is not an IPv4 address: {value!r}") from None


def _check_port(rule: str, field: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError(f"port forward {rule!r}: {field} must be a port 1-65535, not {value!r}")


@dataclass(frozen=True, slots=True)
class PortForward:
    name: str
    proto: str  # "tcp" | "udp"
    host_ip: str  # "" = any address of the router
    host_port: int
    guest_ip: str
    guest_port: int

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"port forward name must be 1-64 characters without a comma, not {self.name!r}")
        if self.proto not in _PROTOS:
            raise ValueError(f"port forward {self.name!r}: protocol must be 'tcp' or 'udp', not {self.proto!r}")
        _check_ip(self.name, "host IP", self.host_ip, optional=True)
        _check_port(self.name, "host port", self.host_port)
        _check_ip(self.name, "guest IP", self.guest_ip, optional=False)
        _check_port(self.name, "guest port", self.guest_port)

    @property
    def proto_number(self) -> int:
        return _PROTOS[self.proto]

    @classmethod
    def parse(cls, text: str) -> PortForward:
        """Read VirtualBox's comma form ``"web,tcp,,8080,10.0.2.15,80"``."""
        parts = text.split(",")
        if len(parts) != 6:
            raise ValueError(f"port forward {text!r}: expected name,proto,host-ip,host-port,guest-ip,guest-port")
        name, proto, host_ip, host_port, guest_ip, guest_port = (p.strip() for p in parts)
        try:
            hport, gport = int(host_port), int(guest_port)
        except ValueError:
            raise ValueError(f"port forward {name!r}: ports must be numbers: {host_port!r}, {guest_port!r}") from None
        return cls(name, proto.lower(), host_ip, hport, guest_ip, gport)

    def __str__(self) -> str:
        return f"{self.name},{self.proto},{self.host_ip},{self.host_port},{self.guest_ip},{self.guest_port}"

    def describe(self) -> str:
        host = self.host_ip or "*"
        return f"{self.proto} {host}:{self.host_port} \u2192 {self.guest_ip}:{self.guest_port}"


class ForwardTable:
    """The rules of one NAT, in the order added, with a hit counter each."""

    def __init__(self) -> None:
        self._rules: dict[str, PortForward] = {}
        self._hits: dict[str, int] = {}

    def add(self, rule: PortForward) -> None:
        if rule.name in self._rules:
            raise ValueError(f"port forward {rule.name!r} already exists")
        for other in self._rules.values():
            if (other.proto == rule.proto and other.host_port == rule.host_port
                    and (other.host_ip == rule.host_ip or "" in (other.host_ip, rule.host_ip))):
                raise ValueError(f"port forward {rule.name!r}: {rule.proto} port {rule.host_port} "
                                 f"is already forwarded by {other.name!r}")
        self._rules[rule.name] = rule
        self._hits[rule.name] = 0

    def remove(self, name: str) -> PortForward:
        if name not in self._rules:
            raise KeyError(f"no port forward named {name!r}")
        del self._hits[name]
        return self._rules.pop(name)

    def rules(self) -> list[PortForward]:
        return list(self._rules.values())

    def hits(self, name: str) -> int:
        return self._hits[name]

    def match(self, proto: int, dst: str, dport: int) -> PortForward | None:
        """The rule for a new connection to ``dst:dport`` (an exact host IP before a wildcard)."""
        wildcard = None
        for rule in self._rules.values():
            if rule.proto_number != proto or rule.host_port != dport:
                continue
            if rule.host_ip == dst:
                return rule
            if rule.host_ip == "" and wildcard is None:
                wildcard = rule
        return wildcard

    def hit(self, name: str) -> int:
        self._hits[name] += 1
        return self._hits[name]

    def rows(self) -> list[dict]:
        """JSON-friendly rows for the live table, in VirtualBox's column order."""
        return [
            {"name": r.name, "protocol": r.proto, "host_ip": r.host_ip, "host_port": r.host_port,
             "guest_ip": r.guest_ip, "guest_port": r.guest_port, "hits": self._hits[r.name]}
            for r in self._rules.values()
        ]
