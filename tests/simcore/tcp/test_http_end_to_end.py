"""curl against the HTTP service over two TCP tables joined by a fake link (tcp_harness.World).

The addresses are port-forward.json's: the outside host 203.0.113.10 runs curl, the web server
answers on 10.0.2.15. Every segment went through emit/parse on the way.
"""

import pytest
from tcp_harness import Recorder, S, World

from simcore.apps.http import CurlResult, CurlSession, HttpServerConnection, HttpService, parse_curl_args
from simcore.apps.tcp import StreamOps, TcpConfig

OUT, VM = "203.0.113.10", "10.0.2.15"
PAGE = "<h1>hello from the VM</h1>\n"


def run_curl(command, *, loss=None, serve=True, app=None, until=400 * S, config=None, port=80, server="http.server"):
    w = World(loss=loss)
    client = w.host(OUT, 1, config)
    host = w.host(VM, 2, config)
    log = []
    if serve:
        service = HttpService(port=port, body=PAGE, server=server)
        host.listen(port, app or (lambda key: HttpServerConnection(service, log, (VM, port))))
    req = parse_curl_args(command.split())
    session = CurlSession(req, w.now)
    w.call(OUT, client.connect, OUT, req.host, req.port, session)
    w.run(until)
    return session, w, log


# Python's http.server (the default server) answering at t = 150 µs.
RESPONSE_HEAD = (
    "HTTP/1.0 200 OK\r\n"
    "Server: SimpleHTTP/0.6 Python/3.11.2\r\n"
    "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
    "Content-type: text/html\r\n"
    f"Content-Length: {len(PAGE)}\r\n"
    "Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n"
)
C, V = f"{OUT}:57794", f"{VM}:80"
HANDSHAKE = [
    f"0.000000 {C}>{V} [SYN] seq=0 win=64240 len=0",
    f"0.000050 {V}>{C} [SYN,ACK] seq=0 ack=1 win=65160 len=0",
    f"0.000100 {C}>{V} [ACK] seq=1 ack=1 win=502 len=0",
    f"0.000100 {C}>{V} [PSH,ACK] seq=1 ack=1 win=502 len=73",
    f"0.000150 {V}>{C} [ACK] seq=1 ack=74 win=510 len=0",
]


def test_on_done_is_told_once_when_the_page_is_complete():
    done = []
    w = World()
    client, server = w.host(OUT, 1), w.host(VM, 2)
    server.listen(80, lambda key: HttpServerConnection(HttpService(body=PAGE)))
    session = CurlSession(parse_curl_args(["curl", f"http://{VM}/"]), 0, on_done=lambda r: done.append((w.now, r)))
    w.call(OUT, client.connect, OUT, VM, 80, session)
    w.run(100 * S)
    # At 300 µs the page (http.server's second write) arrives: curl is done then, before the
    # FIN exchange ends.
    assert done == [(300_000, CurlResult(0, PAGE, ()))]


def test_curl_prints_the_page():
    session, w, log = run_curl(f"curl http://{VM}/")
    assert session.result == CurlResult(0, PAGE, ())
    assert session.result.lines() == ["<h1>hello from the VM</h1>"]
    request = w.wire[3].seg.payload
    assert request == f"GET / HTTP/1.1\r\nHost: {VM}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n".encode()
    assert w.wire[5].seg.payload == RESPONSE_HEAD.encode()
    assert w.wire[7].seg.payload == PAGE.encode()
    assert [(s.request, s.status, s.body_bytes) for s in log] == [("GET / HTTP/1.1", 200, len(PAGE))]
    # Both ends are gone once TIME-WAIT (on the server, which closed first) is over.
    assert w.hosts[OUT].conns == {} and w.hosts[VM].conns == {}


