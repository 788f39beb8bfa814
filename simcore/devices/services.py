"""Services of a node (the design's ``services`` list), bound on the node's stack.

``start_services(node, specs, peers, names)`` binds each one; what they do:

* ``http``: an HTTP server on a TCP port (``simcore.apps.http`` through the TCP glue);
* ``dhcp``: a DHCP server (dnsmasq) on one NIC, which has a static address there;
* ``udp_sink``: a UDP socket that receives and counts datagrams (so no port unreachable);
* ``udp_traffic``: one datagram of ``size`` bytes every ``interval_s`` from ``start_s``, to a
  fixed address or, with ``"random"``, to a random other node of the same kind (its first static
  address), drawn once, at the first send, from the run's one random source (``engine.rng``).

Every service has ``row()``: the JSON row ``net.tables()["services"]`` shows.
"""

from __future__ import annotations

from typing import Protocol

from simcore.apps.dhcp.glue import DhcpServerGlue
from simcore.devices.host import HostNode
from simcore.net import Nic
from simcore.packets import IPv4, Udp
from simcore.stack import Stack
from simcore.trace.sentences import Names

S = 1_000_000_000
# Linux's default ephemeral range (net.ipv4.ip_local_port_range).
EPHEMERAL = (32768, 60999)


class Service(Protocol):
    """What every service is to the network: a row of ``tables()["services"]``."""

    def row(self) -> dict: ...


class UdpSink:
    def __init__(self, node: HostNode, port: int):
        self.node = node
        self.port = port
        self.received = 0
        self.bytes = 0
        node.stack.udp_bind(port, self._receive)

    def _receive(self, stack: Stack, packet: IPv4, udp: Udp, nic: Nic) -> None:
        self.received += 1
        self.bytes += len(udp.payload) if isinstance(udp.payload, (bytes, bytearray)) else 0

    def row(self) -> dict:
        return {"kind": "udp_sink", "port": self.port, "received": self.received, "bytes": self.bytes}


class UdpTraffic:
    def __init__(self, node: HostNode, spec: dict, peers: list[str]):
        self.node = node
        self.engine = node.engine
        self.stack = node.stack
        self.to = spec["to"]
        self.dst: str | None = None if self.to == "random" else self.to
        self.port = spec["port"]
        self.size = spec["size"]
        self.interval_ns = max(1, int(round(spec["interval_s"] * S)))
        self.peers = peers  # addresses of the other nodes of this kind, in document order
        self.sent = 0
        self.errors = 0
        rng = self.engine.rng
        sport = rng.randint(*EPHEMERAL)
        while sport in self.stack.udp_sockets:
            sport = rng.randint(*EPHEMERAL)
        self.sport = sport
        self.stack.udp_bind(sport, self._ignore)
        self._payload = bytes(self.size)
        self.engine.at(int(round(spec["start_s"] * S)), self._tick)

    def _ignore(self, stack: Stack, packet: IPv4, udp: Udp, nic: Nic) -> None:
        return None

    def _tick(self) -> None:
        if self.dst is None:
            if not self.peers:
                return  # nobody else of this kind: nothing to send to, ever
            # One destination for the whole run, drawn at the first send (as ns-3's UdpClient
            # with a random remote, which bench/scale.py compares against).
            self.dst = self.peers[self.engine.rng.randrange(len(self.peers))]
        if self.stack.udp_send(self.sport, self.dst, self.port, self._payload) is None:
            self.sent += 1
        else:
            self.errors += 1
        self.engine.schedule(self.interval_ns, self._tick)

    def row(self) -> dict:
        return {"kind": "udp_traffic", "to": self.to, "dst": self.dst, "port": self.port, "sport": self.sport,
                "sent": self.sent, "errors": self.errors}


class DhcpService:
    def __init__(self, node: HostNode, spec: dict, names: Names | None = None):
        self.nic = spec["nic"]
        # A design's DHCP service is dnsmasq: it writes its clients into the host's ARP cache
        # whether or not it pings first (--no-ping).
        self.glue = DhcpServerGlue(node, spec["nic"], range_start=spec["range_start"], range_end=spec["range_end"],
                                   lease_s=spec["lease_s"], router=spec.get("router"), dns=tuple(spec["dns"]),
                                   probe=spec["probe"], names=names, kernel_arp=True)

    def row(self) -> dict:
        return {"kind": "dhcp", "nic": self.nic, "leases": self.glue.leases()}


def start_services(node: HostNode, specs: list[dict], peers: list[str], names: Names | None = None) -> list[Service]:
    """Bind every service of ``specs`` (normalized) on ``node``; returns them in order."""
    out: list[Service] = []
    for spec in specs:
        kind = spec["kind"]
        if kind == "dhcp":
            out.append(DhcpService(node, spec, names))
        elif kind == "udp_sink":
            out.append(UdpSink(node, spec["port"]))
        elif kind == "udp_traffic":
            out.append(UdpTraffic(node, spec, [ip for ip in peers if ip not in node.stack.local_ips]))
        elif kind == "http":
            from simcore.apps.tcp.glue import http_service

            out.append(http_service(node, spec))
        else:
            raise ValueError(f"{node.name}: unknown service kind {kind!r}")
    return out
