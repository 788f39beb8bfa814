"""Passive opens (a listening port) and the answer of a host where nothing listens.

A ``TcpListener`` is the LISTEN state of RFC 9293 §3.10.7.2 for one port: a SYN spawns a
``TcpSocket`` in SYN-RECEIVED; anything else that reaches it without a connection is reset or
dropped. ``reset_for`` (from ``reset.py``) is the RST of §3.10.7.1 for a segment that matches
nothing.
"""

from __future__ import annotations

import random

from simcore.packets.tcp import ACK, RST, SYN, Tcp

from .actions import Action, ConnKey, Note
from .config import TcpConfig
from .isn import initial_sequence, timestamp_offset
from .reset import reset_for
from .socket import TcpSocket

__all__ = ["TcpListener", "reset_for"]


class TcpListener:
    """Accepts connections on ``port`` of ``ip`` (``"0.0.0.0"`` for every local address)."""

    def __init__(self, ip: str, port: int, rng: random.Random, config: TcpConfig | None = None,
                 backlog: int = 4096, secret: bytes | None = None):
        if not 0 < port <= 0xFFFF:
            raise ValueError(f"TcpListener: port must be in 1..65535, not {port!r}")
        self.ip = ip
        self.port = port
        self.rng = rng
        self.config = config or TcpConfig()
        self.backlog = backlog  # net.core.somaxconn's default since Linux 5.4
        self.pending = 0  # connections in SYN-RECEIVED (the table keeps the count)
        self.secret = secret  # RFC 6528 key for ISNs; None: ISNs drawn from the RNG

    def __repr__(self) -> str:
        return f"TcpListener({self.ip}:{self.port})"

    def matches(self, dst_ip: str, dport: int) -> bool:
        return dport == self.port and self.ip in ("0.0.0.0", dst_ip)

    def on_segment(self, now: int, seg: Tcp, src_ip: str, dst_ip: str) -> tuple[TcpSocket | None, list[Action]]:
        """§3.10.7.2: RST ignored, ACK reset, SYN accepted (a new socket), anything else dropped."""
        if seg.flags & RST:
            return None, []
        if seg.flags & ACK:
            return None, reset_for(seg, src_ip, dst_ip)
        if not seg.flags & SYN:
            return None, []
        if self.pending >= self.backlog:
            # Linux drops the SYN silently when the SYN queue is full; the client retransmits.
            return None, [Note(f"{self!r}: SYN queue full ({self.backlog}), SYN from {src_ip} dropped", kind="tcp.syn_dropped")]
        iss = ts_off = None
        if self.secret is not None:
            iss = initial_sequence(self.secret, ConnKey(dst_ip, seg.dport, src_ip, seg.sport), now)
            ts_off = timestamp_offset(self.secret, dst_ip, src_ip)
        sock, acts = TcpSocket.accept(now, seg, src_ip, dst_ip, self.rng, self.config, iss=iss, ts_offset=ts_off)
        acts.append(Note(f"{dst_ip}:{self.port} gets a SYN from {src_ip}:{seg.sport} and answers SYN,ACK "
                         f"(SYN-RECEIVED)", kind="tcp.accept"))
        return sock, acts