def test_curl_against_python_http_server_on_the_wire():
    # The reference capture's order: the head in one segment, the client's ACK, the page in a
    # second segment, the client's ACK, the server's FIN; curl answers it with one FIN,ACK (the
    # ACK of the FIN waits for curl's own close), and the server's last ACK.
    session, w, log = run_curl(f"curl http://{VM}/")
    h, p = len(RESPONSE_HEAD), len(PAGE)
    assert h == 185
    assert w.lines() == HANDSHAKE + [
        f"0.000150 {V}>{C} [PSH,ACK] seq=1 ack=74 win=510 len={h}",
        f"0.000200 {C}>{V} [ACK] seq=74 ack={1 + h} win=502 len=0",
        f"0.000250 {V}>{C} [PSH,ACK] seq={1 + h} ack=74 win=510 len={p}",
        f"0.000300 {C}>{V} [ACK] seq=74 ack={1 + h + p} win=502 len=0",
        f"0.000350 {V}>{C} [FIN,ACK] seq={1 + h + p} ack=74 win=510 len=0",
        f"0.000400 {C}>{V} [FIN,ACK] seq=74 ack={2 + h + p} win=502 len=0",
        f"0.000450 {V}>{C} [ACK] seq={2 + h + p} ack=75 win=510 len=0",
    ]


# Apache's ETag is weak (W/"...") here: the page is less than a second old.
@pytest.mark.parametrize(("server", "head_len"), [("nginx", 236), ("apache", 252)])
def test_curl_against_keep_alive_servers_on_the_wire(server, head_len):
    # nginx and Apache write head and page in one segment and keep the connection; curl, done,
    # closes; the server's ACK of curl's FIN rides on its own FIN.
    session, w, log = run_curl(f"curl http://{VM}/", server=server)
    assert session.result == CurlResult(0, PAGE, ())
    n = head_len + len(PAGE)
    assert w.lines() == HANDSHAKE + [
        f"0.000150 {V}>{C} [PSH,ACK] seq=1 ack=74 win=510 len={n}",
        f"0.000200 {C}>{V} [ACK] seq=74 ack={1 + n} win=502 len=0",
        f"0.000200 {C}>{V} [FIN,ACK] seq=74 ack={1 + n} win=502 len=0",
        f"0.000250 {V}>{C} [FIN,ACK] seq={1 + n} ack=75 win=510 len=0",
        f"0.000300 {C}>{V} [ACK] seq=75 ack={2 + n} win=502 len=0",
    ]
    assert [(s.request, s.status) for s in log] == [("GET / HTTP/1.1", 200)]


@pytest.mark.parametrize(("server", "idle_s", "reply_len"), [("nginx", 65, 263), ("apache", 5, 279)])
def test_keep_alive_servers_close_an_idle_connection(server, idle_s, reply_len):
    # A client that keeps the connection open after its answer: the server closes it once its
    # keep-alive timeout (nginx 65 s, Apache 5 s) has passed since the reply.
    request = f"GET / HTTP/1.1\r\nHost: {VM}\r\n\r\n".encode()
    client = Recorder(on_connected_send=request)
    w = World()
    out, host = w.host(OUT, 1), w.host(VM, 2)
    service = HttpService(body=PAGE, server=server)
    host.listen(80, lambda key: HttpServerConnection(service))
    w.call(OUT, out.connect, OUT, VM, 80, client)
    w.run(200 * S)
    r = len(request)
    assert w.lines()[3:] == [
        f"0.000100 {C}>{V} [PSH,ACK] seq=1 ack=1 win=502 len={r}",
        f"0.000150 {V}>{C} [ACK] seq=1 ack={1 + r} win=510 len=0",
        f"0.000150 {V}>{C} [PSH,ACK] seq=1 ack={1 + r} win=510 len={reply_len}",
        f"0.000200 {C}>{V} [ACK] seq={1 + r} ack={1 + reply_len} win=502 len=0",
        f"{idle_s}.000150 {V}>{C} [FIN,ACK] seq={1 + reply_len} ack={1 + r} win=510 len=0",
        f"{idle_s}.000200 {C}>{V} [FIN,ACK] seq={1 + r} ack={2 + reply_len} win=502 len=0",
        f"{idle_s}.000250 {V}>{C} [ACK] seq={2 + reply_len} ack={2 + r} win=510 len=0",
    ]


