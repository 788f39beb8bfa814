"""The runs of this Daphne process: one `Run` per design, each driving one worker process.

The parent side is asyncio only: the worker's pipe is watched with `loop.add_reader` (no thread,
no engine work in this process, known-traps.md #10). Every message from the worker is turned into
the JSON text browsers receive, ONCE, here (known-traps.md #19), and published to the design's
group as one `run.relay` group message per worker message (one per tick, known-traps.md #9),
through one publisher task so that group messages leave in order. Events are also kept in a
bounded ring buffer for gap fill (`events_after`) and late joiners (`snapshot`).
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
from designer.simulation import worker
from designer.simulation.relay import relay_group

log = logging.getLogger(__name__)

RING_SIZE = 10_000
RECENT_ON_JOIN = 200
FETCH_LIMIT = 500
MAX_RUNS_PER_USER = 2
REQUEST_TIMEOUT_S = 30.0
ORPHAN_GRACE_S = 60.0


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def events_text(run_id: str, first: int, last: int, t: int, texts: list[str], sent: float | None = None) -> str:
    """The `run.events` message around already serialised events (joined, not re-encoded).
    `sent`: the wall time (Unix s) the worker emitted the batch, for lag displays and bench/fanout.py."""
    head = dumps({"type": "run.events", "run": run_id, "first": first, "last": last, "t": t,
                  **({"sent": round(sent, 6)} if sent is not None else {})})
    return head[:-1] + ',"events":[' + ",".join(texts) + "]}"


class RunError(DesignerError):
    status = 409


class Run:
    """One running design: its worker process, its state as last reported, its ring buffer."""

    def __init__(self, design_id: int, starter: str, config: dict, layer, group: str):
        self.design_id = design_id
        self.run_id = config["run"]
        self.starter = starter
        self.config = config
        self.layer = layer
        self.group = group
        self.state: dict[str, Any] = {"status": "starting", "t": 0, "speed": float(config.get("speed", 1.0)),
                                      "seq": 0, "seed": int(config.get("seed", 0)), "msg": None}
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
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=worker.main, args=(child, self.config), daemon=True,
                                   name=f"simulation-design-{self.design_id}")
        # Starting a spawn process writes the pickled config (the document) to the child: not on
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
        if self.state["status"] not in ("stopped", "failed"):
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
        self._relay("status", dumps({"type": "run.status", "run": self.run_id, **self.state}))
        if self._outbox is not None:
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
        if kind == "batch":
            texts = msg["events"]
            first = msg["first"]
            fulls = msg.get("full") or [None] * len(texts)
            for i, text in enumerate(texts):
                self.ring.append((first + i, text, fulls[i]))
            self.state["t"] = msg["t"]
            if texts:
                self.state["seq"] = msg["last"]
                self._relay("events", events_text(self.run_id, first, msg["last"], msg["t"], texts, msg.get("wall")),
                            first=first, last=msg["last"])
            if msg.get("tables") is not None:
                self.tables = msg["tables"]
                self._relay("tables", dumps({"type": "tables", "run": self.run_id, "t": msg["t"],
                                             "seq": self.state["seq"], "tables": self.tables}))
            return
        state = {k: msg[k] for k in ("status", "t", "speed", "seq", "seed", "msg", "events_run", "actions") if k in msg}
        self.state.update(state)
        if kind == "seeked":
            self.tables = msg["tables"]
            body = {"type": "run.seeked", "run": self.run_id, **self.state, "tables": self.tables,
                    "reset": bool(msg.get("reset")), "started": bool(msg.get("started"))}
            self._relay("seeked", dumps(body))
        elif kind == "status":
            self._relay("status", dumps({"type": "run.status", "run": self.run_id, **self.state}))

    def _relay(self, kind: str, text: str, **fields: Any) -> None:
        if self._outbox is None:
            return
        self.relays += 1
        self._outbox.put_nowait({"type": "run.relay", "design": self.design_id, "run": self.run_id, "kind": kind,
                                 "relay": self.relays, "text": text, **fields})

    async def _publish_loop(self) -> None:
        while True:
            message = await self._outbox.get()
            if message is None:
                return
            try:
                await self.layer.group_send(self.group, message)
            except Exception:  # a layer hiccup loses this message; viewers fill gaps from the ring
                log.exception("run %s: group_send failed", self.run_id)

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
        head = dumps({"type": "run.state", "run": self.run_id, "design": self.design_id, **self.state,
                      "tables": self.tables})
        return head[:-1] + ',"recent":[' + ",".join(recent) + "]}"


class Registry:
    """The runs of this process, and how many sockets of this process watch each design: a run
    nobody watches any more is stopped after `ORPHAN_GRACE_S` (a reload comes back in time)."""

    def __init__(self):
        self.runs: dict[int, Run] = {}
        self.watchers: collections.Counter[int] = collections.Counter()

    def watcher_joined(self, design_id: int) -> None:
        self.watchers[design_id] += 1

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
            run.loop.create_task(run.stop())

    def get(self, design_id: int) -> Run | None:
        run = self.runs.get(design_id)
        return run if run is not None and not run.ended else None

    def count_for(self, starter: str) -> int:
        return sum(1 for run in self.runs.values() if run.starter == starter and not run.ended)

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
        run = Run(design_id, starter, config, layer, relay_group(design_id))
        self.runs[design_id] = run  # claimed before the first await: a second start sees it
        try:
            await run.start()
        except Exception:
            self.forget(run)
            raise
        return run

    async def stop_all(self) -> None:
        for run in list(self.runs.values()):
            await run.stop()
        self.runs.clear()
        self.watchers.clear()


REGISTRY = Registry()
