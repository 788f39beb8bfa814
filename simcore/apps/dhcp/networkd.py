"""The DHCP client of an Ubuntu guest: systemd-networkd 255 (Ubuntu 24.04) under netplan.

netplan's ``dhcp4: true`` becomes ``DHCP=ipv4`` with ``[DHCP] RouteMetric=100, UseMTU=true``;
everything else is networkd's default. What that puts on the wire, after
``src/libsystemd-network/sd-dhcp-client.c`` and ``src/network/networkd-dhcp4.c``:

- **Options**: 53; 61, the client identifier ``0xff, IAID, DUID-EN`` (RFC 4361: IAID = SipHash
  of the interface name folded to 32 bits, DUID type 2 with systemd's enterprise number 43793 and
  SipHash of the machine id); 55, the requested options sorted (1, 3, 6, 12, 15 by default, 26 for
  UseMTU, 33 and 121 for UseRoutes, 42 UseNTP, 114 captive portal, 120 UseSIP); 57, the maximum
  message size (MTU 1500 - 28 = 1472); then 50 (the last address, if any) and 80 (rapid commit,
  on by default) in a DISCOVER, 54 and 50 in a REQUEST; then 12, the host name. No padding.
- **IP header**: its own on a packet socket (TOS 0xC0, CS6; no DF; source 0.0.0.0 even when
  rebinding); renewals and the release through a UDP socket bound to the leased address with
  the same TOS (the kernel adds DF).
- **Timers**: xid from a 32-bit random; secs = whole seconds since the client started (never
  0); retransmissions after 4, 4, 8, 16, 32, 64, 64… s, each with a random -1..+1 s; five
  REQUESTs, then a restart; T1 and T2 from the server (else 1/2 and 7/8 of the lease), each
  moved by a random -1..+1 s; RENEWING and REBINDING retry after half the time left (at least
  60 s); a NAK restarts at once, the next one after 1 s, 2 s… (30 min at most); at the lease end
  the client starts over with the same address in option 50.
- **No ARP**: networkd does no address conflict check (``SendDecline=no``) and the kernel sends
  no gratuitous ARP for the new address.
"""

import enum
import hashlib
import random
from dataclasses import replace

from simcore.packets import (
    ANY_IP,
    BOOTREPLY,
    BOOTREQUEST,
    BROADCAST_IP,
    BROADCAST_MAC,
    DHCPACK,
    DHCPDISCOVER,
    DHCPNAK,
    DHCPOFFER,
    DHCPRELEASE,
    DHCPREQUEST,
    OPT_HOSTNAME,
    OPT_LEASE_TIME,
    OPT_MESSAGE_TYPE,
    OPT_PARAM_REQUEST,
    OPT_REBINDING_T2,
    OPT_RENEWAL_T1,
    OPT_REQUESTED_IP,
    OPT_SERVER_ID,
    Dhcp,
)

from .actions import SECOND_NS, Action, Bind, CancelTimer, Note, Send, SetTimer, Unbind
from .client_lease import ClientLease, lease_from_ack
from .options import CLIENT_PORT, SERVER_PORT, message_name
from .siphash import siphash24

OPT_CLIENT_ID = 61
OPT_MAX_MESSAGE_SIZE = 57
OPT_RAPID_COMMIT = 80
# sd-dhcp-client's defaults (subnet mask, router, host name, domain name, DNS) and what
# networkd adds under netplan: MTU, static routes, classless routes, NTP, captive portal, SIP.
NETWORKD_PARAMETER_REQUEST_LIST = (1, 3, 6, 12, 15, 26, 33, 42, 114, 120, 121)
HASH_KEY = bytes.fromhex("80118cc2fe4a03ee3ed60c6f36391409")  # dhcp-identifier.c
SYSTEMD_PEN = 43793  # systemd's IANA enterprise number
IP_UDP_HEADERS = 28
CS6 = 0xC0
MAX_REQUEST_ATTEMPTS = 5
RESTART_MIN_NS, RESTART_MAX_NS = 1 * SECOND_NS, 30 * 60 * SECOND_NS

