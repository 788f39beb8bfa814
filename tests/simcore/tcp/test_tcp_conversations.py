"""TCP conversations between two hosts over a fake link: exact segments, exact instants.

Client 10.0.0.1 (seed 1, ephemeral port 57794) talks to server 10.0.0.2 port 80 (seed 2) over
a link of 50 µs one way. Lines are tcpdump-like with relative sequence numbers; every segment
went through ``emit`` and ``parse`` (with checksum) on its way (see tcp_harness.py).
"""

import random

import pytest
from tcp_harness import MS, US, Recorder, S, World

from simcore.apps.tcp import (
    AllAcked,
    CancelTimer,
    Closed,
    CloseReason,
    Connected,
    ConnKey,
    Deliver,
    Emit,
    EndOfStream,
    SetTimer,
    StreamOps,
    TcpConfig,
    TcpSocket,
    TcpState,
    TimerKey,
    TimerKind,
    reset_for,
)
from simcore.apps.tcp.isn import initial_sequence
from simcore.packets.tcp import ACK, FIN, PSH, RST, SYN, Tcp, decode_tcp_options

C, SV = "10.0.0.1", "10.0.0.2"
CP = 57794  # the client's ephemeral port with seed 1
HS = [
    f"0.000000 {C}:{CP}>{SV}:80 [SYN] seq=0 win=64240 len=0",
    f"0.000050 {SV}:80>{C}:{CP} [SYN,ACK] seq=0 ack=1 win=65160 len=0",
    f"0.000100 {C}:{CP}>{SV}:80 [ACK] seq=1 ack=1 win=502 len=0",
]


def pair(loss=None, client_app=None, server_app=None, listen=True, config=None):
    w = World(loss=loss)
    client = w.host(C, 1, config)
    server = w.host(SV, 2, config)
    apps = []
    if listen:
        def factory(key):
            app = server_app() if server_app else Recorder()
            apps.append(app)
            return app
        server.listen(80, factory)
    sock, _ = w.call(C, client.connect, C, SV, 80, client_app)
    return w, sock, apps


def states(w):
    return {ip: [s.state for s in table.conns.values()] for ip, table in w.hosts.items()}


def test_three_way_handshake_both_sides():
    w, sock, apps = pair()
    w.run(1 * S)
    assert w.lines() == HS
    assert w.happened(Connected) == [(0.0001, C, Connected()), (0.00015, SV, Connected())]
    assert states(w) == {C: [TcpState.ESTABLISHED], SV: [TcpState.ESTABLISHED]}
    assert w.notes() == [
        f"{C}:{CP} opens a connection to {SV}:80: SYN sent, SYN-SENT",
        f"{SV}:80 gets a SYN from {C}:{CP} and answers SYN,ACK (SYN-RECEIVED)",
        f"{C}:{CP}\u2194{SV}:80: handshake done, ESTABLISHED",
    ]


def test_syn_options_are_linux_s():
    w, sock, apps = pair()
    w.run(1 * S)
    syn, synack, ack = (s.seg for s in w.wire)
    tsval = int.from_bytes(syn.options[8:12], "big")
    # MSS 1460, SACK_PERM, TS(val, 0), NOP, WS 7: "[mss 1460,sackOK,TS val … ecr 0,nop,wscale 7]".
    assert syn.options == bytes.fromhex("020405b4" "0402080a") + tsval.to_bytes(4, "big") + bytes(4) + bytes.fromhex("01030307")
    assert (syn.flags, syn.window, syn.ack, syn.seq) == (SYN, 64240, 0, sock.iss)
    assert decode_tcp_options(synack.options)["timestamp"][1] == tsval  # TSecr echoes the client
    assert decode_tcp_options(synack.options)["wscale"] == 7
    assert synack.ack == sock.iss + 1
    # Linux's initial windows: 44 * 1460 on the SYN, 45 * 1448 on the SYN,ACK (timestamps on).
    assert (syn.window, synack.window) == (64240, 65160)
    # After the handshake: NOP NOP TS on every segment, the window scaled by 128.
    assert ack.options[:4] == bytes.fromhex("0101080a")
    assert decode_tcp_options(ack.options)["timestamp"][1] == decode_tcp_options(synack.options)["timestamp"][0]
    assert sock.eff_mss == 1448


