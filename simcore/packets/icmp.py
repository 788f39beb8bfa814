"""ICMP for IPv4 (RFC 792): echo, the two error messages the simulator sends, and the rest.

Three shapes, one per way the 4-byte "rest of header" is used:

* ``IcmpEcho`` — echo request/reply: identifier, sequence number, data (RFC 792 p.14).
* ``IcmpError`` — destination unreachable / time exceeded (and other errors): the "rest"
  word (unused, or the next-hop MTU for "fragmentation needed", RFC 1191 §4) and the quoted
  original datagram: its IP header plus at least 8 bytes of its payload (RFC 792, RFC 1812
  §4.3.2.3 allows up to 576 bytes in all, which is what Linux quotes).
* ``Icmp`` — any other type, kept as type, code, rest word and data.

``Icmp.parse`` picks the most specific shape; each class's own ``parse`` accepts only its types.
"""

import struct
from dataclasses import dataclass

from .addresses import bytes_to_ip
from .checksum import checksum16
from .errors import PacketError

ICMP_ECHO_REPLY = 0
ICMP_DEST_UNREACH = 3
ICMP_REDIRECT = 5
ICMP_ECHO_REQUEST = 8
ICMP_TIME_EXCEEDED = 11
ICMP_PARAM_PROBLEM = 12

# Destination unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1).
UNREACH_NET = 0
UNREACH_HOST = 1
UNREACH_PROTOCOL = 2
UNREACH_PORT = 3
UNREACH_FRAG_NEEDED = 4
UNREACH_SOURCE_ROUTE = 5
UNREACH_NET_UNKNOWN = 6
UNREACH_HOST_UNKNOWN = 7
UNREACH_NET_PROHIBITED = 9
UNREACH_HOST_PROHIBITED = 10
UNREACH_ADMIN_PROHIBITED = 13

# Time exceeded codes.
EXC_TTL = 0
EXC_FRAGTIME = 1

# Linux quotes as much of the offending datagram as keeps the ICMP packet within 576 bytes
# (RFC 1812 §4.3.2.3): 576 - 20 (IP header) - 8 (ICMP header).
MAX_QUOTE = 548

_TYPE_NAMES = {
    ICMP_ECHO_REPLY: "Echo (ping) reply",
    ICMP_DEST_UNREACH: "Destination unreachable",
    ICMP_REDIRECT: "Redirect",
    ICMP_ECHO_REQUEST: "Echo (ping) request",
    ICMP_TIME_EXCEEDED: "Time-to-live exceeded",
    ICMP_PARAM_PROBLEM: "Parameter problem",
}
UNREACH_NAMES = {
    UNREACH_NET: "Network unreachable",
    UNREACH_HOST: "Host unreachable",
    UNREACH_PROTOCOL: "Protocol unreachable",
    UNREACH_PORT: "Port unreachable",
    UNREACH_FRAG_NEEDED: "Fragmentation needed",
    UNREACH_SOURCE_ROUTE: "Source route failed",
    UNREACH_NET_UNKNOWN: "Destination network unknown",
    UNREACH_HOST_UNKNOWN: "Destination host unknown",
    UNREACH_NET_PROHIBITED: "Network administratively prohibited",
    UNREACH_HOST_PROHIBITED: "Host administratively prohibited",
    UNREACH_ADMIN_PROHIBITED: "Communication administratively filtered",
}
EXCEEDED_NAMES = {
    EXC_TTL: "Time to live exceeded in transit",
    EXC_FRAGTIME: "Fragment reassembly time exceeded",
}

_ECHO_TYPES = (ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY)
_ERROR_TYPES = (ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, ICMP_PARAM_PROBLEM, ICMP_REDIRECT, 4)
_HEADER = struct.Struct("!BBHI")
_ECHO = struct.Struct("!BBHHH")


def _finish(header_and_body: bytes) -> bytes:
    """Insert the checksum over the whole ICMP message (RFC 792: "starting with the ICMP Type")."""
    csum = checksum16(header_and_body)
    return header_and_body[:2] + csum.to_bytes(2, "big") + header_and_body[4:]


def _check(data: bytes, verify: bool) -> None:
    if len(data) < 8:
        raise PacketError(f"icmp: message too short ({len(data)} bytes)")
    if verify:
        got = int.from_bytes(data[2:4], "big")
        computed = checksum16(data[:2] + b"\x00\x00" + data[4:])
        if got != computed:
            raise PacketError(f"icmp: checksum 0x{got:04x} != computed 0x{computed:04x}")


