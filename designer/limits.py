"""Limits shared by every door, each refusing with its own clear error.

Sizes (docs/design-document.md "Limits"): a design has at most 10,000 nodes and serialises to at
most 8 MiB; an import file is at most 10 MiB.

Rates (settings.DESIGNER_RATE_LIMITS, name -> (requests, window seconds)), kept in Django's cache
so that with REDIS_URL every process shares them: imports per user, writes per user (or per
session for anonymous link editors), log-in attempts per username and per client address.
The counter is a sliding log of timestamps: "at most N in any window of W seconds", with no
burst at a window boundary. Check-then-set is not atomic across processes; a race can let one
extra request through, which these limits tolerate.
"""

from __future__ import annotations

import hashlib
import json
import time

from django.conf import settings
from django.core.cache import cache

from designer.errors import RateLimited, TooLarge

MAX_NODES = 10_000
MAX_LINKS = 20_000
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_WS_MESSAGE_BYTES = MAX_DOCUMENT_BYTES + 64 * 1024
# A JSON body (validate, create, update) may carry an 8 MiB document with some room for
# indentation and the other fields; settings.DATA_UPLOAD_MAX_MEMORY_SIZE sits above it.
MAX_BODY_BYTES = MAX_DOCUMENT_BYTES + 1024 * 1024


def serialise(document) -> bytes:
    """The one serialisation used to measure (and export) a document."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def check_document_size(document) -> None:
    """Refuse a document over the node, link or byte limits (before the schema, which would be slow)."""
    if isinstance(document, dict):
        nodes, links = document.get("nodes"), document.get("links")
        if isinstance(nodes, list) and len(nodes) > MAX_NODES:
            raise TooLarge(
                f"A design has at most {MAX_NODES:,} nodes; this one has {len(nodes):,}.",
                code="design.too_many_nodes",
                problems=[{"code": "limit.nodes", "path": "nodes", "msg": f"{len(nodes):,} nodes > {MAX_NODES:,}"}],
            )
        if isinstance(links, list) and len(links) > MAX_LINKS:
            raise TooLarge(
                f"A design has at most {MAX_LINKS:,} links; this one has {len(links):,}.",
                code="design.too_many_links",
                problems=[{"code": "limit.links", "path": "links", "msg": f"{len(links):,} links > {MAX_LINKS:,}"}],
            )
    size = len(serialise(document))
    if size > MAX_DOCUMENT_BYTES:
        raise TooLarge(
            f"A design is at most 8 MiB serialised; this one is {size / 1048576:.1f} MiB.",
            code="design.too_large",
            problems=[{"code": "limit.bytes", "path": "", "msg": f"{size:,} bytes > {MAX_DOCUMENT_BYTES:,}"}],
        )


def check_body_size(request, limit: int | None = None) -> None:
    """Refuse a request body over `limit` (default MAX_BODY_BYTES) from its Content-Length,
    before it is read or parsed."""
    limit = MAX_BODY_BYTES if limit is None else limit
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size > limit:
        raise TooLarge(
            f"A request body is at most {limit / 1048576:.0f} MiB; this one is {size / 1048576:.1f} MiB.",
            code="request.too_large",
        )


def check_import_size(size: int) -> None:
    if size > MAX_IMPORT_BYTES:
        raise TooLarge(
            f"An imported file is at most 10 MiB; this one is {size / 1048576:.1f} MiB.",
            code="import.too_large",
        )


def _limit(name: str) -> tuple[int, int]:
    count, window = settings.DESIGNER_RATE_LIMITS[name]
    return int(count), int(window)


def hit(name: str, ident: str, *, now: float | None = None, what: str = "requests") -> None:
    """Count one request of kind `name` by `ident`; raise RateLimited when over the limit.

    A refused request is not counted, so a client that waits `retry_after` gets through."""
    count, window = _limit(name)
    now = time.time() if now is None else now
    # The namespace lets tests start from zero without flushing a cache shared with others.
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]  # any text, a safe key
    key = f"{getattr(settings, 'DESIGNER_RATELIMIT_NAMESPACE', 'ratelimit')}:{name}:{digest}"
    stamps = [t for t in (cache.get(key) or []) if t > now - window]
    if len(stamps) >= count:
        retry_after = max(1, int(stamps[0] + window - now + 0.999))
        raise RateLimited(
            f"Too many {what}: at most {count} per {window} seconds. Try again in {retry_after} s.",
            retry_after=retry_after,
            code=f"rate_limited.{name}",
        )
    stamps.append(now)
    cache.set(key, stamps, timeout=window + 1)


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or "unknown"


def writer_ident(actor, request=None) -> str:
    if actor.is_authenticated:
        return f"user:{actor.user_id}"
    if actor.link_tokens:
        # An anonymous link editor: count per link held, never share one bucket with strangers.
        return "link:" + hashlib.sha256(min(actor.link_tokens).encode()).hexdigest()[:32]
    return f"addr:{client_address(request) if request is not None else 'unknown'}"


def check_write(actor, request=None) -> None:
    hit("write", writer_ident(actor, request), what="changes")


def check_import(user) -> None:
    hit("import", f"user:{user.pk}", what="imports")


def check_login(request, username: str) -> None:
    """Call before authenticating a log-in attempt; raises RateLimited (status 429, `msg` to show)."""
    hit("login_ip", client_address(request), what="log-in attempts")
    hit("login_user", (username or "").strip().lower()[:150], what="log-in attempts for this account")
