"""The ARP cache as Linux's neighbour table (net/core/neighbour.c), one entry per (NIC, address).

States (``ip neigh`` names): INCOMPLETE (asking), REACHABLE (confirmed lately), STALE (known but
unconfirmed), DELAY (stale and just used: wait for a confirmation), PROBE (unicast re-asks),
FAILED (nobody answered). PERMANENT and NOARP are not modelled.

Timers are Linux's defaults (/proc/sys/net/ipv4/neigh/default): mcast_solicit 3 and ucast_solicit 3
tries, retrans_time 1 s, base_reachable_time 30 s randomised to [15 s, 45 s) from the run's RNG,
delay_first_probe_time 5 s. Only ARP replies addressed to us confirm reachability (ping does not
confirm, TCP would). Entries are not garbage-collected (Linux keeps them below gc_thresh1 = 128).
A packet waiting for resolution is queued (at most 101, the oldest dropped first).

A pure state machine, as the DHCP and TCP machines in simcore.apps: it knows no NIC, engine or
trace. Inputs are method calls carrying ``now``; outputs are the actions of
``neighbour_actions`` (send this ARP request, transmit these packets, drop these, set this
timer, this entry changed), which the IPv4 stack carries out in order. Its only other input is
the ``random.Random`` it draws reachable times from (the engine's).

The output path is split for speed: ``mac_for`` answers the common case (a usable entry) with
the MAC and allocates nothing; only when it says None does the stack call ``output``.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator, Mapping

from simcore.stack.neighbour_actions import (
    Action,
    Drop,
    NudState,
    Packet,
    SendArpRequest,
    SetTimer,
    StateChanged,
    Transmit,
)

S = 1_000_000_000
MCAST_SOLICIT = 3
UCAST_SOLICIT = 3
RETRANS_NS = 1 * S
BASE_REACHABLE_NS = 30 * S
DELAY_FIRST_PROBE_NS = 5 * S
QUEUE_LEN = 101

INCOMPLETE, REACHABLE, STALE = NudState.INCOMPLETE, NudState.REACHABLE, NudState.STALE
DELAY, PROBE, FAILED = NudState.DELAY, NudState.PROBE, NudState.FAILED
VALID = (REACHABLE, STALE, DELAY, PROBE)
_SAME = object()  # _set's default "old state": the entry's own


class Neighbour:
    __slots__ = ("dev", "ip", "key", "mac", "state", "probes", "token", "queue", "confirmed", "updated", "used")

    def __init__(self, dev: str, ip: str, now: int):
        self.dev = dev
        self.ip = ip
        self.key = (dev, ip)
        self.mac: str | None = None
        self.state = FAILED  # every entry is born by a change out of "no entry"
        self.probes = 0
        self.token = 0  # bumped at every state change and timer: a timer with an old token is void
        self.queue: deque | tuple = ()  # packets waiting for the address; a deque from the first
        self.confirmed = now
        self.updated = now
        self.used = now


class _NoEntries(Mapping):
    """The table of a stack with no neighbour entry yet: one shared, empty, read-only mapping
    (copies of a run share it too)."""

    def __getitem__(self, key: tuple[str, str]) -> Neighbour:
        raise KeyError(key)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __reduce__(self) -> str:
        return "_NO_ENTRIES"  # pickled and copied as the module's one instance


_NO_ENTRIES = _NoEntries()


class NeighbourTable:
    """The neighbour entries of one stack, keyed by ``(dev, ip)``."""

    __slots__ = ("rng", "entries")

    def __init__(self, rng: random.Random):
        self.rng = rng
        # Made with the first entry: a stack that has not resolved anything keeps no table.
        self.entries: Mapping[tuple[str, str], Neighbour] = _NO_ENTRIES

    def _new(self, key: tuple[str, str], now: int) -> Neighbour:
        entries = self.entries
        if entries is _NO_ENTRIES:
            entries = self.entries = {}
        n = entries[key] = Neighbour(key[0], key[1], now)  # type: ignore[index]
        return n

    # -- the output path ----------------------------------------------------------------------
    def mac_for(self, now: int, dev: str, ip: str) -> str | None:
        """The MAC to send to at once (REACHABLE, DELAY, PROBE: no state change), else None."""
        n = self.entries.get((dev, ip))
        if n is not None:
            state = n.state
            if state is REACHABLE or state is DELAY or state is PROBE:
                n.used = now
                return n.mac
        return None

    def output(self, now: int, dev: str, ip: str, packet: Packet) -> list[Action]:
        """``packet`` (IPv4) is for next hop ``ip`` out of ``dev``: resolve its MAC if needed."""
        key = (dev, ip)
        n = self.entries.get(key)
        if n is not None:
            state = n.state
            if state is REACHABLE or state is DELAY or state is PROBE:
                n.used = now
                return [Transmit(dev, n.mac, (packet,))]
            if state is STALE:
                # Using a stale entry sends at once and starts the DELAY timer (RFC 4861 7.3.3, the
                # model Linux follows for ARP too).
                n.used = now
                return [self._set(n, DELAY, "used while stale", now),
                        self._arm(n, now + DELAY_FIRST_PROBE_NS), Transmit(dev, n.mac, (packet,))]
            if state is INCOMPLETE:
                return self._enqueue(n, packet)
            # FAILED: a new packet starts a new resolution, as Linux does.
            old = n.state
        else:
            n = self._new(key, now)
            old = None
        n.probes = 0
        n.used = now
        out = [self._set(n, INCOMPLETE, "packet waiting", now, old)]
        out += self._enqueue(n, packet)
        out += self._solicit(n, now)
        return out

    def _enqueue(self, n: Neighbour, packet: Packet) -> list[Action]:
        out: list[Action] = []
        queue = n.queue
        if not queue:
            queue = n.queue = deque()
        elif len(queue) >= QUEUE_LEN:
            out.append(Drop(n.dev, n.ip, (queue.popleft(),), "arp.queue_full"))
        queue.append(packet)
        return out

    def _solicit(self, n: Neighbour, now: int) -> list[Action]:
        n.probes += 1
        unicast = n.mac if n.state is PROBE else None
        return [SendArpRequest(n.dev, n.ip, unicast), self._arm(n, now + RETRANS_NS)]

    def _arm(self, n: Neighbour, at_ns: int) -> SetTimer:
        n.token += 1
        return SetTimer(n.key, at_ns, n.token)

    def _set(self, n: Neighbour, state: NudState, why: str, now: int, old: object = _SAME) -> StateChanged:
        before = n.state if old is _SAME else old
        n.state = state
        n.updated = now
        n.token += 1
        return StateChanged(n.dev, n.ip, n.mac, state, before, why)

    def _flush(self, n: Neighbour) -> list[Action]:
        if not n.queue or n.state not in VALID:
            return []
        queued = tuple(n.queue)
        n.queue = ()
        return [Transmit(n.dev, n.mac, queued)]

    # -- timers -------------------------------------------------------------------------------
    def on_timer(self, now: int, key: tuple[str, str], token: int) -> list[Action]:
        n = self.entries.get(key)
        if n is None or token != n.token:
            return []
        state = n.state
        if state is INCOMPLETE or state is PROBE:
            if n.probes < (MCAST_SOLICIT if state is INCOMPLETE else UCAST_SOLICIT):
                return self._solicit(n, now)
            queued = tuple(n.queue)
            n.queue = ()
            out: list[Action] = [self._set(n, FAILED, f"no reply after {n.probes} requests", now)]
            if queued:
                out.append(Drop(n.dev, n.ip, queued, "arp.failed"))
            return out
        if state is REACHABLE:
            if n.used + DELAY_FIRST_PROBE_NS > now:
                return [self._set(n, DELAY, "reachable time over, in use", now),
                        self._arm(n, n.used + DELAY_FIRST_PROBE_NS)]
            return [self._set(n, STALE, "reachable time over", now)]
        if state is DELAY:
            if n.confirmed + DELAY_FIRST_PROBE_NS > now:
                return [self._set(n, REACHABLE, "confirmed", now), self._arm(n, now + self.reachable_time())]
            n.probes = 0
            return [self._set(n, PROBE, "no confirmation", now), *self._solicit(n, now)]
        return []

    def reachable_time(self) -> int:
        # neigh_rand_reach_time: uniformly in [base/2, 3*base/2).
        return self.rng.randrange(BASE_REACHABLE_NS // 2, 3 * BASE_REACHABLE_NS // 2)

    # -- the input path -----------------------------------------------------------------------
    def learn(self, now: int, dev: str, ip: str, mac: str, *, confirmed: bool,
              create: bool) -> list[Action] | None:
        """An ARP packet told us ``ip`` is at ``mac``. None: no entry, and none was made.

        ``confirmed``: a reply addressed to us (REACHABLE). Otherwise (a request for our address,
        the requester learned without asking back) the entry becomes STALE if new or changed.
        ``create``: make an entry if there is none (requests for us; replies only when we asked).
        """
        key = (dev, ip)
        n = self.entries.get(key)
        if n is None:
            if not create:
                return None
            n = self._new(key, now)
            n.mac = mac
            if confirmed:
                n.confirmed = now
                return [self._set(n, REACHABLE, "reply", now, None), self._arm(n, now + self.reachable_time())]
            return [self._set(n, STALE, "request", now, None)]
        out: list[Action] = []
        changed = n.mac != mac
        if confirmed:
            n.mac = mac
            n.confirmed = now
            if n.state is not REACHABLE or changed:
                out.append(self._set(n, REACHABLE, "reply", now))
            out.append(self._arm(n, now + self.reachable_time()))
        elif changed or n.state is INCOMPLETE or n.state is FAILED:
            n.mac = mac
            out.append(self._set(n, STALE, "request", now))
        out += self._flush(n)
        return out

    def add(self, now: int, dev: str, ip: str, mac: str, why: str = "added") -> list[Action]:
        """An application on the host says ``ip`` is at ``mac`` on ``dev``.

        What Linux does for SIOCSARP with ATF_COM (dnsmasq injects a new DHCP client's chaddr so
        it can unicast the OFFER to an address nobody answers ARP for yet): neigh_update to
        STALE with the address, overriding any other, as an administrator's change (STALE even if
        the entry was REACHABLE). Packets waiting for the address leave at once.
        """
        key = (dev, ip)
        n = self.entries.get(key)
        old = None if n is None else n.state
        if n is None:
            n = self._new(key, now)
        elif n.state is STALE and n.mac == mac:
            return []
        n.mac = mac
        out: list[Action] = [self._set(n, STALE, why, now, old)]
        out += self._flush(n)
        return out

    def lookup(self, dev: str, ip: str) -> Neighbour | None:
        return self.entries.get((dev, ip))

    # -- reading ------------------------------------------------------------------------------
    def rows(self, now: int) -> list[dict]:
        return [
            {"ip": n.ip, "dev": n.dev, "mac": n.mac if n.state is not FAILED else None,
             "state": n.state.value, "age_s": round((now - n.updated) / 1e9, 9), "queued": len(n.queue)}
            for n in self.entries.values()
        ]

    def neigh_lines(self) -> list[str]:
        """``ip neigh`` (iproute2): ``IP dev DEV lladdr MAC STATE``; no lladdr when unresolved."""
        lines = []
        for n in self.entries.values():
            if n.state is INCOMPLETE or n.state is FAILED or n.mac is None:
                lines.append(f"{n.ip} dev {n.dev} {n.state.value}")
            else:
                lines.append(f"{n.ip} dev {n.dev} lladdr {n.mac} {n.state.value}")
        return lines

    def arp_lines(self) -> list[str]:
        """``arp -n`` (net-tools): fixed-width columns; unresolved entries show (incomplete)."""
        lines = ["Address                  HWtype  HWaddress           Flags Mask            Iface"]
        for n in self.entries.values():
            if n.state is INCOMPLETE or n.state is FAILED or n.mac is None:
                lines.append(f"{n.ip:<23.23s}  {'':<8.8s}{'(incomplete)':<20.20s}{'':<6.6s}{'':<15.15s} {n.dev}")
            else:
                lines.append(f"{n.ip:<23.23s}  {'ether':<8.8s}{n.mac:<20.20s}{'C':<6.6s}{'':<15.15s} {n.dev}")
        return lines
