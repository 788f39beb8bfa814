"""Bad input: every malformed packet raises PacketError naming the layer and the field."""

import re

import pytest

from simcore.packets import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Arp,
    Dhcp,
    Dns,
    DnsQuestion,
    DnsRecord,
    Ethernet,
    Icmp,
    IcmpEcho,
    IcmpError,
    IPv4,
    PacketError,
    Tcp,
    Udp,
    Vxlan,
    ip_to_bytes,
    mac_to_bytes,
)

A, B = "10.0.0.1", "10.0.0.2"
ECHO = IcmpEcho(8, 1, 1, b"hi")
GOOD_IP = IPv4(A, B, PROTO_ICMP, ECHO).emit()  # 30 bytes, checksum 0x26cb
GOOD_UDP = Udp(1000, 2000, b"abcd").emit(src=A, dst=B)
GOOD_TCP = Tcp(1000, 2000, 1, 0, 2, 100).emit(src=A, dst=B)
GOOD_ARP = bytes.fromhex("0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002")
GOOD_DHCP = Dhcp(1, 7, "02:00:00:00:00:01").emit()
GOOD_DNS = Dns(1, 0x0100, (DnsQuestion("a.b"),)).emit()


def flip(data: bytes, index: int, value: int) -> bytes:
    return data[:index] + bytes([value]) + data[index + 1 :]


