"""Model -> API dicts. Only called with objects the actor was authorized for."""

from __future__ import annotations

from django.urls import reverse

from designer.models import Design, Revision, ShareLink


def design_summary(design: Design, role: str) -> dict:
    return {
        "id": design.pk,
        "name": design.name,
        "description": design.description,
        "version": design.version,
        "owner": design.owner.get_username(),
        "role": role,
        "is_example": design.is_example,
        "example_slug": design.example_slug,
        "created_at": design.created_at,
        "updated_at": design.updated_at,
        "deleted_at": design.deleted_at,
    }


def design_full(design: Design, role: str) -> dict:
    return {**design_summary(design, role), "document": design.document}


def revision_summary(revision: Revision) -> dict:
    return {
        "number": revision.number,
        "name": revision.name,
        "author": revision.author.get_username() if revision.author_id else None,
        "created_at": revision.created_at,
        "note": revision.note,
    }


def revision_full(revision: Revision) -> dict:
    return {**revision_summary(revision), "description": revision.description, "document": revision.document}


def share_url(token: str) -> str:
    try:
        return reverse("share_link_open", kwargs={"token": token})
    except Exception:  # the pages URLconf is not mounted (API-only deployments, some tests)
        return f"/s/{token}/"


def link_out(link: ShareLink) -> dict:
    return {
        "id": link.pk,
        "role": link.role,
        "token": link.token,
        "url": share_url(link.token),
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "active": link.is_active(),
    }
