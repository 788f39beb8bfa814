"""The RST a host sends for a segment that belongs to no connection (RFC 9293 §3.10.7.1)."""

from __future__ import annotations

from simcore.packets.tcp import ACK, RST, SYN, Tcp

from .actions import Action, Emit, Note
from .seq import seg_len, seq_add


def rst_segment(seg: Tcp) -> Tcp | None:
    """The reset answering ``seg`` when no connection exists (RFC 9293 §3.10.7.1): nothing for an
    RST; ``<SEQ=SEG.ACK><CTL=RST>`` when the segment carried an ACK; otherwise
    ``<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>``, the RST,ACK that turns a SYN to a closed port
    into "connection refused". Hosts and the NAT router (devices/nat/reset.py) share this rule."""
    if seg.flags & RST:
        return None
    if seg.flags & ACK:
        return Tcp(seg.dport, seg.sport, seg.ack, 0, RST, 0)
    return Tcp(seg.dport, seg.sport, 0, seq_add(seg.seq, seg_len(seg.flags, len(seg.payload))), RST | ACK, 0)


def reset_for(seg: Tcp, src_ip: str, dst_ip: str) -> list[Action]:
    """The actions answering ``seg`` (from ``src_ip`` to ``dst_ip``) for no connection: the RST of
    ``rst_segment`` and the trace note saying why."""
    rst = rst_segment(seg)
    if rst is None:
        return []
    why = "a SYN to a port where nothing listens" if seg.flags & SYN and not seg.flags & ACK else \
        "a segment of no known connection"
    return [Emit(rst, dst_ip, src_ip),
            Note(f"{dst_ip} answers {why} ({src_ip}:{seg.sport} \u2192 port {seg.dport}) with RST", kind="tcp.reset_sent")]
