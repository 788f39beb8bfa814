"""A run hosted by another Daphne process (several processes sharing Redis, store.py).

- `RemoteRun`: the run as read from Redis, with the methods of a local `Run` that a socket uses
  (`fetch`, `detail`, `snapshot`, `request`, `tables_at`): reads are answered from the state the
  host wrote before publishing (position, tables, ring buffer); commands go to the host's mailbox,
  and so do the reads only the host can answer (`HOST_READS`: the tables of a past instant, from
  the history the host keeps in memory).
- `Mailbox`: this process's mailbox in Redis (`sim:<database>:box:<process id>`, a list popped
  with a 1 s block): commands forwarded by other processes to the runs of this one, and the
  replies to the commands this one forwarded. Not a channel-layer channel: channels-redis receives
  every process-local channel through one shared blocking pop, and a reader of our own there
  stalled the consumers and hung event-loop shutdown.

The mailbox serves forwarded commands with the runs of this process, which it finds through
`local_run` (set by the registry: imports point from the registry to here, never back).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from typing import Any

from designer.errors import DesignerError
from designer.simulation import store as stores
from designer.simulation.runview import (
    FETCH_LIMIT,
    PROCESS_ID,
    RECENT_ON_JOIN,
    REQUEST_TIMEOUT_S,
    RING_SIZE,
    RunError,
    ring_answer,
    state_text,
    table_pages,
)

log = logging.getLogger(__name__)

# Ops a forwarded request may name that the host answers itself, from what it keeps in memory,
# without its worker: op -> the method of the host's `localrun.Run` (awaited with the fields).
HOST_READS = {"tables.at": "tables_at"}


class RemoteRun:
    """A run hosted by another process (or being taken over: `host` None), as read from Redis."""

    ring_size = RING_SIZE

    def __init__(self, design_id: int, run_id: str, state: dict, tables: Any, store, host: str | None = None):
        self.design_id, self.run_id, self.state, self.tables, self.store = design_id, run_id, state, tables, store
        self.host = host

    async def fetch(self, after_seq: int, limit: int = FETCH_LIMIT, upto: int | None = None) -> dict:
        entries, oldest = await self.store.ring_after(self.design_id, after_seq, limit + 1, upto)
        return ring_answer(entries, after_seq, limit, self.state["seq"] + 1 if oldest is None else oldest)

    async def detail(self, seq: int) -> str | None:
        entries, _oldest = await self.store.ring_after(self.design_id, seq - 1, 1, seq)
        if not entries or entries[0][0] != seq:
            return None
        return entries[0][2] or entries[0][1]

    async def snapshot(self) -> list[str]:
        recent = [slim for _seq, slim, _full in await self.store.ring_last(self.design_id, RECENT_ON_JOIN)]
        pages = table_pages(self.run_id, self.state, self.tables, snapshot=True) if self.tables is not None else []
        return [state_text(self.run_id, self.design_id, self.state, self.tables, recent), *pages]

    async def tables_at(self, t: int) -> dict:
        """The tables of a past instant (ns), from the history the host keeps (localrun.Run)."""
        return await self.request("tables.at", t=t)

    async def request(self, op: str, *, timeout: float = REQUEST_TIMEOUT_S, **fields: Any) -> Any:
        if self.host is None:
            raise RunError("The run is being taken over by another server process; try again in a moment.",
                           code="run.ended")
        return await MAILBOX.forward(self.host, self.design_id, self.run_id, op, fields, timeout)


class Mailbox:
    def __init__(self):
        self.channel: str | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._futures: dict[str, asyncio.Future] = {}
        self._ids = itertools.count(1)
        self.local_run: Callable[[int], Any] = lambda design_id: None

    async def ensure(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is loop and self._task is not None and not self._task.done():
            return
        store = stores.store()
        if not store.shared:
            return
        self.channel = store.box(PROCESS_ID)
        self.loop = loop
        self._task = loop.create_task(self._read(store))

    async def _read(self, store) -> None:
        while True:
            try:
                message = await store.box_pop(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis restarting: try again
                await asyncio.sleep(0.5)
                continue
            if message is None:
                continue
            if message.get("type") == "sim.reply":
                fut = self._futures.get(message["id"])
                if fut is not None and not fut.done():
                    fut.set_result(message)
            elif message.get("type") == "sim.request":
                self.loop.create_task(self._serve(store, message))

    async def _serve(self, store, message: dict) -> None:
        reply = {"type": "sim.reply", "id": message["id"]}
        run = self.local_run(message["design"])
        try:
            if run is None or run.run_id != message["run"]:
                raise RunError("No simulation is running for this design: start one with run.start.",
                               code="run.none")
            read = HOST_READS.get(message["op"])
            if read is not None:
                reply.update(ok=True, data=await getattr(run, read)(**message["fields"]))
            else:
                reply.update(ok=True, data=await run.request(message["op"], **message["fields"]))
        except DesignerError as exc:
            reply.update(ok=False, code=exc.code, msg=exc.msg)
        except Exception as exc:
            log.exception("forwarded run request failed")
            reply.update(ok=False, code="internal", msg=f"The run's server failed: {type(exc).__name__}")
        try:
            await store.box_push(message["reply_to"], reply)
        except Exception:
            log.warning("could not reply to a forwarded run request")

    async def forward(self, host: str, design_id: int, run_id: str, op: str, fields: dict, timeout: float) -> Any:
        await self.ensure()
        store = stores.store()
        rid = f"{PROCESS_ID}-{next(self._ids)}"
        fut = asyncio.get_running_loop().create_future()
        self._futures[rid] = fut
        try:
            await store.box_push(host, {"type": "sim.request", "id": rid, "reply_to": self.channel,
                                        "design": design_id, "run": run_id, "op": op, "fields": fields})
            reply = await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise RunError(f"The run's server did not answer within {timeout:g} s; try again.",
                           code="run.timeout") from None
        finally:
            self._futures.pop(rid, None)
        if not reply["ok"]:
            raise RunError(reply["msg"], code=reply["code"])
        return reply.get("data")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._task = None
        self.loop = None


MAILBOX = Mailbox()
