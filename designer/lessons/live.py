"""The class overview socket, ``/ws/classes/<id>/``: the teacher's overview hears each student's
completion as it changes instead of asking every few seconds (docs/websocket-protocol.md, "The
class overview socket").

- connect: the actor read from the session (``designer.access.actor_from_scope``) must be the
  class's teacher (``designer.lessons.access.access_class``); anyone else, a student of the class
  included, is accepted then closed with 4404, the same for a missing class;
- the socket joins ``class.<id>`` (``completion.class_group``) and its session's group (a logout
  closes it at once), then says ``class.hello``;
- pushes: ``class.completion`` {student, activity, design, percent} when a copy's recorded
  completion changes, ``class.changed`` when a student joins or starts (the page asks for the
  table again). Each push re-reads the session first: a socket whose actor is no longer the
  teacher is closed with 4404;
- the client sends nothing: any frame is answered with ``ws.unknown_type``;
- a teacher holds at most ``limits.MAX_SOCKETS_PER_USER`` class sockets in one process (error
  ``ws.too_many_sockets``, close 4429), counted apart from their design sockets.
"""

from __future__ import annotations

import collections
import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from designer import limits
from designer.access import actor_from_scope
from designer.lessons.access import LessonNotFound, access_class
from designer.lessons.completion import class_group

log = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429
_OPEN: collections.Counter[int] = collections.Counter()  # class sockets per teacher, in this process


@database_sync_to_async
def _teacher(scope, class_id) -> int | None:
    """The id of the class's teacher when the socket's actor is that teacher, else None."""
    user = actor_from_scope(scope).user
    try:
        access_class(user, class_id, teacher=True)
    except LessonNotFound:
        return None
    return user.pk


async def _teaches(scope, class_id) -> bool:
    return await _teacher(scope, class_id) is not None


class ClassOverviewConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.class_id = self.scope["url_route"]["kwargs"]["class_id"]
        self.joined: list[str] = []
        self.counted: int | None = None
        await self.accept()
        teacher = await _teacher(self.scope, self.class_id)
        if teacher is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if _OPEN[teacher] >= limits.MAX_SOCKETS_PER_USER:
            await self.send_json({"type": "error", "code": "ws.too_many_sockets", "problems": [],
                                  "msg": f"At most {limits.MAX_SOCKETS_PER_USER} class overviews open at once: "
                                         "close one and reload this page."})
            await self.close(code=CLOSE_TOO_MANY)
            return
        _OPEN[teacher] += 1
        self.counted = teacher
        from designer.consumers import session_group  # the design socket's: a logout closes both

        session_key = (self.scope.get("cookies") or {}).get(settings.SESSION_COOKIE_NAME)
        for group in [class_group(int(self.class_id)), *([session_group(session_key)] if session_key else [])]:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.send_json({"type": "class.hello", "class": int(self.class_id)})

    async def disconnect(self, code) -> None:
        counted, self.counted = getattr(self, "counted", None), None
        if counted is not None:
            _OPEN[counted] -= 1
            if _OPEN[counted] <= 0:
                del _OPEN[counted]
        joined, self.joined = getattr(self, "joined", []), []
        for group in joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the layer is down; its memberships expire
                log.warning("class %s: could not leave %s", getattr(self, "class_id", "?"), group)

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content, ensure_ascii=False, allow_nan=False))

    async def receive(self, text_data=None, bytes_data=None) -> None:
        await self.send_json({"type": "error", "code": "ws.unknown_type", "problems": [],
                              "msg": "The class overview socket only speaks: it takes no messages."})

    async def _still_teacher(self) -> bool:
        if await _teaches(self.scope, self.class_id):
            return True
        await self.close(code=CLOSE_NOT_FOUND)
        return False

    async def class_completion(self, event: dict[str, Any]) -> None:
        if self.joined and await self._still_teacher():
            await self.send_json({k: event[k] for k in ("type", "student", "activity", "design", "percent")})

    async def class_changed(self, event: dict[str, Any]) -> None:
        if self.joined and await self._still_teacher():
            await self.send_json({"type": "class.changed"})

    async def session_logged_out(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_NOT_FOUND)
