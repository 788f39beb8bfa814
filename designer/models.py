"""Storage of designs, their history and their sharing. Policy lives in `access`, changes in `actions`."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Role(models.TextChoices):
    """What a share link or a membership grants. The owner is not a role stored here."""

    VIEWER = "viewer", "Can view"
    EDITOR = "editor", "Can edit"


def new_token() -> str:
    # 32 random bytes: unguessable, URL-safe (used in /s/<token>/).
    return secrets.token_urlsafe(32)


def trash_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Designs trashed at or before this instant are past retention (settings.DESIGNER_TRASH_DAYS)."""
    return (now or timezone.now()) - dt.timedelta(days=settings.DESIGNER_TRASH_DAYS)


class DesignQuerySet(models.QuerySet):
    """Three states, by `deleted_at`: alive (None), in the trash (after the cutoff, restorable),
    past retention (at or before it: never found nor listed, waiting for `purge_trash`)."""

    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def in_trash(self, now: dt.datetime | None = None):
        return self.filter(deleted_at__gt=trash_cutoff(now))

    def findable(self, now: dt.datetime | None = None):
        """Alive or still in the trash: every design some door may show."""
        return self.filter(Q(deleted_at__isnull=True) | Q(deleted_at__gt=trash_cutoff(now)))

    def past_retention(self, now: dt.datetime | None = None):
        return self.filter(deleted_at__lte=trash_cutoff(now))


class Design(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="designs")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    document = models.JSONField()
    # Optimistic concurrency: every save names the version it started from (actions.do_update_design).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    is_example = models.BooleanField(default=False)
    example_slug = models.SlugField(max_length=100, null=True, blank=True, unique=True)
    # Trash: set when deleted; past settings.DESIGNER_TRASH_DAYS the design is no longer found, and
    # `manage.py purge_trash` deletes it.
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = DesignQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "deleted_at"]), models.Index(fields=["is_example"])]

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"

    @property
    def is_trashed(self) -> bool:
        return self.deleted_at is not None


class Revision(models.Model):
    """One saved version of a design. Restoring an old one writes a new revision (history is append-only)."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["design", "number"], name="revision_unique_number")]

    def __str__(self) -> str:
        return f"{self.design_id} r{self.number}"


class ShareLinkQuerySet(models.QuerySet):
    def active(self, now: dt.datetime | None = None):
        """The SQL twin of `ShareLink.is_active`: not revoked, not expired at `now`."""
        not_expired = Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now())
        return self.filter(not_expired, revoked_at__isnull=True)


class ShareLink(models.Model):
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    role = models.CharField(max_length=10, choices=Role.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.role} link to #{self.design_id}"

    def state(self, now=None) -> str:
        """The link's state as the owner's share dialog shows it: revoked, expired or active."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"

    def is_active(self, now=None) -> bool:
        return self.state(now) == "active"


class Membership(models.Model):
    """A user's role on someone else's design: given directly, or by opening a share link
    (`via_link`), in which case it lasts only while that link is active."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    via_link = models.ForeignKey(
        ShareLink, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "design"], name="membership_unique_user_design")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} on #{self.design_id}"

    def is_effective(self, now=None) -> bool:
        return self.via_link is None or self.via_link.is_active(now)


class DesignOp(models.Model):
    """One accepted change of a design (co-editing, designer/coedit.py): the canonical operations
    the server applied, in order (`seq` is the design's version after it). A client's resent
    change is found by (client, change) and answered, never applied twice."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="ops")
    seq = models.PositiveIntegerField()
    ops = models.JSONField()
    client = models.CharField(max_length=40, blank=True, default="")
    change = models.CharField(max_length=64, blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["design", "seq"], name="designop_unique_seq"),
            models.UniqueConstraint(fields=["design", "client", "change"], condition=~Q(client=""),
                                    name="designop_unique_change"),
        ]

    def __str__(self) -> str:
        return f"{self.design_id} op{self.seq}"


from designer.lessons.models import Assignment, Attempt, Classroom, Enrolment, StoredActivity  # noqa: E402,F401  (lessons' model, in the designer app)
