"""The runs of this Daphne process, and the way to a design's run wherever it is hosted.

`REGISTRY` keeps one `Run` per design (localrun.py: the worker process and its pipe), counts the
sockets of this process watching each design (a run nobody watches any more is stopped after
`ORPHAN_GRACE_S`, so a page reload comes back in time), starts runs under the per-user limits, and
finds a design's run: this process's `Run`, or with several processes sharing Redis a `RemoteRun`
(remote.py: read from Redis, commands forwarded to the host's mailbox) with the same methods.

With several processes, `Keeper` (keeper.py) renews the leases of our runs, refreshes the seats of
our runs and sockets, and takes over the runs of a process that died.

Imports point one way: registry -> keeper -> localrun -> remote -> runview.
"""

from __future__ import annotations

import collections
import logging
import secrets
from typing import Any

from designer.limits import MAX_RUNS_PER_USER, Budget
from designer.simulation import store as stores
from designer.simulation.keeper import Keeper
from designer.simulation.localrun import Run
from designer.simulation.relay import relay_group
from designer.simulation.remote import MAILBOX, RemoteRun
from designer.simulation.runview import FINAL, PROCESS_ID, RunError

log = logging.getLogger(__name__)

ORPHAN_GRACE_S = 45.0  # + the stop (at most 5 s, then a kill): ended within a minute


