"""curl 7.88's behaviour (Debian 12's curl 7.88.1) as pure logic: its command line, its request, its output and exit codes.

``parse_curl_args`` reads the command line (the options a student types: ``-s -S -i -I -f -m
--connect-timeout -H -A -o``), ``build_request`` writes the bytes curl sends, and
``CurlSession`` is the stream application that reads the response and ends with a
``CurlResult``. Messages and exit codes are curl's own (``libcurl-errors(3)``):

- 7  ``Failed to connect to H port P after N ms: Couldn't connect to server`` (RST,ACK to the
  SYN, or no route); 28 with the same sentence when the kernel gave up on the SYN (ETIMEDOUT),
  because curl formats the sentence before turning ETIMEDOUT into 28 (lib/connect.c).
- 28 ``Connection timed out after N milliseconds`` when curl's own ``--connect-timeout``/``-m``
  expires while connecting, ``Operation timed out after N milliseconds with X bytes received``
  (``X out of Y`` when the length is known) later on.
- 52 ``Empty reply from server``, 56 ``Recv failure: Connection reset by peer``, 18 ``transfer
  closed with N bytes remaining to read``, 22 ``The requested URL returned error: 404`` (``-f``).
- 6 ``Could not resolve host: NAME`` (``unresolved``), 3 for a bad URL, 2 for a bad command line.

Without ``-f`` a 404 is a success for curl: the error page is printed and the exit code is 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simcore.apps.tcp.actions import CloseReason
from simcore.apps.tcp.stream import NOTHING, StreamOps

from .message import HttpError, split_head

CURL_VERSION = "7.88.1"  # Debian 12's curl, the client of the reference captures
NS_PER_MS = 1_000_000


class CurlUsageError(ValueError):
    """A command line curl refuses before doing anything; ``result`` is what it prints."""

    def __init__(self, result: CurlResult):
        super().__init__(result.stderr[0] if result.stderr else f"exit {result.exit_code}")
        self.result = result


@dataclass(frozen=True, slots=True)
class CurlResult:
    exit_code: int
    stdout: str = ""
    stderr: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """What a terminal shows: stdout split into lines, then the error lines."""
        out = self.stdout.replace("\r\n", "\n").split("\n") if self.stdout else []
        if out and out[-1] == "":
            out.pop()
        return out + list(self.stderr)


@dataclass(frozen=True, slots=True)
class CurlRequest:
    url: str
    host: str
    port: int
    path: str = "/"
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()  # -H, replacing defaults of the same name
    user_agent: str = f"curl/{CURL_VERSION}"
    include: bool = False  # -i
    fail: bool = False  # -f
    silent: bool = False  # -s
    show_error: bool = False  # -S
    discard_body: bool = False  # -o /dev/null
    max_time_ms: int | None = None  # -m
    connect_timeout_ms: int | None = None  # --connect-timeout

    @property
    def quiet_errors(self) -> bool:
        return self.silent and not self.show_error


def _usage(line: str, code: int = 2) -> CurlUsageError:
    return CurlUsageError(CurlResult(code, "", (line, "curl: try 'curl --help' or 'curl --manual' for more information")))


def _seconds_ms(opt: str, value: str) -> int:
    try:
        seconds = float(value)
    except ValueError:
        raise _usage(f"curl: option {opt}: expected a proper numerical parameter") from None
    if seconds < 0 or seconds != seconds:
        raise _usage(f"curl: option {opt}: expected a proper numerical parameter")
    return int(seconds * 1000)


def parse_url(url: str) -> tuple[str, int, str]:
    """``(host, port, path)``; curl assumes ``http://`` when the scheme is missing."""
    rest = url
    if "://" in url:
        scheme, rest = url.split("://", 1)
        if scheme.lower() != "http":
            raise CurlUsageError(CurlResult(1, "", (f'curl: (1) Protocol "{scheme}" not supported',)))
    hostport, slash, path = rest.partition("/")
    path = "/" + path if slash else "/"
    hostport = hostport.rsplit("@", 1)[-1]
    host, colon, port_text = hostport.partition(":")
    if not host:
        raise CurlUsageError(CurlResult(3, "", ("curl: (3) URL rejected: No host part in the URL",)))
    port = 80
    if colon and port_text:
        if not port_text.isdigit() or int(port_text) > 65535:
            raise CurlUsageError(CurlResult(3, "", (
                "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535",)))
        port = int(port_text)
    return host, port, path.split("#", 1)[0]


