"""DHCP messages (RFC 2131 §2 BOOTP header, RFC 2132 options).

Options keep their order as a tuple of ``(code, value)`` pairs so a message round-trips
exactly. The options the simulator uses are decoded into plain values; every other option
stays ``bytes``:

=====================================  ================================
code                                   value
=====================================  ================================
53 message type                        int (``DHCPDISCOVER`` ...)
1, 28, 50, 54 (mask, bcast, req, sid)  dotted IPv4 string
51, 58, 59 (lease, T1, T2)             int seconds
3, 6 (routers, DNS servers)            tuple of dotted strings
12, 15 (host name, domain name)        str (bytes if not UTF-8)
55 parameter request list              tuple of int codes
61 client identifier and the rest      bytes
=====================================  ================================

Pad (0) and end (255) are framing, not options: emit writes one end option and pads the
message to the 300-byte BOOTP minimum as dhclient and dnsmasq do (RFC 1542 §2.1); parse
skips pads and stops at end.
"""

import struct
from dataclasses import dataclass
from typing import Any

from .addresses import bytes_to_ip, bytes_to_mac, ip_to_bytes, mac_to_bytes
from .errors import PacketError

BOOTREQUEST = 1
BOOTREPLY = 2

DHCPDISCOVER = 1
DHCPOFFER = 2
DHCPREQUEST = 3
DHCPDECLINE = 4
DHCPACK = 5
DHCPNAK = 6
DHCPRELEASE = 7
DHCPINFORM = 8

OPT_PAD = 0
OPT_SUBNET_MASK = 1
OPT_ROUTER = 3
OPT_DNS = 6
OPT_HOSTNAME = 12
OPT_DOMAIN = 15
OPT_BROADCAST = 28
OPT_REQUESTED_IP = 50
OPT_LEASE_TIME = 51
OPT_MESSAGE_TYPE = 53
OPT_SERVER_ID = 54
OPT_PARAM_REQUEST = 55
OPT_RENEWAL_T1 = 58
OPT_REBINDING_T2 = 59
OPT_CLIENT_ID = 61
OPT_END = 255

BROADCAST_FLAG = 0x8000  # RFC 2131 §2, figure 2
MAGIC_COOKIE = 0x63825363  # RFC 2131 §3
BOOTP_MIN_LEN = 300

MESSAGE_TYPE_NAMES = {
    DHCPDISCOVER: "Discover",
    DHCPOFFER: "Offer",
    DHCPREQUEST: "Request",
    DHCPDECLINE: "Decline",
    DHCPACK: "ACK",
    DHCPNAK: "NAK",
    DHCPRELEASE: "Release",
    DHCPINFORM: "Inform",
}
OPTION_NAMES = {
    OPT_SUBNET_MASK: "subnet_mask",
    OPT_ROUTER: "router",
    OPT_DNS: "dns_servers",
    OPT_HOSTNAME: "host_name",
    OPT_DOMAIN: "domain_name",
    OPT_BROADCAST: "broadcast_address",
    OPT_REQUESTED_IP: "requested_ip",
    OPT_LEASE_TIME: "lease_time",
    OPT_MESSAGE_TYPE: "message_type",
    OPT_SERVER_ID: "server_id",
    OPT_PARAM_REQUEST: "parameter_request_list",
    OPT_RENEWAL_T1: "renewal_time",
    OPT_REBINDING_T2: "rebinding_time",
    OPT_CLIENT_ID: "client_id",
}

_IP = frozenset({OPT_SUBNET_MASK, OPT_BROADCAST, OPT_REQUESTED_IP, OPT_SERVER_ID})
_IP_LIST = frozenset({OPT_ROUTER, OPT_DNS})
_U32 = frozenset({OPT_LEASE_TIME, OPT_RENEWAL_T1, OPT_REBINDING_T2})
_TEXT = frozenset({OPT_HOSTNAME, OPT_DOMAIN})

_HEADER = struct.Struct("!BBBBIHH4s4s4s4s16s64s128sI")
HEADER_LEN = _HEADER.size  # 240, magic cookie included


def encode_option_value(code: int, value: Any) -> bytes:
    """Wire bytes of one option's value (without code and length)."""
    try:
        return _encode(code, value)
    except PacketError:
        raise
    except (ValueError, OverflowError, TypeError, AttributeError):
        raise PacketError(f"dhcp: option {code} value {value!r} cannot be encoded") from None


