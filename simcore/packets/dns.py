"""DNS messages (RFC 1035 §4): header, questions and resource records.

Names are dotted strings without the trailing dot (the root is ``""``). Record data is
decoded for A (dotted string) and CNAME/PTR/NS (a name); every other type keeps raw bytes.
Emit compresses names (RFC 1035 §4.1.4) as real servers do, matching suffixes exactly so the
case of every name survives the round trip; parse follows pointers, accepting only pointers
that go backwards so a crafted loop cannot hang the simulator.
"""

import struct
from dataclasses import dataclass
from typing import Any

from .addresses import bytes_to_ip, ip_to_bytes
from .errors import PacketError

TYPE_A = 1
TYPE_NS = 2
TYPE_CNAME = 5
TYPE_SOA = 6
TYPE_PTR = 12
TYPE_MX = 15
TYPE_TXT = 16
TYPE_AAAA = 28
CLASS_IN = 1

# Header flag bits (RFC 1035 §4.1.1).
FLAG_QR = 0x8000
FLAG_AA = 0x0400
FLAG_TC = 0x0200
FLAG_RD = 0x0100
FLAG_RA = 0x0080

RCODE_NOERROR = 0
RCODE_FORMERR = 1
RCODE_SERVFAIL = 2
RCODE_NXDOMAIN = 3
RCODE_NOTIMP = 4
RCODE_REFUSED = 5

TYPE_NAMES = {
    TYPE_A: "A",
    TYPE_NS: "NS",
    TYPE_CNAME: "CNAME",
    TYPE_SOA: "SOA",
    TYPE_PTR: "PTR",
    TYPE_MX: "MX",
    TYPE_TXT: "TXT",
    TYPE_AAAA: "AAAA",
}
RCODE_NAMES = {
    RCODE_NOERROR: "No error",
    RCODE_FORMERR: "Format error",
    RCODE_SERVFAIL: "Server failure",
    RCODE_NXDOMAIN: "No such name",
    RCODE_NOTIMP: "Not implemented",
    RCODE_REFUSED: "Refused",
}
_NAME_TYPES = frozenset({TYPE_NS, TYPE_CNAME, TYPE_PTR})

_HEADER = struct.Struct("!HHHHHH")
_Q = struct.Struct("!HH")
_RR = struct.Struct("!HHIH")


@dataclass(frozen=True, slots=True)
class DnsQuestion:
    name: str
    qtype: int = TYPE_A
    qclass: int = CLASS_IN

    def describe(self) -> dict:
        return {"name": self.name, "type": TYPE_NAMES.get(self.qtype, str(self.qtype)), "class": self.qclass}


@dataclass(frozen=True, slots=True)
class DnsRecord:
    name: str
    rtype: int
    data: Any  # A: dotted str; CNAME/PTR/NS: name str; others: bytes
    ttl: int = 0
    rclass: int = CLASS_IN

    def describe(self) -> dict:
        data = self.data.hex() if isinstance(self.data, bytes) else self.data
        return {
            "name": self.name,
            "type": TYPE_NAMES.get(self.rtype, str(self.rtype)),
            "class": self.rclass,
            "ttl": self.ttl,
            "data": data,
        }


