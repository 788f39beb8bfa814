"""When a Linux receiver ACKs (simcore/apps/tcp/delack.py), as conversations with exact segments.

Client 10.0.0.1 (port 57794) and server 10.0.0.2:80 over a 50 µs link (tcp_harness.World).
Checked against Linux 6.1: tcp_input.c (tcp_event_data_recv, tcp_fin, __tcp_ack_snd_check),
tcp_output.c (tcp_event_data_sent, tcp_send_delayed_ack), tcp_timer.c (tcp_delack_timer_handler)
and tcp.c (tcp_cleanup_rbuf).
"""

from tcp_harness import Recorder, S, World

from simcore.apps.tcp import StreamOps

C, SV = "10.0.0.1", "10.0.0.2"
CP = 57794
CS, SC = f"{C}:{CP}>{SV}:80", f"{SV}:80>{C}:{CP}"


def pair(client_app, server_app):
    w = World()
    client = w.host(C, 1)
    server = w.host(SV, 2)
    server.listen(80, lambda key: server_app())
    sock, _ = w.call(C, client.connect, C, SV, 80, client_app)
    return w, sock


def test_sixteen_quick_acks_then_one_ack_every_second_full_segment():
    # The server answers a 3-byte request with 30 full segments and 100 bytes, then closes.
    body = b"x" * (30 * 1448 + 100)
    w, sock = pair(Recorder(on_connected_send=b"GET"), lambda: Recorder(reply=lambda d: StreamOps(send=body, close=True)))
    w.run(10 * S)
    client_acks = [(s.t, s.seg.ack - w.wire[1].seg.seq) for s in w.wire[5:] if s.src == C]
    # The first data arms 16 quick ACKs (tcp_incr_quickack: 64240 / (2 * 536) is more than
    # TCP_MAX_QUICKACKS): the first 10 segments (the initial window) and 6 of the next 20 are
    # ACKed one by one. Then an ACK goes for every second full segment (more than one receive
    # MSS unacknowledged). The last segment carries the FIN: the connection turns interactive
    # (tcp_fin) and the ACK waits for the client's own FIN.
    assert client_acks == (
        [(200_000, 1 + 1448 * k) for k in range(1, 11)]
        + [(300_000, 1 + 1448 * k) for k in range(11, 17)]
        + [(300_000, 1 + 1448 * k) for k in range(18, 31, 2)]
        + [(400_000, 1 + 1448 * 30 + 100 + 1)]
    )
    assert w.lines()[-3:] == [
        f"0.000350 {SC} [FIN,PSH,ACK] seq=43441 ack=4 win=510 len=100",
        f"0.000400 {CS} [FIN,ACK] seq=4 ack=43542 win=502 len=0",
        f"0.000450 {SC} [ACK] seq=43542 ack=5 win=510 len=0",
    ]


def test_interactive_connection_delays_its_acks_and_a_late_fin_ack_goes_alone():
    replies = []

    def reply_twice(data):
        replies.append(data)
        return StreamOps(send=data.upper()) if len(replies) <= 2 else StreamOps()

    w, sock = pair(Recorder(on_connected_send=b"a", close_on_eof=False),
                   lambda: Recorder(reply=reply_twice, close_on_eof=False))
    w.run(1 * S)
    w.call(C, w.hosts[C].send, sock.key, b"b")
    w.run(2 * S)
    w.call(C, w.hosts[C].send, sock.key, b"c")
    w.run(3 * S)
    w.call(C, w.hosts[C].send, sock.key, b"d")
    w.run(4 * S)
    w.call(C, w.hosts[C].close, sock.key)
    w.run(5 * S)
    [server_key] = w.hosts[SV].conns
    w.call(SV, w.hosts[SV].close, server_key)
    w.run(100 * S)
    assert w.lines()[3:] == [
        # Quick ACK of the first request, then the reply: sent within 40 ms (ato) of receiving,
        # it makes the server's connection interactive (tcp_event_data_sent).
        f"0.000100 {CS} [PSH,ACK] seq=1 ack=1 win=502 len=1",
        f"0.000150 {SC} [ACK] seq=1 ack=2 win=510 len=0",
        f"0.000150 {SC} [PSH,ACK] seq=1 ack=2 win=510 len=1",
        f"0.000200 {CS} [ACK] seq=2 ack=2 win=502 len=0",
        # Interactive: the ACK of "b" waits and rides on the reply.
        f"1.000000 {CS} [PSH,ACK] seq=2 ack=2 win=502 len=1",
        f"1.000050 {SC} [PSH,ACK] seq=2 ack=3 win=510 len=1",
        f"1.000100 {CS} [ACK] seq=3 ack=3 win=502 len=0",
        # No reply to "c": the delayed ACK goes alone 40 ms later, and the connection stops
        # being interactive (tcp_delack_timer_handler) ...
        f"2.000000 {CS} [PSH,ACK] seq=3 ack=3 win=502 len=1",
        f"2.040050 {SC} [ACK] seq=3 ack=4 win=510 len=0",
        # ... so "d" is ACKed at once again (quick ACKs are left).
        f"3.000000 {CS} [PSH,ACK] seq=4 ack=3 win=502 len=1",
        f"3.000050 {SC} [ACK] seq=3 ack=5 win=510 len=0",
        # The FIN's ACK waits for the application's FIN; the application does not close, so it
        # goes alone after 40 ms.
        f"4.000000 {CS} [FIN,ACK] seq=5 ack=3 win=502 len=0",
        f"4.040050 {SC} [ACK] seq=3 ack=6 win=510 len=0",
        # In FIN-WAIT-2 the peer's FIN is ACKed at once (tcp_fin).
        f"5.000000 {SC} [FIN,ACK] seq=3 ack=6 win=510 len=0",
        f"5.000050 {CS} [ACK] seq=6 ack=4 win=502 len=0",
    ]


def test_the_ack_of_a_fin_merges_with_the_application_s_close():
    # The server writes and closes; the client reads the data, then gets the FIN: one FIN,ACK.
    w, sock = pair(Recorder(on_connected_send=b"GET"),
                   lambda: Recorder(reply=lambda d: StreamOps(send=b"bye", close=True)))
    w.run(10 * S)
    assert w.lines()[3:] == [
        f"0.000100 {CS} [PSH,ACK] seq=1 ack=1 win=502 len=3",
        f"0.000150 {SC} [ACK] seq=1 ack=4 win=510 len=0",
        f"0.000150 {SC} [PSH,ACK] seq=1 ack=4 win=510 len=3",
        f"0.000150 {SC} [FIN,ACK] seq=4 ack=4 win=510 len=0",
        f"0.000200 {CS} [ACK] seq=4 ack=4 win=502 len=0",
        f"0.000200 {CS} [FIN,ACK] seq=4 ack=5 win=502 len=0",
        f"0.000250 {SC} [ACK] seq=5 ack=5 win=510 len=0",
    ]
    assert [k for k in w.kinds() if k == "tcp.fin_received"] == ["tcp.fin_received"]
