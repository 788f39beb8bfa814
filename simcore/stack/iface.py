"""A NIC as layer 3 sees it, and the IPv4 multicast MAC mapping."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any


def multicast_mac(ip: str) -> str:
    """RFC 1112 6.4: 01:00:5e followed by the low 23 bits of the group address."""
    b = [int(x) for x in ip.split(".")]
    return f"01:00:5e:{b[1] & 0x7F:02x}:{b[2]:02x}:{b[3]:02x}"


def is_multicast_ip(ip: str) -> bool:
    """224.0.0.0/4 (RFC 5771). The prefix test first: this runs for every packet sent."""
    return ip[:2] in ("22", "23") and len(ip) > 3 and ip[3] == "." and 224 <= int(ip[:3]) <= 239


def is_group_mac(mac: str) -> bool:
    return mac[1] in "13579bdf"


class Iface:
    """One NIC as layer 3 sees it: its address (one static IPv4 per NIC for now).

    ``ip`` and ``broadcast`` are kept as plain strings: they are read for every packet. The
    address's ``network`` is the object the caller gives (the stack gives its subnet's shared one);
    ``addr``, the ``IPv4Interface``, is made from them when asked.
    """

    __slots__ = ("nic", "ip", "network", "broadcast")

    def __init__(self, nic: Any, addr: ipaddress.IPv4Interface | None):
        self.nic = nic
        self.set(addr)

    def set(self, addr: ipaddress.IPv4Interface | None) -> None:
        self.ip = str(addr.ip) if addr is not None else None
        self.network = addr.network if addr is not None else None
        # /31 and /32 have no broadcast address (RFC 3021).
        self.broadcast = (_broadcast_text(addr.network)
                          if addr is not None and addr.network.prefixlen < 31 else None)

    @property
    def addr(self) -> ipaddress.IPv4Interface | None:
        """The address with its prefix (``ip addr``, the tables read it; no packet does)."""
        if self.ip is None:
            return None
        return ipaddress.IPv4Interface((self.ip, self.network.prefixlen))


@lru_cache(maxsize=64)  # the subnets in use lately: a bounded cache, hit by every NIC of a busy one
def _broadcast_text(network: ipaddress.IPv4Network) -> str:
    """A subnet's broadcast address as text: one string for every NIC on that subnet."""
    return str(network.broadcast_address)