def test_without_timestamps_the_mss_is_whole():
    cfg = TcpConfig(timestamps=False, sack_perm=False, wscale=None)
    w, sock, apps = pair(config=cfg)
    w.run(1 * S)
    assert w.wire[0].seg.options == bytes.fromhex("020405b4")
    assert w.wire[2].seg.options == b""
    assert w.wire[2].seg.window == 64240
    assert sock.eff_mss == 1460


def test_data_both_ways_with_acks_then_fin_from_client():
    client = Recorder(on_connected_send=b"hello", reply=lambda d: StreamOps(close=True))
    w, sock, apps = pair(client_app=client, server_app=lambda: Recorder(reply=lambda d: StreamOps(send=d.upper())))
    w.run(100 * S)
    assert w.lines() == HS + [
        f"0.000100 {C}:{CP}>{SV}:80 [PSH,ACK] seq=1 ack=1 win=502 len=5",
        f"0.000150 {SV}:80>{C}:{CP} [ACK] seq=1 ack=6 win=510 len=0",
        f"0.000150 {SV}:80>{C}:{CP} [PSH,ACK] seq=1 ack=6 win=510 len=5",
        f"0.000200 {C}:{CP}>{SV}:80 [ACK] seq=6 ack=6 win=502 len=0",
        f"0.000200 {C}:{CP}>{SV}:80 [FIN,ACK] seq=6 ack=6 win=502 len=0",
        # Linux's tcp_fin: the FIN makes the server's connection interactive, so its ACK waits
        # (delayed ACK) and leaves on the server's own FIN, which the application sends at once.
        f"0.000250 {SV}:80>{C}:{CP} [FIN,ACK] seq=6 ack=7 win=510 len=0",
        f"0.000300 {C}:{CP}>{SV}:80 [ACK] seq=7 ack=7 win=502 len=0",
    ]
    assert bytes(apps[0].got) == b"hello" and bytes(client.got) == b"HELLO"
    # The side that closed first waits 60 s in TIME-WAIT; the other is gone when its FIN is ACKed.
    assert w.happened(Closed) == [(0.00035, SV, Closed(CloseReason.NORMAL)),
                                  (60.0003, C, Closed(CloseReason.NORMAL))]
    assert client.log == ["connected", "data 5", "eof", "closed NORMAL"]
    assert w.hosts[C].conns == {} and w.hosts[SV].conns == {}


def test_fin_from_server_first():
    client = Recorder(on_connected_send=b"GET")
    w, sock, apps = pair(client_app=client,
                         server_app=lambda: Recorder(reply=lambda d: StreamOps(send=b"bye", close=True)))
    w.run(100 * S)
    # The server writes then closes: the data goes at once, the FIN right behind it (Linux).
    assert w.lines()[3:] == [
        f"0.000100 {C}:{CP}>{SV}:80 [PSH,ACK] seq=1 ack=1 win=502 len=3",
        f"0.000150 {SV}:80>{C}:{CP} [ACK] seq=1 ack=4 win=510 len=0",
        f"0.000150 {SV}:80>{C}:{CP} [PSH,ACK] seq=1 ack=4 win=510 len=3",
        f"0.000150 {SV}:80>{C}:{CP} [FIN,ACK] seq=4 ack=4 win=510 len=0",
        f"0.000200 {C}:{CP}>{SV}:80 [ACK] seq=4 ack=4 win=502 len=0",
        # The ACK of the FIN is delayed and rides on the client's own FIN,ACK.
        f"0.000200 {C}:{CP}>{SV}:80 [FIN,ACK] seq=4 ack=5 win=502 len=0",
        f"0.000250 {SV}:80>{C}:{CP} [ACK] seq=5 ack=5 win=510 len=0",
    ]
    assert w.happened(EndOfStream) == [(0.0002, C, EndOfStream()), (0.00025, SV, EndOfStream())]
    assert w.happened(Closed) == [(0.0003, C, Closed(CloseReason.NORMAL)), (60.00025, SV, Closed(CloseReason.NORMAL))]


