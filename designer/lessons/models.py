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
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        app_label = "designer"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "activity"])]

    def __str__(self) -> str:
        return f"{self.owner_id} on {self.activity} (#{self.design_id})"
