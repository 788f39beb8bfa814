"""The revisions list of a design, and restoring one (which saves it as a new revision)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from designer import actions
from designer.access import Need, actor_from_request
from designer.errors import DesignerError

from .common import access_or_404, render_action_error

MAX_LISTED = 500


@require_GET
def design_revisions(request, design_id: int):
    access = access_or_404(request, design_id, Need.VIEW)
    revisions = access.design.revisions.select_related("author").order_by("-number")[:MAX_LISTED]
    return render(
        request,
        "designer/revisions.html",
        {"design": access.design, "revisions": revisions, "can_edit": access.can_edit},
    )


@require_POST
def design_revision_restore(request, design_id: int, number: int):
    access = access_or_404(request, design_id, Need.EDIT)
    try:
        actions.do_restore_revision(actor_from_request(request), access.design, number)
    except DesignerError as error:
        return render_action_error(request, error, heading=f"Revision {number} was not restored")
    messages.success(request, f"Revision {number} was restored as the newest revision.")
    return redirect("design_detail", access.design.pk)
