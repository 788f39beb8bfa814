"""Address conversions between the value objects' strings and wire bytes.

MAC addresses are lowercase colon strings (``"08:00:27:00:56:11"``), IPv4 addresses dotted
strings (``"192.168.56.11"``). These helpers sit on the engine's hot path, so they use
``bytes.fromhex``/``bytes.hex`` and ``socket.inet_pton``/``inet_ntoa`` (C code) and no regexes.
"""

import socket

from .errors import PacketError

BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"
ZERO_MAC = "00:00:00:00:00:00"
ANY_IP = "0.0.0.0"
BROADCAST_IP = "255.255.255.255"

_inet_pton = socket.inet_pton
_inet_ntoa = socket.inet_ntoa
_AF_INET = socket.AF_INET


def mac_to_bytes(mac: str) -> bytes:
    """``"08:00:27:00:56:11"`` -> 6 bytes; raises PacketError for anything else."""
    try:
        raw = bytes.fromhex(mac.replace(":", ""))
    except (ValueError, AttributeError, TypeError):
        raise PacketError(f"mac: not a MAC address: {mac!r}") from None
    if len(raw) != 6 or len(mac) != 17:
        raise PacketError(f"mac: not a MAC address: {mac!r}")
    return raw


def bytes_to_mac(raw: bytes) -> str:
    """6 bytes -> ``"08:00:27:00:56:11"`` (lowercase, as the contract requires)."""
    return raw.hex(":")


def ip_to_bytes(ip: str) -> bytes:
    """``"192.168.56.11"`` -> 4 bytes. inet_pton, not inet_aton: aton accepts ``"10.1"``."""
    try:
        return _inet_pton(_AF_INET, ip)
    except (OSError, TypeError):
        raise PacketError(f"ipv4: not an IPv4 address: {ip!r}") from None


def bytes_to_ip(raw: bytes) -> str:
    """4 bytes -> ``"192.168.56.11"``."""
    return _inet_ntoa(raw)


def is_multicast_mac(mac: str) -> bool:
    """True for group addresses (I/G bit, IEEE 802-2014 §8.2), broadcast included."""
    return int(mac[1], 16) & 1 == 1