def parse_curl_args(argv: list[str]) -> CurlRequest:
    """Read ``curl [options] URL``; raises ``CurlUsageError`` carrying what curl prints."""
    opts: dict = {}
    headers: list[tuple[str, str]] = []
    url = None
    args = list(argv[1:])
    i = 0
    with_value = {"-m", "--max-time", "--connect-timeout", "-H", "--header", "-A", "--user-agent", "-o",
                  "--output", "-X", "--request"}
    while i < len(args):
        arg = args[i]
        i += 1
        if arg.startswith("-") and len(arg) > 1 and not arg.startswith("--") and len(arg) > 2 \
                and all(c in "sSiIfLv" for c in arg[1:]):
            args[i:i] = [f"-{c}" for c in arg[1:]]  # bundled short flags: -sS, -sI
            continue
        if len(arg) > 2 and arg[:2] in ("-m", "-H", "-A", "-o", "-X"):
            args[i:i] = [arg[2:]]  # a short option glued to its value: -m5
            arg = arg[:2]
        if arg in with_value:
            if i >= len(args):
                raise _usage(f"curl: option {arg}: requires parameter")
            value = args[i]
            i += 1
            if arg in ("-m", "--max-time"):
                opts["max_time_ms"] = _seconds_ms(arg, value)
            elif arg == "--connect-timeout":
                opts["connect_timeout_ms"] = _seconds_ms(arg, value)
            elif arg in ("-H", "--header"):
                name, colon, val = value.partition(":")
                if colon:
                    headers.append((name.strip(), val.strip()))
            elif arg in ("-A", "--user-agent"):
                opts["user_agent"] = value
            elif arg in ("-o", "--output"):
                if value != "/dev/null":
                    raise _usage(f"curl: option {arg}: only /dev/null can be written in the simulator")
                opts["discard_body"] = True
            elif arg in ("-X", "--request"):
                opts["method"] = value
        elif arg in ("-s", "--silent"):
            opts["silent"] = True
        elif arg in ("-S", "--show-error"):
            opts["show_error"] = True
        elif arg in ("-i", "--include"):
            opts["include"] = True
        elif arg in ("-I", "--head"):
            opts["method"] = "HEAD"
            opts["include"] = True
        elif arg in ("-f", "--fail"):
            opts["fail"] = True
        elif arg in ("-L", "--location", "-v", "--verbose"):
            pass  # accepted and ignored: no redirects are served, no verbose trace is printed
        elif arg.startswith("-") and len(arg) > 1:
            raise _usage(f"curl: option {arg}: is unknown")
        elif url is None:
            url = arg
        else:
            raise _usage("curl: only one URL is supported in the simulator")
    if url is None:
        raise _usage("curl: no URL specified!")
    host, port, path = parse_url(url)
    return CurlRequest(url=url, host=host, port=port, path=path, headers=tuple(headers), **opts)


def build_request(req: CurlRequest) -> bytes:
    """What curl writes: request line, Host (with the port unless 80), User-Agent, Accept.

    For ``curl http://203.0.113.2:8080/`` that is 80 bytes, as captured from Debian 12's curl."""
    host = req.host if req.port == 80 else f"{req.host}:{req.port}"
    fields = [("Host", host), ("User-Agent", req.user_agent), ("Accept", "*/*")]
    overrides = {name.lower(): (name, value) for name, value in req.headers}
    out = []
    for name, value in fields:
        if name.lower() in overrides:
            name, value = overrides.pop(name.lower())
        if value:  # curl drops a header given an empty value ("-H 'Accept:'")
            out.append((name, value))
    out += [(n, v) for n, v in overrides.values() if v]
    text = f"{req.method} {req.path} HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in out) + "\r\n"
    return text.encode("latin-1")


def unresolved(req: CurlRequest) -> CurlResult:
    """The result when the host name has no address (no DNS in the design)."""
    return CurlResult(6, "", () if req.quiet_errors else (f"curl: (6) Could not resolve host: {req.host}",))


