"""The DHCP server (RFC 2131 §4.3), behaving as dnsmasq with ``--dhcp-sequential-ip`` does.

A pure state machine like the client: ``now`` and messages in, actions out. What it does:

* **Allocation** (RFC 2131 §4.3.1): the client's current record if it has one; else the address
  it asks for in option 50 if that is free; else the lowest free address of the range.
* **Probe before OFFER** (RFC 2131 §2.2 SHOULD; dnsmasq pings, and the kernel's ARP resolution
  of that ping asks three times one second apart): ``SendArpProbe`` at t, t+1 s and t+2 s plus
  one ``SendIcmpProbe`` at t; the OFFER goes at t+3 s if nothing answered. An answer
  (``on_probe_result``) marks the address ``conflict`` and the next one is probed from scratch.
  DISCOVERs from the same client during the probe are answered together at its end, each with
  its own xid (dnsmasq handles them one after the other once its ping wait is over); a DISCOVER
  from a client that was offered an address less than 30 s ago is answered at once.
* **Replies** (RFC 2131 §4.1, giaddr zero): NAK broadcast; else to ciaddr if set (routed as any
  datagram); else broadcast if the client set the broadcast flag; else unicast to the client's
  MAC and the offered address (the client cannot ARP yet).
* **Options**, in dnsmasq's order: 53, 54 server id, 51 lease, 58 T1 = 50 %, 59 T2 = 87.5 %,
  1 mask, 28 broadcast, 3 router, 6 DNS, 15 domain, and 12 host name (the client's) in the ACK.
* **REQUEST** (RFC 2131 §4.3.2): SELECTING for another server: withdraw our offer, stay silent;
  SELECTING for us / INIT-REBOOT / RENEWING / REBINDING as the RFC says, NAK when the address
  cannot be the client's. RELEASE frees, DECLINE marks a conflict, expiry frees.
"""

import ipaddress
from dataclasses import dataclass

from simcore.packets import (
    ANY_IP,
    BOOTREPLY,
    BOOTREQUEST,
    BROADCAST_FLAG,
    BROADCAST_IP,
    BROADCAST_MAC,
    DHCPACK,
    DHCPDECLINE,
    DHCPDISCOVER,
    DHCPNAK,
    DHCPOFFER,
    DHCPRELEASE,
    DHCPREQUEST,
    OPT_BROADCAST,
    OPT_DNS,
    OPT_DOMAIN,
    OPT_HOSTNAME,
    OPT_LEASE_TIME,
    OPT_MESSAGE_TYPE,
    OPT_REBINDING_T2,
    OPT_RENEWAL_T1,
    OPT_REQUESTED_IP,
    OPT_ROUTER,
    OPT_SERVER_ID,
    OPT_SUBNET_MASK,
    Dhcp,
)

from .actions import SECOND_NS, Action, CancelTimer, Note, Send, SendArpProbe, SendIcmpProbe, SetTimer
from .leases import Lease, LeaseState, LeaseTable
from .options import (
    CLIENT_PORT,
    OPT_MESSAGE,
    SERVER_PORT,
    broadcast_of,
    message_name,
    prefix_to_mask,
    same_subnet,
)

PROBE_TRIES = 3  # ARP who-has, one second apart (Linux ucast/mcast_solicit = 3)
PROBE_SPACING_NS = SECOND_NS
OFFER_HOLD_S = 30  # an offered address waits this long for the client's REQUEST
PROBE_KINDS = ("arp", "icmp")


@dataclass(slots=True)
class _Probe:
    """A running address check for one client (mutable working state, never shown)."""

    mac: str
    ip: str
    hostname: str | None
    discovers: list  # the DISCOVERs to answer when the check ends, in arrival order
    tries: int


