"""Golden bytes both ways for Ethernet, ARP, IPv4 and ICMP.

The byte strings are built by hand from the RFC layouts (field by field in the comments);
dpkt, a parser we did not write, is the oracle for the checksums and decoded fields.
"""

import dpkt
import pytest

from simcore.packets import (
    ARP_REPLY,
    ARP_REQUEST,
    ETH_ARP,
    ETH_IPV4,
    ICMP_DEST_UNREACH,
    ICMP_ECHO_REPLY,
    ICMP_ECHO_REQUEST,
    ICMP_TIME_EXCEEDED,
    PROTO_ICMP,
    Arp,
    Ethernet,
    Icmp,
    IcmpEcho,
    IcmpError,
    IPv4,
)

VM1_MAC, VM2_MAC = "08:00:27:00:56:11", "08:00:27:00:56:12"
VM1_IP, VM2_IP = "192.168.56.11", "192.168.56.12"
PING_DATA = bytes(range(0x10, 0x38))  # 40 bytes, like the tail of Linux ping's payload

ARP_REQUEST_FRAME = (
    bytes.fromhex(
        "ffffffffffff 080027005611 0806"  # Ethernet II: dst broadcast, src VM1, type ARP
        "0001 0800 06 04 0001"  # RFC 826: htype Ethernet, ptype IPv4, hlen 6, plen 4, op request
        "080027005611 c0a8380b"  # sender VM1 MAC, 192.168.56.11
        "000000000000 c0a8380c"  # target MAC unknown, 192.168.56.12
    )
    + bytes(18)  # Linux pads to the 60-byte minimum
)
ARP_REPLY_FRAME = bytes.fromhex(
    "080027005611 080027005612 0806"  # unicast back to the requester
    "0001 0800 06 04 0002"  # op reply
    "080027005612 c0a8380c"  # sender: the answer
    "080027005611 c0a8380b"
) + bytes(18)
PING_REQUEST_FRAME = (
    bytes.fromhex(
        "080027005612 080027005611 0800"
        "45 00 0044 1c46 4000 40 01 2d0b"  # v4 IHL 5, tos 0, len 68, id, DF, ttl 64, ICMP, checksum
        "c0a8380b c0a8380c"
        "08 00 26f8 1234 0001"  # echo request, code 0, checksum, id 0x1234, seq 1
    )
    + PING_DATA
)
PING_REPLY_FRAME = (
    bytes.fromhex(
        "080027005611 080027005612 0800"
        "45 00 0044 5e21 0000 40 01 2b30"  # Linux replies without DF here: flags 0
        "c0a8380c c0a8380b"
        "00 00 2ef8 1234 0001"  # echo reply keeps id and seq (RFC 792)
    )
    + PING_DATA
)

ARP_REQUEST = Ethernet(
    "ff:ff:ff:ff:ff:ff", VM1_MAC, ETH_ARP, Arp(ARP_REQUEST, VM1_MAC, VM1_IP, "00:00:00:00:00:00", VM2_IP)
)
ARP_REPLY = Ethernet(VM1_MAC, VM2_MAC, ETH_ARP, Arp(ARP_REPLY, VM2_MAC, VM2_IP, VM1_MAC, VM1_IP))
PING_REQUEST = Ethernet(
    VM2_MAC,
    VM1_MAC,
    ETH_IPV4,
    IPv4(VM1_IP, VM2_IP, PROTO_ICMP, IcmpEcho(ICMP_ECHO_REQUEST, 0x1234, 1, PING_DATA), ident=0x1C46),
)
PING_REPLY = Ethernet(
    VM1_MAC,
    VM2_MAC,
    ETH_IPV4,
    IPv4(VM2_IP, VM1_IP, PROTO_ICMP, IcmpEcho(ICMP_ECHO_REPLY, 0x1234, 1, PING_DATA), ident=0x5E21, flags=0),
)

GOLDEN = [
    pytest.param(ARP_REQUEST, ARP_REQUEST_FRAME, id="arp-request"),
    pytest.param(ARP_REPLY, ARP_REPLY_FRAME, id="arp-reply"),
    pytest.param(PING_REQUEST, PING_REQUEST_FRAME, id="echo-request"),
    pytest.param(PING_REPLY, PING_REPLY_FRAME, id="echo-reply"),
]


@pytest.mark.parametrize(("value", "wire"), GOLDEN)
def test_emit_gives_golden_bytes(value, wire):
    assert value.emit() == wire


@pytest.mark.parametrize(("value", "wire"), GOLDEN)
def test_parse_golden_bytes(value, wire):
    assert Ethernet.parse(wire) == value


