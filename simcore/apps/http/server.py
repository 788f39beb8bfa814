"""A tiny HTTP/1.1 server: the ``{"kind": "http", "port": 80, "body": …}`` service of a node.

One request per connection: it answers, then closes (``Connection: close``), as a small static
server configured without keep-alive does. ``/`` and ``/index.html`` serve the service body with
``200 OK``; other paths get ``404 Not Found``; methods other than GET and HEAD get ``405``; a
message that is not HTTP gets ``400``. The ``Date`` field comes from simulated time, counted from
``HttpService.epoch_s`` (never the wall clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formatdate

from simcore.apps.tcp.actions import CloseReason
from simcore.apps.tcp.stream import NOTHING, StreamOps

from .message import HttpError, HttpHead, split_head

DEFAULT_EPOCH_S = 1_767_225_600  # 2026-01-01T00:00:00Z: simulated t = 0
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           505: "HTTP Version Not Supported"}


@dataclass(frozen=True, slots=True)
class HttpService:
    port: int = 80
    body: str = "<h1>hello</h1>\n"
    server: str = "simcore-httpd/1.0"
    content_type: str = "text/html"
    epoch_s: int = DEFAULT_EPOCH_S
    paths: tuple[str, ...] = ("/", "/index.html")

    def __post_init__(self) -> None:
        if not 0 < self.port <= 0xFFFF:
            raise ValueError(f"HttpService: port must be in 1..65535, not {self.port!r}")


def error_page(status: int) -> bytes:
    title = f"{status} {REASONS[status]}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            f"</body>\r\n</html>\r\n").encode("ascii")


@dataclass(frozen=True, slots=True)
class Served:
    """One line of the access log: what was asked and what was answered."""

    request: str
    status: int
    body_bytes: int


def respond(service: HttpService, head: HttpHead | None, now: int) -> tuple[int, bytes, str]:
    """``(status, response bytes, request line as received)`` for a request head (None: unparseable)."""
    method = ""
    status = 400
    if head is not None:
        parts = head.start.split(" ")
        if len(parts) == 3 and parts[0] and parts[1]:
            method, target, version = parts
            if version not in ("HTTP/1.0", "HTTP/1.1"):
                status = 505 if version.startswith("HTTP/") else 400
            elif version == "HTTP/1.1" and head.get("Host") is None:
                status = 400  # RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host
            elif method not in ("GET", "HEAD"):
                status = 405
            else:
                path = target.split("?", 1)[0]
                status = 200 if path in service.paths else 404
    if status == 200:
        body, ctype = service.body.encode("utf-8"), service.content_type
    else:
        body, ctype = error_page(status), "text/html"
    fields = [
        ("Server", service.server),
        ("Date", formatdate(service.epoch_s + now // 1_000_000_000, usegmt=True)),
        ("Content-Type", ctype),
        ("Content-Length", str(len(body))),
        ("Connection", "close"),
    ]
    if status == 405:
        fields.append(("Allow", "GET, HEAD"))
    head_text = f"HTTP/1.1 {status} {REASONS[status]}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n"
    payload = head_text.encode("latin-1") + (b"" if method == "HEAD" else body)
    return status, payload, head.start if head is not None else ""


class HttpServerConnection:
    """The server side of one connection (a ``StreamApp``)."""

    def __init__(self, service: HttpService, log: list[Served] | None = None):
        self.service = service
        self._buf = bytearray()
        self.served: list[Served] = log if log is not None else []  # shared by a service's connections
        self.answered = False

    def on_connected(self, now: int) -> StreamOps:
        return NOTHING

    def on_data(self, now: int, data: bytes) -> StreamOps:
        if self.answered:
            return NOTHING  # one request per connection; anything after it is ignored
        self._buf += data
        try:
            found = split_head(bytes(self._buf))
        except HttpError:
            return self._answer(None, now)
        if found is None:
            return NOTHING
        return self._answer(found[0], now)

    def _answer(self, head: HttpHead | None, now: int) -> StreamOps:
        status, payload, line = respond(self.service, head, now)
        self.answered = True
        self.served.append(Served(line, status, len(payload) - payload.find(b"\r\n\r\n") - 4))
        return StreamOps(send=payload, close=True)

    def on_eof(self, now: int) -> StreamOps:
        # The client closed before a whole request arrived: close our side too.
        return NOTHING if self.answered else StreamOps(close=True)

    def on_closed(self, now: int, reason: CloseReason) -> StreamOps:
        return NOTHING

    def on_deadline(self, now: int) -> StreamOps:
        return NOTHING
