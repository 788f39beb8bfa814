"""ICMP errors about a tracked connection: translate the quoted datagram too.

An ICMP error (destination unreachable, time exceeded, ...) quotes the IP header and the first
bytes of the datagram that caused it (RFC 792). Through a NAT, that quote shows the datagram as
it was on the far side of the router, so the NAT must rewrite it back, or the receiver cannot
match the error to its socket (RFC 5508 §4: translate the embedded header and fix its checksums;
drop an error whose embedded packet has no mapping). Linux does the same in
``nf_nat_icmp_reply_translation``: inner addresses and ports, inner IP checksum, inner transport
checksum when the quote holds it, then the outer header.

The quote is raw bytes (it is usually truncated), so it is rewritten in place, field by field.
Checksums are adjusted incrementally (RFC 1624 eqn. 3: ``HC' = ~(~HC + ~m + m')``): the quote
rarely contains the whole segment, so the transport checksum cannot be recomputed from scratch,
and an incremental update gives exactly what a full recomputation would when it could.
"""

from __future__ import annotations

from simcore.packets import PROTO_ICMP, PROTO_TCP, PROTO_UDP, bytes_to_ip, checksum16, ip_to_bytes

from .tuples import FlowTuple

_ECHO_TYPES = (0, 8)


def quoted_tuple(quote: bytes) -> FlowTuple | None:
    """The tuple of the datagram an ICMP error quotes, or None if the quote is too short/other."""
    if len(quote) < 20 or quote[0] >> 4 != 4:
        return None
    hlen = (quote[0] & 0x0F) * 4
    proto = quote[9]
    if hlen < 20 or len(quote) < hlen:
        return None
    if int.from_bytes(quote[6:8], "big") & 0x1FFF:
        return None  # a non-first fragment carries no ports
    src, dst = bytes_to_ip(quote[12:16]), bytes_to_ip(quote[16:20])
    l4 = quote[hlen:]
    if proto in (PROTO_TCP, PROTO_UDP) and len(l4) >= 4:
        return FlowTuple(proto, src, dst, int.from_bytes(l4[0:2], "big"), int.from_bytes(l4[2:4], "big"))
    if proto == PROTO_ICMP and len(l4) >= 6 and l4[0] in _ECHO_TYPES and l4[1] == 0:
        return FlowTuple(proto, src, dst, int.from_bytes(l4[4:6], "big"), l4[0])
    return None


def _adjust(csum: int, old: bytes, new: bytes) -> int:
    """RFC 1624 eqn. 3 over the 16-bit words of ``old`` replaced by ``new`` (equal, even lengths)."""
    total = ~csum & 0xFFFF
    for i in range(0, len(old), 2):
        total += (~int.from_bytes(old[i:i + 2], "big") & 0xFFFF) + int.from_bytes(new[i:i + 2], "big")
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def rewrite_quote(quote: bytes, new: FlowTuple) -> bytes:
    """The quote carrying ``new``'s addresses and ports (or echo id), checksums kept right.

    The quote must describe a datagram of ``new``'s protocol (``quoted_tuple`` is not None).
    """
    buf = bytearray(quote)
    hlen = (buf[0] & 0x0F) * 4
    old_addrs = bytes(buf[12:20])
    new_addrs = ip_to_bytes(new.src) + ip_to_bytes(new.dst)
    buf[12:20] = new_addrs
    # The quoted IP header is always whole (RFC 792): recompute its checksum outright.
    buf[10:12] = b"\x00\x00"
    buf[10:12] = checksum16(bytes(buf[:hlen])).to_bytes(2, "big")
    l4 = hlen
    proto = buf[9]
    if proto in (PROTO_TCP, PROTO_UDP):
        old_ports = bytes(buf[l4:l4 + 4])
        new_ports = new.sport.to_bytes(2, "big") + new.dport.to_bytes(2, "big")
        buf[l4:l4 + 4] = new_ports
        # TCP and UDP checksums cover the pseudo-header, so the addresses count too.
        at = l4 + (16 if proto == PROTO_TCP else 6)
        if len(buf) >= at + 2:
            csum = int.from_bytes(buf[at:at + 2], "big")
            if proto == PROTO_UDP and csum == 0:
                return bytes(buf)  # "no checksum" (RFC 768) stays none
            csum = _adjust(csum, old_addrs + old_ports, new_addrs + new_ports)
            if proto == PROTO_UDP and csum == 0:
                csum = 0xFFFF  # RFC 768: a computed 0 is sent as all ones
            buf[at:at + 2] = csum.to_bytes(2, "big")
    elif proto == PROTO_ICMP:
        old_id = bytes(buf[l4 + 4:l4 + 6])
        new_id = new.sport.to_bytes(2, "big")
        buf[l4 + 4:l4 + 6] = new_id
        if len(buf) >= l4 + 4:  # the ICMP checksum has no pseudo-header: only the id changed
            csum = _adjust(int.from_bytes(buf[l4 + 2:l4 + 4], "big"), old_id, new_id)
            buf[l4 + 2:l4 + 4] = csum.to_bytes(2, "big")
    return bytes(buf)
