"""Limits shared by every door, each refusing with its own clear error.

Sizes (docs/design-document.md "Limits"): a design has at most 10,000 nodes and serialises to at
most 8 MiB; an import file is at most 10 MiB.

Rates (settings.DESIGNER_RATE_LIMITS, name -> (requests, window seconds)), kept in Django's cache
so that with REDIS_URL every process shares them: imports per user, writes per user (or per
session for anonymous link editors), new accounts per client address. Failed log-ins are
counted by django-axes (settings, AXES_*), per account and address together.
The counter is a sliding log of timestamps: "at most N in any window of W seconds", with no
burst at a window boundary. Check-then-set is not atomic across processes; a race can let one
extra request through, which these limits tolerate.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from designer.errors import RateLimited, TooLarge

MAX_NODES = 10_000
MAX_LINKS = 20_000
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
MAX_IMPORT_BYTES = 10 * 1024 * 1024
# A JSON body (validate, create, update) may carry an 8 MiB document with some room for
# indentation and the other fields; settings.DATA_UPLOAD_MAX_MEMORY_SIZE sits above it.
MAX_BODY_BYTES = MAX_DOCUMENT_BYTES + 1024 * 1024
# One websocket message from a client (a run command, a console line): larger ones are answered
# `ws.too_large` and dropped, the socket stays open. Daphne itself drops the connection (no close
# frame: browsers report 1006) on a message over 1 MiB, its `--websocket-max-message-size`,
# before the application sees it.
MAX_WS_MESSAGE_BYTES = 64 * 1024
WS_TRANSPORT_MAX_BYTES = 1024 * 1024


def serialise(document) -> bytes:
    """The one serialisation used to measure (and export) a document."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def check_document_size(document, size_bound: int | None = None) -> None:
    """Refuse a document over the node, link or byte limits (before the schema, which would be slow).
    `size_bound`: a proven upper bound of its serialised size (`jsondoor.parse_json_measured`);
    at or under the limit, the document is not serialised again to be measured."""
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
    if size_bound is not None and size_bound <= MAX_DOCUMENT_BYTES:
        return
    size = len(serialise(document))
    if size > MAX_DOCUMENT_BYTES:
        raise TooLarge(
            f"A design is at most 8 MiB serialised; this one is {size / 1048576:.1f} MiB.",
            code="design.too_large",
            problems=[{"code": "limit.bytes", "path": "", "msg": f"{size:,} bytes > {MAX_DOCUMENT_BYTES:,}"}],
        )


def size_bound_after(before: dict, after: dict, bound: int) -> int:
    """An upper bound of `len(serialise(after))`, from `bound`, one of `before`'s, for an `after`
    that shares with `before` what a change left alone (co-editing's `merge_apply`): the text of
    every changed top-level field and of every new list item is added, none taken away. Measuring
    a 4,000-node design whole takes 13 ms; this takes what the change touched."""
    extra = 0
    for key, value in after.items():
        old = before.get(key)
        if old is value:
            continue
        if isinstance(old, list) and isinstance(value, list):
            kept = {id(item) for item in old}
            for item in value:
                if id(item) in kept:
                    kept.discard(id(item))  # its text is in `bound`, once
                else:
                    extra += len(serialise(item)) + 1  # and a comma
        else:
            extra += len(serialise({key: value}))  # the pair, a comma, and two braces to spare
    return bound + extra


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


def _period(seconds: int) -> str:
    if seconds % 3600 == 0:
        return "hour" if seconds == 3600 else f"{seconds // 3600} hours"
    if seconds % 60 == 0 and seconds >= 120:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"


def _wait(seconds: int) -> str:
    return f"{seconds} s" if seconds < 120 else f"{(seconds + 59) // 60} minutes"


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
            f"Too many {what}: at most {count} per {_period(window)}. Try again in {_wait(retry_after)}.",
            retry_after=retry_after,
            code=f"rate_limited.{name}",
        )
    stamps.append(now)
    cache.set(key, stamps, timeout=window + 1)


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or "unknown"


def login_address(request) -> str | None:
    """The address django-axes records a log-in under: REMOTE_ADDR when it is an IP address, else
    None (axes keeps it in a GenericIPAddressField, which PostgreSQL refuses "unknown" in: a
    request made without an address, as Django's test client's force_login makes)."""
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


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


