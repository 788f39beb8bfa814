"""The router's answer to a TCP segment for a public port nobody listens on or forwards.

RFC 9293 §3.10.7.1 (state CLOSED): a segment carrying RST is discarded; any other is answered
with a reset. If its ACK bit is off the reset is ``<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>``
(so a SYN gets RST,ACK with ack = its seq + 1: SEG.LEN counts SYN and FIN), otherwise
``<SEQ=SEG.ACK><CTL=RST>``. Linux sends it with window 0, IP ident 0 and DF set, TTL 64.
"""

from __future__ import annotations

from simcore.apps.tcp.reset import rst_segment
from simcore.packets import IP_FLAG_DF, PROTO_TCP, IPv4, Tcp


def reset_for(packet: IPv4, ttl: int = 64) -> IPv4 | None:
    """The reset answering ``packet`` (a TCP segment), or None for a segment that gets none (RST)."""
    segment = packet.payload
    if not isinstance(segment, Tcp):
        raise TypeError(f"reset_for: not a TCP segment: {segment!r}")
    answer = rst_segment(segment)
    if answer is None:
        return None
    return IPv4(packet.dst, packet.src, PROTO_TCP, answer, ttl=ttl, ident=0, flags=IP_FLAG_DF)
