"""Who may do what to a design: the ONE place permissions are decided, and a pure read.

Every door (API, pages, websocket) gets its `Design` through `access_design` and its `ShareLink`
through `access_share_link`, which fetch AND authorize (Zulip's `access_stream_by_id`, DRF's
`get_object` + object permission). A design that is missing, trashed, past the trash's retention
or not visible to the actor raises the same `DesignNotFound`; a share link that is missing,
expired, revoked or not the actor's to manage raises the same `link.not_found`. An answer never
tells a stranger that something exists.

Nothing here writes: a design trashed longer than DESIGNER_TRASH_DAYS is filtered out of every
query (`DesignQuerySet.findable`), and deleting it is an action (`actions.do_purge_trash`, run by
`manage.py purge_trash`). Opening a share link, which records it, is `actions.do_open_share_link`.

Roles, strongest first: owner; member editor/viewer (a membership given directly, or by opening
a share link while signed in, effective while that link is active); link editor/viewer (an
active token held in the session); anyone, signed in or not, may VIEW a public example.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from designer.errors import DesignNotFound
from designer.models import Design, Membership, Revision, Role, ShareLink

SESSION_KEY = "designer_share_links"
MAX_SESSION_LINKS = 50
# Database ids are signed 64-bit; anything outside is missing, not a server error.
MAX_ID = 2**63 - 1
MAX_TOKEN = 64
LINK_NOT_FOUND = "This share link does not exist or is no longer valid."


class Need(enum.IntEnum):
    VIEW = 1
    EDIT = 2
    OWNER = 3


class Level(enum.IntEnum):
    """A role's strength; a need is met when the level is at least the need."""

    NONE = 0
    VIEWER = 1
    EDITOR = 2
    OWNER = 3


ROLE_LEVEL = {Role.VIEWER: Level.VIEWER, Role.EDITOR: Level.EDITOR}
ROLE_NAMES = {Level.VIEWER: "viewer", Level.EDITOR: "editor", Level.OWNER: "owner"}


@dataclass(frozen=True)
class Actor:
    """Who is asking: a user (possibly anonymous) and the share-link tokens held in the session."""

    user: Any
    link_tokens: tuple[str, ...] = ()

    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.is_authenticated else None

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(AnonymousUser())

    @classmethod
    def for_user(cls, user) -> Actor:
        return cls(user)


@dataclass(frozen=True)
class Access:
    design: Design
    role: str  # "owner" | "editor" | "viewer"

    @property
    def can_edit(self) -> bool:
        return self.role in ("owner", "editor")

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


# ---------------------------------------------------------------- who is asking


def _tokens_from_session(session) -> tuple[str, ...]:
    if session is None:
        return ()
    raw = session.get(SESSION_KEY, [])
    if not isinstance(raw, list):
        return ()
    return tuple(t for t in raw if isinstance(t, str))[:MAX_SESSION_LINKS]


def actor_from_request(request) -> Actor:
    return Actor(getattr(request, "user", None) or AnonymousUser(), _tokens_from_session(getattr(request, "session", None)))


class _SessionCopy(dict):
    """A session's data, as Django's `auth.get_user` reads it. On a stale hash get_user flushes
    the session, and on a hash made with a SECRET_KEY_FALLBACKS key it re-keys it; a socket has
    no response to carry a new cookie, and a re-key would strand the browser's one. So here both
    touch only this copy: the socket reads, and the next HTTP request flushes or re-keys."""

    def flush(self) -> None:
        self.clear()

    def cycle_key(self) -> None:
        pass


def actor_from_scope(scope) -> Actor:
    """The actor of a websocket, read afresh from the session store on every call (not from the
    session the socket opened with), so that a logout, a password change or a forgotten link
    takes effect on an open socket. The user comes from Django's own `auth.get_user` (backend,
    session hash), exactly as for an HTTP request. Sync: call it through `database_sync_to_async`."""
    session_key = (scope.get("cookies") or {}).get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return Actor.anonymous()
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    session = _SessionCopy(store.items())
    user = auth.get_user(SimpleNamespace(session=session))
    # After get_user: a session it flushed (stale hash) holds no links either, as over HTTP.
    return Actor(user, _tokens_from_session(session))


