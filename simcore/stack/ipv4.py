"""A Linux-like IPv4 host stack: addresses, routes, ARP, ICMP, UDP demultiplexing, forwarding.

The paths follow Linux's (and netfilter's hook points, so NAT can plug in later):

    frame in -> Ethernet filter -> ARP | IPv4: PREROUTING -> local? INPUT -> protocol handler
                                                       \\-> ip_forward? FORWARD -> POSTROUTING -> out
    local packet -> OUTPUT -> route -> POSTROUTING -> neighbour (ARP) -> frame out

A hook is ``hook(stack, packet, nic) -> packet | None`` (None drops it). Protocol handlers are
``handler(stack, packet, nic)`` keyed by IP protocol number: ICMP and UDP are built in, TCP is
registered by a later layer. Sockets: ``udp_bind(port, handler)`` and ``icmp_bind(ident, listener)``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Callable
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from simcore.engine.lazy import OnFirstUse
from simcore.packets import (
    BROADCAST_MAC,
    ETH_ARP,
    ETH_IPV4,
    ICMP_DEST_UNREACH,
    ICMP_TIME_EXCEEDED,
    PROTO_ICMP,
    PROTO_UDP,
    Ethernet,
    IPv4,
    Udp,
)
from simcore.stack.arp import add_neighbour, arp_input, neigh_do, send_arp_request
from simcore.stack.iface import Iface, is_group_mac, is_multicast_ip, multicast_mac
from simcore.stack.neighbour import NeighbourTable
from simcore.stack.routes import Route, RoutingTable
from simcore.stack.transport import DEFAULT_TTL, LIMITED_BROADCAST, icmp_input, send_icmp_error, udp_input

UNREACH_NET, UNREACH_PROTOCOL = 0, 2
DEFAULT_NET = ipaddress.IPv4Network("0.0.0.0/0")  # every default route's (networks are immutable: shared)

Hook = Callable[["Stack", Any, Any], Any]


@lru_cache(maxsize=64)  # the subnets in use lately: a bounded cache, hit by every NIC of a busy one
def _shared_network(network: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    """The first network object equal to ``network`` (networks compare and hash by value)."""
    return network


@lru_cache(maxsize=256)  # the broadcast tables in use: every container on one bridge has the same
def _broadcast_table(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The one table holding ``items`` (subnet broadcast address -> NIC name), shared by every stack
    that has those: it is never changed in place (a stack replaces its table to change it)."""
    return dict(items)


_NONE: Any = MappingProxyType({})  # the shared empty table of a stack that has not needed its own
_BUILTIN: Any = MappingProxyType({PROTO_ICMP: icmp_input, PROTO_UDP: udp_input})


