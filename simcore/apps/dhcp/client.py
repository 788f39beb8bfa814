"""The DHCP client (RFC 2131 §4.4), behaving as ISC dhclient does on the wire.

A pure state machine: it is given ``now`` (integer nanoseconds) and messages, and answers with
actions (``actions.py``). States and their transitions (RFC 2131 figure 5, without INIT-REBOOT):

    INIT/RELEASED --start--> SELECTING --OFFER--> REQUESTING --ACK--> BOUND
    SELECTING --60 s without an offer--> INIT (sleeps, then starts again)
    REQUESTING --NAK, or 10 s without an answer--> SELECTING (a new DISCOVER)
    BOUND --T1--> RENEWING --T2--> REBINDING --lease end--> SELECTING (address dropped)
    RENEWING/REBINDING --ACK--> BOUND;  --NAK--> SELECTING (address dropped)
    BOUND/RENEWING/REBINDING --release--> RELEASED (DHCPRELEASE to the server)

Retransmission (RFC 2131 §4.1 asks for a randomized exponential backoff; we take dhclient's,
with its defaults ``initial-interval 3``, ``backoff-cutoff 15``, ``timeout 60``,
``reboot-timeout 10``, ``retry-interval 300``), in whole seconds drawn from the ``random.Random``
passed in: the first retransmission comes exactly 3 s after the first DISCOVER (or REQUEST; real
dhclient draws 3..8 s here, see docs/dhcp.md); each next interval is the last one plus a random
0..2x-1 of it; past 15 s it becomes 7 + 0..14 s. RENEWING and REBINDING retransmit as RFC 2131
§4.4.5 says (dhclient keeps its short backoff there): after half the time left until T2 (resp. the
lease end), at least 60 s, never past that instant.
"""

import enum
import random

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
    OPT_REQUESTED_IP,
    OPT_SERVER_ID,
    Dhcp,
)

from .actions import SECOND_NS, Action, Bind, CancelTimer, Note, Send, SetTimer, Unbind
from .client_lease import ClientLease, lease_from_ack
from .options import (
    CLIENT_PORT,
    DHCLIENT_PARAMETER_REQUEST_LIST,
    SERVER_PORT,
    message_name,
)

INITIAL_INTERVAL_S = 3
BACKOFF_CUTOFF_S = 15
SELECT_TIMEOUT_S = 60  # dhclient "timeout": give up on DISCOVER after this long
REQUEST_TIMEOUT_S = 10  # dhclient "reboot-timeout": give up on REQUEST, DISCOVER again
RETRY_INTERVAL_S = 300  # dhclient "retry-interval": sleep 150..449 s after giving up
MIN_LEASE_RETRANSMIT_S = 60  # RFC 2131 §4.4.5

TIMER_RETRANSMIT = "retransmit"
TIMER_T1 = "t1"
TIMER_T2 = "t2"
TIMER_EXPIRY = "expiry"
TIMER_RESTART = "restart"
TIMERS = (TIMER_RETRANSMIT, TIMER_T1, TIMER_T2, TIMER_EXPIRY, TIMER_RESTART)


class ClientState(enum.Enum):
    INIT = "init"
    SELECTING = "selecting"
    REQUESTING = "requesting"
    BOUND = "bound"
    RENEWING = "renewing"
    REBINDING = "rebinding"
    RELEASED = "released"


_HOLDS_ADDRESS = (ClientState.BOUND, ClientState.RENEWING, ClientState.REBINDING)


