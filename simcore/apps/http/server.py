"""The design's ``{"kind": "http", "port": 80, "body": …, "server": …}`` service: a web server.

``server`` names the program (``programs.py``): Python's ``http.server`` (the default: what labs
start with ``python3 -m http.server``), ``nginx`` or ``apache``. ``HttpServerConnection`` is one
accepted connection: it reads requests, asks the program for the reply, and writes it the way
the program does:

- **http.server** writes the head, then the body, then shuts the connection down. Each step
  comes after the previous write is acknowledged (``on_all_acked``): Python's interpreter is
  slow next to a LAN round trip, and that is the order of the reference capture (head; the
  client's ACK; body; the client's ACK; FIN).
- **nginx** and **Apache** write head and body together and keep the connection for the next
  request until the client closes, the keep-alive timeout passes (65 s, 5 s; then they close),
  or the reply said ``Connection: close``.
"""

from __future__ import annotations

from dataclasses import dataclass

from simcore.apps.tcp.actions import CloseReason
from simcore.apps.tcp.stream import NOTHING, StreamOps

from .message import HttpError, split_head
from .programs import DEFAULT_PROGRAM, Reply, Request, Site, program

DEFAULT_EPOCH_S = 1_767_225_600  # 2026-01-01T00:00:00Z: simulated t = 0


@dataclass(frozen=True, slots=True)
class HttpService:
    port: int = 80
    body: str = "<h1>hello</h1>\n"
    server: str = DEFAULT_PROGRAM  # which program answers: "http.server", "nginx" or "apache"
    epoch_s: int = DEFAULT_EPOCH_S
    paths: tuple[str, ...] = ("/", "/index.html")

    def __post_init__(self) -> None:
        if not 0 < self.port <= 0xFFFF:
            raise ValueError(f"HttpService: port must be in 1..65535, not {self.port!r}")
        program(self.server)  # an unknown program name fails here, naming the choices

    def site(self) -> Site:
        # The page was written when the run began: its modification time is simulated t = 0.
        return Site(self.body.encode("utf-8"), self.epoch_s, self.epoch_s, self.paths)


@dataclass(frozen=True, slots=True)
class Served:
    """One line of the access log: what was asked and what was answered."""

    request: str
    status: int
    body_bytes: int


class HttpServerConnection:
    """The server side of one connection (a ``StreamApp``)."""

    def __init__(self, service: HttpService, log: list[Served] | None = None, local: tuple[str, int] | None = None):
        self.service = service
        self.program = program(service.server)
        self.site = service.site()
        self.local = local or ("0.0.0.0", service.port)  # our address and port (Apache's signature)
        self.served: list[Served] = log if log is not None else []  # shared by a service's connections
        self._buf = bytearray()
        self._writes: list[bytes] = []  # what is still to write, one write per entry
        self._closing = False  # close once the writes are done
        self._count = 0
        self.answered = False
        self.closed = False

    def on_connected(self, now: int) -> StreamOps:
        return NOTHING

    def on_data(self, now: int, data: bytes) -> StreamOps:
        if self.closed:
            return NOTHING
        self._buf += data
        return self._serve(now)

    def _serve(self, now: int) -> StreamOps:
        if self._writes or self._closing:
            return NOTHING  # still writing the last reply: the next request waits in the buffer
        try:
            found = split_head(bytes(self._buf))
        except HttpError:
            found, self._buf = (None, 0), bytearray()
        if found is None:
            return NOTHING
        head, size = found
        del self._buf[:size]
        self._count += 1
        reply = self.program.respond(self.site, Request(head, now, self.local[0], self.local[1], self._count))
        return self._answer(now, reply)

    def _answer(self, now: int, reply: Reply) -> StreamOps:
        self.answered = True
        if reply.status:
            self.served.append(Served(reply.request_line, reply.status, len(reply.body)))
        writes = [reply.head, reply.body] if reply.separate_writes else [reply.head + reply.body]
        self._writes = [w for w in writes if w]
        self._closing = not reply.keep_alive
        if not self._writes:
            return self._finish_writes(now)
        first = self._writes.pop(0)
        if self._writes or reply.separate_writes:
            return StreamOps(send=first)  # the rest after this write is acknowledged
        return StreamOps(send=first, close=self._closing, deadline_ns=self._keepalive_deadline(now))

    def on_all_acked(self, now: int) -> StreamOps:
        if self.closed:
            return NOTHING
        if self._writes:
            return StreamOps(send=self._writes.pop(0))
        if self._closing:
            return self._finish_writes(now)
        return NOTHING

    def _finish_writes(self, now: int) -> StreamOps:
        if self._closing:
            self.closed = True
            return StreamOps(close=True)
        ops = self._serve(now)  # a request that came while we were writing
        if ops is NOTHING:
            return StreamOps(deadline_ns=self._keepalive_deadline(now))
        return ops

    def _keepalive_deadline(self, now: int) -> int | None:
        if self._closing or self.program.keepalive_ns is None:
            return None
        return now + self.program.keepalive_ns

    def on_eof(self, now: int) -> StreamOps:
        # The client closed: close our side too (a keep-alive server reads the end and closes;
        # http.server, still writing, closes when it has written).
        if self.closed or (self._writes and self._closing):
            return NOTHING
        self.closed = True
        return StreamOps(close=True)

    def on_closed(self, now: int, reason: CloseReason) -> StreamOps:
        self.closed = True
        return NOTHING

    def on_deadline(self, now: int) -> StreamOps:
        # Keep-alive timeout with nothing asked: the server closes the idle connection.
        if self.closed or self._writes:
            return NOTHING
        self.closed = True
        return StreamOps(close=True)