class CurlSession:
    """The client side of one transfer (a ``StreamApp``). ``result`` is None while running."""

    def __init__(self, req: CurlRequest, started_ns: int, on_done: Callable[[CurlResult], None] | None = None):
        self.req = req
        self.on_done = on_done  # called once with the result: the console ends the command there
        self.started_ns = started_ns
        self.result: CurlResult | None = None
        self.connected = False
        self._buf = bytearray()
        self._head = None
        self._body_at = 0
        self._length: int | None = None  # body length from Content-Length, None: until EOF
        self._server_closes = False
        self.status: int | None = None

    # -- StreamApp ---------------------------------------------------------------------------------
    def on_start(self, now: int) -> StreamOps:
        return StreamOps(deadline_ns=self._deadline(connecting=True))

    def on_connected(self, now: int) -> StreamOps:
        self.connected = True
        return StreamOps(send=build_request(self.req), deadline_ns=self._deadline(connecting=False))

    def on_data(self, now: int, data: bytes) -> StreamOps:
        if self.result is not None:
            return NOTHING
        self._buf += data
        if self._head is None:
            try:
                found = split_head(bytes(self._buf))
            except HttpError:
                return self._finish(CurlResult(1, "", self._err("curl: (1) Received HTTP/0.9 when not allowed")),
                                    close=True)
            if found is None:
                return NOTHING
            self._head, self._body_at = found
            parts = self._head.start.split(" ", 2)
            if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
                return self._finish(CurlResult(1, "", self._err("curl: (1) Received HTTP/0.9 when not allowed")),
                                    close=True)
            self.status = int(parts[1])
            length = self._head.get("Content-Length")
            no_body = self.req.method == "HEAD" or self.status in (204, 304) or 100 <= self.status < 200
            self._length = 0 if no_body else (int(length) if length and length.isdigit() else None)
            # The server closes after this reply when it says so, or answers HTTP/1.0 without
            # keep-alive (Python's http.server): curl then waits for its FIN (see docs/tcp.md).
            conn = (self._head.get("Connection") or "").lower()
            self._server_closes = "close" in conn or (parts[0] == "HTTP/1.0" and "keep-alive" not in conn)
        if self._length is not None and len(self._buf) - self._body_at >= self._length:
            # Whole response: curl is done. It closes now unless the server said it would close
            # (then the server's FIN, already on its way, ends the connection: see docs/tcp.md).
            return self._finish(self._success(), close=not self._server_closes)
        return NOTHING

    def on_eof(self, now: int) -> StreamOps:
        if self.result is not None:
            return StreamOps(close=True)
        if not self._buf:
            return self._finish(CurlResult(52, "", self._err("curl: (52) Empty reply from server")), close=True)
        if self._head is None:
            return self._finish(CurlResult(1, "", self._err("curl: (1) Received HTTP/0.9 when not allowed")),
                                close=True)
        if self._length is None:  # body delimited by the close (RFC 9112 §6.3 rule 8)
            return self._finish(self._success(), close=True)
        missing = self._length - (len(self._buf) - self._body_at)
        partial = self._success()
        return self._finish(CurlResult(18, partial.stdout,
                                       self._err(f"curl: (18) transfer closed with {missing} bytes remaining to read")),
                            close=True)

    def on_closed(self, now: int, reason: CloseReason) -> StreamOps:
        if self.result is not None:
            return NOTHING
        ms = (now - self.started_ns) // NS_PER_MS
        if not self.connected:
            code = 28 if reason is CloseReason.TIMEOUT else 7
            line = (f"curl: ({code}) Failed to connect to {self.req.host} port {self.req.port} after {ms} ms: "
                    f"Couldn't connect to server")
            self._done(CurlResult(code, "", self._err(line)))
        else:
            text = "Connection reset by peer" if reason is CloseReason.RESET else reason.value
            self._done(CurlResult(56, "", self._err(f"curl: (56) Recv failure: {text}")))
        return NOTHING

    def on_deadline(self, now: int) -> StreamOps:
        if self.result is not None:
            return NOTHING
        ms = (now - self.started_ns) // NS_PER_MS
        if not self.connected:
            line = f"curl: (28) Connection timed out after {ms} milliseconds"
        else:
            if self.req.max_time_ms is None:
                return NOTHING  # only the connect timeout was set, and we are connected
            got = max(0, len(self._buf) - self._body_at) if self._head is not None else 0
            total = f" out of {self._length}" if self._length is not None else ""
            line = f"curl: (28) Operation timed out after {ms} milliseconds with {got}{total} bytes received"
        self._done(CurlResult(28, "", self._err(line)))
        return StreamOps(abort=True)

    # -- helpers -----------------------------------------------------------------------------------
    def _deadline(self, *, connecting: bool) -> int | None:
        limits = [self.req.max_time_ms]
        if connecting:
            limits.append(self.req.connect_timeout_ms)
        limits = [x for x in limits if x is not None]
        return self.started_ns + min(limits) * NS_PER_MS if limits else None

    def _success(self) -> CurlResult:
        head_bytes = bytes(self._buf[: self._body_at])
        body = bytes(self._buf[self._body_at :])
        if self._length is not None:
            body = body[: self._length]
        if self.req.fail and self.status >= 400:
            return CurlResult(22, "", self._err(f"curl: (22) The requested URL returned error: {self.status}"))
        out = b""
        if self.req.include:
            out += head_bytes
        if not self.req.discard_body:
            out += body
        return CurlResult(0, out.decode("utf-8", errors="replace"), ())

    def _err(self, line: str) -> tuple[str, ...]:
        return () if self.req.quiet_errors else (line,)

    def _finish(self, result: CurlResult, *, close: bool) -> StreamOps:
        self._done(result)
        return StreamOps(close=close)

    def _done(self, result: CurlResult) -> None:
        self.result = result
        if self.on_done is not None:
            self.on_done(result)
