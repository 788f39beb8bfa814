"""The lesson pages: the pack's list, a lesson with its steps (presented in the presenter view on
the person's own copy of its design), an activity (a student's own copy, the Check, the
completion) and the documents' export. Designs are reached through designer.access only."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from designer import actions
from designer.access import Need
from designer.errors import DesignerError
from designer.lessons import completion
from designer.lessons.access import activity_of, stored_lesson_by_key
from designer.lessons.markdown import render as md
from designer.lessons.models import Attempt
from designer.pages.common import access_or_404, render_action_error
from simcore.lessons import instantiate, pack, score


def _pack():
    return pack.shipped()


def _lesson_or_404(slug: str) -> dict:
    lesson = _pack().lessons.get(slug)
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def _activity_or_404(slug: str) -> dict:
    activity = _pack().activities.get(slug)
    if activity is None:
        raise Http404("No such activity.")
    return activity


def rendered_steps(lesson: dict) -> list[dict]:
    """The steps with their Markdown rendered (safe HTML), for the page and the presenter."""
    return [{"n": i + 1, "at": s["at"], "title": s["title"], "text": md(s["text"]),
             "do": md(s.get("do")) if s.get("do") else "", "expect": md(s.get("expect")) if s.get("expect") else "",
             "look": s.get("look", {})} for i, s in enumerate(lesson["steps"])]


def present_steps(slug: str | None, user=None) -> list[dict] | None:
    """For the presenter view's ``?lesson=``: the steps as JSON-ready dicts, or None (a pack
    lesson's id, or ``stored_<pk>``: an imported lesson of ``user``'s)."""
    lesson = _pack().lessons.get(slug) if slug else None
    if lesson is None:
        stored = stored_lesson_by_key(user, slug)
        lesson = stored.document if stored is not None else None
    if lesson is None:
        return None
    return [{**s, "text": str(s["text"]), "do": str(s["do"]), "expect": str(s["expect"])}
            for s in rendered_steps(lesson)]


@require_GET
def lesson_list(request):
    p = _pack()
    rows = []
    for section in p.sections:
        lesson = p.lessons.get(section.get("lesson"))
        rows.append({"section": section["section"], "lesson": lesson, "missing": section.get("missing"),
                     "summary": md(lesson["summary"]) if lesson else ""})
    activities = [{"id": a["id"], "title": a["title"]} for a in p.activities.values()]
    return render(request, "designer/lessons/list.html", {"title": p.title, "rows": rows, "activities": activities})


@require_GET
def lesson_detail(request, lesson: str):
    slug = lesson
    lesson = _lesson_or_404(slug)
    activity = _pack().activities.get(lesson.get("activity", ""))
    return render(request, "designer/lessons/lesson.html", {
        "lesson": lesson, "summary": md(lesson["summary"]), "steps": rendered_steps(lesson), "activity": activity})


@login_required
@require_POST
def lesson_open(request, lesson: str):
    """The person's own copy of the lesson's design, opened in the presenter with the steps."""
    return open_lesson_copy(request, _lesson_or_404(lesson), lesson)


def open_lesson_copy(request, lesson: dict, key: str):
    """A new design of the person's, a copy of ``lesson``'s, shown in the presenter with the steps
    (``?lesson=key``: a pack lesson's id, or ``stored_<pk>`` for an imported one)."""
    try:
        design = actions.do_create_design(request.user, name=f"Lesson: {lesson['title']}"[:200],
                                          description=lesson["design"].get("description", "")[:2000],
                                          document=dict(lesson["design"], name=f"Lesson: {lesson['title']}"[:200]))
    except DesignerError as error:
        return render_action_error(request, error, heading="The lesson could not be opened")
    return redirect(f"{reverse('design_present', args=[design.pk])}?lesson={key}")


def _download(doc: dict, slug: str) -> HttpResponse:
    response = HttpResponse(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", content_type="application/json")
    response["Content-Disposition"] = content_disposition_header(True, f"{slug}.json")
    return response


@require_GET
def lesson_export(request, lesson: str):
    slug = lesson
    return _download(_lesson_or_404(slug), f"lesson-{slug}")


@require_GET
def activity_export(request, activity: str):
    slug = activity
    return _download(_activity_or_404(slug), f"activity-{slug}")


def _variant(activity: dict, request) -> dict:
    seed = str(request.user.pk) if request.user.is_authenticated else "preview"
    return instantiate(activity, seed)


@require_GET
def activity_detail(request, activity: str):
    slug = activity
    activity = _activity_or_404(slug)
    mine = None
    if request.user.is_authenticated:
        mine = (Attempt.objects.filter(owner=request.user, activity=slug, design__deleted_at__isnull=True)
                .select_related("design").first())
    concrete = _variant(activity, request)
    return render(request, "designer/lessons/activity.html", {
        "activity": concrete, "instructions": md(concrete["instructions"]), "attempt": mine,
        "checks": [{"title": c["title"], "points": c["points"]} for c in concrete["checks"]]})


@login_required
@require_POST
def activity_start(request, activity: str):
    slug = activity
    """The student's own copy of the starting design (their variant), or the one they have."""
    activity = _activity_or_404(slug)
    existing = Attempt.objects.filter(owner=request.user, activity=slug, design__deleted_at__isnull=True).first()
    if existing is not None:
        return redirect("activity_work", design_id=existing.design_id)
    seed = str(request.user.pk)
    concrete = instantiate(activity, seed)
    name = f"{activity['title']} ({request.user.get_username()})"[:200]
    try:
        with transaction.atomic():
            design = actions.do_create_design(request.user, name=name, document=dict(concrete["start"], name=name))
            Attempt.objects.create(owner=request.user, activity=slug, seed=seed, design=design)
    except DesignerError as error:
        return render_action_error(request, error, heading="The activity could not be started")
    return redirect("activity_work", design_id=design.pk)


def _attempt_or_404(request, design_id: int):
    access = access_or_404(request, design_id, Need.VIEW)
    attempt = Attempt.objects.filter(design=access.design).select_related("owner").first()
    doc = activity_of(attempt.activity) if attempt is not None else None  # the pack's or a teacher's own
    if doc is None:
        raise Http404("No such activity.")
    return access, attempt, instantiate(doc, attempt.seed)


def score_design(concrete: dict, document: dict) -> dict:
    return score(concrete, document).to_dict()


@require_GET
def activity_work(request, design_id: int):
    access, attempt, concrete = _attempt_or_404(request, design_id)
    result = score_design(concrete, access.design.document)
    completion.record(attempt, result["percent"])
    return render(request, "designer/lessons/work.html", {
        "design": access.design, "activity": concrete, "attempt": attempt, "can_edit": access.can_edit,
        "instructions": md(concrete["instructions"]), "in_pack": attempt.activity in _pack().activities,
        "result": result})


@require_GET
def activity_score(request, design_id: int):
    """The Check: what passes, the hints for the rest and the completion, as JSON (polled)."""
    access, attempt, concrete = _attempt_or_404(request, design_id)
    result = score_design(concrete, access.design.document)
    completion.record(attempt, result["percent"])  # a change is pushed to the class's overview
    result["version"] = access.design.version
    return JsonResponse(result)
