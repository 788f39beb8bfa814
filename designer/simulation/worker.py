"""The run worker: the engine of ONE running design, in its own process.

`RunWorker` is a plain object (tests drive it directly, with a fake clock); `main` wraps it in
the child process's loop: wait for a command or the next tick, handle it, send what came out.
No Django here: the child imports only simcore and this package's Django-free modules.

Commands in (dicts): `{"op": ..., "id": request id or None, ...fields}`. An op is the type of the
websocket message it serves (`run.seek`, `console.run`: the rows of `messages.MESSAGES` handled by
the WORKER), handled by the `@command` method of the same name (`run_seek`, `console_run`), plus
`pcap` for the HTTP capture download. Messages out (dicts, pickled over the pipe): `batch`,
`status`, `seeked`, `reply`, `log` (the action log, when it changes: the durable state a failover
replays). `config["resume"]` (a position and an action log) makes the worker take over a run
another process was running (`RunWorker._resume`). See docs/websocket-protocol.md for what the
browser sees of them.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from designer.simulation.checkpoints import Checkpoints
from designer.simulation.pacing import Clock, RunStatus
from designer.simulation.pcapexport import all_captures_pcapng

MAX_EVENTS_PER_MESSAGE = 1000
MAX_STEP_ENGINE_EVENTS = 100_000
# A run is bounded in every dimension (docs/limits.md, "Runs"): whatever it does, the loop comes
# back at least every TICK_MAX_WALL_S to send what happened and read commands.
TICK_MAX_EVENTS = 20_000  # engine events per tick (50 ms of wall time)
TICK_MAX_WALL_S = 0.1  # wall time the engine may take per tick (checked every 512 events)
SEEK_CHUNK_EVENTS = 50_000  # a seek runs in chunks; between them memory is checked
MAX_STREAM_EVENTS_PER_TICK = 2_000  # trace events streamed per tick; past it they are counted
# A seek forward streams what happened in the span it jumped over (the event list and the consoles
# then hold what a run played to that instant holds): the last SEEK_SPAN_EVENTS of them, and one
# `trace.skipped` event saying how many earlier ones are not shown when the span had more.
SEEK_SPAN_EVENTS = 5_000
MAX_BATCH_BYTES = 256 * 1024  # one run.events message (the browser's frame limit is 1 MiB)
MAX_EVENT_BYTES = 64 * 1024  # one event's streamed text; past it the event is cut (trace.cut)
MAX_PENDING_EVENTS = 1_000_000  # the engine's queue (frames in flight, timers); past it the run is capped
DEFAULT_MAX_MEMORY_MB = 1024  # the worker's resident memory ceiling (config max_memory_mb)
HEARTBEAT_S = 1.0  # the loop says it is alive at least this often (the parent's watchdog)
WORKER_NICE = 5  # a run worker's niceness: the server before the simulations (main says why)
STOP_GRACE_S = 0.5  # run.stop not answered by the loop in this time: the reader thread ends it
CHECKPOINT_MAX_COST_S = 0.25  # a checkpoint (a fork) that costs more: seeks back rebuild instead
CHECKPOINT_OVERHEAD = 20  # at least this many times a checkpoint's cost between two of them
TABLES_OVERHEAD = 4  # at least this many times the tables' cost between two computations
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# Ages change on every tick; a table is "changed" only when something else in it changed.
VOLATILE_KEYS = frozenset({"t", "age_s", "expires_s", "remaining_s", "idle_s"})


DETAIL_KEYS = frozenset({"layers", "frame"})

COMMANDS: dict[str, Callable] = {}


def command(method: Callable) -> Callable:
    """A command the worker takes, under its method's name (op `run.seek` -> `run_seek`): only these
    can be reached through the pipe."""
    COMMANDS[method.__name__] = method
    return method


def _dumps(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def stable_view(value: Any) -> Any:
    """`value` without the keys that change with time alone (for change detection)."""
    if isinstance(value, dict):
        return {k: stable_view(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [stable_view(v) for v in value]
    return value


def rss_bytes(pid: int | str = "self") -> int:
    """Resident memory of a process, from /proc/<pid>/statm (0 where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def table_entries(tables: dict) -> dict[tuple[str, str], str]:
    """Each node's entry of each section of `net.tables()` (every dict-valued key but `t`), as the
    text of its stable view (what a delta compares: ages alone do not make an entry changed)."""
    return {(section, key): _dumps(stable_view(value))
            for section, entries in tables.items() if section != "t" and isinstance(entries, dict)
            for key, value in entries.items()}


def _discard(batch: list) -> None:
    """The sink of a replay: events between a checkpoint and the seek target are not shown,
    but they are still built, so the tracer's numbering is the same as in the original run."""


class _Span:
    """The trace sink of a seek forward: the last `keep` events of the span, and how many more."""

    def __init__(self, keep: int):
        self.kept: collections.deque[dict] = collections.deque(maxlen=keep)
        self.seen = 0

    def __call__(self, batch: list[dict]) -> None:
        self.seen += len(batch)
        self.kept.extend(batch)

    def events(self) -> list[dict]:
        kept = list(self.kept)
        skipped = self.seen - len(kept)
        if skipped <= 0:
            return kept
        marker = {"seq": None, "t": kept[0].get("t"), "kind": "trace.skipped", "count": skipped,
                  "text": (f"{skipped:,} earlier events of the span this seek jumped over are not shown "
                           f"(only its last {len(kept):,} are). The run itself is complete; "
                           "the capture has its frames.")}
        return [marker, *kept]


class RunWorker:
    def __init__(self, config: dict, *, now: float):
        from simcore.network import Network

        self.config = config
        self.run_id: str = config["run"]
        self._network_cls = Network
        self.seq = 0  # the stream's sequence number: never reused within a run, across seeks too
        self._pending: list[dict] = []
        # Trace events a Step ran but has not shown yet (one engine event can log several: a switch
        # flooding a frame): the next Steps show them one by one, a tick or a seek forward first.
        self._held: list[dict] = []
        self.user_actions: list[dict] = []
        self.clock = Clock(speed=float(config.get("speed", 1.0)))
        self.status = RunStatus.PAUSED
        self.cap_msg: str | None = None
        self.wall_used = 0.0
        self._last_stable: Any = None
        self.done = False
        self.max_memory = int(config.get("max_memory_mb") or DEFAULT_MAX_MEMORY_MB) * 1024 * 1024
        self.max_pending = int(config.get("max_pending_events") or MAX_PENDING_EVENTS)
        self.max_stream = int(config.get("max_stream_events_per_tick") or MAX_STREAM_EVENTS_PER_TICK)
        self._dropped: collections.Counter[str] = collections.Counter()
        self._dropped_t: int | None = None
        self.beat: Callable[[], None] = lambda: None  # main() sends a heartbeat between seek chunks
        built = time.monotonic()
        self.net = self._fresh()
        self.build_s = time.monotonic() - built
        self.checkpoints = Checkpoints(every_ns=int(config.get("checkpoint_every_s", 1.0) * 1e9),
                                       limit=int(config.get("max_checkpoints", 64)))
        # The checkpoint at t = 0 is the document itself (rebuilt on a seek back): no fork.
        self.checkpoints.add_origin(len(self.user_actions))
        # A fork costs about what the build cost: a design slow to build takes no checkpoints
        # (a seek back rebuilds it), one fast to build takes them, spaced by their cost.
        self._ck_cost = self.build_s
        self._ck_last = time.monotonic()
        self._tables_cost = 0.0
        self._tables_dirty = False  # events came since the tables were last compared
        self._tables_last = 0.0
        resume = config.get("resume")
        self.start_tables: dict | None = None
        if resume is not None:
            self._resume(resume)
        else:  # the tables at t = 0: the first message shows them, deltas start from them
            self.start_tables = self.tables()
            self._last_stable = table_entries(self.start_tables)
        if config.get("play", True):
            self.status = RunStatus.PLAYING
            self.clock.anchor(now, self.net.now_ns)

    def _resume(self, pos: dict) -> None:
        """Take over a run another process was running (failover): replay its action log silently
        up to the last position it streamed (engine time `t` and `events_run`), then go on from
        there with the stream's `seq` continuing. The engine is deterministic, so the state is
        exactly the one the dead process had streamed."""
        self.user_actions = [dict(a) for a in pos.get("log", [])]
        target_t, target_events = int(pos["t"]), int(pos["events_run"])
        net = self._replay(target_t, None)
        held = int(pos.get("held") or 0)
        span = _Span(held) if held else None
        if net.engine.events_run > target_events or span is not None:
            # The position was reached in step mode, mid-instant: stop at the same event, with
            # the trace events its Steps ran but had not shown yet held back again.
            net = self._replay(target_t - 1, target_events, trace=span)
        if span is not None:
            self._held = list(span.kept)
        if net.engine.events_run != target_events:
            raise ValueError(f"the replay reached {net.engine.events_run} engine events at t={net.now_ns} ns, "
                             f"not the {target_events} the run had streamed at t={target_t} ns")
        net.set_trace(self._collect)
        self.net = net
        self._pending = []
        self.seq = int(pos["seq"])
        self.wall_used = float(pos.get("wall_used") or 0.0)
        self._maybe_checkpoint(force=True)  # after the one at t = 0
        self._last_stable = table_entries(self.tables())
        if pos.get("status") == RunStatus.CAPPED.value:
            self.status, self.cap_msg = RunStatus.CAPPED, pos.get("msg")

    def _replay(self, until_ns: int, events: int | None, trace: Callable | None = None):
        c = self.config
        net = self._network_cls.from_design(c["doc"], seed=int(c.get("seed", 0)), trace=trace or _discard,
                                            capture_all=True,
                                            max_time_s=c.get("max_time_s"), max_events=c.get("max_events"))
        for action in self.user_actions:
            self._schedule(net, action)
        self._run_to(net, max(0, until_ns))
        if events is not None:
            while net.engine.events_run < events and net.step():
                pass
        return net

    # -- building ---------------------------------------------------------------------------
    def _fresh(self):
        c = self.config
        return self._network_cls.from_design(c["doc"], seed=int(c.get("seed", 0)), trace=self._collect, capture_all=True,
                                             max_time_s=c.get("max_time_s"), max_events=c.get("max_events"))

    def _collect(self, batch: list[dict]) -> None:
        """The trace sink of the live run: at most `max_stream` events per tick are kept for the
        stream; the others are counted by kind and said in one `trace.dropped` event."""
        room = self.max_stream - len(self._pending)
        if room >= len(batch):
            self._pending.extend(batch)
            return
        if room > 0:
            self._pending.extend(batch[:room])
            batch = batch[room:]
        for ev in batch:
            kind = ev.get("kind", "?")
            if kind.startswith("command."):  # what the user typed and how it ended: always shown
                self._pending.append(ev)
                continue
            self._dropped[kind] += 1
        if self._dropped_t is None and self._dropped:
            self._dropped_t = batch[0].get("t")

    def _dropped_event(self) -> dict | None:
        if not self._dropped:
            return None
        n = sum(self._dropped.values())
        kinds = ", ".join(f"{k} {v:,}" for k, v in self._dropped.most_common(4))
        ev = {"seq": None, "t": self.net.now_ns, "kind": "trace.dropped", "count": n, "from_t": self._dropped_t,
              "kinds": dict(self._dropped),
              "text": (f"{n:,} more trace events in this instant of the run were not streamed (at most "
                       f"{self.max_stream:,} per tick: {kinds}). The run itself is complete; "
                       f"the capture has its frames.")}
        self._dropped.clear()
        self._dropped_t = None
        return ev

    def _run_to(self, net, target: int) -> None:
        """Run `net` to `target` in bounded chunks (a seek, a replay): between chunks, a heartbeat
        and the memory ceiling (over it, the run stops where it got; `_check_caps` says why)."""
        from simcore.engine import RunStatus as EngineStatus

        while net.run_bounded_ns(target, SEEK_CHUNK_EVENTS, time.monotonic() + TICK_MAX_WALL_S) \
                is EngineStatus.BUDGET:
            self.beat()
            if self.over_memory():
                return

    def over_memory(self) -> bool:
        return rss_bytes() > self.max_memory

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict:
        return {"status": self.status.value, "t": self.net.now_ns, "speed": self.clock.speed, "seq": self.seq,
                "seed": int(self.config.get("seed", 0)), "msg": self.cap_msg,
                "events_run": self.net.engine.events_run, "actions": len(self.user_actions), "held": len(self._held),
                "memory_mb": round(rss_bytes() / 1048576, 1)}

    def _status_msg(self, msg: str | None = None) -> dict:
        out = {"kind": "status", **self.state()}
        if msg is not None:
            out["msg"] = msg
        return out

    def tables(self) -> dict:
        return self.net.tables()

    # -- draining events --------------------------------------------------------------------
    def _drain(self, *, force_tables: bool = False, now: float | None = None, tables: bool = True) -> list[dict]:
        """The pending trace events as batch messages (each event serialised once, here)."""
        events, self._pending = self._pending, []
        dropped = self._dropped_event()
        if dropped is not None:
            events.append(dropped)
        out: list[dict] = []
        texts: list[str] = []
        fulls: list[str | None] = []
        size = 0
        first = self.seq + 1
        for ev in events:
            self.seq += 1
            ev["tseq"] = ev["seq"]
            ev["seq"] = self.seq
            ev["run"] = self.run_id
            # The live stream carries the slim event (what the list and the animation need: a
            # third of the bytes); the packet inspector asks for the full one (`event.detail`).
            if "frame" in ev or "layers" in ev:
                fulls.append(_bounded(_dumps(ev), ev))
                ev = {k: v for k, v in ev.items() if k not in DETAIL_KEYS}
            else:
                fulls.append(None)
            text = _bounded(_dumps(ev), ev)
            texts.append(text)
            size += len(text) + 1
            if len(texts) >= MAX_EVENTS_PER_MESSAGE or size >= MAX_BATCH_BYTES:
                size = 0
                out.append({"kind": "batch", "first": first, "last": self.seq, "t": self.net.now_ns, "events": texts,
                            "full": fulls, "wall": time.time(), "events_run": self.net.engine.events_run,
                            "wall_used": self.wall_used})
                texts, fulls, first = [], [], self.seq + 1
        delta = removed = None
        # `now` on the caller's clock (a tick's; tests drive a fake one), the cost in real seconds.
        now = time.monotonic() if now is None else now
        self._tables_dirty = self._tables_dirty or bool(events)
        if not tables:  # a seek's span: the `seeked` right after it carries the whole tables
            pass
        elif (self._tables_dirty and now - self._tables_last >= self._tables_cost * TABLES_OVERHEAD) or force_tables:
            self._tables_dirty = False
            # Tables cost in proportion to the design (0.5 s at 10,000 nodes): computed at most
            # once per TABLES_OVERHEAD times their cost, so they never take most of a run's time.
            # What goes out is a delta: the entries (a node's tables) that changed, the ids gone.
            computing = time.monotonic()
            current = self.tables()
            entries = table_entries(current)
            self._tables_cost = time.monotonic() - computing
            self._tables_last = now + self._tables_cost
            before = self._last_stable or {}
            changed = [k for k, text in entries.items() if force_tables or before.get(k) != text]
            gone = [k for k in before if k not in entries]
            if changed or gone:
                delta = {"t": current.get("t")}
                for section, key in changed:
                    delta.setdefault(section, {})[key] = current[section][key]
                removed = {}
                for section, key in gone:
                    removed.setdefault(section, []).append(key)
            self._last_stable = entries
        if texts or delta is not None or not out:
            out.append({"kind": "batch", "first": first, "last": self.seq, "t": self.net.now_ns, "events": texts,
                        "full": fulls, "tables_delta": delta, "tables_removed": removed,
                        "status": self.status.value, "wall": time.time(),
                        "events_run": self.net.engine.events_run, "wall_used": self.wall_used})
        return [m for m in out if m["events"] or m.get("tables_delta") is not None] or []

    # -- time -------------------------------------------------------------------------------
    def wait_s(self, now: float) -> float | None:
        """How long the process may block waiting for a command (None: until one comes)."""
        if self.status is not RunStatus.PLAYING:
            return None
        return max(0.0, self.clock.next_tick - now)

    def tick(self, now: float) -> list[dict]:
        if self.status is not RunStatus.PLAYING or now < self.clock.next_tick:
            return []
        from simcore.engine import RunStatus as EngineStatus

        started = time.monotonic()
        target = self.clock.target_ns(now)
        behind = False
        self._pending[:0], self._held = self._held, []  # what a Step ran but did not show yet
        if target > self.net.now_ns:
            # Bounded: a flood (ping -i 0) makes this tick stop after its budget, not never.
            status = self.net.run_bounded_ns(target, TICK_MAX_EVENTS, started + TICK_MAX_WALL_S)
            behind = status is EngineStatus.BUDGET
        self.wall_used += self.clock.tick_length
        # An engine that cannot keep up falls behind wall time (slow motion), never catches up
        # in a burst: re-anchor when it ran out of its budget or one tick took longer than a tick.
        took = time.monotonic() - started
        if behind or took > self.clock.tick_length:
            self.clock.anchor(now + took, self.net.now_ns)  # on the caller's clock (tests: a fake one)
        self.clock.advance_tick(now)
        self._maybe_checkpoint()
        out = self._drain(now=now + took)
        out.extend(self._check_caps())
        return out

    def _maybe_checkpoint(self, force: bool = False) -> None:
        """A checkpoint when the run passed the next one's time and it is cheap enough: one costs
        about a build (a deep copy of the network), so designs slow to build take none (a seek
        back rebuilds from the document) and the others at most every CHECKPOINT_OVERHEAD times
        its cost of wall time."""
        if self._ck_cost > CHECKPOINT_MAX_COST_S:
            return
        now = time.monotonic()
        if not force and now - self._ck_last < self._ck_cost * CHECKPOINT_OVERHEAD:
            return
        before = len(self.checkpoints.items)
        try:
            if force:
                self.checkpoints.add(self.net, len(self.user_actions))
            else:
                self.checkpoints.maybe_add(self.net, len(self.user_actions))
        except RecursionError:  # a network too deep to copy: seeks back rebuild from the document
            self._ck_cost = float("inf")
            return
        if len(self.checkpoints.items) != before or force:
            self._ck_last = time.monotonic()
            self._ck_cost = self._ck_last - now

    def _check_caps(self) -> list[dict]:
        max_wall = self.config.get("max_wall_s")
        what = None
        rss = rss_bytes()
        if self.net.engine.finished:
            status = self.net.engine.status.value
            what = ("the simulated time limit" if status == "time_limit" else "the event limit")
        elif max_wall is not None and self.wall_used >= max_wall:
            what = f"the wall-time limit ({max_wall:g} s of playing)"
        elif self.net.engine.pending > self.max_pending:
            what = (f"the limit of pending engine events ({self.max_pending:,}: frames in flight and timers "
                    "of a flood faster than the network delivers)")
        elif rss > self.max_memory:
            what = (f"the memory limit of a run ({self.max_memory / 1048576:,.0f} MiB; its process used "
                    f"{rss / 1048576:,.0f} MiB)")
        if what is None:
            return []
        self.status = RunStatus.CAPPED
        self.cap_msg = (f"The run stopped at {self.net.now_ns / 1e9:.3f} s of simulated time: it reached {what} "
                        f"after {self.net.engine.events_run} engine events and {self.seq} trace events. "
                        "Seek back, reset or stop it.")
        return self._drain() + [self._status_msg(self.cap_msg)]

    # -- commands ---------------------------------------------------------------------------
    def handle(self, cmd: dict, now: float) -> list[dict]:
        op = cmd.get("op")
        rid = cmd.get("id")
        handler = COMMANDS.get(op.replace(".", "_")) if isinstance(op, str) else None
        if handler is None:
            return [{"kind": "reply", "id": rid, "ok": False, "code": "run.bad_op", "msg": f"unknown op {op!r}"}]
        try:
            out, data = handler(self, cmd, now)
        except ValueError as exc:
            return [{"kind": "reply", "id": rid, "ok": False, "code": "run.refused", "msg": str(exc)}]
        return [*out, {"kind": "reply", "id": rid, "ok": True, "data": data}]

    def _playable(self) -> None:
        if self.status is RunStatus.CAPPED:
            raise ValueError(self.cap_msg or "The run is over: seek back, reset or stop it.")

    @command
    def run_pause(self, cmd, now):
        if self.status is RunStatus.PLAYING:
            self.status = RunStatus.PAUSED
        return [self._status_msg()], None

    @command
    def run_resume(self, cmd, now):
        self._playable()
        if self.status is not RunStatus.PLAYING:
            self.status = RunStatus.PLAYING
            self.clock.anchor(now, self.net.now_ns)
        return [self._status_msg()], None

    @command
    def run_speed(self, cmd, now):
        self.clock.set_speed(float(cmd["speed"]), now, self.net.now_ns)
        return [self._status_msg()], None

    @command
    def run_step(self, cmd, now):
        """Pause, then show the next traced event: one a previous Step ran but held back, or run
        engine events until one comes out (or nothing is left). An engine event that logs several
        (a switch flooding a frame: the flood and one line per port) is shown one line per Step,
        as the button says ("Next event")."""
        self._playable()
        self.status = RunStatus.PAUSED
        if not self._held:
            deadline = time.monotonic() + TICK_MAX_WALL_S
            for i in range(MAX_STEP_ENGINE_EVENTS):
                if not self.net.step() or self._pending:
                    break
                if i % 512 == 511 and time.monotonic() >= deadline:
                    break  # nothing traced yet: the next Step goes on from here
            self._held, self._pending = self._pending, []
        self._pending, self._held = self._held[:1], self._held[1:]
        out = self._drain()
        out.extend(self._check_caps())
        return [*out, self._status_msg()], None

    @command
    def run_seek(self, cmd, now):
        target = int(round(float(cmd["t"]) * 1e9))
        net = self.net
        span: _Span | None = None
        if target < net.now_ns:
            ck = self.checkpoints.before(target)
            if ck.net is None:  # the origin: the document, built again
                c = self.config
                net = self._network_cls.from_design(c["doc"], seed=int(c.get("seed", 0)), trace=_discard,
                                                    capture_all=True, max_time_s=c.get("max_time_s"),
                                                    max_events=c.get("max_events"))
            else:
                net = ck.net.fork(trace=_discard)
            for action in self.user_actions[ck.actions:]:
                self._schedule(net, action)
            self.checkpoints.drop_after(target)
        else:
            span = _Span(SEEK_SPAN_EVENTS)
            net.set_trace(span)
        self._run_to(net, target)
        net.set_trace(self._collect)
        self.net = net
        self._pending = []
        out: list[dict] = []
        held, self._held = self._held, []  # a seek back undoes them; forward, they come first
        if span is not None:  # what happened in between, as a run played there would have shown it
            self._pending = held + span.events()
            out = self._drain(tables=False)
        if self.status is RunStatus.CAPPED and not net.engine.finished:
            self.status, self.cap_msg = RunStatus.PAUSED, None
        if self.status is RunStatus.PLAYING:
            self.clock.anchor(now, net.now_ns)
        tables = self.tables()
        self._last_stable = table_entries(tables)
        out.append({"kind": "seeked", **self.state(), "tables": tables})
        out.extend(self._check_caps())
        return out, None

    @command
    def run_reset(self, cmd, now):
        self.user_actions = []
        self.net = self._fresh()
        self._pending, self._held = [], []
        self.status, self.cap_msg, self.wall_used = RunStatus.PAUSED, None, 0.0
        self.checkpoints.clear()
        self.checkpoints.add_origin(0)
        tables = self.tables()
        self._last_stable = table_entries(tables)
        return [{"kind": "seeked", **self.state(), "tables": tables, "reset": True}, self._log_msg()], None

    @command
    def run_stop(self, cmd, now):
        self.status = RunStatus.STOPPED
        self.done = True
        return [self._status_msg("The run was stopped.")], None

    @command
    def console_run(self, cmd, now):
        return self._act(cmd, {"node": cmd["node"], "command": cmd["line"]})

    @command
    def console_interrupt(self, cmd, now):
        return self._act(cmd, {"node": cmd["node"], "interrupt": True})

    @command
    def run_vm(self, cmd, now):
        """A VM's power control: refused at once, with VBoxManage's sentence, when illegal now (it
        never enters the log); else logged and run 1 ns from now like a console line."""
        self._playable()
        params = dict(cmd.get("params") or {})
        refusal = self.net.check_vm_action(cmd["node"], cmd["action"], **params)
        if refusal is not None:
            raise ValueError(refusal)
        return self._act(cmd, {"node": cmd["node"], "vm": cmd["action"], "params": params})

    @command
    def run_host(self, cmd, now):
        """A physical host's power (shutdown, reboot, boot): refused at once when illegal now
        (never logged); else logged and run 1 ns from now like a console line."""
        self._playable()
        refusal = self.net.check_host_action(cmd["node"], cmd["action"])
        if refusal is not None:
            raise ValueError(refusal)
        return self._act(cmd, {"node": cmd["node"], "host": cmd["action"]})

    @command
    def run_keep(self, cmd, now):
        """A container or VM clone made during the run, as ``{"node", "links"}`` for the design (the
        editor adds them as one undoable edit and saves the design as usual; the run is not
        changed)."""
        return [], self.net.keep_spec(cmd["node"])

    def _act(self, cmd, action: dict):
        self._playable()
        # One nanosecond after now: every event at `now` has run (or will, in step mode, before
        # it), so a replay from a checkpoint, which schedules the action up front, runs it at the
        # same place in the event order as this live run does.
        action = {"t": self.net.now_ns + 1, **action}
        self._schedule(self.net, action)
        self.user_actions.append(action)
        return [self._log_msg()], {"t": action["t"]}

    def _log_msg(self) -> dict:
        """The action log, for the durable state (store.py): a failover replays it."""
        return {"kind": "log", "log": list(self.user_actions)}

    def _schedule(self, net, action: dict) -> None:
        at = action["t"] / 1e9
        if "vm" in action:
            net.vm_action(action["node"], action["vm"], at=at, **action.get("params", {}))
        elif "host" in action:
            net.host_action(action["node"], action["host"], at=at)
        elif action.get("interrupt"):
            net.interrupt(action["node"], at=at)
        else:
            net.command(action["node"], action["command"], at=at)

    @command
    def pcap(self, cmd, now):
        name = cmd.get("capture")
        if name is None:
            return [], all_captures_pcapng(self.net.captures)
        cap = self.net.captures.get(name)
        if cap is None:
            raise ValueError(f"no capture point {name!r}; this design has: {', '.join(self.net.captures) or 'none'}")
        return [], cap.pcap_bytes()


def _bounded(text: str, ev: dict) -> str:
    """An event's text within MAX_EVENT_BYTES: a longer one (a huge console line) is cut, and
    says so (`cut`: its length)."""
    if len(text) <= MAX_EVENT_BYTES // 4 or len(text.encode("utf-8")) <= MAX_EVENT_BYTES:
        return text
    keep = {k: v for k, v in ev.items() if k not in DETAIL_KEYS and not isinstance(v, (str, list, dict))}
    head = str(ev.get("text", ""))[:1000]
    keep.update({"kind": ev.get("kind"), "node": ev.get("node"), "cut": len(text),
                 "text": head + f" … (cut: this event is {len(text):,} characters, over the "
                                f"{MAX_EVENT_BYTES // 1024} KiB a streamed event may have)"})
    return _dumps(keep)


def _reader(conn, inbox: queue.Queue, lock: threading.Lock, answered: threading.Event) -> None:
    """The worker's ears, in a thread: every command goes to the loop through `inbox`. A
    `run.stop` the loop has not answered within STOP_GRACE_S (it is inside a long build, a fork,
    a seek) is answered from here and the process ends: a stop never waits for the engine."""
    while True:
        try:
            cmd = conn.recv()
        except (EOFError, OSError):
            inbox.put(None)
            if not answered.wait(STOP_GRACE_S * 4):
                os._exit(0)  # the parent is gone and the loop is busy: nobody is watching
            return
        except Exception:  # an unpicklable command: the loop answers it as a bad op
            cmd = {"op": None, "id": None}
        inbox.put(cmd)
        if isinstance(cmd, dict) and cmd.get("op") == "run.stop":
            if answered.wait(STOP_GRACE_S):
                return
            with lock:
                try:
                    conn.send({"kind": "status", "status": RunStatus.STOPPED.value, "msg": "The run was stopped."})
                    conn.send({"kind": "reply", "id": cmd.get("id"), "ok": True, "data": None})
                except OSError:
                    pass
            os._exit(0)


def main(conn, config: dict) -> None:
    """The child process: build the run, then loop until stopped or the parent goes away.

    A thread reads the commands (`_reader`); the loop waits for one or the next tick, handles it,
    runs a bounded tick and sends what came out, and says it is alive at least every HEARTBEAT_S
    (the parent kills a worker that stops answering, `localrun.Run`)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))  # deep copies of big networks
    # Below the server in the CPU's queue: when a class's runs all start at once, the Daphne that
    # relays their events waited for a CPU for a second and more (bench/classroom.py); a run that
    # waits a little only falls behind its pace, which it catches up on.
    try:
        os.nice(int(config.get("nice", WORKER_NICE)))
    except (OSError, ValueError):
        pass
    lock = threading.Lock()
    answered = threading.Event()
    inbox: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(conn, inbox, lock, answered), daemon=True,
                     name="worker-commands").start()
    try:
        worker = RunWorker(config, now=time.monotonic())
    except Exception as exc:  # a design the engine refuses: say why, then end
        with lock:
            conn.send({"kind": "status", "status": RunStatus.FAILED.value, "msg": f"The run could not start: {exc}"})
        answered.set()
        return
    last_sent = [time.monotonic()]

    def send(message: dict) -> None:
        with lock:
            conn.send(message)
        last_sent[0] = time.monotonic()

    def beat() -> None:
        if time.monotonic() - last_sent[0] >= HEARTBEAT_S:
            send({"kind": "alive", "memory_mb": round(rss_bytes() / 1048576, 1)})

    worker.beat = beat
    try:
        if config.get("resume") is not None:
            send({"kind": "status", **worker.state(), "resumed": True})
            tables = worker.tables()
            send({"kind": "batch", "first": worker.seq + 1, "last": worker.seq, "t": worker.net.now_ns, "events": [],
                  "full": [], "tables": tables, "status": worker.status.value, "wall": time.time(),
                  "events_run": worker.net.engine.events_run, "wall_used": worker.wall_used})
        else:
            send({"kind": "seeked", **worker.state(), "tables": worker.start_tables, "started": True})
            worker.start_tables = None
    except (EOFError, BrokenPipeError, OSError):
        return
    while not worker.done:
        try:
            wait = worker.wait_s(time.monotonic())
            try:
                cmd = inbox.get(timeout=HEARTBEAT_S if wait is None else min(wait, HEARTBEAT_S))
            except queue.Empty:
                cmd = False
            if cmd is None:
                answered.set()
                return  # the parent is gone: nobody is watching
            out = worker.handle(cmd, time.monotonic()) if cmd is not False else []
            out.extend(worker.tick(time.monotonic()))
            for message in out:
                send(message)
            if worker.done:
                answered.set()
            beat()
        except (EOFError, BrokenPipeError, OSError):
            return  # the parent is gone: nobody is watching
        except Exception as exc:
            try:
                send({"kind": "status", "status": RunStatus.FAILED.value,
                      "msg": f"The simulation failed: {type(exc).__name__}: {exc}"})
            except OSError:
                pass
            return
