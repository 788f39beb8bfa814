"""The DHCP machines bound on a host's NIC: actions carried out on the host's stack and engine.

The machines (``client.py``, ``networkd.py``, ``server.py``) are pure; this module is the host glue that
``docs/dhcp.md`` ("what the glue must do") describes:

* the client gets **every** UDP datagram to port 68 arriving on its NIC, whatever the
  destination address (a unicast OFFER goes to an address it does not hold yet: dhclient reads
  a packet socket), so it sits in PREROUTING, before the "not for us" check;
* the server gets every datagram to port 67 on its NIC (one UDP socket per stack, dispatched by
  the NIC it arrived on, so a host can serve several NAT networks);
* a ``Send`` with a known ``dst_mac`` leaves as a whole frame without ARP; one without is routed;
* timers are engine events with a token: a replaced or cancelled timer is ignored when it fires;
* the address probe: ``SendArpProbe`` is one who-has; ``SendIcmpProbe`` (dnsmasq's ping: a
  random id, seq 0, 20 zero bytes) waits behind it, as the kernel queues a packet behind ARP for
  up to 3 s; an ARP reply or echo reply for a probed address goes to ``on_probe_result``;
* dnsmasq learns the client from the DHCP exchange: before a unicast reply to a client that has
  no address yet it puts the client's MAC (chaddr) into the host's ARP cache for the offered
  address (SIOCSARP, ``Stack.add_neighbour``: STALE). That releases the queued ping, which
  leaves unicast to the client just before the OFFER, and spares the host an ARP request when it
  later sends to the client (``kernel_arp``; VirtualBox's own servers answer from user space);
* ``Note`` becomes a trace event whose kind is the note's (``dhcp.offer``...); dhclient's log
  lines are printed on the console when ``dhclient -v`` asked for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from simcore.packets import (
    ARP_REPLY,
    BROADCAST_MAC,
    ICMP_ECHO_REQUEST,
    PROTO_ICMP,
    PROTO_UDP,
    Dhcp,
    IcmpEcho,
    IPv4,
)

from .actions import Bind, CancelTimer, Note, Send, SendArpProbe, SendIcmpProbe, SetTimer, Unbind
from .client import DhcpClient
from .framing import frame_for
from .networkd import NetworkdClient, NetworkdState, machine_id_for
from .options import CLIENT_PORT, SERVER_PORT
from .server import DhcpServer

# The kernel keeps a packet queued behind ARP while it solicits: 3 tries, 1 s apart
# (ucast/mcast_solicit 3, retrans_time 1 s); after that the queued ping is dropped.
PROBE_QUEUE_NS = 3_000_000_000
PROBE_PAYLOAD = bytes(20)  # dnsmasq sends a whole struct icmp: 8 header bytes and 20 zeros


def _message(udp: Any) -> Dhcp:
    payload = udp.payload
    return payload if isinstance(payload, Dhcp) else Dhcp.parse(bytes(payload))


class _Glue:
    """What client and server glue share: sending, timers, notes.

    The machine's timers are named; setting an id again replaces it. Each is an engine event
    with a token (``tokens``: id -> the token of its last setting), so a replaced or cancelled
    timer is ignored when it fires. A timer's event calls the glue itself (``__call__``): no
    bound method is kept for it."""

    __slots__ = ("node", "stack", "engine", "nic", "machine", "names", "tokens", "count")

    def __init__(self, node: Any, nic_name: str, machine: Any, names: Any = None):
        self.node = node
        self.stack = node.stack
        self.engine = node.engine
        self.nic = node.nics[nic_name]
        self.machine = machine
        self.names = names
        self.tokens: dict[str, int] = {}
        self.count = 0

    def set_timer(self, timer_id: str, at_ns: int) -> None:
        self.count += 1
        self._hold(timer_id, self.count)
        self.engine.at_args(max(at_ns, self.engine.now), self, self._args(timer_id, self.count))

    def _args(self, timer_id: str, token: int) -> tuple[str, int]:
        """The arguments of a timer's event: ``__call__(timer_id, token)``."""
        return (timer_id, token)

    def __call__(self, timer_id: str, token: int) -> None:
        """A timer is due."""
        if self._token(timer_id) == token:
            self._hold(timer_id, 0)
            self._on_timer(self.engine.now, timer_id)

    def _token(self, timer_id: str) -> int:
        """The token of the timer's last setting; 0 when it is not set (tokens count from 1)."""
        return self.tokens.get(timer_id, 0)

    def _hold(self, timer_id: str, token: int) -> None:
        """Keep ``token`` as the timer's (0: the timer is cancelled, or it has fired)."""
        if token:
            self.tokens[timer_id] = token
        else:
            self.tokens.pop(timer_id, None)

    def _on_timer(self, now: int, timer_id: str) -> None:
        self.apply(self.machine.on_timer(now, timer_id))

    def apply(self, actions: list) -> None:
        for action in actions:
            if isinstance(action, Send):
                self._send(action)
            elif isinstance(action, SetTimer):
                self.set_timer(action.timer_id, action.at_ns)
            elif isinstance(action, CancelTimer):
                self._hold(action.timer_id, 0)
            elif isinstance(action, Note):
                self._note(action)
            else:
                self._other(action)

    def _other(self, action: Any) -> None:
        raise TypeError(f"{type(self).__name__}: unexpected action {action!r}")

    def _send(self, send: Send) -> None:
        stack = self.stack
        if send.dst_mac is not None:
            stack.send_frame(self.nic, frame_for(send, self.nic.mac))
            return
        # Routed unicast (a renewal, a release, a reply to ciaddr): the same IP header, ARP as usual.
        packet = frame_for(send, self.nic.mac, self.nic.mac).payload
        stack.send_ip(packet)

    def _note(self, note: Note) -> None:
        tracer = self.node.tracer
        if tracer.on:
            tracer.emit(note.kind, note.text, node=self.node.id, nic=self.nic.name)


