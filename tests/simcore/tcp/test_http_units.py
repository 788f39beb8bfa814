"""HTTP heads and curl's command line, request and reading, without any TCP (the servers' answers
are in test_http_servers.py)."""

import pytest

from simcore.apps.http import (
    CurlResult,
    CurlUsageError,
    build_request,
    parse_curl_args,
)
from simcore.apps.http.curl import CurlSession, unresolved
from simcore.apps.http.message import HttpError, split_head


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", "bad header line b'Host : a'"),
        (b"GET / HTTP/1.1\r\nno colon\r\n\r\n", "bad header line b'no colon'"),
        (b"x" * 9000, "head longer than 8192 bytes"),
    ],
)
def test_split_head_rejects(raw, message):
    with pytest.raises(HttpError) as info:
        split_head(raw)
    assert str(info.value) == message


def test_curl_request_is_debian_12_curl_s_80_bytes():
    # The reference capture of `curl http://203.0.113.2:8080/` from Debian 12 (curl 7.88.1):
    # request line, Host with the port, User-Agent, Accept, in that order: 80 bytes.
    req = parse_curl_args(["curl", "http://203.0.113.2:8080/"])
    wire = build_request(req)
    assert wire == (b"GET / HTTP/1.1\r\nHost: 203.0.113.2:8080\r\n"
                    b"User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n")
    assert len(wire) == 80


def test_curl_headers_replace_and_add():
    req = parse_curl_args(["curl", "-H", "Accept: text/html", "-H", "X-Lab: 1", "-A", "lab", "10.0.0.1/a/b"])
    assert build_request(req) == (b"GET /a/b HTTP/1.1\r\nHost: 10.0.0.1\r\nUser-Agent: lab\r\n"
                                  b"Accept: text/html\r\nX-Lab: 1\r\n\r\n")


@pytest.mark.parametrize(
    ("argv", "fields"),
    [
        (["curl", "http://10.0.2.15/"], {"host": "10.0.2.15", "port": 80, "path": "/", "method": "GET"}),
        (["curl", "10.0.2.15:8080"], {"host": "10.0.2.15", "port": 8080, "path": "/"}),
        (["curl", "-sS", "http://h/x?y"], {"silent": True, "show_error": True, "path": "/x?y"}),
        (["curl", "-I", "http://h/"], {"method": "HEAD", "include": True}),
        (["curl", "-m", "2.5", "--connect-timeout", "1", "http://h/"],
         {"max_time_ms": 2500, "connect_timeout_ms": 1000}),
        (["curl", "-f", "-o", "/dev/null", "http://h/"], {"fail": True, "discard_body": True}),
        (["curl", "-m5", "-XHEAD", "http://h/"], {"max_time_ms": 5000, "method": "HEAD"}),
    ],
)
def test_curl_command_lines(argv, fields):
    req = parse_curl_args(argv)
    assert {k: getattr(req, k) for k in fields} == fields


@pytest.mark.parametrize(
    ("argv", "exit_code", "first_line"),
    [
        (["curl"], 2, "curl: no URL specified!"),
        (["curl", "--frobnicate", "http://h/"], 2, "curl: option --frobnicate: is unknown"),
        (["curl", "-m", "abc", "http://h/"], 2, "curl: option -m: expected a proper numerical parameter"),
        (["curl", "-m"], 2, "curl: option -m: requires parameter"),
        (["curl", "https://h/"], 1, 'curl: (1) Protocol "https" not supported'),
        (["curl", "http://h:99999/"], 3,
         "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535"),
        (["curl", "http://:80/"], 3, "curl: (3) URL rejected: No host part in the URL"),
    ],
)
def test_curl_refuses_bad_command_lines(argv, exit_code, first_line):
    with pytest.raises(CurlUsageError) as info:
        parse_curl_args(argv)
    assert info.value.result.exit_code == exit_code
    assert info.value.result.stderr[0] == first_line


def test_unresolved_host():
    req = parse_curl_args(["curl", "http://web.lab/"])
    assert unresolved(req) == CurlResult(6, "", ("curl: (6) Could not resolve host: web.lab",))


def test_curl_deadline_comes_from_the_smaller_limit():
    req = parse_curl_args(["curl", "-m", "2", "--connect-timeout", "5", "http://h/"])
    session = CurlSession(req, started_ns=1_000_000_000)
    assert session.on_start(1_000_000_000).deadline_ns == 3_000_000_000
    # Once connected only -m still counts.
    assert session.on_connected(1_000_100_000).deadline_ns == 3_000_000_000
    only_connect = CurlSession(parse_curl_args(["curl", "--connect-timeout", "5", "http://h/"]), 0)
    assert only_connect.on_connected(100).deadline_ns is None


def test_result_lines_split_the_body():
    assert CurlResult(0, "a\r\nb\n").lines() == ["a", "b"]
    assert CurlResult(0, "no newline").lines() == ["no newline"]
    assert CurlResult(7, "", ("curl: (7) x",)).lines() == ["curl: (7) x"]
