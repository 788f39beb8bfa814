"""Who may do what to classes and activities: the lessons' part of the one place permissions are
decided (designs themselves are designer/access.py's, which lets a class's teacher VIEW the copies
made there). Every door of designer/lessons gets its class or stored activity here, fetched AND
authorized; a missing one and a forbidden one raise the same ``LessonNotFound``, so an answer never
tells a stranger that a class or an activity exists.

- a class: its teacher (everything), its enrolled students (its page, starting what is assigned);
- a stored activity (a teacher's own document): its owner only (see, export, assign, delete). A
  student reaches it only through their own copy (``designer.models.Attempt``) in a class it is
  assigned to: the copy's page shows the instructions and the Check, never the solution;
- a stored lesson (an imported lesson document): its owner only (see, present, export, delete);
- a class's live overview (the class socket): the teacher only.
"""

from __future__ import annotations

from designer.access import MAX_ID
from designer.errors import DesignNotFound
from designer.lessons.models import (
    STORED_PREFIX,
    Assignment,
    Classroom,
    Enrolment,
    StoredActivity,
    StoredLesson,
)
from simcore.lessons import pack


class LessonNotFound(DesignNotFound):
    code = "lesson.not_found"
    default_msg = "No such class or activity."


def _pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise LessonNotFound() from None
    if not 0 < pk <= MAX_ID:
        raise LessonNotFound()
    return pk


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def access_class(user, class_id, *, teacher: bool = False) -> tuple[Classroom, bool]:
    """The class and whether ``user`` teaches it: for its teacher, or (unless ``teacher``) an
    enrolled student; else ``LessonNotFound``."""
    klass = Classroom.objects.filter(pk=_pk(class_id)).first()
    if klass is None or not _signed_in(user):
        raise LessonNotFound("No such class.")
    if klass.teacher_id == user.pk:
        return klass, True
    if not teacher and Enrolment.objects.filter(classroom=klass, student=user).exists():
        return klass, False
    raise LessonNotFound("No such class.")


def _owned(model, user, pk, missing: str):
    """The ``model`` row ``pk`` if ``user`` owns it, else ``LessonNotFound(missing)``."""
    pk = _pk(pk)
    found = model.objects.filter(pk=pk, owner_id=user.pk).first() if _signed_in(user) else None
    if found is None:
        raise LessonNotFound(missing)
    return found


def access_stored_activity(user, activity_id) -> StoredActivity:
    """A stored activity for its owner; anyone else (a student of a class it is assigned to
    included: the document holds the solution) gets ``LessonNotFound``."""
    return _owned(StoredActivity, user, activity_id, "No such activity.")


def access_stored_lesson(user, lesson_id) -> StoredLesson:
    """A stored lesson for its owner; anyone else gets ``LessonNotFound``."""
    return _owned(StoredLesson, user, lesson_id, "No such lesson.")


def stored_lesson_by_key(user, key: str | None) -> StoredLesson | None:
    """The presenter's ``?lesson=stored_<pk>``: the lesson if ``user`` owns it, else None."""
    if not key or not key.startswith(STORED_PREFIX):
        return None
    try:
        return access_stored_lesson(user, key.removeprefix(STORED_PREFIX))
    except LessonNotFound:
        return None


def assignable(user) -> dict[str, dict]:
    """What ``user`` may assign to a class they teach, by key: the pack's activities and their own
    stored ones (``stored_<pk>``)."""
    out = dict(pack.shipped().activities)
    if _signed_in(user):
        for stored in StoredActivity.objects.filter(owner_id=user.pk).order_by("title", "id"):
            out[stored.key] = stored.document
    return out


def activity_of(key: str) -> dict | None:
    """The document behind an assignment's or attempt's key, whoever asks: callers reach the key
    through a class or a copy they were given (``access_class``, designer.access)."""
    if key.startswith(STORED_PREFIX):
        rest = key.removeprefix(STORED_PREFIX)
        if not rest.isdigit() or not 0 < int(rest) <= MAX_ID:
            return None
        return StoredActivity.objects.filter(pk=int(rest)).values_list("document", flat=True).first()
    return pack.shipped().activities.get(key)


def assigned_in(klass: Classroom, key: str) -> bool:
    return Assignment.objects.filter(classroom=klass, activity=key).exists()
