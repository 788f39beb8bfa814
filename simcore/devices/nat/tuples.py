"""Connection tuples: what conntrack keys a flow by, read from (and written back into) packets.

A tuple is ``(proto, src, dst, sport, dport)``. For TCP and UDP the ports are the ports. ICMP
echo has no ports: Linux keys it by the echo identifier and the message type
(``nf_conntrack_proto_icmp.c``: ``src.u.icmp.id``, ``dst.u.icmp.type``), so here ``sport`` is
the identifier and ``dport`` the type. That keeps an echo *request* from the outside (type 8)
from matching the reply tuple (type 0) of an inside host's ping that happens to use the same id.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from simcore.packets import (
    ICMP_ECHO_REPLY,
    ICMP_ECHO_REQUEST,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Icmp,
    IcmpEcho,
    IcmpError,
    IPv4,
    Tcp,
    Udp,
)
from simcore.packets.tcp import flag_names

PROTO_LABELS = {PROTO_ICMP: "icmp", PROTO_TCP: "tcp", PROTO_UDP: "udp"}
LABEL_PROTOS = {label: number for number, label in PROTO_LABELS.items()}

# The reply type of each ICMP query conntrack tracks (nf_conntrack_proto_icmp.c, invmap).
# Only echo is built here; the others are listed so a tuple inverts the way Linux's does.
ICMP_REPLY_TYPE = {ICMP_ECHO_REQUEST: ICMP_ECHO_REPLY, ICMP_ECHO_REPLY: ICMP_ECHO_REQUEST,
                   13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17}

ARROW = "\u2192"


@dataclass(frozen=True, slots=True)
class FlowTuple:
    proto: int
    src: str
    dst: str
    sport: int  # ICMP: echo identifier
    dport: int  # ICMP: message type

    def invert(self) -> FlowTuple:
        """The tuple of a packet going the other way (nf_ct_invert_tuple)."""
        if self.proto == PROTO_ICMP:
            return FlowTuple(self.proto, self.dst, self.src, self.sport, ICMP_REPLY_TYPE.get(self.dport, self.dport))
        return FlowTuple(self.proto, self.dst, self.src, self.dport, self.sport)

    @property
    def label(self) -> str:
        return PROTO_LABELS.get(self.proto, str(self.proto))

    def describe(self) -> str:
        """``10.0.2.15:5000 → 198.51.100.53:53 UDP`` or ``10.0.2.15 → 203.0.113.10 ICMP echo request id 4660``."""
        if self.proto == PROTO_ICMP:
            kind = {ICMP_ECHO_REQUEST: "echo request", ICMP_ECHO_REPLY: "echo reply"}.get(
                self.dport, f"type {self.dport}")
            return f"{self.src} {ARROW} {self.dst} ICMP {kind} id {self.sport}"
        return f"{self.src}:{self.sport} {ARROW} {self.dst}:{self.dport} {self.label.upper()}"

    def local_end(self) -> str:
        """The source end, as ``addr:port`` or ``addr id N`` (for sentences)."""
        if self.proto == PROTO_ICMP:
            return f"{self.src} id {self.sport}"
        return f"{self.src}:{self.sport}"

    def remote_end(self) -> str:
        if self.proto == PROTO_ICMP:
            return self.dst
        return f"{self.dst}:{self.dport}"

    def fields(self) -> dict:
        """JSON-friendly fields, named as conntrack prints them."""
        if self.proto == PROTO_ICMP:
            return {"src": self.src, "dst": self.dst, "type": self.dport, "code": 0, "id": self.sport}
        return {"src": self.src, "dst": self.dst, "sport": self.sport, "dport": self.dport}


def flow_tuple(packet: IPv4) -> FlowTuple | None:
    """The tuple of a trackable packet (TCP, UDP, ICMP echo), or None."""
    payload = packet.payload
    proto = packet.proto
    if proto == PROTO_TCP and isinstance(payload, Tcp):
        return FlowTuple(proto, packet.src, packet.dst, payload.sport, payload.dport)
    if proto == PROTO_UDP and isinstance(payload, Udp):
        return FlowTuple(proto, packet.src, packet.dst, payload.sport, payload.dport)
    if proto == PROTO_ICMP and isinstance(payload, IcmpEcho):
        return FlowTuple(proto, packet.src, packet.dst, payload.ident, payload.type)
    return None


def with_tuple(packet: IPv4, t: FlowTuple) -> IPv4:
    """The same packet carrying tuple ``t``: addresses and ports (or echo id) rewritten.

    Nothing else changes (TTL, ident, flags, data): NAT rewrites addresses and ports only; the
    checksums follow because they are computed on emit.
    """
    payload = packet.payload
    cls = type(payload)
    if cls is Udp or cls is Tcp:
        if payload.sport != t.sport or payload.dport != t.dport:
            payload = _rebuild(payload, sport=t.sport, dport=t.dport)
    elif cls is IcmpEcho:
        if payload.ident != t.sport:
            payload = _rebuild(payload, ident=t.sport)
    if packet.src == t.src and packet.dst == t.dst and payload is packet.payload:
        return packet
    return _rebuild(packet, src=t.src, dst=t.dst, payload=payload)


# dataclasses.replace reads every field through getattr and costs several times a constructor
# call; this runs for every packet through the NAT, so values are rebuilt positionally from
# their fields in declaration order (read once here, so a field added later is carried along).
_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (IPv4, Tcp, Udp, IcmpEcho)}


def _rebuild(value, **changes):
    names = _FIELDS.get(type(value))
    if names is None:
        return replace(value, **changes)
    return type(value)(*[changes[n] if n in changes else getattr(value, n) for n in names])


def ip_length(packet: IPv4) -> int:
    """Total length of the datagram on the wire, without emitting it (for byte counters)."""
    payload = packet.payload
    if isinstance(payload, (bytes, bytearray)):
        body = len(payload)
    elif isinstance(payload, Tcp):
        body = 20 + len(payload.options) + len(payload.payload)
    elif isinstance(payload, Udp):
        body = 8 + len(payload.payload_bytes())
    elif isinstance(payload, IcmpEcho):
        body = 8 + len(payload.data)
    elif isinstance(payload, IcmpError):
        body = 8 + len(payload.original)
    elif isinstance(payload, Icmp):
        body = 8 + len(payload.data)
    else:
        body = len(packet.payload_bytes())
    return 20 + len(packet.options) + body


def reply_key(reply: FlowTuple) -> int:
    """The field masquerade maps, read from a reply tuple: its destination port, or the echo id."""
    return reply.sport if reply.proto == PROTO_ICMP else reply.dport


def with_key(reply: FlowTuple, key: int) -> FlowTuple:
    """A reply tuple with another mapped port (or echo id)."""
    return replace(reply, sport=key) if reply.proto == PROTO_ICMP else replace(reply, dport=key)


def key_word(t: FlowTuple) -> str:
    return "id" if t.proto == PROTO_ICMP else "port"


def flags_text(packet: IPv4) -> str:
    """A TCP segment's flags as the sentences write them: ``SYN,ACK``."""
    segment = packet.payload
    if not isinstance(segment, Tcp):
        return ""
    names = flag_names(segment.flags)
    return ",".join(n for n in ("SYN", "FIN", "RST", "PSH", "ACK", "URG") if n in names) or "no flags"