def test_simultaneous_close_goes_through_closing():
    w, sock, apps = pair(server_app=lambda: Recorder(close_on_eof=False), client_app=Recorder(close_on_eof=False))
    w.run(1 * S)
    [server_key] = w.hosts[SV].conns
    w.call(C, w.hosts[C].close, sock.key)
    w.call(SV, w.hosts[SV].close, server_key)
    assert states(w) == {C: [TcpState.FIN_WAIT_1], SV: [TcpState.FIN_WAIT_1]}
    w.run(1 * S + 60 * US)
    assert states(w) == {C: [TcpState.CLOSING], SV: [TcpState.CLOSING]}
    w.run(100 * S)
    assert w.lines()[3:] == [
        f"1.000000 {C}:{CP}>{SV}:80 [FIN,ACK] seq=1 ack=1 win=502 len=0",
        f"1.000000 {SV}:80>{C}:{CP} [FIN,ACK] seq=1 ack=1 win=510 len=0",
        f"1.000050 {SV}:80>{C}:{CP} [ACK] seq=2 ack=2 win=510 len=0",
        f"1.000050 {C}:{CP}>{SV}:80 [ACK] seq=2 ack=2 win=502 len=0",
    ]
    assert w.happened(Closed) == [(61.0001, C, Closed(CloseReason.NORMAL)), (61.0001, SV, Closed(CloseReason.NORMAL))]


def test_lost_fin_is_sent_again_and_both_ends_pass_through_time_wait():
    # The server's FIN (segment 6) is lost. The client, having read the reply, sends its own FIN,
    # which finds the server in FIN-WAIT-1 with its FIN unACKed: CLOSING. The server's FIN goes
    # again at its RTO (200.1 ms after the last ACK restarted the timer).
    client = Recorder(on_connected_send=b"x", reply=lambda d: StreamOps(close=True))
    w, sock, apps = pair(loss=lambda n, seg: n == 6, client_app=client,
                         server_app=lambda: Recorder(reply=lambda d: StreamOps(send=b"y", close=True)))
    w.run(100 * S)
    assert w.lines()[4:] == [
        f"0.000150 {SV}:80>{C}:{CP} [ACK] seq=1 ack=2 win=510 len=0",
        f"0.000150 {SV}:80>{C}:{CP} [PSH,ACK] seq=1 ack=2 win=510 len=1",
        f"0.000150 {SV}:80>{C}:{CP} [FIN,ACK] seq=2 ack=2 win=510 len=0 LOST",
        f"0.000200 {C}:{CP}>{SV}:80 [ACK] seq=2 ack=2 win=502 len=0",
        f"0.000200 {C}:{CP}>{SV}:80 [FIN,ACK] seq=2 ack=2 win=502 len=0",
        f"0.000250 {SV}:80>{C}:{CP} [ACK] seq=3 ack=3 win=510 len=0",
        f"0.200350 {SV}:80>{C}:{CP} [FIN,ACK] seq=2 ack=3 win=510 len=0",
        f"0.200400 {C}:{CP}>{SV}:80 [ACK] seq=3 ack=3 win=502 len=0",
    ]
    assert f"{SV}:80\u2194{C}:{CP}: the peer's FIN crossed ours (simultaneous close), CLOSING" in w.notes()
    assert w.happened(Closed) == [(60.2004, C, Closed(CloseReason.NORMAL)), (60.20045, SV, Closed(CloseReason.NORMAL))]


def test_time_wait_restarts_on_a_fin_sent_again():
    # Lose the ACK of the server's FIN: the server retransmits the FIN at its RTO.
    w, sock, apps = pair(loss=lambda n, seg: n == 5, client_app=Recorder(close_on_eof=False),
                         server_app=lambda: Recorder(close_on_eof=True))
    w.run(1 * S)
    w.call(C, w.hosts[C].close, sock.key)  # at 1 s: FIN, FIN,ACK back, final ACK lost
    w.run(200 * S)
    assert w.lines()[3:] == [
        f"1.000000 {C}:{CP}>{SV}:80 [FIN,ACK] seq=1 ack=1 win=502 len=0",
        f"1.000050 {SV}:80>{C}:{CP} [FIN,ACK] seq=1 ack=2 win=510 len=0",
        f"1.000100 {C}:{CP}>{SV}:80 [ACK] seq=2 ack=2 win=502 len=0 LOST",
        f"1.200150 {SV}:80>{C}:{CP} [FIN,ACK] seq=1 ack=2 win=510 len=0",
        f"1.200200 {C}:{CP}>{SV}:80 [ACK] seq=2 ack=2 win=502 len=0",
    ]
    assert w.happened(Closed) == [(1.20025, SV, Closed(CloseReason.NORMAL)), (61.2002, C, Closed(CloseReason.NORMAL))]


