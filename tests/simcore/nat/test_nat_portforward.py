"""Port forwarding (DNAT) with VirtualBox-form rules, hit counters, and RST for closed ports."""

import random

import pytest
from nat_builders import CLIENT, INSIDE, PUBLIC, VM, S, new_nat, tcp, udp

from simcore.devices.nat import Action, Nat, PortForward, TcpState, reset_for
from simcore.packets import ACK, FIN, IP_FLAG_DF, PROTO_TCP, PSH, RST, SYN, IPv4, Tcp

WEB = "web,tcp,,8080,10.0.2.15,80"


def test_forwarded_connection_guest_sees_real_client_and_reply_leaves_from_public_port():
    nat = new_nat(forwards=(WEB,))
    conversation = [
        # (hook, packet in, reason, packet out)
        ("in", tcp(CLIENT, 50000, PUBLIC, 8080, 7000, 0, SYN), "nat.dnat.new",
         tcp(CLIENT, 50000, VM, 80, 7000, 0, SYN)),
        ("out", tcp(VM, 80, CLIENT, 50000, 9000, 7001, SYN | ACK), "nat.undnat",
         tcp(PUBLIC, 8080, CLIENT, 50000, 9000, 7001, SYN | ACK)),
        ("in", tcp(CLIENT, 50000, PUBLIC, 8080, 7001, 9001, ACK), "nat.dnat",
         tcp(CLIENT, 50000, VM, 80, 7001, 9001, ACK)),
        ("in", tcp(CLIENT, 50000, PUBLIC, 8080, 7001, 9001, PSH | ACK, b"GET / HTTP/1.1\r\n\r\n"), "nat.dnat",
         tcp(CLIENT, 50000, VM, 80, 7001, 9001, PSH | ACK, b"GET / HTTP/1.1\r\n\r\n")),
        ("out", tcp(VM, 80, CLIENT, 50000, 9001, 7019, PSH | ACK, b"<h1>hello</h1>"), "nat.undnat",
         tcp(PUBLIC, 8080, CLIENT, 50000, 9001, 7019, PSH | ACK, b"<h1>hello</h1>")),
    ]
    for i, (hook, packet, reason, expected) in enumerate(conversation):
        v = nat.inbound(i * S, packet) if hook == "in" else nat.outbound(i * S, packet)
        assert (v.action, v.reason, v.packet) == (Action.TRANSLATE, reason, expected), i
    [entry] = nat.entries()
    assert (entry.rule, entry.state, entry.assured) == ("web", TcpState.ESTABLISHED, True)
    assert nat.forwards.rows() == [{"name": "web", "protocol": "tcp", "host_ip": "", "host_port": 8080,
                                    "guest_ip": "10.0.2.15", "guest_port": 80, "hits": 1}]


def test_first_packet_sentence_and_notes():
    nat = new_nat(forwards=(WEB,))
    v = nat.inbound(0, tcp(CLIENT, 50000, PUBLIC, 8080, 7000, 0, SYN))
    assert v.sentence == (
        "198.51.100.7:50000 \u2192 203.0.113.2:8080 TCP matches port forward 'web' (tcp *:8080 \u2192 10.0.2.15:80): "
        "the destination is rewritten to 10.0.2.15:80; the source 198.51.100.7 is kept, so the guest sees the real "
        "client (DNAT does no SNAT).")
    assert [(n.code, n.sentence) for n in v.notes] == [
        ("nat.forward-hit", "port forward 'web' (tcp *:8080 \u2192 10.0.2.15:80): hit 1"),
        ("nat.mapping-created", "new connection #1: 203.0.113.2:8080 \u2192 10.0.2.15:80 (tcp, from 198.51.100.7:50000)"),
    ]


def test_hits_count_connections_not_packets():
    nat = new_nat(forwards=(WEB,))
    for port in (50000, 50001, 50002):
        nat.inbound(0, tcp(CLIENT, port, PUBLIC, 8080, 1, 0, SYN))
        nat.inbound(1, tcp(CLIENT, port, PUBLIC, 8080, 1, 0, SYN))  # retransmission: same connection
    assert nat.forwards.hits("web") == 3
    assert len(nat.entries()) == 3


def test_udp_forward():
    nat = new_nat(forwards=("dns,udp,203.0.113.2,5353,10.0.2.15,53",))
    v = nat.inbound(0, udp(CLIENT, 40000, PUBLIC, 5353, b"q"))
    assert (v.reason, v.packet) == ("nat.dnat.new", udp(CLIENT, 40000, VM, 53, b"q"))
    v = nat.outbound(1, udp(VM, 53, CLIENT, 40000, b"a"))
    assert (v.reason, v.packet) == ("nat.undnat", udp(PUBLIC, 5353, CLIENT, 40000, b"a"))


