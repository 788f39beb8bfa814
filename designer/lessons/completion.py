"""A copy's completion, recorded and pushed: whenever a door scores a student's copy (their Check,
their activity page asking again, the teacher's overview) the percent is kept on the Attempt, and a
change is pushed to the class's group, ``class.<id>``, which the teacher's overview sockets join
(designer/lessons/live.py). A student joining or starting pushes ``class.changed`` (the overview
gains a row or a cell). Delivery is best effort, like ``actions.notify``: the overview asks for the
whole table again when its socket (re)connects."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from designer.lessons.models import Attempt

log = logging.getLogger(__name__)


def class_group(class_id: int) -> str:
    return f"class.{class_id}"


def notify_class(class_id: int, event: dict[str, Any]) -> None:
    """Send ``event`` to the class's overview sockets once the transaction commits."""

    def send() -> None:
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(class_group(class_id), event)
        except Exception:  # an outage of the layer must not turn a Check into an error
            log.exception("could not notify %s of %s", class_group(class_id), event.get("type"))

    transaction.on_commit(send)


def record(attempt: Attempt, percent: int) -> None:
    """Keep ``percent`` as the copy's completion; tell its class's teacher when it changed."""
    if attempt.percent == percent:
        return
    # Only the row still holding another value is written: two doors scoring at once push once.
    changed = Attempt.objects.filter(pk=attempt.pk).exclude(percent=percent).update(percent=percent)
    attempt.percent = percent
    if changed and attempt.classroom_id is not None:
        notify_class(attempt.classroom_id, {
            "type": "class.completion", "student": attempt.owner.get_username(), "activity": attempt.activity,
            "design": attempt.design_id, "percent": percent})


def changed(class_id: int) -> None:
    """A student joined or started, or a copy was saved: the overview asks for its table again."""
    notify_class(class_id, {"type": "class.changed"})


def copy_saved(design_id: int) -> None:
    """A revision of a design was made: if it is a student's copy in a class, its teacher's overview
    asks for the table (which scores the new version; scoring here, in the save path, would run the
    design's script inside an editor's save). Revisions come with every HTTP save and restore, and
    after co-editing goes quiet (``actions.cut_revision``), so the overview follows edits made in
    the editor with no activity page open."""
    class_id = Attempt.objects.filter(design_id=design_id, classroom__isnull=False).values_list(
        "classroom_id", flat=True).first()
    if class_id is not None:
        changed(class_id)


# Connected when the app is ready (designer/apps.py imports this module): models import nothing
# from here, so there is no import circle.
@receiver(post_save, sender="designer.Revision", dispatch_uid="designer.lessons.copy_saved")
def _revision_made(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A student's copy saved: its class's overview is told."""
    if created and not raw:
        copy_saved(instance.design_id)