CASES = [
    # Ethernet
    (lambda: Ethernet.parse(bytes(10)), "ethernet: frame too short (10 bytes)"),
    (
        lambda: Ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x10000, b"").emit(),
        "ethernet: ethertype 65536 is not a 16-bit value",
    ),
    (
        lambda: Ethernet("02:00:00:00:00:02", "02:00:00:00:00:0", 0x0800, b"").emit(),
        "mac: not a MAC address: '02:00:00:00:00:0'",
    ),
    # ARP
    (
        lambda: Arp(70000, "02:00:00:00:00:01", A, "02:00:00:00:00:02", B).emit(),
        "arp: op 70000 is not a 16-bit value",
    ),
    (lambda: Arp.parse(GOOD_ARP[:20]), "arp: packet too short (20 bytes)"),
    (lambda: Arp.parse(flip(GOOD_ARP, 1, 6)), "arp: hardware type 6 is not Ethernet (1)"),
    (lambda: Arp.parse(flip(GOOD_ARP, 2, 0x86)), "arp: protocol type 0x8600 is not IPv4 (0x0800)"),
    (lambda: Arp.parse(flip(GOOD_ARP, 4, 8)), "arp: address lengths 8/4 are not 6/4"),
    # IPv4
    (lambda: IPv4.parse(GOOD_IP[:19]), "ipv4: header too short (19 bytes)"),
    (lambda: IPv4.parse(flip(GOOD_IP, 0, 0x65)), "ipv4: version 6 != 4"),
    (lambda: IPv4.parse(flip(GOOD_IP, 0, 0x44)), "ipv4: header length 16 < 20"),
    (lambda: IPv4.parse(flip(GOOD_IP, 0, 0x4F)), "ipv4: header length 60 > available 30 bytes"),
    (lambda: IPv4.parse(flip(GOOD_IP, 3, 10)), "ipv4: total length 10 < header length 20"),
    (lambda: IPv4.parse(GOOD_IP[:25]), "ipv4: total length 30 > available 25 bytes"),
    (lambda: IPv4.parse(flip(GOOD_IP, 11, 0x00)), "ipv4: header checksum 0x2600 != computed 0x26dd"),
    (
        lambda: IPv4(A, B, 1, b"", options=b"\x01").emit(),
        "ipv4: options length 1 is not a multiple of 4 up to 40",
    ),
    (lambda: IPv4(A, "10.1", 1, b"").emit(), "ipv4: not an IPv4 address: '10.1'"),
    (
        lambda: IPv4(A, B, 1, b"", ttl=256).emit(),
        "ipv4: field out of range: ubyte format requires 0 <= number <= 255",
    ),
    (lambda: IPv4(A, B, 17, bytes(65520)).emit(), "ipv4: total length 65540 > 65535"),
    # An error in an upper layer surfaces through IPv4.parse.
    (
        lambda: IPv4.parse(IPv4(A, B, PROTO_ICMP, flip(ECHO.emit(), 8, 0)).emit()),
        "icmp: checksum 0x8f94 != computed 0xf794",
    ),
    # ICMP
    (lambda: Icmp.parse(bytes(7)), "icmp: message too short (7 bytes)"),
    (lambda: IcmpEcho.parse(IcmpError(3, 3, b"").emit()), "icmp: type 3 is not an echo request/reply"),
    (lambda: IcmpError.parse(ECHO.emit()), "icmp: type 8 is not an error message"),
    (lambda: IcmpEcho.parse(Icmp(8, 1).emit()), "icmp: echo code 1 != 0"),
    (
        lambda: IcmpEcho(8, 70000, 1).emit(),
        "icmp: field out of range: 'H' format requires 0 <= number <= 65535",
    ),
    # UDP
    (lambda: Udp.parse(GOOD_UDP[:7]), "udp: datagram too short (7 bytes)"),
    (lambda: Udp.parse(flip(GOOD_UDP, 5, 4)), "udp: length field 4 < 8"),
    (lambda: Udp.parse(flip(GOOD_UDP, 5, 40)), "udp: length field 40 > available 12 bytes"),
    (lambda: Udp.parse(flip(GOOD_UDP, 7, 0), src=A, dst=B), "udp: checksum 0x1b00 != computed 0x1b55"),
    (lambda: Udp(70000, 1).emit(), "udp: field out of range: 'H' format requires 0 <= number <= 65535"),
    # TCP
    (lambda: Tcp.parse(GOOD_TCP[:19]), "tcp: segment too short (19 bytes)"),
    (lambda: Tcp.parse(flip(GOOD_TCP, 12, 0x40)), "tcp: data offset 16 < 20"),
    (lambda: Tcp.parse(flip(GOOD_TCP, 12, 0x60)), "tcp: data offset 24 > available 20 bytes"),
    (lambda: Tcp.parse(flip(GOOD_TCP, 17, 0), src=A, dst=B), "tcp: checksum 0x8f00 != computed 0x8fc3"),
    (
        lambda: IPv4.parse(IPv4(A, B, PROTO_TCP, Tcp(1, 2, 0, 0, 2, 0)).emit()[:-1] + b"\x01"),
        "tcp: checksum 0x9bdd != computed 0x9bdc",
    ),
    (
        lambda: Tcp(1, 2, 0, 0, 2, 0, options=b"\x01").emit(src=A, dst=B),
        "tcp: options length 1 is not a multiple of 4 up to 40",
    ),
    # DHCP
    (lambda: Dhcp.parse(GOOD_DHCP[:239]), "dhcp: message too short (239 bytes)"),
    (lambda: Dhcp.parse(flip(GOOD_DHCP, 236, 0)), "dhcp: magic cookie 0x00825363 != 0x63825363"),
    (lambda: Dhcp.parse(flip(GOOD_DHCP, 1, 6)), "dhcp: hardware type/length 6/6 is not Ethernet 1/6"),
    (lambda: Dhcp.parse(GOOD_DHCP[:240] + bytes.fromhex("3502 0101")), "dhcp: option 53 length 2 != 1"),
    (
        lambda: Dhcp.parse(GOOD_DHCP[:240] + bytes.fromhex("3605 0a000001")),
        "dhcp: option 54 truncated at offset 240",
    ),
    (lambda: Dhcp.parse(GOOD_DHCP[:240] + bytes.fromhex("3603 0a0000")), "dhcp: option 54 length 3 != 4"),
    (
        lambda: Dhcp.parse(GOOD_DHCP[:240] + bytes.fromhex("0305 0a00000101")),
        "dhcp: option 3 length 5 is not a positive multiple of 4",
    ),
    (lambda: Dhcp.parse(GOOD_DHCP[:240] + bytes.fromhex("33")), "dhcp: option 51 truncated at offset 240"),
    (lambda: Dhcp(1, 1, "02:00:00:00:00:01", ((0, b""),)).emit(), "dhcp: option 0 is framing, not an option"),
    (lambda: Dhcp(1, 1, "02:00:00:00:00:01", ((43, bytes(256)),)).emit(), "dhcp: option 43 length 256 > 255"),
    (lambda: Dhcp(1, 1, "02:00:00:00:00:01", ((43, 5),)).emit(), "dhcp: option 43 value 5 must be bytes"),
    (
        lambda: Dhcp(1, 1, "02:00:00:00:00:01", ((55, (1, 300)),)).emit(),
        "dhcp: option 55 value (1, 300) cannot be encoded",
    ),
    (
        lambda: Dhcp(1, 1, "02:00:00:00:00:01", ((51, -1),)).emit(),
        "dhcp: option 51 value -1 cannot be encoded",
    ),
    (
        lambda: Dhcp(1, 1, "02:00:00:00:00:01", ((53, "1"),)).emit(),
        "dhcp: option 53 value '1' cannot be encoded",
    ),
    (lambda: Dhcp(1, 1, "02:00:00:00:00:01", ((12, 5),)).emit(), "dhcp: option 12 value 5 cannot be encoded"),
    (
        lambda: Dhcp(1, 1, "02:00:00:00:00:01", ((3, ("10.0.0.300",)),)).emit(),
        "ipv4: not an IPv4 address: '10.0.0.300'",
    ),
    (
        lambda: Dhcp(1, 1 << 32, "02:00:00:00:00:01").emit(),
        "dhcp: field out of range: 'I' format requires 0 <= number <= 4294967295",
    ),
    # DNS
    (lambda: Dns.parse(GOOD_DNS[:11]), "dns: message too short (11 bytes)"),
    (lambda: Dns.parse(GOOD_DNS[:15]), "dns: label at offset 14 runs past the end of the message"),
    (lambda: Dns.parse(GOOD_DNS[:-2]), "dns: question truncated at offset 17"),
    (
        lambda: Dns.parse(GOOD_DNS[:12] + bytes.fromhex("c00c 0001 0001")),
        "dns: compression pointer at offset 12 does not point backwards",
    ),
    (
        lambda: Dns.parse(GOOD_DNS[:12] + bytes.fromhex("80")),
        "dns: label type 0x80 at offset 12 is not supported",
    ),
    (
        lambda: Dns.parse(GOOD_DNS[:12] + bytes.fromhex("01")),
        "dns: label at offset 12 runs past the end of the message",
    ),
    (
        lambda: Dns.parse(GOOD_DNS[:12] + bytes.fromhex("0161")),
        "dns: name runs past the end of the message at offset 14",
    ),
    (
        lambda: Dns.parse(GOOD_DNS[:12] + bytes.fromhex("c0")),
        "dns: compression pointer truncated at offset 12",
    ),
    (
        lambda: Dns.parse(GOOD_DNS[:12] + bytes.fromhex("03 612e62 00 0001 0001")),
        "dns: label at offset 12 contains a dot",
    ),
    (
        lambda: Dns.parse(bytes.fromhex("0001 8000 0000 0001 0000 0000 00 0001 0001 00000000 0004 0a00")),
        "dns: record data length 4 runs past the end at offset 23",
    ),
    (
        lambda: Dns.parse(bytes.fromhex("0001 8000 0000 0001 0000 0000 00 0001 0001 0000")),
        "dns: record truncated at offset 13",
    ),
    (
        lambda: Dns.parse(
            bytes.fromhex("0001 8000 0000 0001 0000 0000 00 0005 0001 00000000 0004 01 61 00 00")
        ),
        "dns: record data length 4 does not match its name at offset 23",
    ),
    (
        lambda: Dns(1, 0, (DnsQuestion("a" * 64),)).emit(),
        f"dns: label {'a' * 64!r} in {'a' * 64!r} must be 1 to 63 bytes",
    ),
    (lambda: Dns(1, 0, (DnsQuestion("a..b"),)).emit(), "dns: label '' in 'a..b' must be 1 to 63 bytes"),
    (
        lambda: Dns(1, 0, (DnsQuestion(".".join(["abcdefgh"] * 30)),)).emit(),
        f"dns: name {'.'.join(['abcdefgh'] * 30)!r} longer than 255 bytes",
    ),
    (lambda: Dns(1, 0, (), (DnsRecord("a", 16, "text"),)).emit(), "dns: record type 16 data must be bytes"),
    # VXLAN
    (lambda: Vxlan.parse(bytes(7)), "vxlan: header too short (7 bytes)"),
    (lambda: Vxlan.parse(bytes(8 + 14)), "vxlan: flags 0x00 lack the I flag (0x08)"),
    (
        lambda: Vxlan.parse(bytes.fromhex("0800000000002a00") + bytes(5)),
        "ethernet: frame too short (5 bytes)",
    ),
    (lambda: Vxlan(1 << 24, b"").emit(), "vxlan: VNI 16777216 is not a 24-bit value"),
    # Addresses
    (lambda: mac_to_bytes("08:00:27:00:56"), "mac: not a MAC address: '08:00:27:00:56'"),
    (lambda: mac_to_bytes("0800.2700.5611"), "mac: not a MAC address: '0800.2700.5611'"),
    (lambda: mac_to_bytes("zz:00:27:00:56:11"), "mac: not a MAC address: 'zz:00:27:00:56:11'"),
    (lambda: ip_to_bytes("256.0.0.1"), "ipv4: not an IPv4 address: '256.0.0.1'"),
    (lambda: ip_to_bytes(None), "ipv4: not an IPv4 address: None"),
]


@pytest.mark.parametrize(("call", "message"), CASES, ids=[m for _, m in CASES])
def test_bad_input_raises_packet_error_with_exact_message(call, message):
    with pytest.raises(PacketError, match=f"^{re.escape(message)}$"):
        call()


def test_packet_error_is_a_value_error():
    assert issubclass(PacketError, ValueError)


def test_verify_false_accepts_bad_checksums_at_every_layer():
    wire = IPv4(A, B, PROTO_UDP, Udp(1000, 2000, b"x")).emit()
    broken = flip(flip(wire, 11, 0), 27, 0)  # IP and UDP checksums both wrong
    with pytest.raises(PacketError):
        IPv4.parse(broken)
    assert IPv4.parse(broken, verify=False) == IPv4(A, B, PROTO_UDP, Udp(1000, 2000, b"x"))


def test_frames_with_a_bad_inner_checksum_are_rejected_through_ethernet():
    frame = Ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, IPv4(A, B, PROTO_ICMP, ECHO)).emit()
    with pytest.raises(PacketError, match="^icmp: checksum"):
        Ethernet.parse(flip(frame, 14 + 20 + 8, 0))