TIMER_RESEND = "resend"
TIMER_T1 = "t1"
TIMER_T2 = "t2"
TIMER_EXPIRE = "expire"
TIMERS = (TIMER_RESEND, TIMER_T1, TIMER_T2, TIMER_EXPIRE)


class NetworkdState(enum.Enum):
    STOPPED = "stopped"
    INIT = "init"
    SELECTING = "selecting"
    REQUESTING = "requesting"
    BOUND = "bound"
    RENEWING = "renewing"
    REBINDING = "rebinding"


_HOLDS_ADDRESS = (NetworkdState.BOUND, NetworkdState.RENEWING, NetworkdState.REBINDING)


def machine_id_for(node_id: str) -> bytes:
    """A guest's /etc/machine-id (random at install): here derived from the node, for stable runs."""
    return hashlib.sha256(f"netdesigner-machine-id\0{node_id}".encode()).digest()[:16]


def client_identifier(ifname: str, machine_id: bytes) -> bytes:
    """Option 61 as networkd sends it by default (``ClientIdentifier=duid``, ``DUIDType=vendor``)."""
    h = siphash24(ifname.encode(), HASH_KEY)
    iaid = ((h & 0xFFFFFFFF) ^ (h >> 32)).to_bytes(4, "big")  # legacy byte order, as the v4 client uses
    duid = (2).to_bytes(2, "big") + SYSTEMD_PEN.to_bytes(4, "big") + siphash24(machine_id, HASH_KEY).to_bytes(8, "little")
    return b"\xff" + iaid + duid


