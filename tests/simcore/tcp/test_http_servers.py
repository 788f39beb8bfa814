"""What Python's http.server, nginx and Apache answer, byte for byte (simcore/apps/http/programs.py).

Debian 12's versions: Python 3.11.2 (python3 -m http.server), nginx 1.22.1, Apache 2.4.62, with
Debian's default configuration. The page was written at simulated t = 0 (2026-01-01 00:00:00
GMT); the requests come at t = 8 s, as curl's in the port-forward example.
"""

import pytest

from simcore.apps.http import CurlSession, HttpServerConnection, HttpService, parse_curl_args
from simcore.apps.http.message import split_head
from simcore.apps.http.programs import Request, program
from simcore.apps.tcp import StreamOps

S = 1_000_000_000
CURL = b"GET / HTTP/1.1\r\nHost: 203.0.113.2:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
PAGE58 = "<html><body><h1>It works: a port forward test</h1></body>\n"  # 58 bytes, as the reference's


def reply(server: str, raw: bytes, body: str = PAGE58, now: int = 8 * S, count: int = 1):
    found = split_head(raw)
    site = HttpService(body=body, server=server).site()
    return program(server).respond(site, Request(found[0] if found else None, now, "10.0.2.15", 80, count))


def test_python_http_server_answers_http_1_0_in_two_writes_185_bytes_of_head():
    assert len(PAGE58) == 58
    r = reply("http.server", CURL)
    # The reference capture: status line and headers in one segment (185 bytes for a 58-byte
    # page), the page in a second one, and the server closes.
    assert r.head == (b"HTTP/1.0 200 OK\r\n"
                      b"Server: SimpleHTTP/0.6 Python/3.11.2\r\n"
                      b"Date: Thu, 01 Jan 2026 00:00:08 GMT\r\n"
                      b"Content-type: text/html\r\n"
                      b"Content-Length: 58\r\n"
                      b"Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n")
    assert len(r.head) == 185 and r.body == PAGE58.encode()
    assert (r.status, r.keep_alive, r.separate_writes) == (200, False, True)


