"""simcore.devices.nat — a router's NAT as pure logic: masquerade, connection tracking, port forwards.

Contract of this package (no engine, no NICs, no trace: values in, values out):

* ``Nat(public_ip, inside_networks, rng, forwards=...)`` is the NAT of one uplink.
  ``outbound(now, packet)`` is its POSTROUTING hook (a packet leaving by the uplink) and
  ``inbound(now, packet)`` its PREROUTING hook (a packet arriving on it). Both take the time in
  integer nanoseconds and an ``IPv4`` value, and return a frozen ``Verdict``: an ``Action``
  (TRANSLATE / ACCEPT: go on with ``verdict.packet``; REPLY: send ``verdict.packet`` back out the
  uplink instead; DROP), a stable ``reason`` code, a sentence naming addresses, the connection
  entry, and ``notes`` (table changes: mappings created, states, expiries) for the trace.
* Randomness only from the ``rng`` passed in (the run's ``random.Random``), consumed only when a
  source port or echo id must be replaced; time only from ``now``. Nothing iterates a set.
* ``expire(now)`` / ``next_deadline()`` let the engine remove timed-out entries at their instant;
  the hooks also expire lazily, so results never depend on when a timer ran.
* ``conntrack_text(now)`` is ``conntrack -L`` (stdout, stderr); ``table_rows(now)`` and
  ``forwards.rows()`` are the JSON rows of the live NAT and port-forward tables.

Modules: ``tuples`` (flow keys read from packets), ``states`` (TCP/UDP/ICMP state machines and
Linux's timeouts), ``conntrack`` (the table), ``related`` (ICMP errors' quoted datagrams),
``reset`` (RST for closed ports), ``portforward`` (VirtualBox-form rules), ``verdict``,
``format`` (conntrack -L), ``command`` (the ``conntrack`` console command: -L with filters, -C,
-F), ``masquerade`` (the decisions), ``hooks`` (optional glue to an IPv4
stack's PREROUTING/POSTROUTING lists; the only module that knows a stack exists, duck-typed).
"""

from .conntrack import ConnEntry, ConnTrack, NatKind
from .format import conntrack_line, format_conntrack, table_rows
from .masquerade import DEFAULT_PORT_RANGE, Nat
from .portforward import ForwardTable, PortForward
from .reset import reset_for
from .states import LINUX_TIMEOUTS, Direction, IcmpState, TcpState, Timeouts, UdpState
from .tuples import FlowTuple, flow_tuple
from .verdict import Action, Note, Verdict

__all__ = [
    "Action",
    "ConnEntry",
    "ConnTrack",
    "conntrack_line",
    "DEFAULT_PORT_RANGE",
    "Direction",
    "flow_tuple",
    "FlowTuple",
    "format_conntrack",
    "ForwardTable",
    "IcmpState",
    "LINUX_TIMEOUTS",
    "Nat",
    "NatKind",
    "Note",
    "PortForward",
    "reset_for",
    "table_rows",
    "TcpState",
    "Timeouts",
    "UdpState",
    "Verdict",
]
