"""Home (my designs, shared with me, examples) and the example gallery."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from designer.access import actor_from_request

from . import listing


@require_GET
def home(request):
    actor = actor_from_request(request)
    context = {"examples": listing.examples(actor), "shared": listing.shared_with(actor)}
    if request.user.is_authenticated:
        context["mine"] = listing.owned_by(actor)
    return render(request, "designer/home.html", context)


@require_GET
def examples(request):
    return render(request, "designer/examples.html", {"examples": listing.examples(actor_from_request(request))})
