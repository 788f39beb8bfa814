"""What the page views share: authorizing a design, roles in words, rendering action errors."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from designer.access import Access, DesignNotFound, Need, access_design, actor_from_request


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


def render_action_error(request, error, *, heading: str):
    """An action refused (a `designer.errors.DesignerError`): its sentence, its problems
    `{code, path, msg}` and its HTTP status."""
    return render(
        request,
        "designer/error.html",
        {"heading": heading, "message": error.msg, "problems": error.problems, "code": error.code},
        status=error.status,
    )