def test_curl_gets_the_page_through_lost_segments():
    # The request (segment 3) and the page (segment 8) are lost. The client resends the request
    # at its RTO (200.1 ms); the server resends the page at its RTO and, once it is ACKed, closes.
    session, w, log = run_curl(f"curl http://{VM}/", loss=lambda n, seg: n in (3, 8))
    assert session.result == CurlResult(0, PAGE, ())
    h, p = len(RESPONSE_HEAD), len(PAGE)
    assert w.lines()[3:] == [
        f"0.000100 {C}>{V} [PSH,ACK] seq=1 ack=1 win=502 len=73 LOST",
        f"0.200200 {C}>{V} [PSH,ACK] seq=1 ack=1 win=502 len=73",
        f"0.200250 {V}>{C} [ACK] seq=1 ack=74 win=510 len=0",
        f"0.200250 {V}>{C} [PSH,ACK] seq=1 ack=74 win=510 len={h}",
        f"0.200300 {C}>{V} [ACK] seq=74 ack={1 + h} win=502 len=0",
        f"0.200350 {V}>{C} [PSH,ACK] seq={1 + h} ack=74 win=510 len={p} LOST",
        f"0.400450 {V}>{C} [PSH,ACK] seq={1 + h} ack=74 win=510 len={p}",
        f"0.400500 {C}>{V} [ACK] seq=74 ack={1 + h + p} win=502 len=0",
        f"0.400550 {V}>{C} [FIN,ACK] seq={1 + h + p} ack=74 win=510 len=0",
        f"0.400600 {C}>{V} [FIN,ACK] seq=74 ack={2 + h + p} win=502 len=0",
        f"0.400650 {V}>{C} [ACK] seq={2 + h + p} ack=75 win=510 len=0",
    ]
    assert w.kinds() == ["tcp.connect", "tcp.accept", "tcp.established", "tcp.retransmit", "tcp.retransmit",
                         "tcp.fin_received", "tcp.time_wait", "tcp.closed", "tcp.closed"]


def test_refused_port_prints_linux_curl_s_line():
    session, w, log = run_curl("curl http://10.0.2.15:8081/")
    assert session.result == CurlResult(
        7, "", ("curl: (7) Failed to connect to 10.0.2.15 port 8081 after 0 ms: Couldn't connect to server",))
    assert session.result.lines() == [
        "curl: (7) Failed to connect to 10.0.2.15 port 8081 after 0 ms: Couldn't connect to server"]


def test_silent_refused_prints_nothing_but_fails():
    session, w, log = run_curl("curl -s http://10.0.2.15:8081/")
    assert session.result == CurlResult(7, "", ())


def test_connect_timeout_of_curl_itself():
    session, w, log = run_curl("curl --connect-timeout 5 http://10.0.2.15/", loss=lambda n, seg: True)
    assert session.result == CurlResult(28, "", ("curl: (28) Connection timed out after 5000 milliseconds",))
    assert [s.t / S for s in w.wire] == [0, 1, 3]  # the SYN and its retransmissions until curl gave up
    assert w.hosts[OUT].conns == {}


def test_max_time_while_connecting():
    session, w, log = run_curl("curl -m 2 --connect-timeout 10 http://10.0.2.15/", loss=lambda n, seg: True)
    assert session.result.stderr == ("curl: (28) Connection timed out after 2000 milliseconds",)


def test_kernel_gives_up_on_the_syn():
    session, w, log = run_curl("curl http://10.0.2.15/", loss=lambda n, seg: True)
    assert session.result == CurlResult(
        28, "", ("curl: (28) Failed to connect to 10.0.2.15 port 80 after 127000 ms: Couldn't connect to server",))


def test_404_prints_the_error_page_and_exits_0():
    session, w, log = run_curl(f"curl http://{VM}/missing", server="nginx")
    assert session.result.exit_code == 0
    assert session.result.lines() == [
        "<html>",
        "<head><title>404 Not Found</title></head>",
        "<body>",
        "<center><h1>404 Not Found</h1></center>",
        "<hr><center>nginx/1.22.1</center>",
        "</body>",
        "</html>",
    ]
    assert [(s.request, s.status) for s in log] == [("GET /missing HTTP/1.1", 404)]


def test_404_with_fail_exits_22():
    session, w, log = run_curl(f"curl -f http://{VM}/missing")
    assert session.result == CurlResult(22, "", ("curl: (22) The requested URL returned error: 404",))


def test_include_prints_the_head_too():
    session, w, log = run_curl(f"curl -i http://{VM}/")
    assert session.result.stdout == RESPONSE_HEAD + PAGE


