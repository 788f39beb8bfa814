"""A run hosted by this Daphne process: its worker process, the pipe to it, and what the worker
says, turned into the texts viewers receive and published to the design's group.

The parent side is asyncio only: the worker's pipe is watched with `loop.add_reader` (no thread
and no engine work in this process: a thread running the engine inside Daphne raised the event
loop's p99 lag about 5x, and a process can be killed without touching the loop). Every message
from the worker is turned into the JSON text browsers receive ONCE, here, and published to the
design's relay group as one `run.relay` group message per worker message (one per tick: a group
message per event would multiply the channel layer's work by the events in a tick), through one
publisher task so that group messages leave in order. Events are also kept in a bounded ring
buffer for gap fill (`events_after`), the packet inspector (`event_detail`) and late joiners
(`snapshot_text`).

Several processes (store.py, `RedisStore`): before publishing a message, the publisher writes
what it describes (position, ring entries, tables, action log) to Redis, so any process can read
it (`remote.RemoteRun`) and take the run over if this process dies (`keeper`).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from designer.errors import DesignerError
from designer.simulation import store as stores
from designer.simulation import worker
from designer.simulation.remote import MAILBOX, RemoteRun
from designer.simulation.runview import (
    FETCH_LIMIT,
    FINAL,
    PROCESS_ID,
    RECENT_ON_JOIN,
    REQUEST_TIMEOUT_S,
    RING_CHARS,
    RING_SIZE,
    RunError,
    apply_delta,
    dumps,
    events_text,
    public_state,
    ring_answer,
    state_text,
    status_text,
    table_pages,
)
from designer.simulation.tablehistory import HISTORY_CHARS, TablesHistory, rebuild

log = logging.getLogger(__name__)

_context = None

# The parent's watchdog (docs/limits.md, "Runs"): the worker's loop says it is alive at least every
# second; one silent this long (or, while it builds the design, START_WATCHDOG_S) is killed, and
# so is one whose resident memory passed MEMORY_KILL_FACTOR times its ceiling (it checks its own
# ceiling every tick and stops itself first: this is for a worker that cannot).
WATCHDOG_S = 60.0
START_WATCHDOG_S = 240.0
MEMORY_KILL_FACTOR = 1.5
WATCH_EVERY_S = 1.0


def _worker_context():
    """Where run workers come from: a fork server with the worker and the engine imported once.

    A plain `spawn` child re-imports the parent's main script (Daphne and Twisted: ~0.7 s here)
    and then the engine, for every run; the fork server imports the engine once, in a clean
    process of its own (never a fork of Daphne's threads and event loop), forks each worker from
    it, and skips the main-script re-import (forkboot.py says why that needs a patch)."""
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        # "__main__": the server imports the parent's main script once; without it every child
        # runs it again before starting (multiprocessing's main-module fix-up, ~0.7 s under Daphne).
        ctx.set_forkserver_preload(["designer.simulation.forkboot", "designer.simulation.worker", "simcore.network"])
        _context = ctx
    return _context


class Run:
    """One running design: its worker process, its state as last reported, its ring buffer."""

    def __init__(self, design_id: int, starter: str, config: dict, layer, group: str, *, store=None,
                 token: str = "", resumed: bool = False, on_end: Callable[[Run], None] = lambda run: None,
                 charged: tuple[str, ...] = ()):
        self.design_id = design_id
        self.on_end = on_end  # the registry forgets the run
        self.store = store or stores.LocalStore()
        self.token = token
        self.resumed = resumed  # taken over from a dead process (failover)
        self.lost = False  # another process holds the lease now: end quietly
        self.log: list[dict] = list((config.get("resume") or {}).get("log", []))
        self.run_id = config["run"]
        self.starter = starter
        # The budgets this run counts against (limits.budget_keys): its starter's, and the
        # creators' of the share links it was started by; each holds one seat in Redis.
        self.charged: tuple[str, ...] = tuple(charged) or (starter,)
        self.config = config
        self.layer = layer
        self.group = group
        self.state: dict[str, Any] = {"status": "starting", "t": 0, "speed": float(config.get("speed", 1.0)),
                                      "seq": 0, "seed": int(config.get("seed", 0)), "msg": None,
                                      "events_run": 0, "wall_used": 0.0}
        if config.get("resume") is not None:
            pos = config["resume"]
            self.state.update({k: pos[k] for k in ("t", "seq", "events_run", "wall_used", "msg", "actions", "held")
                               if k in pos})
        self.tables: dict | None = None
        # The tables its viewers were shown, by instant, for a look back before a page joined
        # (`tables_at`; tablehistory.py says what is kept and its bound).
        self.history = TablesHistory()
        self._rebuilding = asyncio.Lock()
        self._rebuilt: tuple | None = None  # (keyframe, last delta, deltas, tables): the last rebuilt
        # (seq, slim text, full text or None when the event has no frame)
        self.ring: collections.deque[tuple[int, str, str | None]] = collections.deque()
        self.ring_chars = 0  # the ring holds at most RING_SIZE events and RING_CHARS characters
        self.relays = 0  # group messages published (each carries its number: `relay`)
        self.process = None
        self.conn = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._ids = itertools.count(1)
        self._futures: dict[int, asyncio.Future] = {}
        self._outbox: asyncio.Queue | None = None
        self._publisher: asyncio.Task | None = None
        self._watchdog: asyncio.Task | None = None
        self.last_heard = 0.0
        self.killed_why: str | None = None
        self.ended = False

    # -- life ---------------------------------------------------------------------------------
    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._outbox = asyncio.Queue()
        self._publisher = self.loop.create_task(self._publish_loop())
        ctx = _worker_context()
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=worker.main, args=(child, self.config), daemon=True,
                                   name=f"simulation-design-{self.design_id}")
        # Starting a worker writes the pickled config (the document) to the fork server: not on
        # the event loop.
        await self.loop.run_in_executor(None, self.process.start)
        child.close()
        self.conn = parent
        self.last_heard = self.loop.time()
        self.loop.add_reader(parent.fileno(), self._readable)
        self._watchdog = self.loop.create_task(self._watch())

    async def _watch(self) -> None:
        """Kill the worker when it stops answering or its memory runs away (see WATCHDOG_S)."""
        ceiling = float(self.config.get("max_memory_mb") or worker.DEFAULT_MAX_MEMORY_MB) * 1048576
        while not self.ended and self.process is not None:
            await asyncio.sleep(WATCH_EVERY_S)
            if self.ended or self.process is None or not self.process.is_alive():
                return
            silent = self.loop.time() - self.last_heard
            limit = START_WATCHDOG_S if self.state["status"] == "starting" else WATCHDOG_S
            rss = worker.rss_bytes(self.process.pid)
            if rss > ceiling * MEMORY_KILL_FACTOR:
                self.killed_why = (f"its memory reached {rss / 1048576:,.0f} MiB, past the "
                                   f"{ceiling / 1048576:,.0f} MiB a run may use")
            elif silent > limit:
                self.killed_why = f"it stopped answering for {silent:.0f} s"
            else:
                continue
            log.warning("run %s: killing its worker: %s", self.run_id, self.killed_why)
            self.process.kill()
            return

    def _readable(self) -> None:
        if self.loop is not None:
            self.last_heard = self.loop.time()
        try:
            while self.conn is not None and self.conn.poll():
                self._on_message(self.conn.recv())
        except (EOFError, OSError):
            self._on_exit()
        except Exception:
            log.exception("run %s: bad message from the worker", self.run_id)
            self._on_exit()

    def _on_exit(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self.loop is not None and self.conn is not None:
            try:
                self.loop.remove_reader(self.conn.fileno())
            except (ValueError, OSError):
                pass
            self.conn.close()
        self.conn = None
        for fut in self._futures.values():
            if not fut.done():
                fut.set_exception(RunError("The run ended.", code="run.ended"))
        if self.lost:
            if self._outbox is not None:
                self._outbox.put_nowait(None)
            self.on_end(self)
            return
        if self.state["status"] not in FINAL:
            code = None if self.process is None else self.process.exitcode
            if code is None and self.process is not None:
                self.process.join(timeout=1.0)
                code = self.process.exitcode
            if code not in (0, None):
                # Killed (a negative code is the signal) or crashed: never left "running".
                how = f"signal {-code}" if code < 0 else f"exit status {code}"
                msg = f"The simulation process ended unexpectedly ({how}). Start the run again."
                if self.killed_why is not None:
                    msg = f"The simulation was ended by the server: {self.killed_why}. Start the run again."
                self.state = {**self.state, "status": "failed", "msg": msg}
            else:
                self.state = {**self.state, "status": "stopped", "msg": self.state.get("msg") or "The run ended."}
        self._relay("status", status_text(self.run_id, self.state))
        if self._outbox is not None:
            self._outbox.put_nowait({"release": True})
            self._outbox.put_nowait(None)
        self.on_end(self)
        if self.process is not None:
            self.process.join(timeout=0)  # reap it if already gone; daemon processes die with us

    async def stop(self, timeout: float = 5.0) -> None:
        if not self.ended and self.conn is not None:
            try:
                await self.request("run.stop", timeout=timeout)
            except (TimeoutError, DesignerError):
                pass
        if self.process is not None:
            await self.loop.run_in_executor(None, self.process.join, timeout)
            if self.process.is_alive():
                self.process.kill()
                await self.loop.run_in_executor(None, self.process.join, timeout)
        self._readable()
        self._on_exit()
        if self._publisher is not None:
            await asyncio.wait([self._publisher], timeout=timeout)

    # -- requests -----------------------------------------------------------------------------
    async def request(self, op: str, *, timeout: float = REQUEST_TIMEOUT_S, **fields: Any) -> Any:
        if self.ended or self.conn is None:
            raise RunError("The run has ended.", code="run.ended")
        rid = next(self._ids)
        fut = self.loop.create_future()
        self._futures[rid] = fut
        try:
            self.conn.send({"op": op, "id": rid, **fields})
            reply = await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise RunError(f"The run did not answer within {timeout:g} s (a long seek?); try again.",
                           code="run.timeout") from None
        except (BrokenPipeError, OSError):
            raise RunError("The run has ended.", code="run.ended") from None
        finally:
            self._futures.pop(rid, None)
        if not reply["ok"]:
            raise RunError(reply["msg"], code=reply["code"])
        return reply.get("data")

    # -- from the worker ----------------------------------------------------------------------
    def _on_message(self, msg: dict) -> None:
        kind = msg["kind"]
        if kind == "alive":  # the worker's heartbeat (the watchdog reads `last_heard`)
            return
        if kind == "reply":
            fut = self._futures.get(msg["id"])
            if fut is not None and not fut.done():
                fut.set_result(msg)
            return
        if kind == "log":
            self.log = msg["log"]
            if self._outbox is not None and self.store.shared:
                self._outbox.put_nowait({"durable": {"actions": self.log}})
            return
        if kind == "batch":
            for key in ("events_run", "wall_used"):
                if key in msg:
                    self.state[key] = msg[key]
            texts = msg["events"]
            first = msg["first"]
            fulls = msg.get("full") or [None] * len(texts)
            for i, text in enumerate(texts):
                self._keep((first + i, text, fulls[i]))
            self.state["t"] = msg["t"]
            if texts:
                self.state["seq"] = msg["last"]
                self._relay("events", events_text(self.run_id, first, msg["last"], msg["t"], texts, msg.get("wall")),
                            first=first, last=msg["last"],
                            _ring=[(first + i, text, fulls[i]) for i, text in enumerate(texts)])
            if msg.get("tables") is not None:  # a whole snapshot (a resumed run's first batch)
                self.tables = msg["tables"]
                self.history.keyframe(self._when(self.tables), self._relay_tables(self.tables, snapshot=True))
            elif msg.get("tables_delta") is not None:
                self.tables = apply_delta(self.tables, msg["tables_delta"], msg.get("tables_removed"))
                when = self._when(msg["tables_delta"])
                self.history.delta(when, self._relay_tables(msg["tables_delta"], snapshot=False,
                                                            removed=msg.get("tables_removed")))
                if self.history.wants_keyframe():
                    self.history.keyframe(when, table_pages(self.run_id, self.state, self.tables, snapshot=True))
            elif not texts and self.store.shared and self._outbox is not None:
                self._outbox.put_nowait({"durable": {"pos": dict(self.state)}})
            return
        if self.resumed and kind == "status" and msg.get("status") == "failed" and self.state["status"] == "starting":
            # The takeover could not rebuild the run (docs/websocket-protocol.md, failover).
            msg = {**msg, "status": "interrupted",
                   "msg": f"The server running this simulation stopped and the run could not be resumed "
                          f"({msg.get('msg')}). Start it again."}
        state = {k: msg[k] for k in ("status", "t", "speed", "seq", "seed", "msg", "events_run", "actions", "held")
                 if k in msg}
        self.state.update(state)
        if kind == "seeked":
            self.tables = msg["tables"]
            ring_cut = self._cut_ring(int(msg["t"]), clear=bool(msg.get("reset") or msg.get("started")))
            pages = table_pages(self.run_id, self.state, self.tables, snapshot=True)
            if msg.get("reset") or msg.get("started"):
                self.history.clear()
            else:  # after a seek back, what came after its instant did not happen any more
                self.history.cut(int(msg["t"]))
            self.history.keyframe(self._when(self.tables), pages)
            body = {"type": "run.seeked", "run": self.run_id, **self.public_state(), "tables": None,
                    "tables_parts": len(pages), "reset": bool(msg.get("reset")), "started": bool(msg.get("started"))}
            self._relay("seeked", dumps(body), _tables=self.tables, _ring_cut=ring_cut)
            for text in pages:
                self._relay("tables", text)
        elif kind == "status":
            self._relay("status", status_text(self.run_id, self.state))

    def public_state(self) -> dict:
        return public_state(self.state)

    def _keep(self, entry: tuple[int, str, str | None]) -> None:
        """An event into the ring: the oldest go when it has RING_SIZE events or RING_CHARS of text
        (events are 64 KiB at most, but 10,000 of those would be 640 MB in the Daphne process)."""
        self.ring.append(entry)
        self.ring_chars += len(entry[1]) + len(entry[2] or "")
        while len(self.ring) > RING_SIZE or (self.ring_chars > RING_CHARS and len(self.ring) > 1):
            _seq, text, full = self.ring.popleft()
            self.ring_chars -= len(text) + len(full or "")

    def _relay_tables(self, tables: dict, *, snapshot: bool, removed: dict | None = None) -> list[str]:
        """Tables as `tables` messages of at most TABLES_PAGE_BYTES (runview.table_pages); the
        whole tables are written to the shared store with the first. Returns the pages."""
        pages = table_pages(self.run_id, self.state, tables, snapshot=snapshot, removed=removed)
        for i, text in enumerate(pages):
            self._relay("tables", text, **({"_tables": self.tables} if i == 0 else {}))
        return pages

    def _when(self, tables: dict | None) -> int:
        """The instant (ns) of tables or a delta, as its `tables` pages say it (runview.table_pages)."""
        when = (tables or {}).get("t")
        return int(when if when is not None else self.state.get("t") or 0)

    def _cut_ring(self, t: int, *, clear: bool) -> dict:
        """After a seek back nothing after `t` happened any more, after a reset or a start nothing
        at all: the ring (what late joiners, reloads and gap fills get) forgets it, as the browser's
        event list and consoles do (index.js on `seeked`). Returns how the shared store's ring is cut
        the same way: `clear_ring`, or `cut_ring_from` (the first seq to drop)."""
        if clear:
            self.ring.clear()
            return {"clear_ring": True}
        keep = len(self.ring)
        while keep > 0 and json.loads(self.ring[keep - 1][1]).get("t", 0) > t:
            keep -= 1
        if keep == len(self.ring):
            return {}
        first_gone = self.ring[keep][0]
        for _ in range(len(self.ring) - keep):
            self.ring.pop()
        # Older events than this process holds may be in Redis (a run taken over): those are cut too.
        return {"clear_ring": True} if keep == 0 else {"cut_ring_from": first_gone}

    def _relay(self, kind: str, text: str, _ring=(), _tables=None, _ring_cut=None, **fields: Any) -> None:
        if self._outbox is None or self.lost:
            return
        self.relays += 1
        message = {"type": "run.relay", "design": self.design_id, "run": self.run_id, "kind": kind,
                   "relay": self.relays, "text": text, **fields}
        if self.store.shared:
            # Written to Redis BEFORE the group message leaves: what a viewer got is readable.
            message = {"send": message, "durable": {"pos": dict(self.state), "ring": _ring, "tables": _tables,
                                                    **(_ring_cut or {})}}
        self._outbox.put_nowait(message)

    async def _publish_loop(self) -> None:
        while True:
            message = await self._outbox.get()
            if message is None:
                return
            if message.get("release"):
                try:
                    await self.store.release(self.design_id, self.token)
                except Exception:
                    log.warning("run %s: could not release the lease (it expires by itself)", self.run_id)
                try:  # the run no longer counts against its budgets (in every process)
                    for key in self.charged:
                        await self.store.drop_seat("runs", key, self.seat)
                except Exception:
                    log.warning("run %s: could not drop its seat (it is pruned when counted)", self.run_id)
                continue
            if "durable" in message:
                if not self.lost:
                    try:
                        await self.store.write(self.design_id, **message["durable"])
                    except Exception:  # Redis down: the keeper writes everything again when it is back
                        log.warning("run %s: could not write the run's state to Redis", self.run_id)
                message = message.get("send")
                if message is None:
                    continue
            try:
                await self.layer.group_send(self.group, message)
            except Exception:  # a layer hiccup loses this message; viewers fill gaps from the ring
                log.exception("run %s: group_send failed", self.run_id)

    @property
    def seat(self) -> str:
        """This run's member in its starter's set of runs (store.count_runs)."""
        return f"{self.design_id}:{self.run_id}"

    def meta(self) -> dict:
        limits = {k: self.config[k] for k in ("max_events", "max_time_s", "max_wall_s") if k in self.config}
        return {"run": self.run_id, "design": self.design_id, "starter": self.starter, "charged": list(self.charged),
                "seed": self.state["seed"],
                "doc": self.config["doc"], "limits": limits, "host": MAILBOX.channel, "process": PROCESS_ID,
                "pid": os.getpid()}

    async def write_all(self, *, clear_ring: bool = False) -> None:
        """Everything a takeover or a remote reader needs (at start, and after a Redis restart)."""
        await self.store.write(self.design_id, meta=self.meta(), actions=self.log, pos=dict(self.state),
                               tables=self.tables, ring=list(self.ring), clear_ring=clear_ring)

    def abandon(self) -> None:
        """Another process holds this run's lease (we were cut off from Redis longer than the
        lease): stop our worker without a word, the other process is the run now."""
        self.lost = True
        if self.process is not None and self.process.is_alive():
            self.process.kill()
        self._on_exit()

    # -- the same, whichever process hosts the run --------------------------------------------
    async def fetch(self, after_seq: int, limit: int = FETCH_LIMIT, upto: int | None = None) -> dict:
        got = self.events_after(after_seq, limit, upto)
        if got["truncated"] and self.store.shared:  # taken over: older events are in Redis
            remote = RemoteRun(self.design_id, self.run_id, self.state, self.tables, self.store)
            return await remote.fetch(after_seq, limit, upto)
        return got

    async def detail(self, seq: int) -> str | None:
        text = self.event_detail(seq)
        if text is None and self.store.shared:
            text = await RemoteRun(self.design_id, self.run_id, self.state, self.tables, self.store).detail(seq)
        return text

    async def snapshot(self) -> list[str]:
        return self.snapshot_texts()

    async def tables_at(self, t: int) -> dict:
        """`tables_kept_at`, rebuilt in a thread (a 10,000-node design's tables take about 100 ms
        to rebuild), one rebuild at a time per run; the last one is kept, for the next socket
        asking for the same instant (a class following its teacher's look back)."""
        picked, since = self._pick_tables(t)
        keyframe, deltas = picked
        last = deltas[-1] if deltas else None
        async with self._rebuilding:
            kept = self._rebuilt
            if kept is None or kept[0] is not keyframe or kept[1] is not last or kept[2] != len(deltas):
                kept = self._rebuilt = (keyframe, last, len(deltas), await asyncio.to_thread(rebuild, picked))
        return {"tables": kept[3], "from": since}

    # -- for viewers --------------------------------------------------------------------------
    def tables_kept_at(self, t: int) -> dict:
        """The tables this run's viewers held at instant `t` (ns), rebuilt from the history:
        `{"tables", "from"}` (`from`: the instant the kept tables start at). Refused when `t` is
        after the run's instant, or before the oldest tables kept (saying from when they are)."""
        picked, since = self._pick_tables(t)
        return {"tables": rebuild(picked), "from": since}

    def _pick_tables(self, t: int) -> tuple[tuple, int]:
        now = int(self.state.get("t") or 0)
        if t > now:
            raise RunError(f"The run is at {now / 1e9:.3f} s: {t / 1e9:.3f} s has not happened in it yet.",
                           code="run.not_yet")
        picked = self.history.pick(t)
        since = self.history.kept_from()
        if picked is None:
            if since is None:
                raise RunError("No tables of this run are kept yet.", code="run.tables_gone")
            raise RunError(f"The tables of this run are kept from {since / 1e9:.3f} s (at most "
                           f"{HISTORY_CHARS // 1048576} MiB of them, and from when this server process took the run "
                           f"over): {t / 1e9:.3f} s is before that.", code="run.tables_gone")
        return picked, since

    def events_after(self, after_seq: int, limit: int = FETCH_LIMIT, upto: int | None = None) -> dict:
        oldest = self.ring[0][0] if self.ring else self.state["seq"] + 1
        entries = [entry for entry in self.ring if entry[0] > after_seq and (upto is None or entry[0] <= upto)]
        return ring_answer(entries, after_seq, limit, oldest)

    def event_detail(self, seq: int) -> str | None:
        """The full text of event `seq` (with `layers` and `frame`), while the ring holds it."""
        if not self.ring or not self.ring[0][0] <= seq <= self.ring[-1][0]:
            return None
        found, text, full = self.ring[seq - self.ring[0][0]]
        return (full or text) if found == seq else None

    def snapshot_texts(self) -> list[str]:
        """For a late joiner: `run.state` (status, t, speed, seq, the recent events), then the
        tables as `tables` pages (each message within the frame limit)."""
        recent = [text for _seq, text, _full in list(self.ring)[-RECENT_ON_JOIN:]]
        pages = table_pages(self.run_id, self.state, self.tables, snapshot=True) if self.tables is not None else []
        return [state_text(self.run_id, self.design_id, self.state, self.tables, recent), *pages]
