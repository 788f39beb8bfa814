"""Classes: a teacher creates one, students join by its code or link, the teacher assigns
activities; each student's copy is their own Design (an Attempt with the class); the teacher's
overview scores every copy (pushed over the class socket, designer/lessons/live.py) and resets one
to the starting design. The teacher views a copy through designer/access.py's teacher-of-class
rule (read-only); classes and stored activities are reached through designer/lessons/access.py.
An activity is named by its key: a pack activity's id, or ``stored_<pk>`` for a teacher's own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from designer import actions
from designer.access import Actor
from designer.errors import DesignerError
from designer.lessons import completion
from designer.lessons.access import LessonNotFound, access_class, activity_of, assignable, assigned_in
from designer.lessons.models import Assignment, Attempt, Classroom, Enrolment
from designer.lessons.views import score_design
from designer.pages.common import render_action_error
from simcore.lessons import instantiate, pack

_scores: dict[tuple[int, int], dict] = {}  # (design id, version) -> score: a design's score never changes


def _score(attempt: Attempt, doc: dict) -> dict:
    design = attempt.design
    key = (design.pk, design.version)
    if key not in _scores:
        if len(_scores) > 5000:
            _scores.clear()
        _scores[key] = score_design(instantiate(doc, attempt.seed), design.document)
    completion.record(attempt, _scores[key]["percent"])
    return _scores[key]


def _class_or_404(request, class_id: int, *, teacher: bool = False) -> tuple[Classroom, bool]:
    """The class, for its teacher or (unless ``teacher``) an enrolled student; else the same 404."""
    try:
        return access_class(request.user, class_id, teacher=teacher)
    except LessonNotFound:
        raise Http404("No such class.") from None


def _assigned(klass: Classroom) -> list[tuple[str, dict]]:
    """(key, document) of what is assigned in the class, in the order it was assigned."""
    out = []
    for assignment in klass.assignments.all():
        doc = activity_of(assignment.activity)
        if doc is not None:
            out.append((assignment.activity, doc))
    return out


@login_required
@require_http_methods(["GET", "POST"])
def class_list(request):
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()[:200]
        if not name:
            return render_action_error(request, DesignerError("A class needs a name.", code="class.name", status=400),
                                       heading="The class could not be created")
        klass = Classroom.objects.create(teacher=request.user, name=name)
        return redirect("class_detail", class_id=klass.pk)
    return render(request, "designer/lessons/classes.html", {
        "taught": Classroom.objects.filter(teacher=request.user),
        "joined": Classroom.objects.filter(enrolments__student=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def class_join(request):
    code = (request.POST.get("code") or request.GET.get("code") or "").strip().upper()
    if request.method == "GET" and not code:
        return render(request, "designer/lessons/join.html", {})
    klass = Classroom.objects.filter(code=code).first() if code else None
    if klass is None:
        return render(request, "designer/lessons/join.html", {"error": "No class has this code.", "code": code}, status=404)
    if klass.teacher_id != request.user.pk:
        _, joined = Enrolment.objects.get_or_create(classroom=klass, student=request.user)
        if joined:
            completion.changed(klass.pk)
    return redirect("class_detail", class_id=klass.pk)


@login_required
@require_GET
def class_detail(request, class_id: int):
    klass, is_teacher = _class_or_404(request, class_id)
    assigned = _assigned(klass)
    context = {"klass": klass, "is_teacher": is_teacher,
               "join_url": request.build_absolute_uri(reverse("class_join") + f"?code={klass.code}")}
    if is_teacher:
        keys = {key for key, _ in assigned}
        context["available"] = [{"key": key, "title": doc["title"], "mine": key not in pack.shipped().activities}
                                for key, doc in assignable(request.user).items() if key not in keys]
        context["overview"] = _overview(klass)
    else:
        mine = {a.activity: a for a in Attempt.objects.filter(classroom=klass, owner=request.user,
                                                              design__deleted_at__isnull=True)}
        context["mine"] = [{"key": key, "activity": doc, "attempt": mine.get(key)} for key, doc in assigned]
    return render(request, "designer/lessons/class.html", context)


def _overview(klass: Classroom) -> dict:
    students = [e.student for e in klass.enrolments.select_related("student").order_by("student__username")]
    assigned = _assigned(klass)
    attempts = {(a.owner_id, a.activity): a for a in
                Attempt.objects.filter(classroom=klass, design__deleted_at__isnull=True)
                .select_related("design", "owner")}
    rows = []
    for student in students:
        cells = []
        for key, doc in assigned:
            attempt = attempts.get((student.pk, key))
            cells.append({"activity": key, "design_id": attempt.design_id if attempt else None,
                          "percent": _score(attempt, doc)["percent"] if attempt else None})
        rows.append({"student": student.get_username(), "cells": cells})
    return {"activities": [key for key, _ in assigned], "titles": [doc["title"] for _, doc in assigned],
            "rows": rows}


@login_required
@require_GET
def class_overview(request, class_id: int):
    klass, _ = _class_or_404(request, class_id, teacher=True)
    return JsonResponse(_overview(klass))


@login_required
@require_POST
def class_assign(request, class_id: int):
    klass, _ = _class_or_404(request, class_id, teacher=True)
    activity = request.POST.get("activity", "")
    if activity not in assignable(request.user):  # the pack's, or the teacher's own
        return render_action_error(request, DesignerError(f"No activity {activity[:64]!r}.", code="class.activity",
                                                          status=400), heading="The activity could not be assigned")
    Assignment.objects.get_or_create(classroom=klass, activity=activity)
    return redirect("class_detail", class_id=klass.pk)


@login_required
@require_POST
def class_start(request, class_id: int, activity: str):
    klass, is_teacher = _class_or_404(request, class_id)
    doc = activity_of(activity)
    if is_teacher or doc is None or not assigned_in(klass, activity):
        raise Http404("No such assignment.")
    existing = Attempt.objects.filter(classroom=klass, owner=request.user, activity=activity,
                                      design__deleted_at__isnull=True).first()
    if existing is None:
        seed = f"class-{klass.pk}-{request.user.pk}"
        concrete = instantiate(doc, seed)
        name = f"{doc['title']} ({request.user.get_username()})"[:200]
        try:
            with transaction.atomic():
                design = actions.do_create_design(request.user, name=name, document=dict(concrete["start"], name=name))
                existing = Attempt.objects.create(owner=request.user, activity=activity, seed=seed, design=design,
                                                  classroom=klass)
        except DesignerError as error:
            return render_action_error(request, error, heading="The activity could not be started")
        completion.changed(klass.pk)
    return redirect("activity_work", design_id=existing.design_id)


@login_required
@require_POST
def class_reset(request, class_id: int, design_id: int):
    """Put a student's copy back to the starting design (a new revision of it, by its owner's hand:
    the teacher only views copies, so the reset is done on the student's behalf)."""
    klass, _ = _class_or_404(request, class_id, teacher=True)
    attempt = Attempt.objects.filter(classroom=klass, design_id=design_id).select_related("design", "owner").first()
    doc = activity_of(attempt.activity) if attempt is not None else None
    if doc is None:
        raise Http404("No such copy.")
    concrete = instantiate(doc, attempt.seed)
    design = attempt.design
    try:
        actions.do_update_design(Actor(attempt.owner), design, base_version=design.version,
                                 document=dict(concrete["start"], name=design.name))
    except DesignerError as error:
        return render_action_error(request, error, heading="The copy could not be reset")
    design.refresh_from_db()
    _score(attempt, doc)  # recorded, and pushed to the overview
    return redirect("class_detail", class_id=klass.pk)
