"""The design lists of the home page and the trash, through `designer.access`'s own queries
(`visible_designs`, `trashed_designs`), so the pages list exactly what the API lists."""

from __future__ import annotations

from designer.access import Actor, role_of, trashed_designs, visible_designs

# A home page is a glance, not an archive: the API pages through everything.
LIST_LIMIT = 200


def examples(actor: Actor):
    return list(visible_designs(actor, "examples")[:LIST_LIMIT])


def owned_by(actor: Actor):
    return list(visible_designs(actor, "mine").filter(is_example=False).order_by("-updated_at", "-id")[:LIST_LIMIT])


def shared_with(actor: Actor):
    """(design, role) pairs: memberships (direct or through a live link) and links in the session."""
    designs = visible_designs(actor, "shared").order_by("-updated_at", "-id")[:LIST_LIMIT]
    return [(design, role_of(actor, design) or "viewer") for design in designs]


def trashed_by(actor: Actor):
    return list(trashed_designs(actor)[:LIST_LIMIT])