class NetworkdClient:
    """systemd-networkd's DHCPv4 client on one interface (same actions as ``DhcpClient``)."""

    program = "systemd-networkd"
    timers = TIMERS  # its timers' ids (the glue keeps one token for each)
    __slots__ = ("mac", "hostname", "name", "ifname", "_rng", "client_id", "mtu", "state", "xid",
                 "lease", "last_address", "_offer", "_start_ns", "_discover_attempt", "_request_attempt",
                 "_restart_delay_ns", "_t2_ns", "_expire_ns")

    def __init__(self, mac: str, hostname: str | None, rng: random.Random, *, name: str | None = None,
                 ifname: str = "eth0", machine_id: bytes = b"\0" * 16, mtu: int = 1500):
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, not {rng!r}")
        self.mac = mac
        self.hostname = hostname or None
        self.name = name or hostname or mac
        self.ifname = ifname
        self._rng = rng
        self.client_id = client_identifier(ifname, machine_id)
        self.mtu = mtu  # (the default's one int, not one made per client)
        self.state = NetworkdState.STOPPED
        self.xid = 0
        self.lease: ClientLease | None = None
        self.last_address: str | None = None
        self._offer: Dhcp | None = None
        self._start_ns = 0
        self._discover_attempt = 0
        self._request_attempt = 0
        self._restart_delay_ns = 0
        self._t2_ns = self._expire_ns = 0

    @property
    def max_message_size(self) -> int:
        return min(self.mtu - IP_UDP_HEADERS, 0xFFFF)

    # ---- inputs -------------------------------------------------------------------------

    def start(self, now: int, remembered: ClientLease | None = None) -> list[Action]:
        """The link came up (networkd's ``dhcp4_start``): a DISCOVER at once. A remembered
        lease only lends its address to option 50 (networkd keeps leases in /run, gone at boot)."""
        if self.state is not NetworkdState.STOPPED:
            return [Note("dhcp.client", f"{self.name}'s DHCP client is already running")]
        if remembered is not None:
            self.last_address = remembered.address
        return self._start(now, 0)

    def release(self, now: int) -> list[Action]:
        """The link goes down (``SendRelease=yes``): a RELEASE (53, 61) unicast, then stopped."""
        actions: list[Action] = [CancelTimer(t) for t in TIMERS]
        lease = self.lease
        if lease is not None and self.state in _HOLDS_ADDRESS:
            msg = Dhcp(BOOTREQUEST, self.xid, self.mac, self._head(DHCPRELEASE, now), ciaddr=lease.address,
                       secs=self._secs(now))
            actions += [Note("dhcp.release", f"{self.name} gives {lease.address} back to {lease.server} "
                             "(DHCPRELEASE, unicast)", ("RELEASE",)),
                        Send(msg, lease.address, lease.server, None, CLIENT_PORT, SERVER_PORT, tos=CS6, pad=False),
                        Unbind(lease.address, "released")]
        self.state = NetworkdState.STOPPED
        self.lease = None
        self.xid = 0
        return actions

    def carrier_lost(self, now: int) -> list[Action]:
        """The link lost its carrier (networkd's ``link_carrier_lost`` with ``KeepConfiguration=no``,
        netplan's default): the client stops and the leased address goes with its routes. Nothing
        is sent (no carrier); the address is kept for option 50 when ``start`` runs again, on the
        carrier's return."""
        if self.state is NetworkdState.STOPPED:
            return []
        actions: list[Action] = [CancelTimer(t) for t in TIMERS]
        text = f"{self.name}'s {self.ifname} lost its carrier: systemd-networkd stops its DHCP client"
        lease = self.lease
        if lease is not None and self.state in _HOLDS_ADDRESS:
            text += (f" and removes {lease.address} with its routes; when the carrier returns it asks again, "
                     f"for {lease.address} first")
            actions.append(Unbind(lease.address, "carrier"))
        self.state = NetworkdState.STOPPED
        self.lease = None
        self.xid = 0
        return [Note("dhcp.stop", text), *actions]

    def on_timer(self, now: int, timer_id: str) -> list[Action]:
        if timer_id not in TIMERS:
            raise ValueError(f"NetworkdClient {self.name}: unknown timer {timer_id!r}")
        state = self.state
        if timer_id == TIMER_RESEND and state is not NetworkdState.STOPPED:
            return self._resend(now)
        if timer_id == TIMER_T1 and state is NetworkdState.BOUND:
            self.state = NetworkdState.RENEWING
            self._discover_attempt = self._request_attempt = 0
            note = Note("dhcp.renew", f"{self.name} reached T1 and asks {self.lease.server}, which granted it, to "
                        f"extend its lease of {self.lease.address} (DHCPREQUEST, unicast)")
            return [note, *self._resend(now)]
        if timer_id == TIMER_T2 and state in (NetworkdState.BOUND, NetworkdState.RENEWING):
            self.state = NetworkdState.REBINDING
            self._discover_attempt = self._request_attempt = 0
            note = Note("dhcp.rebind", f"{self.name} reached T2 without an answer from {self.lease.server} and asks "
                        f"any server to extend {self.lease.address} (DHCPREQUEST, broadcast)")
            return [note, *self._resend(now)]
        if timer_id == TIMER_EXPIRE and state in _HOLDS_ADDRESS:
            note = Note("dhcp.expire", f"{self.name}'s lease of {self.lease.address} ran out without a renewal: it "
                        "must stop using the address and starts over (RFC 2131 §4.4.5)", ("EXPIRED",))
            return [note, *self._drop("expired"), *self._start(now, 0)]
        return []

    def on_message(self, now: int, msg: Dhcp, src_ip: str, dst_ip: str) -> list[Action]:
        if msg.op != BOOTREPLY or msg.chaddr != self.mac:
            return []
        if msg.xid != self.xid or self.state in (NetworkdState.STOPPED, NetworkdState.INIT, NetworkdState.BOUND):
            return [Note("dhcp.ignore", f"{self.name} ignores a {message_name(msg)} it is not waiting for "
                         f"(xid 0x{msg.xid:08x})")]
        if self.state is NetworkdState.RENEWING and dst_ip == BROADCAST_IP:
            # Renewing, the client listens on a UDP socket bound to the leased address: Linux
            # delivers no broadcast to it (a broadcast NAK goes unheard until rebinding).
            return [Note("dhcp.ignore", f"{self.name} does not hear a broadcast {message_name(msg)} while renewing: "
                         f"its socket is bound to {self.lease.address}")]
        mtype = msg.message_type
        if self.state is NetworkdState.SELECTING:
            if mtype != DHCPOFFER:
                return [Note("dhcp.ignore", f"{self.name} ignores a {message_name(msg)}: it waits for an offer")]
            return self._on_offer(now, msg)
        if mtype == DHCPNAK:
            return self._on_nak(now, msg, src_ip)
        if mtype != DHCPACK:
            return [Note("dhcp.ignore", f"{self.name} ignores a {message_name(msg)}: it waits for an ACK")]
        return self._on_ack(now, msg)

    # ---- replies ------------------------------------------------------------------------

    def _on_offer(self, now: int, msg: Dhcp) -> list[Action]:
        server = msg.get(OPT_SERVER_ID)
        if server is None or msg.yiaddr == ANY_IP or not msg.get(OPT_LEASE_TIME):
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPOFFER without address, server id or lease time")]
        self._offer = msg
        self.state = NetworkdState.REQUESTING
        self._discover_attempt = self._request_attempt = 0
        note = Note("dhcp.select", f"{self.name} takes the offer of {msg.yiaddr} from {server} and asks for it "
                    "(DHCPREQUEST, broadcast, so any other server sees its offer declined)", ("OFFER",))
        return [note, *self._resend(now)]

    def _on_ack(self, now: int, msg: Dhcp) -> list[Action]:
        lease_s = msg.get(OPT_LEASE_TIME)
        server = msg.get(OPT_SERVER_ID)
        if not lease_s or server is None or msg.yiaddr == ANY_IP:
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPACK without address, server id or lease time")]
        # client_set_lease_timeouts: 0 < T1 < T2 < lease, else RFC 2131's 1/2 and 7/8.
        t2 = msg.get(OPT_REBINDING_T2) or 0
        t1 = msg.get(OPT_RENEWAL_T1) or 0
        if not 0 < t2 < lease_s:
            t2 = lease_s * 7 // 8
        if not 0 < t1 < t2:
            t1 = lease_s // 2
        if t1 >= t2:
            t2 = lease_s * 7 // 8
        lease = lease_from_ack(now, msg, lease_s, server, t1_s=t1, t2_s=t2)
        t1_ns = lease.t1_at_ns - self._fuzz_ns()
        t2_ns = max(t1_ns, lease.t2_at_ns - self._fuzz_ns())
        # The lease keeps the instants networkd renews and rebinds at (its timers', moved by up to
        # a second): the unmoved ones serve nothing after this, and two more ints for each client.
        lease = replace(lease, t1_at_ns=t1_ns, t2_at_ns=t2_ns)
        old, was = self.lease, self.state
        renewed = old is not None and old.address == lease.address
        self.lease = lease
        self._offer = None  # the ACK's lease replaces the offer (sd-dhcp-client keeps one lease), as dhclient's does
        self.last_address = lease.address
        self.state = NetworkdState.BOUND
        self._discover_attempt = self._request_attempt = 0
        self._restart_delay_ns = 0
        self._t2_ns, self._expire_ns = t2_ns, lease.expires_at_ns
        actions: list[Action] = [CancelTimer(TIMER_RESEND)]
        if old is not None and not renewed:
            actions.append(Unbind(old.address, "replaced"))
        via = f", default route via {lease.router}" if lease.router else ""
        verb = "keeps" if renewed else "is bound to"
        text = (f"{self.name} {verb} {lease.address}/{lease.prefix_len}{via} for {lease_s} s; it renews at "
                f"T1 = {t1} s and rebinds at T2 = {t2} s, each moved by up to a second (DHCPACK from {server})")
        bind = Bind(lease.address, lease.prefix_len, lease.router, lease.dns, lease_s, server,
                    renewed and was is not NetworkdState.REQUESTING)
        return [Note("dhcp.bound", text, ("ACK",)), *actions, bind, SetTimer(TIMER_EXPIRE, lease.expires_at_ns),
                SetTimer(TIMER_T2, t2_ns), SetTimer(TIMER_T1, t1_ns)]

    def _on_nak(self, now: int, msg: Dhcp, src_ip: str) -> list[Action]:
        server = msg.get(OPT_SERVER_ID) or src_ip
        if self.lease is not None and server != self.lease.server:
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPNAK from {server}, which did not grant its lease")]
        wanted = self.lease.address if self.lease else (self._offer.yiaddr if self._offer else "its address")
        note = Note("dhcp.nak", f"{self.name} is refused {wanted} (DHCPNAK from {server}): it may not use it and "
                    "starts over (RFC 2131 §3.1)", ("NAK",))
        return [note, *self._drop("nak"), *self._restart(now)]

    # ---- transitions --------------------------------------------------------------------

    def _start(self, now: int, delay_ns: int) -> list[Action]:
        """client_start_delayed: a new xid and start time; the first DISCOVER after ``delay_ns``."""
        self.xid = self._rng.getrandbits(32)
        self._start_ns = now
        self.state = NetworkdState.INIT
        self._offer = None
        self._discover_attempt = self._request_attempt = 0
        if delay_ns:
            return [CancelTimer(TIMER_T1), CancelTimer(TIMER_T2), CancelTimer(TIMER_EXPIRE),
                    SetTimer(TIMER_RESEND, now + delay_ns)]
        return [CancelTimer(TIMER_T1), CancelTimer(TIMER_T2), CancelTimer(TIMER_EXPIRE), *self._resend(now)]

    def _restart(self, now: int) -> list[Action]:
        """client_restart (after a NAK, or five unanswered REQUESTs): start over after a delay
        that doubles from 0 to 1 s, 2 s … 30 min."""
        delay = self._restart_delay_ns
        actions = self._start(now, delay)
        self._restart_delay_ns = min(max(delay * 2, RESTART_MIN_NS), RESTART_MAX_NS)
        return actions

    def _drop(self, reason: str) -> list[Action]:
        actions: list[Action] = []
        if self.lease is not None and self.state in _HOLDS_ADDRESS:
            actions.append(Unbind(self.lease.address, reason))
        self.lease = None
        return actions

    def _resend(self, now: int) -> list[Action]:
        """client_timeout_resend: arm the next retransmission, then send what the state needs."""
        state = self.state
        if state is NetworkdState.RENEWING:
            at = now + max((self._t2_ns - now) // 2, 60 * SECOND_NS)
        elif state is NetworkdState.REBINDING:
            at = now + max((self._expire_ns - now) // 2, 60 * SECOND_NS)
        elif state in (NetworkdState.INIT, NetworkdState.SELECTING):
            self._discover_attempt += 1
            at = self._request_timeout(now, self._discover_attempt)
        else:  # REQUESTING
            if self._request_attempt >= MAX_REQUEST_ATTEMPTS:
                note = Note("dhcp.timeout", f"{self.name} got no answer to {MAX_REQUEST_ATTEMPTS} DHCPREQUESTs and "
                            "starts over", ("Max REQUEST attempts reached. Restarting...",))
                return [note, *self._restart(now)]
            self._request_attempt += 1
            at = self._request_timeout(now, self._request_attempt)
        resend = SetTimer(TIMER_RESEND, at)
        if state in (NetworkdState.INIT, NetworkdState.SELECTING):
            actions = self._send_discover(now)
            if state is NetworkdState.INIT:
                self.state = NetworkdState.SELECTING
                self._discover_attempt = 0
            return [*actions, resend]
        return [*self._send_request(now), resend]

    def _request_timeout(self, now: int, attempt: int) -> int:
        """RFC 2131 §4.1 as sd-dhcp-client reads it: 2^(attempt+1) s, at most 64 s, -1..+1 s."""
        return now + (1 << min(attempt + 1, 6)) * SECOND_NS - self._fuzz_ns()

    def _fuzz_ns(self) -> int:
        return (self._rng.getrandbits(64) % (2 * 1_000_000) - 1_000_000) * 1000  # microseconds

    # ---- messages -----------------------------------------------------------------------

    def _secs(self, now: int) -> int:
        return ((now - self._start_ns) // SECOND_NS or 1) & 0xFFFF  # never 0: some servers refuse it

    def _head(self, mtype: int, now: int) -> tuple:
        """client_message_init: 53, 61, then 55 and 57 for a DISCOVER or REQUEST."""
        head = [(OPT_MESSAGE_TYPE, mtype), (OPT_CLIENT_ID, self.client_id)]
        if mtype != DHCPRELEASE:
            head.append((OPT_PARAM_REQUEST, NETWORKD_PARAMETER_REQUEST_LIST))
            head.append((OPT_MAX_MESSAGE_SIZE, self.max_message_size.to_bytes(2, "big")))
        return tuple(head)

    def _tail(self) -> tuple:
        return ((OPT_HOSTNAME, self.hostname),) if self.hostname else ()

    def _raw(self, msg: Dhcp) -> Send:
        return Send(msg, ANY_IP, BROADCAST_IP, BROADCAST_MAC, CLIENT_PORT, SERVER_PORT, tos=CS6, df=False, pad=False)

    def _send_discover(self, now: int) -> list[Action]:
        wanted = ((OPT_REQUESTED_IP, self.last_address),) if self.last_address else ()
        options = (*self._head(DHCPDISCOVER, now), *wanted, (OPT_RAPID_COMMIT, b""), *self._tail())
        msg = Dhcp(BOOTREQUEST, self.xid, self.mac, options, secs=self._secs(now))
        if self.state is NetworkdState.INIT:
            text = (f"{self.name} asks any DHCP server for an address (DHCPDISCOVER, broadcast from 0.0.0.0, "
                    f"xid 0x{self.xid:08x})")
        else:
            text = f"{self.name} has had no offer yet and asks again (DHCPDISCOVER, same xid 0x{self.xid:08x})"
        return [Note("dhcp.discover", text, ("DISCOVER",)), self._raw(msg)]

    def _send_request(self, now: int) -> list[Action]:
        state = self.state
        secs = self._secs(now)
        if state is NetworkdState.REQUESTING:
            offer = self._offer
            options = (*self._head(DHCPREQUEST, now), (OPT_SERVER_ID, offer.get(OPT_SERVER_ID)),
                       (OPT_REQUESTED_IP, offer.yiaddr), *self._tail())
            send = self._raw(Dhcp(BOOTREQUEST, self.xid, self.mac, options, secs=secs))
            address, how = offer.yiaddr, "requesting"
        else:
            lease = self.lease
            msg = Dhcp(BOOTREQUEST, self.xid, self.mac, (*self._head(DHCPREQUEST, now), *self._tail()),
                       ciaddr=lease.address, secs=secs)
            address = lease.address
            if state is NetworkdState.RENEWING:
                send = Send(msg, lease.address, lease.server, None, CLIENT_PORT, SERVER_PORT, tos=CS6, pad=False)
                how = "renewing"
            else:
                send, how = self._raw(msg), "rebinding"
        note = Note("dhcp.request", f"{self.name} asks for {address} (DHCPREQUEST to {send.dst_ip}, {how})",
                    (f"REQUEST ({how})",))
        return [note, send]

    # ---- views ------------------------------------------------------------------------

    @property
    def address(self) -> str | None:
        return self.lease.address if self.lease is not None and self.state in _HOLDS_ADDRESS else None

    def describe(self) -> dict:
        lease = self.lease
        return {
            "program": self.program,
            "mac": self.mac,
            "hostname": self.hostname,
            "state": self.state.value,
            "xid": f"0x{self.xid:08x}",
            "address": self.address,
            "server": lease.server if lease else None,
            "expires_at_ns": lease.expires_at_ns if lease else None,
        }
