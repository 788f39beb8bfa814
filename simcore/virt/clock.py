"""The guest clock: one VM's time, which stops while the VM is paused, saved or off.

Everything inside a guest (its stack's ARP timers, its DHCP client, TCP, its console's ping, its
services, its boot log) schedules through its clock, which has the engine's interface (``now``,
``rng``, ``schedule``, ``at``). Links, switches and the trace keep the engine's (real) time.

    guest time = engine time - time the guest spent not running

Each guest timer is an engine event calling back ``_fire(token)``; the clock keeps the timer under
its token. ``freeze()`` takes every pending timer out (their engine events then find no token and
do nothing: nothing is cancelled in the heap) and holds them with their guest due times;
``thaw()`` puts them back on the engine in their original order (due time, priority, order of
scheduling), shifted by the time spent frozen, so the guest's timers go on as if no time had
passed. ``wipe()`` forgets every timer (power off, reset: the RAM is gone).

A running clock that was never frozen maps each guest event to exactly one engine event at the
same instant, so a VM that stays running from t = 0 gives the very same run as before the clock
existed. Only VMs have a clock; every other node schedules on the engine directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simcore.engine import PRIORITY_NORMAL, Engine


def _check_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer number of nanoseconds, not {value!r}")
    return value


class GuestClock:
    """A VM's clock on ``engine``; starts running, at guest time = engine time."""

    __slots__ = ("engine", "rng", "offset", "running", "frozen_at", "_timers", "_held", "_next")

    def __init__(self, engine: Engine):
        self.engine = engine
        self.rng = engine.rng  # the run's one random source: a guest draws from it as any node does
        self.offset = 0  # engine time - guest time, while running
        self.running = True
        self.frozen_at = 0  # guest time when frozen
        self._timers: dict[int, tuple] = {}  # token -> (engine due time, priority, fn, args), on the engine
        self._held: list[tuple] = []  # (due, priority, token, fn, args) while frozen
        self._next = 0

    @property
    def now(self) -> int:
        return self.engine.now - self.offset if self.running else self.frozen_at

    @property
    def pending(self) -> int:
        """Guest timers waiting (on the engine or held while frozen)."""
        return len(self._timers) + len(self._held)

    # -- scheduling (the engine's interface) --------------------------------------------------
    def schedule(self, delay_ns: int, fn: Callable, *args: Any) -> None:
        """Run ``fn(*args)`` ``delay_ns`` nanoseconds of guest time from now."""
        if delay_ns.__class__ is not int:
            _check_int("delay_ns", delay_ns)
        if delay_ns < 0:
            raise ValueError(f"delay_ns must be >= 0, not {delay_ns!r}")
        token = self._next
        self._next = token + 1
        if self.running:
            engine = self.engine
            self._timers[token] = (engine.now + delay_ns, PRIORITY_NORMAL, fn, args)
            engine.schedule(delay_ns, self._fire, token)
        else:
            self._held.append((self.frozen_at + delay_ns, PRIORITY_NORMAL, token, fn, args))

    def at(self, t_ns: int, fn: Callable, *args: Any, priority: int = PRIORITY_NORMAL) -> None:
        """Run ``fn(*args)`` at guest time ``t_ns`` (not in the guest's past)."""
        _check_int("t_ns", t_ns)
        now = self.now
        if t_ns < now:
            raise ValueError(f"t_ns {t_ns!r} is in the past (guest time is {now})")
        if not callable(fn):
            raise TypeError(f"fn must be callable, not {fn!r}")
        token = self._next
        self._next = token + 1
        if self.running:
            self._timers[token] = (t_ns + self.offset, priority, fn, args)
            self.engine.at(t_ns + self.offset, self._fire, token, priority=priority)
        else:
            self._held.append((t_ns, priority, token, fn, args))

    def at_args(self, t_ns: int, fn: Callable, args: tuple) -> None:
        """``at(t_ns, fn, *args)``: the engine's interface (a guest's timers are its own entries)."""
        self.at(t_ns, fn, *args)

    def _fire(self, token: int) -> None:
        entry = self._timers.pop(token, None)
        if entry is not None:  # None: frozen or wiped since it was scheduled
            entry[2](*entry[3])

    # -- stopping and starting the guest's time -------------------------------------------------
    def freeze(self) -> None:
        """Stop guest time: pending timers are held with their guest due times."""
        if not self.running:
            return
        offset = self.offset
        self.frozen_at = self.engine.now - offset
        self.running = False
        # Each held timer's engine event stays in the heap; its token is gone, so it will do nothing.
        held = [(due - offset, prio, token, fn, args) for token, (due, prio, fn, args) in self._timers.items()]
        self._timers = {}
        held.extend(self._held)
        held.sort(key=_order)
        self._held = held

    def thaw(self) -> None:
        """Start guest time again where it stopped; held timers go back on the engine in order."""
        if self.running:
            return
        self.offset = self.engine.now - self.frozen_at
        self.running = True
        held, self._held = self._held, []
        for due, prio, _token, fn, args in held:
            token = self._next
            self._next = token + 1
            self._timers[token] = (due + self.offset, prio, fn, args)
            self.engine.at(due + self.offset, self._fire, token, priority=prio)

    def wipe(self) -> None:
        """Forget every guest timer (the RAM is gone); the clock keeps its time and running state."""
        self._timers = {}
        self._held = []


def _order(item: tuple) -> tuple[int, int, int]:
    return item[0], item[1], item[2]