@pytest.mark.parametrize(("value", "wire"), GOLDEN[2:])
def test_dpkt_agrees_on_ipv4_and_icmp_checksums(value, wire):
    eth = dpkt.ethernet.Ethernet(wire)
    ip = eth.data
    stated_ip, stated_icmp = ip.sum, ip.data.sum
    # Ask dpkt to recompute both checksums from scratch.
    ip.sum = 0
    ip.data.sum = 0
    again = dpkt.ip.IP(bytes(ip))
    assert (again.sum, again.data.sum) == (stated_ip, stated_icmp)
    assert ip.ttl == value.payload.ttl
    assert ip.data.data.id == 0x1234 and ip.data.data.seq == 1


def test_dpkt_reads_arp_fields():
    arp = dpkt.ethernet.Ethernet(ARP_REQUEST_FRAME).data
    assert (arp.op, arp.sha.hex(), arp.spa, arp.tpa) == (
        1,
        "080027005611",
        bytes([192, 168, 56, 11]),
        bytes([192, 168, 56, 12]),
    )


def test_parse_ignores_ethernet_padding_but_ipv4_length_rules():
    padded = bytes.fromhex(
        "080027005612 080027005611 0800"
        "45 00 001c 0001 0000 40 01 0000"  # 28 bytes: header + 8-byte echo, checksum filled below
        "c0a8380b c0a8380c"
        "08 00 0000 0001 0001"
    )
    frame = Ethernet(
        VM2_MAC, VM1_MAC, ETH_IPV4, IPv4(VM1_IP, VM2_IP, PROTO_ICMP, IcmpEcho(8, 1, 1), ident=1, flags=0)
    )
    wire = frame.emit()
    assert len(wire) == 60  # 14 + 28 + 18 bytes of padding
    assert wire[:14] == padded[:14] and wire[42:] == bytes(18)
    assert Ethernet.parse(wire) == frame
    assert Ethernet.parse(wire[:42]) == frame


def test_unpadded_emit_for_tunnels_and_taps():
    assert len(ARP_REQUEST.emit(pad=False)) == 42


ORIGINAL = bytes.fromhex(
    "45 00 0021 0007 4000 01 11 0000 c0a8380b 08080808"  # the offending UDP datagram's header
    "a0 00 00 35 000d 0000"  # its first 8 payload bytes: sport 40960, dport 53, length 13
)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        pytest.param(
            IcmpError(ICMP_TIME_EXCEEDED, 0, ORIGINAL),
            bytes.fromhex("0b 00 c5bf 00000000") + ORIGINAL,
            id="time-exceeded",
        ),
        pytest.param(
            IcmpError(ICMP_DEST_UNREACH, 3, ORIGINAL),
            bytes.fromhex("03 03 cdbc 00000000") + ORIGINAL,
            id="port-unreachable",
        ),
        pytest.param(
            IcmpError(ICMP_DEST_UNREACH, 4, ORIGINAL, rest=1400),
            bytes.fromhex("03 04 c843 00000578") + ORIGINAL,  # RFC 1191: next-hop MTU 1400
            id="frag-needed",
        ),
        pytest.param(
            Icmp(13, 0, 0x00010002, bytes(12)),
            bytes.fromhex("0d 00 f2fc 00010002") + bytes(12),
            id="timestamp-kept-generic",
        ),
    ],
)
def test_icmp_messages_golden(value, wire):
    assert value.emit() == wire
    assert Icmp.parse(wire) == value
    # Oracle: a word-by-word RFC 1071 loop. (Not dpkt: it rewrites the quoted IP header,
    # filling in its length and checksum, before summing.)
    assert naive_checksum(wire[:2] + b"\x00\x00" + wire[4:]) == int.from_bytes(wire[2:4], "big")


def naive_checksum(data: bytes) -> int:
    """RFC 1071 §4.1 done the slow, obvious way: add 16-bit words with end-around carry."""
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def test_icmp_error_quotes_like_linux_and_exposes_the_quoted_ports():
    big = IPv4(VM1_IP, "8.8.8.8", 17, bytes(1000), ttl=1).emit()
    err = IcmpError.for_datagram(ICMP_TIME_EXCEEDED, 0, big)
    assert len(err.original) == 548  # 576 - 20 - 8 (RFC 1812 §4.3.2.3)
    assert IcmpError(ICMP_DEST_UNREACH, 3, ORIGINAL).quoted() == {
        "src": VM1_IP,
        "dst": "8.8.8.8",
        "protocol": 17,
        "sport": 40960,
        "dport": 53,
    }


def test_echo_reply_helper_keeps_id_seq_and_data():
    req = IcmpEcho(ICMP_ECHO_REQUEST, 7, 9, b"abc")
    assert req.reply() == IcmpEcho(ICMP_ECHO_REPLY, 7, 9, b"abc")
