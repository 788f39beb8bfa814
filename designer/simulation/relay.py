"""One group member per process, not per viewer: the run's batches reach each Daphne process once.

One `group_send` to 100 viewer channels per tick is what backs up (the layer
copies and queues each message 100 times; with Redis, 100 list pushes: p99 delivery 0.4-2.4 s). Instead, of the sockets of
this process watching a design, ONE (the leader) is in the group `simrelay.<design id>`; when
the leader's consumer gets a run message it hands it to every local socket watching that design,
in order, as direct calls. When the leader leaves, the next socket takes its place. The hosting
process is no special case, so one code path serves one process or many. No
background task reads the layer: the leader's own consumer does (Channels' receive loop).

A Redis restart makes the layer forget every group membership without an error: while a design has local watchers, the leader's channel is re-added to the
group every `REJOIN_S` (2) seconds (idempotent), so viewers hear the run again within that time and
the consumers fill the gap from the run's ring buffer.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

REJOIN_S = 2.0


def relay_group(design_id: int) -> str:
    return f"simrelay.{design_id}"


class Relay:
    def __init__(self):
        self.watchers: dict[int, list] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        # Called with a design id when its last local watcher left, with None on reset: what
        # others keep per design for the watchers (coedit.Reorder) goes with them.
        self.forget_hooks: list = []

    def leader(self, design_id: int):
        members = self.watchers.get(design_id)
        return members[0] if members else None

    async def join(self, design_id: int, consumer) -> None:
        members = self.watchers.setdefault(design_id, [])
        members.append(consumer)
        if len(members) == 1:
            await consumer.channel_layer.group_add(relay_group(design_id), consumer.channel_name)
            self._schedule_rejoin(design_id)

    async def leave(self, design_id: int, consumer) -> None:
        members = self.watchers.get(design_id)
        if not members or consumer not in members:
            return
        was_leader = members[0] is consumer
        members.remove(consumer)
        if not members and self.watchers.get(design_id) is members:
            del self.watchers[design_id]
            timer = self._timers.pop(design_id, None)
            if timer is not None:
                timer.cancel()
            for forget in self.forget_hooks:
                forget(design_id)
        if was_leader:
            # The next leader first (the layer may be down: then the re-join timer does it).
            if members:
                await members[0].channel_layer.group_add(relay_group(design_id), members[0].channel_name)
            await consumer.channel_layer.group_discard(relay_group(design_id), consumer.channel_name)

    async def fan_out(self, consumer, message: dict) -> None:
        """Called by a consumer that received a run message: deliver it to every local watcher
        (only the leader's copy counts; a stale member's copy is dropped)."""
        design_id = message.get("design")
        if self.leader(design_id) is not consumer:
            return
        for member in list(self.watchers.get(design_id, ())):
            try:
                await member.deliver_run_message(message)
            except Exception:
                log.exception("simulation relay: a viewer of design %s failed", design_id)

    def _schedule_rejoin(self, design_id: int) -> None:
        loop = asyncio.get_running_loop()
        self._timers[design_id] = loop.call_later(REJOIN_S, lambda: loop.create_task(self._rejoin(design_id)))

    async def _rejoin(self, design_id: int) -> None:
        leader = self.leader(design_id)
        if leader is None:
            return
        try:
            await leader.channel_layer.group_add(relay_group(design_id), leader.channel_name)
        except Exception:  # the layer is down: try again next time
            log.warning("simulation relay: re-join of design %s failed", design_id)
        if design_id in self.watchers:
            self._schedule_rejoin(design_id)

    def reset(self) -> None:
        """Forget every watcher (tests end their event loop with sockets still registered)."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self.watchers.clear()
        for forget in self.forget_hooks:
            forget(None)


RELAY = Relay()
