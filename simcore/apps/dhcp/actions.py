"""What the DHCP machines ask their host to do: small frozen values, returned as lists.

The machines know no interfaces, sockets or clock (smoltcp's ``socket/dhcpv4.rs`` idea): every
input is a method call with ``now`` in integer nanoseconds, every output is one of these values,
in the order the host must carry them out. The host glue maps them onto its stack:

* ``Send``: put ``msg`` in a UDP datagram ``src_ip:src_port -> dst_ip:dst_port``. ``dst_mac`` is
  the Ethernet destination the machine already knows (``ff:ff:ff:ff:ff:ff`` for a broadcast, the
  client's MAC for a unicast OFFER/ACK to an address the client does not hold yet, RFC 2131 §4.1);
  ``None`` means "route it as any IP datagram" (ARP for the next hop as usual). ``tos``, ``df``
  and ``pad`` say how the program's IP header and message look (``framing.py``).
* ``SetTimer``: call ``on_timer(now, timer_id)`` at ``at_ns``. Setting an id that is already set
  replaces it: one pending instant per id.
* ``CancelTimer``: forget ``timer_id`` (no error if it is not set).
* ``Bind`` / ``Unbind``: the client's address, prefix, default route and DNS come and go.
* ``SendArpProbe`` / ``SendIcmpProbe``: the server's check that an address is free before
  offering it (see ``server.py``); answers come back through ``on_probe_result``.
* ``Note``: a fact for the trace, one sentence a student can read. ``kind`` is a stable
  dotted identifier (``dhcp.discover``, ``dhcp.offer``...) the trace can colour or filter by.
"""

from dataclasses import dataclass

from simcore.packets import Dhcp

SECOND_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Send:
    msg: Dhcp
    src_ip: str
    dst_ip: str
    dst_mac: str | None  # None: resolve as any routed datagram would
    src_port: int
    dst_port: int
    # The IP header and message as the sending program builds them: a kernel UDP socket's
    # defaults (TOS 0, DF) unless the program writes its own header on a packet socket
    # (dhclient: TOS 0x10, no DF); ``pad``: the message is padded to BOOTP's 300 bytes.
    tos: int = 0
    df: bool = True
    pad: bool = True


@dataclass(frozen=True, slots=True)
class SetTimer:
    timer_id: str
    at_ns: int


@dataclass(frozen=True, slots=True)
class CancelTimer:
    timer_id: str


@dataclass(frozen=True, slots=True)
class Bind:
    """Configure ``address/prefix_len`` on the interface, the default route and resolvers.

    ``renewed`` is true when the same lease was extended (RENEWING or REBINDING ended with an
    ACK for the address already held): the host only refreshes lifetimes, nothing changes on
    the interface.
    """

    address: str
    prefix_len: int
    router: str | None
    dns: tuple[str, ...]
    lease_s: int
    server: str
    renewed: bool = False


@dataclass(frozen=True, slots=True)
class Unbind:
    """Remove the address (and the routes through it). ``reason`` is one word:
    ``expired``, ``nak``, ``released``, ``replaced`` (a
    rebinding ended with an ACK for another address) or ``carrier`` (the link went down)."""

    address: str
    reason: str


@dataclass(frozen=True, slots=True)
class SendArpProbe:
    """An ARP who-has for ``ip`` from the server's address (RFC 826 request)."""

    ip: str


@dataclass(frozen=True, slots=True)
class SendIcmpProbe:
    """One ICMP echo request to ``ip`` from the server's address, as dnsmasq's ping check.

    The host hands it to its stack like any ping: it leaves the NIC only if ``ip``'s MAC becomes
    known (the kernel queues it behind ARP resolution and drops it when nobody answers), so the
    host must not start ARP retries of its own for it: ``SendArpProbe`` already does that.
    """

    ip: str


@dataclass(frozen=True, slots=True)
class Note:
    """A trace fact. ``log`` holds the lines the real program writes to syslog for the same
    event (for the client: what ``dhclient -v`` prints on the console), possibly none."""

    kind: str
    text: str
    log: tuple[str, ...] = ()


Action = Send | SetTimer | CancelTimer | Bind | Unbind | SendArpProbe | SendIcmpProbe | Note
