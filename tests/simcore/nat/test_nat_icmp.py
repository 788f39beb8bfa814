"""ICMP echo through the NAT, as conversations with exact packet values."""

import pytest
from nat_builders import OUT, PUBLIC, VM, VM2, S, echo, new_nat

from simcore.devices.nat import Action, IcmpState

REQ, REP = 8, 0


def test_ping_out_and_back_keeps_id_and_ttl():
    nat = new_nat()
    conversation = [
        # (direction, time, packet in, action, reason, packet out)
        ("out", 0, echo(VM, OUT, REQ, 4660, 1, ttl=63, ip_id=0x1111), Action.TRANSLATE, "nat.snat.new",
         echo(PUBLIC, OUT, REQ, 4660, 1, ttl=63, ip_id=0x1111)),
        ("in", 2 * 10**6, echo(OUT, PUBLIC, REP, 4660, 1, ip_id=0x2222), Action.TRANSLATE, "nat.unsnat",
         echo(OUT, VM, REP, 4660, 1, ip_id=0x2222)),
        ("out", S, echo(VM, OUT, REQ, 4660, 2, ttl=63), Action.TRANSLATE, "nat.snat",
         echo(PUBLIC, OUT, REQ, 4660, 2, ttl=63)),
        ("in", S + 2 * 10**6, echo(OUT, PUBLIC, REP, 4660, 2), Action.TRANSLATE, "nat.unsnat",
         echo(OUT, VM, REP, 4660, 2)),
    ]
    for direction, now, packet, action, reason, expected in conversation:
        verdict = nat.outbound(now, packet) if direction == "out" else nat.inbound(now, packet)
        assert (verdict.action, verdict.reason, verdict.packet) == (action, reason, expected)
    [entry] = nat.entries()
    assert (entry.state, entry.packets, entry.bytes) == (IcmpState.REPLIED, (2, 2), (168, 168))
    assert entry.deadline == S + 2 * 10**6 + 30 * S  # nf_conntrack_icmp_timeout, refreshed by each packet


