"""The design websocket, `/ws/designs/<id>/`: one per open design tab (issue 7 grows it into
co-editing and live simulation).

- connect: `access_design(actor, id, VIEW)`; refused -> accept then close 4404 (the same for
  missing and forbidden), else join group `design.<id>` and send `design.hello`.
- group events from `actions.notify` are relayed: `design.saved` (a newer version exists: the
  client reloads through the API), `design.trashed` (close 4404), `design.access_changed`
  (re-check; close 4404 when access is gone).
- incoming frames are parsed by the strict parser; bad ones get `{"type": "error", "code"}`,
  never a crash (known-traps.md #3/#4). Access is checked again on every message, so a revoked
  link or a logout takes effect on an open socket (known-traps.md #2).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from designer import limits
from designer.access import Need, access_design, actor_from_scope
from designer.actions import group_name
from designer.errors import DesignerError, DesignNotFound
from designer.jsondoor import parse_json

log = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _check_access(scope, design_id) -> dict[str, Any]:
    access = access_design(actor_from_scope(scope), design_id, Need.VIEW)
    return {"id": access.design.pk, "version": access.design.version, "role": access.role}


class DesignConsumer(AsyncWebsocketConsumer):
    groups: list[str] = []

    async def connect(self) -> None:
        self.design_id = self.scope["url_route"]["kwargs"]["design_id"]
        self.joined: str | None = None
        await self.accept()
        try:
            design = await _check_access(self.scope, self.design_id)
        except DesignNotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.joined = group_name(design["id"])
        await self.channel_layer.group_add(self.joined, self.channel_name)
        await self.send_json({"type": "design.hello", "design": design})

    async def disconnect(self, code) -> None:
        if self.joined is not None:
            try:
                await self.channel_layer.group_discard(self.joined, self.channel_name)
            finally:
                self.joined = None

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content, ensure_ascii=False, allow_nan=False))

    async def send_error(self, code: str, msg: str, problems=()) -> None:
        await self.send_json({"type": "error", "code": code, "msg": msg, "problems": list(problems)})

    async def recheck(self) -> dict[str, Any] | None:
        """The design as this socket may still see it, or None after closing it."""
        try:
            return await _check_access(self.scope, self.design_id)
        except DesignNotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return None

    # ------------------------------------------------------------ incoming frames

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            await self._receive(text_data, bytes_data)
        except DesignerError as exc:
            await self.send_error(exc.code, exc.msg, exc.problems)
        except Exception:  # one bad frame never takes the socket down (known-traps.md #4)
            log.exception("websocket frame failed on design %s", self.design_id)
            await self.send_error("internal", "The server could not handle this message.")

    async def _receive(self, text_data, bytes_data) -> None:
        if self.joined is None:
            return
        if text_data is None:
            await self.send_error("ws.binary", "Frames are JSON text.")
            return
        if len(text_data) > limits.MAX_WS_MESSAGE_BYTES:
            await self.send_error("ws.too_large", "A message is at most 8 MiB.")
            return
        message = parse_json(text_data)
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.send_error("ws.invalid", 'A message is a JSON object with a "type".')
            return
        design = await self.recheck()
        if design is None:
            return
        kind = message["type"]
        if kind == "ping":
            await self.send_json({"type": "pong", "design": design})
        else:
            await self.send_error("ws.unknown_type", f"Unknown message type {kind[:40]!r}.")

    # ------------------------------------------------------------ group events
    # A failing handler would close the socket (known-traps.md #4): each one is guarded, and a
    # viewer that missed an event still has the version numbers to notice it.

    async def design_saved(self, event: dict[str, Any]) -> None:
        await self._guarded(self._design_saved, event)

    async def design_trashed(self, event: dict[str, Any]) -> None:
        await self._guarded(self._design_trashed, event)

    async def design_access_changed(self, event: dict[str, Any]) -> None:
        await self._guarded(self._design_access_changed, event)

    async def _guarded(self, handler, event: dict[str, Any]) -> None:
        try:
            await handler(event)
        except Exception:
            log.exception("group event %s failed on design %s", event.get("type"), self.design_id)

    async def _design_saved(self, event: dict[str, Any]) -> None:
        design = await self.recheck()
        if design is not None:
            await self.send_json({"type": "design.saved", "design": design["id"], "version": event["version"],
                                  "by": event.get("by")})

    async def _design_trashed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "design.trashed", "design": event["design"]})
        await self.close(code=CLOSE_NOT_FOUND)

    async def _design_access_changed(self, event: dict[str, Any]) -> None:
        design = await self.recheck()
        if design is not None:
            await self.send_json({"type": "design.access", "design": design})
