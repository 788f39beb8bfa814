"""UDP through the NAT: out-and-back, Linux's UNREPLIED -> stream states, clashes, expiry."""

import random

import pytest
from nat_builders import OUT, PUBLIC, VM, VM2, S, new_nat, udp

from simcore.devices.nat import Action, Nat, UdpState
from simcore.packets import IP_FLAG_MF, PROTO_UDP, IPv4

DNS = "198.51.100.53"


def test_udp_out_and_back():
    nat = new_nat()
    conversation = [
        ("out", 0, udp(VM, 40000, DNS, 53, b"query", ttl=63), "nat.snat.new", udp(PUBLIC, 40000, DNS, 53, b"query", ttl=63)),
        ("in", 5 * 10**6, udp(DNS, 53, PUBLIC, 40000, b"answer"), "nat.unsnat", udp(DNS, 53, VM, 40000, b"answer")),
    ]
    for direction, now, packet, reason, expected in conversation:
        v = nat.outbound(now, packet) if direction == "out" else nat.inbound(now, packet)
        assert (v.action, v.reason, v.packet) == (Action.TRANSLATE, reason, expected)


@pytest.mark.parametrize("steps, state, assured, timeout_s", [
    # nf_conntrack_udp_packet: a query and its answer stay at nf_conntrack_udp_timeout (30 s) ...
    ([("out", 0)], UdpState.UNREPLIED, False, 30),
    ([("out", 0), ("in", S // 100)], UdpState.REPLIED, False, 30),
    # ... traffic after the reply within 2 s of the first packet still is not a stream ...
    ([("out", 0), ("in", S // 100), ("out", 2 * S)], UdpState.REPLIED, False, 30),
    # ... later traffic makes it ASSURED with nf_conntrack_udp_timeout_stream (120 s).
    ([("out", 0), ("in", S // 100), ("out", 2 * S + 1)], UdpState.ASSURED, True, 120),
    ([("out", 0), ("in", 3 * S), ("in", 4 * S)], UdpState.ASSURED, True, 120),
    ([("out", 0), ("in", 3 * S), ("in", 4 * S), ("out", 5 * S)], UdpState.ASSURED, True, 120),
    # Only the original direction, however long: unreplied.
    ([("out", 0), ("out", 10 * S)], UdpState.UNREPLIED, False, 30),
])
def test_udp_states_and_timeouts(steps, state, assured, timeout_s):
    nat = new_nat()
    for direction, now in steps:
        if direction == "out":
            v = nat.outbound(now, udp(VM, 40000, DNS, 53))
        else:
            v = nat.inbound(now, udp(DNS, 53, PUBLIC, 40000))
        assert v.delivered
    [entry] = nat.entries()
    last = steps[-1][1]
    assert (entry.state, entry.assured, entry.deadline - last) == (state, assured, timeout_s * S)


def test_source_port_clash_gets_fresh_port_and_replies_reach_the_right_host():
    nat = new_nat(seed=3)
    a = nat.outbound(0, udp(VM, 5000, DNS, 53, b"a"))
    b = nat.outbound(0, udp(VM2, 5000, DNS, 53, b"b"))
    fresh = b.packet.payload.sport
    assert a.packet == udp(PUBLIC, 5000, DNS, 53, b"a")
    assert 32768 <= fresh <= 60999
    assert b.packet == udp(PUBLIC, fresh, DNS, 53, b"b")
    assert nat.inbound(1, udp(DNS, 53, PUBLIC, fresh, b"B")).packet == udp(DNS, 53, VM2, 5000, b"B")
    assert nat.inbound(2, udp(DNS, 53, PUBLIC, 5000, b"A")).packet == udp(DNS, 53, VM, 5000, b"A")


def test_fresh_port_skips_ports_already_taken():
    # A range of two ports: the first clash takes the one left, the next one has none.
    nat = Nat(PUBLIC, ["10.0.2.0/24"], random.Random(1), port_range=(40000, 40001))
    assert nat.outbound(0, udp(VM, 40000, DNS, 53)).packet.payload.sport == 40000
    assert nat.outbound(0, udp(VM2, 40000, DNS, 53)).packet.payload.sport == 40001
    v = nat.outbound(0, udp("10.0.2.17", 40000, DNS, 53))
    assert (v.action, v.reason, v.sentence) == (
        Action.DROP, "nat.drop.ports-exhausted",
        "10.0.2.17:40000 \u2192 198.51.100.53:53 UDP: every port 40000-40001 towards 198.51.100.53:53 is in use, "
        "so masquerade cannot map it.")


def test_unsolicited_udp_to_the_public_address_is_dropped():
    nat = new_nat()
    nat.outbound(0, udp(VM, 40000, DNS, 53))
    v = nat.inbound(S, udp(OUT, 53, PUBLIC, 40001))
    assert (v.action, v.packet, v.reason, v.sentence) == (
        Action.DROP, None, "nat.drop.no-mapping",
        "203.0.113.10:53 \u2192 203.0.113.2:40001 UDP (udp port 40001) matches no connection and no port forward "
        "rule: unsolicited traffic is not delivered to inside hosts.")
    # A reply from another server to the mapped port does not match either (full tuple).
    assert nat.inbound(S, udp(OUT, 53, PUBLIC, 40000)).reason == "nat.drop.no-mapping"


def test_udp_mapping_expires():
    nat = new_nat()
    nat.outbound(0, udp(VM, 40000, DNS, 53))
    nat.inbound(S, udp(DNS, 53, PUBLIC, 40000))
    assert nat.next_deadline() == 31 * S
    [note] = nat.expire(31 * S)
    assert (note.code, note.entry.id) == ("nat.expired", 1)
    assert nat.inbound(31 * S, udp(DNS, 53, PUBLIC, 40000)).action is Action.DROP


def test_traffic_not_from_inside_passes_untouched():
    nat = new_nat()
    packet = udp("192.0.2.9", 1, DNS, 53)
    v = nat.outbound(0, packet)
    assert (v.action, v.reason, v.packet) == (Action.ACCEPT, "nat.pass", packet)
    assert nat.entries() == []


def test_router_own_udp_is_tracked_untranslated_and_its_reply_accepted():
    nat = new_nat()
    assert nat.outbound(0, udp(PUBLIC, 33000, DNS, 53)).reason == "nat.local"
    v = nat.inbound(1, udp(DNS, 53, PUBLIC, 33000))
    assert (v.action, v.reason, v.packet) == (Action.ACCEPT, "nat.local", udp(DNS, 53, PUBLIC, 33000))


@pytest.mark.parametrize("hook, src, dst, action, reason", [
    ("out", VM, DNS, Action.DROP, "nat.drop.fragment"),
    ("out", PUBLIC, DNS, Action.ACCEPT, "nat.pass"),
    ("in", DNS, PUBLIC, Action.DROP, "nat.drop.fragment"),
])
def test_fragments(hook, src, dst, action, reason):
    packet = IPv4(src, dst, PROTO_UDP, b"\x00" * 16, flags=IP_FLAG_MF)
    nat = new_nat()
    v = nat.outbound(0, packet) if hook == "out" else nat.inbound(0, packet)
    assert (v.action, v.reason) == (action, reason)
