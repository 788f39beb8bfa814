"""The ARP cache as Linux's neighbour table (net/core/neighbour.c), one entry per (NIC, address).

States (``ip neigh`` names): INCOMPLETE (asking), REACHABLE (confirmed lately), STALE (known but
unconfirmed), DELAY (stale and just used: wait for a confirmation), PROBE (unicast re-asks),
FAILED (nobody answered). PERMANENT and NOARP are not modelled.

Timers are Linux's defaults (/proc/sys/net/ipv4/neigh/default): mcast_solicit 3 and ucast_solicit 3
tries, retrans_time 1 s, base_reachable_time 30 s randomised to [15 s, 45 s) from the run's RNG,
delay_first_probe_time 5 s. Only ARP replies addressed to us confirm reachability (ping does not
confirm, TCP would). Entries are not garbage-collected (Linux keeps them below gc_thresh1 = 128).
A packet waiting for resolution is queued (at most 101, the oldest dropped first).
"""

from __future__ import annotations

import enum
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from simcore.stack.ipv4 import Stack

S = 1_000_000_000
MCAST_SOLICIT = 3
UCAST_SOLICIT = 3
RETRANS_NS = 1 * S
BASE_REACHABLE_NS = 30 * S
DELAY_FIRST_PROBE_NS = 5 * S
QUEUE_LEN = 101


class NudState(enum.Enum):
    INCOMPLETE = "INCOMPLETE"
    REACHABLE = "REACHABLE"
    STALE = "STALE"
    DELAY = "DELAY"
    PROBE = "PROBE"
    FAILED = "FAILED"


VALID = (NudState.REACHABLE, NudState.STALE, NudState.DELAY, NudState.PROBE)


class Neighbour:
    __slots__ = ("nic", "ip", "mac", "state", "probes", "token", "queue", "confirmed", "updated", "used")

    def __init__(self, nic: Any, ip: str, now: int):
        self.nic = nic
        self.ip = ip
        self.mac: str | None = None
        self.state = NudState.INCOMPLETE
        self.probes = 0
        self.token = 0  # bumped at every state change: a timer carrying an old token is void
        self.queue: deque = deque()
        self.confirmed = now
        self.updated = now
        self.used = now


