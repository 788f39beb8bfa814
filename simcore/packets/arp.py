"""ARP for IPv4 over Ethernet (RFC 826): the fixed 28-byte body.

Only htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4 is modelled; anything else is a
PacketError on parse, because the engine cannot act on it.
"""

import struct
from dataclasses import dataclass

from .addresses import bytes_to_ip, bytes_to_mac, ip_to_bytes, mac_to_bytes
from .errors import PacketError

ARP_REQUEST = 1
ARP_REPLY = 2
ARP_LEN = 28

_HEADER = struct.Struct("!HHBBH")
_ETH_IPV4_HEADER = _HEADER.pack(1, 0x0800, 6, 4, 0)[:6]
_OP_NAMES = {ARP_REQUEST: "request", ARP_REPLY: "reply"}


@dataclass(frozen=True, slots=True)
class Arp:
    op: int
    sha: str
    spa: str
    tha: str
    tpa: str

    def emit(self) -> bytes:
        try:
            op = self.op.to_bytes(2, "big")
        except OverflowError:
            raise PacketError(f"arp: op {self.op} is not a 16-bit value") from None
        return (
            _ETH_IPV4_HEADER
            + op
            + mac_to_bytes(self.sha)
            + ip_to_bytes(self.spa)
            + mac_to_bytes(self.tha)
            + ip_to_bytes(self.tpa)
        )

    @classmethod
    def parse(cls, data: bytes) -> "Arp":
        if len(data) < ARP_LEN:
            raise PacketError(f"arp: packet too short ({len(data)} bytes)")
        htype, ptype, hlen, plen, op = _HEADER.unpack_from(data)
        if htype != 1:
            raise PacketError(f"arp: hardware type {htype} is not Ethernet (1)")
        if ptype != 0x0800:
            raise PacketError(f"arp: protocol type 0x{ptype:04x} is not IPv4 (0x0800)")
        if hlen != 6 or plen != 4:
            raise PacketError(f"arp: address lengths {hlen}/{plen} are not 6/4")
        return cls(
            op,
            bytes_to_mac(data[8:14]),
            bytes_to_ip(data[14:18]),
            bytes_to_mac(data[18:24]),
            bytes_to_ip(data[24:28]),
        )

    @property
    def is_gratuitous(self) -> bool:
        """A host announcing its own address: sender and target protocol addresses equal."""
        return self.spa == self.tpa

    @property
    def is_probe(self) -> bool:
        """RFC 5227 §2.1.1 probe: sender protocol address all zeros."""
        return self.op == ARP_REQUEST and self.spa == "0.0.0.0"

    def describe(self) -> dict:
        return {
            "proto": "arp",
            "op": _OP_NAMES.get(self.op, str(self.op)),
            "sha": self.sha,
            "spa": self.spa,
            "tha": self.tha,
            "tpa": self.tpa,
        }

    def info(self) -> str:
        """Wireshark-style Info column text."""
        if self.op == ARP_REQUEST:
            if self.is_probe:
                return f"Who has {self.tpa}? (ARP Probe)"
            if self.is_gratuitous:
                # RFC 5227 §2.3: an announcement leaves the target hardware address zero.
                if self.tha == "00:00:00:00:00:00":
                    return f"ARP Announcement for {self.tpa}"
                return f"Gratuitous ARP for {self.tpa} (Request)"
            return f"Who has {self.tpa}? Tell {self.spa}"
        if self.op == ARP_REPLY:
            if self.is_gratuitous:
                return f"Gratuitous ARP for {self.spa} (Reply)"
            return f"{self.spa} is at {self.sha}"
        return f"ARP opcode {self.op}"
