"""simcore.apps.dhcp — DHCP client and server as pure protocol state machines (RFC 2131).

Contract of this package (the *socket* layer of smoltcp's layering):

* The machines know no interfaces, sockets, engine or clock. Every input is a method call that
  carries ``now`` (integer nanoseconds of the engine clock) and, for messages, the decoded
  ``simcore.packets.Dhcp`` with its IP/MAC addressing; every output is a list of small frozen
  action values (``actions.py``) that the host glue carries out in order.
* Timers are named: ``SetTimer(id, at_ns)`` asks for ``on_timer(now, id)`` at ``at_ns``; setting
  an id again replaces it; ``CancelTimer(id)`` forgets it. A timer that fires late or stale is
  harmless (the machine checks its state).
* Randomness (transaction ids, retransmission jitter) only from the ``random.Random`` passed to
  the client. No sets are iterated, no wall clock is read: same inputs, same actions.
* Imports point down: ``simcore.packets`` only.

``DhcpClient(mac, hostname, rng)`` (ISC dhclient 4.4): ``start``, ``on_message``, ``on_timer``,
``release``.
``DhcpServer(server_ip, server_mac, pool_start, pool_end, prefix_len, lease_s, router, dns,
domain, probe)``: ``on_message``, ``on_timer``, ``on_probe_result``, ``leases``.
``frame_for(send, src_mac)`` builds the reference Ethernet frame of a ``Send``; ``Note.log``
carries dhclient's own log lines (``dhclient -v``). See ``docs/dhcp.md`` for the behaviour, the
timer schedule and what the host glue must do.
"""

from .actions import (
    SECOND_NS,
    Action,
    Bind,
    CancelTimer,
    Note,
    Send,
    SendArpProbe,
    SendIcmpProbe,
    SetTimer,
    Unbind,
)
from .client import ClientState, DhcpClient
from .client_lease import ClientLease
from .framing import frame_for
from .leases import Lease, LeaseState, LeaseTable
from .options import CLIENT_PORT, DHCLIENT_PARAMETER_REQUEST_LIST, SERVER_PORT
from .server import DhcpServer

__all__ = [
    "Action",
    "Bind",
    "CancelTimer",
    "CLIENT_PORT",
    "ClientLease",
    "ClientState",
    "DHCLIENT_PARAMETER_REQUEST_LIST",
    "DhcpClient",
    "DhcpServer",
    "frame_for",
    "Lease",
    "LeaseState",
    "LeaseTable",
    "Note",
    "SECOND_NS",
    "Send",
    "SendArpProbe",
    "SendIcmpProbe",
    "SERVER_PORT",
    "SetTimer",
    "Unbind",
]
