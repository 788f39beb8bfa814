"""A distributed virtual switch: one logical switch whose halves live on several hosts, joined by VXLAN.

What it models (RFC 7348, and Linux's ``vxlan`` device enslaved to a bridge on each host):

- Each member host runs one *half*: a learning :class:`~simcore.devices.switch.Switch` whose link
  ports are the VMs placed on that host, plus one VXLAN port (Linux: ``vxlan<vni>``).
- A frame the half sends out its VXLAN port is encapsulated (RFC 7348 §5: outer IPv4/UDP to port
  4789, an 8-byte VXLAN header with the I flag and the VNI, then the inner frame unchanged and
  unpadded) and sent by the host's own IP stack from its underlay address: the stack ARPs for the
  remote endpoint once, like any other next hop.
- Known unicast goes to the one endpoint the destination MAC was learned from; broadcast, multicast
  and unknown unicast are *head-end replicated*: one copy to every other member (RFC 7348 §4.2
  allows this instead of an underlay multicast group; Linux does it with all-zeros fdb entries).
- On receipt the endpoint checks the VNI, learns inner source MAC -> outer source address
  (RFC 7348 §4.1: "learning of the inner source MAC to outer source IP address mapping") and
  hands the inner frame to its half, which learns the MAC on the VXLAN port.
- Outer UDP: source port from a hash of the inner frame's addresses in Linux's local port range
  (RFC 7348 §5: "a hash of fields from the inner packet", keeping one flow on one path), checksum
  0 (RFC 7348 §5: "SHOULD be transmitted as zero"), TTL 64, DF clear (Linux's ``df unset``).

Not modelled: MTU (the 50 bytes of encapsulation never cause fragmentation here), aging of the
VXLAN device's own MAC -> endpoint map (the half's table ages as any bridge's does).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

from simcore.devices.host import HostNode
from simcore.devices.switch import DEFAULT_AGING_S, FarSide, FdbEntry, SpecialPort, Switch, is_group
from simcore.engine import Engine
from simcore.net import Nic, Port
from simcore.packets import PROTO_UDP, Ethernet, IPv4
from simcore.packets.udp import PORT_VXLAN, Udp
from simcore.packets.vxlan import Vxlan
from simcore.stack import Stack
from simcore.trace import Tracer
from simcore.trace.sentences import Narrator

OUTER_TTL = 64
# Linux picks the outer source port in the local port range (net.ipv4.ip_local_port_range).
SPORT_MIN, SPORT_MAX = 32768, 60999


class ZeroChecksumUdp(Udp):
    """UDP whose checksum is sent as zero ("no checksum", RFC 768), as RFC 7348 §5 asks of VXLAN."""

    __slots__ = ()

    def emit(self, *, src: str | None = None, dst: str | None = None) -> bytes:
        return Udp.emit(self)


def outer_source_port(frame: Ethernet) -> int:
    """A stable per-flow port: CRC-32 of the inner addresses (never Python's salted ``hash``)."""
    key = f"{frame.src}>{frame.dst}/{frame.ethertype}".encode()
    return SPORT_MIN + zlib.crc32(key) % (SPORT_MAX - SPORT_MIN + 1)


class VxlanPort(SpecialPort):
    """A half's VXLAN port: encapsulates what the half sends out of it."""

    __slots__ = ("vtep", "remote")

    def __init__(self, half: Switch, number: int, vtep: Vtep, far: FarSide):
        super().__init__(half, f"vxlan{vtep.dswitch.vni}", number, vtep.underlay_nic, far)
        self.vtep = vtep
        self.remote: dict[str, str] = {}  # inner MAC -> remote endpoint (the vxlan device's fdb)

    def send(self, frame: Ethernet) -> bool:
        dst = frame.dst
        endpoint = None if is_group(dst) else self.remote.get(dst)
        if endpoint is not None:
            self.vtep.encapsulate(frame, endpoint, "unicast")
            return True
        for endpoint in self.vtep.dswitch.endpoints_except(self.vtep):
            self.vtep.encapsulate(frame, endpoint, "replicated")
        return True

    def fdb_extra(self, entry: FdbEntry) -> dict:
        endpoint = self.remote.get(entry.mac)
        return {"dev": self.name, "dst": endpoint} if endpoint else {"dev": self.name}


class Vtep:
    """One member's tunnel endpoint: the underlay address of ``host`` on NIC ``underlay``."""

    def __init__(self, dswitch: DistributedSwitch, half: Switch, host: HostNode, underlay: str):
        self.dswitch = dswitch
        self.half = half
        self.host = host
        self.underlay = underlay
        self.underlay_nic = host.nics[underlay]
        self.port: VxlanPort | None = None
        self.counters = {"encapsulated": 0, "decapsulated": 0}

    @property
    def ip(self) -> str | None:
        return self.host.stack.primary_ip(self.underlay)

    def encapsulate(self, frame: Ethernet, endpoint: str, how: str) -> None:
        stack = self.host.stack
        src = self.ip
        ds = self.dswitch
        tr = ds.tracer
        if src is None:
            if tr.on:
                tr.emit("packet.dropped", f"{self.host.name} has no address on {self.underlay}: "
                        f"{ds.name} cannot send the frame through its VXLAN tunnel", frame,
                        node=ds.id, host=self.host.id, reason="vxlan.no_underlay_address")
            return
        self.counters["encapsulated"] += 1
        if tr.on:
            peer = ds.member_name(endpoint)
            why = ("a copy for every other host (head-end replication)" if how == "replicated"
                   else f"it learned {ds.narrator.names.mac_words(frame.dst)} behind {peer}")
            tr.emit("vxlan.encapsulated",
                    f"{ds.name} on {self.host.name} wraps the frame in VXLAN (VNI {ds.vni}) and sends it to "
                    f"{peer} ({endpoint}) over UDP 4789: {why}", frame,
                    node=ds.id, host=self.host.id, vni=ds.vni, local=src, remote=endpoint, how=how)
        outer = IPv4(src, endpoint, PROTO_UDP,
                     ZeroChecksumUdp(outer_source_port(frame), PORT_VXLAN, Vxlan(ds.vni, frame)),
                     OUTER_TTL, stack.next_ident(), flags=0)
        stack.send_ip(outer, dev=None)

    def decapsulate(self, packet: IPv4, vx: Vxlan) -> None:
        ds = self.dswitch
        inner = vx.payload
        self.counters["decapsulated"] += 1
        if not is_group(inner.src):
            self.port.remote[inner.src] = packet.src  # RFC 7348 §4.1: inner MAC -> outer source IP
        if ds.tracer.on:
            ds.tracer.emit("vxlan.decapsulated",
                           f"{ds.name} on {self.host.name} unwraps a VXLAN frame (VNI {ds.vni}) from "
                           f"{ds.member_name(packet.src)} ({packet.src}) and hands it to its half of the switch",
                           inner, node=ds.id, host=self.host.id, vni=ds.vni, remote=packet.src)
        self.half.receive(self.port, inner)


class VxlanSocket:
    """UDP 4789 on one host: demultiplexes by VNI to that host's endpoints (one per distributed switch)."""

    def __init__(self) -> None:
        self.by_vni: dict[int, Vtep] = {}

    def __call__(self, stack: Stack, packet: IPv4, udp: Udp, nic: Nic) -> None:
        vx = udp.payload
        if not isinstance(vx, Vxlan):
            try:
                vx = Vxlan.parse(bytes(vx))
            except Exception:  # noqa: BLE001  (any malformed payload is a drop, not a crash)
                stack.drop(packet, "vxlan.malformed", stack.narrator.words(
                    f"{stack.name} receives a malformed VXLAN datagram: it drops it"), nic)
                return
        vtep = self.by_vni.get(vx.vni)
        if vtep is None:
            stack.drop(packet, "vxlan.unknown_vni", stack.narrator.words(
                f"{stack.name} has no VXLAN network {vx.vni}: it drops the tunnelled frame"), nic)
            return
        vtep.decapsulate(packet, vx)


class DistributedSwitch(Switch):
    """The design's ``distributed_switch`` node: one half per member host.

    A drop-in for :class:`Switch` in the network build: ``add_port()`` hands out link ports
    (numbered from 1 in link order across the whole switch); :meth:`attach` then moves each port into
    the half of the host its peer is placed on and binds the endpoints. The node itself forwards
    nothing: its halves do.
    """

    def __init__(self, engine: Engine, node_id: str, *, name: str | None = None, kind: str = "distributed_switch",
                 vni: int, members: list[dict], aging_s: float = DEFAULT_AGING_S,
                 tracer: Tracer | None = None, narrator: Narrator | None = None):
        super().__init__(engine, node_id, name=name, kind=kind, aging_s=aging_s, tracer=tracer, narrator=narrator)
        if not 0 < vni < 1 << 24:
            raise ValueError(f"distributed switch {node_id!r}: VNI {vni!r} is not in 1..16777215")
        self.vni = vni
        self.members = [(m["host"], m["underlay"]) for m in members]
        self.halves: dict[str, Switch] = {}
        self.vteps: dict[str, Vtep] = {}
        for host_id, _ in self.members:
            if host_id in self.halves:
                raise ValueError(f"distributed switch {node_id!r}: host {host_id!r} is a member twice")
            self.halves[host_id] = Switch(engine, node_id, name=self.name, kind=kind, aging_s=aging_s,
                                          tracer=self.tracer, narrator=narrator)

    def receive(self, in_port: Port, frame: Ethernet) -> None:
        raise RuntimeError(f"{self.id}: a port was used before attach() placed it in a half")

    def attach(self, hosts: Mapping[str, object], placement: Mapping[str, str | None]) -> None:
        """Place every link port in its half (by the peer's ``host``) and bind the tunnel endpoints.

        ``hosts``: node id -> HostNode; ``placement``: node id -> the id of the host it is on (a
        member host linked to the switch directly is on itself).
        """
        for port in self.ports:
            peer = port.peer
            if peer is None:
                continue
            placed = placement.get(peer.node.id)
            host_id = placed or peer.node.id
            half = self.halves.get(host_id)
            if half is None and placed is None:
                raise ValueError(f"distributed switch {self.id!r}: {peer.node.id!r} is placed on no host; "
                                 "give it the host (a member) whose half it plugs into")
            if half is None:
                raise ValueError(f"distributed switch {self.id!r}: {peer.node.id!r} is on "
                                 f"{host_id!r}, which is not one of its member hosts")
            port.node = half
            port.handler = half.receive
            half.ports.append(port)
        number = len(self.ports)
        for host_id, underlay in self.members:
            host = hosts[host_id]
            if not isinstance(host, HostNode):
                raise ValueError(f"distributed switch {self.id!r}: member {host_id!r} is not a host with a network stack")
            if underlay not in host.nics:
                raise ValueError(f"distributed switch {self.id!r}: host {host_id!r} has no NIC {underlay!r}")
            half = self.halves[host_id]
            half.name = f"{self.name} on {host.name}"  # sentences say which half acts
            vtep = self.vteps[host_id] = Vtep(self, half, host, underlay)
            number += 1
            vtep.port = VxlanPort(half, number, vtep, FarSide(self.id, f"the VXLAN tunnel (VNI {self.vni})"))
            half.ports.append(vtep.port)
            sock = host.stack.udp_sockets.get(PORT_VXLAN)
            if sock is None:
                sock = VxlanSocket()
                host.stack.udp_bind(PORT_VXLAN, sock)
            elif not isinstance(sock, VxlanSocket):
                raise ValueError(f"host {host_id!r}: UDP port {PORT_VXLAN} is already used by something else")
            if self.vni in sock.by_vni:
                raise ValueError(f"host {host_id!r}: VNI {self.vni} is already bound")
            sock.by_vni[self.vni] = vtep

    def endpoints_except(self, vtep: Vtep) -> list[str]:
        """Every other member's tunnel address, in member order (the head-end replication list)."""
        out = []
        for host_id, _ in self.members:
            other = self.vteps[host_id]
            if other is not vtep and other.ip is not None:
                out.append(other.ip)
        return out

    def member_name(self, ip: str) -> str:
        for vtep in self.vteps.values():
            if vtep.ip == ip:
                return vtep.host.name
        return ip

    def fdb_rows(self) -> list[dict]:
        rows = []
        for host_id, half in self.halves.items():
            rows.extend({"host": host_id, **row} for row in half.fdb_rows())
        return rows

    def table(self) -> dict:
        return {"kind": self.kind, "name": self.name, "aging_s": self.aging_ns / 1e9, "vni": self.vni,
                "fdb": self.fdb_rows(),
                "halves": {h: {"endpoint": v.ip, "underlay": v.underlay, **v.counters}
                           for h, v in self.vteps.items()},
                "ports": [{"port": p.number, "host": host_id, "link": p.link.id if p.link else None}
                          for host_id, half in self.halves.items() for p in half.ports]}


def from_switch(plain: Switch, spec: dict) -> DistributedSwitch:
    """A distributed switch taking over the link ports of the plain ``Switch`` the build made for it."""
    ds = DistributedSwitch(plain.engine, spec["id"], name=plain.name, kind=plain.kind, vni=spec["vni"],
                           members=spec["members"], aging_s=plain.aging_ns / 1e9, tracer=plain.tracer,
                           narrator=plain.narrator)
    ds.ports = plain.ports
    for port in ds.ports:
        port.node = ds
        port.handler = ds.receive
    return ds
