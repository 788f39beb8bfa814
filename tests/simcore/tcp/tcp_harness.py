"""A tiny test world for TCP: hosts (one TcpTable each) joined by a fake link.

The link has a one-way delay and a loss function ``loss(n, seg) -> bool`` (``n`` counts every
segment put on the wire, from 0). Every segment is emitted to bytes and parsed back
(``Tcp.parse(seg.emit(...))``, checksum verified) before it travels, so what a socket emits is
always real wire bytes. Timers are scheduled without cancellation on purpose: sockets must
ignore stale timers themselves.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass

from simcore.apps.tcp import (
    Action,
    CancelTimer,
    ConnKey,
    Emit,
    Note,
    SetTimer,
    StreamOps,
    TcpConfig,
    TcpTable,
)
from simcore.apps.tcp.seq import seq_diff
from simcore.packets.tcp import ACK, FIN, PSH, RST, SYN, Tcp

US = 1_000
MS = 1_000_000
S = 1_000_000_000

_FLAG_ORDER = ((SYN, "SYN"), (FIN, "FIN"), (RST, "RST"), (PSH, "PSH"), (ACK, "ACK"))


@dataclass
class Sent:
    t: int
    src: str
    dst: str
    seg: Tcp
    lost: bool


class World:
    def __init__(self, delay_ns: int = 50 * US, loss=None):
        self.delay_ns = delay_ns
        self.loss = loss or (lambda n, seg: False)
        self.now = 0
        self.hosts: dict[str, TcpTable] = {}
        self.wire: list[Sent] = []
        self.events: list[tuple[int, str, Action]] = []  # everything but Emit and timers
        self._heap: list[tuple] = []
        self._seq = itertools.count()
        self._base: dict[tuple[str, int], int] = {}  # first sequence number seen per sender

    def host(self, ip: str, seed: int, config: TcpConfig | None = None) -> TcpTable:
        self.hosts[ip] = TcpTable(random.Random(seed), config)
        return self.hosts[ip]

    # -- running -------------------------------------------------------------------------------
    def at(self, t: int, fn, *args) -> None:
        heapq.heappush(self._heap, (t, next(self._seq), fn, args))

    def call(self, ip: str, fn, *args):
        """Run ``fn(now, *args)`` of host ``ip`` now and carry out its actions."""
        result = fn(self.now, *args)
        acts = result[1] if isinstance(result, tuple) else result
        self.handle(ip, acts)
        return result

    def run(self, until_ns: int) -> None:
        while self._heap and self._heap[0][0] <= until_ns:
            t, _seq, fn, args = heapq.heappop(self._heap)
            self.now = t
            fn(*args)
        self.now = until_ns

    def handle(self, ip: str, acts: list[Action]) -> None:
        for act in acts:
            if isinstance(act, Emit):
                self._transmit(act)
            elif isinstance(act, SetTimer):
                self.at(act.at_ns, self._fire, ip, act.key, act.at_ns)
            elif isinstance(act, CancelTimer):
                pass  # deliberately not cancelled: the socket must ignore the stale call
            else:
                self.events.append((self.now, ip, act))

    def _fire(self, ip: str, key, at_ns: int) -> None:
        self.handle(ip, self.hosts[ip].on_timer(at_ns, key))

    def _transmit(self, act: Emit) -> None:
        wire = act.seg.emit(src=act.src_ip, dst=act.dst_ip)
        seg = Tcp.parse(wire, src=act.src_ip, dst=act.dst_ip)
        assert seg == act.seg, f"round trip changed the segment: {act.seg} -> {seg}"
        lost = self.loss(len(self.wire), seg)
        self.wire.append(Sent(self.now, act.src_ip, act.dst_ip, seg, lost))
        if not lost and act.dst_ip in self.hosts:
            self.at(self.now + self.delay_ns, self._arrive, seg, act.src_ip, act.dst_ip)

    def _arrive(self, seg: Tcp, src: str, dst: str) -> None:
        self.handle(dst, self.hosts[dst].on_segment(self.now, seg, src, dst))

    # -- reading -------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        """The conversation as tcpdump-like lines with relative sequence numbers."""
        return [self.line(s) for s in self.wire]

    def line(self, s: Sent) -> str:
        seg = s.seg
        me, peer = (s.src, seg.sport), (s.dst, seg.dport)
        if seg.flags & SYN or me not in self._base:
            self._base.setdefault(me, seg.seq)
        flags = ",".join(name for bit, name in _FLAG_ORDER if seg.flags & bit)
        text = f"{s.t / S:.6f} {s.src}:{seg.sport}>{s.dst}:{seg.dport} [{flags}] seq={self._rel(me, seg.seq)}"
        if seg.flags & ACK:
            text += f" ack={self._rel(peer, seg.ack)}"
        text += f" win={seg.window} len={len(seg.payload)}"
        return text + (" LOST" if s.lost else "")

    def _rel(self, who: tuple[str, int], seq: int) -> int:
        base = self._base.get(who)
        return seq if base is None else seq_diff(seq, base) % (1 << 32)

    def notes(self) -> list[str]:
        return [a.text for _t, _ip, a in self.events if isinstance(a, Note)]

    def kinds(self) -> list[str]:
        """The trace kinds of the notes, in order."""
        return [a.kind for _t, _ip, a in self.events if isinstance(a, Note)]

    def happened(self, *types) -> list[tuple[float, str, Action]]:
        """Events of the given types as (seconds, host, action)."""
        return [(t / S, ip, a) for t, ip, a in self.events if isinstance(a, types)]


class Recorder:
    """A StreamApp that records what it is told and answers from a script.

    ``on_connected_send``: bytes to send once connected; ``reply``: fn(data) -> StreamOps;
    ``close_on_eof``: close when the peer's FIN arrives (what most servers do)."""

    def __init__(self, on_connected_send: bytes = b"", reply=None, close_on_eof: bool = True):
        self.on_connected_send = on_connected_send
        self.reply = reply
        self.close_on_eof = close_on_eof
        self.got = bytearray()
        self.log: list[str] = []

    def on_connected(self, now: int) -> StreamOps:
        self.log.append("connected")
        return StreamOps(send=self.on_connected_send)

    def on_data(self, now: int, data: bytes) -> StreamOps:
        self.got += data
        self.log.append(f"data {len(data)}")
        return self.reply(data) if self.reply else StreamOps()

    def on_eof(self, now: int) -> StreamOps:
        self.log.append("eof")
        return StreamOps(close=self.close_on_eof)

    def on_closed(self, now: int, reason) -> StreamOps:
        self.log.append(f"closed {reason.name}")
        return StreamOps()

    def on_deadline(self, now: int) -> StreamOps:
        self.log.append("deadline")
        return StreamOps()


def key(local: str, lport: int, remote: str, rport: int) -> ConnKey:
    return ConnKey(local, lport, remote, rport)
