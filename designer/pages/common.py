"""What the page views share: authorizing a design or a share link, roles in words, rendering
action errors."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from designer.access import Access, Need, access_design, access_share_link, actor_from_request
from designer.errors import DesignNotFound
from designer.models import ShareLink


def role_label(access: Access) -> str:
    """The role as the page header shows it; a public example seen by anyone but its owner is an example."""
    if access.design.is_example and not access.is_owner:
        return "example"
    return access.role


def access_or_404(request, design_id: int, need: Need, *, trashed: bool = False) -> Access:
    """The one way a page reaches a design: authorized, or the same 404 for missing and forbidden."""
    try:
        return access_design(actor_from_request(request), design_id, need, trashed=trashed)
    except DesignNotFound:
        raise Http404("No such design.") from None


def link_or_404(request, design_id: int, link_id: int) -> ShareLink:
    """An active share link of a design the visitor owns, or the same 404 for everything else."""
    try:
        return access_share_link(actor_from_request(request), design_id=design_id, link_id=link_id)
    except DesignNotFound:
        raise Http404("No such share link.") from None


def render_action_error(request, error, *, heading: str):
    """An action refused (a `designer.errors.DesignerError`): its sentence, its problems
    `{code, path, msg}` and its HTTP status."""
    return render(
        request,
        "designer/error.html",
        {"heading": heading, "message": error.msg, "problems": error.problems, "code": error.code},
        status=error.status,
    )
