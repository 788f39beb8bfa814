"""Robustness: parsing arbitrary or mutated bytes either succeeds or raises PacketError — never
IndexError, struct.error or UnicodeDecodeError — so the engine can drop a bad frame with a reason.
A value that parses also re-emits and parses to itself (checksums off: mutations break them)."""

import packet_strategies as ps
from hypothesis import given, settings
from hypothesis import strategies as st

from simcore.packets import Arp, Dhcp, Dns, Ethernet, Icmp, IPv4, PacketError, Tcp, Udp, Vxlan

PARSERS = [
    Ethernet.parse,
    IPv4.parse,
    Arp.parse,
    Icmp.parse,
    Udp.parse,
    Tcp.parse,
    Dhcp.parse,
    Dns.parse,
    Vxlan.parse,
]


def parse_or_packet_error(parser, data, **kw):
    try:
        return parser(data, **kw)
    except PacketError:
        return None


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PARSERS), st.binary(max_size=400))
def test_random_bytes_raise_only_packet_error(parser, data):
    parse_or_packet_error(parser, data)


@settings(max_examples=300, deadline=None)
@given(ps.frames, st.data())
def test_mutated_frames_raise_only_packet_error(frame, data):
    wire = bytearray(frame.emit())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(wire) - 1))
        wire[i] = data.draw(ps.u8)
    cut = data.draw(st.integers(0, len(wire)))
    value = parse_or_packet_error(Ethernet.parse, bytes(wire[:cut]), verify=False)
    if value is not None:
        again = parse_or_packet_error(Ethernet.parse, _emit_or_none(value), verify=False)
        assert again is None or isinstance(again, Ethernet)


def _emit_or_none(value):
    try:
        return value.emit()
    except PacketError:
        return b""


@settings(max_examples=200, deadline=None)
@given(ps.dnses, st.data())
def test_mutated_dns_raises_only_packet_error(msg, data):
    wire = bytearray(msg.emit())
    if wire:
        i = data.draw(st.integers(0, len(wire) - 1))
        wire[i] = data.draw(ps.u8)
    parse_or_packet_error(Dns.parse, bytes(wire))


@settings(max_examples=200, deadline=None)
@given(ps.dhcps, st.data())
def test_mutated_dhcp_raises_only_packet_error(msg, data):
    wire = bytearray(msg.emit())
    i = data.draw(st.integers(0, len(wire) - 1))
    wire[i] = data.draw(ps.u8)
    parse_or_packet_error(Dhcp.parse, bytes(wire))
