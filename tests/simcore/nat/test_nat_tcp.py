"""TCP through the NAT: handshake, data and close, with conntrack's states and timeouts."""

import pytest
from nat_builders import OUT, PUBLIC, VM, S, new_nat, tcp

from simcore.devices.nat import Action, TcpState
from simcore.devices.nat.states import Direction, Step, tcp_next
from simcore.packets import ACK, FIN, PSH, RST, SYN

GET = b"GET / HTTP/1.1\r\nHost: 203.0.113.10\r\n\r\n"
BODY = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
C, Srv = 1000, 5000  # initial sequence numbers of client and server


def vm_to_out(seq, ack, flags, data=b""):
    return tcp(VM, 43210, OUT, 80, seq, ack, flags, data)


def pub_to_out(seq, ack, flags, data=b""):
    return tcp(PUBLIC, 43210, OUT, 80, seq, ack, flags, data)


def out_to_pub(seq, ack, flags, data=b""):
    return tcp(OUT, 80, PUBLIC, 43210, seq, ack, flags, data)


def out_to_vm(seq, ack, flags, data=b""):
    return tcp(OUT, 80, VM, 43210, seq, ack, flags, data)


G, B = len(GET), len(BODY)
# (direction, seconds, segment's seq, ack, flags, data, state after, assured, timeout s)
CONVERSATION = [
    ("out", 0, C, 0, SYN, b"", TcpState.SYN_SENT, False, 120),
    ("in", 1, Srv, C + 1, SYN | ACK, b"", TcpState.SYN_RECV, False, 60),
    ("out", 2, C + 1, Srv + 1, ACK, b"", TcpState.ESTABLISHED, True, 432000),
    ("out", 3, C + 1, Srv + 1, PSH | ACK, GET, TcpState.ESTABLISHED, True, 432000),
    ("in", 4, Srv + 1, C + 1 + G, ACK, b"", TcpState.ESTABLISHED, True, 432000),
    ("in", 5, Srv + 1, C + 1 + G, PSH | ACK, BODY, TcpState.ESTABLISHED, True, 432000),
    ("out", 6, C + 1 + G, Srv + 1 + B, ACK, b"", TcpState.ESTABLISHED, True, 432000),
    ("out", 7, C + 1 + G, Srv + 1 + B, FIN | ACK, b"", TcpState.FIN_WAIT, True, 120),
    ("in", 8, Srv + 1 + B, C + 2 + G, ACK, b"", TcpState.CLOSE_WAIT, True, 60),
    ("in", 9, Srv + 1 + B, C + 2 + G, FIN | ACK, b"", TcpState.LAST_ACK, True, 30),
    ("out", 10, C + 2 + G, Srv + 2 + B, ACK, b"", TcpState.TIME_WAIT, True, 120),
]


def test_handshake_data_and_close_through_nat():
    nat = new_nat()
    for direction, sec, seq, ack, flags, data, state, assured, timeout in CONVERSATION:
        now = sec * S
        if direction == "out":
            v = nat.outbound(now, vm_to_out(seq, ack, flags, data))
            expected = pub_to_out(seq, ack, flags, data)
        else:
            v = nat.inbound(now, out_to_pub(seq, ack, flags, data))
            expected = out_to_vm(seq, ack, flags, data)
        assert (v.action, v.packet) == (Action.TRANSLATE, expected), sec
        entry = v.entry
        assert (entry.state, entry.assured, entry.deadline - now) == (state, assured, timeout * S), sec
    assert entry.packets == (6, 5)
    # TIME_WAIT lasts nf_conntrack_tcp_timeout_time_wait = 120 s after the last ACK.
    assert nat.expire(130 * S - 1) == ()
    [gone] = nat.expire(130 * S)
    assert gone.sentence == ("connection #1 (10.0.2.15:43210 \u2192 203.0.113.10:80 TCP) timed out in state "
                             "TIME_WAIT")


def test_state_change_notes():
    nat = new_nat()
    nat.outbound(0, vm_to_out(C, 0, SYN))
    v = nat.inbound(S, out_to_pub(Srv, C + 1, SYN | ACK))
    assert [(n.code, n.sentence) for n in v.notes] == [
        ("nat.state", "connection #1 (10.0.2.15:43210 \u2192 203.0.113.10:80 TCP): SYN_SENT \u2192 SYN_RECV")]