def test_syn_to_a_closed_port_is_refused_with_rst_ack():
    client = Recorder()
    w, sock, apps = pair(listen=False, client_app=client)
    w.run(1 * S)
    assert w.lines() == [
        f"0.000000 {C}:{CP}>{SV}:80 [SYN] seq=0 win=64240 len=0",
        f"0.000050 {SV}:80>{C}:{CP} [RST,ACK] seq=0 ack=1 win=0 len=0",
    ]
    assert w.happened(Closed) == [(0.0001, C, Closed(CloseReason.REFUSED))]
    assert client.log == ["closed REFUSED"]
    assert w.kinds() == ["tcp.connect", "tcp.reset_sent", "tcp.refused"]
    assert w.notes()[1:] == [
        f"{SV} answers a SYN to a port where nothing listens ({C}:{CP} \u2192 port 80) with RST",
        f"{SV} answers the SYN with RST,ACK: nothing listens on port 80 (connection refused)",
    ]


@pytest.mark.parametrize(
    ("flags", "seq", "ack", "payload", "expected"),
    [
        (SYN, 1000, 0, b"", Tcp(80, 40000, 0, 1001, RST | ACK, 0)),
        (SYN | FIN, 1000, 0, b"", Tcp(80, 40000, 0, 1002, RST | ACK, 0)),
        (FIN, 1000, 0, b"abc", Tcp(80, 40000, 0, 1004, RST | ACK, 0)),
        (ACK, 1000, 777, b"", Tcp(80, 40000, 777, 0, RST, 0)),
        (PSH | ACK, 0xFFFFFFFF, 5, b"xy", Tcp(80, 40000, 5, 0, RST, 0)),
        (RST, 1000, 0, b"", None),
        (RST | ACK, 1000, 5, b"", None),
    ],
)
def test_reset_for_a_segment_of_no_connection(flags, seq, ack, payload, expected):
    acts = reset_for(Tcp(40000, 80, seq, ack, flags, 1000, payload), "10.0.0.9", "10.0.0.2")
    emits = [a for a in acts if isinstance(a, Emit)]
    assert emits == ([] if expected is None else [Emit(expected, "10.0.0.2", "10.0.0.9")])


def test_lost_syn_is_sent_again_one_second_later():
    w, sock, apps = pair(loss=lambda n, seg: n == 0)
    w.run(5 * S)
    assert w.lines() == [
        f"0.000000 {C}:{CP}>{SV}:80 [SYN] seq=0 win=64240 len=0 LOST",
        f"1.000000 {C}:{CP}>{SV}:80 [SYN] seq=0 win=64240 len=0",
        f"1.000050 {SV}:80>{C}:{CP} [SYN,ACK] seq=0 ack=1 win=65160 len=0",
        f"1.000100 {C}:{CP}>{SV}:80 [ACK] seq=1 ack=1 win=502 len=0",
    ]
    assert f"{C}:{CP}\u2194{SV}:80: no ACK in time, retransmission 1 of the SYN; RTO doubled to 2000 ms" in w.notes()


def test_lost_syn_ack_is_answered_when_the_syn_comes_again():
    w, sock, apps = pair(loss=lambda n, seg: n == 1)
    w.run(5 * S)
    assert w.lines() == [
        f"0.000000 {C}:{CP}>{SV}:80 [SYN] seq=0 win=64240 len=0",
        f"0.000050 {SV}:80>{C}:{CP} [SYN,ACK] seq=0 ack=1 win=65160 len=0 LOST",
        f"1.000000 {C}:{CP}>{SV}:80 [SYN] seq=0 win=64240 len=0",
        f"1.000050 {SV}:80>{C}:{CP} [SYN,ACK] seq=0 ack=1 win=65160 len=0",
        f"1.000050 {SV}:80>{C}:{CP} [SYN,ACK] seq=0 ack=1 win=65160 len=0",
        f"1.000100 {C}:{CP}>{SV}:80 [ACK] seq=1 ack=1 win=502 len=0",
        f"1.000100 {C}:{CP}>{SV}:80 [ACK] seq=1 ack=1 win=502 len=0",
    ]
    assert states(w) == {C: [TcpState.ESTABLISHED], SV: [TcpState.ESTABLISHED]}