CLIENT_PROGRAMS = ("isc-dhclient", "systemd-networkd")


class LeaseFact(Mapping):
    """The console fact of a lease bound on a NIC, read as the dict ``Console.fact`` would have
    kept (stamped with the run's time and the node): t, node, kind ("dhcp"), nic, address (with
    its prefix), router, server, lease_s and summary, in that order. It keeps the values only and
    makes the address's and the summary's words when they are read: every booted VM and
    container has one."""

    __slots__ = ("t", "node", "nic", "ip", "prefix_len", "router", "server", "lease_s")
    KEYS = ("t", "node", "kind", "nic", "address", "router", "server", "lease_s", "summary")

    def __init__(self, t: int, node: str, nic: str, ip: str, prefix_len: int, router: str | None, server: str,
                 lease_s: int):
        self.t, self.node, self.nic, self.ip, self.prefix_len = t, node, nic, ip, prefix_len
        self.router, self.server, self.lease_s = router, server, lease_s

    def __getitem__(self, key: str) -> Any:
        if key == "kind":
            return "dhcp"
        if key == "address":
            return f"{self.ip}/{self.prefix_len}"
        if key == "summary":
            return (f"{self.nic} leased {self.ip}/{self.prefix_len} from {self.server} for {self.lease_s} s"
                    + (f", router {self.router}" if self.router else ""))
        if key in ("t", "node", "nic", "router", "server", "lease_s"):
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)

    def __repr__(self) -> str:
        return repr(dict(self))


@lru_cache(maxsize=1024)  # the rows in use: clients that did the same so far share theirs
def _token_row(row: tuple[int, ...]) -> tuple[int, ...]:
    """The one tuple equal to ``row`` (tuples compare and hash by value)."""
    return row


@lru_cache(maxsize=1024)  # (timer id, token) pairs in use: clients that did the same share theirs
def _shared_args(timer_id: str, token: int) -> tuple[str, int]:
    return (timer_id, token)