def test_first_ping_sentence_and_notes():
    nat = new_nat()
    v = nat.outbound(0, echo(VM, OUT, REQ, 4660, 1))
    assert v.sentence == (
        "10.0.2.15 \u2192 203.0.113.10 ICMP echo request id 4660 opens a new connection #1: masquerade rewrites the "
        "source to the public address, 203.0.113.2 id 4660 (id 4660 kept, it was free).")
    assert [(n.code, n.sentence) for n in v.notes] == [
        ("nat.mapping-created", "new connection #1: 10.0.2.15 id 4660 \u2192 203.0.113.2 id 4660 (icmp, to 203.0.113.10)")]
    v = nat.inbound(S // 100, echo(OUT, PUBLIC, REP, 4660, 1))
    assert [(n.code, n.sentence) for n in v.notes] == [
        ("nat.state", "connection #1 (10.0.2.15 \u2192 203.0.113.10 ICMP echo request id 4660): UNREPLIED \u2192 REPLIED")]


def test_id_clash_second_host_gets_fresh_id_and_replies_reach_the_right_host():
    nat = new_nat(seed=7)
    first = nat.outbound(0, echo(VM, OUT, REQ, 4660, 1))
    second = nat.outbound(10, echo(VM2, OUT, REQ, 4660, 1))
    fresh = second.packet.payload.ident
    assert first.packet == echo(PUBLIC, OUT, REQ, 4660, 1)
    assert 32768 <= fresh <= 60999 and fresh != 4660
    assert second.packet == echo(PUBLIC, OUT, REQ, fresh, 1)
    assert [n.code for n in second.notes] == ["nat.mapping-created", "nat.port-remapped"]
    assert second.notes[1].sentence == (
        f"connection #2: id 4660 towards 203.0.113.10 is already used by connection #1, so it gets the fresh id {fresh}")
    # Replies, in the opposite order, each reach the host that asked.
    assert nat.inbound(20, echo(OUT, PUBLIC, REP, fresh, 1)).packet == echo(OUT, VM2, REP, 4660, 1)
    assert nat.inbound(30, echo(OUT, PUBLIC, REP, 4660, 1)).packet == echo(OUT, VM, REP, 4660, 1)


def test_fresh_id_comes_from_the_rng_deterministically():
    ids = []
    for _ in range(2):
        nat = new_nat(seed=42)
        nat.outbound(0, echo(VM, OUT, REQ, 4660, 1))
        ids.append(nat.outbound(0, echo(VM2, OUT, REQ, 4660, 1)).packet.payload.ident)
    other = new_nat(seed=43)
    other.outbound(0, echo(VM, OUT, REQ, 4660, 1))
    assert ids[0] == ids[1]
    assert other.outbound(0, echo(VM2, OUT, REQ, 4660, 1)).packet.payload.ident != ids[0]


def test_same_id_to_different_destinations_is_kept_for_both():
    # Linux keeps the id unless the whole reply tuple clashes (nf_nat_used_tuple).
    nat = new_nat()
    nat.outbound(0, echo(VM, OUT, REQ, 4660, 1))
    v = nat.outbound(0, echo(VM2, "203.0.113.11", REQ, 4660, 1))
    assert v.packet == echo(PUBLIC, "203.0.113.11", REQ, 4660, 1)


@pytest.mark.parametrize("packet, action, reason, sentence", [
    (echo(OUT, PUBLIC, REP, 999, 1), Action.DROP, "nat.drop.no-mapping",
     "203.0.113.10 \u2192 203.0.113.2 ICMP echo reply id 999 (an echo reply) matches no connection and no port "
     "forward rule: unsolicited traffic is not delivered to inside hosts."),
    (echo(OUT, VM, REQ, 1, 1), Action.DROP, "nat.drop.inside-address",
     "203.0.113.10 \u2192 10.0.2.15 is addressed to an inside host: a NAT router lets in only replies and port "
     "forwards, sent to its public address 203.0.113.2."),
    (echo(OUT, PUBLIC, REQ, 77, 1), Action.ACCEPT, "nat.local",
     "203.0.113.10 \u2192 203.0.113.2 ICMP echo request id 77: an echo request to the router's public address: "
     "the router answers it itself; tracked as connection #2, not translated."),
    (echo(OUT, "255.255.255.255", REQ, 77, 1), Action.ACCEPT, "nat.pass",
     "203.0.113.10 \u2192 255.255.255.255 is not for the public address 203.0.113.2: not NAT traffic, left to the router."),
])
def test_unsolicited_inbound(packet, action, reason, sentence):
    nat = new_nat()
    nat.outbound(0, echo(VM, OUT, REQ, 4660, 1))  # an unrelated mapping exists
    v = nat.inbound(S, packet)
    assert (v.action, v.reason, v.sentence) == (action, reason, sentence)
    assert v.packet == (None if action is Action.DROP else packet)


def test_echo_request_from_outside_with_a_mapped_id_is_not_sent_inside():
    # The tuple carries the type, so a request with the id of an inside host's ping is not its reply.
    nat = new_nat()
    nat.outbound(0, echo(VM, OUT, REQ, 4660, 1))
    v = nat.inbound(S, echo(OUT, PUBLIC, REQ, 4660, 9))
    assert (v.action, v.packet) == (Action.ACCEPT, echo(OUT, PUBLIC, REQ, 4660, 9))


def test_router_answers_its_own_ping_and_the_reply_is_tracked():
    nat = new_nat()
    nat.inbound(0, echo(OUT, PUBLIC, REQ, 5, 1))
    v = nat.outbound(1, echo(PUBLIC, OUT, REP, 5, 1))
    assert (v.action, v.reason, v.packet) == (Action.ACCEPT, "nat.local", echo(PUBLIC, OUT, REP, 5, 1))


def test_inside_echo_reply_without_request_is_dropped():
    v = new_nat().outbound(0, echo(VM, OUT, REP, 5, 1))
    assert (v.action, v.reason) == (Action.DROP, "nat.drop.invalid")
    assert v.sentence == ("10.0.2.15 \u2192 203.0.113.10 ICMP echo reply id 5 answers no tracked echo request: "
                          "conntrack marks it INVALID and the router drops it.")


def test_mapping_expires_after_30_s_of_silence_and_the_reply_is_then_dropped():
    nat = new_nat()
    nat.outbound(0, echo(VM, OUT, REQ, 4660, 1))
    assert nat.next_deadline() == 30 * S
    assert nat.expire(30 * S - 1) == ()
    v = nat.inbound(30 * S, echo(OUT, PUBLIC, REP, 4660, 1))
    assert (v.action, v.reason) == (Action.DROP, "nat.drop.no-mapping")
    assert [(n.code, n.sentence) for n in v.notes] == [
        ("nat.expired", "connection #1 (10.0.2.15 \u2192 203.0.113.10 ICMP echo request id 4660) timed out in state "
                        "UNREPLIED")]
    assert nat.entries() == [] and nat.next_deadline() is None
