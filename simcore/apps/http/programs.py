"""What three real web servers answer, byte for byte: Python's http.server, nginx, Apache httpd.

Each program turns a request head into a ``Reply``: the status, the head and body bytes as the
program writes them, whether it keeps the connection open, and how it writes (one write, or the
head and then the body). The versions are Debian 12's: Python 3.11.2 (``python3 -m
http.server`` in a directory holding the page as ``index.html``), nginx 1.22.1 and Apache
2.4.62 with Debian's default configuration (``sendfile on; tcp_nopush on; keepalive_timeout 65``
for nginx, ``KeepAlive On``, ``KeepAliveTimeout 5``, mod_deflate for Apache). The page's
modification time is the start of the run; ``Date`` is the simulated time.

Sources: CPython's ``Lib/http/server.py`` (``parse_request``, ``send_error``, ``send_head``),
nginx's ``ngx_http_header_filter_module.c`` and ``ngx_http_special_response.c``, httpd's
``modules/http/http_protocol.c`` (``ap_set_keepalive``, the error pages) and ``http_etag.c``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.utils import formatdate

from .message import HttpHead

NS_PER_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Request:
    """What the program needs of a request: its parsed head (None: not HTTP) and where it came."""

    head: HttpHead | None
    now_ns: int
    local_ip: str
    local_port: int
    count: int = 1  # the request's number on its connection (Apache's Keep-Alive max)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    head: bytes
    body: bytes
    keep_alive: bool  # the connection stays open for another request
    separate_writes: bool  # the head and the body are two writes (Python), else one
    request_line: str


@dataclass(frozen=True, slots=True)
class Site:
    """The served page: ``body`` at ``/`` and ``/index.html``, written at ``mtime_s``."""

    body: bytes
    mtime_s: int
    epoch_s: int  # wall-clock seconds at simulated t = 0
    paths: tuple[str, ...] = ("/", "/index.html")

    def date(self, now_ns: int) -> str:
        return http_date(self.epoch_s + now_ns // NS_PER_S)


def http_date(seconds: int) -> str:
    return formatdate(seconds, usegmt=True)  # RFC 9110 §5.6.7 IMF-fixdate, as all three write it


def _lines(start: str, fields: list[tuple[str, str]]) -> bytes:
    return (start + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n").encode("latin-1")


def _target_path(target: str) -> str:
    return target.split("?", 1)[0].split("#", 1)[0]


# -- Python 3.11's http.server ---------------------------------------------------------------------

PYTHON_SERVER = "SimpleHTTP/0.6 Python/3.11.2"
PYTHON_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 501: "Not Implemented",
                  505: "HTTP Version Not Supported"}
PYTHON_EXPLAIN = {400: "Bad request syntax or unsupported method", 404: "Nothing matches the given URI",
                  501: "Server does not support this operation", 505: "Cannot fulfill request"}
PYTHON_ERROR_PAGE = """\
<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: %(code)d</p>
        <p>Message: %(message)s.</p>
        <p>Error code explanation: %(code)s - %(explain)s.</p>
    </body>