def test_syn_gives_up_after_six_retries_at_127_s():
    client = Recorder()
    w, sock, apps = pair(loss=lambda n, seg: True, client_app=client)
    w.run(300 * S)
    assert [s.t / S for s in w.wire] == [0, 1, 3, 7, 15, 31, 63]
    assert w.happened(Closed) == [(127.0, C, Closed(CloseReason.TIMEOUT))]
    assert w.notes()[-1] == (f"{C}:{CP}\u2194{SV}:80: no answer after 6 retransmissions of the SYN; "
                             "giving up (connection timed out)")
    assert w.hosts[C].conns == {}


def test_lost_data_is_sent_again_after_the_rto():
    # RTT 100 µs measured on the SYN: RTO = 100 µs + max(4 * 50 µs, 200 ms) = 200.1 ms.
    w, sock, apps = pair(loss=lambda n, seg: n == 3, client_app=Recorder(on_connected_send=b"x" * 100))
    w.run(5 * S)
    assert w.lines()[3:] == [
        f"0.000100 {C}:{CP}>{SV}:80 [PSH,ACK] seq=1 ack=1 win=502 len=100 LOST",
        f"0.200200 {C}:{CP}>{SV}:80 [PSH,ACK] seq=1 ack=1 win=502 len=100",
        f"0.200250 {SV}:80>{C}:{CP} [ACK] seq=1 ack=101 win=510 len=0",
    ]
    assert bytes(apps[0].got) == b"x" * 100


def test_data_gives_up_after_the_retry_limit():
    cfg = TcpConfig(data_retries=3)
    client = Recorder(on_connected_send=b"x" * 10)
    w, sock, apps = pair(loss=lambda n, seg: n >= 3, client_app=client, config=cfg)
    w.run(100 * S)
    sent = [round(s.t / MS, 1) for s in w.wire[3:]]
    assert sent == [0.1, 200.2, 600.4, 1400.8]  # RTO 200.1 ms, doubled each time
    assert w.happened(Closed)[0] == (3.0016, C, Closed(CloseReason.TIMEOUT))
    assert client.log == ["connected", "closed TIMEOUT"]


def test_third_duplicate_ack_triggers_fast_retransmit_and_sack():
    data = bytes(range(256)) * 34  # 8704 bytes: six segments of 1448 and one of 16
    w, sock, apps = pair(loss=lambda n, seg: n == 4, client_app=Recorder(on_connected_send=data))
    w.run(5 * S)
    lines = w.lines()
    assert lines[3:10] == [
        f"0.000100 {C}:{CP}>{SV}:80 [ACK] seq=1 ack=1 win=502 len=1448",
        f"0.000100 {C}:{CP}>{SV}:80 [ACK] seq=1449 ack=1 win=502 len=1448 LOST",
        f"0.000100 {C}:{CP}>{SV}:80 [ACK] seq=2897 ack=1 win=502 len=1448",
        f"0.000100 {C}:{CP}>{SV}:80 [ACK] seq=4345 ack=1 win=502 len=1448",
        f"0.000100 {C}:{CP}>{SV}:80 [ACK] seq=5793 ack=1 win=502 len=1448",
        f"0.000100 {C}:{CP}>{SV}:80 [ACK] seq=7241 ack=1 win=502 len=1448",
        f"0.000100 {C}:{CP}>{SV}:80 [PSH,ACK] seq=8689 ack=1 win=502 len=16",
    ]
    assert lines[10:] == [f"0.000150 {SV}:80>{C}:{CP} [ACK] seq=1 ack=1449 win=510 len=0"] * 6 + [
        f"0.000200 {C}:{CP}>{SV}:80 [ACK] seq=1449 ack=1 win=502 len=1448",
        f"0.000250 {SV}:80>{C}:{CP} [ACK] seq=1 ack=8705 win=510 len=0",
    ]
    # The duplicate ACKs carry SACK blocks for what arrived beyond the hole (RFC 2018).
    base = sock.iss
    last_dup = w.wire[15].seg
    assert decode_tcp_options(last_dup.options)["sack"] == [[base + 2897, base + 8705]]
    assert bytes(apps[0].got) == data
    assert any("third duplicate ACK for 1449: fast retransmit" in n for n in w.notes())


