"""Who may do what to a design: the ONE place permissions are decided.

Every door (API, pages, websocket) gets its `Design` through `access_design`, which fetches AND
authorizes (Zulip's `access_stream_by_id`, DRF's `get_object` + object permission). A design that
is missing, trashed, or not visible to the actor raises the same `DesignNotFound`, so an answer
never tells a stranger that a design exists.

Roles, strongest first: owner; member editor/viewer (a membership given directly, or by opening
a share link while signed in, effective while that link is active); link editor/viewer (an
active token held in the session); anyone, signed in or not, may VIEW a public example.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from designer.errors import DesignNotFound
from designer.models import Design, Membership, Role, ShareLink

SESSION_KEY = "designer_share_links"
MAX_SESSION_LINKS = 50
# Database ids are signed 64-bit; anything outside is missing, not a server error.
MAX_ID = 2**63 - 1


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


_ROLE_LEVEL = {Role.VIEWER: Level.VIEWER, Role.EDITOR: Level.EDITOR}
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


def _tokens_from_session(session) -> tuple[str, ...]:
    if session is None:
        return ()
    raw = session.get(SESSION_KEY, [])
    if not isinstance(raw, list):
        return ()
    return tuple(t for t in raw if isinstance(t, str))[:MAX_SESSION_LINKS]


def actor_from_request(request) -> Actor:
    return Actor(getattr(request, "user", None) or AnonymousUser(), _tokens_from_session(getattr(request, "session", None)))


def actor_from_scope(scope) -> Actor:
    """The actor of a websocket, read afresh from the session store on every call, so that a
    logout or a forgotten link takes effect on an open socket (known-traps.md #2). Sync: call it
    through `database_sync_to_async`."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
    from django.contrib.auth import SESSION_KEY as USER_KEY
    from django.utils.crypto import constant_time_compare

    session_key = (scope.get("cookies") or {}).get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return Actor.anonymous()
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    tokens = _tokens_from_session(data)
    user = AnonymousUser()
    user_id, backend_path = data.get(USER_KEY), data.get(BACKEND_SESSION_KEY)
    if user_id is not None and backend_path in settings.AUTHENTICATION_BACKENDS:
        try:
            candidate = load_backend(backend_path).get_user(user_id)
        except Exception:  # a removed backend or a malformed id: the session is not signed in
            candidate = None
        if candidate is not None:
            verify = getattr(candidate, "get_session_auth_hash", None)
            if verify is None or constant_time_compare(data.get(HASH_SESSION_KEY, ""), verify()):
                user = candidate
    return Actor(user, tokens)


def _level(actor: Actor, design: Design, now) -> Level:
    if actor.is_authenticated and design.owner_id == actor.user_id:
        return Level.OWNER
    level = Level.NONE
    if actor.is_authenticated:
        membership = (
            Membership.objects.select_related("via_link").filter(user_id=actor.user_id, design=design).first()
        )
        if membership is not None and membership.is_effective(now):
            level = max(level, _ROLE_LEVEL[membership.role])
    if actor.link_tokens and level < Level.EDITOR:
        for link in ShareLink.objects.filter(design=design, token__in=actor.link_tokens):
            if link.is_active(now):
                level = max(level, _ROLE_LEVEL[link.role])
    if design.is_example:
        level = max(level, Level.VIEWER)
    return level


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


def access_design(actor: Actor, design_id, need: Need, *, trashed: bool = False) -> Access:
    """Fetch design `design_id` if `actor` may do `need` to it, else raise `DesignNotFound`.

    `trashed=True` is for the trash and restore doors: it finds only trashed designs, and only
    for their owner. Designs trashed longer than the retention period are purged on the way.
    """
    pk = _parse_id(design_id)
    design = Design.objects.filter(pk=pk).first()
    if design is None:
        raise DesignNotFound()
    if design.is_trashed:
        from designer.actions import purge_if_expired

        if purge_if_expired(design) or not trashed:
            raise DesignNotFound()
        if not (actor.is_authenticated and design.owner_id == actor.user_id):
            raise DesignNotFound()
        return Access(design, "owner")
    if trashed:
        raise DesignNotFound()
    level = _level(actor, design, timezone.now())
    if level < need:
        raise DesignNotFound()
    return Access(design, ROLE_NAMES[level])


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
        active = Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        condition = Q(pk__in=[])
        if actor.is_authenticated:
            condition |= Q(
                memberships__user_id=actor.user_id, memberships__via_link__isnull=True
            ) | Q(
                memberships__user_id=actor.user_id,
                memberships__via_link__in=ShareLink.objects.filter(active),
            )
        if actor.link_tokens:
            condition |= Q(pk__in=ShareLink.objects.filter(active, token__in=actor.link_tokens).values("design_id"))
        qs = alive.filter(condition).distinct()
        if actor.is_authenticated:
            qs = qs.exclude(owner_id=actor.user_id)
        return qs
    raise ValueError(f"unknown scope {scope!r}: expected 'mine', 'shared' or 'examples'")


def trashed_designs(actor: Actor):
    if not actor.is_authenticated:
        return Design.objects.none()
    return Design.objects.trashed().filter(owner_id=actor.user_id).order_by("-deleted_at", "-id")


def find_active_link(token: str) -> ShareLink:
    if not isinstance(token, str) or not 0 < len(token) <= 64:
        raise DesignNotFound("This share link does not exist or is no longer valid.")
    link = ShareLink.objects.select_related("design").filter(token=token).first()
    if link is None or not link.is_active() or link.design.is_trashed:
        raise DesignNotFound("This share link does not exist or is no longer valid.")
    return link


def remember_link(request, token: str) -> ShareLink:
    """Open a share link (`/s/<token>/`): validate it, keep the token in the session, and for a
    signed-in user other than the owner record a Membership via the link so the design shows
    under "shared with me". Raises `DesignNotFound` for unknown, revoked or expired tokens."""
    link = find_active_link(token)
    tokens = [t for t in _tokens_from_session(request.session) if t != link.token]
    request.session[SESSION_KEY] = [link.token, *tokens][:MAX_SESSION_LINKS]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and link.design.owner_id != user.pk:
        _join_via_link(user, link)
    return link


def _join_via_link(user, link: ShareLink) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user, design_id=link.design_id).first()
        if membership is None:
            try:
                with transaction.atomic():
                    Membership.objects.create(user=user, design_id=link.design_id, role=link.role, via_link=link)
            except IntegrityError:  # opened twice at once: the other request recorded it
                pass
            return
        if membership.via_link is None:
            return  # a membership given directly is never replaced by a link's
        if _ROLE_LEVEL[link.role] > _ROLE_LEVEL[membership.role] or not membership.is_effective():
            # A stronger link, or the old link died: this link now carries the membership.
            membership.role = link.role
            membership.via_link = link
            membership.save(update_fields=["role", "via_link"])
