"""The DHCP client as ISC dhclient 4.4 (Debian 12's isc-dhcp-client) puts it on the wire.

A pure state machine: ``now`` (integer nanoseconds) and messages in, actions out. States, after
``client/dhclient.c`` (function names in brackets):

    INIT --[state_init]--> SELECTING --OFFER [state_selecting]--> REQUESTING --ACK--> BOUND
    INIT-REBOOT (a remembered, unexpired lease) [state_reboot] --ACK--> BOUND; silent 10 s --> INIT
    SELECTING --60 s without an offer [state_panic]--> INIT (sleeps 150..449 s, starts again)
    REQUESTING --10 s without an answer--> INIT
    BOUND --renewal time [state_bound]--> RENEWING (unicast) --past T2--> REBINDING (broadcast)
    RENEWING/REBINDING --past the lease end--> INIT (address dropped, DISCOVER for it again)
    REQUESTING/REBOOTING/RENEWING/REBINDING --NAK--> INIT, if a lease is remembered at all
    any --release [do_release]--> RELEASED

Timers are dhclient's, in its whole-second clock (``cur_time``) with a random microsecond added
to every instant more than a second ahead (``tv_usec = random() % 1000000``); ``random()`` is
drawn from the run's ``random.Random`` (31 bits, as glibc's). Defaults of ``dhclient.conf(5)``:
``initial-interval 3``, ``backoff-cutoff 15``, ``timeout 60``, ``reboot 10``,
``retry 300``, ``select-timeout 0``. See docs/dhcp.md for each message's fields.
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
    OPT_REBINDING_T2,
    OPT_RENEWAL_T1,
    OPT_REQUESTED_IP,
    OPT_SERVER_ID,
    Dhcp,
)

from .actions import SECOND_NS, Action, Bind, CancelTimer, Note, Send, SetTimer, Unbind
from .client_lease import ClientLease, lease_from_ack
from .options import CLIENT_PORT, DHCLIENT_PARAMETER_REQUEST_LIST, SERVER_PORT, message_name

INITIAL_INTERVAL_S = 3
BACKOFF_CUTOFF_S = 15
SELECT_TIMEOUT_S = 60  # dhclient "timeout": give up on DISCOVER after this long
REBOOT_TIMEOUT_S = 10  # dhclient "reboot": give up on a REQUEST (REQUESTING or INIT-REBOOT)
RETRY_INTERVAL_S = 300  # dhclient "retry": sleep 150..449 s after giving up
RAW_TOS = 0x10  # IPTOS_LOWDELAY on the packets dhclient builds itself

TIMER_RETRANSMIT = "retransmit"
TIMER_T1 = "t1"
TIMER_RESTART = "restart"
TIMERS = (TIMER_RETRANSMIT, TIMER_T1, TIMER_RESTART)


class ClientState(enum.Enum):
    INIT = "init"
    SELECTING = "selecting"
    REQUESTING = "requesting"
    REBOOTING = "init-reboot"
    BOUND = "bound"
    RENEWING = "renewing"
    REBINDING = "rebinding"
    RELEASED = "released"


_HOLDS_ADDRESS = (ClientState.BOUND, ClientState.RENEWING, ClientState.REBINDING)
_ASKING = (ClientState.SELECTING, ClientState.REQUESTING, ClientState.REBOOTING)


class DhcpClient:
    """ISC dhclient on one interface with hardware address ``mac``.

    ``hostname`` goes in option 12 (Debian's dhclient.conf: ``send host-name =
    gethostname()``, on every message); ``xid_source`` is the run's ``random.Random``. ``name``
    is who the trace sentences speak of; ``ifname`` appears in dhclient's log lines."""

    program = "isc-dhclient"
    timers = TIMERS  # its timers' ids (the glue keeps one token for each)

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
        self.lease: ClientLease | None = None  # the lease in use (BOUND, RENEWING, REBINDING)
        self.remembered: ClientLease | None = None  # dhclient's "active" lease, even expired
        self._offer: Dhcp | None = None
        self._first_s = 0  # first_sending, whole seconds
        self._interval_s = 0
        self._discover_secs = 0

    # ---- dhclient's clock ---------------------------------------------------------------

    def _random(self) -> int:
        return self._rng.getrandbits(31)  # glibc random(): 0 .. 2**31 - 1

    def _timeout(self, now: int, interval_s: int) -> int:
        """``add_timeout`` at ``cur_tv.tv_sec + interval`` with a random microsecond."""
        usec = self._random() % 1_000_000 if interval_s > 1 else (now % SECOND_NS) // 1000
        return (now // SECOND_NS + interval_s) * SECOND_NS + usec * 1000

    # ---- inputs -------------------------------------------------------------------------

    def start(self, now: int, remembered: ClientLease | None = None) -> list[Action]:
        """``dhclient eth0``: INIT-REBOOT with an unexpired ``remembered`` lease (dhclient's lease
        file), else a DISCOVER (asking for the remembered address, if any)."""
        if self.state in _HOLDS_ADDRESS:
            return [Note("dhcp.client", f"{self.name} already holds {self.lease.address}: nothing to do")]
        if self.state in _ASKING:
            return [Note("dhcp.client", f"{self.name} is already asking for an address")]
        if remembered is not None:
            self.remembered = remembered
        actions: list[Action] = [CancelTimer(TIMER_RESTART)]
        if self.remembered is not None and now // SECOND_NS < self._s(self.remembered.expires_at_ns):
            return actions + self._state_reboot(now)
        return actions + self._state_init(now)

    def release(self, now: int) -> list[Action]:
        """``dhclient -r eth0`` (``do_release``): a DHCPRELEASE for the remembered lease, then stop."""
        actions: list[Action] = [CancelTimer(t) for t in TIMERS]
        self.xid = self._random()
        active = self.remembered
        if active is not None:
            # make_release: a second random() for the packet; options 53, 54 and the host name
            # (dhclient.conf's "send" statements run for every message).
            msg = Dhcp(BOOTREQUEST, self._random(), self.mac,
                       ((OPT_MESSAGE_TYPE, DHCPRELEASE), (OPT_SERVER_ID, active.server), *self._hostname()),
                       ciaddr=active.address)
            line = (f"DHCPRELEASE of {active.address} on {self.ifname} to {active.server} port {SERVER_PORT} "
                    f"(xid=0x{msg.xid:x})")
            actions += [Note("dhcp.release", f"{self.name} gives {active.address} back to {active.server} "
                             "(DHCPRELEASE, unicast)", (line,)),
                        Send(msg, active.address, active.server, None, CLIENT_PORT, SERVER_PORT)]
            if self.state in _HOLDS_ADDRESS:
                actions.append(Unbind(active.address, "released"))
            # send_release: the lease ends now, so that a restart does not reuse it.
            self.remembered = ClientLease(active.address, active.prefix_len, active.router, active.dns, active.server,
                                          active.lease_s, active.bound_at_ns, now, now, now)
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
                return self._send_discover(now)
            if state in (ClientState.REQUESTING, ClientState.REBOOTING, ClientState.RENEWING, ClientState.REBINDING):
                return self._send_request(now)
        elif timer_id == TIMER_T1 and state is ClientState.BOUND:
            return self._state_bound(now)
        elif timer_id == TIMER_RESTART and state is ClientState.INIT:
            return self._state_init(now)
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
        # select-timeout 0: the first offer is taken at once (state_selecting).
        self._offer = msg
        self.state = ClientState.REQUESTING
        self._first_s = now // SECOND_NS
        self._interval_s = INITIAL_INTERVAL_S
        note = Note("dhcp.select", f"{self.name} takes the offer of {msg.yiaddr} from {server} and asks "
                    "for it (DHCPREQUEST, broadcast, so any other server sees its offer declined)",
                    (f"DHCPOFFER of {msg.yiaddr} from {server}",))
        return [CancelTimer(TIMER_RETRANSMIT), *self._send_request(now, note)]

    def _on_ack(self, now: int, msg: Dhcp) -> list[Action]:
        if self.state is ClientState.SELECTING:
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPACK: it has not asked for anything yet")]
        lease_s = msg.get(OPT_LEASE_TIME)
        server = msg.get(OPT_SERVER_ID) or (self.lease.server if self.lease else None)
        if not lease_s or server is None or msg.yiaddr == ANY_IP:
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPACK without address, lease time or server id")]
        cur = now // SECOND_NS
        # dhcpack: T1 from option 58 (else half the lease + 1), fuzzed to 75..100 % of itself;
        # T2 from option 59 (else 7/8); everything in whole seconds from cur_time.
        t1 = msg.get(OPT_RENEWAL_T1) or lease_s // 2 + 1
        t1 = (t1 * 3 + 3) // 4 + ((self._random() % t1) + 3) // 4
        t2 = msg.get(OPT_REBINDING_T2) or lease_s * 7 // 8
        if t1 > t2:
            t1 = t2 * 3 // 4
        lease = lease_from_ack(cur * SECOND_NS, msg, lease_s, server, t1_s=t1, t2_s=t2)
        old = self.lease
        renewed = old is not None and old.address == lease.address
        actions: list[Action] = [CancelTimer(TIMER_RETRANSMIT)]
        if old is not None and not renewed:
            actions.append(Unbind(old.address, "replaced"))
        self.state = ClientState.BOUND
        self.lease = self.remembered = lease
        self._offer = None
        at = self._timeout(now, t1)
        renewal_in = t1
        via = f", default route via {lease.router}" if lease.router else ""
        verb = "keeps" if renewed else "is bound to"
        given = msg.get(OPT_RENEWAL_T1) or lease_s // 2 + 1
        text = (f"{self.name} {verb} {lease.address}/{lease.prefix_len}{via} for {lease_s} s; it renews in "
                f"{renewal_in} s (dhclient draws it between three quarters of T1 = {given} s and T1) and rebinds "
                f"after T2 = {t2} s (DHCPACK from {server})")
        log = (f"DHCPACK of {lease.address} from {server} (xid=0x{msg.xid:x})",
               f"bound to {lease.address} -- renewal in {renewal_in} seconds.")
        bind = Bind(lease.address, lease.prefix_len, lease.router, lease.dns, lease_s, server, renewed)
        return [Note("dhcp.bound", text, log), *actions, bind, SetTimer(TIMER_T1, at)]

    def _on_nak(self, now: int, msg: Dhcp, src_ip: str) -> list[Action]:
        if self.state is ClientState.SELECTING:
            return [Note("dhcp.ignore", f"{self.name} ignores a DHCPNAK: it has not asked for anything yet")]
        server = msg.get(OPT_SERVER_ID) or src_ip
        log = (f"DHCPNAK from {server} (xid=0x{msg.xid:x})",)
        if self.remembered is None:
            # dhcpnak: "DHCPNAK with no active lease" is dropped; the REQUEST goes on until the
            # 10 s reboot timeout sends the client back to INIT.
            return [Note("dhcp.ignore", f"{self.name} is refused {self._offer.yiaddr if self._offer else 'its address'} "
                         f"(DHCPNAK from {server}) but holds no lease to give up: dhclient ignores the NAK and "
                         "keeps asking until its 10 s timeout", log)]
        wanted = self.lease.address if self.lease else self.remembered.address
        note = Note("dhcp.nak", f"{self.name} is refused {wanted} (DHCPNAK from {server}): it may not use it "
                    "and starts over (RFC 2131 §3.1)", log)
        actions = [note, CancelTimer(TIMER_RETRANSMIT), CancelTimer(TIMER_T1), *self._drop("nak")]
        self.remembered = None  # the refused lease is forgotten: no option 50 next
        return actions + self._state_init(now)

    # ---- transitions --------------------------------------------------------------------

    def _state_init(self, now: int) -> list[Action]:
        self.state = ClientState.SELECTING
        self.xid = self._random()
        self._offer = None
        self._first_s = now // SECOND_NS
        self._interval_s = INITIAL_INTERVAL_S
        return self._send_discover(now)

    def _state_reboot(self, now: int) -> list[Action]:
        self.state = ClientState.REBOOTING
        self.xid = self._random()
        self._first_s = now // SECOND_NS
        self._interval_s = INITIAL_INTERVAL_S
        address = self.remembered.address
        note = Note("dhcp.reboot", f"{self.name} remembers {address} from its last lease and asks to keep it "
                    "(DHCPREQUEST, INIT-REBOOT, broadcast, no server named)")
        return self._send_request(now, note)

    def _state_bound(self, now: int) -> list[Action]:
        """T1 (dhclient's renewal time): the same xid, unicast to the server that granted the lease."""
        self.state = ClientState.RENEWING
        self._first_s = now // SECOND_NS
        self._interval_s = INITIAL_INTERVAL_S
        lease = self.lease
        note = Note("dhcp.renew", f"{self.name} reached its renewal time and asks {lease.server}, which granted "
                    f"it, to extend its lease of {lease.address} (DHCPREQUEST, unicast)")
        return self._send_request(now, note)

    def _drop(self, reason: str) -> list[Action]:
        actions: list[Action] = []
        if self.lease is not None and self.state in _HOLDS_ADDRESS:
            actions.append(Unbind(self.lease.address, reason))
        self.lease = None
        return actions

    def _panic(self, now: int) -> list[Action]:
        """state_panic: no offer in 60 s. Sleep (retry + 1) / 2 + random() % retry seconds."""
        self.state = ClientState.INIT
        sleep_s = (RETRY_INTERVAL_S + 1) // 2 + self._random() % RETRY_INTERVAL_S
        note = Note("dhcp.timeout", f"{self.name} received no DHCPOFFER in {SELECT_TIMEOUT_S} s; "
                    f"it sleeps {sleep_s} s and tries again",
                    ("No DHCPOFFERS received.", "No working leases in persistent database - sleeping."))
        return [note, CancelTimer(TIMER_RETRANSMIT), SetTimer(TIMER_RESTART, self._timeout(now, sleep_s))]

    # ---- messages -----------------------------------------------------------------------

    def _hostname(self) -> tuple:
        return ((OPT_HOSTNAME, self.hostname),) if self.hostname else ()

    def _options(self, mtype: int, server: str | None = None, address: str | None = None) -> tuple:
        """cons_options' order for a client: 53, 54, 50, then 12, then 55."""
        out = [(OPT_MESSAGE_TYPE, mtype)]
        if server:
            out.append((OPT_SERVER_ID, server))
        if address:
            out.append((OPT_REQUESTED_IP, address))
        return (*out, *self._hostname(), (OPT_PARAM_REQUEST, DHCLIENT_PARAMETER_REQUEST_LIST))

    def _send_discover(self, now: int) -> list[Action]:
        cur = now // SECOND_NS
        elapsed = cur - self._first_s
        if elapsed > SELECT_TIMEOUT_S:
            return self._panic(now)
        self._interval_s += self._random() % (2 * self._interval_s)
        if self._interval_s > BACKOFF_CUTOFF_S:
            self._interval_s = BACKOFF_CUTOFF_S // 2 + self._random() % BACKOFF_CUTOFF_S
        if cur + self._interval_s > self._first_s + SELECT_TIMEOUT_S:
            self._interval_s = self._first_s + SELECT_TIMEOUT_S - cur + 1
        secs = self._discover_secs = min(elapsed, 0xFFFF)
        wanted = self.remembered.address if self.remembered is not None else None
        msg = Dhcp(BOOTREQUEST, self.xid, self.mac, self._options(DHCPDISCOVER, address=wanted), secs=secs)
        line = (f"DHCPDISCOVER on {self.ifname} to {BROADCAST_IP} port {SERVER_PORT} interval {self._interval_s} "
                f"(xid=0x{self.xid:x})")
        if elapsed == 0:
            text = (f"{self.name} asks any DHCP server for an address (DHCPDISCOVER, broadcast from "
                    f"0.0.0.0, xid 0x{self.xid:08x})")
        else:
            text = f"{self.name} has had no offer for {elapsed} s and asks again (DHCPDISCOVER, same xid 0x{self.xid:08x})"
        return [
            Note("dhcp.discover", text, (line,)),
            Send(msg, ANY_IP, BROADCAST_IP, BROADCAST_MAC, CLIENT_PORT, SERVER_PORT, tos=RAW_TOS, df=False),
            SetTimer(TIMER_RETRANSMIT, self._timeout(now, self._interval_s)),
        ]

    def _send_request(self, now: int, note: Note | None = None) -> list[Action]:
        """send_request; ``note`` says why a first REQUEST goes (None: a retransmission)."""
        cur = now // SECOND_NS
        elapsed = cur - self._first_s
        state = self.state
        if state in (ClientState.REQUESTING, ClientState.REBOOTING) and elapsed > REBOOT_TIMEOUT_S:
            note = Note("dhcp.timeout", f"{self.name} got no answer to its DHCPREQUEST in {REBOOT_TIMEOUT_S} s "
                        "and starts over")
            return [note, *self._state_init(now)]
        lease = self.lease
        if state in (ClientState.RENEWING, ClientState.REBINDING) and cur > self._s(lease.expires_at_ns):
            note = Note("dhcp.expire", f"{self.name}'s lease of {lease.address} ran out without a renewal: "
                        "it must stop using the address and starts over (RFC 2131 §4.4.5)")
            return [note, CancelTimer(TIMER_T1), *self._drop("expired"), *self._state_init(now)]
        self._interval_s += ((self._random() >> 2) % (2 * self._interval_s)) if self._interval_s else INITIAL_INTERVAL_S
        if self._interval_s > BACKOFF_CUTOFF_S:
            self._interval_s = BACKOFF_CUTOFF_S // 2 + (self._random() >> 2) % BACKOFF_CUTOFF_S
        if state is not ClientState.REQUESTING:
            expiry_s = self._s((lease or self.remembered).expires_at_ns)
            if cur + self._interval_s > expiry_s:
                self._interval_s = expiry_s - cur + 1
        if state is ClientState.REQUESTING:
            offer = self._offer
            address, src = offer.yiaddr, ANY_IP
            msg = Dhcp(BOOTREQUEST, self.xid, self.mac,
                       self._options(DHCPREQUEST, offer.get(OPT_SERVER_ID), offer.yiaddr), secs=self._discover_secs)
            send = Send(msg, src, BROADCAST_IP, BROADCAST_MAC, CLIENT_PORT, SERVER_PORT, tos=RAW_TOS, df=False)
        elif state is ClientState.REBOOTING:
            address = self.remembered.address
            msg = Dhcp(BOOTREQUEST, self.xid, self.mac, self._options(DHCPREQUEST, address=address),
                       secs=min(elapsed, 0xFFFF))
            send = Send(msg, ANY_IP, BROADCAST_IP, BROADCAST_MAC, CLIENT_PORT, SERVER_PORT, tos=RAW_TOS, df=False)
        else:
            # RENEWING: ciaddr, no 50 or 54 (RFC 2131 table 5); unicast through the kernel's UDP
            # socket until T2, then broadcast on dhclient's own (send_request).
            address = lease.address
            msg = Dhcp(BOOTREQUEST, self.xid, self.mac, self._options(DHCPREQUEST), ciaddr=address,
                       secs=min(elapsed, 0xFFFF))
            if cur > self._s(lease.t2_at_ns):
                if state is ClientState.RENEWING:
                    self.state = ClientState.REBINDING
                    note = Note("dhcp.rebind", f"{self.name} is past T2 without an answer from {lease.server} "
                                f"and asks any server to extend {address} (DHCPREQUEST, broadcast)")
                send = Send(msg, address, BROADCAST_IP, BROADCAST_MAC, CLIENT_PORT, SERVER_PORT, tos=RAW_TOS, df=False)
            else:
                send = Send(msg, address, lease.server, None, CLIENT_PORT, SERVER_PORT)
        line = f"DHCPREQUEST for {address} on {self.ifname} to {send.dst_ip} port {SERVER_PORT} (xid=0x{self.xid:x})"
        if note is None:
            note = Note("dhcp.request", f"{self.name} has had no answer and asks again for {address} "
                        f"(DHCPREQUEST to {send.dst_ip}, same xid)")
        note = Note(note.kind, note.text, (*note.log, line))
        return [note, send, SetTimer(TIMER_RETRANSMIT, self._timeout(now, self._interval_s))]

    @staticmethod
    def _s(at_ns: int | None) -> int:
        return at_ns // SECOND_NS if at_ns is not None else 1 << 62

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
