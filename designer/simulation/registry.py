"""The runs of this Daphne process: one `Run` per design, each driving one worker process.

The parent side is asyncio only: the worker's pipe is watched with `loop.add_reader` (no thread,
no engine work in this process, known-traps.md #10). Every message from the worker is turned into
the JSON text browsers receive, ONCE, here (known-traps.md #19), and published to the design's
group as one `run.relay` group message per worker message (one per tick, known-traps.md #9),
through one publisher task so that group messages leave in order. Events are also kept in a
bounded ring buffer for gap fill (`events_after`) and late joiners (`snapshot`).

Several processes (store.py, `RedisStore`): a run executes in the process that holds its lease;
before publishing a message, that process writes what it describes (position, ring entries,
tables, action log) to Redis, so any process can answer `run.state`, `events.fetch`,
`event.detail` and fill gaps (`RemoteRun`), and control messages are forwarded to the host's
mailbox channel (`Mailbox`). Every process runs a keeper task (`Registry._keep`) that renews the
leases of its runs (and writes everything again after a Redis restart) and, for the designs its
sockets watch, takes over a run whose lease expired: the new worker replays the action log up to
the last streamed position and the stream goes on with the next `seq` (`worker.RunWorker._resume`).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import multiprocessing
import secrets
from typing import Any

from designer.errors import DesignerError
from designer.simulation import store as stores
from designer.simulation import worker
from designer.simulation.relay import RELAY, relay_group

log = logging.getLogger(__name__)

RING_SIZE = 10_000
RECENT_ON_JOIN = 200
FETCH_LIMIT = 500
MAX_RUNS_PER_USER = 2
REQUEST_TIMEOUT_S = 30.0
ORPHAN_GRACE_S = 60.0
FINAL = frozenset({"stopped", "failed", "interrupted"})
PROCESS_ID = secrets.token_hex(6)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def events_text(run_id: str, first: int, last: int, t: int, texts: list[str], sent: float | None = None) -> str:
    """The `run.events` message around already serialised events (joined, not re-encoded).
    `sent`: the wall time (Unix s) the worker emitted the batch, for lag displays and bench/fanout.py."""
    head = dumps({"type": "run.events", "run": run_id, "first": first, "last": last, "t": t,
                  **({"sent": round(sent, 6)} if sent is not None else {})})
    return head[:-1] + ',"events":[' + ",".join(texts) + "]}"


_context = None


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


class RunError(DesignerError):
    status = 409


class Run:
    """One running design: its worker process, its state as last reported, its ring buffer."""

    def __init__(self, design_id: int, starter: str, config: dict, layer, group: str, *, store=None,
                 token: str = "", resumed: bool = False):
        self.design_id = design_id
        self.store = store or stores.LocalStore()
        self.token = token
        self.resumed = resumed  # taken over from a dead process (failover)
        self.lost = False  # another process holds the lease now: end quietly
        self.log: list[dict] = list((config.get("resume") or {}).get("log", []))
        self.run_id = config["run"]
        self.starter = starter
        self.config = config
        self.layer = layer
        self.group = group
        self.state: dict[str, Any] = {"status": "starting", "t": 0, "speed": float(config.get("speed", 1.0)),
                                      "seq": 0, "seed": int(config.get("seed", 0)), "msg": None,
                                      "events_run": 0, "wall_used": 0.0}
        if config.get("resume") is not None:
            pos = config["resume"]
            self.state.update({k: pos[k] for k in ("t", "seq", "events_run", "wall_used", "msg", "actions")
                               if k in pos})
        self.tables: dict | None = None
        # (seq, slim text, full text or None when the event has no frame)
        self.ring: collections.deque[tuple[int, str, str | None]] = collections.deque(maxlen=RING_SIZE)
        self.relays = 0  # group messages published (each carries its number: `relay`)
        self.process = None
        self.conn = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._ids = itertools.count(1)
        self._futures: dict[int, asyncio.Future] = {}
        self._outbox: asyncio.Queue | None = None
        self._publisher: asyncio.Task | None = None
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
        self.loop.add_reader(parent.fileno(), self._readable)

    def _readable(self) -> None:
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
            REGISTRY.forget(self)
            return
        if self.state["status"] not in FINAL:
            code = None if self.process is None else self.process.exitcode
            if code is None and self.process is not None:
                self.process.join(timeout=1.0)
                code = self.process.exitcode
            if code not in (0, None):
                # Killed (a negative code is the signal) or crashed: never left "running".
                how = f"signal {-code}" if code < 0 else f"exit status {code}"
                self.state = {**self.state, "status": "failed",
                              "msg": f"The simulation process ended unexpectedly ({how}). Start the run again."}
            else:
                self.state = {**self.state, "status": "stopped", "msg": self.state.get("msg") or "The run ended."}
        self._relay("status", dumps({"type": "run.status", "run": self.run_id, **self.public_state()}))
        if self._outbox is not None:
            self._outbox.put_nowait({"release": True})
            self._outbox.put_nowait(None)
        REGISTRY.forget(self)
        if self.process is not None:
            self.process.join(timeout=0)  # reap it if already gone; daemon processes die with us

    async def stop(self, timeout: float = 5.0) -> None:
        if not self.ended and self.conn is not None:
            try:
                await self.request("stop", timeout=timeout)
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
                self.ring.append((first + i, text, fulls[i]))
            self.state["t"] = msg["t"]
            if texts:
                self.state["seq"] = msg["last"]
                self._relay("events", events_text(self.run_id, first, msg["last"], msg["t"], texts, msg.get("wall")),
                            first=first, last=msg["last"],
                            _ring=[(first + i, text, fulls[i]) for i, text in enumerate(texts)])
            if msg.get("tables") is not None:
                self.tables = msg["tables"]
                self._relay("tables", dumps({"type": "tables", "run": self.run_id, "t": msg["t"],
                                             "seq": self.state["seq"], "tables": self.tables}), _tables=self.tables)
            elif not texts and self.store.shared and self._outbox is not None:
                self._outbox.put_nowait({"durable": {"pos": dict(self.state)}})
            return
        if self.resumed and kind == "status" and msg.get("status") == "failed" and self.state["status"] == "starting":
            # The takeover could not rebuild the run (docs/websocket-protocol.md, failover).
            msg = {**msg, "status": "interrupted",
                   "msg": f"The server running this simulation stopped and the run could not be resumed "
                          f"({msg.get('msg')}). Start it again."}
        state = {k: msg[k] for k in ("status", "t", "speed", "seq", "seed", "msg", "events_run", "actions") if k in msg}
        self.state.update(state)
        if kind == "seeked":
            self.tables = msg["tables"]
            body = {"type": "run.seeked", "run": self.run_id, **self.public_state(), "tables": self.tables,
                    "reset": bool(msg.get("reset")), "started": bool(msg.get("started"))}
            self._relay("seeked", dumps(body), _tables=self.tables)
        elif kind == "status":
            self._relay("status", dumps({"type": "run.status", "run": self.run_id, **self.public_state()}))

    def public_state(self) -> dict:
        return {k: v for k, v in self.state.items() if k != "wall_used"}

    def _relay(self, kind: str, text: str, _ring=(), _tables=None, **fields: Any) -> None:
        if self._outbox is None or self.lost:
            return
        self.relays += 1
        message = {"type": "run.relay", "design": self.design_id, "run": self.run_id, "kind": kind,
                   "relay": self.relays, "text": text, **fields}
        if self.store.shared:
            # Written to Redis BEFORE the group message leaves: what a viewer got is readable.
            message = {"send": message, "durable": {"pos": dict(self.state), "ring": _ring, "tables": _tables}}
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
                try:  # the run no longer counts against its starter (in every process)
                    await self.store.drop_seat("runs", self.starter, self.seat)
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
        return {"run": self.run_id, "design": self.design_id, "starter": self.starter, "seed": self.state["seed"],
                "doc": self.config["doc"], "limits": limits, "host": MAILBOX.channel, "process": PROCESS_ID,
                "pid": __import__("os").getpid()}

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

    async def snapshot(self) -> str:
        return self.snapshot_text()

    # -- for viewers --------------------------------------------------------------------------
    def events_after(self, after_seq: int, limit: int = FETCH_LIMIT, upto: int | None = None) -> dict:
        oldest = self.ring[0][0] if self.ring else self.state["seq"] + 1
        texts = [text for seq, text, _full in self.ring if seq > after_seq and (upto is None or seq <= upto)]
        more = len(texts) > limit
        return {"texts": texts[:limit], "more": more, "oldest": oldest,
                "truncated": after_seq + 1 < oldest}

    def event_detail(self, seq: int) -> str | None:
        """The full text of event `seq` (with `layers` and `frame`), while the ring holds it."""
        if not self.ring or not self.ring[0][0] <= seq <= self.ring[-1][0]:
            return None
        found, text, full = self.ring[seq - self.ring[0][0]]
        return (full or text) if found == seq else None

    def snapshot_text(self) -> str:
        """`run.state` for a late joiner: status, t, speed, seq, tables, the recent events."""
        recent = [text for _seq, text, _full in list(self.ring)[-RECENT_ON_JOIN:]]
        head = dumps({"type": "run.state", "run": self.run_id, "design": self.design_id, **self.public_state(),
                      "tables": self.tables})
        return head[:-1] + ',"recent":[' + ",".join(recent) + "]}"


class RemoteRun:
    """A run hosted by another process, as read from Redis (store.py); control goes to the host."""

    ring_size = RING_SIZE

    def __init__(self, design_id: int, run_id: str, state: dict, tables: Any, store, host: str | None = None):
        self.design_id, self.run_id, self.state, self.tables, self.store = design_id, run_id, state, tables, store
        self.host = host

    async def fetch(self, after_seq: int, limit: int = FETCH_LIMIT, upto: int | None = None) -> dict:
        entries, oldest = await self.store.ring_after(self.design_id, after_seq, limit + 1, upto)
        if oldest is None:
            oldest = self.state["seq"] + 1
        return {"texts": [slim for _seq, slim, _full in entries[:limit]], "more": len(entries) > limit,
                "oldest": oldest, "truncated": after_seq + 1 < oldest}

    async def detail(self, seq: int) -> str | None:
        entries, _oldest = await self.store.ring_after(self.design_id, seq - 1, 1, seq)
        if not entries or entries[0][0] != seq:
            return None
        return entries[0][2] or entries[0][1]

    async def snapshot(self) -> str:
        recent = [slim for _seq, slim, _full in await self.store.ring_last(self.design_id, RECENT_ON_JOIN)]
        state = {k: v for k, v in self.state.items() if k != "wall_used"}
        head = dumps({"type": "run.state", "run": self.run_id, "design": self.design_id, **state,
                      "tables": self.tables})
        return head[:-1] + ',"recent":[' + ",".join(recent) + "]}"

    async def request(self, op: str, *, timeout: float = REQUEST_TIMEOUT_S, **fields: Any) -> Any:
        if self.host is None:
            raise RunError("The run is being taken over by another server process; try again in a moment.",
                           code="run.ended")
        return await MAILBOX.forward(self.host, self.design_id, self.run_id, op, fields, timeout)


class Mailbox:
    """This process's mailbox in Redis (`sim:box:<process id>`, a list popped with a 1 s block):
    run requests forwarded by other processes, and the replies to ours. Not a channel-layer
    channel: channels-redis receives every process-local channel through one shared blocking pop,
    and a reader of our own there stalled the consumers and hung event-loop shutdown."""

    def __init__(self):
        self.channel: str | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._futures: dict[str, asyncio.Future] = {}
        self._ids = itertools.count(1)

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
        run = REGISTRY.get(message["design"])
        try:
            if run is None or run.run_id != message["run"]:
                raise RunError("No simulation is running for this design: start one with run.start.",
                               code="run.none")
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


class Registry:
    """The runs of this process, and how many sockets of this process watch each design: a run
    nobody watches any more is stopped after `ORPHAN_GRACE_S` (a reload comes back in time)."""

    def __init__(self):
        self.runs: dict[int, Run] = {}
        self.watchers: collections.Counter[int] = collections.Counter()
        self._keeper: asyncio.Task | None = None
        self._keeper_loop: asyncio.AbstractEventLoop | None = None
        self._taking: set[int] = set()
        self.sockets: dict[str, str] = {}  # socket seat -> who, for the sockets of this process (shared store)
        self._sockets_refreshed = 0.0

    def watcher_joined(self, design_id: int) -> None:
        self.watchers[design_id] += 1
        self._ensure_keeper()

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

    def _ensure_keeper(self) -> None:
        if not stores.store().shared:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._keeper is not None and not self._keeper.done() and self._keeper_loop is loop:
            return
        self._keeper_loop = loop
        self._keeper = loop.create_task(self._keep())

    async def _keep(self) -> None:
        """Every `RENEW_S`: renew our leases (write everything again if Redis forgot them), mark
        the designs our sockets watch, and take over their runs whose lease expired."""
        store = stores.store()
        while True:
            try:
                await MAILBOX.ensure()
                await self._keep_once(store)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the simulation keeper failed; trying again")
            await asyncio.sleep(stores.RENEW_S)

    async def _keep_once(self, store) -> None:
        await self._refresh_seats(store)
        for run in list(self.runs.values()):
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
                if self.get(design_id) is None and design_id not in self._taking:
                    await self._maybe_take_over(store, design_id)
            except Exception:
                log.exception("design %s: could not check its run (Redis down?)", design_id)

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
                  token=token, resumed=True)
        run.tables = data.get("tables")
        self.runs[design_id] = run
        try:
            await run.start()
            await store.write(design_id, meta=run.meta())
        except Exception as exc:
            log.exception("design %s: the takeover failed", design_id)
            self.forget(run)
            state = {**pos, "status": "interrupted",
                     "msg": f"The server running this simulation stopped and the run could not be resumed "
                            f"({type(exc).__name__}). Start it again."}
            await store.write(design_id, pos=state)
            await get_channel_layer().group_send(relay_group(design_id), {
                "type": "run.relay", "design": design_id, "run": meta["run"], "kind": "status", "relay": 0,
                "text": dumps({"type": "run.status", "run": meta["run"],
                               **{k: v for k, v in state.items() if k != "wall_used"}})})
            await store.release(design_id, token)
            await store.drop_seat("runs", meta["starter"], f"{design_id}:{meta['run']}")

    def get(self, design_id: int) -> Run | None:
        run = self.runs.get(design_id)
        return run if run is not None and not run.ended else None

    def count_for(self, starter: str) -> int:
        """The runs of `starter` in this process (the shared count is `store.count_runs`)."""
        return sum(1 for run in self.runs.values() if run.starter == starter and not run.ended)

    # -- per-user limits across processes (store.py, seats) -------------------------------------
    async def _refresh_seats(self, store) -> None:
        """Every keeper pass: our runs' seats (a taken-over run keeps its starter's seat); every
        `SOCKET_REFRESH_S`: our sockets' seats. Both are re-added after a Redis restart."""
        runs = [(run.starter, run.seat) for run in list(self.runs.values()) if not run.ended and not run.lost]
        try:
            await store.refresh_seats("runs", runs, stores.RUN_TTL_MS)
        except Exception:
            log.warning("could not refresh the runs' seats (Redis down?)")
        now = asyncio.get_running_loop().time()
        if now - self._sockets_refreshed < stores.SOCKET_REFRESH_S:
            return
        seats = [(who, seat) for seat, who in list(self.sockets.items())]
        try:
            await store.refresh_seats("sockets", seats, stores.SOCKET_TTL_MS)
            self._sockets_refreshed = now
            for who, seat in seats:  # closed while we refreshed: the refresh re-added it
                if seat not in self.sockets:
                    await store.drop_seat("sockets", who, seat)
        except Exception:
            log.warning("could not refresh the sockets' seats (Redis down?)")

    async def socket_opened(self, who: str, limit: int) -> str | None:
        """Count a new socket of `who`: its seat, or None when `who` has `limit` sockets open
        already in all the processes together. Only the shared store counts here (one process
        counts in consumers._SOCKETS); Redis down: the socket is let in, its seat is added by the
        next refresh."""
        store = stores.store()
        seat = f"{PROCESS_ID}:{secrets.token_hex(6)}"
        if not store.shared:
            return seat
        try:
            if not await store.take_seat("sockets", who, seat, limit, stores.SOCKET_TTL_MS):
                return None
        except Exception:
            log.warning("could not count a socket in Redis (down?): let in")
        self.sockets[seat] = who
        self._ensure_keeper()
        return seat

    async def socket_closed(self, seat: str) -> None:
        who = self.sockets.pop(seat, None)
        if who is None:
            return
        try:
            await stores.store().drop_seat("sockets", who, seat)
        except Exception:
            log.warning("could not drop a socket's seat (it expires by itself)")

    def forget(self, run: Run) -> None:
        if self.runs.get(run.design_id) is run:
            del self.runs[run.design_id]

    async def start(self, design_id: int, starter: str, *, doc: dict, seed: int, speed: float, limits: dict,
                    layer, paused: bool = False) -> Run:
        if self.get(design_id) is not None:
            raise RunError("A run of this design is already going: watch it, or stop it first.", code="run.exists")
        if self.count_for(starter) >= MAX_RUNS_PER_USER:
            raise RunError(f"At most {MAX_RUNS_PER_USER} running simulations per user: stop one first.",
                           code="run.too_many")
        config = {"run": secrets.token_hex(8), "doc": doc, "seed": seed, "speed": speed, "play": not paused,
                  **limits}
        store = stores.store()
        token = f"{PROCESS_ID}:{secrets.token_hex(4)}"
        run = Run(design_id, starter, config, layer, relay_group(design_id), store=store, token=token)
        self.runs[design_id] = run  # claimed before the first await: a second start sees it
        seated = False
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
                # The starter's runs in every process: stale seats pruned, then the seat taken
                # atomically (two processes never both take the last one).
                await store.count_runs(starter)
                if not await store.take_seat("runs", starter, run.seat, MAX_RUNS_PER_USER, stores.RUN_TTL_MS):
                    await store.release(design_id, token)
                    raise RunError(f"At most {MAX_RUNS_PER_USER} running simulations per user: stop one first.",
                                   code="run.too_many")
                seated = True
                await MAILBOX.ensure()
                await run.write_all(clear_ring=True)
                self._ensure_keeper()
            await run.start()
        except Exception:
            self.forget(run)
            if seated:
                try:
                    await store.drop_seat("runs", starter, run.seat)
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
        if self._keeper is not None:
            self._keeper.cancel()
            self._keeper = None
        MAILBOX.stop()
        if store.shared:
            await store.close()


REGISTRY = Registry()