def test_abort_sends_rst_and_the_peer_sees_a_reset():
    server = []
    w, sock, apps = pair(server_app=lambda: server.append(Recorder()) or server[-1])
    w.run(1 * S)
    w.call(C, w.hosts[C].abort, sock.key)
    w.run(2 * S)
    assert w.lines()[3:] == [f"1.000000 {C}:{CP}>{SV}:80 [RST,ACK] seq=1 ack=1 win=0 len=0"]
    assert w.happened(Closed) == [(1.0, C, Closed(CloseReason.ABORTED)), (1.00005, SV, Closed(CloseReason.RESET))]
    assert server[0].log == ["connected", "closed RESET"]


def established_socket():
    """A client socket driven by hand to ESTABLISHED with peer ISN 5000, no options."""
    cfg = TcpConfig(timestamps=False, sack_perm=False, wscale=None)
    sock = TcpSocket(C, 40000, SV, 80, random.Random(7), cfg)
    sock.connect(0)
    sock.on_segment(100, Tcp(80, 40000, 5000, sock.iss + 1, SYN | ACK, 64240), SV, C)
    assert sock.state is TcpState.ESTABLISHED
    return sock


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0, "reset"),  # exactly RCV.NXT: the connection is reset
        (10, "challenge"),  # in the window but not exact: RFC 5961 §3.2 challenge ACK
        (100_000, "drop"),  # outside the window: dropped, answered with an ACK (§3.10.7.4)
    ],
)
def test_rst_must_match_rcv_nxt_exactly(offset, expected):
    sock = established_socket()
    acts = sock.on_segment(200, Tcp(80, 40000, 5001 + offset, 0, RST, 0), SV, C)
    if expected == "reset":
        assert acts[-1] == Closed(CloseReason.RESET) and sock.state is TcpState.CLOSED
    else:
        assert sock.state is TcpState.ESTABLISHED
        assert acts == ([Emit(Tcp(40000, 80, sock.iss + 1, 5001, ACK, 64240), C, SV)]
                        if expected == "challenge" else [])


def test_syn_on_an_established_connection_gets_a_challenge_ack():
    sock = established_socket()
    acts = sock.on_segment(200, Tcp(80, 40000, 5001, 0, SYN, 64240), SV, C)
    assert acts == [Emit(Tcp(40000, 80, sock.iss + 1, 5001, ACK, 64240), C, SV)]
    assert sock.state is TcpState.ESTABLISHED


def test_a_stale_timer_is_ignored():
    sock = TcpSocket(C, 40000, SV, 80, random.Random(7))
    acts = sock.connect(0)
    assert acts[-1] == SetTimer(TimerKey(sock.key, TimerKind.RETRANSMIT), 1 * S)
    assert sock.on_timer(999_999_999, TimerKey(sock.key, TimerKind.RETRANSMIT)) == []
    assert sock.on_timer(1 * S, TimerKey(sock.key, TimerKind.TIME_WAIT)) == []
    again = [a.seg.flags for a in sock.on_timer(1 * S, TimerKey(sock.key, TimerKind.RETRANSMIT))
             if isinstance(a, Emit)]
    assert again == [SYN]  # the armed instant: the SYN goes again


def test_retransmit_timer_is_cancelled_once_everything_is_acked():
    sock = established_socket()
    acts = sock.send(1000, b"abc")
    assert acts[-1] == SetTimer(TimerKey(sock.key, TimerKind.RETRANSMIT), 1000 + sock._rto.rto)
    acts = sock.on_segment(2000, Tcp(80, 40000, 5001, sock.iss + 4, ACK, 64240), SV, C)
    # The application is told its bytes are all acknowledged (the next step of http.server).
    assert acts == [CancelTimer(TimerKey(sock.key, TimerKind.RETRANSMIT)), AllAcked()]


def test_icmp_unreachable_while_connecting_ends_the_attempt():
    sock = TcpSocket(C, 40000, SV, 80, random.Random(7))
    sock.connect(0)
    acts = sock.on_icmp_unreachable(5 * MS, CloseReason.UNREACHABLE)
    assert acts[-1] == Closed(CloseReason.UNREACHABLE)
    assert sock.state is TcpState.CLOSED