</html>
"""


class PythonHttpServer:
    """``python3 -m http.server``: HTTP/1.0, one request per connection, then the server closes.

    ``SimpleHTTPRequestHandler`` writes the status line and headers in one write
    (``end_headers``) and the file in another (``copyfile``); the socket has no TCP_NODELAY."""

    name = "http.server"
    keepalive_ns: int | None = None

    def respond(self, site: Site, req: Request) -> Reply:
        head = req.head
        line = head.start if head is not None else ""
        if head is None:
            return self._error(site, req, 400, "Bad request syntax", line, http09=True)
        words = line.split()
        if not words:
            return Reply(0, b"", b"", False, True, line)  # an empty request line: closed unanswered
        http09 = True  # parse_request answers HTTP/0.9-style (no head) until the version is known
        if len(words) >= 3:
            version = words[-1]
            number = version[5:].split(".") if version.startswith("HTTP/") else []
            if len(number) != 2 or not all(n.isdigit() and len(n) <= 10 for n in number):
                return self._error(site, req, 400, f"Bad request version ({version!r})", line, http09=True)
            if (int(number[0]), int(number[1])) >= (2, 0):
                return self._error(site, req, 505, f"Invalid HTTP version ({version[5:]})", line, http09=True)
            http09 = False
        if not 2 <= len(words) <= 3:
            return self._error(site, req, 400, f"Bad request syntax ({line!r})", line, http09=http09)
        method, target = words[0], words[1]
        if len(words) == 2 and method != "GET":
            return self._error(site, req, 400, f"Bad HTTP/0.9 request type ({method!r})", line, http09=True)
        if method not in ("GET", "HEAD"):
            return self._error(site, req, 501, f"Unsupported method ({method!r})", line, http09=http09)
        if _target_path(target) not in site.paths:
            return self._error(site, req, 404, "File not found", line, http09=http09, method=method)
        fields = [("Server", PYTHON_SERVER), ("Date", site.date(req.now_ns)), ("Content-type", "text/html"),
                  ("Content-Length", str(len(site.body))), ("Last-Modified", http_date(site.mtime_s))]
        raw = b"" if http09 else _lines("HTTP/1.0 200 OK", fields)
        body = b"" if method == "HEAD" else site.body
        return Reply(200, raw, body, False, True, line)

    def _error(self, site: Site, req: Request, status: int, message: str, line: str, *, http09: bool,
               method: str = "") -> Reply:
        """``send_error``: the message becomes the reason phrase; the page says it again."""
        page = PYTHON_ERROR_PAGE % {"code": status, "message": html.escape(message, quote=False),
                                    "explain": html.escape(PYTHON_EXPLAIN[status], quote=False)}
        body = page.encode("utf-8")
        fields = [("Server", PYTHON_SERVER), ("Date", site.date(req.now_ns)), ("Connection", "close"),
                  ("Content-Type", "text/html;charset=utf-8"), ("Content-Length", str(len(body)))]
        raw = b"" if http09 else _lines(f"HTTP/1.0 {status} {message}", fields)
        return Reply(status, raw, b"" if method == "HEAD" else body, False, True, line)


# -- nginx 1.22 ----------------------------------------------------------------------------------

NGINX_VERSION = "nginx/1.22.1"
NGINX_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Not Allowed",
                 505: "HTTP Version Not Supported"}
NGINX_KEEPALIVE_S = 65  # keepalive_timeout 65 (Debian's nginx.conf)


@dataclass(frozen=True, slots=True)
class _Parsed:
    method: str
    target: str
    minor: int  # HTTP/1.minor
    keep_alive: bool


def _parse_http1(head: HttpHead | None) -> tuple[_Parsed | None, int]:
    """The request line and Connection field as nginx and Apache read them: (parsed, 0) or
    (None, the error status)."""
    if head is None:
        return None, 400
    words = head.start.split(" ")
    if len(words) != 3 or not words[0] or not words[1]:
        return None, 400
    method, target, version = words
    if not version.startswith("HTTP/") or len(version) < 8 or version[6] != "." \
            or not version[5].isdigit() or not version[7:].isdigit():
        return None, 400
    major, minor = int(version[5]), int(version[7:])
    if major != 1:
        return None, 505 if major > 1 else 400
    if minor >= 1 and head.get("Host") is None:
        return None, 400  # RFC 9112 §3.2: HTTP/1.1 needs Host
    tokens = [t.strip().lower() for t in (head.get("Connection") or "").split(",")]
    keep_alive = "keep-alive" in tokens if minor == 0 else "close" not in tokens
    return _Parsed(method, target, minor, keep_alive), 0


class Nginx:
    """nginx 1.22.1 on Debian 12: HTTP/1.1, keep-alive for 65 s, head and file in one segment
    (``sendfile on`` with ``tcp_nopush on`` corks them together)."""

    name = "nginx"
    keepalive_ns: int | None = NGINX_KEEPALIVE_S * NS_PER_S

    def respond(self, site: Site, req: Request) -> Reply:
        parsed, error = _parse_http1(req.head)
        line = req.head.start if req.head is not None else ""
        if parsed is None:
            # ngx_http_special_response_handler: a 400 ends keep-alive ("Connection: close").
            return self._error(site, req, error, line, keep_alive=False, method="")
        if parsed.method not in ("GET", "HEAD"):
            return self._error(site, req, 405, line, keep_alive=parsed.keep_alive, method=parsed.method)
        if _target_path(parsed.target) not in site.paths:
            return self._error(site, req, 404, line, keep_alive=parsed.keep_alive, method=parsed.method)
        length = len(site.body)
        fields = [("Server", NGINX_VERSION), ("Date", site.date(req.now_ns)), ("Content-Type", "text/html"),
                  ("Content-Length", str(length)), ("Last-Modified", http_date(site.mtime_s)),
                  ("Connection", "keep-alive" if parsed.keep_alive else "close"),
                  ("ETag", f'"{site.mtime_s:x}-{length:x}"'), ("Accept-Ranges", "bytes")]
        body = b"" if parsed.method == "HEAD" else site.body
        return Reply(200, _lines("HTTP/1.1 200 OK", fields), body, parsed.keep_alive, False, line)

    def _error(self, site: Site, req: Request, status: int, line: str, *, keep_alive: bool, method: str) -> Reply:
        title = f"{status} {NGINX_REASONS[status]}"
        page = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
                f"<hr><center>{NGINX_VERSION}</center>\r\n</body>\r\n</html>\r\n").encode("ascii")
        fields = [("Server", NGINX_VERSION), ("Date", site.date(req.now_ns)), ("Content-Type", "text/html"),
                  ("Content-Length", str(len(page))), ("Connection", "keep-alive" if keep_alive else "close")]
        body = b"" if method == "HEAD" else page
        return Reply(status, _lines(f"HTTP/1.1 {title}", fields), body, keep_alive, False, line)


# -- Apache httpd 2.4 ------------------------------------------------------------------------------

APACHE_VERSION = "Apache/2.4.62 (Debian)"
APACHE_KEEPALIVE_S = 5  # KeepAliveTimeout 5 (Debian's apache2.conf)
APACHE_MAX_KEEPALIVE = 100  # MaxKeepAliveRequests 100
APACHE_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                  505: "HTTP Version Not Supported"}
APACHE_ERROR_TEXT = {
    400: "<p>Your browser sent a request that this server could not understand.<br />\n</p>\n",
    404: "<p>The requested URL was not found on this server.</p>\n",
    405: "<p>The requested method {method} is not allowed for this URL.</p>\n",
    505: "",
}
APACHE_ALLOW = "POST,OPTIONS,HEAD,GET"  # make_allow over the methods of a static file (TraceEnable Off)
_DROPS_CONNECTION = (400, 408, 411, 413, 414, 417, 500, 501, 503)  # ap_status_drops_connection


class Apache:
    """Apache 2.4.62 on Debian 12: HTTP/1.1, keep-alive for 5 s; head and file in one write."""

    name = "apache"
    keepalive_ns: int | None = APACHE_KEEPALIVE_S * NS_PER_S

    def respond(self, site: Site, req: Request) -> Reply:
        parsed, error = _parse_http1(req.head)
        line = req.head.start if req.head is not None else ""
        if parsed is None:
            return self._error(site, req, error, line, None)
        if parsed.method not in ("GET", "HEAD", "POST"):  # the default handler serves POST as GET
            return self._error(site, req, 405, line, parsed)
        if _target_path(parsed.target) not in site.paths:
            return self._error(site, req, 404, line, parsed)
        length = len(site.body)
        mtime_us = site.mtime_s * 1_000_000
        # http_etag.c, FileETag MTime Size: weak while the file is less than a second old.
        weak = "W/" if (site.epoch_s + req.now_ns // NS_PER_S) - site.mtime_s < 1 else ""
        fields = [("Date", site.date(req.now_ns)), ("Server", APACHE_VERSION),
                  ("Last-Modified", http_date(site.mtime_s)), ("ETag", f'{weak}"{length:x}-{mtime_us:x}"'),
                  ("Accept-Ranges", "bytes"), ("Content-Length", str(length)), ("Vary", "Accept-Encoding")]
        keep = self._keepalive(req, parsed, 200, fields)
        fields.append(("Content-Type", "text/html"))
        body = b"" if parsed.method == "HEAD" else site.body
        return Reply(200, _lines("HTTP/1.1 200 OK", fields), body, keep, False, line)

    def _keepalive(self, req: Request, parsed: _Parsed | None, status: int, fields: list) -> bool:
        """``ap_set_keepalive``: Keep-Alive and Connection fields only for a client that sent the
        keep-alive token; "Connection: close" whenever the connection ends after this reply."""
        head = req.head
        asked = head is not None and "keep-alive" in (head.get("Connection") or "").lower()
        if parsed is not None and parsed.keep_alive and status not in _DROPS_CONNECTION \
                and req.count <= APACHE_MAX_KEEPALIVE:
            if asked:
                left = APACHE_MAX_KEEPALIVE - (req.count - 1)
                fields.append(("Keep-Alive", f"timeout={APACHE_KEEPALIVE_S}, max={left}"))
                fields.append(("Connection", "Keep-Alive"))
            return True
        fields.append(("Connection", "close"))
        return False

    def _error(self, site: Site, req: Request, status: int, line: str, parsed: _Parsed | None) -> Reply:
        title = f"{status} {APACHE_REASONS[status]}"
        host, port = self._signature_host(req)
        text = APACHE_ERROR_TEXT[status].format(method=html.escape(parsed.method if parsed else ""))
        page = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
                f"<title>{title}</title>\n</head><body>\n<h1>{APACHE_REASONS[status]}</h1>\n{text}<hr>\n"
                f"<address>{APACHE_VERSION} Server at {host} Port {port}</address>\n</body></html>\n").encode("latin-1")
        fields = [("Date", site.date(req.now_ns)), ("Server", APACHE_VERSION)]
        if status == 405:
            fields.append(("Allow", APACHE_ALLOW))
        fields.append(("Content-Length", str(len(page))))
        keep = self._keepalive(req, parsed, status, fields)
        fields.append(("Content-Type", "text/html; charset=iso-8859-1"))
        body = b"" if parsed is not None and parsed.method == "HEAD" else page
        return Reply(status, _lines(f"HTTP/1.1 {title}", fields), body, keep, False, line)

    @staticmethod
    def _signature_host(req: Request) -> tuple[str, int]:
        """``UseCanonicalName Off``: the server's name and port as the Host field gave them."""
        host_field = req.head.get("Host") if req.head is not None else None
        if not host_field:
            return req.local_ip, req.local_port
        name, colon, port = host_field.rpartition(":")
        if colon and port.isdigit():
            return name, int(port)
        return host_field, 80


PROGRAMS = {p.name: p for p in (PythonHttpServer(), Nginx(), Apache())}
DEFAULT_PROGRAM = "http.server"


def program(name: str):
    try:
        return PROGRAMS[name]
    except KeyError:
        raise ValueError(f"HTTP service: unknown server {name!r}; one of {', '.join(PROGRAMS)}") from None
