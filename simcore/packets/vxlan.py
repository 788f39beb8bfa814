"""VXLAN (RFC 7348 §5): an 8-byte header, then a whole inner Ethernet frame.

Header: flags (8 bits, the I flag 0x08 says the VNI is valid), 24 reserved bits, the 24-bit
VNI, 8 reserved bits. Reserved bits are sent as zero and ignored on receipt (RFC 7348 §5).
The inner frame is emitted without minimum-size padding: the tunnel endpoint encapsulates the
frame as the VM sent it, and padding is only added by a physical NIC. It is decoded through
``dispatch`` (``registry`` says it is Ethernet).
"""

import struct
from dataclasses import dataclass
from typing import Any

from . import dispatch
from .errors import PacketError

VXLAN_PORT = 4789
VXLAN_FLAG_I = 0x08
VXLAN_HEADER_LEN = 8

_HEADER = struct.Struct("!B3xI")


@dataclass(frozen=True, slots=True)
class Vxlan:
    vni: int
    payload: Any  # Ethernet | bytes
    flags: int = VXLAN_FLAG_I

    def emit(self) -> bytes:
        if not 0 <= self.vni < 1 << 24:
            raise PacketError(f"vxlan: VNI {self.vni} is not a 24-bit value")
        payload = self.payload
        inner = payload if isinstance(payload, (bytes, bytearray)) else payload.emit(pad=False)
        try:
            return _HEADER.pack(self.flags, self.vni << 8) + inner
        except struct.error as exc:
            raise PacketError(f"vxlan: field out of range: {exc}") from None

    @classmethod
    def parse(cls, data: bytes, *, verify: bool = True) -> "Vxlan":
        if len(data) < VXLAN_HEADER_LEN:
            raise PacketError(f"vxlan: header too short ({len(data)} bytes)")
        flags, word = _HEADER.unpack_from(data)
        if not flags & VXLAN_FLAG_I:
            raise PacketError(f"vxlan: flags 0x{flags:02x} lack the I flag (0x08)")
        return cls(word >> 8, dispatch.inner_frame(bytes(data[8:]), verify), flags)

    def describe(self) -> dict:
        return {"proto": "vxlan", "vni": self.vni, "flags": f"0x{self.flags:02x}"}
