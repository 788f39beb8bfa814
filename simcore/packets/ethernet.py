"""Ethernet II frames (IEEE 802.3 clause 3 with an EtherType; no 802.1Q, no FCS).

On emit a frame is padded with zero bytes to the 60-byte minimum (64 on the wire minus the
4-byte FCS the NIC adds), as Linux hands it to the NIC; that is why an ARP frame carries 18
zero bytes after its 28-byte body. On parse the padding is ignored: the upper layer knows its
own length (IPv4 total length, ARP's fixed 28 bytes). For an unknown EtherType nothing says
where the payload ends, so a ``bytes`` payload keeps any padding it arrived with.

The payload is decoded by EtherType through ``dispatch`` (``registry`` says which class).
"""

from dataclasses import dataclass
from typing import Any

from . import dispatch
from .addresses import bytes_to_mac, mac_to_bytes
from .errors import PacketError

ETH_IPV4 = 0x0800
ETH_ARP = 0x0806
ETH_VLAN = 0x8100
ETH_IPV6 = 0x86DD

ETH_HEADER_LEN = 14
ETH_MIN_FRAME = 60  # without the FCS

ETHERTYPE_NAMES = {ETH_IPV4: "IPv4", ETH_ARP: "ARP", ETH_VLAN: "802.1Q", ETH_IPV6: "IPv6"}


@dataclass(frozen=True, slots=True)
class Ethernet:
    dst: str
    src: str
    ethertype: int
    payload: Any  # Arp | IPv4 | bytes

    def emit(self, *, pad: bool = True) -> bytes:
        """Wire bytes of the frame, padded to 60 bytes unless ``pad=False``.

        ``pad=False`` is for frames nobody's NIC padded: a frame inside a VXLAN tunnel, or one
        captured on a veth/tap before it reaches hardware.
        """
        payload = self.payload
        body = payload if isinstance(payload, (bytes, bytearray)) else payload.emit()
        try:
            ethertype = self.ethertype.to_bytes(2, "big")
        except OverflowError:
            raise PacketError(f"ethernet: ethertype {self.ethertype} is not a 16-bit value") from None
        frame = mac_to_bytes(self.dst) + mac_to_bytes(self.src) + ethertype + body
        if pad and len(frame) < ETH_MIN_FRAME:
            frame += bytes(ETH_MIN_FRAME - len(frame))
        return bytes(frame)

    @classmethod
    def parse(cls, data: bytes, *, verify: bool = True) -> "Ethernet":
        if len(data) < ETH_HEADER_LEN:
            raise PacketError(f"ethernet: frame too short ({len(data)} bytes)")
        ethertype = int.from_bytes(data[12:14], "big")
        payload = dispatch.ethertype_payload(ethertype, bytes(data[14:]), verify)
        return cls(bytes_to_mac(data[0:6]), bytes_to_mac(data[6:12]), ethertype, payload)

    def describe(self) -> dict:
        return {
            "proto": "ethernet",
            "dst": self.dst,
            "src": self.src,
            "ethertype": f"0x{self.ethertype:04x}",
            "type": ETHERTYPE_NAMES.get(self.ethertype, "unknown"),
        }
