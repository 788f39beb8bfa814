"""The DHCP server's lease table: who holds which address of the pool, in what state, until when.

One record per address (``ip``), at most one record per client MAC except conflicts (which
belong to nobody). Records are frozen values replaced on change; the table is two dicts
(insertion order never matters: every listing is sorted by address), so nothing depends on
hash order.
"""

import enum
from dataclasses import dataclass

from .options import int_ip, ip_int


class LeaseState(enum.Enum):
    PROBING = "probing"  # being checked (ARP, ICMP echo) before it is offered
    OFFERED = "offered"  # offered, held for the client until it asks or the hold ends
    BOUND = "bound"  # acknowledged: the client uses it until expires_at_ns
    CONFLICT = "conflict"  # answered a probe or was declined: not handed out for a while


@dataclass(frozen=True, slots=True)
class Lease:
    ip: str
    mac: str  # "" for a conflict found by a probe nobody claimed
    hostname: str | None
    state: LeaseState
    expires_at_ns: int | None  # None while probing
    # The name of its expiry timer ("expire <ip>"), one string for every setting of it (an OFFER's
    # and the ACK's that follows); None while probing.
    timer: str | None = None

    def as_row(self) -> dict:
        return {
            "mac": self.mac,
            "ip": self.ip,
            "hostname": self.hostname,
            "expires_at_ns": self.expires_at_ns,
            "state": self.state.value,
        }


class LeaseTable:
    """The records of one address range ``start..end`` (both included)."""

    def __init__(self, start: str, end: str, reserved: tuple[str, ...] = ()):
        self.start = ip_int(start)
        self.end = ip_int(end)
        if self.start > self.end:
            raise ValueError(f"DHCP range start {start} is after its end {end}")
        self._reserved = {ip_int(ip) for ip in reserved}  # membership tests only, never iterated
        self._by_ip: dict[int, Lease] = {}
        self._by_mac: dict[str, int] = {}
        self._soonest: int | None = None  # no record expires before this instant
        self._low = self.start  # every address below this one is held or reserved

    def __len__(self) -> int:
        return len(self._by_ip)

    def in_pool(self, ip: str) -> bool:
        value = ip_int(ip)
        return self.start <= value <= self.end and value not in self._reserved

    def get(self, ip: str) -> Lease | None:
        return self._by_ip.get(ip_int(ip))

    def for_mac(self, mac: str) -> Lease | None:
        value = self._by_mac.get(mac)
        return None if value is None else self._by_ip[value]

    def free_for(self, ip: str, mac: str) -> bool:
        """True if ``ip`` is in the pool and nobody but ``mac`` holds it."""
        if not self.in_pool(ip):
            return False
        held = self._by_ip.get(ip_int(ip))
        return held is None or (held.mac == mac and held.state is not LeaseState.CONFLICT)

    def next_free(self, mac: str) -> str | None:
        """The address ``mac`` already holds, else the lowest free one of the range (dnsmasq
        --dhcp-sequential-ip, VirtualBox's NAT engine: the first client gets the range start)."""
        own = self.for_mac(mac)
        if own is not None:
            return own.ip
        by_ip, reserved = self._by_ip, self._reserved
        for value in range(self._low, self.end + 1):
            if value not in reserved and value not in by_ip:
                return int_ip(value)
            # Taken by someone else or reserved: no later call needs to look here again until
            # a record is removed (``remove`` lowers the hint).
            self._low = value + 1
        return None

    def put(self, lease: Lease) -> None:
        """Store ``lease``, replacing the record of its address and any other of its client."""
        value = ip_int(lease.ip)
        self._pop(value)  # the address stays held: the scan hint need not move
        if lease.mac and lease.state is not LeaseState.CONFLICT:
            old = self._by_mac.get(lease.mac)
            if old is not None:
                self.remove(int_ip(old))
            self._by_mac[lease.mac] = value
        self._by_ip[value] = lease
        end = lease.expires_at_ns
        if end is not None and (self._soonest is None or end < self._soonest):
            self._soonest = end

    def remove(self, ip: str) -> Lease | None:
        value = ip_int(ip)
        lease = self._pop(value)
        if lease is not None and value < self._low:
            self._low = value
        return lease

    def _pop(self, value: int) -> Lease | None:
        lease = self._by_ip.pop(value, None)
        if lease is not None and self._by_mac.get(lease.mac) == value:
            del self._by_mac[lease.mac]
        return lease

    def expire(self, now: int) -> list[Lease]:
        """Remove and return (in address order) every record whose time is up at ``now``."""
        if self._soonest is None or now < self._soonest:
            return []  # the common case, without a scan of the table
        due = sorted(
            value for value, lease in self._by_ip.items()
            if lease.expires_at_ns is not None and lease.expires_at_ns <= now
        )
        gone = [self.remove(int_ip(value)) for value in due]
        ends = [lease.expires_at_ns for lease in self._by_ip.values() if lease.expires_at_ns is not None]
        self._soonest = min(ends) if ends else None
        return gone

    def rows(self) -> list[dict]:
        return [self._by_ip[value].as_row() for value in sorted(self._by_ip)]
