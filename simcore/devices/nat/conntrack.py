"""The connection table: one entry per flow, found by either of its two tuples.

Like Linux's conntrack, an entry holds the *original* tuple (the first packet as it arrived)
and the *reply* tuple (what a reply looks like after NAT): the NAT decision is made once, when
the entry is created, and every later packet is rewritten by looking its tuple up. Entries are
frozen values replaced on each packet, so a caller holding one has a snapshot, and listing the
table is always in creation order (Linux lists in hash order; creation order is deterministic).

Expiry: an entry dies when ``now >= deadline`` (nf_ct_is_expired). A heap of
``(deadline, id)`` with lazy re-arming finds them without scanning the table.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from enum import Enum

from simcore.packets import PROTO_ICMP, PROTO_TCP, PROTO_UDP, RST, Tcp

from .states import (
    LINUX_TIMEOUTS,
    UDP_STREAM_AFTER_NS,
    Direction,
    IcmpState,
    Step,
    TcpState,
    Timeouts,
    UdpState,
    tcp_next,
)
from .tuples import FlowTuple

NS = 1_000_000_000


class NatKind(Enum):
    SNAT = "snat"  # masquerade: an inside host's connection, source rewritten to the public address
    DNAT = "dnat"  # port forward: an outside client's connection, destination rewritten to a guest
    NONE = "none"  # the router's own traffic: tracked, not translated


@dataclass(frozen=True, slots=True)
class ConnEntry:
    id: int
    original: FlowTuple
    reply: FlowTuple
    kind: NatKind
    state: TcpState | UdpState | IcmpState
    created: int  # ns
    deadline: int  # ns
    seen_reply: bool = False
    assured: bool = False
    rule: str | None = None  # the port forward rule that created a DNAT entry
    packets: tuple[int, int] = (0, 0)  # original, reply
    bytes: tuple[int, int] = (0, 0)

    @property
    def proto(self) -> int:
        return self.original.proto

    def seconds_left(self, now: int) -> int:
        """What conntrack prints as the timeout: whole seconds left, never negative."""
        return max(self.deadline - now, 0) // NS

    def emitted(self, direction: Direction) -> FlowTuple:
        """The tuple a packet going ``direction`` leaves with, once translated."""
        other = self.reply if direction is Direction.ORIGINAL else self.original
        return other.invert()


@dataclass(frozen=True, slots=True)
class Update:
    """The result of accounting one packet to an entry."""

    entry: ConnEntry
    step: Step
    old_state: TcpState | UdpState | IcmpState
    removed: bool = False  # the packet ended the entry at once (RST as the only reply)


class ConnTrack:
    def __init__(self, timeouts: Timeouts = LINUX_TIMEOUTS):
        self.timeouts = timeouts
        self._entries: dict[int, ConnEntry] = {}
        # tuple -> (entry id, its direction, the tuple a packet with it leaves with)
        self._by_tuple: dict[FlowTuple, tuple[int, Direction, FlowTuple]] = {}
        self._heap: list[tuple[int, int]] = []
        self._queued: dict[int, int] = {}  # id -> smallest deadline in the heap for it
        self._next_id = 1

    # --- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[ConnEntry]:
        return list(self._entries.values())

    def get(self, conn_id: int) -> ConnEntry | None:
        return self._entries.get(conn_id)

    def lookup(self, t: FlowTuple) -> tuple[ConnEntry, Direction] | None:
        hit = self._by_tuple.get(t)
        if hit is None:
            return None
        return self._entries[hit[0]], hit[1]

    def find(self, t: FlowTuple) -> tuple[ConnEntry, Direction, FlowTuple] | None:
        """Like ``lookup``, plus the tuple the packet leaves with (``entry.emitted(direction)``,
        kept from creation: computing it again for every packet is measurable)."""
        hit = self._by_tuple.get(t)
        if hit is None:
            return None
        return self._entries[hit[0]], hit[1], hit[2]

    def due(self, now: int) -> bool:
        """Whether ``expire(now)`` may have something to remove (cheap: the heap's top)."""
        return bool(self._heap) and self._heap[0][0] <= now

    def taken(self, t: FlowTuple) -> bool:
        """Whether a tuple is in use in either direction (nf_conntrack_tuple_taken)."""
        return t in self._by_tuple

    # --- writing ---------------------------------------------------------------------------

    def create(self, now: int, original: FlowTuple, reply: FlowTuple, kind: NatKind, first: object,
               length: int, rule: str | None = None) -> ConnEntry:
        """Add an entry for the first packet ``first`` (its transport value) of ``length`` bytes."""
        if original in self._by_tuple or reply in self._by_tuple:
            raise ValueError(f"conntrack: tuple already tracked: {original.describe()} / {reply.describe()}")
        proto = original.proto
        if proto == PROTO_TCP:
            assert isinstance(first, Tcp)
            state: TcpState | UdpState | IcmpState
            state, step = tcp_next(TcpState.NONE, Direction.ORIGINAL, first.flags)
            if step is not Step.OK:
                raise ValueError(f"conntrack: a TCP segment with flags 0x{first.flags:02x} cannot open a connection")
            timeout = self.timeouts.tcp(state)
        elif proto == PROTO_UDP:
            state, timeout = UdpState.UNREPLIED, self.timeouts.udp_timeout
        elif proto == PROTO_ICMP:
            state, timeout = IcmpState.UNREPLIED, self.timeouts.icmp_timeout
        else:
            raise ValueError(f"conntrack: protocol {proto} is not tracked")
        entry = ConnEntry(self._next_id, original, reply, kind, state, now, now + timeout * NS,
                          rule=rule, packets=(1, 0), bytes=(length, 0))
        self._next_id += 1
        self._entries[entry.id] = entry
        self._by_tuple[original] = (entry.id, Direction.ORIGINAL, reply.invert())
        self._by_tuple[reply] = (entry.id, Direction.REPLY, original.invert())
        self._arm(entry)
        return entry

    def account(self, now: int, entry: ConnEntry, direction: Direction, segment: object,
                length: int) -> Update:
        """Run the protocol state machine for one packet and refresh the entry's timeout."""
        old = entry.state
        if entry.proto == PROTO_TCP:
            assert isinstance(segment, Tcp)
            return self._account_tcp(now, entry, direction, segment, length)
        reply = direction is Direction.REPLY
        seen_reply = entry.seen_reply or reply
        assured = entry.assured
        if entry.proto == PROTO_UDP:
            # nf_conntrack_udp_packet: the reply that sets SEEN_REPLY is still handled as
            # unreplied; later packets of a flow older than 2 s make it a stream.
            if entry.seen_reply and now > entry.created + UDP_STREAM_AFTER_NS:
                state: TcpState | UdpState | IcmpState = UdpState.ASSURED
                timeout = self.timeouts.udp_timeout_stream
                assured = True
            else:
                state = UdpState.ASSURED if assured else (UdpState.REPLIED if seen_reply else UdpState.UNREPLIED)
                timeout = self.timeouts.udp_timeout_stream if assured else self.timeouts.udp_timeout
        else:
            state = IcmpState.REPLIED if seen_reply else IcmpState.UNREPLIED
            timeout = self.timeouts.icmp_timeout
        new = self._counted(entry, direction, length, state=state, seen_reply=seen_reply, assured=assured,
                            deadline=now + timeout * NS)
        return Update(self._store(new), Step.OK, old)

    def _account_tcp(self, now: int, entry: ConnEntry, direction: Direction, segment: Tcp,
                     length: int) -> Update:
        old = entry.state
        assert isinstance(old, TcpState)
        state, step = tcp_next(old, direction, segment.flags)
        if step is Step.INVALID:
            return Update(entry, step, old)
        if step is Step.IGNORED:
            new = self._counted(entry, direction, length, seen_reply=entry.seen_reply or direction is Direction.REPLY)
            return Update(self._store(new), step, old)
        if direction is Direction.REPLY and segment.flags & RST and not entry.seen_reply:
            # "If only reply is a RST, we can consider ourselves not to have an established
            # connection": Linux kills the entry at once (nf_conntrack_tcp_packet).
            self.remove(entry.id)
            return Update(replace(entry, state=TcpState.CLOSE, deadline=now), step, old, removed=True)
        # ASSURED once the handshake's last ACK moves SYN_RECV (or ESTABLISHED) to ESTABLISHED.
        assured = entry.assured or (
            old in (TcpState.SYN_RECV, TcpState.ESTABLISHED) and state is TcpState.ESTABLISHED)
        timeout = self.timeouts.tcp_timeout_close if segment.flags & RST else self.timeouts.tcp(state)
        new = self._counted(entry, direction, length, state=state, assured=assured,
                            seen_reply=entry.seen_reply or direction is Direction.REPLY,
                            deadline=now + timeout * NS)
        return Update(self._store(new), step, old)

    def remove(self, conn_id: int) -> ConnEntry | None:
        entry = self._entries.pop(conn_id, None)
        if entry is None:
            return None
        self._queued.pop(conn_id, None)
        del self._by_tuple[entry.original]
        del self._by_tuple[entry.reply]
        return entry

    def expire(self, now: int) -> list[ConnEntry]:
        """Remove and return (in deadline order) every entry whose deadline is ``<= now``."""
        gone: list[ConnEntry] = []
        heap = self._heap
        while heap and heap[0][0] <= now:
            deadline, conn_id = heapq.heappop(heap)
            if self._queued.get(conn_id) != deadline:
                continue  # stale: the entry is gone or a sooner deadline is queued
            entry = self._entries[conn_id]
            if entry.deadline <= now:
                self.remove(conn_id)
                gone.append(entry)
            else:
                self._queued[conn_id] = entry.deadline
                heapq.heappush(heap, (entry.deadline, conn_id))
        return gone

    def next_deadline(self) -> int | None:
        """The earliest instant at which ``expire`` can remove something (for a timer)."""
        return self._heap_min()

    # --- internals -------------------------------------------------------------------------

    def _heap_min(self) -> int | None:
        heap = self._heap
        while heap:
            deadline, conn_id = heap[0]
            if self._queued.get(conn_id) != deadline:
                heapq.heappop(heap)
                continue
            entry = self._entries[conn_id]
            if entry.deadline == deadline:
                return deadline
            heapq.heappop(heap)
            self._queued[conn_id] = entry.deadline
            heapq.heappush(heap, (entry.deadline, conn_id))
        return None

    @staticmethod
    def _counted(entry: ConnEntry, direction: Direction, length: int, *, state=None, deadline: int | None = None,
                 seen_reply: bool | None = None, assured: bool | None = None) -> ConnEntry:
        """The entry with one more packet counted and the given fields changed (a new value:
        built directly, as ``dataclasses.replace`` costs twice as much on this hot path)."""
        (po, pr), (bo, br) = entry.packets, entry.bytes
        if direction is Direction.ORIGINAL:
            po, bo = po + 1, bo + length
        else:
            pr, br = pr + 1, br + length
        return ConnEntry(
            entry.id, entry.original, entry.reply, entry.kind,
            entry.state if state is None else state,
            entry.created,
            entry.deadline if deadline is None else deadline,
            entry.seen_reply if seen_reply is None else seen_reply,
            entry.assured if assured is None else assured,
            entry.rule, (po, pr), (bo, br))

    def _store(self, entry: ConnEntry) -> ConnEntry:
        self._entries[entry.id] = entry
        self._arm(entry)
        return entry

    def _arm(self, entry: ConnEntry) -> None:
        queued = self._queued.get(entry.id)
        if queued is None or entry.deadline < queued:
            self._queued[entry.id] = entry.deadline
            heapq.heappush(self._heap, (entry.deadline, entry.id))
