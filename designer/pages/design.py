"""The design pages: create, import, view, export, copy, delete (to the trash), trash, restore."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from designer import actions, limits
from designer.access import Need, actor_from_request
from designer.errors import DesignerError

from . import listing
from .common import access_or_404, render_action_error, role_label
from .forms import ImportForm, NewDesignForm
from .summary import cached_design_problems, link_rows, node_rows

TRASH_DAYS = getattr(settings, "DESIGNER_TRASH_DAYS", 30)


@login_required
@require_POST
def design_new(request):
    form = NewDesignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A design needs a name of at most 200 characters.")
        return redirect("home")
    try:
        design = actions.do_create_design(request.user, name=form.cleaned_data["name"])
    except DesignerError as error:
        return render_action_error(request, error, heading="The design was not created")
    return redirect("design_detail", design.pk)


@login_required
@require_POST
def design_import(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a design file (.json) to import.")
        return redirect("home")
    upload = form.cleaned_data["file"]
    # Read at most one byte past the limit: the action refuses oversize files with its own error.
    raw = upload.read(limits.MAX_IMPORT_BYTES + 1)
    try:
        design = actions.do_import_design(request.user, raw, upload.name)
    except DesignerError as error:
        return render_action_error(request, error, heading=f"{upload.name} was not imported")
    messages.success(request, f"Imported {upload.name}.")
    return redirect("design_detail", design.pk)


@require_GET
def design_detail(request, design_id: int):
    access = access_or_404(request, design_id, Need.VIEW)
    design = access.design
    return render(
        request,
        "designer/design_detail.html",
        {
            "design": design,
            "document": design.document,
            "role": access.role,
            "role_label": role_label(access),
            "can_edit": access.can_edit,
            "is_owner": access.is_owner,
            "node_rows": node_rows(design.document),
            "link_rows": link_rows(design.document),
            "problems": cached_design_problems(design.document),
        },
    )


@require_GET
def design_export(request, design_id: int):
    access = access_or_404(request, design_id, Need.VIEW)
    return HttpResponse(actions.export_design(access.design), content_type="application/json", headers={
        "Content-Disposition": content_disposition_header(True, actions.export_filename(access.design))})


@login_required
@require_POST
def design_copy(request, design_id: int):
    access = access_or_404(request, design_id, Need.VIEW)
    try:
        copy = actions.do_duplicate_design(actor_from_request(request), access.design, request.user)
    except DesignerError as error:
        return render_action_error(request, error, heading="The copy was not made")
    messages.success(request, f"This is your copy of “{access.design.name}”.")
    return redirect("design_detail", copy.pk)


@login_required
@require_http_methods(["GET", "POST"])
def design_delete(request, design_id: int):
    access = access_or_404(request, design_id, Need.OWNER)
    if request.method == "POST":
        try:
            actions.do_trash_design(actor_from_request(request), access.design)
        except DesignerError as error:
            return render_action_error(request, error, heading="The design was not deleted")
        messages.success(request, f"“{access.design.name}” moved to the trash.")
        return redirect("home")
    return render(request, "designer/delete.html", {"design": access.design, "trash_days": TRASH_DAYS})


@login_required
@require_GET
def trash(request):
    items = [
        {"design": d, "purge_at": d.deleted_at + timedelta(days=TRASH_DAYS)}
        for d in listing.trashed_by(actor_from_request(request))
    ]
    return render(request, "designer/trash.html", {"designs": items, "trash_days": TRASH_DAYS})


@login_required
@require_POST
def design_restore(request, design_id: int):
    access = access_or_404(request, design_id, Need.OWNER, trashed=True)
    try:
        actions.do_restore_design(actor_from_request(request), access.design)
    except DesignerError as error:
        return render_action_error(request, error, heading="The design was not restored")
    messages.success(request, f"“{access.design.name}” is back.")
    return redirect("design_detail", access.design.pk)
