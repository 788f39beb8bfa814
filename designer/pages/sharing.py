"""Sharing pages: the share dialog (create, list, revoke links) and opening a link `/s/<token>/`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from designer import actions
from designer.access import Need, actor_from_request, share_links_of
from designer.errors import DesignerError, DesignNotFound

from .common import access_or_404, link_or_404, render_action_error
from .forms import ShareLinkForm


@login_required
@require_http_methods(["GET", "POST"])
def design_share(request, design_id: int):
    access = access_or_404(request, design_id, Need.OWNER)
    design = access.design
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_share_link(
                actor_from_request(request),
                design,
                role=form.cleaned_data["role"],
                expires_at=form.expires_at(timezone.now()),
            )
        except DesignerError as error:
            return render_action_error(request, error, heading="The link was not created")
        messages.success(request, f"A new {form.cleaned_data['role']} link is ready: copy it from the list.")
        return redirect("design_share", design.pk)
    now = timezone.now()
    links = [
        {
            "link": link,
            "url": request.build_absolute_uri(reverse("share_link_open", args=[link.token])),
            "state": link.state(now),
        }
        for link in share_links_of(access)
    ]
    return render(request, "designer/share.html", {"design": design, "form": form, "links": links})


@login_required
@require_POST
def design_share_revoke(request, design_id: int, link_id: int):
    link = link_or_404(request, design_id, link_id)
    try:
        actions.do_revoke_share_link(actor_from_request(request), link)
    except DesignerError as error:
        return render_action_error(request, error, heading="The link was not revoked")
    messages.success(request, f"The {link.role} link was revoked: it no longer opens the design.")
    return redirect("design_share", link.design_id)


@require_GET
def share_link_open(request, token: str):
    """Remembers the link in the session (and, for a signed-in person, as a membership through the
    link, so the design shows under "Shared with me"), then opens the design."""
    try:
        link = actions.do_open_share_link(actor_from_request(request), request.session, token)
    except DesignNotFound:
        return render(
            request,
            "designer/error.html",
            {"heading": "This link does not open anything", "message": "The link is unknown, revoked or expired. Ask its owner for a new one."},
            status=404,
        )
    return redirect("design_detail", link.design_id)
