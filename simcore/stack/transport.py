"""The protocols a host stack handles itself: ICMP (RFC 792, RFC 1122 3.2.2) and UDP demultiplexing.

Functions of ``(stack, packet, nic)`` registered in ``Stack.protocols``; TCP (a later layer)
registers the same way.
"""

from __future__ import annotations

from typing import Any

from simcore.packets import (
    ICMP_DEST_UNREACH,
    ICMP_ECHO_REPLY,
    ICMP_ECHO_REQUEST,
    PROTO_ICMP,
    PROTO_UDP,
    IcmpError,
    IPv4,
)
from simcore.stack.iface import is_multicast_ip

DEFAULT_TTL = 64  # net.ipv4.ip_default_ttl
LIMITED_BROADCAST = "255.255.255.255"
UNREACH_PORT = 3
# ICMP errors carry precedence "internetwork control" (Linux icmp_send, RFC 1812 4.3.2.5).
IPTOS_PREC_INTERNETCONTROL = 0xC0


def icmp_input(stack: Any, packet: Any, nic: Any) -> None:
    """ICMP for us: answer echo requests, hand replies and errors to the socket they belong to."""
    icmp = packet.payload
    typ = icmp.type
    if typ == ICMP_ECHO_REQUEST:
        if packet.dst == LIMITED_BROADCAST or packet.dst in stack.broadcasts:
            stack.drop(packet, "icmp.echo_broadcast_ignored", stack.narrator.words(
                f"{stack.name} ignores a ping to a broadcast address (icmp_echo_ignore_broadcasts)"), nic)
            return
        # RFC 792: the reply swaps the addresses and keeps identifier, sequence number and data.
        stack.send_ip(IPv4(packet.dst, packet.src, PROTO_ICMP, icmp.reply(), DEFAULT_TTL, stack.next_ident()))
    elif typ == ICMP_ECHO_REPLY:
        listener = stack._own_icmp_sockets.get(icmp.ident)
        if listener is None:
            stack.drop(packet, "icmp.no_socket", stack.narrator.words(
                f"{stack.name} has no ping waiting for id {icmp.ident}: it drops the echo reply"), nic)
            return
        listener.on_reply(packet, icmp)
    elif isinstance(icmp, IcmpError):
        quoted = icmp.quoted()
        if quoted.get("protocol") == PROTO_ICMP and "ident" in quoted:
            listener = stack._own_icmp_sockets.get(quoted["ident"])
            if listener is not None:
                listener.on_error(packet, icmp, quoted)
        elif quoted.get("protocol") == PROTO_UDP and "sport" in quoted:
            handler = stack._own_udp_sockets.get(quoted["sport"])
            on_error = getattr(handler, "on_error", None)
            if on_error is not None:
                on_error(packet, icmp, quoted)
        elif quoted.get("protocol") in stack._own_icmp_error_handlers:
            # RFC 1122 4.2.3.9: TCP must act on destination unreachable (soft and hard errors).
            stack._own_icmp_error_handlers[quoted["protocol"]](packet, icmp, quoted)


def udp_input(stack: Any, packet: Any, nic: Any) -> None:
    """UDP for us: the bound socket's handler, else port unreachable (never for a broadcast)."""
    udp = packet.payload
    handler = stack._own_udp_sockets.get(udp.dport)
    if handler is None:
        broadcast = packet.dst == LIMITED_BROADCAST or packet.dst in stack.broadcasts
        # The sentence only when traced: every host hears every DHCP broadcast of its LAN.
        text = stack.narrator.words(
            f"{stack.name} has nothing listening on UDP port {udp.dport}"
            + ("" if broadcast else ": it answers port unreachable")) if stack.tracer.on else ""
        stack.drop(packet, "udp.no_listener", text, nic)
        if not broadcast:
            stack.send_icmp_error(packet, ICMP_DEST_UNREACH, UNREACH_PORT)
        return
    handler(stack, packet, udp, nic)


def send_icmp_error(stack: Any, packet: Any, typ: int, code: int) -> None:
    """RFC 1122 3.2.2 / RFC 1812 4.3.2.7: never about an ICMP error, a broadcast or multicast
    destination, a non-initial fragment, or a source that is not a single host."""
    dst = packet.dst
    if dst == LIMITED_BROADCAST or dst in stack.broadcasts or is_multicast_ip(dst):
        return
    if packet.frag_offset != 0 or packet.src in ("0.0.0.0", LIMITED_BROADCAST):
        return
    if packet.proto == PROTO_ICMP and isinstance(packet.payload, IcmpError):
        return
    src = dst if dst in stack.local_ips else stack.source_for(packet.src)
    if src is None:
        return
    err = IcmpError.for_datagram(typ, code, packet.emit())
    tos = IPTOS_PREC_INTERNETCONTROL | (packet.tos & 0x1E)
    stack.send_ip(IPv4(src, packet.src, PROTO_ICMP, err, DEFAULT_TTL, stack.next_ident(), tos=tos))
