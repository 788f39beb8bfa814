"""The presenter view of a design: the drawing, the run's controls, the current event as a caption,
a console and the live tables on one screen, for a projector (docs/live.md "Presenter view").

Whoever may view the design may present it (the same `Need.VIEW` as the design page, share-link
viewers included); the run's controls and the consoles work for owners and editors only, as on the
design page (the websocket decides, per message).
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from designer.access import Need
from designer.lessons.views import present_steps

from .common import access_or_404, role_label
from .summary import link_rows, node_rows


@require_GET
def design_present(request, design_id: int):
    access = access_or_404(request, design_id, Need.VIEW)
    design = access.design
    return render(
        request,
        "designer/design_present.html",
        {
            "design": design,
            "document": design.document,
            "role_label": role_label(access),
            "can_edit": access.can_edit,
            "node_count": len(node_rows(design.document)),
            "link_count": len(link_rows(design.document)),
            # ?lesson=<id>: the lesson's steps beside the drawing (designer/lessons)
            "lesson_steps": present_steps(request.GET.get("lesson"), request.user),
        },
    )