class NeighbourTable:
    """Resolves next hops for one stack; calls back into it to send requests and queued packets."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.engine = stack.engine
        self.entries: dict[tuple[str, str], Neighbour] = {}

    # -- the output path ----------------------------------------------------------------------
    def resolve_and_send(self, nic: Any, ip: str, packet: Any) -> None:
        """Send ``packet`` (IPv4) to next hop ``ip`` out ``nic``, resolving its MAC first if needed."""
        key = (nic.name, ip)
        n = self.entries.get(key)
        now = self.engine.now
        if n is not None:
            state = n.state
            if state is NudState.REACHABLE or state is NudState.DELAY or state is NudState.PROBE:
                n.used = now
                self.stack.transmit_ip(nic, n.mac, packet)
                return
            if state is NudState.STALE:
                # Using a stale entry sends at once and starts the DELAY timer (RFC 4861 7.3.3, the
                # model Linux follows for ARP too).
                n.used = now
                self._set(n, NudState.DELAY, "used while stale")
                self._arm(n, DELAY_FIRST_PROBE_NS)
                self.stack.transmit_ip(nic, n.mac, packet)
                return
            if state is NudState.INCOMPLETE:
                self._enqueue(n, packet)
                return
            # FAILED: a new packet starts a new resolution, as Linux does.
        if n is None:
            n = self.entries[key] = Neighbour(nic, ip, now)
            n.state = NudState.FAILED  # so _set reports the change below
            old = None
        else:
            old = n.state
        n.probes = 0
        n.used = now
        self._set(n, NudState.INCOMPLETE, "packet waiting", old_state=old)
        self._enqueue(n, packet)
        self._solicit(n)

    def _enqueue(self, n: Neighbour, packet: Any) -> None:
        if len(n.queue) >= QUEUE_LEN:
            dropped = n.queue.popleft()
            self.stack.drop(dropped, "arp.queue_full", f"{self.stack.name}'s queue for {n.ip} is full: "
                            "it drops the oldest waiting packet", nic=n.nic)
        n.queue.append(packet)

    def _solicit(self, n: Neighbour) -> None:
        n.probes += 1
        unicast = n.state is NudState.PROBE
        self.stack.send_arp_request(n.nic, n.ip, n.mac if unicast else None)
        self._arm(n, RETRANS_NS)

    def _arm(self, n: Neighbour, delay: int) -> None:
        n.token += 1
        self.engine.schedule(delay, self._timer, n, n.token)

    def _set(self, n: Neighbour, state: NudState, why: str, old_state: Any = "same") -> None:
        old = n.state if old_state == "same" else old_state
        n.state = state
        n.updated = self.engine.now
        n.token += 1
        self.stack.neighbour_changed(n, old, why)

    # -- timers -------------------------------------------------------------------------------
    def _timer(self, n: Neighbour, token: int) -> None:
        if token != n.token:
            return
        now = self.engine.now
        state = n.state
        if state is NudState.INCOMPLETE or state is NudState.PROBE:
            limit = MCAST_SOLICIT if state is NudState.INCOMPLETE else UCAST_SOLICIT
            if n.probes < limit:
                self._solicit(n)
                return
            self._fail(n)
        elif state is NudState.REACHABLE:
            if n.used + DELAY_FIRST_PROBE_NS > now:
                self._set(n, NudState.DELAY, "reachable time over, in use")
                self._arm(n, n.used + DELAY_FIRST_PROBE_NS - now)
            else:
                self._set(n, NudState.STALE, "reachable time over")
        elif state is NudState.DELAY:
            if n.confirmed + DELAY_FIRST_PROBE_NS > now:
                self._set(n, NudState.REACHABLE, "confirmed")
                self._arm(n, self.reachable_time())
            else:
                n.probes = 0
                self._set(n, NudState.PROBE, "no confirmation")
                self._solicit(n)

    def _fail(self, n: Neighbour) -> None:
        queued = list(n.queue)
        n.queue.clear()
        self._set(n, NudState.FAILED, f"no reply after {n.probes} requests")
        for packet in queued:
            self.stack.unreachable_neighbour(n, packet)

    def reachable_time(self) -> int:
        # neigh_rand_reach_time: uniformly in [base/2, 3*base/2).
        return self.engine.rng.randrange(BASE_REACHABLE_NS // 2, 3 * BASE_REACHABLE_NS // 2)

    # -- the input path -----------------------------------------------------------------------
    def learn(self, nic: Any, ip: str, mac: str, confirmed: bool, create: bool) -> Neighbour | None:
        """An ARP packet told us ``ip`` is at ``mac``.

        ``confirmed``: a reply addressed to us (REACHABLE). Otherwise (a request for our address,
        the requester learned without asking back) the entry becomes STALE if new or changed.
        ``create``: make an entry if there is none (requests for us; replies only when we asked).
        """
        key = (nic.name, ip)
        n = self.entries.get(key)
        now = self.engine.now
        if n is None:
            if not create:
                return None
            n = self.entries[key] = Neighbour(nic, ip, now)
            n.mac = mac
            n.state = NudState.FAILED
            if confirmed:
                n.confirmed = now
                self._set(n, NudState.REACHABLE, "reply", old_state=None)
                self._arm(n, self.reachable_time())
            else:
                self._set(n, NudState.STALE, "request", old_state=None)
            return n
        changed = n.mac != mac
        if confirmed:
            n.mac = mac
            n.confirmed = now
            if n.state is not NudState.REACHABLE or changed:
                self._set(n, NudState.REACHABLE, "reply")
            self._arm(n, self.reachable_time())
        elif changed or n.state is NudState.INCOMPLETE or n.state is NudState.FAILED:
            n.mac = mac
            self._set(n, NudState.STALE, "request")
        if n.queue and n.state in VALID:
            queued = list(n.queue)
            n.queue.clear()
            for packet in queued:
                self.stack.transmit_ip(n.nic, n.mac, packet)
        return n

    def lookup(self, nic_name: str, ip: str) -> Neighbour | None:
        return self.entries.get((nic_name, ip))

    # -- reading ------------------------------------------------------------------------------
    def rows(self) -> list[dict]:
        now = self.engine.now
        return [
            {"ip": n.ip, "dev": n.nic.name, "mac": n.mac if n.state is not NudState.FAILED else None,
             "state": n.state.value, "age_s": round((now - n.updated) / 1e9, 9), "queued": len(n.queue)}
            for n in self.entries.values()
        ]

    def neigh_lines(self) -> list[str]:
        """``ip neigh`` (iproute2): ``IP dev DEV lladdr MAC STATE``; no lladdr when unresolved."""
        lines = []
        for n in self.entries.values():
            if n.state is NudState.INCOMPLETE or n.state is NudState.FAILED or n.mac is None:
                lines.append(f"{n.ip} dev {n.nic.name} {n.state.value}")
            else:
                lines.append(f"{n.ip} dev {n.nic.name} lladdr {n.mac} {n.state.value}")
        return lines

    def arp_lines(self) -> list[str]:
        """``arp -n`` (net-tools): fixed-width columns; unresolved entries show (incomplete)."""
        lines = ["Address                  HWtype  HWaddress           Flags Mask            Iface"]
        for n in self.entries.values():
            if n.state is NudState.INCOMPLETE or n.state is NudState.FAILED or n.mac is None:
                lines.append(f"{n.ip:<23.23s}  {'':<8.8s}{'(incomplete)':<20.20s}{'':<6.6s}{'':<15.15s} {n.nic.name}")
            else:
                lines.append(f"{n.ip:<23.23s}  {'ether':<8.8s}{n.mac:<20.20s}{'C':<6.6s}{'':<15.15s} {n.nic.name}")
        return lines
