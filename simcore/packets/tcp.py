"""TCP segments (RFC 9293 §3.1). Options are kept as raw bytes so emit/parse round-trip exactly;
``tcp_options`` builds the usual SYN options and ``decode_tcp_options`` reads them back.

Checksum: like UDP it covers the IPv4 pseudo-header, so ``emit`` takes the addresses as
keyword arguments; unlike UDP a checksum is mandatory (RFC 9293 §3.1), so they are required.
"""

import struct
from dataclasses import dataclass
from typing import ClassVar

from .checksum import checksum16, pseudo_header
from .errors import PacketError

FIN = 0x01
SYN = 0x02
RST = 0x04
PSH = 0x08
ACK = 0x10
URG = 0x20
ECE = 0x40
CWR = 0x80

# Option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018).
OPT_EOL = 0
OPT_NOP = 1
OPT_MSS = 2
OPT_WSCALE = 3
OPT_SACK_PERM = 4
OPT_SACK = 5
OPT_TIMESTAMP = 8

_FLAG_NAMES = (
    (FIN, "FIN"),
    (SYN, "SYN"),
    (RST, "RST"),
    (PSH, "PSH"),
    (ACK, "ACK"),
    (URG, "URG"),
    (ECE, "ECE"),
    (CWR, "CWR"),
)
# Wireshark's order in the Info column.
_INFO_ORDER = (
    (CWR, "CWR"),
    (ECE, "ECE"),
    (URG, "URG"),
    (FIN, "FIN"),
    (SYN, "SYN"),
    (RST, "RST"),
    (PSH, "PSH"),
    (ACK, "ACK"),
)
_HEADER = struct.Struct("!HHIIBBHHH")
_PROTO_TCP = 6


def flag_names(flags: int) -> list[str]:
    return [name for bit, name in _FLAG_NAMES if flags & bit]


@dataclass(frozen=True, slots=True)
class Tcp:
    sport: int
    dport: int
    seq: int
    ack: int
    flags: int
    window: int
    payload: bytes = b""
    options: bytes = b""
    urg: int = 0
    uses_pseudo_header: ClassVar[bool] = True  # IPv4 passes its addresses to emit

    def emit(self, *, src: str, dst: str) -> bytes:
        options = self.options
        if len(options) % 4 or len(options) > 40:
            raise PacketError(f"tcp: options length {len(options)} is not a multiple of 4 up to 40")
        offset = 5 + len(options) // 4
        try:
            header = (
                _HEADER.pack(
                    self.sport,
                    self.dport,
                    self.seq,
                    self.ack,
                    offset << 4,
                    self.flags,
                    self.window,
                    0,
                    self.urg,
                )
                + options
            )
        except struct.error as exc:
            raise PacketError(f"tcp: field out of range: {exc}") from None
        segment = header + self.payload
        csum = checksum16(pseudo_header(src, dst, _PROTO_TCP, len(segment)) + segment)
        return segment[:16] + csum.to_bytes(2, "big") + segment[18:]

    @classmethod
    def parse(
        cls, data: bytes, *, src: str | None = None, dst: str | None = None, verify: bool = True
    ) -> "Tcp":
        n = len(data)
        if n < 20:
            raise PacketError(f"tcp: segment too short ({n} bytes)")
        sport, dport, seq, ack, off, flags, window, csum, urg = _HEADER.unpack_from(data)
        hlen = (off >> 4) * 4
        if hlen < 20:
            raise PacketError(f"tcp: data offset {hlen} < 20")
        if hlen > n:
            raise PacketError(f"tcp: data offset {hlen} > available {n} bytes")
        if verify and src is not None and dst is not None:
            computed = checksum16(
                pseudo_header(src, dst, _PROTO_TCP, n) + data[:16] + b"\x00\x00" + data[18:]
            )
            if computed != csum:
                raise PacketError(f"tcp: checksum 0x{csum:04x} != computed 0x{computed:04x}")
        return cls(sport, dport, seq, ack, flags, window, bytes(data[hlen:]), bytes(data[20:hlen]), urg)

    def describe(self) -> dict:
        return {
            "proto": "tcp",
            "sport": self.sport,
            "dport": self.dport,
            "seq": self.seq,
            "ack": self.ack,
            "flags": flag_names(self.flags),
            "window": self.window,
            "urg": self.urg,
            "options": decode_tcp_options(self.options),
            "payload_len": len(self.payload),
        }

    def info(self) -> str:
        names = ", ".join(name for bit, name in _INFO_ORDER if self.flags & bit)
        text = f"{self.sport} \u2192 {self.dport} [{names}] Seq={self.seq}"
        if self.flags & ACK:
            text += f" Ack={self.ack}"
        text += f" Win={self.window} Len={len(self.payload)}"
        opts = decode_tcp_options(self.options)
        if "mss" in opts:
            text += f" MSS={opts['mss']}"
        if opts.get("sack_perm"):
            text += " SACK_PERM"
        if "timestamp" in opts:
            text += f" TSval={opts['timestamp'][0]} TSecr={opts['timestamp'][1]}"
        if "wscale" in opts:
            text += f" WS={1 << opts['wscale']}"
        return text


