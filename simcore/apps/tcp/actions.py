"""What a TCP socket asks of the world: the values its methods return.

A socket never touches an interface, a clock or an engine (smoltcp's ``socket/tcp.rs`` rule):
every method takes ``now`` (integer nanoseconds) and returns a list of these actions, in the
order they happen. The glue sends each ``Emit`` down the IPv4 stack, schedules each
``SetTimer`` on the engine (calling ``on_timer(at_ns, key)`` back), and hands ``Deliver``,
``EndOfStream``, ``Connected`` and ``Closed`` to the application and the trace.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from simcore.packets.tcp import Tcp


class TcpState(enum.Enum):
    """The connection states of RFC 9293 §3.3.2 (Figure 5)."""

    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN-SENT"
    SYN_RECEIVED = "SYN-RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN-WAIT-1"
    FIN_WAIT_2 = "FIN-WAIT-2"
    CLOSE_WAIT = "CLOSE-WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST-ACK"
    TIME_WAIT = "TIME-WAIT"


class CloseReason(enum.Enum):
    """Why a connection ended; the value is the errno text a Linux program would see."""

    NORMAL = "closed"
    REFUSED = "Connection refused"  # RST answering our SYN (ECONNREFUSED)
    RESET = "Connection reset by peer"  # RST on a synchronized connection (ECONNRESET)
    TIMEOUT = "Connection timed out"  # retransmissions exhausted (ETIMEDOUT)
    UNREACHABLE = "No route to host"  # ICMP host/net unreachable while connecting (EHOSTUNREACH)
    ABORTED = "aborted"  # the local application called abort()


class TimerKind(enum.Enum):
    RETRANSMIT = "retransmit"  # RFC 6298 retransmission timer
    TIME_WAIT = "time-wait"  # 2*MSL, Linux's fixed 60 s (TCP_TIMEWAIT_LEN)
    DELACK = "delack"  # the delayed ACK (delack.py): an ACK owed but not sent yet
    APP = "app"  # a deadline the application asked for (curl's -m); TcpTable routes it


@dataclass(frozen=True, slots=True)
class ConnKey:
    """The 4-tuple naming a connection, seen from the local side."""

    local_ip: str
    local_port: int
    remote_ip: str
    remote_port: int

    def __str__(self) -> str:
        return f"{self.local_ip}:{self.local_port}\u2194{self.remote_ip}:{self.remote_port}"


@dataclass(frozen=True, slots=True)
class TimerKey:
    """Names one timer of one connection, so the glue can call the right socket back."""

    conn: ConnKey
    kind: TimerKind


@dataclass(frozen=True, slots=True)
class Emit:
    """Send ``seg`` from ``src_ip`` to ``dst_ip`` (IPv4 protocol 6)."""

    seg: Tcp
    src_ip: str
    dst_ip: str


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Call ``on_timer(at_ns, key)`` at ``at_ns``; replaces any earlier instant for ``key``.
    A socket ignores a call for an instant it no longer wants, so a glue that cannot cancel
    engine events stays correct."""

    key: TimerKey
    at_ns: int


@dataclass(frozen=True, slots=True)
class CancelTimer:
    key: TimerKey


@dataclass(frozen=True, slots=True)
class Deliver:
    """In-order bytes for the application."""

    data: bytes


@dataclass(frozen=True, slots=True)
class EndOfStream:
    """The peer sent FIN: no more bytes will come (a Linux read() returns 0)."""


@dataclass(frozen=True, slots=True)
class Connected:
    """The three-way handshake completed (ESTABLISHED)."""


@dataclass(frozen=True, slots=True)
class AllAcked:
    """Everything the application wrote has been acknowledged by the peer (the send queue is
    empty again): an application that writes in steps can take its next one."""


@dataclass(frozen=True, slots=True)
class Closed:
    """The connection reached CLOSED; nothing of it remains."""

    reason: CloseReason


@dataclass(frozen=True, slots=True)
class Note:
    """A sentence for the trace: why the socket did what it did. ``kind`` is the trace event kind
    (``tcp.connect``, ``tcp.accept``, ``tcp.established``, ``tcp.retransmit``, ``tcp.fast_retransmit``,
    ``tcp.gave_up``, ``tcp.refused``, ``tcp.reset_sent``, ``tcp.reset_received``, ``tcp.out_of_order``,
    ``tcp.fin_received``, ``tcp.time_wait``, ``tcp.time_wait_reused``, ``tcp.closed``,
    ``tcp.unreachable``, ``tcp.syn_dropped``)."""

    text: str
    kind: str = "tcp.note"


Action = Emit | SetTimer | CancelTimer | Deliver | EndOfStream | Connected | AllAcked | Closed | Note
