"""Every state change of a design, Zulip `do_*` style: authorize, validate at the door, save in a
transaction with a Revision, then (on commit) notify the design's channel-layer group `design.<id>`
so open websockets learn of it. Views and consumers are thin and call these.

Validation is done before the write transaction so that a slow schema check never holds the
SQLite write lock; the version check happens inside it, on a locked row, so two writers with the
same base version get exactly one success and one `VersionConflict`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from designer import coeditops, limits
from designer.access import (
    MAX_SESSION_LINKS,
    ROLE_LEVEL,
    SESSION_KEY,
    Access,
    Actor,
    Need,
    access_design,
    access_revision,
    access_share_link,
)
from designer.errors import AuthRequired, BadJSON, DesignInvalid, DesignNotFound, Invalid, VersionConflict
from designer.jsondoor import parse_json
from designer.models import Design, DesignOp, Membership, Revision, Role, ShareLink
from simcore.design.keyorder import in_schema_order
from simcore.design.names import FORBIDDEN, name_problem

log = logging.getLogger(__name__)

MAX_NAME = 200
MAX_DESCRIPTION = 10_000
# Fields an imported file may carry from another system that must never take effect here: the
# importer owns the copy, nobody else gets access. They are dropped (and named in the revision
# note), not refused, so a file exported elsewhere still imports.
FOREIGN_FIELDS = (
    "acl", "created_at", "deleted_at", "example_slug", "id", "is_example", "members", "memberships",
    "owner", "owner_id", "permissions", "public", "share_links", "shared_with", "sharing", "updated_at",
)


def group_name(design_id: int) -> str:
    return f"design.{design_id}"


def notify(design_id: int, event: dict[str, Any]) -> None:
    """Tell the design's group, after the transaction commits. Delivery is best effort (a channel
    layer drops a message silently when a group member's queue is full or its process is gone):
    events carry the version, and a client that sees a gap reloads."""

    def send() -> None:
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group_name(design_id), event)
        except Exception:  # a channel-layer outage must not turn a saved design into an error
            log.exception("could not notify %s of %s", group_name(design_id), event.get("type"))

    transaction.on_commit(send)


# ---------------------------------------------------------------- validation at the door


def _strict_copy(document: Any) -> Any:
    """Round-trip through the strict parser: catches NaN, \\u0000, lone surrogates, deep nesting
    and huge integers in documents that did not come through a JSON door (Python callers)."""
    try:
        text = json.dumps(document, ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")
    except (ValueError, TypeError, UnicodeEncodeError, RecursionError) as exc:
        raise BadJSON(f"Not acceptable JSON: {type(exc).__name__}.") from None
    return parse_json(text)


def check_name(name: Any, path: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("A design needs a name.", problems=[{"code": "name.required", "path": path, "msg": "empty name"}])
    name = name.strip()
    if len(name) > MAX_NAME:
        raise Invalid(f"A name is at most {MAX_NAME} characters; this one has {len(name):,}.",
                      problems=[{"code": "name.too_long", "path": path, "msg": f"more than {MAX_NAME} characters"}])
    bad = name_problem(name)
    if bad:
        raise Invalid(f"The name {bad}.", problems=[{"code": "name.control_character", "path": path, "msg": bad}])
    return name


def check_description(description: Any) -> str:
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION or "\x00" in description:
        raise Invalid(
            f"A description is text of at most {MAX_DESCRIPTION:,} characters.",
            problems=[{"code": "description.invalid", "path": "description", "msg": "not text or too long"}],
        )
    return description


def _document_meta(document: Any, key: str, check) -> str | None:
    """The document's own name/description if it has one: None when absent or empty; a wrong
    type is refused like any schema problem (never silently replaced)."""
    if not isinstance(document, dict) or key not in document:
        return None
    value = document[key]
    if not isinstance(value, str):
        raise DesignInvalid(f"The design document's {key} must be text.",
                            problems=[{"code": "schema.type", "path": key, "msg": f"{key} is not a string"}])
    if key == "name" and not value.strip():
        return None
    return check(value)


def validate_document(document: Any, *, name: str, description: str) -> dict:
    """The document as it will be stored (name and description mirrored from the design), or
    DesignInvalid / TooLarge / BadJSON with every problem."""
    if not isinstance(document, dict):
        raise DesignInvalid(
            "A design document is a JSON object.", problems=[{"code": "schema.type", "path": "", "msg": "not an object"}]
        )
    limits.check_document_size(document)
    document = _strict_copy(document)
    document["name"] = name
    document["description"] = description
    from simcore.design.validate import validate_capped

    # Schema and reference problems are all errors; the answer lists the first MAX_PROBLEMS.
    problems, more = validate_capped(document)
    if problems:
        total = len(problems) + more
        shown = f"; the first {len(problems)} are listed" if more else ""
        raise DesignInvalid(f"The design document has {total:,} problem{'s' if total != 1 else ''}{shown}.",
                            problems=problems, more_problems=more)
    limits.check_document_size(document)
    return document


def empty_document(name: str, description: str = "") -> dict:
    return {"version": 1, "name": name, "description": description, "nodes": [], "links": [], "captures": [], "script": []}


def _author(actor: Actor):
    return actor.user if actor.is_authenticated else None


def _require_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise AuthRequired()


def _authorize(actor: Actor, design: Design, need: Need) -> Access:
    # Defence in depth: the door already called access_design, but an action never trusts it.
    return access_design(actor, design.pk, need)


# ---------------------------------------------------------------- designs


def _create(user, *, name: str, description: str, document: dict, note: str, is_example: bool = False,
            example_slug: str | None = None) -> Design:
    with transaction.atomic():
        design = Design.objects.create(
            owner=user, name=name, description=description, document=document, version=1,
            is_example=is_example, example_slug=example_slug,
        )
        Revision.objects.create(design=design, number=1, document=document, name=name,
                                description=description, author=user, note=note[:200])
    return design


def do_create_design(user, *, name: str, description: str = "", document: dict | None = None) -> Design:
    _require_user(user)
    limits.check_write(Actor(user))
    name = check_name(name)
    description = check_description(description)
    document = validate_document(document if document is not None else empty_document(name),
                                 name=name, description=description)
    return _create(user, name=name, description=description, document=document, note="Created")


def do_update_design(actor: Actor, design: Design, *, base_version: int, document: dict | None = None,
                     name: str | None = None, description: str | None = None, note: str = "") -> Design:
    _authorize(actor, design, Need.EDIT)
    limits.check_write(actor)
    if isinstance(base_version, bool) or not isinstance(base_version, int):
        raise Invalid("base_version must be an integer.", problems=[
            {"code": "request.type", "path": "base_version", "msg": "not an integer"}])
    if document is None and name is None and description is None:
        current = Design.objects.filter(pk=design.pk).values_list("version", flat=True).first()
        if current is not None and current != base_version:
            raise VersionConflict(current, base_version)
        return Design.objects.get(pk=design.pk)
    new_name = check_name(name) if name is not None else None
    new_description = check_description(description) if description is not None else None
    # Precedence: the explicit field, then the document's own, then what is stored. Validation
    # runs outside the write lock; the version check below makes sure nothing changed meanwhile.
    doc_name = _document_meta(document, "name", check_name)
    doc_description = _document_meta(document, "description", check_description)
    final_name = next(v for v in (new_name, doc_name, design.name) if v is not None)
    final_description = next(v for v in (new_description, doc_description, design.description) if v is not None)
    source = document if document is not None else design.document
    stored = validate_document(source, name=final_name, description=final_description)
    with transaction.atomic():
        locked = Design.objects.select_for_update().filter(pk=design.pk, deleted_at__isnull=True).first()
        if locked is None:
            raise DesignNotFound()
        # `design` (what was validated against) must also be the locked version: a save that
        # landed between the caller's fetch and this lock makes the request retry on fresh data.
        if locked.version != base_version or locked.version != design.version:
            raise VersionConflict(locked.version, base_version)
        # Logged and broadcast as a change, like one from the websocket: open editors apply it
        # (docs/design.md, "Co-editing").
        ops = coeditops.canonical(locked.document, stored)
        locked.document = stored
        locked.name = final_name
        locked.description = final_description
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["document", "name", "description", "version", "updated_at"])
        Revision.objects.create(design=locked, number=locked.version, document=stored, name=final_name,
                                description=final_description, author=_author(actor), note=note[:200])
        entry = {"seq": locked.version, "ops": ops, "client": None, "change": None,
                 "by": actor.user.get_username() if actor.is_authenticated else None}
        DesignOp.objects.create(design=locked, seq=locked.version, ops=ops, author=_author(actor))
        notify(locked.pk, {"type": "design.saved", "design": locked.pk, "version": locked.version,
                           "by": actor.user_id})
        notify(locked.pk, coeditops.ops_event([entry]))
    return locked


def do_trash_design(actor: Actor, design: Design) -> Design:
    _authorize(actor, design, Need.OWNER)
    limits.check_write(actor)
    with transaction.atomic():
        Design.objects.filter(pk=design.pk).update(deleted_at=timezone.now())
        notify(design.pk, {"type": "design.trashed", "design": design.pk})
    design.refresh_from_db()
    return design


def do_restore_design(actor: Actor, design: Design) -> Design:
    access_design(actor, design.pk, Need.OWNER, trashed=True)
    limits.check_write(actor)
    # Still in the trash at the instant of the write: retention may end between the two.
    if not Design.objects.in_trash().filter(pk=design.pk).update(deleted_at=None, updated_at=timezone.now()):
        raise DesignNotFound()
    design.refresh_from_db()
    return design


def do_duplicate_design(actor: Actor, design: Design, user) -> Design:
    """A copy owned by `user` (the acting user): works for examples and read-only shares."""
    _require_user(user)
    _authorize(actor, design, Need.VIEW)
    limits.check_write(Actor(user))
    name = check_name(f"Copy of {design.name}"[:MAX_NAME])
    document = validate_document(design.document, name=name, description=design.description)
    return _create(user, name=name, description=design.description, document=document,
                   note=f"Copied from design {design.pk} version {design.version}")


# Co-editing's change log (designer/coedit.py) is kept for a day and for the last KEEP_OPS changes.
KEEP_OPS = 5000


def cut_revision(design_id: int, *, author=None, note: str = "") -> Revision | None:
    """A revision of the design as it is now, unless the current version already has one."""
    with transaction.atomic():
        row = Design.objects.select_for_update().filter(pk=design_id, deleted_at__isnull=True).first()
        if row is None:
            return None
        # The log is kept for a day (a client offline that long resends changes the log must
        # still recognise) and for the last KEEP_OPS changes; older rows go with each revision.
        DesignOp.objects.filter(design=row, seq__lte=row.version - KEEP_OPS,
                                created_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
        existing = Revision.objects.filter(design=row, number=row.version).first()
        if existing is not None:
            return existing
        return Revision.objects.create(design=row, number=row.version, document=row.document, name=row.name,
                                       description=row.description, author=author, note=note[:200])



def do_restore_revision(actor: Actor, design: Design, number: int) -> Design:
    """Make revision `number` the current version, as a NEW revision (history only grows)."""
    revision = access_revision(_authorize(actor, design, Need.EDIT), number)
    # The state before the restore is kept as a revision of its own (co-edited changes since the
    # last revision would otherwise be lost from the history).
    cut_revision(design.pk, author=_author(actor), note=f"Before restoring revision {revision.number}")
    design.refresh_from_db()
    return do_update_design(actor, design, base_version=design.version, document=revision.document,
                            name=revision.name, description=revision.description,
                            note=f"Restored revision {revision.number}")


# ---------------------------------------------------------------- sharing


def do_create_share_link(actor: Actor, design: Design, *, role: str, expires_at: dt.datetime | None = None) -> ShareLink:
    _authorize(actor, design, Need.OWNER)
    limits.check_write(actor)
    if role not in Role.values:
        raise Invalid("A share link's role is 'viewer' or 'editor'.",
                      problems=[{"code": "role.invalid", "path": "role", "msg": f"unknown role {str(role)[:20]!r}"}])
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at, dt.UTC)
        if expires_at <= timezone.now():
            raise Invalid("A share link's expiry must be in the future.",
                          problems=[{"code": "expires_at.past", "path": "expires_at", "msg": "in the past"}])
    return ShareLink.objects.create(design=design, role=role, created_by=_author(actor), expires_at=expires_at)


def do_revoke_share_link(actor: Actor, link: ShareLink) -> ShareLink:
    access_share_link(actor, design_id=link.design_id, link_id=link.pk)
    limits.check_write(actor)
    with transaction.atomic():
        ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        notify(link.design_id, {"type": "design.access_changed", "design": link.design_id})
    link.refresh_from_db()
    return link


def do_open_share_link(actor: Actor, session, token: str) -> ShareLink:
    """Open a share link (`/s/<token>/`): the token goes first in the session's links (`actor`
    is the session's, `actor_from_request`), and a signed-in user other than the owner gets a
    Membership through the link, so the design shows under "shared with me". A missing,
    revoked or expired link raises `DesignNotFound` and changes nothing."""
    link = access_share_link(actor, token=token)
    tokens = [t for t in actor.link_tokens if t != link.token]
    session[SESSION_KEY] = [link.token, *tokens][:MAX_SESSION_LINKS]
    if actor.is_authenticated and link.design.owner_id != actor.user_id:
        _join_via_link(actor.user, link)
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
        if ROLE_LEVEL[link.role] > ROLE_LEVEL[membership.role] or not membership.is_effective():
            # A stronger link, or the old link died: this link now carries the membership.
            membership.role = link.role
            membership.via_link = link
            membership.save(update_fields=["role", "via_link"])


def do_add_member(actor: Actor, design: Design, user, role: str) -> Membership:
    """Give `user` a direct role on `design` (admin and fixtures; the pages share by link)."""
    _authorize(actor, design, Need.OWNER)
    if role not in Role.values:
        raise Invalid("A member's role is 'viewer' or 'editor'.")
    membership, _ = Membership.objects.update_or_create(user=user, design=design,
                                                        defaults={"role": role, "via_link": None})
    notify(design.pk, {"type": "design.access_changed", "design": design.pk})
    return membership


# ---------------------------------------------------------------- import, export, examples


def _name_from_filename(filename: str) -> str:
    stem = PurePosixPath(PureWindowsPath(str(filename or "")).name).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = FORBIDDEN.sub("", stem).strip()[:MAX_NAME]
    return stem or "Imported design"


def do_import_design(user, raw_bytes: bytes, filename: str) -> Design:
    """Create a design owned by `user` from an uploaded file. Ownership, sharing and permission
    fields in the file are dropped: the file carries a design, never access to anything."""
    _require_user(user)
    limits.check_import(user)
    limits.check_import_size(len(raw_bytes))
    data = parse_json(raw_bytes)
    if not isinstance(data, dict):
        raise DesignInvalid("An imported file holds one design document: a JSON object.", code="import.not_a_design",
                            problems=[{"code": "schema.type", "path": "", "msg": "not an object"}])
    dropped = sorted(k for k in data if k in FOREIGN_FIELDS)
    document = {k: v for k, v in data.items() if k not in FOREIGN_FIELDS}
    name = _document_meta(document, "name", check_name) or _name_from_filename(filename)
    description = _document_meta(document, "description", check_description) or ""
    stored = validate_document(document, name=name, description=description)
    note = f"Imported from {_name_from_filename(filename)}"
    if dropped:
        note += f" (ignored: {', '.join(dropped)})"
    return _create(user, name=name, description=description, document=stored, note=note)


def export_design(design: Design) -> bytes:
    """The design document as a file: the same bytes for the same design on every database (keys in
    the schema's order: PostgreSQL's jsonb does not keep the order they were written in)."""
    return (json.dumps(in_schema_order(design.document), ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


def export_filename(design: Design) -> str:
    """The download name of an exported design, for every door: the name slugified (ASCII, so the
    header needs no encoding), at most 80 characters, `design-<id>` when nothing is left."""
    return (slugify(design.name)[:80].strip("-_") or f"design-{design.pk}") + ".json"


def do_upsert_example(*, slug: str, document: dict, owner) -> Design:
    """Load or refresh a public example (the examples loader command). Idempotent: an unchanged
    document leaves the design and its history alone."""
    name = _document_meta(document, "name", check_name) or check_name(slug)
    description = _document_meta(document, "description", check_description) or ""
    stored = validate_document(document, name=name, description=description)
    existing = Design.objects.filter(example_slug=slug).first()
    if existing is None:
        return _create(owner, name=name, description=description, document=stored, note="Example loaded",
                       is_example=True, example_slug=slug)
    if existing.document == stored and existing.name == name and existing.description == description:
        return existing
    with transaction.atomic():
        locked = Design.objects.select_for_update().get(pk=existing.pk)
        locked.document, locked.name, locked.description = stored, name, description
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.is_example, locked.deleted_at = True, None
        locked.save()
        Revision.objects.create(design=locked, number=locked.version, document=stored, name=name,
                                description=description, author=owner, note="Example reloaded")
        notify(locked.pk, {"type": "design.saved", "design": locked.pk, "version": locked.version, "by": None})
    return locked


# ---------------------------------------------------------------- trash retention

PURGE_BATCH = 100


def do_purge_trash(now: dt.datetime | None = None) -> int:
    """Delete every design trashed longer than DESIGNER_TRASH_DAYS (with its revisions, links and
    memberships); returns how many designs. Reading never deletes: past retention a design is
    simply not found (`DesignQuerySet.findable`); this runs from `manage.py purge_trash`.

    In batches, each its own short transaction (SQLite has one writer); each batch re-checks the
    cutoff, so a design restored since it was listed stays."""
    now = now or timezone.now()
    count = 0
    while True:
        pks = list(Design.objects.past_retention(now).order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
        if not pks:
            return count
        _, per_model = Design.objects.past_retention(now).filter(pk__in=pks).delete()
        count += per_model.get(Design._meta.label, 0)