def test_head_request_prints_only_the_head():
    session, w, log = run_curl(f"curl -I http://{VM}/")
    assert session.result.stdout == RESPONSE_HEAD
    assert w.wire[3].seg.payload.startswith(b"HEAD / HTTP/1.1\r\n")


def test_server_on_another_port():
    session, w, log = run_curl(f"curl http://{VM}:8080/", port=8080)
    assert session.result.stdout == PAGE
    assert f"Host: {VM}:8080\r\n".encode() in w.wire[3].seg.payload


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        # The server closes without a word: curl 52.
        (lambda: Recorder(reply=lambda d: StreamOps(close=True)),
         CurlResult(52, "", ("curl: (52) Empty reply from server",))),
        # The server resets the connection: curl 56.
        (lambda: Recorder(reply=lambda d: StreamOps(abort=True)),
         CurlResult(56, "", ("curl: (56) Recv failure: Connection reset by peer",))),
        # The server promises 100 bytes and closes after 2: curl 18, keeping what came.
        (lambda: Recorder(reply=lambda d: StreamOps(send=b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhi",
                                                    close=True)),
         CurlResult(18, "hi", ("curl: (18) transfer closed with 98 bytes remaining to read",))),
        # No Content-Length: the body ends with the connection.
        (lambda: Recorder(reply=lambda d: StreamOps(send=b"HTTP/1.1 200 OK\r\n\r\nuntil close", close=True)),
         CurlResult(0, "until close", ())),
        # Not HTTP at all.
        (lambda: Recorder(reply=lambda d: StreamOps(send=b"SSH-2.0-OpenSSH_9.6\r\n\r\n", close=True)),
         CurlResult(1, "", ("curl: (1) Received HTTP/0.9 when not allowed",))),
    ],
)
def test_curl_reports_what_went_wrong(server, expected):
    session, w, log = run_curl(f"curl http://{VM}/", app=lambda key: server())
    assert session.result == expected


def test_max_time_during_the_transfer():
    # The server answers the head and then nothing: -m 3 ends it, and curl aborts (RST).
    stall = lambda: Recorder(reply=lambda d: StreamOps(send=b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"))  # noqa: E731
    session, w, log = run_curl(f"curl -m 3 http://{VM}/", app=lambda key: stall())
    assert session.result == CurlResult(
        28, "", ("curl: (28) Operation timed out after 3000 milliseconds with 2 out of 10 bytes received",))
    assert "RST" in w.lines()[-1]


def test_without_timestamps_the_page_still_comes():
    cfg = TcpConfig(timestamps=False, sack_perm=False, wscale=None)
    session, w, log = run_curl(f"curl http://{VM}/", config=cfg)
    assert session.result.stdout == PAGE


def test_a_large_page_crosses_in_many_segments():
    big = "".join(f"line {i:05d}\n" for i in range(4000))  # 44,000 bytes
    w = World()
    client, server = w.host(OUT, 1), w.host(VM, 2)
    service = HttpService(body=big)
    server.listen(80, lambda key: HttpServerConnection(service))
    session = CurlSession(parse_curl_args(["curl", f"http://{VM}/"]), 0)
    w.call(OUT, client.connect, OUT, VM, 80, session)
    w.run(10 * S)
    assert session.result.stdout == big
    assert max(len(s.seg.payload) for s in w.wire) == 1448


def test_port_forward_example_refused_line():
    # port-forward.json's second curl: nothing answers 8081 on the router's public address but
    # the router's own TCP, which answers the SYN at once with RST,ACK, as a Linux router with no
    # rule and no listener does (curl: "connection refused").
    w = World()
    out = w.host(OUT, 1)
    w.host("203.0.113.2", 2)
    req = parse_curl_args(["curl", "http://203.0.113.2:8081/"])
    session = CurlSession(req, 0)
    w.call(OUT, out.connect, OUT, req.host, req.port, session)
    w.run(1 * S)
    assert session.result.lines() == [
        "curl: (7) Failed to connect to 203.0.113.2 port 8081 after 0 ms: Couldn't connect to server"]
    assert session.result.exit_code == 7
    assert [line.split(" [")[1].split("]")[0] for line in w.lines()] == ["SYN", "RST,ACK"]
