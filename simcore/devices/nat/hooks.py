"""Optional glue: plug a ``Nat`` into an IPv4 stack's PREROUTING and POSTROUTING hook lists.

Duck-typed against ``simcore.stack.ipv4.Stack`` (hooks are ``hook(stack, packet, nic) -> packet |
None``; the stack has ``engine`` (``now`` in ns, ``at``), ``tracer`` (``on``, ``emit(kind, text,
frame=None, **fields)``), ``node_id``, ``send_ip(packet)`` and ``drop(packet, reason, text, nic)``),
so this package still imports nothing above ``packets``. Only packets through the uplink NIC are
NAT's business; the others pass untouched.

Trace: every table change (``Verdict.notes``, and expiries found by a timer armed at
``Nat.next_deadline()``) is emitted with the note's code as the event kind (``nat.mapping-created``,
``nat.port-remapped``, ``nat.forward-hit``, ``nat.state``, ``nat.closed``, ``nat.expired``);
drops go through ``stack.drop`` with the verdict's reason; a reply (the TCP reset) is sent with
``stack.send_ip``.
"""

from __future__ import annotations

from typing import Any

from .masquerade import Nat
from .verdict import Action, Note, Verdict


class NatHooks:
    def __init__(self, nat: Nat, stack: Any, uplink: str, *, timers: bool = True):
        self.nat = nat
        self.stack = stack
        self.uplink = uplink
        self.timers = timers
        self._timer_at: int | None = None

    def install(self) -> NatHooks:
        self.stack.prerouting.append(self.prerouting)
        self.stack.postrouting.append(self.postrouting)
        return self

    def prerouting(self, stack: Any, packet: Any, nic: Any) -> Any:
        if nic is None:
            return packet
        if nic.name != self.uplink:
            # With ``forward_from`` (VirtualBox-style forwards) a guest answers the router's own
            # inside address: undo the NAT before routing, as Linux's conntrack does in PREROUTING.
            if (self.nat.forward_from is not None and packet.dst == self.nat.forward_from
                    and self.nat.answers_forward(packet)):
                verdict = self.nat.outbound(stack.engine.now, packet)
                if verdict.action is Action.TRANSLATE:
                    return self._apply(verdict, packet, nic)
            return packet
        return self._apply(self.nat.inbound(stack.engine.now, packet), packet, nic)

    def postrouting(self, stack: Any, packet: Any, nic: Any) -> Any:
        if nic is None or nic.name != self.uplink:
            return packet
        return self._apply(self.nat.outbound(stack.engine.now, packet), packet, nic)

    def _apply(self, verdict: Verdict, packet: Any, nic: Any) -> Any:
        if verdict.notes:
            self._trace(verdict.notes)
        if self.timers:
            self._arm()
        action = verdict.action
        if action is Action.TRANSLATE or action is Action.ACCEPT:
            return verdict.packet
        stack = self.stack
        if action is Action.REPLY:
            stack.send_ip(verdict.packet)
            return None
        stack.drop(packet, verdict.reason, verdict.sentence if stack.tracer.on else "", nic)
        return None

    def _trace(self, notes: tuple[Note, ...]) -> None:
        tracer = self.stack.tracer
        if not tracer.on:
            return
        for note in notes:
            fields: dict = {"node": self.stack.node_id, "nic": self.uplink}
            if note.entry is not None:
                fields["conn"] = note.entry.id
                fields["protocol"] = note.entry.original.label
                fields["state"] = note.entry.state.value
            tracer.emit(note.code, note.sentence, **fields)

    def _arm(self) -> None:
        due = self.nat.next_deadline()
        if due is None or (self._timer_at is not None and self._timer_at <= due):
            return
        self._timer_at = due
        self.stack.engine.at(max(due, self.stack.engine.now), self._tick)

    def _tick(self) -> None:
        self._timer_at = None
        notes = self.nat.expire(self.stack.engine.now)
        if notes:
            self._trace(notes)
        self._arm()
