"""The websocket origin check: scheme, host AND port compared exactly.

Channels' `AllowedHostsOriginValidator` compares the host only, so a page served from any other
port of localhost (or over http instead of https) could open our sockets with the user's cookies
— cross-site websocket hijacking (docs/traps.md, "The origin check is host-only"). Origins here are full `scheme://host:port`
strings (settings.ALLOWED_ORIGINS); a missing or malformed Origin header is refused.

Besides that list, a page may always open a socket to the address it was served from: an Origin
equal to the request's own Host (same scheme, host and port) whose host is one of ALLOWED_HOSTS.
So `daphne -p 8123` without `PORT=8123` still works (the list only knows 8000), as Django's CSRF
check already accepts a same-origin POST. A rebinding page (evil.example resolving to 127.0.0.1)
sends its own name as Host and is refused by the ALLOWED_HOSTS test.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalise_origin(origin: str) -> tuple[str, str, int] | None:
    """`(scheme, host, port)` with the default port filled in, or None when malformed."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host or parts.path not in ("", "/") or parts.query or parts.username:
        return None
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


_PAGE_SCHEME = {"ws": "http", "wss": "https"}


def _single_header(scope, name: bytes) -> str | None:
    values = [v for k, v in scope.get("headers", []) if k == name]
    if len(values) != 1:
        return None
    try:
        return values[0].decode("ascii")
    except UnicodeDecodeError:
        return None


class ExactOriginValidator:
    """ASGI middleware: websocket connections whose Origin is not exactly one of `allowed` are
    denied before they reach the application (the handshake gets HTTP 403)."""

    def __init__(self, application, allowed_origins, allowed_hosts=()):
        self.application = application
        self.allowed = {o for o in (normalise_origin(a) for a in allowed_origins) if o is not None}
        self.allowed_hosts = list(allowed_hosts)

    def origin_allowed(self, scope) -> bool:
        origin = _single_header(scope, b"origin")
        if origin is None:
            return False
        parsed = normalise_origin(origin)
        return parsed is not None and (parsed in self.allowed or self.same_origin(scope, parsed))

    def same_origin(self, scope, origin: tuple[str, str, int]) -> bool:
        """The page's own address: Origin == the request's Host, and that host is allowed."""
        host = _single_header(scope, b"host")
        if host is None or not self.allowed_hosts:
            return False
        domain, _port = split_domain_port(host.lower())
        page = normalise_origin(f"{_PAGE_SCHEME.get(scope.get('scheme', 'ws'), 'http')}://{host}")
        return page == origin and bool(domain) and validate_host(domain, self.allowed_hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not self.origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