def test_transfer_across_the_sequence_wrap():
    # RFC 6528's ISN is a keyed hash plus a 64 ns clock: connect at the instant that puts the
    # client's ISN 200 bytes before 2**32, so the 5,120 bytes it sends cross the wrap.
    data = bytes(range(256)) * 20
    w = World()
    client = w.host(C, 1)
    server = w.host(SV, 2)
    got = []
    server.listen(80, lambda key: got.append(Recorder(close_on_eof=True)) or got[-1])
    key = ConnKey(C, 40000, SV, 80)
    start = ((0xFFFFFF38 - initial_sequence(client.secret, key, 0)) % (1 << 32)) << 6
    w.run(start)
    sock, _ = w.call(C, client.connect, C, SV, 80, Recorder(on_connected_send=data, close_on_eof=True), 40000)
    w.run(start + 1 * S)
    w.call(C, client.close, sock.key)
    w.run(start + 100 * S)
    assert sock.iss == 0xFFFFFF38
    assert bytes(got[0].got) == data
    assert w.hosts[C].conns == {} and w.hosts[SV].conns == {}


def test_same_seed_same_bytes():
    def run():
        client = Recorder(on_connected_send=b"x" * 5000, reply=lambda d: StreamOps(close=True))
        w, sock, apps = pair(loss=lambda n, seg: n in (4, 9), client_app=client,
                             server_app=lambda: Recorder(reply=lambda d: StreamOps(send=b"ok")))
        w.run(100 * S)
        return [(s.t, s.seg.emit(src=s.src, dst=s.dst)) for s in w.wire]

    assert run() == run()


def test_listener_resets_a_stray_ack_and_ignores_a_stray_rst():
    w = World()
    server = w.host(SV, 2)
    server.listen(80)
    acts = server.on_segment(0, Tcp(40000, 80, 1, 12345, ACK, 100), C, SV)
    assert [a for a in acts if isinstance(a, Emit)] == [Emit(Tcp(80, 40000, 12345, 0, RST, 0), SV, C)]
    assert server.on_segment(0, Tcp(40000, 80, 1, 0, RST, 0), C, SV) == []
    assert server.conns == {}