class DhcpClient:
    """One DHCP client on one interface with hardware address ``mac``.

    ``hostname`` goes in option 12 (Ubuntu's dhclient.conf sends the host name); ``xid_source``
    is the run's ``random.Random``: transaction ids and backoff jitter come only from it.
    ``name`` is who the trace sentences speak of (the node's name; default the host name, else
    the MAC); ``ifname`` appears in dhclient's log lines (``Note.log``).
    """

    def __init__(self, mac: str, hostname: str | None, xid_source: random.Random, *, name: str | None = None,
                 ifname: str = "eth0"):
        if not isinstance(xid_source, random.Random):
            raise TypeError(f"xid_source must be a random.Random, not {xid_source!r}")
        self.mac = mac
        self.hostname = hostname or None
        self.name = name or hostname or mac
        self.ifname = ifname
        self._rng = xid_source
        self.state = ClientState.INIT
        self.xid = 0
        self.lease: ClientLease | None = None
        self._offer: Dhcp | None = None
        self._first_sent_ns = 0
        self._interval_s = 0
        self._discover_secs = 0  # secs of the last DISCOVER, repeated in REQUESTING (as dhclient)
        self._last_address: str | None = None  # asked for again in option 50 (as dhclient)

    # ---- inputs -------------------------------------------------------------------------

    def start(self, now: int) -> list[Action]:
        """``dhclient eth0``: begin DORA, unless a lease is held or being acquired."""
        if self.state in _HOLDS_ADDRESS:
            return [Note("dhcp.client", f"{self.name} already holds {self.lease.address}: nothing to do")]
        if self.state in (ClientState.SELECTING, ClientState.REQUESTING):
            return [Note("dhcp.client", f"{self.name} is already asking for an address")]
        return [CancelTimer(TIMER_RESTART), *self._enter_selecting(now)]

    def release(self, now: int) -> list[Action]:
        """``dhclient -r eth0``: give the lease back (RFC 2131 §4.4.6) and stop."""
        actions: list[Action] = [CancelTimer(t) for t in TIMERS]
        lease = self.lease
        if self.state in _HOLDS_ADDRESS and lease is not None:
            msg = Dhcp(
                BOOTREQUEST,
                self._rng.getrandbits(32),
                self.mac,
                ((OPT_MESSAGE_TYPE, DHCPRELEASE), (OPT_SERVER_ID, lease.server)),
                ciaddr=lease.address,
            )
            line = (f"DHCPRELEASE of {lease.address} on {self.ifname} to {lease.server} port {SERVER_PORT} "
                    f"(xid=0x{msg.xid:x})")
            actions += [
                Note("dhcp.release", f"{self.name} gives {lease.address} back to {lease.server} "
                     "(DHCPRELEASE, unicast)", (line,)),
                Send(msg, lease.address, lease.server, None, CLIENT_PORT, SERVER_PORT),
                Unbind(lease.address, "released"),
            ]
        self.state = ClientState.RELEASED
        self.lease = None
        self._offer = None
        return actions

    def on_timer(self, now: int, timer_id: str) -> list[Action]:
        if timer_id not in TIMERS:
            raise ValueError(f"DhcpClient {self.name}: unknown timer {timer_id!r}")
        state = self.state
        if timer_id == TIMER_RETRANSMIT:
            if state is ClientState.SELECTING:
                if now - self._first_sent_ns > SELECT_TIMEOUT_S * SECOND_NS:
                    return self._give_up(now)
                return self._send_discover(now)
            if state is ClientState.REQUESTING:
                if now - self._first_sent_ns > REQUEST_TIMEOUT_S * SECOND_NS:
                    note = Note("dhcp.timeout", f"{self.name} got no answer to its DHCPREQUEST "
                                f"in {REQUEST_TIMEOUT_S} s and starts over")
                    return [note, *self._enter_selecting(now)]
                return self._send_select_request(now)
            if state in (ClientState.RENEWING, ClientState.REBINDING):
                return self._send_lease_request(now)
        elif timer_id == TIMER_T1 and state is ClientState.BOUND:
            return self._enter_lease_request(now, ClientState.RENEWING)
        elif timer_id == TIMER_T2 and state in (ClientState.BOUND, ClientState.RENEWING):
            return self._enter_lease_request(now, ClientState.REBINDING)
        elif timer_id == TIMER_EXPIRY and state in _HOLDS_ADDRESS:
            address = self.lease.address
            note = Note("dhcp.expire", f"{self.name}'s lease of {address} ran out without a renewal: "
                        "it must stop using the address and starts over (RFC 2131 §4.4.5)")
            return [note, *self._drop_lease("expired"), *self._enter_selecting(now)]
        elif timer_id == TIMER_RESTART and state is ClientState.INIT:
            return self._enter_selecting(now)
        return []  # a timer that outlived its state: nothing to do

    def on_message(self, now: int, msg: Dhcp, src_ip: str, dst_ip: str) -> list[Action]:
        """A DHCP message that arrived on UDP port 68 of this interface."""
        if msg.op != BOOTREPLY or msg.chaddr != self.mac:
            return []  # another client's reply (OFFER/NAK broadcasts reach everyone)
        mtype = msg.message_type
        if msg.xid != self.xid or self.state in (ClientState.INIT, ClientState.RELEASED, ClientState.BOUND):
            return [Note("dhcp.ignore", f"{self.name} ignores a {message_name(msg)} it is not waiting for "
                         f"(xid 0x{msg.xid:08x})")]
        if mtype == DHCPOFFER:
            return self._on_offer(now, msg)
        if mtype == DHCPACK:
            return self._on_ack(now, msg)
        if mtype == DHCPNAK:
            return self._on_nak(now, msg, src_ip)
        return [Note("dhcp.ignore", f"{self.name} ignores a {message_name(msg)} from {src_ip}")]

    # ---- replies ------------------------------------------------------------------------

    def _on_offer(self, now: int, msg: Dhcp) -> list[Action]:
        server = msg.get(OPT_SERVER_ID)
        if self.state is not ClientState.SELECTING:
            chosen = self._offer.yiaddr if self._offer is not None else "an address"
            return [Note("dhcp.ignore", f"{self.name} ignores another DHCPOFFER of {msg.yiaddr}: "
                         f"it has already chosen {chosen} and asked for it")]
        if server is None or msg.yiaddr == ANY_IP:
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPOFFER without an address or server id")]
        # dhclient's select-interval is 0: the first acceptable offer wins at once.
        self._offer = msg
        self.state = ClientState.REQUESTING
        self._first_sent_ns = now
        self._interval_s = 0
        note = Note("dhcp.select", f"{self.name} takes the offer of {msg.yiaddr} from {server} and asks "
                    "for it (DHCPREQUEST, broadcast, so any other server sees its offer declined)",
                    (f"DHCPOFFER of {msg.yiaddr} from {server}", self._request_line(msg.yiaddr, BROADCAST_IP)))
        return [note, *self._send_select_request(now)]

    def _on_ack(self, now: int, msg: Dhcp) -> list[Action]:
        if self.state is ClientState.SELECTING:
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPACK: it has not asked for anything yet")]
        lease_s = msg.get(OPT_LEASE_TIME)
        server = msg.get(OPT_SERVER_ID) or (self.lease.server if self.lease else None)
        if lease_s is None or server is None or msg.yiaddr == ANY_IP:
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPACK without address, lease time or server id")]
        old = self.lease
        lease = lease_from_ack(now, msg, lease_s, server)
        renewed = old is not None and old.address == lease.address
        before: list[Action] = []
        if old is not None and not renewed:
            before.append(Unbind(old.address, "replaced"))
        actions: list[Action] = [CancelTimer(TIMER_RETRANSMIT)]
        self.state = ClientState.BOUND
        self.lease = lease
        self._offer = None
        self._last_address = lease.address
        if lease.expires_at_ns is None:
            timing = "with no end (infinite lease)"
            actions += [CancelTimer(TIMER_T1), CancelTimer(TIMER_T2), CancelTimer(TIMER_EXPIRY)]
        else:
            t1_s = (lease.t1_at_ns - now) // SECOND_NS
            t2_s = (lease.t2_at_ns - now) // SECOND_NS
            timing = f"for {lease_s} s; it renews at T1 = {t1_s} s and rebinds at T2 = {t2_s} s"
            actions += [
                SetTimer(TIMER_T1, lease.t1_at_ns),
                SetTimer(TIMER_T2, lease.t2_at_ns),
                SetTimer(TIMER_EXPIRY, lease.expires_at_ns),
            ]
        verb = "keeps" if renewed else "is bound to"
        via = f", default route via {lease.router}" if lease.router else ""
        text = f"{self.name} {verb} {lease.address}/{lease.prefix_len}{via} {timing} (DHCPACK from {server})"
        bind = Bind(lease.address, lease.prefix_len, lease.router, lease.dns, lease_s, server, renewed)
        log = [f"DHCPACK of {lease.address} from {server} (xid=0x{msg.xid:x})"]
        if lease.t1_at_ns is not None:
            log.append(f"bound to {lease.address} -- renewal in {(lease.t1_at_ns - now) // SECOND_NS} seconds.")
        return [Note("dhcp.bound", text, tuple(log)), *before, bind, *actions]

    def _on_nak(self, now: int, msg: Dhcp, src_ip: str) -> list[Action]:
        if self.state is ClientState.SELECTING:
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPNAK: it has not asked for anything yet")]
        wanted = self.lease.address if self.lease else (self._offer.yiaddr if self._offer else "its address")
        server = msg.get(OPT_SERVER_ID) or src_ip
        note = Note("dhcp.nak", f"{self.name} is refused {wanted} (DHCPNAK from {server}): "
                    "it may not use it and starts over (RFC 2131 §3.1)",
                    (f"DHCPNAK from {server} (xid=0x{msg.xid:x})",))
        self._last_address = None  # a refused address is not asked for again
        return [note, *self._drop_lease("nak"), *self._enter_selecting(now)]

    # ---- transitions and messages ---------------------------------------------------------

    def _enter_selecting(self, now: int) -> list[Action]:
        self.state = ClientState.SELECTING
        self.xid = self._rng.getrandbits(32)
        self._offer = None
        self._first_sent_ns = now
        self._interval_s = 0
        return self._send_discover(now)

    def _drop_lease(self, reason: str) -> list[Action]:
        actions: list[Action] = [CancelTimer(TIMER_T1), CancelTimer(TIMER_T2), CancelTimer(TIMER_EXPIRY)]
        if self.lease is not None and self.state in _HOLDS_ADDRESS:
            actions.append(Unbind(self.lease.address, reason))
        self.lease = None
        return actions

    def _give_up(self, now: int) -> list[Action]:
        self.state = ClientState.INIT
        sleep_s = (RETRY_INTERVAL_S + 1) // 2 + self._rng.randrange(RETRY_INTERVAL_S)
        note = Note("dhcp.timeout", f"{self.name} received no DHCPOFFER in {SELECT_TIMEOUT_S} s; "
                    f"it sleeps {sleep_s} s and tries again",
                    ("No DHCPOFFERS received.", "No working leases in persistent database - sleeping."))
        return [note, CancelTimer(TIMER_RETRANSMIT), SetTimer(TIMER_RESTART, now + sleep_s * SECOND_NS)]

    def _next_interval_s(self) -> int:
        if self._interval_s == 0:
            self._interval_s = INITIAL_INTERVAL_S
        else:
            self._interval_s += self._rng.randrange(2 * self._interval_s)
        if self._interval_s > BACKOFF_CUTOFF_S:
            self._interval_s = BACKOFF_CUTOFF_S // 2 + self._rng.randrange(BACKOFF_CUTOFF_S)
        return self._interval_s

    def _secs(self, now: int) -> int:
        # RFC 2131 §2 "secs": seconds since the client began this exchange.
        return min((now - self._first_sent_ns) // SECOND_NS, 0xFFFF)

    def _common_options(self) -> tuple:
        host = ((OPT_HOSTNAME, self.hostname),) if self.hostname else ()
        return (*host, (OPT_PARAM_REQUEST, DHCLIENT_PARAMETER_REQUEST_LIST))

    def _send_discover(self, now: int) -> list[Action]:
        secs = self._discover_secs = self._secs(now)
        wanted = ((OPT_REQUESTED_IP, self._last_address),) if self._last_address else ()
        options = ((OPT_MESSAGE_TYPE, DHCPDISCOVER), *wanted, *self._common_options())
        msg = Dhcp(BOOTREQUEST, self.xid, self.mac, options, secs=secs)
        interval = self._next_interval_s()
        # dhclient: a backoff that would pass the 60 s timeout is cut to fire one second after
        # it, when the client gives up.
        left_s = SELECT_TIMEOUT_S - (now - self._first_sent_ns) // SECOND_NS
        interval = min(interval, left_s + 1)
        line = (f"DHCPDISCOVER on {self.ifname} to {BROADCAST_IP} port {SERVER_PORT} interval {interval} "
                f"(xid=0x{self.xid:x})")
        if secs == 0:
            text = (f"{self.name} asks any DHCP server for an address (DHCPDISCOVER, broadcast from "
                    f"0.0.0.0, xid 0x{self.xid:08x})")
        else:
            text = (f"{self.name} has had no offer for {secs} s and asks again (DHCPDISCOVER, same xid "
                    f"0x{self.xid:08x})")
        return [
            Note("dhcp.discover", text, (line,)),
            Send(msg, ANY_IP, BROADCAST_IP, BROADCAST_MAC, CLIENT_PORT, SERVER_PORT),
            SetTimer(TIMER_RETRANSMIT, now + interval * SECOND_NS),
        ]

    def _send_select_request(self, now: int) -> list[Action]:
        offer = self._offer
        # RFC 2131 §4.3.2 / table 5: in SELECTING, 'server identifier' and 'requested IP
        # address' MUST be present and ciaddr MUST be zero.
        options = (
            (OPT_MESSAGE_TYPE, DHCPREQUEST),
            (OPT_SERVER_ID, offer.get(OPT_SERVER_ID)),
            (OPT_REQUESTED_IP, offer.yiaddr),
            *self._common_options(),
        )
        msg = Dhcp(BOOTREQUEST, self.xid, self.mac, options, secs=self._discover_secs)
        actions: list[Action] = []
        if now != self._first_sent_ns:
            actions.append(Note("dhcp.request", f"{self.name} has had no answer and asks for "
                                f"{offer.yiaddr} again (DHCPREQUEST, same xid)",
                                (self._request_line(offer.yiaddr, BROADCAST_IP),)))
        return [
            *actions,
            Send(msg, ANY_IP, BROADCAST_IP, BROADCAST_MAC, CLIENT_PORT, SERVER_PORT),
            SetTimer(TIMER_RETRANSMIT, now + self._next_interval_s() * SECOND_NS),
        ]

    def _enter_lease_request(self, now: int, state: ClientState) -> list[Action]:
        self.state = state
        self.xid = self._rng.getrandbits(32)
        self._first_sent_ns = now
        lease = self.lease
        if state is ClientState.RENEWING:
            text = (f"{self.name} reached T1 and asks {lease.server}, which granted it, to extend its "
                    f"lease of {lease.address} (DHCPREQUEST, unicast)")
        else:
            text = (f"{self.name} reached T2 without an answer from {lease.server} and asks any server "
                    f"to extend {lease.address} (DHCPREQUEST, broadcast)")
        dst_ip = lease.server if state is ClientState.RENEWING else BROADCAST_IP
        kind = "dhcp.renew" if state is ClientState.RENEWING else "dhcp.rebind"
        return [Note(kind, text, (self._request_line(lease.address, dst_ip),)),
                *self._send_lease_request(now, first=True)]

    def _send_lease_request(self, now: int, first: bool = False) -> list[Action]:
        lease = self.lease
        # RFC 2131 table 5: RENEWING/REBINDING put the address in ciaddr and MUST NOT send
        # options 50 and 54; RENEWING is unicast to the server, REBINDING broadcast.
        options = ((OPT_MESSAGE_TYPE, DHCPREQUEST), *self._common_options())
        msg = Dhcp(BOOTREQUEST, self.xid, self.mac, options, ciaddr=lease.address, secs=self._secs(now))
        if self.state is ClientState.RENEWING:
            send = Send(msg, lease.address, lease.server, None, CLIENT_PORT, SERVER_PORT)
            deadline = lease.t2_at_ns
        else:
            send = Send(msg, lease.address, BROADCAST_IP, BROADCAST_MAC, CLIENT_PORT, SERVER_PORT)
            deadline = lease.expires_at_ns
        actions: list[Action] = [send]
        if not first:
            actions.insert(0, Note("dhcp.request", f"{self.name} has had no answer and asks again to extend "
                                   f"{lease.address} (DHCPREQUEST to {send.dst_ip})",
                                   (self._request_line(lease.address, send.dst_ip),)))
        # RFC 2131 §4.4.5: wait half the time left (at least 60 s) before asking again.
        wait = max((deadline - now) // 2, MIN_LEASE_RETRANSMIT_S * SECOND_NS)
        if now + wait < deadline:
            actions.append(SetTimer(TIMER_RETRANSMIT, now + wait))
        else:
            actions.append(CancelTimer(TIMER_RETRANSMIT))
        return actions

    def _request_line(self, address: str, dst_ip: str) -> str:
        return (f"DHCPREQUEST for {address} on {self.ifname} to {dst_ip} port {SERVER_PORT} "
                f"(xid=0x{self.xid:x})")

    # ---- views ------------------------------------------------------------------------

    @property
    def address(self) -> str | None:
        return self.lease.address if self.lease is not None and self.state in _HOLDS_ADDRESS else None

    def describe(self) -> dict:
        lease = self.lease
        return {
            "mac": self.mac,
            "hostname": self.hostname,
            "state": self.state.value,
            "xid": f"0x{self.xid:08x}",
            "address": self.address,
            "server": lease.server if lease else None,
            "expires_at_ns": lease.expires_at_ns if lease else None,
        }
