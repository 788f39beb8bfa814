"""The event loop: a heap of tuples, a counter for ties, limits that end a run with a status."""

from __future__ import annotations

import enum
import heapq
import itertools
import random
from collections.abc import Callable
from typing import Any

# Lower runs first among events at the same instant. User actions (console commands) use
# URGENT so that a command scheduled "at 1 s" runs before frames that arrive at 1 s.
PRIORITY_URGENT = 0
PRIORITY_NORMAL = 1


class RunStatus(enum.Enum):
    """Why the last ``run_until``/``step`` returned."""

    READY = "ready"  # nothing run yet
    PAUSED = "paused"  # reached the requested time; events may remain
    IDLE = "idle"  # the queue is empty
    TIME_LIMIT = "time_limit"  # the next event lies beyond max_time_ns: the run is over
    EVENT_LIMIT = "event_limit"  # max_events were run: the run is over
    BUDGET = "budget"  # run_bounded stopped early (its budget of events or wall time): events remain


# How many events run_bounded runs between two looks at the wall clock.
BOUNDED_CHUNK = 512


_FINAL = (RunStatus.TIME_LIMIT, RunStatus.EVENT_LIMIT)


def _check_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer number of nanoseconds, not {value!r}")
    return value


class Engine:
    """A deterministic discrete-event kernel.

    ``max_time_ns``: events later than this are never run (the run ends with TIME_LIMIT).
    ``max_events``: after this many events the run ends with EVENT_LIMIT.
    """

    __slots__ = ("now", "rng", "seed", "events_run", "status", "max_time_ns", "max_events", "_heap", "_seq")

    def __init__(self, seed: int = 0, *, max_time_ns: int | None = None, max_events: int | None = None):
        _check_int("seed", seed)
        if max_time_ns is not None and _check_int("max_time_ns", max_time_ns) < 0:
            raise ValueError(f"max_time_ns must be >= 0, not {max_time_ns!r}")
        if max_events is not None and _check_int("max_events", max_events) < 0:
            raise ValueError(f"max_events must be >= 0, not {max_events!r}")
        self.now = 0
        self.seed = seed
        self.rng = random.Random(seed)
        self.events_run = 0
        self.status = RunStatus.READY
        self.max_time_ns = max_time_ns
        self.max_events = max_events
        self._heap: list[tuple] = []
        self._seq = itertools.count()

    # -- scheduling ---------------------------------------------------------------------------
    def schedule(self, delay_ns: int, fn: Callable, *args: Any) -> None:
        """Run ``fn(*args)`` ``delay_ns`` nanoseconds from now (normal priority)."""
        if delay_ns.__class__ is not int:
            _check_int("delay_ns", delay_ns)
        if delay_ns < 0:
            raise ValueError(f"delay_ns must be >= 0, not {delay_ns!r}")
        heapq.heappush(self._heap, (self.now + delay_ns, PRIORITY_NORMAL, next(self._seq), fn, args))

    def at(self, t_ns: int, fn: Callable, *args: Any, priority: int = PRIORITY_NORMAL) -> None:
        """Run ``fn(*args)`` at absolute time ``t_ns`` (not in the past)."""
        _check_int("t_ns", t_ns)
        if t_ns < self.now:
            raise ValueError(f"t_ns {t_ns!r} is in the past (now is {self.now})")
        if not callable(fn):
            raise TypeError(f"fn must be callable, not {fn!r}")
        _check_int("priority", priority)
        heapq.heappush(self._heap, (t_ns, priority, next(self._seq), fn, args))

    def at_args(self, t_ns: int, fn: Callable, args: tuple) -> None:
        """``at(t_ns, fn, *args)`` (normal priority) with the arguments given as one tuple, which the
        queue keeps as it is: a caller scheduling the same arguments again and again (the DHCP
        clients of many containers) may share one tuple for them."""
        _check_int("t_ns", t_ns)
        if t_ns < self.now:
            raise ValueError(f"t_ns {t_ns!r} is in the past (now is {self.now})")
        if args.__class__ is not tuple:
            raise TypeError(f"args must be a tuple, not {args!r}")
        heapq.heappush(self._heap, (t_ns, PRIORITY_NORMAL, next(self._seq), fn, args))

    # -- reading ------------------------------------------------------------------------------
    def peek(self) -> int | None:
        """Time of the next event, or None when the queue is empty."""
        return self._heap[0][0] if self._heap else None

    @property
    def pending(self) -> int:
        return len(self._heap)

    @property
    def finished(self) -> bool:
        """True once a limit has ended the run: nothing more will ever run."""
        return self.status in _FINAL

    # -- running ------------------------------------------------------------------------------
    def _limit_hit(self, next_time: int) -> bool:
        if self.max_events is not None and self.events_run >= self.max_events:
            self.status = RunStatus.EVENT_LIMIT
            return True
        if self.max_time_ns is not None and next_time > self.max_time_ns:
            self.status = RunStatus.TIME_LIMIT
            self.now = max(self.now, self.max_time_ns)
            return True
        return False

    def step(self) -> bool:
        """Run the next event. False when there is none (IDLE) or a limit ended the run."""
        if self.status in _FINAL:
            return False
        heap = self._heap
        if not heap:
            self.status = RunStatus.IDLE
            return False
        if self._limit_hit(heap[0][0]):
            return False
        t, _prio, _seq, fn, args = heapq.heappop(heap)
        self.now = t
        self.events_run += 1
        self.status = RunStatus.PAUSED
        fn(*args)
        return True

    def run_until(self, t_ns: int) -> RunStatus:
        """Run every event with time <= ``t_ns``, then set ``now`` to ``t_ns``.

        Returns PAUSED (events remain later), IDLE (queue empty) or a limit status.
        """
        _check_int("t_ns", t_ns)
        if t_ns < self.now:
            raise ValueError(f"t_ns {t_ns!r} is in the past (now is {self.now})")
        if self.status in _FINAL:
            return self.status
        heap = self._heap
        pop = heapq.heappop
        # The hot loop: limits are folded into one bound so the loop tests two integers.
        stop_t = t_ns
        time_limited = self.max_time_ns is not None and self.max_time_ns < t_ns
        if time_limited:
            stop_t = self.max_time_ns
        budget = None if self.max_events is None else self.max_events - self.events_run
        n = 0
        try:
            if budget is None:
                while heap and heap[0][0] <= stop_t:
                    t, _p, _s, fn, args = pop(heap)
                    self.now = t
                    n += 1
                    fn(*args)
            else:
                while heap and heap[0][0] <= stop_t:
                    if n >= budget:
                        self.events_run += n
                        n = 0
                        self.status = RunStatus.EVENT_LIMIT
                        return self.status
                    t, _p, _s, fn, args = pop(heap)
                    self.now = t
                    n += 1
                    fn(*args)
        finally:
            self.events_run += n
        if time_limited and heap:
            self.now = stop_t
            self.status = RunStatus.TIME_LIMIT
            return self.status
        self.now = stop_t
        if time_limited:
            # Empty queue at the time limit: the run is over all the same.
            self.status = RunStatus.TIME_LIMIT
            return self.status
        self.status = RunStatus.PAUSED if heap else RunStatus.IDLE
        return self.status

    def run_bounded(self, t_ns: int, max_events: int, deadline: float | None = None,
                    clock: Callable[[], float] | None = None) -> RunStatus:
        """``run_until(t_ns)`` within a budget: at most ``max_events`` events, and no new chunk of
        ``BOUNDED_CHUNK`` events once ``clock()`` reached ``deadline``. When the budget runs out
        first it returns BUDGET with ``now`` left at the last event run (events at or before
        ``t_ns`` remain; calling again goes on exactly where it stopped, so the event order, and
        everything the run does, is the same as one unbounded ``run_until``).
        """
        _check_int("t_ns", t_ns)
        if t_ns < self.now:
            raise ValueError(f"t_ns {t_ns!r} is in the past (now is {self.now})")
        if max_events < 1:
            raise ValueError(f"max_events must be >= 1, not {max_events!r}")
        if self.status in _FINAL:
            return self.status
        if clock is None:
            import time

            clock = time.monotonic
        heap = self._heap
        pop = heapq.heappop
        stop_t = t_ns if self.max_time_ns is None else min(t_ns, self.max_time_ns)
        left = max_events
        while heap and heap[0][0] <= stop_t:
            cap = min(BOUNDED_CHUNK, left)
            if self.max_events is not None:
                cap = min(cap, self.max_events - self.events_run)
                if cap <= 0:
                    self.status = RunStatus.EVENT_LIMIT
                    return self.status
            n = 0
            try:
                while n < cap and heap and heap[0][0] <= stop_t:
                    t, _p, _s, fn, args = pop(heap)
                    self.now = t
                    n += 1
                    fn(*args)
            finally:
                self.events_run += n
            left -= n
            if not (heap and heap[0][0] <= stop_t):
                break
            if left <= 0 or (deadline is not None and clock() >= deadline):
                self.status = RunStatus.BUDGET
                return self.status
        return self.run_until(t_ns)  # nothing is left at or before t_ns: set now, the status, the limits

    def run(self) -> RunStatus:
        """Run until the queue is empty or a limit is hit."""
        while self.step():
            pass
        return self.status