def tcp_options(
    *,
    mss: int | None = None,
    sack_perm: bool = False,
    timestamp: tuple[int, int] | None = None,
    wscale: int | None = None,
) -> bytes:
    """Encode SYN options in the order and alignment Linux uses.

    Linux sends ``MSS, SACK_PERM+TS (kind 4 len 2 then kind 8 len 10), NOP, WS``; without
    timestamps SACK_PERM is preceded by two NOPs. The result is always 32-bit aligned.
    """
    out = b""
    if mss is not None:
        out += struct.pack("!BBH", OPT_MSS, 4, mss)
    if timestamp is not None:
        if sack_perm:
            out += struct.pack("!BB", OPT_SACK_PERM, 2)
        else:
            out += bytes([OPT_NOP, OPT_NOP])
        out += struct.pack("!BBII", OPT_TIMESTAMP, 10, timestamp[0], timestamp[1])
    elif sack_perm:
        out += bytes([OPT_NOP, OPT_NOP, OPT_SACK_PERM, 2])
    if wscale is not None:
        out += struct.pack("!BBBB", OPT_NOP, OPT_WSCALE, 3, wscale)
    return out


def decode_tcp_options(options: bytes) -> dict:
    """Read MSS, window scale, SACK-permitted, SACK blocks and timestamps; others by kind.

    Tolerant by design (it serves the inspector): a malformed option ends decoding with
    ``"malformed": True`` instead of raising.
    """
    out: dict = {}
    i, n = 0, len(options)
    while i < n:
        kind = options[i]
        if kind == OPT_EOL:
            break
        if kind == OPT_NOP:
            i += 1
            continue
        if i + 1 >= n or options[i + 1] < 2 or i + options[i + 1] > n:
            out["malformed"] = True
            break
        length = options[i + 1]
        value = options[i + 2 : i + length]
        if kind == OPT_MSS and length == 4:
            out["mss"] = int.from_bytes(value, "big")
        elif kind == OPT_WSCALE and length == 3:
            out["wscale"] = value[0]
        elif kind == OPT_SACK_PERM and length == 2:
            out["sack_perm"] = True
        elif kind == OPT_TIMESTAMP and length == 10:
            out["timestamp"] = [int.from_bytes(value[:4], "big"), int.from_bytes(value[4:], "big")]
        elif kind == OPT_SACK and (length - 2) % 8 == 0:
            out["sack"] = [
                [int.from_bytes(value[j : j + 4], "big"), int.from_bytes(value[j + 4 : j + 8], "big")]
                for j in range(0, len(value), 8)
            ]
        else:
            out.setdefault("other", []).append({"kind": kind, "data": value.hex()})
        i += length
    return out