class _Writer:
    """Accumulates a message, remembering where each name suffix was written."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.offsets: dict[str, int] = {}

    def name(self, name: str) -> None:
        labels = name.split(".") if name else []
        total = sum(len(label.encode("utf-8")) + 1 for label in labels) + 1
        if total > 255:
            raise PacketError(f"dns: name {name!r} longer than 255 bytes")
        for i in range(len(labels)):
            suffix = ".".join(labels[i:])
            offset = self.offsets.get(suffix)
            if offset is not None:
                self.buf += (0xC000 | offset).to_bytes(2, "big")
                return
            if len(self.buf) < 0x3FFF:
                self.offsets[suffix] = len(self.buf)
            raw = labels[i].encode("utf-8")
            if not 0 < len(raw) < 64:
                raise PacketError(f"dns: label {labels[i]!r} in {name!r} must be 1 to 63 bytes")
            self.buf.append(len(raw))
            self.buf += raw
        self.buf.append(0)


def _read_name(data: bytes, pos: int) -> tuple[str, int]:
    """Decode the name at ``pos``; return it and the offset just after it in the message."""
    labels: list[str] = []
    end = -1
    n = len(data)
    while True:
        if pos >= n:
            raise PacketError(f"dns: name runs past the end of the message at offset {pos}")
        length = data[pos]
        if length & 0xC0 == 0xC0:
            if pos + 1 >= n:
                raise PacketError(f"dns: compression pointer truncated at offset {pos}")
            target = ((length & 0x3F) << 8) | data[pos + 1]
            if target >= pos:
                raise PacketError(f"dns: compression pointer at offset {pos} does not point backwards")
            if end < 0:
                end = pos + 2
            pos = target
            continue
        if length & 0xC0:
            raise PacketError(f"dns: label type 0x{length & 0xC0:02x} at offset {pos} is not supported")
        if length == 0:
            if end < 0:
                end = pos + 1
            return ".".join(labels), end
        if pos + 1 + length > n:
            raise PacketError(f"dns: label at offset {pos} runs past the end of the message")
        try:
            label = data[pos + 1 : pos + 1 + length].decode("utf-8")
        except UnicodeDecodeError:
            raise PacketError(f"dns: label at offset {pos} is not UTF-8") from None
        if "." in label:
            raise PacketError(f"dns: label at offset {pos} contains a dot")
        labels.append(label)
        pos += 1 + length


@dataclass(frozen=True, slots=True)
class Dns:
    id: int
    flags: int = FLAG_RD
    questions: tuple = ()  # DnsQuestion, ...
    answers: tuple = ()  # DnsRecord, ...
    authorities: tuple = ()
    additionals: tuple = ()

    @property
    def is_response(self) -> bool:
        return bool(self.flags & FLAG_QR)

    @property
    def opcode(self) -> int:
        return (self.flags >> 11) & 0x0F

    @property
    def rcode(self) -> int:
        return self.flags & 0x0F

    def emit(self) -> bytes:
        w = _Writer()
        try:
            w.buf += _HEADER.pack(
                self.id,
                self.flags,
                len(self.questions),
                len(self.answers),
                len(self.authorities),
                len(self.additionals),
            )
            for q in self.questions:
                w.name(q.name)
                w.buf += _Q.pack(q.qtype, q.qclass)
            for rr in (*self.answers, *self.authorities, *self.additionals):
                w.name(rr.name)
                start = len(w.buf)
                w.buf += _RR.pack(rr.rtype, rr.rclass, rr.ttl, 0)
                if isinstance(rr.data, (bytes, bytearray)):
                    w.buf += rr.data
                elif rr.rtype == TYPE_A:
                    w.buf += ip_to_bytes(rr.data)
                elif rr.rtype in _NAME_TYPES:
                    w.name(rr.data)
                else:
                    raise PacketError(f"dns: record type {rr.rtype} data must be bytes")
                rdlength = len(w.buf) - start - _RR.size
                w.buf[start + 8 : start + 10] = rdlength.to_bytes(2, "big")
        except struct.error as exc:
            raise PacketError(f"dns: field out of range: {exc}") from None
        return bytes(w.buf)

    @classmethod
    def parse(cls, data: bytes, *, verify: bool = True) -> "Dns":
        n = len(data)
        if n < 12:
            raise PacketError(f"dns: message too short ({n} bytes)")
        ident, flags, qd, an, ns, ar = _HEADER.unpack_from(data)
        pos = 12
        questions = []
        for _ in range(qd):
            name, pos = _read_name(data, pos)
            if pos + 4 > n:
                raise PacketError(f"dns: question truncated at offset {pos}")
            qtype, qclass = _Q.unpack_from(data, pos)
            pos += 4
            questions.append(DnsQuestion(name, qtype, qclass))
        sections: list[list[DnsRecord]] = [[], [], []]
        for section, count in zip(sections, (an, ns, ar), strict=True):
            for _ in range(count):
                name, pos = _read_name(data, pos)
                if pos + 10 > n:
                    raise PacketError(f"dns: record truncated at offset {pos}")
                rtype, rclass, ttl, rdlength = _RR.unpack_from(data, pos)
                pos += 10
                if pos + rdlength > n:
                    raise PacketError(f"dns: record data length {rdlength} runs past the end at offset {pos}")
                raw = bytes(data[pos : pos + rdlength])
                rdata: Any = raw
                if rtype == TYPE_A and rdlength == 4:
                    rdata = bytes_to_ip(raw)
                elif rtype in _NAME_TYPES:
                    rdata, end = _read_name(data, pos)
                    if end != pos + rdlength:
                        raise PacketError(
                            f"dns: record data length {rdlength} does not match its name at offset {pos}"
                        )
                pos += rdlength
                section.append(DnsRecord(name, rtype, rdata, ttl, rclass))
        return cls(ident, flags, tuple(questions), *(tuple(s) for s in sections))

    def describe(self) -> dict:
        return {
            "proto": "dns",
            "id": f"0x{self.id:04x}",
            "response": self.is_response,
            "opcode": self.opcode,
            "rcode": RCODE_NAMES.get(self.rcode, str(self.rcode)),
            "flags": f"0x{self.flags:04x}",
            "questions": [q.describe() for q in self.questions],
            "answers": [r.describe() for r in self.answers],
            "authorities": [r.describe() for r in self.authorities],
            "additionals": [r.describe() for r in self.additionals],
        }

    def info(self) -> str:
        """Wireshark's Info: ``Standard query 0x1234 A example.com`` / ``... response ...``."""
        parts = ["Standard query"]
        if self.is_response:
            parts.append("response")
        parts.append(f"0x{self.id:04x}")
        if self.is_response and self.rcode:
            parts.append(RCODE_NAMES.get(self.rcode, f"rcode {self.rcode}"))
        for q in self.questions:
            parts += [TYPE_NAMES.get(q.qtype, str(q.qtype)), q.name]
        for rr in self.answers:
            data = rr.data.hex() if isinstance(rr.data, bytes) else rr.data
            parts += [TYPE_NAMES.get(rr.rtype, str(rr.rtype)), data]
        return " ".join(parts)
