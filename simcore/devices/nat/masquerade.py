"""The NAT of a router's uplink: masquerade out, replies and port forwards in.

Modelled on nftables on a Linux hypervisor (``ip saddr <inside> oifname <uplink> masquerade``
plus ``dnat`` rules for port forwards, the forward chain refusing anything else new from the
uplink):

* **Outbound** (POSTROUTING on the uplink). A packet from an inside network opens a connection:
  its source becomes the public address, keeping the source port / echo id when the resulting
  reply tuple is free (Linux keeps it unless the full tuple clashes:
  ``nf_nat_used_tuple``); otherwise a fresh one is drawn from the run's RNG in ``port_range``
  and probed upwards. Later packets follow the table.
* **Inbound** (PREROUTING on the uplink). A reply is translated back; the first packet to a
  forwarded public port is DNATed to the guest (client address kept), later ones follow the
  table; a TCP segment to any other public port is answered with a reset; an echo request to the
  public address is the router's own to answer; anything else is dropped with its reason.
* **ICMP errors** about a tracked connection are translated, quoted datagram included
  (``related.py``); errors about nothing tracked are dropped (RFC 5508 §4).
* The router's own traffic from its public address is tracked but not translated (Linux
  tracks locally generated packets too), so replies to it reach the router.

TTL is not touched: decrementing it is the router's forwarding, not NAT.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import replace

from simcore.packets import ICMP_ECHO_REQUEST, PROTO_ICMP, PROTO_TCP, PROTO_UDP, IcmpError, IPv4

from . import verdict as V
from .conntrack import ConnEntry, ConnTrack, NatKind
from .format import format_conntrack, table_rows
from .portforward import ForwardTable, PortForward
from .related import quoted_tuple, rewrite_quote
from .reset import reset_for
from .states import LINUX_TIMEOUTS, Direction, Step, TcpState, Timeouts, tcp_can_start, tcp_next
from .tuples import ARROW as _A
from .tuples import FlowTuple, flags_text, flow_tuple, ip_length, key_word, reply_key, with_key, with_tuple
from .verdict import Action, Note, Verdict

# Fresh ports and ids come from Linux's default ip_local_port_range (net.ipv4.ip_local_port_range
# = 32768 60999), the range a real host's own connections use. Linux's masquerade itself, without --to-ports, draws
# from 1024-65535 (nf_nat_l4proto_unique_tuple); pass port_range=(1024, 65535) for that.
DEFAULT_PORT_RANGE = (32768, 60999)

_REASONS = {
    (NatKind.SNAT, Direction.ORIGINAL): V.SNAT,
    (NatKind.SNAT, Direction.REPLY): V.UNSNAT,
    (NatKind.DNAT, Direction.ORIGINAL): V.DNAT,
    (NatKind.DNAT, Direction.REPLY): V.UNDNAT,
}


class Nat:
    def __init__(self, public_ip: str, inside_networks: Iterable[str], rng, *,
                 forwards: Iterable[PortForward] = (), port_range: tuple[int, int] = DEFAULT_PORT_RANGE,
                 timeouts: Timeouts = LINUX_TIMEOUTS, listening: Callable[[int, int], bool] | None = None,
                 forward_from: str | None = None):
        """``listening(proto, port)``, when given, says whether the router itself has a socket on a
        public TCP/UDP port (a service, its DHCP client): Linux delivers unmatched traffic to such a
        socket instead of answering RST / dropping it.

        ``forward_from``: None (nftables DNAT: the guest sees the real client address), or an
        inside address forwarded connections come from instead (VirtualBox's NAT engine: 10.0.2.2).
        """
        try:
            ipaddress.IPv4Address(public_ip)
        except ValueError:
            raise ValueError(f"nat: public address is not an IPv4 address: {public_ip!r}") from None
        if isinstance(inside_networks, str):
            raise TypeError(f"nat: inside_networks must be a list of CIDRs, not the string {inside_networks!r}")
        networks = []
        for cidr in inside_networks:
            try:
                networks.append(ipaddress.IPv4Network(cidr, strict=False))
            except ValueError:
                raise ValueError(f"nat: inside network is not an IPv4 CIDR: {cidr!r}") from None
        if not networks:
            raise ValueError("nat: at least one inside network is needed")
        if not callable(getattr(rng, "randrange", None)):
            raise TypeError(f"nat: rng must be the run's random.Random, not {rng!r}")
        lo, hi = port_range
        if not 1 <= lo <= hi <= 65535:
            raise ValueError(f"nat: port range must be within 1-65535 and low <= high, not {port_range!r}")
        self.public_ip = public_ip
        self.inside_networks = tuple(networks)
        self.rng = rng
        self.port_range = (lo, hi)
        self.table = ConnTrack(timeouts)
        self.forwards = ForwardTable()
        for rule in forwards:
            self.forwards.add(rule)
        self.listening = listening
        if forward_from is not None:
            try:
                ipaddress.IPv4Address(forward_from)
            except ValueError:
                raise ValueError(f"nat: forward_from is not an IPv4 address: {forward_from!r}") from None
        self.forward_from = forward_from
        # Other NATs sharing this public address's port space (VirtualBox's per-VM NAT engines
        # all open their sockets on one host): a tuple one of them uses is taken for all.
        self.peers: list[Nat] = []
        self._inside: dict[str, bool] = {}

    # --- the two hooks ---------------------------------------------------------------------

    def outbound(self, now: int, packet: IPv4) -> Verdict:
        """A packet leaving through the uplink (after routing, before the wire)."""
        notes = self._expire_notes(now)
        if packet.is_fragment and packet.src != self.public_ip and self.is_inside(packet.src):
            return self._drop(V.DROP_FRAGMENT, f"{packet.src} {_A} {packet.dst} is a fragment: conntrack needs the "
                              "whole datagram to read its ports, and this router does not reassemble.", notes)
        if packet.is_fragment:
            return Verdict(Action.ACCEPT, packet, V.PASS, f"{packet.src} {_A} {packet.dst} is a fragment not from "
                           "an inside network: left as is.", notes=notes)
        if packet.proto == PROTO_ICMP and isinstance(packet.payload, IcmpError):
            return self._related(now, packet, inbound=False, notes=notes)
        t = flow_tuple(packet)
        if t is None:
            if packet.src == self.public_ip or not self.is_inside(packet.src):
                return Verdict(Action.ACCEPT, packet, V.PASS, f"{packet.src} {_A} {packet.dst} (protocol "
                               f"{packet.proto}) is not tracked and not from an inside network: left as is.", notes=notes)
            return self._drop(V.DROP_UNTRACKABLE, f"{packet.src} {_A} {packet.dst} (protocol {packet.proto}) "
                              "cannot be tracked (only TCP, UDP and ICMP echo are), so it cannot be masqueraded.",
                              notes)
        hit, notes = self._lookup(packet, t, notes)
        if hit is not None:
            return self._follow(now, packet, t, hit, notes)
        if packet.src == self.public_ip:
            done = self.table.lookup(t.invert()) if self.forward_from else None
            if done is not None and done[1] is Direction.ORIGINAL and done[0].kind is NatKind.DNAT:
                # A guest's reply to ``forward_from`` was translated on the inside NIC already
                # (its destination is the router itself, so PREROUTING had to undo the NAT).
                return Verdict(Action.ACCEPT, packet, V.PASS, f"{t.describe()} was translated when it entered "
                               f"the router (connection #{done[0].id}).", done[0], notes)
            return self._track_local(now, packet, t, notes)
        if not self.is_inside(packet.src):
            return Verdict(Action.ACCEPT, packet, V.PASS, f"{t.describe()} does not come from an inside network: "
                           "masquerade leaves it as is.", notes=notes)
        return self._masquerade(now, packet, t, notes)

    def inbound(self, now: int, packet: IPv4) -> Verdict:
        """A packet arriving on the uplink (before routing)."""
        notes = self._expire_notes(now)
        if packet.dst != self.public_ip:
            if self.is_inside(packet.dst):
                return self._drop(V.DROP_INSIDE_ADDRESS, f"{packet.src} {_A} {packet.dst} is addressed to an inside "
                                  f"host: a NAT router lets in only replies and port forwards, sent to its public "
                                  f"address {self.public_ip}.", notes)
            return Verdict(Action.ACCEPT, packet, V.PASS, f"{packet.src} {_A} {packet.dst} is not for the public "
                           f"address {self.public_ip}: not NAT traffic, left to the router.", notes=notes)
        if packet.is_fragment:
            return self._drop(V.DROP_FRAGMENT, f"{packet.src} {_A} {packet.dst} is a fragment: conntrack needs the "
                              "whole datagram to read its ports, and this router does not reassemble.", notes)
        if packet.proto == PROTO_ICMP and isinstance(packet.payload, IcmpError):
            return self._related(now, packet, inbound=True, notes=notes)
        t = flow_tuple(packet)
        if t is None:
            return self._drop(V.DROP_UNTRACKABLE, f"{packet.src} {_A} {packet.dst} (protocol {packet.proto}) "
                              "matches no connection: only TCP, UDP and ICMP echo are tracked.", notes)
        hit, notes = self._lookup(packet, t, notes)
        if hit is not None:
            return self._follow(now, packet, t, hit, notes)
        if t.proto in (PROTO_TCP, PROTO_UDP):
            rule = self.forwards.match(t.proto, t.dst, t.dport)
            if rule is not None and (t.proto == PROTO_UDP or tcp_can_start(packet.payload.flags)):
                return self._forward(now, packet, t, rule, notes)
        return self._unsolicited(now, packet, t, notes)

    # --- table upkeep ----------------------------------------------------------------------

    def expire(self, now: int) -> tuple[Note, ...]:
        """Remove timed-out entries; one ``nat.expired`` note each (for a timer at next_deadline)."""
        return self._expire_notes(now)

    def next_deadline(self) -> int | None:
        return self.table.next_deadline()

    def entries(self) -> list[ConnEntry]:
        return self.table.entries()

    def conntrack_text(self, now: int, *, accounting: bool = False) -> tuple[str, str]:
        """``conntrack -L`` on the router: (stdout, stderr)."""
        self._expire_notes(now)
        return format_conntrack(self.table.entries(), now, accounting=accounting)

    def table_rows(self, now: int) -> list[dict]:
        self._expire_notes(now)
        return table_rows(self.table.entries(), now, self.public_ip)

    def add_forward(self, rule: PortForward) -> None:
        self.forwards.add(rule)

    def remove_forward(self, name: str) -> PortForward:
        """Remove a rule; connections it already forwarded live on until they time out (as in Linux)."""
        return self.forwards.remove(name)

    def claims(self, packet: IPv4) -> bool:
        """Whether a packet reaching the public address is this NAT's to take (a reply of one of
        its connections, a later packet of a forwarded one, or a new connection to a forwarded
        port); the rest is the router's own. Reads the table, changes nothing."""
        if packet.dst != self.public_ip or packet.is_fragment:
            return False
        if packet.proto == PROTO_ICMP and isinstance(packet.payload, IcmpError):
            quoted = quoted_tuple(packet.payload.original)
            hit = self.table.lookup(quoted.invert()) if quoted is not None else None
            return hit is not None and hit[0].kind is not NatKind.NONE
        t = flow_tuple(packet)
        if t is None:
            return False
        hit = self.table.find(t)
        if hit is not None:
            entry, direction, _ = hit
            return ((entry.kind is NatKind.SNAT and direction is Direction.REPLY)
                    or (entry.kind is NatKind.DNAT and direction is Direction.ORIGINAL))
        if t.proto in (PROTO_TCP, PROTO_UDP) and self.forwards.match(t.proto, t.dst, t.dport) is not None:
            return t.proto == PROTO_UDP or tcp_can_start(packet.payload.flags)
        return False

    def answers_forward(self, packet: IPv4) -> bool:
        """Whether a packet to ``forward_from`` is a guest's answer in a forwarded connection
        (anything else sent to that address is for the router itself: a ping of the gateway)."""
        t = flow_tuple(packet)
        hit = self.table.find(t) if t is not None else None
        return hit is not None and hit[0].kind is NatKind.DNAT and hit[1] is Direction.REPLY

    def _taken(self, t: FlowTuple) -> bool:
        return self.table.taken(t) or any(peer.table.taken(t) for peer in self.peers)

    def inside_of(self, packet: IPv4) -> str | None:
        """The inside address a packet leaving the router was translated from, or None when this
        NAT did not translate it (the trace says "hv sends vm's ping on", not "hv pings")."""
        t = flow_tuple(packet)
        hit = self.table.lookup(t.invert()) if t is not None else None
        if hit is None:
            return None
        entry, direction = hit
        # The packet goes the other way from the tuple found: what it was before translation is
        # the entry's tuple for its own direction.
        before = entry.reply if direction is Direction.ORIGINAL else entry.original
        return before.src if before.src != packet.src else None

    def is_inside(self, ip: str) -> bool:
        known = self._inside.get(ip)
        if known is None:
            try:
                addr = ipaddress.IPv4Address(ip)
            except ValueError:
                raise ValueError(f"nat: not an IPv4 address: {ip!r}") from None
            known = self._inside[ip] = any(addr in net for net in self.inside_networks)
        return known

    # --- the decisions ---------------------------------------------------------------------

    def _lookup(self, packet: IPv4, t: FlowTuple, notes: tuple[Note, ...]
                ) -> tuple[tuple[ConnEntry, Direction, FlowTuple] | None, tuple[Note, ...]]:
        """The entry of ``t``, unless a SYN reopens a closed one: Linux then deletes the old
        entry and looks up again (nf_conntrack_tcp_packet: "Attempt to reopen a closed/aborted
        connection"; RFC 1122 §4.2.2.13 lets a SYN reopen from TIME-WAIT)."""
        hit = self.table.find(t)
        if hit is None or t.proto != PROTO_TCP:
            return hit, notes
        entry, direction, _ = hit
        if entry.state in (TcpState.TIME_WAIT, TcpState.CLOSE):
            new_state, step = tcp_next(entry.state, direction, packet.payload.flags)
            if step is Step.OK and new_state is TcpState.SYN_SENT:
                self.table.remove(entry.id)
                return None, notes + (Note("nat.closed", f"connection #{entry.id} ({entry.original.describe()}) "
                                           f"is replaced: a new SYN reopens it from {entry.state.value}", entry),)
        return hit, notes

    def _follow(self, now: int, packet: IPv4, t: FlowTuple, hit: tuple[ConnEntry, Direction, FlowTuple],
                notes: tuple[Note, ...]) -> Verdict:
        entry, direction, out_tuple = hit
        update = self.table.account(now, entry, direction, packet.payload, ip_length(packet))
        if update.step is Step.INVALID:
            return self._drop(V.DROP_INVALID, f"{t.describe()} ({flags_text(packet)}) is not valid for connection "
                              f"#{entry.id} in state {entry.state.value}: conntrack marks it INVALID, so it is "
                              "not translated and the router drops it.", notes, entry)
        entry = update.entry
        if entry.state is not update.old_state:
            notes += (Note("nat.state", f"connection #{entry.id} ({entry.original.describe()}): "
                           f"{update.old_state.value} {_A} {entry.state.value}", entry),)
        if update.removed:
            notes += (Note("nat.closed", f"connection #{entry.id} ({entry.original.describe()}) is removed at "
                           "once: its only reply was a reset.", entry),)
        out = with_tuple(packet, out_tuple)
        if entry.kind is NatKind.NONE:
            return Verdict(Action.ACCEPT, out, V.LOCAL, lambda: f"{t.describe()} belongs to the router's own "
                           f"connection #{entry.id}: tracked, not translated.", entry, notes)
        side = "is a reply of" if direction is Direction.REPLY else "belongs to"
        return Verdict(Action.TRANSLATE, out, _REASONS[entry.kind, direction],
                       lambda: f"{t.describe()} {side} connection #{entry.id} ({entry.original.describe()}): "
                       f"rewritten to {out_tuple.describe()}.", entry, notes)

    def _masquerade(self, now: int, packet: IPv4, t: FlowTuple, notes: tuple[Note, ...]) -> Verdict:
        refusal = self._cannot_open(packet, t)
        if refusal is not None:
            return self._drop(V.DROP_INVALID, refusal, notes)
        reply = replace(t.invert(), dst=self.public_ip)
        kept = True
        if self._taken(reply):
            key = self._fresh_key(reply)
            if key is None:
                lo, hi = self.port_range
                return self._drop(V.DROP_EXHAUSTED, f"{t.describe()}: every {key_word(t)} {lo}-{hi} towards "
                                  f"{t.remote_end()} is in use, so masquerade cannot map it.", notes)
            reply = with_key(reply, key)
            kept = False
        entry = self.table.create(now, t, reply, NatKind.SNAT, packet.payload, ip_length(packet))
        out_tuple = entry.emitted(Direction.ORIGINAL)
        word = key_word(t)
        if kept:
            why = f"{word} {t.sport} kept, it was free"
        else:
            clash = self.table.lookup(with_key(reply, t.sport))
            user = f"connection #{clash[0].id}" if clash else "another NAT engine of this host"
            why = (f"{word} {t.sport} towards {t.remote_end()} is already used by {user}, so it gets the "
                   f"fresh {word} {reply_key(reply)}")
        notes += (Note("nat.mapping-created", f"new connection #{entry.id}: {t.local_end()} {_A} "
                       f"{out_tuple.local_end()} ({t.label}, to {t.remote_end()})", entry),)
        if not kept:
            notes += (Note("nat.port-remapped", f"connection #{entry.id}: {why}", entry),)
        return Verdict(Action.TRANSLATE, with_tuple(packet, out_tuple), V.SNAT_NEW,
                       f"{t.describe()} opens a new connection #{entry.id}: masquerade rewrites the source to the "
                       f"public address, {out_tuple.local_end()} ({why}).", entry, notes)

    def _forward(self, now: int, packet: IPv4, t: FlowTuple, rule: PortForward, notes: tuple[Note, ...]) -> Verdict:
        client = self.forward_from or t.src
        reply = FlowTuple(t.proto, rule.guest_ip, client, rule.guest_port, t.sport)
        if self.forward_from and self.table.taken(reply):
            key = self._fresh_key(reply)
            reply = reply if key is None else with_key(reply, key)
        if self.table.taken(reply):
            return self._drop(V.DROP_CLASH, f"{t.describe()} matches port forward {rule.name!r} but "
                              f"{reply.invert().describe()} is already a tracked connection.", notes)
        entry = self.table.create(now, t, reply, NatKind.DNAT, packet.payload, ip_length(packet), rule=rule.name)
        hits = self.forwards.hit(rule.name)
        out_tuple = entry.emitted(Direction.ORIGINAL)
        notes += (
            Note("nat.forward-hit", f"port forward {rule.name!r} ({rule.describe()}): hit {hits}", entry),
            Note("nat.mapping-created", f"new connection #{entry.id}: {t.remote_end()} {_A} "
                 f"{rule.guest_ip}:{rule.guest_port} ({t.label}, from {t.local_end()})", entry),
        )
        source = (f"the source becomes {out_tuple.local_end()}, so the guest sees the router, not the client "
                  "(VirtualBox's NAT engine)" if self.forward_from else
                  f"the source {t.src} is kept, so the guest sees the real client (DNAT does no SNAT)")
        return Verdict(Action.TRANSLATE, with_tuple(packet, out_tuple), V.DNAT_NEW,
                       f"{t.describe()} matches port forward {rule.name!r} ({rule.describe()}): the destination "
                       f"is rewritten to {rule.guest_ip}:{rule.guest_port}; {source}.", entry, notes)

    def _unsolicited(self, now: int, packet: IPv4, t: FlowTuple, notes: tuple[Note, ...]) -> Verdict:
        if t.proto != PROTO_ICMP and self.listening is not None and self.listening(t.proto, t.dport):
            return self._track_local(now, packet, t, notes, why=f"the router itself listens on {t.label} port "
                                     f"{t.dport}")
        if t.proto == PROTO_TCP:
            answer = reset_for(packet)
            if answer is not None:
                return Verdict(Action.REPLY, answer, V.RESET, f"{t.describe()} ({flags_text(packet)}) matches no "
                               f"connection and no port forward rule for tcp port {t.dport}: the router answers "
                               f"{flags_text(answer)}, and the client sees \"connection refused\".", notes=notes)
        if t.proto == PROTO_ICMP and t.dport == ICMP_ECHO_REQUEST:
            return self._track_local(now, packet, t, notes, why="an echo request to the router's public address: "
                                     "the router answers it itself")
        what = {PROTO_TCP: "a reset", PROTO_UDP: f"udp port {t.dport}"}.get(t.proto, "an echo reply")
        return self._drop(V.DROP_NO_MAPPING, f"{t.describe()} ({what}) matches no connection and no port forward "
                          "rule: unsolicited traffic is not delivered to inside hosts.", notes)

    def _track_local(self, now: int, packet: IPv4, t: FlowTuple, notes: tuple[Note, ...], *,
                     why: str = "the router's own traffic from its public address") -> Verdict:
        reply = t.invert()
        if self._cannot_open(packet, t) is not None or self.table.taken(reply):
            return Verdict(Action.ACCEPT, packet, V.LOCAL, f"{t.describe()}: {why}; not tracked.", notes=notes)
        entry = self.table.create(now, t, reply, NatKind.NONE, packet.payload, ip_length(packet))
        return Verdict(Action.ACCEPT, packet, V.LOCAL, f"{t.describe()}: {why}; tracked as connection "
                       f"#{entry.id}, not translated.", entry, notes)

    def _related(self, now: int, packet: IPv4, *, inbound: bool, notes: tuple[Note, ...]) -> Verdict:
        error = packet.payload
        assert isinstance(error, IcmpError)
        name = error.info()
        quoted = quoted_tuple(error.original)
        hit = self.table.lookup(quoted.invert()) if quoted is not None else None
        if hit is None:
            about = quoted.describe() if quoted is not None else "a datagram it cannot read"
            if not inbound and (packet.src == self.public_ip or not self.is_inside(packet.src)):
                return Verdict(Action.ACCEPT, packet, V.PASS, f"ICMP {name} from {packet.src} about {about}: "
                               "not from an inside host, left as is.", notes=notes)
            return self._drop(V.DROP_UNRELATED_ERROR, f"ICMP {name} from {packet.src} to {packet.dst} is about "
                              f"{about}, which matches no tracked connection: dropped (RFC 5508 §4).", notes)
        entry, direction = hit
        out_tuple = entry.emitted(direction)  # how the quoted packet's answer would leave
        new_quote = out_tuple.invert()
        original = error.original if new_quote == quoted else rewrite_quote(error.original, new_quote)
        if inbound:
            out = replace(packet, dst=out_tuple.dst, payload=replace(error, original=original))
        else:
            out = replace(packet, src=out_tuple.src, payload=replace(error, original=original))
        if entry.kind is NatKind.NONE:
            return Verdict(Action.ACCEPT, out, V.LOCAL, f"ICMP {name} from {packet.src} is about the router's own "
                           f"connection #{entry.id}: not translated.", entry, notes)
        return Verdict(Action.TRANSLATE, out, V.RELATED,
                       f"ICMP {name} from {packet.src} is about connection #{entry.id} "
                       f"({entry.original.describe()}): the quoted datagram is rewritten to "
                       f"{new_quote.describe()} and the error goes {out.src} {_A} {out.dst}.", entry, notes)

    # --- helpers ---------------------------------------------------------------------------

    def _cannot_open(self, packet: IPv4, t: FlowTuple) -> str | None:
        if t.proto == PROTO_TCP and not tcp_can_start(packet.payload.flags):
            return (f"{t.describe()} ({flags_text(packet)}) cannot open a connection (only a SYN, or a bare ACK "
                    "picked up mid-stream, can): conntrack marks it INVALID and the router drops it.")
        if t.proto == PROTO_ICMP and t.dport != ICMP_ECHO_REQUEST:
            return (f"{t.describe()} answers no tracked echo request: conntrack marks it INVALID and the router "
                    "drops it.")
        return None

    def _fresh_key(self, reply: FlowTuple) -> int | None:
        """A free port (or echo id) for ``reply``: a random start in the range, then upwards."""
        lo, hi = self.port_range
        size = hi - lo + 1
        start = self.rng.randrange(size)
        for i in range(size):
            key = lo + (start + i) % size
            if not self._taken(with_key(reply, key)):
                return key
        return None

    def _expire_notes(self, now: int) -> tuple[Note, ...]:
        if not self.table.due(now):
            return ()
        gone = self.table.expire(now)
        return tuple(Note("nat.expired", f"connection #{e.id} ({e.original.describe()}) timed out in state "
                          f"{e.state.value}", e) for e in gone)

    @staticmethod
    def _drop(reason: str, sentence: str, notes: tuple[Note, ...], entry: ConnEntry | None = None) -> Verdict:
        return Verdict(Action.DROP, None, reason, sentence, entry, notes)