class DhcpClientGlue(_Glue):
    """A DHCP client on one NIC of a node: ``program`` is ``isc-dhclient`` (the console's
    ``dhclient``) or ``systemd-networkd`` (an Ubuntu guest bringing its NIC up). ``start``,
    ``release``; ``verbose`` prints the client's log lines on the console.

    A client has a few timers, named by its machine (``machine.timers``): their tokens are one
    tuple in that order (0: not set), shared with every client holding the same, not a dict."""

    __slots__ = ("program", "verbose")

    def __init__(self, node: Any, nic_name: str, names: Any = None, program: str = "isc-dhclient"):
        mac, rng = node.nics[nic_name].mac, node.engine.rng
        if program == "isc-dhclient":
            client: Any = DhcpClient(mac, node.name, rng, name=node.name, ifname=nic_name)
        elif program == "systemd-networkd":
            client = NetworkdClient(mac, node.name, rng, name=node.name, ifname=nic_name,
                                    machine_id=machine_id_for(node.id))
        else:
            raise ValueError(f"{node.name}: unknown DHCP client {program!r}; one of {', '.join(CLIENT_PROGRAMS)}")
        super().__init__(node, nic_name, client, names)
        self.tokens = _token_row((0,) * len(client.timers))  # type: ignore[assignment]
        self.program = program
        self.verbose = False
        hooks = self.stack._own_prerouting
        if _client_prerouting not in hooks:
            if hooks.__class__ is list:
                hooks.insert(0, _client_prerouting)
            else:  # the stack's first hook: the one tuple every such stack reads (see OnFirstUse)
                self.stack._own_prerouting = (_client_prerouting, *hooks) if hooks else _CLIENT_HOOKS

    def detach(self) -> None:
        """Stop this client for good: it hears nothing more and its timers are dropped."""
        stack = self.stack
        others = [g for g in getattr(self.node, "dhcp_clients", {}).values() if g is not self and g.stack is stack]
        if not others and _client_prerouting in stack._own_prerouting:
            stack.prerouting.remove(_client_prerouting)
        self.tokens = _token_row((0,) * len(self.tokens))  # type: ignore[assignment]

    def _token(self, timer_id: str) -> int:
        return self.tokens[self.machine.timers.index(timer_id)]  # type: ignore[index]

    def _args(self, timer_id: str, token: int) -> tuple[str, int]:
        return _shared_args(timer_id, token)

    def _hold(self, timer_id: str, token: int) -> None:
        i = self.machine.timers.index(timer_id)
        row = self.tokens
        if row[i] != token:  # type: ignore[index]
            self.tokens = _token_row((*row[:i], token, *row[i + 1:]))  # type: ignore[index, assignment]

    def start(self, verbose: bool = False) -> None:
        self.verbose = verbose
        self.apply(self.machine.start(self.engine.now))

    def release(self, verbose: bool = False) -> None:
        self.verbose = verbose
        self.apply(self.machine.release(self.engine.now))

    def _note(self, note: Note) -> None:
        super()._note(note)
        if self.verbose:
            for line in note.log:
                self.node.console.print(line)

    def _other(self, action: Any) -> None:
        stack, dev = self.stack, self.nic.name
        if isinstance(action, Bind):
            if action.renewed:
                return
            stack.set_address(dev, f"{action.address}/{action.prefix_len}", action.address)
            if action.router:
                try:
                    stack.add_route("default", action.router, dev)
                except ValueError:
                    # dhclient-script adds it with its output sent to /dev/null (networkd logs and
                    # goes on): a default route already there (networkd's, a static one) stays,
                    # and the lease binds all the same.
                    pass
            if self.names is not None:
                self.names.add_ip(action.address, self.node.id)
            console = self.node.console
            console.facts.append(LeaseFact(console.tracer.engine.now, self.node.id, dev, action.address,
                                           action.prefix_len, action.router, action.server, action.lease_s))
        elif isinstance(action, Unbind):
            stack.routes.remove_dev(dev)
            stack.set_address(dev, None)
        else:
            super()._other(action)


def _client_prerouting(stack: Any, packet: Any, nic: Any) -> Any:
    """The DHCP clients of a stack hear every datagram to port 68 arriving on their NIC here: one
    hook for a stack's clients (in the node's ``dhcp_clients``), not a bound method for each."""
    if packet.proto != PROTO_UDP or packet.payload.dport != CLIENT_PORT or nic is None:
        return packet
    glue = getattr(stack.node, "dhcp_clients", {}).get(nic.name)
    if glue is None or glue.nic is not nic or glue.stack is not stack:
        return packet
    glue.apply(glue.machine.on_message(glue.engine.now, _message(packet.payload), packet.src, packet.dst))
    return None


