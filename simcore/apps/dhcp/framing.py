"""Put a ``Send`` action on the wire as a whole Ethernet frame, as the real programs do.

The host glue uses this for every DHCP frame; tests and the pcap check use it too. The IP
header is what the sending program gets: ISC dhclient builds its own on a packet socket for
broadcasts (``assemble_udp_ip_header``: TOS 0x10, no DF, TTL 64, IP id 0) and lets the kernel
build it for unicasts (a UDP socket: TOS 0, DF, IP id 0 as Linux gives unconnected DF
datagrams); systemd-networkd builds TOS 0xC0 (CS6) headers and sets the same TOS on its UDP
socket; dnsmasq's replies are kernel UDP (DF, TOS 0). The ``Send`` says which (``tos``, ``df``),
and whether the message is padded to BOOTP's 300 bytes (``pad``: dhclient and dnsmasq pad,
networkd sends only what its options need).
"""

from simcore.packets import ETH_IPV4, IP_FLAG_DF, PROTO_UDP, Ethernet, IPv4, Udp

from .actions import Send

HEADER_AND_COOKIE = 240  # RFC 2131 §2: the fixed fields, then the magic cookie


def message_bytes(send: Send) -> bytes:
    """The UDP payload: the message, padded to 300 bytes or cut right after its END option."""
    raw = send.msg.emit()
    if send.pad:
        return raw
    at = HEADER_AND_COOKIE
    while raw[at] != 255:  # walk the options (code, length, value) to the END option
        at += 2 + raw[at + 1]
    return raw[: at + 1]


def frame_for(send: Send, src_mac: str, dst_mac: str | None = None) -> Ethernet:
    """The frame for ``send`` from ``src_mac``; ``dst_mac`` is needed when ``send.dst_mac`` is
    None (a routed unicast: the caller resolved the next hop)."""
    dst = send.dst_mac or dst_mac
    if dst is None:
        raise ValueError(f"frame_for: {send.dst_ip} needs a resolved destination MAC")
    payload = send.msg if send.pad else message_bytes(send)
    udp = Udp(send.src_port, send.dst_port, payload)
    ip = IPv4(send.src_ip, send.dst_ip, PROTO_UDP, udp, ttl=64, flags=IP_FLAG_DF if send.df else 0, tos=send.tos)
    return Ethernet(dst, src_mac, ETH_IPV4, ip)

