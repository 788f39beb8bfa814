"""One plain sentence per event, naming the user's devices (their names, not ids or MACs alone).

The devices call a :class:`Narrator` only when tracing is on. It knows who owns which MAC and
address (:class:`Names`), so a frame from 08:00:27:00:56:11 reads "vm1", not a MAC.
"""

from __future__ import annotations

from typing import Any

from simcore.packets import (
    ARP_REPLY,
    ARP_REQUEST,
    ETH_ARP,
    ETH_IPV4,
    ICMP_ECHO_REPLY,
    ICMP_ECHO_REQUEST,
    Arp,
    IcmpEcho,
    IcmpError,
    IPv4,
    Tcp,
    Udp,
)

BROADCAST = "ff:ff:ff:ff:ff:ff"


class Names:
    """Who is who: node ids to names, MACs and addresses to node ids."""

    def __init__(self) -> None:
        self.nodes: dict[str, str] = {}
        self.macs: dict[str, str] = {}
        self.ips: dict[str, str] = {}
        # A DHCP server that is a network's own (a NAT network's dnsmasq on its host): the MAC it
        # answers from -> what it is ("natnet's DHCP server (dnsmasq on hv)"). Its DHCP frames
        # are told as that server's, not as the host's (the host only carries it).
        self.dhcp_servers: dict[str, str] = {}

    def add_node(self, node_id: str, name: str) -> None:
        self.nodes[node_id] = name

    def add_mac(self, mac: str, node_id: str) -> None:
        self.macs[mac] = node_id

    def add_ip(self, ip: str, node_id: str) -> None:
        self.ips[ip] = node_id

    def of_mac(self, mac: str) -> str | None:
        node = self.macs.get(mac)
        return self.nodes.get(node, node) if node is not None else None

    def of_ip(self, ip: str) -> str | None:
        node = self.ips.get(ip)
        return self.nodes.get(node, node) if node is not None else None

    def mac_words(self, mac: str) -> str:
        """``08:00:27:00:56:11 (vm1)`` or just the MAC."""
        name = self.of_mac(mac)
        return f"{mac} ({name})" if name else mac

    def ip_words(self, ip: str) -> str:
        """``vm2 (192.168.56.12)`` or just the address."""
        name = self.of_ip(ip)
        return f"{name} ({ip})" if name else ip


def _port_words(port: Any) -> str:
    """``port 1 (link to vm1)``: a switch port named by what it leads to."""
    peer = port.peer
    if peer is None:
        return f"port {port.number} (not connected)"
    return f"port {port.number} (link to {peer.node.name})"


def _segment(port: Any) -> str:
    """What a NIC is plugged into: the switch's name, or the link to the other device."""
    peer = port.peer
    if peer is None:
        return "an unplugged cable"
    if getattr(peer.node, "has_stack", True):
        return f"the link to {peer.node.name}"
    return peer.node.name