def _encode(code: int, value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if code == OPT_MESSAGE_TYPE:
        return bytes([value])
    if code in _IP:
        return ip_to_bytes(value)
    if code in _IP_LIST:
        return b"".join(ip_to_bytes(ip) for ip in value)
    if code in _U32:
        return int(value).to_bytes(4, "big")
    if code in _TEXT:
        return value.encode("utf-8")
    if code == OPT_PARAM_REQUEST:
        return bytes(value)
    raise PacketError(f"dhcp: option {code} value {value!r} must be bytes")


def decode_option_value(code: int, raw: bytes) -> Any:
    """The decoded value of one option; raises PacketError for a wrong length."""
    n = len(raw)
    if code == OPT_MESSAGE_TYPE:
        if n != 1:
            raise PacketError(f"dhcp: option {code} length {n} != 1")
        return raw[0]
    if code in _IP:
        if n != 4:
            raise PacketError(f"dhcp: option {code} length {n} != 4")
        return bytes_to_ip(raw)
    if code in _IP_LIST:
        if n == 0 or n % 4:
            raise PacketError(f"dhcp: option {code} length {n} is not a positive multiple of 4")
        return tuple(bytes_to_ip(raw[i : i + 4]) for i in range(0, n, 4))
    if code in _U32:
        if n != 4:
            raise PacketError(f"dhcp: option {code} length {n} != 4")
        return int.from_bytes(raw, "big")
    if code in _TEXT:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
    if code == OPT_PARAM_REQUEST:
        return tuple(raw)
    return raw


@dataclass(frozen=True, slots=True)
class Dhcp:
    op: int  # BOOTREQUEST or BOOTREPLY
    xid: int
    chaddr: str  # client MAC
    options: tuple = ()  # ((code, value), ...) in wire order
    ciaddr: str = "0.0.0.0"
    yiaddr: str = "0.0.0.0"
    siaddr: str = "0.0.0.0"
    giaddr: str = "0.0.0.0"
    flags: int = 0  # BROADCAST_FLAG or 0
    secs: int = 0
    hops: int = 0
    sname: bytes = b""  # without the trailing NUL padding
    file: bytes = b""

    def get(self, code: int, default: Any = None) -> Any:
        """The first value of option ``code``."""
        for c, value in self.options:
            if c == code:
                return value
        return default

    @property
    def message_type(self) -> int | None:
        return self.get(OPT_MESSAGE_TYPE)

    def emit(self) -> bytes:
        if len(self.sname) > 64 or len(self.file) > 128:
            raise PacketError("dhcp: sname longer than 64 or file longer than 128 bytes")
        try:
            header = _HEADER.pack(
                self.op,
                1,
                6,
                self.hops,
                self.xid,
                self.secs,
                self.flags,
                ip_to_bytes(self.ciaddr),
                ip_to_bytes(self.yiaddr),
                ip_to_bytes(self.siaddr),
                ip_to_bytes(self.giaddr),
                mac_to_bytes(self.chaddr),
                self.sname,
                self.file,
                MAGIC_COOKIE,
            )
        except struct.error as exc:
            raise PacketError(f"dhcp: field out of range: {exc}") from None
        parts = [header]
        for code, value in self.options:
            if code in (OPT_PAD, OPT_END):
                raise PacketError(f"dhcp: option {code} is framing, not an option")
            raw = encode_option_value(code, value)
            if len(raw) > 255:
                raise PacketError(f"dhcp: option {code} length {len(raw)} > 255")
            parts.append(bytes([code, len(raw)]) + raw)
        parts.append(bytes([OPT_END]))
        msg = b"".join(parts)
        if len(msg) < BOOTP_MIN_LEN:
            msg += bytes(BOOTP_MIN_LEN - len(msg))
        return msg

    @classmethod
    def parse(cls, data: bytes, *, verify: bool = True) -> "Dhcp":
        n = len(data)
        if n < HEADER_LEN:
            raise PacketError(f"dhcp: message too short ({n} bytes)")
        (
            op,
            htype,
            hlen,
            hops,
            xid,
            secs,
            flags,
            ciaddr,
            yiaddr,
            siaddr,
            giaddr,
            chaddr,
            sname,
            file,
            magic,
        ) = _HEADER.unpack_from(data)
        if magic != MAGIC_COOKIE:
            raise PacketError(f"dhcp: magic cookie 0x{magic:08x} != 0x{MAGIC_COOKIE:08x}")
        if htype != 1 or hlen != 6:
            raise PacketError(f"dhcp: hardware type/length {htype}/{hlen} is not Ethernet 1/6")
        options = []
        i = HEADER_LEN
        while i < n:
            code = data[i]
            if code == OPT_PAD:
                i += 1
                continue
            if code == OPT_END:
                break
            if i + 1 >= n or i + 2 + data[i + 1] > n:
                raise PacketError(f"dhcp: option {code} truncated at offset {i}")
            length = data[i + 1]
            options.append((code, decode_option_value(code, bytes(data[i + 2 : i + 2 + length]))))
            i += 2 + length
        return cls(
            op,
            xid,
            bytes_to_mac(chaddr[:6]),
            tuple(options),
            bytes_to_ip(ciaddr),
            bytes_to_ip(yiaddr),
            bytes_to_ip(siaddr),
            bytes_to_ip(giaddr),
            flags,
            secs,
            hops,
            sname.rstrip(b"\x00"),
            file.rstrip(b"\x00"),
        )

    def describe(self) -> dict:
        options = []
        for code, value in self.options:
            shown: Any = value
            if isinstance(value, bytes):
                shown = value.hex()
            elif isinstance(value, tuple):
                shown = list(value)
            if code == OPT_MESSAGE_TYPE:
                shown = MESSAGE_TYPE_NAMES.get(value, value)
            options.append({"code": code, "name": OPTION_NAMES.get(code, f"option_{code}"), "value": shown})
        mtype = self.message_type
        return {
            "proto": "dhcp",
            "op": "request" if self.op == BOOTREQUEST else "reply" if self.op == BOOTREPLY else self.op,
            "message_type": MESSAGE_TYPE_NAMES.get(mtype, mtype) if mtype is not None else None,
            "xid": f"0x{self.xid:08x}",
            "chaddr": self.chaddr,
            "ciaddr": self.ciaddr,
            "yiaddr": self.yiaddr,
            "siaddr": self.siaddr,
            "giaddr": self.giaddr,
            "broadcast": bool(self.flags & BROADCAST_FLAG),
            "secs": self.secs,
            "hops": self.hops,
            "options": options,
        }

    def info(self) -> str:
        mtype = self.message_type
        name = MESSAGE_TYPE_NAMES.get(mtype, "BOOTP") if mtype is not None else "BOOTP"
        if mtype is None:
            return (
                f"Boot {'Request' if self.op == BOOTREQUEST else 'Reply'} - Transaction ID 0x{self.xid:08x}"
            )
        return f"DHCP {name} - Transaction ID 0x{self.xid:08x}"
