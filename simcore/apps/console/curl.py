"""``curl`` (curl 7.88, Debian 12's) and ``ss`` (iproute2 6.x) on a node's console, over its TCP table.

``curl URL`` is a job: it connects (``simcore.apps.tcp.glue``), and when curl's session is done
prints the body (or curl's error line, e.g. ``curl: (7) Failed to connect to 203.0.113.2 port
8081 after 0 ms: Couldn't connect to server``) and exits with curl's status. A host name that
is not an address cannot be resolved (the simulator has no DNS): exit 6. With no route to the
address Linux's connect() fails at once: curl's exit 7 without a SYN.
``ss -tan`` / ``-tln`` / ``-tn`` print the TCP table (``simcore.apps.tcp.ss``).
"""

from __future__ import annotations

import ipaddress

from simcore.apps.console.shell import Console, Job, command
from simcore.apps.http.curl import CurlResult, CurlSession, CurlUsageError, parse_curl_args, unresolved
from simcore.apps.tcp import CloseReason, ss_lines
from simcore.apps.tcp.glue import tcp_for


class CurlJob(Job):
    name = "curl"

    def __init__(self, console: Console, line: str):
        super().__init__(console, line)
        self.session: CurlSession | None = None

    def finish(self, result: CurlResult) -> None:
        if self.status is not None:
            return
        for text in result.lines():
            self.console.print(text)
        status = self.session.status if self.session is not None else None
        if result.exit_code == 0:
            words = f"HTTP {status}, body {result.stdout.strip()!r}"
        else:
            words = f"exit {result.exit_code}" + (f", {result.stderr[0]}" if result.stderr else "")
        self.console.fact({"kind": "curl", "line": self.line, "exit": result.exit_code, "http_status": status,
                           "body": result.stdout, "summary": f"{self.line}: {words}"})
        self.console.job_done(self, result.exit_code)

    def interrupt(self) -> None:
        self.console.job_done(self, 130)


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


@command("curl", "fetch a URL over HTTP and print the body")
def _curl(console: Console, argv: list[str]) -> int | Job:
    try:
        req = parse_curl_args(argv)
    except CurlUsageError as exc:
        for text in exc.result.lines():
            console.print(text)
        return exc.result.exit_code
    job = CurlJob(console, console.current_line)
    if not _is_ipv4(req.host):
        job.finish(unresolved(req))
        return job
    now = console.engine.now
    session = CurlSession(req, started_ns=now, on_done=job.finish)
    job.session = session
    local_ip = console.stack.source_for(req.host)
    if local_ip is None or local_ip == "0.0.0.0":
        session.on_closed(now, CloseReason.UNREACHABLE)
        return job
    tcp = tcp_for(console.node)
    _sock, actions = tcp.table.connect(now, local_ip, req.host, req.port, session)
    tcp.carry_out(actions)
    return job


@command("ss", "list TCP sockets: ss -tan, ss -tln, ss -tn")
def _ss(console: Console, argv: list[str]) -> int:
    flags = "".join(arg.lstrip("-") for arg in argv[1:] if arg.startswith("-"))
    listening: bool | None = False
    if "a" in flags:
        listening = None
    elif "l" in flags:
        listening = True
    for text in ss_lines(tcp_for(console.node).table, listening=listening):
        console.print(text)
    return 0
