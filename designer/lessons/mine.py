"""A teacher's own activities (pages): the list with the import form, the activity form on one of
their designs (the starting design), an activity's page with the reference check (its solution
scores 100%, its start 0%), its export and its deletion. Stored activities are reached through
designer/lessons/access.py only; the designs through designer/access.py."""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from designer import limits
from designer.access import Actor, Need, access_design, actor_from_request, visible_designs
from designer.errors import DesignerError, DesignNotFound
from designer.lessons import authoring
from designer.lessons.access import LessonNotFound, access_stored_activity, access_stored_lesson
from designer.lessons.markdown import render as md
from designer.lessons.models import Assignment, StoredActivity, StoredLesson
from designer.lessons.views import open_lesson_copy, rendered_steps
from designer.pages.common import access_or_404, render_action_error


def _mine_or_404(request, activity_id: int) -> StoredActivity:
    try:
        return access_stored_activity(request.user, activity_id)
    except LessonNotFound:
        raise Http404("No such activity.") from None


def _my_designs(request):
    return visible_designs(actor_from_request(request), "mine").order_by("name", "id").only("id", "name")[:500]


@login_required
@require_GET
def my_activities(request):
    return render(request, "designer/lessons/mine.html", {
        "activities": StoredActivity.objects.filter(owner=request.user).only("id", "title", "created_at"),
        "lessons": StoredLesson.objects.filter(owner=request.user).only("id", "title", "created_at"),
        "designs": _my_designs(request)})


@login_required
@require_POST
def activity_import(request):
    upload = request.FILES.get("file")
    if upload is None:
        return render_action_error(request, authoring.ActivityInvalid(
            "Choose an activity or lesson file (.json) to import.", code="import.no_file", status=400),
            heading="Nothing was imported")
    raw = upload.read(limits.MAX_IMPORT_BYTES + 1)
    try:
        stored = authoring.do_import(request.user, raw)
    except DesignerError as error:
        return render_action_error(request, error, heading=f"{upload.name[:100]} was not imported")
    if isinstance(stored, StoredLesson):
        return redirect("my_lesson", lesson_id=stored.pk)
    return redirect("my_activity", activity_id=stored.pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_make(request, design_id: int):
    """The activity form on one of the teacher's designs: it becomes the starting design."""
    access = access_or_404(request, design_id, Need.OWNER)
    if request.method == "GET":
        form = authoring.Form.blank(access.design.name)
        return _form(request, access.design, form, [], status=200)
    form = authoring.Form.from_post(request.POST)
    solution = None
    if form.solution:
        try:
            solution = access_design(actor_from_request(request), form.solution, Need.VIEW).design.document
        except DesignNotFound:
            pass  # reported by build() as a missing solution, the same for missing and forbidden
    try:
        limits.check_write(Actor(request.user))  # counted with the design writes
        doc = authoring.build(form, access.design.document, solution)
        stored = authoring.store(request.user, doc)
    except DesignerError as error:
        return _form(request, access.design, form, error.problems, status=error.status, message=error.msg)
    return redirect("my_activity", activity_id=stored.pk)


def _form(request, design, form, problems, *, status: int, message: str = ""):
    return render(request, "designer/lessons/make.html", {
        "design": design, "form": form, "problems": problems, "message": message, "tests": authoring.TESTS,
        "designs": [d for d in _my_designs(request) if d.pk != design.pk]}, status=status)


@login_required
@require_GET
def my_activity(request, activity_id: int):
    stored = _mine_or_404(request, activity_id)
    doc = stored.document
    return render(request, "designer/lessons/mine_detail.html", {
        "stored": stored, "activity": doc, "instructions": md(doc["instructions"]),
        "checks": [{"title": c["title"], "points": c["points"], "on": "design" if "design" in c else "run",
                    "test": next(iter(c.get("design") or c.get("run"))), "hint": c["hint"]} for c in doc["checks"]],
        "reference": _reference(stored),
        "classes": request.user.classes_taught.all()})


_references: dict[str, dict] = {}  # a document's digest -> its reference check (two runs, kept)


def _reference(stored: StoredActivity) -> dict:
    key = hashlib.sha256(json.dumps(stored.document, sort_keys=True).encode()).hexdigest()
    if key not in _references:
        if len(_references) > 1000:
            _references.clear()
        _references[key] = authoring.reference(stored.document)
    return _references[key]


@login_required
@require_GET
def my_activity_export(request, activity_id: int):
    return _download(_mine_or_404(request, activity_id), "activity")


def _download(stored: StoredActivity | StoredLesson, kind: str) -> HttpResponse:
    """The stored document as the file it was imported from (``activity-<id>.json``, ``lesson-<id>.json``)."""
    response = HttpResponse(authoring.export_bytes(stored), content_type="application/json")
    response["Content-Disposition"] = content_disposition_header(True, f"{kind}-{stored.document['id']}.json")
    return response


@login_required
@require_POST
def my_activity_delete(request, activity_id: int):
    stored = _mine_or_404(request, activity_id)
    if Assignment.objects.filter(activity=stored.key).exists():
        return render_action_error(request, DesignerError(
            "This activity is assigned in a class: its students' copies are scored with it, so it stays.",
            code="activity.assigned", status=409), heading="The activity was not deleted")
    stored.delete()
    return redirect("my_activities")


# -- imported lessons ---------------------------------------------------------------------------

def _my_lesson_or_404(request, lesson_id: int) -> StoredLesson:
    try:
        return access_stored_lesson(request.user, lesson_id)
    except LessonNotFound:
        raise Http404("No such lesson.") from None


@login_required
@require_GET
def my_lesson(request, lesson_id: int):
    stored = _my_lesson_or_404(request, lesson_id)
    doc = stored.document
    return render(request, "designer/lessons/mine_lesson.html", {
        "stored": stored, "lesson": doc, "summary": md(doc["summary"]), "steps": rendered_steps(doc)})


@login_required
@require_POST
def my_lesson_open(request, lesson_id: int):
    """The owner's own copy of the lesson's design, opened in the presenter with the steps."""
    stored = _my_lesson_or_404(request, lesson_id)
    return open_lesson_copy(request, stored.document, stored.key)


@login_required
@require_GET
def my_lesson_export(request, lesson_id: int):
    return _download(_my_lesson_or_404(request, lesson_id), "lesson")


@login_required
@require_POST
def my_lesson_delete(request, lesson_id: int):
    _my_lesson_or_404(request, lesson_id).delete()  # the copies made from it are their owners' designs
    return redirect("my_activities")