class Registry:
    """The runs of this process, and how many sockets of this process watch each design: a run
    nobody watches any more is stopped after `ORPHAN_GRACE_S` (a reload comes back in time)."""

    def __init__(self):
        self.runs: dict[int, Run] = {}
        self.watchers: collections.Counter[int] = collections.Counter()
        # socket seat -> the budget keys it is counted under, for the sockets of this process (shared store)
        self.sockets: dict[str, tuple[str, ...]] = {}
        self.keeper = Keeper(self)

    def watcher_joined(self, design_id: int) -> None:
        self.watchers[design_id] += 1
        self.keeper.ensure()

    def watcher_left(self, design_id: int, grace_s: float | None = None) -> None:
        self.watchers[design_id] -= 1
        if self.watchers[design_id] > 0:
            return
        del self.watchers[design_id]
        run = self.get(design_id)
        if run is not None and run.loop is not None:
            run.loop.call_later(ORPHAN_GRACE_S if grace_s is None else grace_s, self._reap, run)

    def _reap(self, run: Run) -> None:
        if not run.ended and self.watchers[run.design_id] <= 0 and self.runs.get(run.design_id) is run:
            run.loop.create_task(self._reap_unless_watched_elsewhere(run))

    async def _reap_unless_watched_elsewhere(self, run: Run) -> None:
        if run.store.shared:
            try:
                watched = await run.store.is_watched(run.design_id)
            except Exception:
                watched = True  # Redis down: do not stop a run for that
            if watched:  # sockets of other processes watch it (the keeper marks them)
                run.loop.call_later(ORPHAN_GRACE_S, self._reap, run)
                return
        if not run.ended and self.watchers[run.design_id] <= 0:
            await run.stop()

    # -- whichever process hosts the run --------------------------------------------------------
    async def find(self, design_id: int) -> Run | RemoteRun | None:
        """The run of a design: this process's, or (several processes) as read from Redis."""
        run = self.get(design_id)
        if run is not None:
            return run
        store = stores.store()
        if not store.shared:
            return None
        data = await store.read(design_id)
        if data is None or data["pos"].get("status") in FINAL:
            return None
        meta = data["meta"]
        return RemoteRun(design_id, meta["run"], data["pos"], data.get("tables"), store,
                         host=meta.get("host") if meta.get("process") != PROCESS_ID else None)

    def get(self, design_id: int) -> Run | None:
        run = self.runs.get(design_id)
        return run if run is not None and not run.ended else None

    def count_for(self, key: str) -> int:
        """The runs charged to budget `key` in this process (the shared count is `store.count_runs`)."""
        return sum(1 for run in self.runs.values() if key in run.charged and not run.ended)

    # -- per-user limits across processes (store.py, seats; refreshed by the keeper) ------------
    async def socket_opened(self, budgets) -> tuple[str | None, Any]:
        """Count a new socket against every one of its budgets (`limits.Budget`: key, limit):
        (its seat, None), or (None, the first budget that is full in all the processes together).
        Only the shared store counts here (one process counts in consumers._SOCKETS); the seats
        are taken one budget at a time and given back if a later one is full. Redis down: the
        socket is let in, its seats are added by the next refresh."""
        store = stores.store()
        seat = f"{PROCESS_ID}:{secrets.token_hex(6)}"
        keys = tuple(b.key for b in budgets)
        if not store.shared:
            return seat, None
        taken: list[str] = []
        try:
            for budget in budgets:
                if not await store.take_seat("sockets", budget.key, seat, budget.limit, stores.SOCKET_TTL_MS):
                    for key in taken:
                        await store.drop_seat("sockets", key, seat)
                    return None, budget
                taken.append(budget.key)
        except Exception:
            log.warning("could not count a socket in Redis (down?): let in")
        self.sockets[seat] = keys
        self.keeper.ensure()
        return seat, None

    async def socket_closed(self, seat: str) -> None:
        keys = self.sockets.pop(seat, None)
        if keys is None:
            return
        try:
            for key in keys:
                await stores.store().drop_seat("sockets", key, seat)
        except Exception:
            log.warning("could not drop a socket's seat (it expires by itself)")

    def forget(self, run: Run) -> None:
        if self.runs.get(run.design_id) is run:
            del self.runs[run.design_id]

    async def start(self, design_id: int, starter: str, *, doc: dict, seed: int, speed: float, limits: dict,
                    layer, paused: bool = False, budgets=None) -> Run:
        """Start a run of the design, charged to every one of `budgets` (`limits.Budget`: the
        starter's, and the creators' of the share links it came by; default: the starter's
        alone, `MAX_RUNS_PER_USER`). Refused (`run.too_many`, the full budget's sentence) unless
        each has room, in this process and, with a shared store, in all of them."""
        if budgets is None:
            budgets = [Budget(starter, MAX_RUNS_PER_USER,
                              f"At most {MAX_RUNS_PER_USER} running simulations per user: stop one first.")]
        if self.get(design_id) is not None:
            raise RunError("A run of this design is already going: watch it, or stop it first.", code="run.exists")
        for budget in budgets:
            if self.count_for(budget.key) >= budget.limit:
                raise RunError(budget.msg, code="run.too_many")
        config = {"run": secrets.token_hex(8), "doc": doc, "seed": seed, "speed": speed, "play": not paused,
                  **limits}
        store = stores.store()
        token = f"{PROCESS_ID}:{secrets.token_hex(4)}"
        run = Run(design_id, starter, config, layer, relay_group(design_id), store=store, token=token,
                  on_end=self.forget, charged=tuple(b.key for b in budgets))
        self.runs[design_id] = run  # claimed before the first await: a second start sees it
        seated: list[str] = []
        try:
            if store.shared:
                if not await store.acquire(design_id, token):
                    raise RunError("A run of this design is already going: watch it, or stop it first.",
                                   code="run.exists")
                data = await store.read(design_id)
                if data is not None and data["pos"].get("status") not in FINAL:
                    await store.release(design_id, token)  # a dead process's run, being taken over
                    raise RunError("A run of this design is already going: watch it, or stop it first.",
                                   code="run.exists")
                # Each budget's runs in every process: stale seats pruned, then the seat taken
                # atomically (two processes never both take the last one); all or none.
                for budget in budgets:
                    await store.count_runs(budget.key)
                    if not await store.take_seat("runs", budget.key, run.seat, budget.limit, stores.RUN_TTL_MS):
                        await store.release(design_id, token)
                        raise RunError(budget.msg, code="run.too_many")
                    seated.append(budget.key)
                await MAILBOX.ensure()
                await run.write_all(clear_ring=True)
                self.keeper.ensure()
            await run.start()
        except Exception:
            self.forget(run)
            for key in seated:
                try:
                    await store.drop_seat("runs", key, run.seat)
                except Exception:
                    log.warning("run %s: could not drop its seat (it is pruned when counted)", run.run_id)
            raise
        return run

    async def stop_all(self) -> None:
        for run in list(self.runs.values()):
            await run.stop()
        self.runs.clear()
        self.watchers.clear()
        store = stores.store()
        for seat in list(self.sockets):
            if store.shared:
                await self.socket_closed(seat)
        self.sockets.clear()
        self.keeper.stop()
        MAILBOX.stop()
        if store.shared:
            await store.close()


REGISTRY = Registry()
MAILBOX.local_run = REGISTRY.get  # the mailbox serves forwarded commands with our runs
