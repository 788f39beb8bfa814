"""Put a ``Send`` action on the wire as a whole Ethernet frame, as the real programs do.

The host glue may use its own stack instead; this is the reference framing that tests and the
pcap check use. Client frames are what ISC dhclient builds on its raw socket
(``assemble_udp_ip_header``): TOS 0x10 (low delay), no DF, TTL 64, IP id 0. Server frames are
what the Linux kernel sends for dnsmasq's UDP socket: DF set, TOS 0, TTL 64.
"""

from simcore.packets import ETH_IPV4, IP_FLAG_DF, PROTO_UDP, Ethernet, IPv4, Udp

from .actions import Send
from .options import CLIENT_PORT

DHCLIENT_TOS = 0x10


def frame_for(send: Send, src_mac: str, dst_mac: str | None = None) -> Ethernet:
    """The frame for ``send`` from ``src_mac``; ``dst_mac`` is needed when ``send.dst_mac`` is
    None (a routed unicast: the caller resolved the next hop)."""
    dst = send.dst_mac or dst_mac
    if dst is None:
        raise ValueError(f"frame_for: {send.dst_ip} needs a resolved destination MAC")
    udp = Udp(send.src_port, send.dst_port, send.msg)
    if send.src_port == CLIENT_PORT:
        ip = IPv4(send.src_ip, send.dst_ip, PROTO_UDP, udp, ttl=64, flags=0, tos=DHCLIENT_TOS)
    else:
        ip = IPv4(send.src_ip, send.dst_ip, PROTO_UDP, udp, ttl=64, flags=IP_FLAG_DF)
    return Ethernet(dst, src_mac, ETH_IPV4, ip)
