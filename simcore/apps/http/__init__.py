"""HTTP/1.x over a TCP byte stream: the web server service and curl's client logic.

Contract of this layer: pure logic over bytes and ``simcore.apps.tcp.stream`` events. The
server (``server.HttpServerConnection``, speaking as Python's http.server, nginx or Apache:
``programs.py``) and the client (``curl.CurlSession``) are stream
applications: told ``on_connected/on_data/on_eof/on_closed/on_deadline`` with ``now`` in
nanoseconds, they answer ``StreamOps`` (bytes to send, close, abort, a deadline). They never
see a socket, a clock or a console; curl's output is a ``CurlResult`` value (exit code, stdout,
stderr lines) that the console prints. Messages follow RFC 9112 (HTTP/1.1 message syntax).
"""

from .curl import CurlRequest, CurlResult, CurlSession, CurlUsageError, build_request, parse_curl_args
from .server import HttpServerConnection, HttpService

__all__ = [
    "CurlRequest", "CurlResult", "CurlSession", "CurlUsageError", "HttpServerConnection", "HttpService",
    "build_request", "parse_curl_args",
]