def test_syn_to_a_port_with_no_rule_is_answered_with_rst_ack():
    nat = new_nat(forwards=(WEB,))
    v = nat.inbound(0, tcp(CLIENT, 50001, PUBLIC, 8081, 123456, 0, SYN))
    assert (v.action, v.reason) == (Action.REPLY, "nat.reset")
    assert v.packet == IPv4(PUBLIC, CLIENT, PROTO_TCP, Tcp(8081, 50001, 0, 123457, RST | ACK, 0),
                            ttl=64, ident=0, flags=IP_FLAG_DF)
    assert v.sentence == (
        "198.51.100.7:50001 \u2192 203.0.113.2:8081 TCP (SYN) matches no connection and no port forward rule for tcp "
        "port 8081: the router answers RST,ACK, and the client sees \"connection refused\".")
    assert nat.entries() == [] and nat.forwards.hits("web") == 0


@pytest.mark.parametrize("seq, ack, flags, data, answer", [
    # RFC 9293 §3.10.7.1: no ACK -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN count.
    (0xFFFFFFFF, 0, SYN, b"", Tcp(8081, 50001, 0, 0, RST | ACK, 0)),  # wraps modulo 2**32
    (10, 0, FIN, b"", Tcp(8081, 50001, 0, 11, RST | ACK, 0)),
    (10, 0, PSH, b"abc", Tcp(8081, 50001, 0, 13, RST | ACK, 0)),
    # ACK on -> <SEQ=SEG.ACK><CTL=RST>
    (10, 777, ACK, b"", Tcp(8081, 50001, 777, 0, RST, 0)),
    (10, 777, FIN | ACK, b"", Tcp(8081, 50001, 777, 0, RST, 0)),
    # a reset is never answered
    (10, 777, RST | ACK, b"", None),
])
def test_reset_values(seq, ack, flags, data, answer):
    packet = tcp(CLIENT, 50001, PUBLIC, 8081, seq, ack, flags, data)
    got = reset_for(packet)
    assert (got.payload if got else None) == answer


def test_incoming_reset_to_a_closed_port_is_dropped():
    v = new_nat().inbound(0, tcp(CLIENT, 50001, PUBLIC, 8081, 10, 0, RST))
    assert (v.action, v.reason) == (Action.DROP, "nat.drop.no-mapping")


def test_non_syn_to_a_forwarded_port_with_no_connection_gets_a_reset():
    # A FIN cannot open a connection, so the rule does not apply; the router answers it.
    nat = new_nat(forwards=(WEB,))
    v = nat.inbound(0, tcp(CLIENT, 50000, PUBLIC, 8080, 5, 9, FIN | ACK))
    assert (v.action, v.packet.payload) == (Action.REPLY, Tcp(8080, 50000, 9, 0, RST, 0))
    assert nat.forwards.hits("web") == 0


def test_rule_bound_to_another_host_ip_does_not_match():
    nat = new_nat(forwards=("web,tcp,192.0.2.1,8080,10.0.2.15,80",))
    assert nat.inbound(0, tcp(CLIENT, 1, PUBLIC, 8080, 1, 0, SYN)).reason == "nat.reset"


def test_removed_rule_keeps_existing_connections():
    nat = new_nat(forwards=(WEB,))
    nat.inbound(0, tcp(CLIENT, 50000, PUBLIC, 8080, 1, 0, SYN))
    nat.remove_forward("web")
    assert nat.inbound(1, tcp(CLIENT, 50000, PUBLIC, 8080, 1, 0, SYN)).reason == "nat.dnat"
    assert nat.inbound(1, tcp(CLIENT, 50001, PUBLIC, 8080, 1, 0, SYN)).reason == "nat.reset"


def test_rule_text_round_trip():
    rule = PortForward.parse(" ssh , TCP , , 2222 , 10.0.2.15 , 22 ")
    assert rule == PortForward("ssh", "tcp", "", 2222, "10.0.2.15", 22)
    assert str(rule) == "ssh,tcp,,2222,10.0.2.15,22"


