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

import json
import time
from collections.abc import Callable
from typing import Any

from designer.simulation.checkpoints import Checkpoints
from designer.simulation.pacing import Clock, RunStatus
from designer.simulation.pcapexport import all_captures_pcapng

MAX_EVENTS_PER_MESSAGE = 1000
MAX_STEP_ENGINE_EVENTS = 100_000
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


def _discard(batch: list) -> None:
    """The sink of a replay: events between a checkpoint and the seek target are not shown,
    but they are still built, so the tracer's numbering is the same as in the original run."""


class RunWorker:
    def __init__(self, config: dict, *, now: float):
        from simcore.network import Network

        self.config = config
        self.run_id: str = config["run"]
        self._network_cls = Network
        self.seq = 0  # the stream's sequence number: never reused within a run, across seeks too
        self._pending: list[dict] = []
        self.user_actions: list[dict] = []
        self.clock = Clock(speed=float(config.get("speed", 1.0)))
        self.status = RunStatus.PAUSED
        self.cap_msg: str | None = None
        self.wall_used = 0.0
        self._last_stable: Any = None
        self.done = False
        self.net = self._fresh()
        self.checkpoints = Checkpoints(every_ns=int(config.get("checkpoint_every_s", 1.0) * 1e9),
                                       limit=int(config.get("max_checkpoints", 64)))
        self.checkpoints.add(self.net, len(self.user_actions))
        resume = config.get("resume")
        if resume is not None:
            self._resume(resume)
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
        if net.engine.events_run > target_events:
            # The position was reached in step mode, mid-instant: stop at the same event.
            net = self._replay(target_t - 1, target_events)
        if net.engine.events_run != target_events:
            raise ValueError(f"the replay reached {net.engine.events_run} engine events at t={net.now_ns} ns, "
                             f"not the {target_events} the run had streamed at t={target_t} ns")
        net.set_trace(self._collect)
        self.net = net
        self._pending = []
        self.seq = int(pos["seq"])
        self.wall_used = float(pos.get("wall_used") or 0.0)
        self.checkpoints.add(self.net, len(self.user_actions))  # after the one at t = 0
        self._last_stable = stable_view(self.tables())
        if pos.get("status") == RunStatus.CAPPED.value:
            self.status, self.cap_msg = RunStatus.CAPPED, pos.get("msg")

    def _replay(self, until_ns: int, events: int | None):
        c = self.config
        net = self._network_cls.from_design(c["doc"], seed=int(c.get("seed", 0)), trace=_discard, capture_all=True,
                                            max_time_s=c.get("max_time_s"), max_events=c.get("max_events"))
        for action in self.user_actions:
            self._schedule(net, action)
        net.run_until_ns(max(0, until_ns))
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
        self._pending.extend(batch)

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict:
        return {"status": self.status.value, "t": self.net.now_ns, "speed": self.clock.speed, "seq": self.seq,
                "seed": int(self.config.get("seed", 0)), "msg": self.cap_msg,
                "events_run": self.net.engine.events_run, "actions": len(self.user_actions)}

    def _status_msg(self, msg: str | None = None) -> dict:
        out = {"kind": "status", **self.state()}
        if msg is not None:
            out["msg"] = msg
        return out

    def tables(self) -> dict:
        return self.net.tables()

    # -- draining events --------------------------------------------------------------------
    def _drain(self, *, force_tables: bool = False) -> list[dict]:
        """The pending trace events as batch messages (each event serialised once, here)."""
        events, self._pending = self._pending, []
        out: list[dict] = []
        texts: list[str] = []
        fulls: list[str | None] = []
        first = self.seq + 1
        for ev in events:
            self.seq += 1
            ev["tseq"] = ev["seq"]
            ev["seq"] = self.seq
            ev["run"] = self.run_id
            # The live stream carries the slim event (what the list and the animation need: a
            # third of the bytes); the packet inspector asks for the full one (`event.detail`).
            if "frame" in ev or "layers" in ev:
                fulls.append(_dumps(ev))
                ev = {k: v for k, v in ev.items() if k not in DETAIL_KEYS}
            else:
                fulls.append(None)
            texts.append(_dumps(ev))
            if len(texts) >= MAX_EVENTS_PER_MESSAGE:
                out.append({"kind": "batch", "first": first, "last": self.seq, "t": self.net.now_ns, "events": texts,
                            "full": fulls, "wall": time.time(), "events_run": self.net.engine.events_run,
                            "wall_used": self.wall_used})
                texts, fulls, first = [], [], self.seq + 1
        tables = None
        if events or force_tables:
            current = self.tables()
            view = stable_view(current)
            if force_tables or view != self._last_stable:
                self._last_stable = view
                tables = current
        if texts or tables is not None or not out:
            out.append({"kind": "batch", "first": first, "last": self.seq, "t": self.net.now_ns, "events": texts,
                        "full": fulls, "tables": tables, "status": self.status.value, "wall": time.time(),
                        "events_run": self.net.engine.events_run, "wall_used": self.wall_used})
        return [m for m in out if m["events"] or m.get("tables") is not None] or []

    # -- time -------------------------------------------------------------------------------
    def wait_s(self, now: float) -> float | None:
        """How long the process may block waiting for a command (None: until one comes)."""
        if self.status is not RunStatus.PLAYING:
            return None
        return max(0.0, self.clock.next_tick - now)

    def tick(self, now: float) -> list[dict]:
        if self.status is not RunStatus.PLAYING or now < self.clock.next_tick:
            return []
        started = time.monotonic()
        target = self.clock.target_ns(now)
        if target > self.net.now_ns:
            self.net.run_until_ns(target)
        self.wall_used += self.clock.tick_length
        # An engine that cannot keep up falls behind wall time (slow motion), never catches up
        # in a burst: re-anchor when one tick took longer than a tick.
        if time.monotonic() - started > self.clock.tick_length:
            self.clock.anchor(time.monotonic(), self.net.now_ns)
        self.clock.advance_tick(now)
        self.checkpoints.maybe_add(self.net, len(self.user_actions))
        out = self._drain()
        out.extend(self._check_caps())
        return out

    def _check_caps(self) -> list[dict]:
        max_wall = self.config.get("max_wall_s")
        what = None
        if self.net.engine.finished:
            status = self.net.engine.status.value
            what = ("the simulated time limit" if status == "time_limit" else "the event limit")
        elif max_wall is not None and self.wall_used >= max_wall:
            what = f"the wall-time limit ({max_wall:g} s of playing)"
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
        """Pause, then run engine events until one trace event comes out (or nothing is left)."""
        self._playable()
        self.status = RunStatus.PAUSED
        for _ in range(MAX_STEP_ENGINE_EVENTS):
            if not self.net.step() or self._pending:
                break
        out = self._drain()
        out.extend(self._check_caps())
        return [*out, self._status_msg()], None

    @command
    def run_seek(self, cmd, now):
        target = int(round(float(cmd["t"]) * 1e9))
        net = self.net
        if target < net.now_ns:
            ck = self.checkpoints.before(target)
            net = ck.net.fork(trace=_discard)
            for action in self.user_actions[ck.actions:]:
                self._schedule(net, action)
            self.checkpoints.drop_after(target)
        else:
            net.set_trace(_discard)
        net.run_until_ns(target)
        net.set_trace(self._collect)
        self.net = net
        self._pending = []
        if self.status is RunStatus.CAPPED and not net.engine.finished:
            self.status, self.cap_msg = RunStatus.PAUSED, None
        if self.status is RunStatus.PLAYING:
            self.clock.anchor(now, net.now_ns)
        tables = self.tables()
        self._last_stable = stable_view(tables)
        out = [{"kind": "seeked", **self.state(), "tables": tables}]
        out.extend(self._check_caps())
        return out, None

    @command
    def run_reset(self, cmd, now):
        self.user_actions = []
        self.net = self._fresh()
        self._pending = []
        self.status, self.cap_msg, self.wall_used = RunStatus.PAUSED, None, 0.0
        self.checkpoints.clear()
        self.checkpoints.add(self.net, 0)
        tables = self.tables()
        self._last_stable = stable_view(tables)
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
        """A container made during the run, as a node for the design (the editor adds it and saves
        the design as usual; the run is not changed)."""
        return [], self.net.container_spec(cmd["node"])

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