class Narrator:
    def __init__(self, names: Names | None = None):
        self.names = names if names is not None else Names()

    @staticmethod
    def words(text: str) -> str:
        return text

    # -- what a frame is ----------------------------------------------------------------------
    def _thing(self, frame: Any) -> str:
        """A short noun phrase for a frame's content: "a ping (ICMP echo request, seq 1)"."""
        p = frame.payload
        if frame.ethertype == ETH_ARP and isinstance(p, Arp):
            return "an ARP request" if p.op == ARP_REQUEST else "an ARP reply"
        if frame.ethertype == ETH_IPV4 and isinstance(p, IPv4):
            q = p.payload
            if isinstance(q, IcmpEcho):
                if q.type == ICMP_ECHO_REQUEST:
                    return f"a ping (ICMP echo request, seq {q.seq})"
                return f"a ping reply (ICMP echo reply, seq {q.seq})"
            if isinstance(q, IcmpError):
                return f"an ICMP error ({q.info()})"
            if isinstance(q, Udp):
                return f"a UDP datagram (port {q.sport} to {q.dport})"
            if isinstance(q, Tcp):
                return f"a TCP segment ({_tcp_flags(q.flags)}, port {q.sport} to {q.dport})"
            return "an IPv4 packet"
        return "a frame"

    def sent(self, link: Any, from_port: Any, to_port: Any, frame: Any) -> str:
        node = from_port.node
        n = self.names
        if not getattr(node, "has_stack", True):
            return f"{node.name} sends {self._thing(frame)} out {_port_words(from_port)}"
        p = frame.payload
        if frame.ethertype == ETH_ARP and isinstance(p, Arp):
            if p.op == ARP_REQUEST:
                if frame.dst == BROADCAST:
                    return (f"{node.name} asks everyone on {_segment(from_port)}: who has {p.tpa}? "
                            "(ARP request, broadcast)")
                return (f"{node.name} asks {n.of_mac(frame.dst) or frame.dst} directly: are you still "
                        f"{p.tpa}? (ARP request, unicast)")
            if p.op == ARP_REPLY:
                return (f"{node.name} answers {n.of_mac(frame.dst) or frame.dst}: {p.spa} is at {p.sha} "
                        "(ARP reply, unicast)")
        if frame.ethertype == ETH_IPV4 and isinstance(p, IPv4):
            q = p.payload
            # 0.0.0.0 is a DHCP client's own source before it has an address (RFC 2131 §4.1).
            own = n.ips.get(p.src) == node.id or p.src == "0.0.0.0"
            via = ""
            gw = n.of_mac(frame.dst)
            # A DHCP OFFER/ACK goes straight to the client's MAC: its address is not bound yet.
            to_client = isinstance(q, Udp) and q.dport == 68
            if frame.dst != BROADCAST and gw is not None and gw != n.of_ip(p.dst) and not to_client:
                via = f" through {gw}"
            if own:
                for nat in getattr(node, "nats", ()):
                    inside = nat.inside_of(p)
                    if inside:
                        return (f"{node.name} passes on {self._thing(frame)} from {n.ip_words(inside)} to "
                                f"{n.ip_words(p.dst)}{via}, rewriting the source to its own address {p.src} "
                                "(NAT: the answer comes back to it)")
            if not own:
                return f"{node.name} passes on {self._thing(frame)} from {n.ip_words(p.src)} to {n.ip_words(p.dst)}{via}"
            if isinstance(q, IcmpEcho):
                if q.type == ICMP_ECHO_REQUEST:
                    return f"{node.name} pings {n.ip_words(p.dst)}{via} (ICMP echo request, seq {q.seq})"
                if q.type == ICMP_ECHO_REPLY:
                    return f"{node.name} answers the ping from {n.ip_words(p.dst)}{via} (ICMP echo reply, seq {q.seq})"
            if isinstance(q, IcmpError):
                return f"{node.name} tells {n.ip_words(p.dst)}{via}: {q.info()} (ICMP error)"
            if isinstance(q, Udp):
                server = n.dhcp_servers.get(getattr(from_port, "mac", None))
                who = server if server is not None and q.sport == 67 else node.name
                return f"{who} sends a UDP datagram to {n.ip_words(p.dst)} port {q.dport}{via}"
            return f"{node.name} sends an IPv4 packet to {n.ip_words(p.dst)}{via}"
        return f"{node.name} sends a frame to {n.mac_words(frame.dst)}"

    def _dhcp_port(self, frame: Any, port: int) -> bool:
        """Whether ``frame`` is a UDP datagram from (``sport``) or to (``dport``) DHCP ``port``."""
        p = frame.payload
        q = getattr(p, "payload", None) if frame.ethertype == ETH_IPV4 else None
        return isinstance(q, Udp) and port in (q.sport, q.dport)

    def received(self, stack: Any, nic: Any, frame: Any) -> str:
        servers = self.names.dhcp_servers
        sender = self.names.of_mac(frame.src) or frame.src
        if frame.src in servers and self._dhcp_port(frame, 67):
            sender = servers[frame.src]
        me = stack.name
        if getattr(nic, "mac", None) in servers and self._dhcp_port(frame, 67):
            me = servers[nic.mac]
        return f"{me} receives {self._thing(frame)} from {sender} on {nic.name}"

    def not_my_mac(self, stack: Any, nic: Any, frame: Any) -> str:
        return (f"{stack.name}'s {nic.name} ignores a frame for {self.names.mac_words(frame.dst)}: "
                "not its MAC address")

    def arp_not_for_us(self, stack: Any, nic: Any, arp: Any, my_ip: str | None) -> str:
        asker = self.names.of_mac(arp.sha) or arp.spa
        mine = f"it is {my_ip}" if my_ip else "it has no address"
        return f"{stack.name} ignores {asker}'s question about {arp.tpa}: {mine}"

    # -- ARP cache ----------------------------------------------------------------------------
    def arp_entry(self, stack: Any, n: Any, old: Any, why: str) -> str:
        state = n.state.value
        who = self.names.ip_words(n.ip)
        if state == "INCOMPLETE":
            return (f"{stack.name} does not know the MAC address of {who}: it holds the packet and asks "
                    "(ARP entry INCOMPLETE)")
        if state == "REACHABLE":
            return f"{stack.name} now knows {who} is at {n.mac} (ARP entry REACHABLE)"
        if state == "STALE" and why == "request":
            return (f"{stack.name} learns from the request that {who} is at {n.mac}, without asking back "
                    "(ARP entry STALE)")
        if state == "STALE" and why not in ("reachable time over", "request"):
            # An application wrote the entry (Stack.add_neighbour): ``why`` says who and why.
            return f"{stack.name}'s ARP cache now says {who} is at {n.mac}: {why} (ARP entry STALE)"
        if state == "STALE":
            return f"{stack.name} has not confirmed {who} for a while (ARP entry STALE)"
        if state == "DELAY":
            return f"{stack.name} uses its unconfirmed entry for {who} and waits 5 s for a confirmation (ARP entry DELAY)"
        if state == "PROBE":
            return f"{stack.name} re-asks {who} directly (ARP entry PROBE)"
        if state == "FAILED":
            return f"{stack.name} got no answer about {who}: {why} (ARP entry FAILED)"
        return f"{stack.name}'s ARP entry for {who} is now {state}"

    def arp_failed_drop(self, stack: Any, n: Any, packet: Any) -> str:
        return (f"{stack.name} drops a packet for {self.names.ip_words(packet.dst)}: nobody answered ARP for "
                f"{n.ip} (Destination Host Unreachable)")

    def ip_forwarded(self, stack: Any, in_nic: Any, route: Any, packet: Any) -> str:
        hop = f"via {route.via}" if route.via else "directly"
        return (f"{stack.name} routes a packet from {self.names.ip_words(packet.src)} to "
                f"{self.names.ip_words(packet.dst)} out {route.dev} {hop}, TTL now {packet.ttl}")

    # -- switches -----------------------------------------------------------------------------
    def learned(self, sw: Any, port: Any, mac: str, moved_from: Any) -> str:
        moved = f" (it moved from port {moved_from.number})" if moved_from is not None else ""
        return f"{sw.name} learns that {self.names.mac_words(mac)} is behind {_port_words(port)}{moved}"

    def flooded(self, sw: Any, in_port: Any, outs: list, frame: Any, why: str) -> str:
        if why == "broadcast":
            reason = "a broadcast goes everywhere"
        elif why == "multicast":
            reason = "a multicast goes everywhere (no snooping)"
        else:
            reason = f"it does not know where {self.names.mac_words(frame.dst)} is"
        if not outs:
            return f"{sw.name} would flood the frame but has no other port ({reason})"
        where = ", ".join(f"{p.number} ({p.peer.node.name})" for p in outs)
        plural = "s" if len(outs) > 1 else ""
        return f"{sw.name} floods the frame from {_port_words(in_port)} out port{plural} {where}: {reason}"

    def forwarded(self, sw: Any, in_port: Any, out: Any, frame: Any) -> str:
        return (f"{sw.name} knows {self.names.mac_words(frame.dst)} is behind {_port_words(out)}: it forwards "
                "the frame there only")

    def filtered(self, sw: Any, in_port: Any, frame: Any) -> str:
        return (f"{sw.name} drops the frame: {self.names.mac_words(frame.dst)} is behind "
                f"{_port_words(in_port)}, where it came from")

    def aged(self, sw: Any, port: Any, mac: str) -> str:
        return (f"{sw.name} forgets {self.names.mac_words(mac)} on {_port_words(port)}: not seen for "
                f"{sw.aging_ns // 1_000_000_000} s")

    def flushed(self, sw: Any, port: Any, macs: list[str], why: str) -> str:
        what = ", ".join(self.names.mac_words(m) for m in macs) if macs else "nothing (it had learned no address there)"
        return f"{sw.name}'s {_port_words(port)} lost its carrier ({why}): it forgets {what}"

    def no_carrier(self, sw: Any, port: Any, frame: Any, why: str) -> str:
        return (f"{sw.name} cannot deliver the frame for {self.names.mac_words(frame.dst)}: its {_port_words(port)} "
                f"has no carrier ({why}); the frame goes nowhere there")


_TCP_FLAG_NAMES = ((0x02, "SYN"), (0x10, "ACK"), (0x01, "FIN"), (0x04, "RST"), (0x08, "PSH"), (0x20, "URG"))


def _tcp_flags(flags: int) -> str:
    """TCP flags as Wireshark lists them: "SYN, ACK"."""
    return ", ".join(name for bit, name in _TCP_FLAG_NAMES if flags & bit) or "no flags"