class OneClient(Mapping):
    """A node's ``dhcp_clients`` while it has one (most have: one NIC): the mapping {NIC name:
    its glue} in two slots, not a dict (184 bytes however small). Read only: ``client_on`` puts a
    dict in its place for a second NIC."""

    __slots__ = ("nic_name", "glue")

    def __init__(self, nic_name: str, glue: DhcpClientGlue):
        self.nic_name, self.glue = nic_name, glue

    def __getitem__(self, key: str) -> DhcpClientGlue:
        if key == self.nic_name:
            return self.glue
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self.glue if key == self.nic_name else default

    def __iter__(self) -> Iterator[str]:
        return iter((self.nic_name,))

    def __len__(self) -> int:
        return 1

    def __repr__(self) -> str:
        return repr(dict(self))


# The PREROUTING hooks of a stack whose only hook is its DHCP clients': one tuple for all of them
# (``stack.prerouting``, asked by code adding a hook, gives the stack a list of its own first).
_CLIENT_HOOKS = (_client_prerouting,)


def client_on(node: Any, nic_name: str, program: str, names: Any = None) -> DhcpClientGlue:
    """The node's DHCP client ``program`` on ``nic_name``, created on first use. One client per
    NIC: another program's client there is stopped first. ``node.dhcp_clients`` (NIC name ->
    glue) is a ``OneClient`` while the node has one, a dict from the second."""
    clients = getattr(node, "dhcp_clients", None)  # (not node.__dict__: asking for it makes one)
    glue = clients.get(nic_name) if clients is not None else None
    if glue is not None and glue.program != program:
        glue.detach()
        glue = None
    if glue is None:
        glue = DhcpClientGlue(node, nic_name, names, program)
        if clients is None or (len(clients) == 1 and nic_name in clients):
            node.dhcp_clients = OneClient(nic_name, glue)
        else:
            table = dict(clients)  # (a replaced client keeps its NIC's place, as a dict's key does)
            table[nic_name] = glue
            node.dhcp_clients = table
    return glue


def guest_nic_up(node: Any, nic_name: str, names: Any = None) -> DhcpClientGlue:
    """An Ubuntu guest's NIC comes up with DHCP (netplan ``dhcp4: true``, systemd-networkd): its
    client starts at once. The VM lifecycle calls this when a VM boots."""
    glue = client_on(node, nic_name, "systemd-networkd", names)
    glue.start()
    return glue


def carrier_changed(node: Any, nic_name: str, up: bool) -> None:
    """systemd-networkd sees ``nic_name`` lose or regain its carrier (a virtual cable pulled, a
    NIC re-attached): down, its DHCP client stops and the leased address goes; up, the client
    starts again (a DISCOVER asking for the last address). ISC dhclient, typed on a console,
    does not watch the carrier and carries on."""
    glue = getattr(node, "dhcp_clients", {}).get(nic_name)
    if glue is None or glue.program != "systemd-networkd":
        return
    client = glue.machine
    if not up:
        glue.apply(client.carrier_lost(glue.engine.now))
    elif client.state is NetworkdState.STOPPED:
        glue.start()


