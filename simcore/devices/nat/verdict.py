"""What the NAT says about one packet: a frozen value the router's hooks act on.

``action`` tells the hook what to do; ``packet`` is what to do it with; ``reason`` is a stable
code (for tests, counters and trace events) and ``sentence`` a plain explanation naming
addresses, which the engine may rephrase with device names. ``notes`` are the table changes the
packet caused (a mapping created, a state change, entries that expired), each a trace event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from simcore.packets import IPv4

from .conntrack import ConnEntry


class Action(Enum):
    TRANSLATE = "translate"  # continue with ``packet``, its addresses/ports rewritten
    ACCEPT = "accept"  # continue with ``packet`` unchanged (the router's own traffic, or not NAT's)
    REPLY = "reply"  # stop the packet; send ``packet`` (the NAT's own answer) back where it came from
    DROP = "drop"  # stop the packet; ``reason`` says why


@dataclass(frozen=True, slots=True)
class Note:
    """A change to the NAT's tables, for the trace and the live tables."""

    code: str  # nat.mapping-created | nat.port-remapped | nat.state | nat.expired | nat.closed | nat.forward-hit
    sentence: str
    entry: ConnEntry | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Action
    packet: IPv4 | None  # None only for DROP
    reason: str
    # The sentence, or a function that makes it: on the hot path (a packet of a known
    # connection) it is only built if someone reads ``sentence`` (the trace, when it is on).
    text: str | Callable[[], str] = field(compare=False)
    entry: ConnEntry | None = None  # the connection the packet belongs to, after it was counted
    notes: tuple[Note, ...] = ()

    @property
    def sentence(self) -> str:
        text = self.text
        return text if isinstance(text, str) else text()

    @property
    def delivered(self) -> bool:
        """Whether the packet goes on (translated or not)."""
        return self.action in (Action.TRANSLATE, Action.ACCEPT)


# Reason codes, stable: tests and the trace key on them.
SNAT_NEW = "nat.snat.new"  # outbound, a new masquerade mapping
SNAT = "nat.snat"  # outbound, an existing mapping
UNSNAT = "nat.unsnat"  # inbound reply to a masqueraded connection, destination restored
DNAT_NEW = "nat.dnat.new"  # inbound, a port forward rule hit
DNAT = "nat.dnat"  # inbound, later packets of a forwarded connection
UNDNAT = "nat.undnat"  # outbound reply of a forwarded connection, source restored
RELATED = "nat.related"  # an ICMP error about a tracked connection, inner header translated too
LOCAL = "nat.local"  # the router's own connection (tracked, untranslated)
PASS = "nat.pass"  # nothing for the NAT to do (not from inside, not to the public address)
RESET = "nat.reset"  # TCP to a public port with no mapping and no rule: RST sent
DROP_NO_MAPPING = "nat.drop.no-mapping"
DROP_INSIDE_ADDRESS = "nat.drop.inside-address"
DROP_UNRELATED_ERROR = "nat.drop.unrelated-error"
DROP_INVALID = "nat.drop.invalid"
DROP_UNTRACKABLE = "nat.drop.untrackable"
DROP_FRAGMENT = "nat.drop.fragment"
DROP_EXHAUSTED = "nat.drop.ports-exhausted"
DROP_CLASH = "nat.drop.clash"
