"""A tiny deterministic driver for the DHCP machines in tests: one segment, one server, clients.

It plays the host glue: carries out actions, delivers ``Send`` after ``delay_ns`` (frames are
emitted and parsed back, so every message crosses the wire form), answers probes for addresses
listed in ``occupied`` and records what went on the wire as ``(t_ns, Ethernet)``.
"""

import heapq
import itertools
import random

from simcore.apps.dhcp import (
    Bind,
    CancelTimer,
    DhcpClient,
    DhcpServer,
    Note,
    Send,
    SendArpProbe,
    SendIcmpProbe,
    SetTimer,
    Unbind,
    frame_for,
)
from simcore.packets import (
    ARP_REPLY,
    ARP_REQUEST,
    BROADCAST_MAC,
    ETH_ARP,
    ZERO_MAC,
    Arp,
    Dhcp,
    Ethernet,
    PcapWriter,
)

SECOND = 1_000_000_000


def message(frame: Ethernet) -> Dhcp:
    """The DHCP message of a frame (systemd-networkd's unpadded ones travel as bytes)."""
    payload = frame.payload.payload.payload
    return payload if isinstance(payload, Dhcp) else Dhcp.parse(bytes(payload))


class Segment:
    def __init__(self, server, clients, *, delay_ns=50_000, occupied=None, server_up=True):
        self.server = server
        self.clients = {c.mac: c for c in clients}
        self.delay_ns = delay_ns
        self.occupied = dict(occupied or {})  # ip -> mac of a machine that answers ARP for it
        self.server_up = server_up
        self.now = 0
        self.wire: list[tuple[int, Ethernet]] = []
        self.log: list[tuple[int, str, object]] = []  # (t, who, action)
        self.bound: dict[str, str] = {}  # mac -> address
        self._heap: list = []
        self._seq = itertools.count()
        self._timers: dict[tuple[str, str], int] = {}  # (owner, id) -> seq of the live timer

    # -- scheduling --
    def at(self, t_ns, fn, *args):
        heapq.heappush(self._heap, (t_ns, next(self._seq), fn, args))

    def run_until(self, t_ns):
        while self._heap and self._heap[0][0] <= t_ns:
            t, _seq, fn, args = heapq.heappop(self._heap)
            self.now = t
            fn(*args)
        self.now = t_ns

    # -- actions --
    def apply(self, owner: str, actions):
        for action in actions:
            self.log.append((self.now, owner, action))
            if isinstance(action, SetTimer):
                seq = next(self._seq)
                self._timers[(owner, action.timer_id)] = seq
                self.at(action.at_ns, self._fire, owner, action.timer_id, seq)
            elif isinstance(action, CancelTimer):
                self._timers.pop((owner, action.timer_id), None)
            elif isinstance(action, Send):
                self._send(owner, action)
            elif isinstance(action, SendArpProbe):
                self._arp_probe(action.ip)
            elif isinstance(action, SendIcmpProbe):
                pass  # queued behind ARP: leaves only if the ARP probe is answered
            elif isinstance(action, Bind):
                self.bound[owner] = action.address
            elif isinstance(action, Unbind):
                self.bound.pop(owner, None)
            else:
                assert isinstance(action, Note), action

    def _fire(self, owner, timer_id, seq):
        if self._timers.get((owner, timer_id)) != seq:
            return  # cancelled or replaced
        del self._timers[(owner, timer_id)]
        machine = self.server if owner == "server" else self.clients[owner]
        self.apply(owner, machine.on_timer(self.now, timer_id))

    def _mac_of(self, owner):
        return self.server.server_mac if owner == "server" else owner

    def _send(self, owner, send: Send):
        dst_mac = send.dst_mac
        if dst_mac is None:  # routed unicast: "ARP" from what the segment knows
            if send.dst_ip == self.server.server_ip:
                dst_mac = self.server.server_mac
            else:
                dst_mac = next(m for m, ip in self.bound.items() if ip == send.dst_ip)
        frame = frame_for(send, self._mac_of(owner), dst_mac)
        self.wire.append((self.now, frame))
        back = Ethernet.parse(frame.emit())  # the receiver sees the wire form
        self.at(self.now + self.delay_ns, self._deliver, back)

    def _deliver(self, frame: Ethernet):
        ip = frame.payload
        msg = ip.payload.payload
        if ip.payload.dport == 67:
            if self.server_up and frame.dst in (BROADCAST_MAC, self.server.server_mac):
                self.apply("server", self.server.on_message(self.now, msg, ip.src, frame.src, ip.dst))
            return
        for mac, client in self.clients.items():
            if frame.dst in (BROADCAST_MAC, mac):
                self.apply(mac, client.on_message(self.now, msg, ip.src, ip.dst))

    def _arp_probe(self, ip):
        server = self.server
        request = Ethernet(BROADCAST_MAC, server.server_mac, ETH_ARP,
                           Arp(ARP_REQUEST, server.server_mac, server.server_ip, ZERO_MAC, ip))
        self.wire.append((self.now, request))
        owner = self.occupied.get(ip)
        if owner is not None:
            reply = Ethernet(server.server_mac, owner, ETH_ARP,
                             Arp(ARP_REPLY, owner, ip, server.server_mac, server.server_ip))
            t = self.now + 2 * self.delay_ns
            self.at(t, self._wire_and_result, reply, ip, owner)

    def _wire_and_result(self, reply, ip, owner):
        self.wire.append((self.now, reply))
        self.apply("server", self.server.on_probe_result(self.now, ip, "arp", owner))

    # -- views --
    def dhcp_frames(self):
        """``(t_ns, message type, src ip, dst ip, dst mac)`` of every DHCP frame on the wire."""
        out = []
        for t, frame in self.wire:
            if frame.ethertype == ETH_ARP:
                continue
            ip = frame.payload
            out.append((t, message(frame).message_type, ip.src, ip.dst, frame.dst))
        return out

    def messages(self):
        """``(t_ns, Dhcp, frame)`` of every DHCP frame on the wire."""
        return [(t, message(frame), frame) for t, frame in self.wire if frame.ethertype != ETH_ARP]

    def notes(self, owner=None):
        return [a.text for _t, who, a in self.log if isinstance(a, Note) and owner in (None, who)]


# ---- the nat-dhcp example's DHCP side, shared by the wire tests and their subprocess ----

VM = "08:00:27:00:02:15"
GW_MAC = "02:00:00:00:02:02"
D = 50_000  # one-way delay on the segment, ns (the design document's default 50 µs)


def nat_segment(clients=((VM, "vm"),), seed=1, **kw):
    """10.0.2.0/24, server and gateway .2, range .15-.50, 1 h lease, DNS .3."""
    server = DhcpServer("10.0.2.2", GW_MAC, "10.0.2.15", "10.0.2.50", 24, 3600, router="10.0.2.2",
                        dns="10.0.2.3", name="hv")
    rng = random.Random(seed)
    machines = [DhcpClient(mac, host, rng) for mac, host in clients]
    return Segment(server, machines, delay_ns=D, **kw), machines


def start(seg, client, at):
    seg.at(at, lambda: seg.apply(client.mac, client.start(seg.now)))


def write_pcap(seg, path):
    with open(path, "wb") as f:
        writer = PcapWriter(f)
        for t, frame in seg.wire:
            writer.write(t, frame)


def dora_pcap(path):
    """Run one DORA (10 simulated seconds) and write what crossed the segment to ``path``."""
    seg, (vm,) = nat_segment()
    start(seg, vm, 0)
    seg.run_until(10 * SECOND)
    write_pcap(seg, path)
    return path