def main(conn, config: dict) -> None:
    """The child process: build the run, then loop until stopped or the parent goes away."""
    try:
        worker = RunWorker(config, now=time.monotonic())
    except Exception as exc:  # a design the engine refuses: say why, then end
        conn.send({"kind": "status", "status": RunStatus.FAILED.value, "msg": f"The run could not start: {exc}"})
        return
    send = conn.send
    if config.get("resume") is not None:
        send({"kind": "status", **worker.state(), "resumed": True})
        tables = worker.tables()
        send({"kind": "batch", "first": worker.seq + 1, "last": worker.seq, "t": worker.net.now_ns, "events": [],
              "full": [], "tables": tables, "status": worker.status.value, "wall": time.time(),
              "events_run": worker.net.engine.events_run, "wall_used": worker.wall_used})
    else:
        send({"kind": "seeked", **worker.state(), "tables": worker.tables(), "started": True})
    while not worker.done:
        try:
            if conn.poll(worker.wait_s(time.monotonic())):
                out = worker.handle(conn.recv(), time.monotonic())
            else:
                out = []
            out.extend(worker.tick(time.monotonic()))
            for message in out:
                send(message)
        except (EOFError, BrokenPipeError, OSError):
            return  # the parent is gone: nobody is watching
        except Exception as exc:
            try:
                send({"kind": "status", "status": RunStatus.FAILED.value,
                      "msg": f"The simulation failed: {type(exc).__name__}: {exc}"})
            except OSError:
                pass
            return