def test_reset_as_only_reply_removes_the_entry_at_once():
    nat = new_nat()
    nat.outbound(0, vm_to_out(C, 0, SYN))
    v = nat.inbound(S // 1000, out_to_pub(0, C + 1, RST | ACK))
    assert (v.action, v.packet) == (Action.TRANSLATE, out_to_vm(0, C + 1, RST | ACK))
    assert [n.code for n in v.notes] == ["nat.state", "nat.closed"]
    assert nat.entries() == []


def test_reset_after_established_closes_with_10_s():
    nat = new_nat()
    for direction, sec, seq, ack, flags, data, *_ in CONVERSATION[:3]:
        if direction == "out":
            nat.outbound(sec * S, vm_to_out(seq, ack, flags, data))
        else:
            nat.inbound(sec * S, out_to_pub(seq, ack, flags, data))
    v = nat.outbound(3 * S, vm_to_out(C + 1, Srv + 1, RST | ACK))
    assert (v.entry.state, v.entry.deadline) == (TcpState.CLOSE, 13 * S)  # nf_conntrack_tcp_timeout_close


@pytest.mark.parametrize("flags, action, reason, state", [
    (FIN | ACK, Action.DROP, "nat.drop.invalid", None),
    (RST, Action.DROP, "nat.drop.invalid", None),
    (SYN | ACK, Action.DROP, "nat.drop.invalid", None),
    (ACK, Action.TRANSLATE, "nat.snat.new", TcpState.ESTABLISHED),  # nf_conntrack_tcp_loose pick-up
])
def test_first_segment_without_syn(flags, action, reason, state):
    nat = new_nat()
    v = nat.outbound(0, vm_to_out(C, Srv, flags))
    assert (v.action, v.reason) == (action, reason)
    assert [e.state for e in nat.entries()] == ([state] if state else [])


def test_invalid_segment_in_a_connection_is_dropped_with_its_reason():
    nat = new_nat()
    nat.outbound(0, vm_to_out(C, 0, SYN))
    v = nat.outbound(S, vm_to_out(C, 0, SYN | ACK))
    assert (v.action, v.reason, v.sentence) == (
        Action.DROP, "nat.drop.invalid",
        "10.0.2.15:43210 \u2192 203.0.113.10:80 TCP (SYN,ACK) is not valid for connection #1 in state SYN_SENT: "
        "conntrack marks it INVALID, so it is not translated and the router drops it.")


def test_ignored_segment_is_translated_without_changing_state_or_timer():
    nat = new_nat()
    nat.outbound(0, vm_to_out(C, 0, SYN))
    v = nat.inbound(S, out_to_pub(Srv, C + 1, ACK))  # sSS + reply ACK = sIG
    assert (v.action, v.packet, v.entry.state, v.entry.deadline) == (
        Action.TRANSLATE, out_to_vm(Srv, C + 1, ACK), TcpState.SYN_SENT, 120 * S)


def test_new_syn_reopens_a_time_wait_connection():
    nat = new_nat()
    for direction, sec, seq, ack, flags, data, *_ in CONVERSATION:
        if direction == "out":
            nat.outbound(sec * S, vm_to_out(seq, ack, flags, data))
        else:
            nat.inbound(sec * S, out_to_pub(seq, ack, flags, data))
    v = nat.outbound(20 * S, vm_to_out(9000, 0, SYN))
    assert (v.reason, v.packet, v.entry.id, v.entry.state, v.entry.assured) == (
        "nat.snat.new", pub_to_out(9000, 0, SYN), 2, TcpState.SYN_SENT, False)
    assert v.notes[0].sentence == ("connection #1 (10.0.2.15:43210 \u2192 203.0.113.10:80 TCP) is replaced: a new "
                                   "SYN reopens it from TIME_WAIT")


# Linux's table, a few cells per row (nf_conntrack_proto_tcp.c tcp_conntracks).
@pytest.mark.parametrize("state, direction, flags, new, step", [
    (TcpState.NONE, Direction.ORIGINAL, SYN, TcpState.SYN_SENT, Step.OK),
    (TcpState.SYN_SENT, Direction.ORIGINAL, SYN, TcpState.SYN_SENT, Step.OK),  # retransmitted SYN
    (TcpState.SYN_SENT, Direction.REPLY, SYN, TcpState.SYN_SENT2, Step.OK),  # simultaneous open
    (TcpState.SYN_SENT2, Direction.REPLY, SYN | ACK, TcpState.SYN_RECV, Step.OK),
    (TcpState.SYN_RECV, Direction.REPLY, SYN | ACK, TcpState.SYN_RECV, Step.IGNORED),  # retransmitted SYN,ACK
    (TcpState.SYN_RECV, Direction.REPLY, ACK, TcpState.SYN_RECV, Step.OK),
    (TcpState.ESTABLISHED, Direction.ORIGINAL, SYN, TcpState.ESTABLISHED, Step.IGNORED),
    (TcpState.ESTABLISHED, Direction.REPLY, FIN | ACK, TcpState.FIN_WAIT, Step.OK),
    (TcpState.FIN_WAIT, Direction.ORIGINAL, FIN | ACK, TcpState.LAST_ACK, Step.OK),
    (TcpState.CLOSE_WAIT, Direction.ORIGINAL, ACK, TcpState.CLOSE_WAIT, Step.OK),
    (TcpState.LAST_ACK, Direction.REPLY, ACK, TcpState.TIME_WAIT, Step.OK),
    (TcpState.TIME_WAIT, Direction.REPLY, SYN, TcpState.SYN_SENT, Step.OK),
    (TcpState.CLOSE, Direction.REPLY, SYN, TcpState.CLOSE, Step.INVALID),
    (TcpState.ESTABLISHED, Direction.REPLY, RST | ACK, TcpState.CLOSE, Step.OK),
    (TcpState.ESTABLISHED, Direction.ORIGINAL, 0, TcpState.ESTABLISHED, Step.INVALID),  # no flags at all
    (TcpState.NONE, Direction.ORIGINAL, PSH | ACK, TcpState.ESTABLISHED, Step.OK),
])
def test_tcp_transition_table(state, direction, flags, new, step):
    assert tcp_next(state, direction, flags) == (new, step)
