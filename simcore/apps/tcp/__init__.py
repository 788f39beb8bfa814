"""TCP as pure state machines over packet values (the *socket* layer, smoltcp style).

Contract of this layer:
- Nothing here knows an interface, an engine or a clock. Every call takes ``now`` (integer
  nanoseconds) and returns a list of ``actions`` (``Emit`` a segment, ``SetTimer``/``CancelTimer``,
  ``Deliver`` bytes, ``EndOfStream``, ``Connected``, ``Closed(reason)``, ``Note`` for the trace).
- Randomness (initial sequence numbers, timestamp offsets, ephemeral ports) comes only from the
  ``random.Random`` passed in; nothing iterates a set; the same inputs give the same actions.
- Segments are ``simcore.packets.tcp.Tcp`` values; addresses are dotted strings.
- Imports point down: ``simcore.packets`` only.

Entry points: ``TcpTable`` (one per host: demultiplexing, listeners, ephemeral ports, apps),
``TcpSocket`` (one connection), ``TcpListener``, ``reset_for`` and the ``stream`` helpers that
join applications (``simcore.apps.http``) to sockets, and ``ss_lines`` (what ``ss -tan`` prints).
See docs/tcp.md.
"""

from .actions import (
    Action,
    AllAcked,
    CancelTimer,
    Closed,
    CloseReason,
    Connected,
    ConnKey,
    Deliver,
    Emit,
    EndOfStream,
    Note,
    SetTimer,
    TcpState,
    TimerKey,
    TimerKind,
)
from .config import TcpConfig
from .listener import TcpListener
from .reset import reset_for
from .socket import TcpSocket
from .ss import ss_lines, ss_rows
from .stream import StreamApp, StreamOps, pump
from .table import TcpTable

__all__ = [
    "Action", "AllAcked", "CancelTimer", "Closed", "CloseReason", "ConnKey", "Connected", "Deliver", "Emit",
    "EndOfStream", "Note", "SetTimer", "StreamApp", "StreamOps", "TcpConfig", "TcpListener",
    "TcpSocket", "TcpState", "TcpTable", "TimerKey", "TimerKind", "pump", "reset_for", "ss_lines", "ss_rows",
]