def test_python_http_server_error_pages():
    r = reply("http.server", b"GET /missing HTTP/1.1\r\nHost: a\r\n\r\n")
    assert r.head == (b"HTTP/1.0 404 File not found\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n"
                      b"Date: Thu, 01 Jan 2026 00:00:08 GMT\r\nConnection: close\r\n"
                      b"Content-Type: text/html;charset=utf-8\r\nContent-Length: 335\r\n\r\n")
    assert r.body == (b'<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n'
                      b"        <title>Error response</title>\n    </head>\n    <body>\n"
                      b"        <h1>Error response</h1>\n        <p>Error code: 404</p>\n"
                      b"        <p>Message: File not found.</p>\n"
                      b"        <p>Error code explanation: 404 - Nothing matches the given URI.</p>\n"
                      b"    </body>\n</html>\n")
    post = reply("http.server", b"POST / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert post.head.startswith(b"HTTP/1.0 501 Unsupported method ('POST')\r\n")
    assert b"<p>Message: Unsupported method ('POST').</p>" in post.body
    # A version parse_request rejects is answered HTTP/0.9-style: the page without any head.
    bad = reply("http.server", b"GET / HTTP/x\r\nHost: a\r\n\r\n")
    assert (bad.status, bad.head) == (400, b"") and b"Message: Bad request version (&#x27;HTTP/x&#x27;)" not in bad.body
    assert b"<p>Message: Bad request version ('HTTP/x').</p>" in bad.body
    head = reply("http.server", b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert head.body == b"" and b"Content-Length: 58\r\n" in head.head


def test_nginx_answers_keep_alive_in_one_write():
    r = reply("nginx", CURL)
    assert r.head + r.body == (b"HTTP/1.1 200 OK\r\n"
                               b"Server: nginx/1.22.1\r\n"
                               b"Date: Thu, 01 Jan 2026 00:00:08 GMT\r\n"
                               b"Content-Type: text/html\r\n"
                               b"Content-Length: 58\r\n"
                               b"Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
                               b"Connection: keep-alive\r\n"
                               b'ETag: "6955b900-3a"\r\n'  # hex mtime - hex length
                               b"Accept-Ranges: bytes\r\n\r\n" + PAGE58.encode())
    assert (r.keep_alive, r.separate_writes) == (True, False)
    missing = reply("nginx", b"GET /missing HTTP/1.1\r\nHost: a\r\n\r\n")
    assert missing.head.endswith(b"Content-Type: text/html\r\nContent-Length: 153\r\nConnection: keep-alive\r\n\r\n")
    assert missing.body == (b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
                            b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
                            b"</body>\r\n</html>\r\n")
    assert reply("nginx", b"POST / HTTP/1.1\r\nHost: a\r\n\r\n").head.startswith(b"HTTP/1.1 405 Not Allowed\r\n")
    # A bad request ends the connection (ngx_http_special_response_handler).
    bad = reply("nginx", b"GET / HTTP/1.1\r\n\r\n")
    assert (bad.status, bad.keep_alive) == (400, False) and b"Connection: close\r\n" in bad.head
    # HTTP/1.0 without keep-alive: "Connection: close", and nginx closes.
    old = reply("nginx", b"GET / HTTP/1.0\r\n\r\n")
    assert (old.keep_alive, b"Connection: close\r\n" in old.head) == (False, True)


def test_apache_answers_with_its_own_header_order():
    r = reply("apache", CURL)
    assert r.head + r.body == (b"HTTP/1.1 200 OK\r\n"
                               b"Date: Thu, 01 Jan 2026 00:00:08 GMT\r\n"
                               b"Server: Apache/2.4.62 (Debian)\r\n"
                               b"Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
                               b'ETag: "3a-6474846204000"\r\n'  # hex length - hex mtime in microseconds
                               b"Accept-Ranges: bytes\r\n"
                               b"Content-Length: 58\r\n"
                               b"Vary: Accept-Encoding\r\n"
                               b"Content-Type: text/html\r\n\r\n" + PAGE58.encode())
    assert (r.keep_alive, r.separate_writes) == (True, False)
    # Keep-Alive and Connection are echoed only to a client that sent the keep-alive token.
    ka = reply("apache", b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", count=3)
    assert b"Vary: Accept-Encoding\r\nKeep-Alive: timeout=5, max=98\r\nConnection: Keep-Alive\r\n" \
           b"Content-Type: text/html\r\n\r\n" in ka.head
    # The ETag is weak while the file is less than a second old.
    assert b'ETag: W/"3a-6474846204000"\r\n' in reply("apache", CURL, now=S // 2).head
    missing = reply("apache", b"GET /missing HTTP/1.1\r\nHost: 203.0.113.2:8080\r\n\r\n")
    assert missing.head == (b"HTTP/1.1 404 Not Found\r\nDate: Thu, 01 Jan 2026 00:00:08 GMT\r\n"
                            b"Server: Apache/2.4.62 (Debian)\r\nContent-Length: 275\r\n"
                            b"Content-Type: text/html; charset=iso-8859-1\r\n\r\n")
    assert missing.body == (b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
                            b"<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n"
                            b"<p>The requested URL was not found on this server.</p>\n<hr>\n"
                            b"<address>Apache/2.4.62 (Debian) Server at 203.0.113.2 Port 8080</address>\n"
                            b"</body></html>\n")
    assert missing.keep_alive
    put = reply("apache", b"PUT / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert put.head.startswith(b"HTTP/1.1 405 Method Not Allowed\r\n") and b"Allow: POST,OPTIONS,HEAD,GET\r\n" in put.head
    assert reply("apache", b"POST / HTTP/1.1\r\nHost: a\r\n\r\n").status == 200  # the default handler serves POST
    bad = reply("apache", b"GET / HTTP/1.1\r\n\r\n")
    assert (bad.status, bad.keep_alive) == (400, False)
    assert b"Content-Length: 301\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n" in bad.head


@pytest.mark.parametrize(
    ("raw", "statuses"),
    [
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", (200, 200, 200)),
        (b"GET /index.html?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", (200, 200, 200)),
        (b"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n", (404, 404, 404)),
        (b"DELETE / HTTP/1.1\r\nHost: a\r\n\r\n", (501, 405, 405)),
        (b"GET / HTTP/1.0\r\n\r\n", (200, 200, 200)),
        (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", (505, 505, 505)),
        (b"GARBAGE\r\n\r\n", (400, 400, 400)),
        (b"GET / HTTP/1.1\nHost: a\n\n", (200, 200, 200)),  # bare LF line ends
    ],
)
def test_status_for_each_request_and_server(raw, statuses):
    assert tuple(reply(name, raw).status for name in ("http.server", "nginx", "apache")) == statuses


def test_an_unknown_server_is_refused_by_name():
    with pytest.raises(ValueError) as info:
        HttpService(server="lighttpd")
    assert str(info.value) == "HTTP service: unknown server 'lighttpd'; one of http.server, nginx, apache"


def test_http_server_writes_the_body_after_the_head_is_acked_then_closes():
    conn = HttpServerConnection(HttpService(body="hi\n"))
    assert conn.on_data(0, b"GET / HTTP/1.1\r\nHo") == StreamOps()
    ops = conn.on_data(0, b"st: a\r\n\r\n")
    assert ops.send.startswith(b"HTTP/1.0 200 OK\r\n") and ops.send.endswith(b"\r\n\r\n") and not ops.close
    assert conn.on_all_acked(1) == StreamOps(send=b"hi\n")
    assert conn.on_all_acked(2) == StreamOps(close=True)
    assert conn.on_data(3, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n") == StreamOps()  # one request per connection
    assert [(s.request, s.status, s.body_bytes) for s in conn.served] == [("GET / HTTP/1.1", 200, 3)]


def test_keep_alive_servers_answer_each_request_and_close_when_idle():
    conn = HttpServerConnection(HttpService(body="hi\n", server="apache"))
    first = conn.on_data(0, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert first.send.endswith(b"\r\n\r\nhi\n") and not first.close and first.deadline_ns == 5 * S
    second = conn.on_data(S, b"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n")
    assert second.deadline_ns == 6 * S
    assert conn.on_deadline(6 * S) == StreamOps(close=True)  # KeepAliveTimeout 5
    assert [s.status for s in conn.served] == [200, 404]
    nginx = HttpServerConnection(HttpService(body="hi\n", server="nginx"))
    assert nginx.on_data(0, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").deadline_ns == 65 * S
    assert nginx.on_eof(S) == StreamOps(close=True)  # the client left: nginx closes too


def test_a_client_that_leaves_early_is_closed():
    conn = HttpServerConnection(HttpService())
    assert conn.on_eof(0) == StreamOps(close=True)


def test_curl_waits_for_the_fin_of_an_http_1_0_server_but_closes_after_a_keep_alive_reply():
    python = CurlSession(parse_curl_args(["curl", "http://a/"]), 0)
    python.on_connected(0)
    assert python.on_data(1, reply("http.server", CURL).head) == StreamOps()
    assert python.on_data(2, PAGE58.encode()) == StreamOps(close=False)  # done; the server closes
    nginx = CurlSession(parse_curl_args(["curl", "http://a/"]), 0)
    nginx.on_connected(0)
    r = reply("nginx", CURL)
    assert nginx.on_data(1, r.head + r.body) == StreamOps(close=True)
