"""Whole-frame views for the trace and the browser's packet inspector.

``layers(frame)`` lists every layer's ``describe()`` outermost first (Ethernet, IPv4, UDP,
VXLAN, then the inner Ethernet and its layers), as Wireshark's detail pane does.
``summary(frame)`` is Wireshark's one-line Info column: the text of the innermost layer
that has something to say.
"""

from typing import Any

from .arp import Arp
from .dhcp import Dhcp
from .dns import Dns
from .ethernet import ETHERTYPE_NAMES, Ethernet
from .icmp import Icmp, IcmpEcho, IcmpError
from .ipv4 import PROTO_NAMES, IPv4
from .tcp import Tcp
from .udp import Udp
from .vxlan import Vxlan


def walk(frame: Ethernet) -> list[Any]:
    """Every decoded value object in the frame, outermost first (raw bytes are skipped)."""
    out: list[Any] = []
    node: Any = frame
    while node is not None and not isinstance(node, (bytes, bytearray)):
        out.append(node)
        node = getattr(node, "payload", None)
    return out


def layers(frame: Ethernet) -> list[dict]:
    """``describe()`` of every layer, outermost first, through VXLAN into the inner frame."""
    return [layer.describe() for layer in walk(frame)]


def summary(frame: Ethernet) -> str:
    """A Wireshark-like Info line, e.g. ``"Who has 192.168.56.12? Tell 192.168.56.11"``."""
    ttl = None
    text = _ethernet_info(frame)
    for layer in walk(frame):
        if isinstance(layer, Ethernet):
            text = _ethernet_info(layer)
        elif isinstance(layer, IPv4):
            ttl = layer.ttl
            text = _ipv4_info(layer)
        elif isinstance(layer, (IcmpEcho, IcmpError, Icmp)):
            text = layer.info(ttl=ttl) if isinstance(layer, IcmpEcho) else layer.info()
        elif isinstance(layer, (Arp, Udp, Tcp, Dhcp, Dns)):
            text = layer.info()
        elif isinstance(layer, Vxlan) and isinstance(layer.payload, (bytes, bytearray)):
            text = f"VXLAN VNI {layer.vni}"
    return text


def _ethernet_info(frame: Ethernet) -> str:
    name = ETHERTYPE_NAMES.get(frame.ethertype, f"0x{frame.ethertype:04x}")
    return f"Ethernet II, type {name}"


def _ipv4_info(ip: IPv4) -> str:
    name = PROTO_NAMES.get(ip.proto, str(ip.proto))
    if ip.is_fragment:
        return (
            f"Fragmented IP protocol (proto={name} {ip.proto}, off={ip.frag_offset * 8}, ID={ip.ident:04x})"
        )
    return f"{ip.src} \u2192 {ip.dst} {name}"