def _check_ip(what: str, value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except (ipaddress.AddressValueError, ValueError, TypeError):
        raise ValueError(f"DHCP server {what}: not an IPv4 address: {value!r}") from None


class DhcpServer:
    """A DHCP server for ``server_ip/prefix_len`` leasing ``pool_start..pool_end``."""

    def __init__(self, server_ip: str, server_mac: str, pool_start: str, pool_end: str, prefix_len: int,
                 lease_s: int, router: str | None = None, dns: tuple[str, ...] | str = (),
                 domain: str | None = None, probe: bool = True, name: str = "dhcp"):
        self.server_ip = _check_ip("address", server_ip)
        self.server_mac = server_mac
        if not isinstance(prefix_len, int) or not 1 <= prefix_len <= 30:
            raise ValueError(f"DHCP server prefix length must be 1..30, not {prefix_len!r}")
        for what, ip in (("range start", pool_start), ("range end", pool_end)):
            if not same_subnet(_check_ip(what, ip), self.server_ip, prefix_len):
                raise ValueError(f"DHCP server {what} {ip} is not in {self.server_ip}/{prefix_len}")
        if not isinstance(lease_s, int) or lease_s < 60:
            raise ValueError(f"DHCP server lease time must be at least 60 s, not {lease_s!r}")
        self.prefix_len = prefix_len
        self.lease_s = lease_s
        self.router = _check_ip("router", router) if router else None
        self.dns = tuple(_check_ip("DNS server", ip) for ip in ((dns,) if isinstance(dns, str) else dns))
        self.domain = domain or None
        self.probe = probe
        self.name = name
        self.mask = prefix_to_mask(prefix_len)
        self.broadcast = broadcast_of(self.server_ip, prefix_len)
        reserved = tuple(ip for ip in (self.server_ip, self.router) if ip)
        self.table = LeaseTable(pool_start, pool_end, reserved)
        self._probes: dict[str, _Probe] = {}  # by client MAC, in the order the checks began

    # ---- inputs -------------------------------------------------------------------------

    def on_message(self, now: int, msg: Dhcp, src_ip: str, src_mac: str, dst_ip: str | None = None) -> list[Action]:
        """A message that arrived on UDP port 67. The client is known by ``chaddr`` (RFC 2131
        §4.2), not by the frame's ``src_mac`` (kept for the glue's signature and the trace).
        ``dst_ip`` (if known) tells a broadcast REQUEST (REBINDING, maybe meant for another
        server) from one unicast to us; unknown counts as unicast."""
        actions = self._expire(now)
        if msg.op != BOOTREQUEST:
            return actions
        mtype = msg.message_type
        if msg.giaddr != ANY_IP:
            return [*actions, self._ignore(msg, "it came through a relay agent, which this server does not serve")]
        if mtype == DHCPDISCOVER:
            return actions + self._on_discover(now, msg)
        if mtype == DHCPREQUEST:
            return actions + self._on_request(now, msg, dst_ip)
        if mtype == DHCPRELEASE:
            return actions + self._on_release(msg)
        if mtype == DHCPDECLINE:
            return actions + self._on_decline(now, msg)
        return [*actions, self._ignore(msg, "this server does not answer it")]

    def on_timer(self, now: int, timer_id: str) -> list[Action]:
        kind, _, key = timer_id.partition(" ")
        if kind == "expire":
            return self._expire(now)
        if kind == "probe":
            return self._expire(now) + self._probe_step(now, key)
        raise ValueError(f"DhcpServer {self.name}: unknown timer {timer_id!r}")

    def on_probe_result(self, now: int, ip: str, kind: str, mac: str | None = None) -> list[Action]:
        """Something answered a probe of ``ip``: an ARP reply (``kind="arp"``, from ``mac``) or
        an ICMP echo reply (``kind="icmp"``). The address is in use: offer another."""
        if kind not in PROBE_KINDS:
            raise ValueError(f"DhcpServer {self.name}: probe result kind must be 'arp' or 'icmp', not {kind!r}")
        actions = self._expire(now)
        probe = next((p for p in self._probes.values() if p.ip == ip), None)
        if probe is None:
            return actions  # a late or stray answer: the address was already decided
        answer = f"an ARP reply from {mac}" if kind == "arp" else "an ICMP echo reply"
        if kind == "arp" and mac is None:
            answer = "an ARP reply"
        self.table.put(Lease(ip, mac or "", None, LeaseState.CONFLICT, now + self.lease_s * SECOND_NS))
        actions.append(Note("dhcp.conflict", f"{self.name} got {answer} for {ip}: some machine already uses "
                            "it, so it will not be offered; the next free address is checked instead"))
        actions.append(SetTimer(f"expire {ip}", now + self.lease_s * SECOND_NS))
        candidate = self.table.next_free(probe.mac)
        if candidate is None:
            del self._probes[probe.mac]
            return [*actions, CancelTimer(f"probe {probe.mac}"),
                    Note("dhcp.exhausted", f"{self.name} has no free address left for {self._who(probe.mac)}")]
        return actions + self._start_probe(now, probe, candidate)

    def leases(self) -> list[dict]:
        """The live lease table, by address: mac, ip, hostname, expires_at_ns, state."""
        return self.table.rows()

    # ---- DISCOVER: choose, probe, offer -------------------------------------------------

    def _on_discover(self, now: int, msg: Dhcp) -> list[Action]:
        mac = msg.chaddr
        probe = self._probes.get(mac)
        if probe is not None:
            probe.discovers.append(msg)
            return [Note("dhcp.discover", f"{self.name} is still checking {probe.ip} for {self._who(mac)}: this "
                         "DHCPDISCOVER will be answered with the same address when the check ends")]
        hostname = msg.get(OPT_HOSTNAME)
        held = self.table.for_mac(mac)
        if held is not None and held.state in (LeaseState.OFFERED, LeaseState.BOUND):
            # Checked a moment ago, or the client's own lease: no new probe (as dnsmasq).
            note = Note("dhcp.discover", f"{self.name} offers {held.ip} to {self._who(mac)} again: it is already "
                        f"{held.state.value} to it")
            return [note, *self._offer(now, held.ip, mac, hostname or held.hostname, [msg])]
        wanted = msg.get(OPT_REQUESTED_IP)
        if isinstance(wanted, str) and self.table.free_for(wanted, mac):
            candidate = wanted
        else:
            candidate = self.table.next_free(mac)
        if candidate is None:
            return [Note("dhcp.exhausted", f"{self.name} has no free address left for "
                         f"{self._who(mac, hostname)}: no offer")]
        if not self.probe:
            return self._offer(now, candidate, mac, hostname, [msg])
        probe = _Probe(mac, candidate, hostname, [msg], 0)
        self._probes[mac] = probe
        return self._start_probe(now, probe, candidate)

    def _start_probe(self, now: int, probe: _Probe, ip: str) -> list[Action]:
        probe.ip = ip
        probe.tries = 1
        self.table.put(Lease(ip, probe.mac, probe.hostname, LeaseState.PROBING, None))
        note = Note("dhcp.probe", f"{self.name} checks that nobody uses {ip} before offering it to "
                    f"{self._who(probe.mac)}: ARP who-has (try 1 of {PROBE_TRIES}) and an ICMP echo (RFC 2131 §2.2)")
        return [note, SendArpProbe(ip), SendIcmpProbe(ip), SetTimer(f"probe {probe.mac}", now + PROBE_SPACING_NS)]

    def _probe_step(self, now: int, mac: str) -> list[Action]:
        probe = self._probes.get(mac)
        if probe is None:
            return []
        if probe.tries < PROBE_TRIES:
            probe.tries += 1
            note = Note("dhcp.probe", f"{self.name} asks again who has {probe.ip} "
                        f"(try {probe.tries} of {PROBE_TRIES}): no answer so far")
            return [note, SendArpProbe(probe.ip), SetTimer(f"probe {mac}", now + PROBE_SPACING_NS)]
        del self._probes[mac]
        note = Note("dhcp.probe", f"{self.name} had no answer for {probe.ip} in {PROBE_TRIES} s: "
                    "the address is free")
        return [note, *self._offer(now, probe.ip, mac, probe.hostname, probe.discovers)]

    def _offer(self, now: int, ip: str, mac: str, hostname: str | None, discovers: list) -> list[Action]:
        held = self.table.for_mac(mac)
        if held is None or held.ip != ip or held.state is not LeaseState.BOUND:
            until = now + OFFER_HOLD_S * SECOND_NS
            timer = self._expiry_timer(ip)
            self.table.put(Lease(ip, mac, hostname, LeaseState.OFFERED, until, timer))
            actions: list[Action] = [SetTimer(timer, until)]
        else:
            actions = []
        for discover in discovers:
            reply = self._reply(discover, DHCPOFFER, ip)
            dst_ip, dst_mac, how = self._destination(discover, ip)
            actions.append(Note("dhcp.offer", f"{self.name} offers {ip} to {self._who(mac)} for {self.lease_s} s "
                                f"(DHCPOFFER, {how})"))
            actions.append(Send(reply, self.server_ip, dst_ip, dst_mac, SERVER_PORT, CLIENT_PORT))
        return actions

    # ---- REQUEST, RELEASE, DECLINE ---------------------------------------------------------

    def _on_request(self, now: int, msg: Dhcp, dst_ip: str | None) -> list[Action]:
        mac = msg.chaddr
        server_id = msg.get(OPT_SERVER_ID)
        wanted = msg.get(OPT_REQUESTED_IP)
        if server_id is not None:
            # SELECTING (RFC 2131 §4.3.2): the client names the server it chose.
            if server_id != self.server_ip:
                return self._withdraw(msg, server_id)
            if not isinstance(wanted, str):
                return self._nak(msg, "no requested address")
            if not self.table.free_for(wanted, mac):
                return self._nak(msg, "address not available")
            return self._ack(now, msg, wanted)
        if msg.ciaddr == ANY_IP:
            # INIT-REBOOT: the client checks an address it remembers.
            if not isinstance(wanted, str):
                return [self._ignore(msg, "it names neither a server nor an address")]
            if not same_subnet(wanted, self.server_ip, self.prefix_len):
                return self._nak(msg, "wrong network")
            held = self.table.get(wanted)
            if held is not None and held.mac == mac and held.state is LeaseState.BOUND:
                return self._ack(now, msg, wanted)
            if held is not None and held.mac != mac:
                return self._nak(msg, "address in use")
            return [self._ignore(msg, f"it has no record of {mac} (RFC 2131 §4.3.2: remain silent)")]
        # RENEWING (unicast to us) or REBINDING (broadcast): the address is in ciaddr.
        held = self.table.get(msg.ciaddr)
        if held is not None and held.mac == mac and held.state is LeaseState.BOUND:
            return self._ack(now, msg, msg.ciaddr)
        if dst_ip == BROADCAST_IP:
            # A rebinding client may hold a lease of another server: not ours to refuse (dnsmasq
            # NAKs only a REQUEST unicast to it).
            return [self._ignore(msg, f"it has no lease of {msg.ciaddr} for {mac}")]
        return self._nak(msg, "lease not found")

    def _withdraw(self, msg: Dhcp, server_id: str) -> list[Action]:
        mac = msg.chaddr
        actions: list[Action] = [Note("dhcp.ignore", f"{self.name} sees {self._who(mac)} choose the server {server_id}: "
                                      "the DHCPREQUEST is not for it and gets no answer")]
        probe = self._probes.pop(mac, None)
        if probe is not None:
            self.table.remove(probe.ip)
            actions.append(CancelTimer(f"probe {mac}"))
        held = self.table.for_mac(mac)
        if held is not None and held.state is LeaseState.OFFERED:
            # RFC 2131 §4.3.2: the REQUEST tells the other servers their offers were declined.
            self.table.remove(held.ip)
            actions += [CancelTimer(f"expire {held.ip}"),
                        Note("dhcp.withdraw", f"{self.name} takes back its offer of {held.ip}")]
        return actions

    def _ack(self, now: int, msg: Dhcp, ip: str) -> list[Action]:
        mac = msg.chaddr
        old = self.table.for_mac(mac)
        probe = self._probes.pop(mac, None)
        actions: list[Action] = [CancelTimer(f"probe {mac}")] if probe is not None else []
        if probe is not None and probe.ip != ip:
            self.table.remove(probe.ip)
        hostname = msg.get(OPT_HOSTNAME) or (old.hostname if old is not None else None)
        until = now + self.lease_s * SECOND_NS
        renewed = old is not None and old.ip == ip and old.state is LeaseState.BOUND
        timer = self._expiry_timer(ip)
        self.table.put(Lease(ip, mac, hostname, LeaseState.BOUND, until, timer))
        reply = self._reply(msg, DHCPACK, ip, hostname=hostname)
        dst_ip, dst_mac, how = self._destination(msg, ip)
        who = self._who(mac, hostname)
        verb = "extends the lease of" if renewed else "leases"
        return [
            *actions,
            Note("dhcp.ack", f"{self.name} {verb} {ip} to {who} for {self.lease_s} s (DHCPACK, {how})"),
            Send(reply, self.server_ip, dst_ip, dst_mac, SERVER_PORT, CLIENT_PORT),
            SetTimer(timer, until),
        ]

    def _nak(self, msg: Dhcp, reason: str) -> list[Action]:
        # RFC 2131 table 3 and §4.1: a NAK carries only type, server id and a message, and is
        # broadcast when giaddr is zero (the client may have no usable address).
        options = ((OPT_MESSAGE_TYPE, DHCPNAK), (OPT_SERVER_ID, self.server_ip), (OPT_MESSAGE, reason.encode()))
        reply = Dhcp(BOOTREPLY, msg.xid, msg.chaddr, options, flags=msg.flags)
        wanted = msg.get(OPT_REQUESTED_IP) or msg.ciaddr
        return [
            Note("dhcp.nak", f"{self.name} refuses {wanted} to {self._who(msg.chaddr, msg.get(OPT_HOSTNAME))}: "
                 f"{reason} (DHCPNAK, broadcast)"),
            Send(reply, self.server_ip, BROADCAST_IP, BROADCAST_MAC, SERVER_PORT, CLIENT_PORT),
        ]

    def _on_release(self, msg: Dhcp) -> list[Action]:
        if msg.get(OPT_SERVER_ID) not in (None, self.server_ip):
            return [self._ignore(msg, "it is meant for another server")]
        held = self.table.get(msg.ciaddr) if msg.ciaddr != ANY_IP else None
        if held is None or held.mac != msg.chaddr:
            return [self._ignore(msg, f"{msg.chaddr} holds no lease of {msg.ciaddr}")]
        who = self._who(msg.chaddr)
        self.table.remove(held.ip)
        return [CancelTimer(f"expire {held.ip}"),
                Note("dhcp.release", f"{self.name} frees {held.ip}: {who} gave it back (DHCPRELEASE)")]

    def _on_decline(self, now: int, msg: Dhcp) -> list[Action]:
        wanted = msg.get(OPT_REQUESTED_IP)
        if msg.get(OPT_SERVER_ID) != self.server_ip or not isinstance(wanted, str):
            return [self._ignore(msg, "it is meant for another server")]
        held = self.table.get(wanted)
        if held is None or held.mac != msg.chaddr:
            return [self._ignore(msg, f"{msg.chaddr} was not given {wanted}")]
        until = now + self.lease_s * SECOND_NS
        self.table.put(Lease(wanted, "", None, LeaseState.CONFLICT, until))
        return [SetTimer(f"expire {wanted}", until),
                Note("dhcp.conflict", f"{self.name} marks {wanted} in use: {self._who(msg.chaddr)} found another machine "
                     "on it (DHCPDECLINE, RFC 2131 §4.3.3)")]

    # ---- helpers ------------------------------------------------------------------------

    def _expiry_timer(self, ip: str) -> str:
        """The name of ``ip``'s expiry timer: its lease's when it has one (the ACK after an OFFER
        sets the same timer again: one string a lease, not one a setting)."""
        held = self.table.get(ip)
        return held.timer if held is not None and held.timer is not None else f"expire {ip}"

    def _reply(self, req: Dhcp, mtype: int, ip: str, hostname: str | None = None) -> Dhcp:
        options: list[tuple] = [
            (OPT_MESSAGE_TYPE, mtype),
            (OPT_SERVER_ID, self.server_ip),
            (OPT_LEASE_TIME, self.lease_s),
            (OPT_RENEWAL_T1, self.lease_s // 2),  # RFC 2131 §4.4.5: T1 = 0.5 lease
            (OPT_REBINDING_T2, self.lease_s * 7 // 8),  # T2 = 0.875 lease
            (OPT_SUBNET_MASK, self.mask),
            (OPT_BROADCAST, self.broadcast),
        ]
        if self.router:
            options.append((OPT_ROUTER, (self.router,)))
        if self.dns:
            options.append((OPT_DNS, self.dns))
        if self.domain:
            options.append((OPT_DOMAIN, self.domain))
        if mtype == DHCPACK and hostname:
            options.append((OPT_HOSTNAME, hostname))
        # RFC 2131 table 3: ciaddr is echoed in an ACK only; siaddr is the server (as dnsmasq).
        ciaddr = req.ciaddr if mtype == DHCPACK else ANY_IP
        return Dhcp(BOOTREPLY, req.xid, req.chaddr, tuple(options), ciaddr=ciaddr, yiaddr=ip,
                    siaddr=self.server_ip, flags=req.flags)

    def _destination(self, req: Dhcp, ip: str) -> tuple[str, str | None, str]:
        # RFC 2131 §4.1, giaddr zero.
        if req.ciaddr != ANY_IP:
            return req.ciaddr, None, f"unicast to {req.ciaddr}"
        if req.flags & BROADCAST_FLAG:
            return BROADCAST_IP, BROADCAST_MAC, "broadcast: the client set the broadcast flag"
        return ip, req.chaddr, f"unicast to {req.chaddr}, which cannot answer ARP for {ip} yet"

    def _who(self, mac: str, hostname: str | None = None) -> str:
        """A client as the trace names it: its host name (option 12) first, then its MAC."""
        if hostname is None:
            held = self.table.for_mac(mac)
            probe = self._probes.get(mac)
            hostname = held.hostname if held is not None else probe.hostname if probe is not None else None
        return f"{hostname} ({mac})" if hostname else mac

    def _ignore(self, msg: Dhcp, why: str) -> Note:
        return Note("dhcp.ignore", f"{self.name} ignores a {message_name(msg)} from {msg.chaddr}: {why}")

    def _expire(self, now: int) -> list[Action]:
        actions: list[Action] = []
        for lease in self.table.expire(now):
            if lease.state is LeaseState.BOUND:
                text = (f"{self.name}: the lease of {lease.ip} to {self._who(lease.mac, lease.hostname)} ran out; "
                        "the address is free again")
            elif lease.state is LeaseState.OFFERED:
                text = (f"{self.name}: {self._who(lease.mac, lease.hostname)} never asked for the offered "
                        f"{lease.ip}; the address is free again")
            else:
                text = f"{self.name} may offer {lease.ip} again: the conflict was {self.lease_s} s ago"
            actions.append(Note("dhcp.expire", text))
        return actions