@dataclass(frozen=True, slots=True)
class IcmpEcho:
    type: int  # ICMP_ECHO_REQUEST or ICMP_ECHO_REPLY
    ident: int
    seq: int
    data: bytes = b""

    @property
    def code(self) -> int:
        return 0

    def emit(self) -> bytes:
        try:
            head = _ECHO.pack(self.type, 0, 0, self.ident, self.seq)
        except struct.error as exc:
            raise PacketError(f"icmp: field out of range: {exc}") from None
        return _finish(head + self.data)

    @classmethod
    def parse(cls, data: bytes, *, verify: bool = True) -> "IcmpEcho":
        _check(data, verify)
        typ, code, _csum, ident, seq = _ECHO.unpack_from(data)
        if typ not in _ECHO_TYPES:
            raise PacketError(f"icmp: type {typ} is not an echo request/reply")
        if code != 0:
            raise PacketError(f"icmp: echo code {code} != 0")
        return cls(typ, ident, seq, bytes(data[8:]))

    def reply(self) -> "IcmpEcho":
        """The echo reply a host sends back: same identifier, sequence and data (RFC 792 p.15)."""
        return IcmpEcho(ICMP_ECHO_REPLY, self.ident, self.seq, self.data)

    def describe(self) -> dict:
        return {
            "proto": "icmp",
            "type": self.type,
            "code": 0,
            "type_name": _TYPE_NAMES.get(self.type, str(self.type)),
            "ident": self.ident,
            "seq": self.seq,
            "data_len": len(self.data),
        }

    def info(self, ttl: int | None = None) -> str:
        # Wireshark shows the sequence number read both big- and little-endian ("1/256").
        le = int.from_bytes(self.seq.to_bytes(2, "big"), "little")
        text = f"{_TYPE_NAMES.get(self.type, self.type)} id=0x{self.ident:04x}, seq={self.seq}/{le}"
        if ttl is not None:
            text += f", ttl={ttl}"
        return text


@dataclass(frozen=True, slots=True)
class IcmpError:
    type: int  # ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, ...
    code: int
    original: bytes  # the quoted IP header + leading payload bytes of the offending datagram
    rest: int = 0  # the 32-bit word after the checksum; low 16 bits = next-hop MTU for code 4

    @classmethod
    def for_datagram(cls, type: int, code: int, datagram: bytes, rest: int = 0) -> "IcmpError":
        """Build the error for an offending datagram (its wire bytes), quoting as Linux does."""
        return cls(type, code, bytes(datagram[:MAX_QUOTE]), rest)

    @property
    def mtu(self) -> int:
        """Next-hop MTU of a "fragmentation needed" message (RFC 1191 §4)."""
        return self.rest & 0xFFFF

    def emit(self) -> bytes:
        try:
            head = _HEADER.pack(self.type, self.code, 0, self.rest)
        except struct.error as exc:
            raise PacketError(f"icmp: field out of range: {exc}") from None
        return _finish(head + self.original)

    @classmethod
    def parse(cls, data: bytes, *, verify: bool = True) -> "IcmpError":
        _check(data, verify)
        typ, code, _csum, rest = _HEADER.unpack_from(data)
        if typ not in _ERROR_TYPES:
            raise PacketError(f"icmp: type {typ} is not an error message")
        return cls(typ, code, bytes(data[8:]), rest)

    def quoted(self) -> dict:
        """The quoted datagram's addresses and ports (or echo id), for traces and NAT lookups.

        The quote is truncated, so it is read field by field rather than through IPv4.parse.
        """
        q = self.original
        if len(q) < 20 or q[0] >> 4 != 4:
            return {}
        hlen = (q[0] & 0x0F) * 4
        out: dict = {"src": bytes_to_ip(q[12:16]), "dst": bytes_to_ip(q[16:20]), "protocol": q[9]}
        rest = q[hlen : hlen + 8]
        if q[9] in (6, 17) and len(rest) >= 4:
            out["sport"] = int.from_bytes(rest[0:2], "big")
            out["dport"] = int.from_bytes(rest[2:4], "big")
        elif q[9] == 1 and len(rest) >= 8:
            out["ident"] = int.from_bytes(rest[4:6], "big")
            out["seq"] = int.from_bytes(rest[6:8], "big")
        return out

    def describe(self) -> dict:
        return {
            "proto": "icmp",
            "type": self.type,
            "code": self.code,
            "type_name": _TYPE_NAMES.get(self.type, str(self.type)),
            "code_name": _code_name(self.type, self.code),
            "rest": self.rest,
            "quoted": self.quoted(),
        }

    def info(self, ttl: int | None = None) -> str:
        return f"{_TYPE_NAMES.get(self.type, self.type)} ({_code_name(self.type, self.code)})"


def _code_name(typ: int, code: int) -> str:
    if typ == ICMP_DEST_UNREACH:
        return UNREACH_NAMES.get(code, f"code {code}")
    if typ == ICMP_TIME_EXCEEDED:
        return EXCEEDED_NAMES.get(code, f"code {code}")
    return f"code {code}"


@dataclass(frozen=True, slots=True)
class Icmp:
    """Any ICMP message without a dedicated shape (timestamp, router advert, ...)."""

    type: int
    code: int
    rest: int = 0
    data: bytes = b""

    def emit(self) -> bytes:
        try:
            head = _HEADER.pack(self.type, self.code, 0, self.rest)
        except struct.error as exc:
            raise PacketError(f"icmp: field out of range: {exc}") from None
        return _finish(head + self.data)

    @classmethod
    def parse(cls, data: bytes, *, verify: bool = True) -> "IcmpEcho | IcmpError | Icmp":
        """Decode any ICMP message into its most specific shape."""
        _check(data, verify)
        typ, code = data[0], data[1]
        if typ in _ECHO_TYPES and code == 0:
            return IcmpEcho.parse(data, verify=False)
        if typ in _ERROR_TYPES:
            return IcmpError.parse(data, verify=False)
        return cls(typ, code, int.from_bytes(data[4:8], "big"), bytes(data[8:]))

    def describe(self) -> dict:
        return {
            "proto": "icmp",
            "type": self.type,
            "code": self.code,
            "type_name": _TYPE_NAMES.get(self.type, str(self.type)),
            "rest": self.rest,
            "data_len": len(self.data),
        }

    def info(self, ttl: int | None = None) -> str:
        return f"ICMP type {self.type} code {self.code}"
