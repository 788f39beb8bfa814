"""Per-protocol connection states and timeouts, as Linux's conntrack keeps them.

TCP follows the transition table of ``net/netfilter/nf_conntrack_proto_tcp.c``
(``tcp_conntracks[dir][index][state]``): the packet's flags pick a row (RST, SYN, SYN+ACK, FIN,
ACK, none), its direction the half, the current state the column. Window tracking
(``tcp_in_window``) is not modelled: a simulated TCP never sends out-of-window segments.

Timeouts are the defaults of the ``net.netfilter.nf_conntrack_*`` sysctls (kernel 6.x), in
seconds; an entry is refreshed to the timeout of its new state by every packet it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from simcore.packets import ACK, FIN, RST, SYN


class Direction(Enum):
    ORIGINAL = 0  # the way the first packet went
    REPLY = 1


class TcpState(Enum):
    """Linux's names, as ``conntrack -L`` prints them (tcp_conntrack_names)."""

    NONE = "NONE"
    SYN_SENT = "SYN_SENT"
    SYN_RECV = "SYN_RECV"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT = "FIN_WAIT"
    CLOSE_WAIT = "CLOSE_WAIT"
    LAST_ACK = "LAST_ACK"
    TIME_WAIT = "TIME_WAIT"
    CLOSE = "CLOSE"
    SYN_SENT2 = "SYN_SENT2"  # a SYN seen from the reply side too: simultaneous open


class UdpState(Enum):
    """UDP has no states on the wire; conntrack's status bits make three."""

    UNREPLIED = "UNREPLIED"  # only the original direction seen so far
    REPLIED = "REPLIED"  # a reply seen, but not yet a stream (see udp_step)
    ASSURED = "ASSURED"  # traffic both ways and still alive 2 s after the first packet


class IcmpState(Enum):
    UNREPLIED = "UNREPLIED"
    REPLIED = "REPLIED"


class Step(Enum):
    """What the state machine says about a packet beyond the new state."""

    OK = "ok"
    IGNORED = "ignored"  # sIG: passed and translated, state and timeout untouched
    INVALID = "invalid"  # sIV: conntrack refuses it; the NAT drops it


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. Field names are the sysctl names without ``net.netfilter.nf_conntrack_``."""

    icmp_timeout: int = 30
    udp_timeout: int = 30
    udp_timeout_stream: int = 120
    tcp_timeout_syn_sent: int = 120
    tcp_timeout_syn_recv: int = 60
    tcp_timeout_established: int = 432000
    tcp_timeout_fin_wait: int = 120
    tcp_timeout_close_wait: int = 60
    tcp_timeout_last_ack: int = 30
    tcp_timeout_time_wait: int = 120
    tcp_timeout_close: int = 10

    def tcp(self, state: TcpState) -> int:
        return {
            TcpState.SYN_SENT: self.tcp_timeout_syn_sent,
            TcpState.SYN_SENT2: self.tcp_timeout_syn_sent,
            TcpState.SYN_RECV: self.tcp_timeout_syn_recv,
            TcpState.ESTABLISHED: self.tcp_timeout_established,
            TcpState.FIN_WAIT: self.tcp_timeout_fin_wait,
            TcpState.CLOSE_WAIT: self.tcp_timeout_close_wait,
            TcpState.LAST_ACK: self.tcp_timeout_last_ack,
            TcpState.TIME_WAIT: self.tcp_timeout_time_wait,
            TcpState.CLOSE: self.tcp_timeout_close,
        }[state]


LINUX_TIMEOUTS = Timeouts()

# A UDP flow becomes a stream (ASSURED, 120 s) only if still active 2 s after its first packet
# (nf_conntrack_proto_udp.c: ct->proto.udp.stream_ts = 2 * HZ + jiffies): a DNS query and its
# answer stay at 30 s.
UDP_STREAM_AFTER_NS = 2_000_000_000

# --- TCP -------------------------------------------------------------------------------------

_IG = "IG"  # ignore
_IV = "IV"  # invalid
_S = TcpState
_COLUMNS = (_S.NONE, _S.SYN_SENT, _S.SYN_RECV, _S.ESTABLISHED, _S.FIN_WAIT, _S.CLOSE_WAIT,
            _S.LAST_ACK, _S.TIME_WAIT, _S.CLOSE, _S.SYN_SENT2)
sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 = _COLUMNS

# Rows: what the flags say (get_conntrack_index: RST wins, then SYN/SYN+ACK, then FIN, then ACK).
_ORIGINAL = {
    "syn":    (sSS, sSS, _IG, _IG, _IG, _IG, _IG, sSS, sSS, sS2),
    "synack": (_IV, _IV, sSR, _IV, _IV, _IV, _IV, _IV, _IV, sSR),
    "fin":    (_IV, _IV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, _IV),
    "ack":    (sES, _IV, sES, sES, sCW, sCW, sTW, sTW, sCL, _IV),
    "rst":    (_IV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL),
    "none":   (_IV,) * 10,
}
_REPLY = {
    "syn":    (_IV, sS2, _IV, _IV, _IV, _IV, _IV, sSS, _IV, sS2),
    "synack": (_IV, sSR, _IG, _IG, _IG, _IG, _IG, _IG, _IG, sSR),
    "fin":    (_IV, _IV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, _IV),
    "ack":    (_IV, _IG, sSR, sES, sCW, sCW, sTW, sTW, sCL, _IG),
    "rst":    (_IV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL),
    "none":   (_IV,) * 10,
}
_COLUMN = {state: i for i, state in enumerate(_COLUMNS)}


def tcp_row(flags: int) -> str:
    if flags & RST:
        return "rst"
    if flags & SYN:
        return "synack" if flags & ACK else "syn"
    if flags & FIN:
        return "fin"
    if flags & ACK:
        return "ack"
    return "none"


def tcp_next(state: TcpState, direction: Direction, flags: int) -> tuple[TcpState, Step]:
    """The new state for a segment with ``flags`` going ``direction`` (state unchanged unless OK)."""
    table = _ORIGINAL if direction is Direction.ORIGINAL else _REPLY
    cell = table[tcp_row(flags)][_COLUMN[state]]
    if cell == _IG:
        return state, Step.IGNORED
    if cell == _IV:
        return state, Step.INVALID
    return cell, Step.OK


def tcp_can_start(flags: int) -> bool:
    """Whether a segment may create a connection: a SYN, or (nf_conntrack_tcp_loose=1, the
    default) a bare ACK picked up mid-stream (tcp_new: sNO row of the ORIGINAL table)."""
    return tcp_next(TcpState.NONE, Direction.ORIGINAL, flags)[1] is Step.OK
