"""ICMP errors about NATed traffic: the quoted datagram is translated too (RFC 5508, Linux).

The strongest check available: after translation, the quote must be byte for byte the datagram
the inside host really sent (or received), checksums included, for whole and truncated quotes.
"""

import pytest
from nat_builders import CLIENT, OUT, PUBLIC, VM, VM2, S, echo, new_nat, tcp, udp

from simcore.devices.nat import Action
from simcore.packets import (
    ACK,
    EXC_TTL,
    ICMP_DEST_UNREACH,
    ICMP_TIME_EXCEEDED,
    PROTO_ICMP,
    PROTO_UDP,
    PSH,
    UNREACH_PORT,
    IcmpError,
    IPv4,
    Udp,
)

ROUTER = "198.51.100.1"  # a router on the way out that reports trouble


def error_packet(src, dst, typ, code, quote):
    return IPv4(src, dst, PROTO_ICMP, IcmpError(typ, code, quote))


def sent_by_vm2_after_a_clash(inside_packet, other):
    """Translate ``other`` (VM) then ``inside_packet`` (VM2, same port/id): the latter is remapped."""
    nat = new_nat(seed=11)
    nat.outbound(0, other)
    translated = nat.outbound(0, inside_packet).packet
    return nat, translated


@pytest.mark.parametrize("inside, other, cut", [
    (udp(VM2, 5000, OUT, 53, b"query bytes"), udp(VM, 5000, OUT, 53), None),
    (tcp(VM2, 43210, OUT, 80, 1000, 2000, PSH | ACK, b"GET / HTTP/1.1\r\n\r\n"),
     tcp(VM, 43210, OUT, 80, 1, 0, 0x02), None),
    (tcp(VM2, 43210, OUT, 80, 1000, 0, 0x02), tcp(VM, 43210, OUT, 80, 1, 0, 0x02), 28),  # RFC 792 minimum quote
    (echo(VM2, OUT, 8, 4660, 3), echo(VM, OUT, 8, 4660, 1), None),
    (echo(VM2, OUT, 8, 4660, 3), echo(VM, OUT, 8, 4660, 1), 28),
])
def test_inbound_error_quote_is_restored_to_what_the_inside_host_sent(inside, other, cut):
    nat, translated = sent_by_vm2_after_a_clash(inside, other)
    assert translated.src == PUBLIC and translated != inside  # remapped: port or id changed too
    wire = translated.emit()
    quote = wire if cut is None else wire[:cut]
    v = nat.inbound(S, error_packet(ROUTER, PUBLIC, ICMP_TIME_EXCEEDED, EXC_TTL, quote))
    expected_quote = inside.emit() if cut is None else inside.emit()[:cut]
    assert (v.action, v.reason) == (Action.TRANSLATE, "nat.related")
    assert v.packet == error_packet(ROUTER, VM2, ICMP_TIME_EXCEEDED, EXC_TTL, expected_quote)


def test_inbound_error_sentence():
    nat = new_nat()
    sent = nat.outbound(0, udp(VM, 5000, OUT, 53)).packet
    v = nat.inbound(S, error_packet(OUT, PUBLIC, ICMP_DEST_UNREACH, UNREACH_PORT, sent.emit()))
    assert v.sentence == (
        "ICMP Destination unreachable (Port unreachable) from 203.0.113.10 is about connection #1 "
        "(10.0.2.15:5000 \u2192 203.0.113.10:53 UDP): the quoted datagram is rewritten to "
        "10.0.2.15:5000 \u2192 203.0.113.10:53 UDP and the error goes 203.0.113.10 \u2192 10.0.2.15.")


def test_quoted_udp_without_checksum_stays_without():
    nat = new_nat(seed=11)
    nat.outbound(0, udp(VM, 5000, OUT, 53))
    translated = nat.outbound(0, udp(VM2, 5000, OUT, 53, b"x")).packet
    fresh = translated.payload.sport
    raw = IPv4(PUBLIC, OUT, PROTO_UDP, Udp(fresh, 53, b"x").emit())  # checksum 0: "none"
    v = nat.inbound(S, error_packet(OUT, PUBLIC, ICMP_DEST_UNREACH, UNREACH_PORT, raw.emit()))
    expected = IPv4(VM2, OUT, PROTO_UDP, Udp(5000, 53, b"x").emit()).emit()
    assert v.packet.payload.original == expected


def test_outbound_error_from_a_forwarded_guest_is_translated_back_to_the_public_port():
    nat = new_nat(forwards=("dns,udp,,5353,10.0.2.15,53",))
    from_client = udp(CLIENT, 40000, PUBLIC, 5353, b"q")
    received = nat.inbound(0, from_client).packet  # what the guest got: CLIENT -> VM:53
    error = error_packet(VM, CLIENT, ICMP_DEST_UNREACH, UNREACH_PORT, received.emit())
    v = nat.outbound(S, error)
    assert (v.action, v.reason) == (Action.TRANSLATE, "nat.related")
    assert v.packet == error_packet(PUBLIC, CLIENT, ICMP_DEST_UNREACH, UNREACH_PORT, from_client.emit())


def test_outbound_error_about_a_late_reply_to_a_masqueraded_flow():
    nat = new_nat()
    nat.outbound(0, udp(VM, 5000, OUT, 53))
    from_server = udp(OUT, 53, PUBLIC, 5000, b"late")
    received = nat.inbound(S, from_server).packet
    v = nat.outbound(2 * S, error_packet(VM, OUT, ICMP_DEST_UNREACH, UNREACH_PORT, received.emit()))
    assert v.packet == error_packet(PUBLIC, OUT, ICMP_DEST_UNREACH, UNREACH_PORT, from_server.emit())


@pytest.mark.parametrize("hook, packet, action, reason", [
    ("in", error_packet(OUT, PUBLIC, ICMP_DEST_UNREACH, UNREACH_PORT, udp(PUBLIC, 7, OUT, 53).emit()),
     Action.DROP, "nat.drop.unrelated-error"),
    ("in", error_packet(OUT, PUBLIC, ICMP_DEST_UNREACH, UNREACH_PORT, b"\x45\x00"), Action.DROP,
     "nat.drop.unrelated-error"),
    ("out", error_packet(VM, OUT, ICMP_DEST_UNREACH, UNREACH_PORT, udp(OUT, 53, VM, 7).emit()),
     Action.DROP, "nat.drop.unrelated-error"),
    ("out", error_packet(PUBLIC, OUT, ICMP_DEST_UNREACH, UNREACH_PORT, udp(OUT, 53, PUBLIC, 7).emit()),
     Action.ACCEPT, "nat.pass"),
])
def test_errors_about_nothing_tracked(hook, packet, action, reason):
    nat = new_nat()
    v = nat.inbound(0, packet) if hook == "in" else nat.outbound(0, packet)
    assert (v.action, v.reason) == (action, reason)


def test_unrelated_error_sentence():
    v = new_nat().inbound(0, error_packet(OUT, PUBLIC, ICMP_DEST_UNREACH, UNREACH_PORT,
                                          udp(PUBLIC, 7, OUT, 53).emit()))
    assert v.sentence == (
        "ICMP Destination unreachable (Port unreachable) from 203.0.113.10 to 203.0.113.2 is about "
        "203.0.113.2:7 \u2192 203.0.113.10:53 UDP, which matches no tracked connection: dropped (RFC 5508 §4).")