def check_signup(request) -> None:
    """Count one new account made from the request's address (called only when the form is
    valid: a typo in the second password costs nothing); RateLimited when over the limit."""
    hit("signup", client_address(request), what="new accounts from your address")


# ---------------------------------------------------------------- visitors, sockets, runs
# Who a socket or a run counts against (docs/limits.md, "Visitors, sockets, runs, logins"). Every
# page visit gives an anonymous visitor a real session (`VisitorSessionMiddleware`), so each
# visitor has a budget of its own; a session id the store does not know is no visitor, and what
# comes with it counts under its address, with one visitor's budget. What is opened or started
# through a share link counts against the link's creator as well.

MAX_SOCKETS_PER_USER = 10
MAX_RUNS_PER_USER = 2
MAX_LINK_SOCKETS_PER_CREATOR = 200  # a class following a teacher's link, two tabs each
VISITOR_SESSION_KEY = "designer_visitor"


@dataclass(frozen=True)
class Budget:
    """One budget a socket or a run is charged to: `key` (the seat set in Redis, the counter in a
    process), at most `limit` at once, and the sentence a refused user reads."""

    key: str
    limit: int
    msg: str


def visitor_key(actor, session_key: str | None, *, session_exists: bool) -> str | None:
    """The visitor behind a request or socket: the account, or the anonymous session when the
    session store knows it; None for no session or a made-up one (then the address counts)."""
    if actor.is_authenticated:
        return f"user:{actor.user_id}"
    if session_key and session_exists:
        return "session:" + hashlib.sha256(session_key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return None


def budget_keys(actor, design, *, visitor: str | None, address: str, what: str) -> list[Budget]:
    """The budgets a new socket (`what="sockets"`) or run (`what="runs"`) on `design` is charged
    to; it is let in only when every one has room.

    - the visitor: the account (`user:<id>`) or the anonymous session (`session:<hash>`);
      without a real session, the address (`addr:<ip>`) with the same limit, so that made-up
      session ids are one visitor, not 500;
    - through share links (`access.links_in_use`): the creator of each link, whose own runs
      count in the same budget (`user:<id>`), and whose links' sockets together are at most
      `MAX_LINK_SOCKETS_PER_CREATOR` (`links-of:user:<id>`)."""
    from designer.access import links_in_use

    if what == "sockets":
        limit, unit, advice = MAX_SOCKETS_PER_USER, "open design sockets", "close a tab."
    elif what == "runs":
        limit, unit, advice = MAX_RUNS_PER_USER, "running simulations", "stop one first."
    else:
        raise ValueError(f"unknown budget {what!r}: expected 'sockets' or 'runs'")
    if visitor is None:
        budgets = [Budget(f"addr:{address}", limit,
                          f"At most {limit} {unit} per address without a session: reload the page "
                          f"(it gives you one), or {advice}")]
    elif visitor.startswith("user:"):
        budgets = [Budget(visitor, limit, f"At most {limit} {unit} per user: {advice}")]
    else:
        budgets = [Budget(visitor, limit, f"At most {limit} {unit} per visitor: {advice}")]
    creators = []
    for link in links_in_use(actor, design):
        creator = link.created_by_id or design.owner_id
        if creator not in creators and f"user:{creator}" != visitor:
            creators.append(creator)
    for creator in creators:
        if what == "runs":
            budgets.append(Budget(f"user:{creator}", limit,
                                  f"At most {limit} {unit} per user, and this share link's creator has "
                                  f"{limit} going: ask them to stop one."))
        else:
            budgets.append(Budget(f"links-of:user:{creator}", MAX_LINK_SOCKETS_PER_CREATOR,
                                  f"At most {MAX_LINK_SOCKETS_PER_CREATOR} {unit} through the share links "
                                  f"of one person: try again when others have left."))
    return budgets


class VisitorSessionMiddleware:
    """Every page visit leaves the visitor with a real session (one row in the session store, its
    cookie in the answer): an anonymous student is a visitor of its own from its first page, and
    its design sockets count against its own budget, not one shared by every anonymous visitor.
    Pages only (HTML answers to GET): the API, static files and errors make none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (session is not None and request.method == "GET" and response.status_code == 200
                and response.get("Content-Type", "").startswith("text/html")):
            # Loads the session: one the store does not know (a made-up or expired cookie) is
            # empty, so the marker makes it new and Django saves it under a fresh key.
            session.setdefault(VISITOR_SESSION_KEY, True)
        return response