@pytest.mark.parametrize("text, message", [
    ("web,tcp,,8080,10.0.2.15", "port forward 'web,tcp,,8080,10.0.2.15': expected "
                                "name,proto,host-ip,host-port,guest-ip,guest-port"),
    ("web,icmp,,8080,10.0.2.15,80", "port forward 'web': protocol must be 'tcp' or 'udp', not 'icmp'"),
    ("web,tcp,,80x,10.0.2.15,80", "port forward 'web': ports must be numbers: '80x', '80'"),
    ("web,tcp,,0,10.0.2.15,80", "port forward 'web': host port must be a port 1-65535, not 0"),
    ("web,tcp,,8080,10.0.2.15,65536", "port forward 'web': guest port must be a port 1-65535, not 65536"),
    ("web,tcp,,8080,,80", "port forward 'web': guest IP is not an IPv4 address: ''"),
    ("web,tcp,1.2.3,8080,10.0.2.15,80", "port forward 'web': host IP is not an IPv4 address: '1.2.3'"),
    (",tcp,,8080,10.0.2.15,80", "port forward name must be 1-64 characters without a comma, not ''"),
])
def test_bad_rules_are_refused_with_the_reason(text, message):
    with pytest.raises(ValueError) as err:
        PortForward.parse(text)
    assert str(err.value) == message


def test_two_rules_on_one_port_are_refused():
    nat = new_nat(forwards=(WEB,))
    with pytest.raises(ValueError) as err:
        nat.add_forward(PortForward.parse("web2,tcp,203.0.113.2,8080,10.0.2.16,80"))
    assert str(err.value) == "port forward 'web2': tcp port 8080 is already forwarded by 'web'"
    with pytest.raises(ValueError) as err:
        nat.add_forward(PortForward.parse("web,udp,,8080,10.0.2.16,80"))
    assert str(err.value) == "port forward 'web' already exists"
    nat.add_forward(PortForward.parse("webu,udp,,8080,10.0.2.16,80"))  # same port, other protocol: fine


def test_a_port_the_router_itself_listens_on_is_delivered_to_it():
    nat = Nat(PUBLIC, INSIDE, random.Random(1), listening=lambda proto, port: (proto, port) in {(6, 22), (17, 68)})
    ssh = tcp(CLIENT, 50000, PUBLIC, 22, 1, 0, SYN)
    v = nat.inbound(0, ssh)
    assert (v.action, v.reason, v.packet) == (Action.ACCEPT, "nat.local", ssh)
    assert v.sentence == ("198.51.100.7:50000 \u2192 203.0.113.2:22 TCP: the router itself listens on tcp port 22; "
                          "tracked as connection #1, not translated.")
    assert nat.inbound(0, udp("203.0.113.1", 67, PUBLIC, 68, b"ack")).reason == "nat.local"
    assert nat.inbound(0, udp(CLIENT, 1, PUBLIC, 69)).reason == "nat.drop.no-mapping"
    assert nat.inbound(0, tcp(CLIENT, 50000, PUBLIC, 23, 1, 0, SYN)).reason == "nat.reset"


def test_virtualbox_style_forward_comes_from_the_gateway():
    # VirtualBox's NAT engine: the guest sees forwarded connections from 10.0.2.2, not the client.
    nat = Nat(PUBLIC, INSIDE, random.Random(1), forwards=[PortForward.parse(WEB)], forward_from="10.0.2.2")
    v = nat.inbound(0, tcp(CLIENT, 50000, PUBLIC, 8080, 7000, 0, SYN))
    assert v.packet == tcp("10.0.2.2", 50000, VM, 80, 7000, 0, SYN)
    assert v.sentence.endswith("the destination is rewritten to 10.0.2.15:80; the source becomes 10.0.2.2:50000, "
                               "so the guest sees the router, not the client (VirtualBox's NAT engine).")
    # A second client using the same source port gets a fresh one (both would be 10.0.2.2:50000).
    w = nat.inbound(1, tcp("198.51.100.8", 50000, PUBLIC, 8080, 1, 0, SYN))
    fresh = w.packet.payload.sport
    assert w.packet == tcp("10.0.2.2", fresh, VM, 80, 1, 0, SYN) and fresh != 50000
    assert nat.outbound(2, tcp(VM, 80, "10.0.2.2", fresh, 5, 2, SYN | ACK)).packet == \
        tcp(PUBLIC, 8080, "198.51.100.8", 50000, 5, 2, SYN | ACK)
    assert nat.outbound(2, tcp(VM, 80, "10.0.2.2", 50000, 9, 7001, SYN | ACK)).packet == \
        tcp(PUBLIC, 8080, CLIENT, 50000, 9, 7001, SYN | ACK)
