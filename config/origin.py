"""The websocket origin check: scheme, host AND port compared exactly.

Channels' `AllowedHostsOriginValidator` compares the host only, so a page served from any other
port of localhost (or over http instead of https) could open our sockets with the user's cookies
— cross-site websocket hijacking (docs/traps.md, "The origin check is host-only"). Origins here are full `scheme://host:port`
strings (settings.ALLOWED_ORIGINS); a missing or malformed Origin header is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier

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


class ExactOriginValidator:
    """ASGI middleware: websocket connections whose Origin is not exactly one of `allowed` are
    denied before they reach the application (the handshake gets HTTP 403)."""

    def __init__(self, application, allowed_origins):
        self.application = application
        self.allowed = {o for o in (normalise_origin(a) for a in allowed_origins) if o is not None}

    def origin_allowed(self, scope) -> bool:
        values = [v for k, v in scope.get("headers", []) if k == b"origin"]
        if len(values) != 1:
            return False
        try:
            origin = values[0].decode("ascii")
        except UnicodeDecodeError:
            return False
        return normalise_origin(origin) in self.allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not self.origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