class Stack:
    """Layer 3 of one node. ``node`` has ``id`` and ``name``; ``tracer``/``narrator`` tell the story."""

    # IP protocol number -> handler: ICMP and UDP built in, TCP added by its layer.
    protocols: dict[int, Callable[[Stack, Any, Any], None]] = OnFirstUse(dict)  # type: ignore[assignment]
    udp_sockets: dict[int, Callable[..., None]] = OnFirstUse(dict)  # type: ignore[assignment]
    icmp_sockets: dict[int, Any] = OnFirstUse(dict)  # type: ignore[assignment]
    # ICMP errors quoting a datagram of another protocol (TCP): ``fn(packet, icmp, quoted)``.
    icmp_error_handlers: dict[int, Callable[[Any, Any, dict], None]] = OnFirstUse(dict)  # type: ignore[assignment]
    prerouting: list[Hook] = OnFirstUse(list)  # type: ignore[assignment]
    input: list[Hook] = OnFirstUse(list)  # type: ignore[assignment]
    forward: list[Hook] = OnFirstUse(list)  # type: ignore[assignment]
    output: list[Hook] = OnFirstUse(list)  # type: ignore[assignment]
    postrouting: list[Hook] = OnFirstUse(list)  # type: ignore[assignment]
    # Observers of every ARP packet received (a DHCP server's address probe, conflict checks):
    # ``fn(stack, arp, nic)``; they cannot change what the stack does with it.
    arp_observers: list[Callable[[Stack, Any, Any], None]] = OnFirstUse(list)  # type: ignore[assignment]
    ip_forward = False  # an instance keeps a word for every attribute name its class has seen
    # Subnet broadcast address -> NIC name: a table shared by the stacks holding the same (read
    # only; ``_set_broadcast`` replaces it), the empty one until an address is added.
    broadcasts: dict[str, str] = _broadcast_table(())
    # What the stack reads on its paths (never mutated through these names).
    _own_protocols: Any = _BUILTIN
    _own_udp_sockets: Any = _NONE
    _own_icmp_sockets: Any = _NONE
    _own_icmp_error_handlers: Any = _NONE
    _own_prerouting: Any = ()
    _own_input: Any = ()
    _own_forward: Any = ()
    _own_output: Any = ()
    _own_postrouting: Any = ()
    _own_arp_observers: Any = ()

    def __init__(self, node: Any, engine: Any, tracer: Any, narrator: Any, *, ip_forward: bool = False):
        self.node = node
        self.node_id = node.id
        self.name = node.name
        self.engine = engine
        self.tracer = tracer
        self.narrator = narrator
        if ip_forward:  # (kept only when on: see the class's ip_forward)
            self.ip_forward = ip_forward
        self.ifaces: dict[str, Iface] = {}
        self.local_ips: dict[str, str] = {"127.0.0.1": "lo"}  # address -> NIC name
        self.routes = RoutingTable()
        self.neigh = NeighbourTable(engine.rng)
        # The protocol handlers, sockets and hook lists (class attributes below) are made on first
        # use: most stacks never get a hook or a socket.
        self._ident = engine.rng.randrange(1 << 16)
        self.rx = self.tx = self.forwarded = self.dropped = 0  # packets, as ``counters`` reads them

    @property
    def counters(self) -> dict[str, int]:
        """Packets received, sent, forwarded and dropped (a copy: the stack counts in attributes)."""
        return {"rx": self.rx, "tx": self.tx, "forwarded": self.forwarded, "dropped": self.dropped}

    # -- configuration ------------------------------------------------------------------------
    def add_nic(self, nic: Any, cidr: str | None = None) -> Iface:
        if nic.name in self.ifaces or nic.name == "lo":
            raise ValueError(f"{self.name}: NIC name {nic.name!r} is already used")
        addr = ipaddress.IPv4Interface(cidr) if cidr else None
        iface = self.ifaces[nic.name] = Iface(nic, addr)
        nic.handler = self.receive
        if addr is not None:
            self._add_address(iface, addr)
        return iface

    def _add_address(self, iface: Iface, addr: ipaddress.IPv4Interface, text: str | None = None) -> None:
        # Every address of one subnet shares that subnet's network object (immutable), which the
        # connected route holds too: a hundred containers on one bridge keep one 10.x.y.0/24.
        addr.network = _shared_network(addr.network)
        ip = str(addr.ip)
        if ip in self.local_ips:
            raise ValueError(f"{self.name}: address {ip} is already on {self.local_ips[ip]}")
        iface.set(addr)
        if text is not None and text == iface.ip:
            iface.ip = text  # the caller's string (a DHCP lease's address): one for both
        ip = iface.ip  # the same text, one string for the NIC, this table and the route
        self.local_ips[ip] = iface.nic.name
        if iface.broadcast:
            self._set_broadcast(iface.broadcast, iface.nic.name)
        # Linux adds the connected route with the address ("proto kernel scope link src ...").
        if addr.network.prefixlen < 32:
            self.routes.add(Route(addr.network, iface.nic.name, None, "kernel", ip))

    def _set_broadcast(self, broadcast: str, nic_name: str | None) -> None:
        """Map ``broadcast`` to ``nic_name`` (None: no more) in a table of its own or a shared one."""
        table = dict(self.broadcasts)
        if nic_name is None:
            table.pop(broadcast, None)
        else:
            table[broadcast] = nic_name
        self.broadcasts = _broadcast_table(tuple(table.items()))

    def set_address(self, nic_name: str, cidr: str | None, ip: str | None = None) -> None:
        """Replace a NIC's address (what a DHCP client does); None removes it. ``ip``: the
        address's text, when the caller keeps it already (the NIC then keeps that string)."""
        iface = self.ifaces[nic_name]
        if iface.ip is not None:
            del self.local_ips[iface.ip]
            if iface.broadcast:
                self._set_broadcast(iface.broadcast, None)
            self.routes.remove_dev(nic_name, "kernel")
            iface.set(None)
        if cidr:
            self._add_address(iface, ipaddress.IPv4Interface(cidr), ip)

    def add_route(self, to: str, via: str | None = None, dev: str | None = None, metric: int = 0) -> Route:
        dest = DEFAULT_NET if to in ("default", "0.0.0.0/0") else ipaddress.IPv4Network(to, strict=False)
        if dev is None:
            if via is None:
                raise ValueError(f"{self.name}: route to {to} needs a gateway (via) or a device (dev)")
            hop = self.routes.lookup(via)
            if hop is None or hop.via is not None:
                # iproute2: "Error: Nexthop has invalid gateway." when the gateway is not on-link.
                raise ValueError(f"{self.name}: gateway {via} for {to} is not on a connected network")
            dev = hop.dev
        elif dev not in self.ifaces:
            raise ValueError(f"{self.name}: no NIC named {dev!r} for route to {to}")
        route = Route(dest, dev, via, "static", None, metric)
        self.routes.add(route)
        return route

    def primary_ip(self, nic_name: str) -> str | None:
        iface = self.ifaces.get(nic_name)
        return iface.ip if iface is not None else None

    def next_ident(self) -> int:
        self._ident = (self._ident + 1) & 0xFFFF
        return self._ident

    # -- sockets ------------------------------------------------------------------------------
    def udp_bind(self, port: int, handler: Callable[..., None]) -> None:
        """``handler(stack, packet, udp, nic)`` receives every datagram to ``port``."""
        if not 0 < port < 65536:
            raise ValueError(f"{self.name}: UDP port out of range: {port!r}")
        if port in self._own_udp_sockets:
            raise ValueError(f"{self.name}: UDP port {port} is already bound")
        self.udp_sockets[port] = handler

    def udp_unbind(self, port: int) -> None:
        self.udp_sockets.pop(port, None)

    def udp_send(self, sport: int, dst: str, dport: int, payload: Any = b"", src: str | None = None,
                 dev: str | None = None) -> str | None:
        src = src or self.source_for(dst, dev)
        if src is None:
            return "Network is unreachable"
        packet = IPv4(src, dst, PROTO_UDP, Udp(sport, dport, payload), DEFAULT_TTL, self.next_ident())
        return self.send_ip(packet, dev=dev)

    def icmp_bind(self, ident: int, listener: Any) -> None:
        """``listener.on_reply(packet, echo)`` and ``listener.on_error(packet, icmp, quoted)``."""
        if ident in self._own_icmp_sockets:
            raise ValueError(f"{self.name}: ICMP id {ident} is already in use")
        self.icmp_sockets[ident] = listener

    def icmp_unbind(self, ident: int) -> None:
        self.icmp_sockets.pop(ident, None)

    # -- input --------------------------------------------------------------------------------
    def receive(self, nic: Any, frame: Any) -> None:
        dst = frame.dst
        tr = self.tracer
        if dst != nic.mac and not is_group_mac(dst):
            # The NIC's MAC filter (not promiscuous): a flooded unicast for someone else.
            self.dropped += 1
            if tr.on:
                tr.emit("packet.dropped", self.narrator.not_my_mac(self, nic, frame), frame,
                        node=self.node_id, nic=nic.name, link=nic.link.id, reason="eth.not_for_us")
            return
        self.rx += 1
        if tr.on:
            tr.emit("frame.received", self.narrator.received(self, nic, frame), frame,
                    node=self.node_id, nic=nic.name, link=nic.link.id)
        ethertype = frame.ethertype
        if ethertype == ETH_IPV4:
            self._ip_input(nic, frame.payload)
        elif ethertype == ETH_ARP:
            arp_input(self, nic, frame.payload)
        else:
            self.drop(frame.payload, "eth.unknown_type", self.narrator.words(
                f"{self.name} does not speak EtherType 0x{ethertype:04x}: it drops the frame"), nic)

    def _ip_input(self, nic: Any, packet: Any) -> None:
        if self._own_prerouting:
            for hook in self._own_prerouting:
                packet = hook(self, packet, nic)
                if packet is None:
                    return
        dst = packet.dst
        if dst in self.local_ips or dst == LIMITED_BROADCAST or dst in self.broadcasts:
            self._local_deliver(packet, nic)
        elif is_multicast_ip(dst):
            # No IGMP, no multicast routing: a group nobody here joined (and never forwarded).
            self.drop(packet, "ip.multicast", self.narrator.words(
                f"{self.name} has joined no multicast group: it drops a packet for {dst}"), nic)
        elif self.ip_forward:
            self._forward(packet, nic)
        else:
            # Linux with ip_forward=0 drops silently; the trace says why.
            self.drop(packet, "ip.not_for_us", self.narrator.words(
                f"{self.name} is not a router (ip_forward is off): it drops a packet for {dst}"), nic)

    def _local_deliver(self, packet: Any, nic: Any) -> None:
        if self._own_input:
            for hook in self._own_input:
                packet = hook(self, packet, nic)
                if packet is None:
                    return
        handler = self._own_protocols.get(packet.proto)
        if handler is None:
            self.drop(packet, "ip.unknown_protocol", self.narrator.words(
                f"{self.name} has no handler for IP protocol {packet.proto}"), nic)
            self.send_icmp_error(packet, ICMP_DEST_UNREACH, UNREACH_PROTOCOL)
            return
        handler(self, packet, nic)

    # -- forwarding ---------------------------------------------------------------------------
    def _forward(self, packet: Any, nic: Any) -> None:
        if packet.ttl <= 1:
            # RFC 1812 5.3.1: a router must not forward a packet whose TTL would reach 0.
            self.drop(packet, "ip.ttl_exceeded", self.narrator.words(
                f"{self.name} drops a packet for {packet.dst}: its time to live ran out (TTL {packet.ttl})"), nic)
            self.send_icmp_error(packet, ICMP_TIME_EXCEEDED, 0)
            return
        route = self.routes.lookup(packet.dst)
        if route is None:
            self.drop(packet, "ip.no_route", self.narrator.words(
                f"{self.name} has no route to {packet.dst}: it drops the packet"), nic)
            self.send_icmp_error(packet, ICMP_DEST_UNREACH, UNREACH_NET)
            return
        packet = dataclasses.replace(packet, ttl=packet.ttl - 1)
        for hook in self._own_forward:
            packet = hook(self, packet, nic)
            if packet is None:
                return
        self.forwarded += 1
        if self.tracer.on:
            self.tracer.emit("ip.forwarded", self.narrator.ip_forwarded(self, nic, route, packet),
                             node=self.node_id, nic=nic.name, out_nic=route.dev, src=packet.src,
                             dst=packet.dst, via=route.via, ttl=packet.ttl)
        self._route_out(packet, route)

    # -- output -------------------------------------------------------------------------------
    def source_for(self, dst: str, dev: str | None = None) -> str | None:
        """The source address Linux would pick to reach ``dst`` (the route's, else the NIC's)."""
        if dst in self.local_ips:
            return dst
        if dev is not None:
            return self.primary_ip(dev) or "0.0.0.0"
        route = self.routes.lookup(dst)
        if route is None:
            return None
        return route.src or self.primary_ip(route.dev)

    def send_ip(self, packet: Any, dev: str | None = None) -> str | None:
        """Send a locally generated packet. Returns None, or an errno-like sentence."""
        if self._own_output:
            for hook in self._own_output:
                packet = hook(self, packet, None)
                if packet is None:
                    return None
        dst = packet.dst
        if dst in self.local_ips:
            # Through the loopback device: no frame on any wire.
            self.engine.schedule(0, self._local_deliver, packet, None)
            return None
        if dev is not None:
            iface = self.ifaces.get(dev)
            if iface is None:
                return "No such device"
            if dst == LIMITED_BROADCAST or dst == iface.broadcast:
                self._post_and_transmit(packet, iface.nic, BROADCAST_MAC)
                return None
            route = Route(DEFAULT_NET, dev)
        else:
            route = self.routes.lookup(dst)
            if route is None:
                return "Network is unreachable"
        self._route_out(packet, route)
        return None

    def _route_out(self, packet: Any, route: Route) -> None:
        iface = self.ifaces[route.dev]
        dst = packet.dst
        if dst == LIMITED_BROADCAST or dst == iface.broadcast:
            self._post_and_transmit(packet, iface.nic, BROADCAST_MAC)
            return
        if is_multicast_ip(dst):
            self._post_and_transmit(packet, iface.nic, multicast_mac(dst))
            return
        if self._own_postrouting:
            for hook in self._own_postrouting:
                packet = hook(self, packet, iface.nic)
                if packet is None:
                    return
        nic = iface.nic
        hop = route.via or dst
        mac = self.neigh.mac_for(self.engine.now, nic.name, hop)
        if mac is not None:
            self.transmit_ip(nic, mac, packet)
        else:
            neigh_do(self, self.neigh.output(self.engine.now, nic.name, hop, packet))

    def _post_and_transmit(self, packet: Any, nic: Any, mac: str) -> None:
        for hook in self._own_postrouting:
            packet = hook(self, packet, nic)
            if packet is None:
                return
        self.transmit_ip(nic, mac, packet)

    def transmit_ip(self, nic: Any, mac: str, packet: Any) -> None:
        """Wrap an IPv4 packet for ``mac`` and put it on the wire (called once the next hop is known)."""
        frame = Ethernet(mac, nic.mac, ETH_IPV4, packet)
        self.tx += 1
        if not nic.send(frame):
            self._lost(nic, frame)

    def send_frame(self, nic: Any, frame: Any) -> None:
        """Put a whole frame on ``nic`` as a packet socket does (dhclient's DISCOVER, a DHCP
        server's unicast OFFER to an address nobody holds yet): no routing, no ARP, no hooks."""
        self._send_frame(nic, frame)

    def _send_frame(self, nic: Any, frame: Any) -> None:
        self.tx += 1
        if not nic.send(frame):
            self._lost(nic, frame)

    def _lost(self, nic: Any, frame: Any) -> None:
        self.dropped += 1
        if self.tracer.on:
            self.tracer.emit("packet.dropped", self.narrator.words(
                f"{self.name}'s {nic.name} is not connected to anything: the frame is lost"), frame,
                node=self.node_id, nic=nic.name, reason="nic.no_link")

    def send_arp_request(self, nic: Any, target: str, unicast_mac: str | None) -> None:
        """An ARP who-has for ``target`` out of ``nic``: broadcast, or unicast to ``unicast_mac``."""
        send_arp_request(self, nic, target, unicast_mac)

    def add_neighbour(self, dev: str, ip: str, mac: str, why: str = "added") -> None:
        """An application on this host puts ``ip is at mac`` in the ARP cache of ``dev`` (STALE),
        as dnsmasq does with a new DHCP client's chaddr before it unicasts the OFFER; packets
        waiting for ``ip`` leave at once. ValueError names what is wrong with the entry."""
        add_neighbour(self, dev, ip, mac, why)

    # -- errors -------------------------------------------------------------------------------
    def send_icmp_error(self, packet: Any, typ: int, code: int) -> None:
        """Answer ``packet`` with an ICMP error (see :func:`simcore.stack.transport.send_icmp_error`)."""
        send_icmp_error(self, packet, typ, code)

    def drop(self, packet: Any, reason: str, text: str, nic: Any = None) -> None:
        self.dropped += 1
        if self.tracer.on:
            fields: dict = {"node": self.node_id}
            if nic is not None:
                fields["nic"] = nic.name
            fields["reason"] = reason
            if isinstance(packet, IPv4):
                fields["src"] = packet.src
                fields["dst"] = packet.dst
            self.tracer.emit("packet.dropped", text, **fields)

    # -- reading ------------------------------------------------------------------------------
    def table(self) -> dict:
        return {
            "addresses": [{"dev": name, "mac": i.nic.mac, "ip": str(i.addr) if i.addr else None}
                          for name, i in self.ifaces.items()],
            "routes": [r.to_dict() for r in self.routes.routes()],
            "arp": self.neigh.rows(self.engine.now),
            "ip_forward": self.ip_forward,
        }
