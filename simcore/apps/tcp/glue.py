"""TCP on a host's IPv4 stack: one ``TcpTable`` per node, its actions carried out on the engine.

``tcp_for(node)`` gives the node's table glue (created on first use): it registers itself as the
stack's IP protocol 6 handler (``stack.protocols[6]``), sends ``Emit`` as IPv4 packets through
the stack (routing, ARP, netfilter hooks: the NAT sees them), runs ``SetTimer`` as engine events
(the table ignores stale ones, so nothing is cancelled), emits each ``Note`` as a trace event of
its own kind (``tcp.connect``...), and maps an ICMP destination unreachable quoting one of its
segments to ``on_icmp_unreachable`` (code 3, port unreachable: refused; else unreachable).

IP identification (Linux): a reset for a segment of no connection leaves with ID 0 (and DF);
segments of a connection take the stack's counter.

``http_service(node, spec)`` binds the design's ``{"kind": "http"}`` service on port ``spec.port``,
answered by the program ``spec.server`` names (Python's http.server when absent).
"""

from __future__ import annotations

from typing import Any

from simcore.apps.http import HttpServerConnection, HttpService
from simcore.apps.http.programs import DEFAULT_PROGRAM
from simcore.packets import ICMP_DEST_UNREACH, PROTO_TCP, IPv4
from simcore.packets.tcp import RST

from .actions import CloseReason, ConnKey, Emit, Note, SetTimer
from .table import TcpTable

UNREACH_PORT = 3


class TcpGlue:
    def __init__(self, node: Any):
        self.node = node
        self.stack = node.stack
        self.engine = node.engine
        self.table = TcpTable(node.engine.rng)
        self.stack.protocols[PROTO_TCP] = self._input
        self.stack.icmp_error_handlers[PROTO_TCP] = self.on_icmp_error

    # -- input ----------------------------------------------------------------------------------
    def _input(self, stack: Any, packet: Any, nic: Any) -> None:
        self.carry_out(self.table.on_segment(self.engine.now, packet.payload, packet.src, packet.dst))

    def on_icmp_error(self, packet: Any, icmp: Any, quoted: dict) -> None:
        """An ICMP error quoting one of our segments (``quoted``: src, dst, sport, dport)."""
        if icmp.type != ICMP_DEST_UNREACH or "sport" not in quoted:
            return
        key = ConnKey(quoted["src"], quoted["sport"], quoted["dst"], quoted["dport"])
        reason = CloseReason.REFUSED if icmp.code == UNREACH_PORT else CloseReason.UNREACHABLE
        self.carry_out(self.table.on_icmp_unreachable(self.engine.now, key, reason))

    # -- output ---------------------------------------------------------------------------------
    def carry_out(self, actions: list) -> None:
        for action in actions:
            if isinstance(action, Emit):
                seg = action.seg
                known = ConnKey(action.src_ip, seg.sport, action.dst_ip, seg.dport) in self.table.conns
                ident = self.stack.next_ident() if known or not seg.flags & RST else 0
                self.stack.send_ip(IPv4(action.src_ip, action.dst_ip, PROTO_TCP, seg, 64, ident))
            elif isinstance(action, SetTimer):
                self.engine.at(max(action.at_ns, self.engine.now), self._timer, action.key, action.at_ns)
            elif isinstance(action, Note):
                tracer = self.node.tracer
                if tracer.on:
                    tracer.emit(action.kind, action.text, node=self.node.id)

    def _timer(self, key: Any, at_ns: int) -> None:
        self.carry_out(self.table.on_timer(at_ns, key))


def tcp_for(node: Any) -> TcpGlue:
    """The node's TCP (created, and registered with its stack, on first use)."""
    glue = getattr(node, "tcp", None)
    if glue is None:
        glue = node.tcp = TcpGlue(node)
    return glue


class HttpServiceGlue:
    """The design's HTTP service: a listener whose connections are HTTP server connections."""

    def __init__(self, node: Any, spec: dict):
        self.port = spec["port"]
        self.service = HttpService(port=self.port, body=spec.get("body", ""),
                                   server=spec.get("server", DEFAULT_PROGRAM))
        self.served: list = []
        # A bound method, not a lambda: ``Network.fork`` deep-copies the run, and a lambda's
        # closure would keep pointing at the original's log.
        tcp_for(node).table.listen(self.port, self._accept)

    def _accept(self, key: Any) -> HttpServerConnection:
        return HttpServerConnection(self.service, self.served, (key.local_ip, key.local_port))

    def row(self) -> dict:
        return {"kind": "http", "port": self.port, "server": self.service.server,
                "served": [{"request": s.request, "status": s.status, "bytes": s.body_bytes}
                           for s in self.served]}


def http_service(node: Any, spec: dict) -> HttpServiceGlue:
    return HttpServiceGlue(node, spec)
