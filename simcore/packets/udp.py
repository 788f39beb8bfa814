"""UDP (RFC 768). The payload is decoded by well-known port: DHCP (67/68), DNS (53), VXLAN (4789),
through ``dispatch`` (``registry`` binds the ports to their classes).

The checksum covers the IPv4 pseudo-header, so the addresses are keyword arguments of
``emit``/``parse`` (``IPv4`` passes its own). Without them ``emit`` writes checksum 0, which
RFC 768 defines as "no checksum"; a computed 0 is sent as 0xffff for the same reason.
"""

import struct
from dataclasses import dataclass
from typing import Any, ClassVar

from . import dispatch
from .checksum import checksum16, pseudo_header
from .errors import PacketError

PORT_DNS = 53
PORT_DHCP_SERVER = 67
PORT_DHCP_CLIENT = 68
PORT_VXLAN = 4789

_HEADER = struct.Struct("!HHHH")
_PROTO_UDP = 17


@dataclass(frozen=True, slots=True)
class Udp:
    sport: int
    dport: int
    payload: Any = b""  # bytes | Dhcp | Dns | Vxlan
    uses_pseudo_header: ClassVar[bool] = True  # IPv4 passes its addresses to emit

    def payload_bytes(self) -> bytes:
        payload = self.payload
        if isinstance(payload, (bytes, bytearray)):
            return bytes(payload)
        return payload.emit()

    def emit(self, *, src: str | None = None, dst: str | None = None) -> bytes:
        body = self.payload_bytes()
        length = 8 + len(body)
        if length > 0xFFFF:
            raise PacketError(f"udp: length {length} > 65535")
        try:
            header = _HEADER.pack(self.sport, self.dport, length, 0)
        except struct.error as exc:
            raise PacketError(f"udp: field out of range: {exc}") from None
        if src is None or dst is None:
            return header + body
        csum = checksum16(pseudo_header(src, dst, _PROTO_UDP, length) + header + body) or 0xFFFF
        return header[:6] + csum.to_bytes(2, "big") + body

    @classmethod
    def parse(
        cls, data: bytes, *, src: str | None = None, dst: str | None = None, verify: bool = True
    ) -> "Udp":
        n = len(data)
        if n < 8:
            raise PacketError(f"udp: datagram too short ({n} bytes)")
        sport, dport, length, csum = _HEADER.unpack_from(data)
        if length < 8:
            raise PacketError(f"udp: length field {length} < 8")
        if length > n:
            raise PacketError(f"udp: length field {length} > available {n} bytes")
        if verify and csum != 0 and src is not None and dst is not None:
            computed = (
                checksum16(
                    pseudo_header(src, dst, _PROTO_UDP, length) + data[:6] + b"\x00\x00" + data[8:length]
                )
                or 0xFFFF
            )
            if computed != csum:
                raise PacketError(f"udp: checksum 0x{csum:04x} != computed 0x{computed:04x}")
        return cls(sport, dport, dispatch.udp_payload(sport, dport, bytes(data[8:length]), verify))

    def describe(self) -> dict:
        return {
            "proto": "udp",
            "sport": self.sport,
            "dport": self.dport,
            "length": 8 + len(self.payload_bytes()),
        }

    def info(self) -> str:
        # Wireshark's arrow is U+2192.
        return f"{self.sport} \u2192 {self.dport} Len={len(self.payload_bytes())}"