def test_ephemeral_ports_are_even_and_distinct():
    w = World()
    client = w.host(C, 1)
    ports = [client.connect(0, C, SV, 80)[0].key.local_port for _ in range(50)]
    assert len(set(ports)) == 50
    assert all(p % 2 == 0 and 32768 <= p <= 60999 for p in ports)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: TcpSocket(C, 0, SV, 80, random.Random(1)), ValueError,
         "TcpSocket: local_port must be in 1..65535, not 0"),
        (lambda: TcpConfig(wscale=15), ValueError, "TcpConfig.wscale must be in 0..14 (RFC 7323 §2.3), not 15"),
        (lambda: TcpSocket(C, 40000, SV, 80, random.Random(1)).send(0, b"x"), RuntimeError,
         "TcpSocket(10.0.0.1:40000\u219410.0.0.2:80, CLOSED): send() after close or on a dead connection"),
    ],
)
def test_bad_calls_raise_at_once(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_data_before_the_handshake_completes_waits_for_it():
    sock = TcpSocket(C, 40000, SV, 80, random.Random(7), TcpConfig(timestamps=False, sack_perm=False, wscale=None))
    sock.connect(0)
    assert [a for a in sock.send(10, b"early") if isinstance(a, Emit)] == []
    acts = sock.on_segment(100, Tcp(80, 40000, 5000, sock.iss + 1, SYN | ACK, 64240), SV, C)
    emits = [a.seg for a in acts if isinstance(a, Emit)]
    assert emits == [Tcp(40000, 80, sock.iss + 1, 5001, ACK, 64240),
                     Tcp(40000, 80, sock.iss + 1, 5001, PSH | ACK, 64240, b"early")]
    assert Connected() in acts and not any(isinstance(a, Deliver) for a in acts)


def test_fin_with_data_out_of_order_waits_for_the_hole():
    sock = established_socket()
    first = sock.on_segment(200, Tcp(80, 40000, 5004, sock.iss + 1, FIN | ACK, 64240, b"def"), SV, C)
    assert not any(isinstance(a, (Deliver, EndOfStream)) for a in first)
    acts = sock.on_segment(300, Tcp(80, 40000, 5001, sock.iss + 1, ACK, 64240, b"abc"), SV, C)
    assert [a for a in acts if isinstance(a, (Deliver, EndOfStream))] == [Deliver(b"abcdef"), EndOfStream()]
    assert sock.state is TcpState.CLOSE_WAIT and sock.rcv_nxt == 5008


def test_simultaneous_open():
    # Both ends connect to each other's port 5000 at the same instant (RFC 9293 Figure 8).
    w = World()
    a, b = w.host(C, 1), w.host(SV, 2)
    ra, rb = Recorder(), Recorder()
    w.call(C, a.connect, C, SV, 5000, ra, 5000)
    w.call(SV, b.connect, SV, C, 5000, rb, 5000)
    w.run(1 * S)
    assert w.lines() == [
        f"0.000000 {C}:5000>{SV}:5000 [SYN] seq=0 win=64240 len=0",
        f"0.000000 {SV}:5000>{C}:5000 [SYN] seq=0 win=64240 len=0",
        f"0.000050 {SV}:5000>{C}:5000 [SYN,ACK] seq=0 ack=1 win=64240 len=0",
        f"0.000050 {C}:5000>{SV}:5000 [SYN,ACK] seq=0 ack=1 win=64240 len=0",
    ]
    assert states(w) == {C: [TcpState.ESTABLISHED], SV: [TcpState.ESTABLISHED]}
    assert w.happened(Connected) == [(0.0001, C, Connected()), (0.0001, SV, Connected())]


def test_a_new_syn_ends_the_time_wait_of_the_same_ports():
    # The server closes first and sits in TIME-WAIT; the client comes back from the same port
    # 10 s later. Linux accepts the new SYN (its sequence number is beyond the old connection).
    server_apps = []
    w, sock, apps = pair(client_app=Recorder(on_connected_send=b"a"),
                         server_app=lambda: server_apps.append(Recorder(reply=lambda d: StreamOps(close=True)))
                         or server_apps[-1])
    w.run(10 * S)
    assert states(w) == {C: [], SV: [TcpState.TIME_WAIT]}
    again, _ = w.call(C, w.hosts[C].connect, C, SV, 80, Recorder(), CP)
    w.run(11 * S)
    assert states(w) == {C: [TcpState.ESTABLISHED], SV: [TcpState.ESTABLISHED]}
    assert f"{SV}:80\u2194{C}:{CP}: a new SYN beyond the old connection ends its TIME-WAIT early" in w.notes()
    assert server_apps[0].log[-1] == "closed ABORTED" and len(server_apps) == 2


def test_ss_shows_listeners_and_connections_with_ss_state_names():
    from simcore.apps.tcp.ss import ss_lines

    w, sock, apps = pair(server_app=lambda: Recorder(reply=lambda d: StreamOps(close=True)),
                         client_app=Recorder(on_connected_send=b"hi", close_on_eof=False))
    w.run(1 * S)
    assert ss_lines(w.hosts[SV]) == [
        "State      Recv-Q Send-Q    Local Address:Port     Peer Address:Port Process",
        "LISTEN     0      4096              0.0.0.0:80             0.0.0.0:*",
        f"FIN-WAIT-2 0      0                {SV}:80        {C}:{CP}",  # the server closed first
    ]
    assert ss_lines(w.hosts[C])[1:] == [f"CLOSE-WAIT 0      0             {C}:{CP}           {SV}:80"]
    # Without -a ss leaves out LISTEN, TIME-WAIT and SYN-RECV (its default state filter).
    assert ss_lines(w.hosts[SV], listening=False)[1:] == [f"FIN-WAIT-2 0      0                {SV}:80        {C}:{CP}"]
    assert ss_lines(w.hosts[SV], listening=True)[1:] == ["LISTEN     0      4096              0.0.0.0:80             0.0.0.0:*"]


def test_close_in_syn_received_sends_the_fin_once_established():
    cfg = TcpConfig(timestamps=False, sack_perm=False, wscale=None)
    syn = Tcp(40000, 80, 5000, 0, SYN, 64240, options=bytes.fromhex("020405b4"))
    sock, _ = TcpSocket.accept(0, syn, C, SV, random.Random(3), cfg)
    assert sock.close(10) == [] and sock.state is TcpState.SYN_RECEIVED  # §3.10.4: queued
    acts = sock.on_segment(100, Tcp(40000, 80, 5001, sock.iss + 1, ACK, 64240), C, SV)
    assert sock.state is TcpState.FIN_WAIT_1
    assert [a.seg for a in acts if isinstance(a, Emit)] == [Tcp(80, 40000, sock.iss + 1, 5001, FIN | ACK, 64240)]
    assert Connected() in acts