class DhcpServerGlue(_Glue):
    """A DHCP server (dnsmasq) bound on one NIC of a node, which has a static address there.
    ``voice``: who the server's sentences name (a NAT network's server: "natnet's DHCP server
    (dnsmasq on hv)"), the node's name by default."""

    def __init__(self, node: Any, nic_name: str, *, range_start: str, range_end: str, lease_s: int,
                 router: str | None = None, dns: tuple[str, ...] = (), probe: bool = True,
                 names: Any = None, kernel_arp: bool | None = None, voice: str | None = None):
        stack = node.stack
        iface = stack.ifaces[nic_name]
        if iface.addr is None:
            raise ValueError(f"{node.name}: a DHCP server on {nic_name} needs a static address there")
        server = DhcpServer(iface.ip, iface.nic.mac, range_start, range_end, iface.addr.network.prefixlen,
                            lease_s, router=router, dns=tuple(dns), probe=probe, name=voice or node.name)
        super().__init__(node, nic_name, server, names)
        # dnsmasq (which probes) writes its clients into the kernel's ARP cache; VirtualBox's
        # servers, which the presets build with probe=False, answer from user space.
        self.kernel_arp = probe if kernel_arp is None else kernel_arp
        self._pending_echo: dict[str, tuple[int, IPv4]] = {}  # ip -> (dropped at, queued ping)
        servers = getattr(stack, "dhcp_servers", None)
        if servers is None:
            servers = stack.dhcp_servers = {}
            stack.udp_bind(SERVER_PORT, _serve)
            stack.arp_observers.append(_observe_arp)
        if nic_name in servers:
            raise ValueError(f"{node.name}: two DHCP servers on {nic_name}")
        servers[nic_name] = self

    def leases(self) -> list[dict]:
        return self.machine.leases()

    def _other(self, action: Any) -> None:
        stack, nic = self.stack, self.nic
        if isinstance(action, SendArpProbe):
            stack.send_arp_request(nic, action.ip, None)
        elif isinstance(action, SendIcmpProbe):
            # dnsmasq's icmp_ping: a new id each time (rand16), seq 0, on a raw socket (DF; an
            # unconnected DF datagram gets IP id 0).
            ident = self.engine.rng.getrandbits(16)
            while ident in stack.icmp_sockets:
                ident = self.engine.rng.getrandbits(16)
            stack.icmp_bind(ident, _ProbeReplies(stack))
            echo = IcmpEcho(ICMP_ECHO_REQUEST, ident, 0, PROBE_PAYLOAD)
            packet = IPv4(self.machine.server_ip, action.ip, PROTO_ICMP, echo, 64, 0)
            self._pending_echo[action.ip] = (self.engine.now + PROBE_QUEUE_NS, packet)
        else:
            super()._other(action)

    def _send(self, send: Send) -> None:
        if self.kernel_arp and send.dst_mac is not None and send.dst_mac != BROADCAST_MAC:
            # A unicast reply to a client without an address: dnsmasq's SIOCSARP first. The
            # ping still queued for that address (within the kernel's 3 s) is released by it.
            self.stack.add_neighbour(self.nic.name, send.dst_ip, send.dst_mac,
                                     "dnsmasq put the DHCP client's MAC there before answering it")
            pending = self._pending_echo.pop(send.dst_ip, None)
            if pending is not None and pending[0] >= self.engine.now:
                self.stack.transmit_ip(self.nic, send.dst_mac, pending[1])
        super()._send(send)

    def on_arp(self, arp: Any) -> None:
        if arp.op != ARP_REPLY:
            return
        pending = self._pending_echo.pop(arp.spa, None)
        if pending is None or pending[0] < self.engine.now:
            return  # no probe of that address, or its queued ping was dropped long ago
        packet = pending[1]
        # Somebody has the address: the queued ping leaves now, and the probe has its answer.
        self.stack.transmit_ip(self.nic, arp.sha, packet)
        self.apply(self.machine.on_probe_result(self.engine.now, arp.spa, "arp", arp.sha))

    def on_echo_reply(self, src: str) -> None:
        self.apply(self.machine.on_probe_result(self.engine.now, src, "icmp"))


def _serve(stack: Any, packet: Any, udp: Any, nic: Any) -> None:
    glue = stack.dhcp_servers.get(nic.name) if nic is not None else None
    if glue is None:
        return  # a DHCP request on a NIC no server listens on: dnsmasq ignores it
    frame_src = getattr(packet, "l2_src", None)
    msg = _message(udp)
    glue.apply(glue.machine.on_message(glue.engine.now, msg, packet.src, frame_src or msg.chaddr, packet.dst))


def _observe_arp(stack: Any, arp: Any, nic: Any) -> None:
    glue = stack.dhcp_servers.get(nic.name)
    if glue is not None:
        glue.on_arp(arp)


class _ProbeReplies:
    """The ICMP socket of dnsmasq's ping check: an echo reply means the address is in use."""

    def __init__(self, stack: Any):
        self.stack = stack

    def on_reply(self, packet: Any, echo: Any) -> None:
        for glue in self.stack.dhcp_servers.values():
            glue.on_echo_reply(packet.src)

    def on_error(self, packet: Any, icmp: Any, quoted: Any) -> None:
        return None
