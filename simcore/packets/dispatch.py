"""Where a header hands its payload to be decoded: three tables and the inner-frame slot.

The header modules (ethernet, ipv4, udp, vxlan...) never import one another, so that none of
them sits in an import circle: Ethernet's payload is decoded by EtherType, IPv4's by protocol
number, UDP's by port and VXLAN's inner frame as Ethernet, each through a table here. This
module knows no header; ``registry`` imports the header modules and fills the tables, and the
package ``__init__`` imports ``registry``, so the tables are full before any ``parse`` can run
(importing ``simcore.packets.ethernet`` runs the package's ``__init__`` first).

Decoders take ``(body, *, verify)``; IP protocol decoders also ``src`` and ``dst`` (the
pseudo-header of UDP and TCP checksums). A key with no decoder leaves the payload as bytes.
"""

from collections.abc import Callable
from typing import Any

BY_ETHERTYPE: dict[int, Callable[..., Any]] = {}
BY_IP_PROTO: dict[int, Callable[..., Any]] = {}
BY_UDP_PORT: dict[int, Callable[..., Any]] = {}
# The frame a tunnel carries (VXLAN: always Ethernet); a one-element list so registry can set it.
INNER_FRAME: list[Callable[..., Any]] = []


def ethertype_payload(ethertype: int, body: bytes, verify: bool) -> Any:
    decoder = BY_ETHERTYPE.get(ethertype)
    return body if decoder is None else decoder(body, verify=verify)


def ip_payload(proto: int, body: bytes, src: str, dst: str, verify: bool) -> Any:
    decoder = BY_IP_PROTO.get(proto)
    return body if decoder is None else decoder(body, src=src, dst=dst, verify=verify)


def udp_decoder(sport: int, dport: int) -> Callable[..., Any] | None:
    """The decoder for a port pair: the destination port wins (replies from 53 are DNS too)."""
    return BY_UDP_PORT.get(dport) or BY_UDP_PORT.get(sport)


def udp_payload(sport: int, dport: int, body: bytes, verify: bool) -> Any:
    decoder = udp_decoder(sport, dport)
    return body if decoder is None else decoder(body, verify=verify)


def inner_frame(body: bytes, verify: bool) -> Any:
    return INNER_FRAME[0](body, verify=verify)
