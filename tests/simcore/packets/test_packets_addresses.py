"""Address helpers and the RFC 1071 checksum."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcore.packets import (
    BROADCAST_MAC,
    bytes_to_ip,
    bytes_to_mac,
    checksum16,
    ip_to_bytes,
    is_multicast_mac,
    mac_to_bytes,
    pseudo_header,
)
from simcore.packets.checksum import ones_sum


def naive_checksum(data: bytes) -> int:
    """RFC 1071 §4.1, word by word with end-around carry."""
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (bytes.fromhex("0001f203f4f5f6f7"), 0x220D),  # RFC 1071 §3 worked example: sum 0xddf2
        (b"", 0xFFFF),
        (bytes(8), 0xFFFF),
        (b"\xff\xff", 0x0000),  # sum is "negative zero" 0xffff, never 0
        (b"\xff\xff\xff\xff", 0x0000),
        (b"\x01", 0xFEFF),  # odd length: padded with a zero byte
        (bytes.fromhex("4500003c1c4640004006 0000 ac100a63ac100a0c"), 0xB1E6),  # classic IP header example
    ],
)
def test_checksum16_table(data, expected):
    assert checksum16(data) == expected


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(st.binary(max_size=1600))
def test_checksum16_matches_the_naive_loop(data):
    assert checksum16(data) == naive_checksum(data)


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(st.binary(max_size=200))
def test_a_message_with_its_checksum_sums_to_negative_zero(data):
    if len(data) % 2:
        data += b"\x00"
    with_sum = data + checksum16(data).to_bytes(2, "big")
    assert checksum16(with_sum) == 0
    assert ones_sum(with_sum) == 0xFFFF


def test_pseudo_header_layout():
    assert pseudo_header("10.0.0.1", "10.0.0.2", 17, 12) == bytes.fromhex("0a000001 0a000002 00 11 000c")


@pytest.mark.parametrize(
    ("mac", "raw"),
    [
        ("08:00:27:00:56:11", bytes.fromhex("080027005611")),
        (BROADCAST_MAC, b"\xff" * 6),
        ("00:00:00:00:00:00", bytes(6)),
    ],
)
def test_mac_conversions(mac, raw):
    assert mac_to_bytes(mac) == raw
    assert bytes_to_mac(raw) == mac


def test_uppercase_mac_is_accepted_and_comes_back_lowercase():
    assert bytes_to_mac(mac_to_bytes("08:00:27:AA:BB:CC")) == "08:00:27:aa:bb:cc"


@settings(deadline=None)  # a shared 2-core machine: timing is not what we test
@given(st.binary(min_size=4, max_size=4))
def test_ip_conversions_roundtrip(raw):
    assert ip_to_bytes(bytes_to_ip(raw)) == raw


@pytest.mark.parametrize(
    ("mac", "multicast"),
    [
        (BROADCAST_MAC, True),
        ("01:00:5e:00:00:01", True),
        ("33:33:00:00:00:01", True),
        ("08:00:27:00:56:11", False),
        ("02:00:00:00:00:01", False),
    ],
)
def test_is_multicast_mac(mac, multicast):
    assert is_multicast_mac(mac) is multicast
