"""What the neighbour table asks its host stack to do: small frozen values, returned in order.

The table (``neighbour.py``) knows no NIC, engine or trace: every input is a method call with
``now`` (integer nanoseconds), every output is a list of these values, which the IPv4 stack
carries out in the order given (the order is the order of the frames on the wire and of the
trace events). NICs are named by ``dev`` (the NIC name), entries by ``(dev, ip)``.

* ``SendArpRequest``: an ARP who-has for ``ip`` out of ``dev``; broadcast when ``unicast_mac``
  is None, else a unicast re-ask to the cached address (PROBE), as Linux's arp_solicit.
* ``Transmit``: ``ip`` is at ``mac``: send these IPv4 packets out of ``dev`` to that MAC.
* ``Drop``: these packets will never be sent; ``reason`` is the trace's drop reason
  (``arp.queue_full``, ``arp.failed``). ``arp.failed`` drops are also answered with ICMP host
  unreachable (Linux's arp_error_report), a full queue's oldest packet is not.
* ``SetTimer``: call ``on_timer(now, key, token)`` at ``at_ns``. A later ``SetTimer`` or state
  change of the same entry makes the earlier token void, so the host never cancels: a void
  timer that fires does nothing.
* ``StateChanged``: an entry moved from ``old`` (None: it is new) to ``state``, for the trace
  (``arp.entry``); ``mac`` is the entry's address at that moment.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class NudState(enum.Enum):
    """Linux's neighbour states (``ip neigh`` names; NUD = neighbour unreachability detection)."""

    INCOMPLETE = "INCOMPLETE"
    REACHABLE = "REACHABLE"
    STALE = "STALE"
    DELAY = "DELAY"
    PROBE = "PROBE"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class SendArpRequest:
    dev: str
    ip: str
    unicast_mac: str | None


@dataclass(frozen=True, slots=True)
class Transmit:
    dev: str
    mac: str
    packets: tuple


@dataclass(frozen=True, slots=True)
class Drop:
    dev: str
    ip: str
    packets: tuple
    reason: str


@dataclass(frozen=True, slots=True)
class SetTimer:
    key: tuple[str, str]
    at_ns: int
    token: int


@dataclass(frozen=True, slots=True)
class StateChanged:
    dev: str
    ip: str
    mac: str | None
    state: NudState
    old: NudState | None
    why: str


Action = SendArpRequest | Transmit | Drop | SetTimer | StateChanged
Packet = Any  # an IPv4 value; the table only holds and hands back
