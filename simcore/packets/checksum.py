"""The Internet checksum (RFC 1071) and the IPv4 pseudo-header (RFC 768, RFC 9293 §3.1)."""

import struct

from .addresses import ip_to_bytes


def ones_sum(data: bytes) -> int:
    """16-bit ones' complement sum of ``data`` (odd length padded with a zero byte).

    Why the modulo works: 2**16 == 1 (mod 0xffff), so a big-endian integer made of 16-bit
    words is congruent to the sum of its words, and ones' complement addition is addition
    modulo 0xffff (RFC 1071 §2(B): "byte order independence"/end-around carry). The only
    subtlety is that a non-zero sum never folds to 0x0000 but to 0xffff ("negative zero").
    One C-level int conversion is far faster than a Python loop over words.
    """
    if len(data) & 1:
        data += b"\x00"
    total = int.from_bytes(data, "big")
    folded = total % 0xFFFF
    if folded == 0 and total != 0:
        return 0xFFFF
    return folded


def checksum16(data: bytes) -> int:
    """RFC 1071 Internet checksum: the ones' complement of the ones' complement sum."""
    return ~ones_sum(data) & 0xFFFF


def pseudo_header(src: str, dst: str, proto: int, length: int) -> bytes:
    """IPv4 pseudo-header prepended for the UDP/TCP checksum (RFC 768, RFC 9293 §3.1)."""
    return ip_to_bytes(src) + ip_to_bytes(dst) + struct.pack("!BBH", 0, proto, length)
