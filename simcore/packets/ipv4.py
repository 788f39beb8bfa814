"""IPv4 headers (RFC 791) with options kept as raw bytes.

Total length and header checksum are derived on emit and verified on parse; they are not
fields, so ``IPv4.parse(p.emit()) == p``. The payload is decoded (ICMP, UDP, TCP) only for an
unfragmented datagram: a fragment's bytes are not a whole transport segment (RFC 791 §2.3); it
is decoded by protocol number through ``dispatch`` (``registry`` says which class).
"""

import struct
from dataclasses import dataclass
from typing import Any

from . import dispatch
from .addresses import bytes_to_ip, ip_to_bytes
from .checksum import checksum16
from .errors import PacketError

PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17

IP_FLAG_DF = 2  # don't fragment (RFC 791 §3.1, bit 1 of the 3-bit flags)
IP_FLAG_MF = 1  # more fragments

PROTO_NAMES = {PROTO_ICMP: "ICMP", PROTO_TCP: "TCP", PROTO_UDP: "UDP"}

_HEADER = struct.Struct("!BBHHHBBH4s4s")


@dataclass(frozen=True, slots=True)
class IPv4:
    src: str
    dst: str
    proto: int
    payload: Any  # Icmp* | Udp | Tcp | bytes
    ttl: int = 64
    ident: int = 0
    flags: int = IP_FLAG_DF
    tos: int = 0
    frag_offset: int = 0  # in 8-byte units, as on the wire
    options: bytes = b""

    def payload_bytes(self) -> bytes:
        payload = self.payload
        if isinstance(payload, (bytes, bytearray)):
            return bytes(payload)
        if getattr(payload, "uses_pseudo_header", False):
            # The transport checksum (UDP, TCP) covers the pseudo-header: our addresses.
            return payload.emit(src=self.src, dst=self.dst)
        return payload.emit()

    def emit(self) -> bytes:
        options = self.options
        if len(options) % 4 or len(options) > 40:
            raise PacketError(f"ipv4: options length {len(options)} is not a multiple of 4 up to 40")
        body = self.payload_bytes()
        ihl = 5 + len(options) // 4
        total = ihl * 4 + len(body)
        if total > 0xFFFF:
            raise PacketError(f"ipv4: total length {total} > 65535")
        try:
            header = (
                _HEADER.pack(
                    0x40 | ihl,
                    self.tos,
                    total,
                    self.ident,
                    (self.flags << 13) | self.frag_offset,
                    self.ttl,
                    self.proto,
                    0,
                    ip_to_bytes(self.src),
                    ip_to_bytes(self.dst),
                )
                + options
            )
        except struct.error as exc:
            raise PacketError(f"ipv4: field out of range: {exc}") from None
        csum = checksum16(header)
        return header[:10] + csum.to_bytes(2, "big") + header[12:] + body

    @classmethod
    def parse(cls, data: bytes, *, verify: bool = True) -> "IPv4":
        n = len(data)
        if n < 20:
            raise PacketError(f"ipv4: header too short ({n} bytes)")
        (vihl, tos, total, ident, flagfrag, ttl, proto, csum, src, dst) = _HEADER.unpack_from(data)
        version, ihl = vihl >> 4, vihl & 0x0F
        if version != 4:
            raise PacketError(f"ipv4: version {version} != 4")
        hlen = ihl * 4
        if ihl < 5:
            raise PacketError(f"ipv4: header length {hlen} < 20")
        if n < hlen:
            raise PacketError(f"ipv4: header length {hlen} > available {n} bytes")
        if total < hlen:
            raise PacketError(f"ipv4: total length {total} < header length {hlen}")
        if total > n:
            raise PacketError(f"ipv4: total length {total} > available {n} bytes")
        if verify:
            computed = checksum16(data[:10] + b"\x00\x00" + data[12:hlen])
            if computed != csum:
                raise PacketError(f"ipv4: header checksum 0x{csum:04x} != computed 0x{computed:04x}")
        src_s, dst_s = bytes_to_ip(src), bytes_to_ip(dst)
        flags, frag = flagfrag >> 13, flagfrag & 0x1FFF
        body = bytes(data[hlen:total])
        payload: Any = body
        if frag == 0 and not flags & IP_FLAG_MF:
            payload = dispatch.ip_payload(proto, body, src_s, dst_s, verify)
        return cls(src_s, dst_s, proto, payload, ttl, ident, flags, tos, frag, bytes(data[20:hlen]))

    @property
    def is_fragment(self) -> bool:
        return self.frag_offset != 0 or bool(self.flags & IP_FLAG_MF)

    def describe(self) -> dict:
        return {
            "proto": "ipv4",
            "src": self.src,
            "dst": self.dst,
            "protocol": self.proto,
            "protocol_name": PROTO_NAMES.get(self.proto, "unknown"),
            "ttl": self.ttl,
            "ident": self.ident,
            "flags": {"df": bool(self.flags & IP_FLAG_DF), "mf": bool(self.flags & IP_FLAG_MF)},
            "frag_offset": self.frag_offset,
            "tos": self.tos,
            "options": self.options.hex(),
        }
