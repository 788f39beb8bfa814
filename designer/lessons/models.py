"""A student's attempt at an activity: their own Design, started from the activity's starting
design with the values of their variant (the seed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Attempt(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    activity = models.SlugField(max_length=64)
    # The variant: values are drawn from this seed (simcore.lessons.draw), so neighbours differ.
    seed = models.CharField(max_length=64)
    design = models.OneToOneField("designer.Design", on_delete=models.CASCADE, related_name="attempt")
    # Set when the activity was assigned in a class: that class's teacher may view the copy.
    classroom = models.ForeignKey("designer.Classroom", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="attempts")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The completion last computed for this copy (designer/lessons/completion.py): a change is
    # pushed to the class's teacher over the class socket.
    percent = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        app_label = "designer"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "activity"])]

    def __str__(self) -> str:
        return f"{self.owner_id} on {self.activity} (#{self.design_id})"


def new_code() -> str:
    import secrets
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a room
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Classroom(models.Model):
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classes_taught")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=16, unique=True, default=new_code)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "designer"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "designer"
        constraints = [models.UniqueConstraint(fields=["classroom", "student"], name="one_enrolment")]


class Assignment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    activity = models.SlugField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "designer"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["classroom", "activity"], name="one_assignment")]


# A teacher's own activity is assigned and attempted under this key (``stored_<pk>``): an
# underscore never appears in a document id (simcore/lessons/schema.json), so it never names a
# shipped activity, and Assignment/Attempt keep one column for both.
STORED_PREFIX = "stored_"


class StoredActivity(models.Model):
    """A teacher-made or imported activity: a valid activity document (validated at every door,
    designer/lessons/authoring.py), its owner the only one who sees, exports, assigns or deletes it;
    the students of a class it is assigned to reach it only through their own copies."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_activities")
    title = models.CharField(max_length=200)
    document = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "designer"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def key(self) -> str:
        return f"{STORED_PREFIX}{self.pk}"


class StoredLesson(models.Model):
    """A lesson a teacher imported (a lesson document another teacher exported, say): validated
    at the door like the pack's (designer/lessons/authoring.py), presented like them on the
    owner's own copy of its design; its owner the only one who sees, presents, exports or deletes it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_lessons")
    title = models.CharField(max_length=200)
    document = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "designer"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def key(self) -> str:
        """How the presenter's ``?lesson=`` names it (never a pack lesson's id: those have no ``_``)."""
        return f"{STORED_PREFIX}{self.pk}"