def access_for_socket(scope, design_id, need: Need) -> Access | None:
    """What a websocket's message may do, with the actor read afresh from its session: the access
    if it may `need` the design now; None if it may still see the design but not do this;
    `DesignNotFound` if it may not even see it (the socket is then closed). Sync: the consumer
    calls it through `database_sync_to_async`, the co-editing sequencer inside its commit."""
    actor = actor_from_scope(scope)
    try:
        return access_design(actor, design_id, need, document=False)
    except DesignNotFound:
        if need <= Need.VIEW:
            raise
    access_design(actor, design_id, Need.VIEW, document=False)
    return None


# `access_for_socket` from a consumer's event loop.
socket_access = database_sync_to_async(access_for_socket)


# ---------------------------------------------------------------- designs


def _level(actor: Actor, design: Design, now) -> Level:
    if actor.is_authenticated and design.owner_id == actor.user_id:
        return Level.OWNER
    level = Level.NONE
    if actor.is_authenticated:
        membership = (
            Membership.objects.select_related("via_link").filter(user_id=actor.user_id, design=design).first()
        )
        if membership is not None and membership.is_effective(now):
            level = max(level, ROLE_LEVEL[membership.role])
    if actor.is_authenticated and level < Level.VIEWER and _teaches_attempt(actor, design):
        level = Level.VIEWER
    if actor.link_tokens and level < Level.EDITOR:
        for role in ShareLink.objects.active(now).filter(design=design, token__in=actor.link_tokens).values_list(
            "role", flat=True
        ):
            level = max(level, ROLE_LEVEL[role])
    if design.is_example:
        level = max(level, Level.VIEWER)
    return level


def links_in_use(actor: Actor, design: Design) -> list[ShareLink]:
    """The active share links through which `actor` reaches `design`, when its role comes from
    links only: none for the owner, a direct member or a public example's viewer. A signed-in
    person's link is the membership it made (`via_link`); an anonymous one's, the tokens of its
    session. What runs and sockets through these links cost counts against their creators too
    (designer/limits.py, `budget_keys`)."""
    now = timezone.now()
    if actor.is_authenticated:
        if design.owner_id == actor.user_id:
            return []
        membership = (
            Membership.objects.select_related("via_link").filter(user_id=actor.user_id, design=design).first()
        )
        if membership is not None and membership.via_link is None:
            return []
    links: dict[int, ShareLink] = {}
    if actor.is_authenticated and membership is not None and membership.is_effective(now):
        links[membership.via_link.pk] = membership.via_link
    if actor.link_tokens:
        for link in ShareLink.objects.active(now).filter(design=design, token__in=actor.link_tokens):
            links[link.pk] = link
    return [links[pk] for pk in sorted(links)]
def _teaches_attempt(actor: Actor, design: Design) -> bool:
    """The teacher of a class views (never edits) a student's copy of an activity assigned there."""
    from designer.models import Attempt  # lessons' model, registered in designer.models

    return Attempt.objects.filter(design=design, classroom__teacher_id=actor.user_id).exists()


def role_of(actor: Actor, design: Design) -> str | None:
    level = _level(actor, design, timezone.now())
    return ROLE_NAMES.get(level)


def _parse_id(design_id) -> int:
    try:
        value = int(design_id)
    except (TypeError, ValueError):
        raise DesignNotFound() from None
    if not 0 < value <= MAX_ID:
        raise DesignNotFound()
    return value


def access_design(actor: Actor, design_id, need: Need, *, trashed: bool = False, document: bool = True) -> Access:
    """Fetch design `design_id` if `actor` may do `need` to it, else raise `DesignNotFound`.

    `trashed=True` is for the trash and restore doors: it finds only designs in the trash, and
    only for their owner. A design past the trash's retention is not found by either.
    `document=False` leaves the document unread (deferred): the websocket checks every message,
    and reading and parsing the whole document each time was most of a message's cost.
    """
    pk = _parse_id(design_id)
    now = timezone.now()
    found = Design.objects.findable(now).filter(pk=pk)
    design = (found if document else found.defer("document")).first()
    if design is None or design.is_trashed != trashed:
        raise DesignNotFound()
    if trashed:
        if not (actor.is_authenticated and design.owner_id == actor.user_id):
            raise DesignNotFound()
        return Access(design, "owner")
    level = _level(actor, design, now)
    if level < need:
        raise DesignNotFound()
    return Access(design, ROLE_NAMES[level])


