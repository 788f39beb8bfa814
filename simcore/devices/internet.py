"""The Internet, as one node.

What it does, exactly:

- It is a host-like node with the NICs, addresses and routes the design gives it, and it forwards
  (``ip_forward`` is always on) to networks it has a specific (non-default) route to, like any
  router.
- Any other destination "is on the Internet": an ICMP echo request to such an address is answered
  by the Internet node itself, with an echo reply whose source is the address that was pinged and
  whose TTL is 63 (as if the pinged host were one router behind the Internet node). A request that
  arrives with TTL 1 gets "time to live exceeded" from the Internet node's own address instead.
- Every other packet to such an address (UDP, TCP, ...) is dropped and traced with reason
  ``internet.no_service``: no service answers out there yet (later issues add web and DNS servers).
- Packets to its own addresses are handled as by any host (ping replies, UDP port unreachable).
"""

from __future__ import annotations

from simcore.devices.host import HostNode
from simcore.engine import Engine
from simcore.net import Nic
from simcore.packets import ICMP_ECHO_REQUEST, ICMP_TIME_EXCEEDED, PROTO_ICMP, IcmpEcho, IPv4
from simcore.stack import Stack
from simcore.trace import Tracer
from simcore.trace.sentences import Narrator

REMOTE_TTL = 63


class InternetStack(Stack):
    def _forward(self, packet: IPv4, nic: Nic) -> None:
        route = self.routes.lookup(packet.dst)
        if route is not None and not route.is_default:
            super()._forward(packet, nic)
            return
        if packet.ttl <= 1:
            self.drop(packet, "ip.ttl_exceeded", self.narrator.words(
                f"{self.name} drops a packet for {packet.dst}: its time to live ran out (TTL {packet.ttl})"), nic)
            self.send_icmp_error(packet, ICMP_TIME_EXCEEDED, 0)
            return
        icmp = packet.payload
        if packet.proto == PROTO_ICMP and isinstance(icmp, IcmpEcho) and icmp.type == ICMP_ECHO_REQUEST:
            if self.tracer.on:
                self.tracer.emit("internet.answered", self.narrator.words(
                    f"{packet.dst} somewhere on {self.name} answers the ping from {packet.src}"),
                    node=self.node_id, nic=nic.name, src=packet.src, dst=packet.dst)
            reply = IPv4(packet.dst, packet.src, PROTO_ICMP, icmp.reply(), REMOTE_TTL, self.next_ident())
            self._send_remote(reply)
            return
        self.drop(packet, "internet.no_service", self.narrator.words(
            f"nothing on {self.name} answers {packet.dst} (only pings are answered)"), nic)

    def _send_remote(self, packet: IPv4) -> None:
        # The reply's source is not one of our addresses, so it skips the OUTPUT path's
        # local-source assumptions and goes straight to routing.
        route = self.routes.lookup(packet.dst)
        if route is None:
            self.drop(packet, "ip.no_route", self.narrator.words(
                f"{self.name} has no route back to {packet.dst}"))
            return
        self._route_out(packet, route)


class InternetNode(HostNode):
    def __init__(self, engine: Engine, node_id: str, *, name: str | None = None, kind: str = "internet",
                 ip_forward: bool = True, tracer: Tracer | None = None, narrator: Narrator | None = None):
        # ``ip_forward`` is accepted for the same signature as HostNode's, and always on.
        super().__init__(engine, node_id, name=name, kind=kind, ip_forward=True, tracer=tracer, narrator=narrator)

    def _make_stack(self, ip_forward: bool) -> Stack:
        return InternetStack(self, self.engine, self.tracer, self.narrator, ip_forward=True)
