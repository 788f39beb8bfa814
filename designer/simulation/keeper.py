"""The lease keeper: one task per Daphne process, when several processes share Redis (store.py).

Every `RENEW_S` (1 s) it
- renews the leases of this process's runs; a lease Redis forgot (a Redis restart) is taken again
  and the run's whole state written back; a lease another process holds now (we were cut off
  longer than the lease) makes our run end quietly (`Run.abandon`);
- refreshes the seats of this process's runs (every pass) and sockets (every `SOCKET_REFRESH_S`),
  which count against their users in every process;
- marks the designs this process's sockets watch, and takes over their runs whose lease expired
  (the host died): a new worker replays the action log up to the last streamed position, and the
  stream goes on with the next `seq` (`worker.RunWorker._resume`). A takeover that fails ends the
  run `interrupted`, with a sentence, for every viewer.

It works on the registry it is given (its runs and sockets): imports point from the registry to
here, never back.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

from designer.simulation import store as stores
from designer.simulation.localrun import Run
from designer.simulation.relay import RELAY, relay_group
from designer.simulation.remote import MAILBOX
from designer.simulation.runview import FINAL, PROCESS_ID, status_text

log = logging.getLogger(__name__)


class Keeper:
    def __init__(self, registry):
        self.registry = registry
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._taking: set[int] = set()
        self._sockets_refreshed = 0.0

    def ensure(self) -> None:
        """Start the task in the running event loop (once per loop), when the store is shared."""
        if not stores.store().shared:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._task is not None and not self._task.done() and self._loop is loop:
            return
        self._loop = loop
        self._task = loop.create_task(self._keep())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _keep(self) -> None:
        store = stores.store()
        while True:
            try:
                await MAILBOX.ensure()
                await self.keep_once(store)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the simulation keeper failed; trying again")
            await asyncio.sleep(stores.RENEW_S)

    async def keep_once(self, store) -> None:
        await self._refresh_seats(store)
        for run in list(self.registry.runs.values()):
            if run.ended or not run.token:
                continue
            try:
                got = await store.renew(run.design_id, run.token)
                if got == 2 and await store.acquire(run.design_id, run.token):
                    log.warning("run %s: its lease was gone (Redis restarted?): writing its state again",
                                run.run_id)
                    await MAILBOX.ensure()
                    await run.write_all(clear_ring=True)
                elif got == 0 or got == 2:
                    log.warning("run %s: another process holds its lease now: leaving it", run.run_id)
                    run.abandon()
            except Exception:
                log.warning("run %s: lease renewal failed (Redis down?)", run.run_id)
        for design_id in list(RELAY.watchers):
            try:
                await store.watched(design_id)
                if self.registry.get(design_id) is None and design_id not in self._taking:
                    await self._maybe_take_over(store, design_id)
            except Exception:
                log.exception("design %s: could not check its run (Redis down?)", design_id)

    # -- failover -------------------------------------------------------------------------------
    async def _maybe_take_over(self, store, design_id: int) -> None:
        data = await store.read(design_id)
        if data is None or data["pos"].get("status") in FINAL or await store.holder(design_id) is not None:
            return
        token = f"{PROCESS_ID}:{secrets.token_hex(4)}"
        if not await store.acquire(design_id, token):
            return
        self._taking.add(design_id)
        try:
            await self._take_over(store, design_id, token)
        finally:
            self._taking.discard(design_id)

    async def _take_over(self, store, design_id: int, token: str) -> None:
        from channels.layers import get_channel_layer

        data = await store.read(design_id)
        if data is None or data["pos"].get("status") in FINAL:
            await store.release(design_id, token)
            return
        meta, pos = data["meta"], data["pos"]
        log.warning("design %s: taking over run %s at seq %s (its process stopped)", design_id, meta["run"],
                    pos.get("seq"))
        config = {"run": meta["run"], "doc": meta["doc"], "seed": meta["seed"], "speed": pos.get("speed", 1.0),
                  "play": pos.get("status") == "playing", **meta.get("limits", {}),
                  "resume": {**pos, "log": data.get("actions") or []}}
        run = Run(design_id, meta["starter"], config, get_channel_layer(), relay_group(design_id), store=store,
                  token=token, resumed=True, on_end=self.registry.forget, charged=tuple(meta.get("charged") or ()))
        run.tables = data.get("tables")
        self.registry.runs[design_id] = run
        try:
            await run.start()
            await store.write(design_id, meta=run.meta())
        except Exception as exc:
            log.exception("design %s: the takeover failed", design_id)
            self.registry.forget(run)
            state = {**pos, "status": "interrupted",
                     "msg": f"The server running this simulation stopped and the run could not be resumed "
                            f"({type(exc).__name__}). Start it again."}
            await store.write(design_id, pos=state)
            await get_channel_layer().group_send(relay_group(design_id), {
                "type": "run.relay", "design": design_id, "run": meta["run"], "kind": "status", "relay": 0,
                "text": status_text(meta["run"], state)})
            await store.release(design_id, token)
            for key in meta.get("charged") or [meta["starter"]]:
                await store.drop_seat("runs", key, f"{design_id}:{meta['run']}")

    # -- per-user limits across processes (store.py, seats) -------------------------------------
    async def _refresh_seats(self, store) -> None:
        """Every pass: our runs' seats (a taken-over run keeps its starter's seat); every
        `SOCKET_REFRESH_S`: our sockets' seats. Both are re-added after a Redis restart."""
        runs = [(key, run.seat) for run in list(self.registry.runs.values()) if not run.ended and not run.lost
                for key in run.charged]
        try:
            await store.refresh_seats("runs", runs, stores.RUN_TTL_MS)
        except Exception:
            log.warning("could not refresh the runs' seats (Redis down?)")
        now = asyncio.get_running_loop().time()
        if now - self._sockets_refreshed < stores.SOCKET_REFRESH_S:
            return
        sockets = self.registry.sockets
        seats = [(key, seat) for seat, keys in list(sockets.items()) for key in keys]
        try:
            await store.refresh_seats("sockets", seats, stores.SOCKET_TTL_MS)
            self._sockets_refreshed = now
            for who, seat in seats:  # closed while we refreshed: the refresh re-added it
                if seat not in sockets:
                    await store.drop_seat("sockets", who, seat)
        except Exception:
            log.warning("could not refresh the sockets' seats (Redis down?)")