def design_document(access: Access) -> dict:
    """The document of a design fetched by `access_design(..., document=False)`, read now."""
    if "document" in access.design.__dict__:
        return access.design.document
    return Design.objects.filter(pk=access.design.pk).values_list("document", flat=True).get()


def visible_designs(actor: Actor, scope: str):
    """Designs listed for `scope`: "mine", "shared" (memberships, then links in the session),
    "examples". Trashed designs are never listed here (see `trashed_designs`)."""
    now = timezone.now()
    alive = Design.objects.alive()
    if scope == "examples":
        return alive.filter(is_example=True).order_by("name", "id")
    if scope == "mine":
        if not actor.is_authenticated:
            return alive.none()
        return alive.filter(owner_id=actor.user_id)
    if scope == "shared":
        condition = Q(pk__in=[])
        if actor.is_authenticated:
            condition |= Q(
                memberships__user_id=actor.user_id, memberships__via_link__isnull=True
            ) | Q(
                memberships__user_id=actor.user_id,
                memberships__via_link__in=ShareLink.objects.active(now),
            )
        if actor.link_tokens:
            condition |= Q(pk__in=ShareLink.objects.active(now).filter(token__in=actor.link_tokens).values("design_id"))
        qs = alive.filter(condition).distinct()
        if actor.is_authenticated:
            qs = qs.exclude(owner_id=actor.user_id)
        return qs
    raise ValueError(f"unknown scope {scope!r}: expected 'mine', 'shared' or 'examples'")


def trashed_designs(actor: Actor):
    """The actor's trash: designs still restorable, most recently trashed first."""
    if not actor.is_authenticated:
        return Design.objects.none()
    return Design.objects.in_trash().filter(owner_id=actor.user_id).order_by("-deleted_at", "-id")


def access_revision(access: Access, number) -> Revision:
    """Revision `number` of a design the actor was given (`access_design`), else `revision.not_found`."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 0
    revision = Revision.objects.filter(design=access.design, number=number).first() if 0 < number < 2**31 else None
    if revision is None:
        raise DesignNotFound("No such revision.", code="revision.not_found")
    return revision


# ---------------------------------------------------------------- share links


def _link_not_found() -> DesignNotFound:
    return DesignNotFound(LINK_NOT_FOUND, code="link.not_found")


def access_share_link(actor: Actor, *, token: str | None = None, design_id=None, link_id=None) -> ShareLink:
    """The one way to fetch a share link: an ACTIVE link of a design that is not trashed.

    - by `token` (opening `/s/<token>/`): the token is the credential, any actor gets its link;
    - by `design_id` and `link_id` (revoking): only the design's owner gets it.

    Missing, expired, revoked, on a trashed design, a malformed token or id, or asked by someone
    who is not the owner: the same `DesignNotFound` (code `link.not_found`, one sentence).
    The owner's list of every link in any state is `share_links_of`.
    """
    links = ShareLink.objects.active().filter(design__deleted_at__isnull=True).select_related("design")
    if token is not None:
        if design_id is not None or link_id is not None:
            raise TypeError("access_share_link takes a token, or a design_id with a link_id, not both")
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
            raise _link_not_found()
        link = links.filter(token=token).first()
    else:
        try:
            access = access_design(actor, design_id, Need.OWNER)
            pk = _parse_id(link_id)
        except DesignNotFound:
            raise _link_not_found() from None
        link = links.filter(design=access.design, pk=pk).first()
    if link is None:
        raise _link_not_found()
    return link


def share_links_of(access: Access):
    """Every link of a design, in any state (revoked and expired ones too), for its owner."""
    if not access.is_owner:
        raise DesignNotFound()
    return ShareLink.objects.filter(design=access.design).order_by("-created_at", "-id")
