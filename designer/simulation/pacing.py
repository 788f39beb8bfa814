"""Pacing: simulated time follows wall time at a chosen speed, in ticks of 50 ms (20 Hz).

The engine knows nothing of real time (as SimPy's core does not; its `RealtimeEnvironment` is a
layer on top): this clock is that layer. `now` is always passed in (a monotonic reading), so
tests drive it with a fake clock.
"""

from __future__ import annotations

import enum

TICK_S = 0.05
MIN_SPEED = 0.1
MAX_SPEED = 100.0


class RunStatus(enum.Enum):
    """A run's state machine: PLAYING <-> PAUSED; CAPPED when a limit ended it (a seek back or a
    reset makes it PAUSED again); STOPPED, FAILED and INTERRUPTED are final (the worker exits)."""

    PLAYING = "playing"
    PAUSED = "paused"
    CAPPED = "capped"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # its server process died and no other could resume it (final)


def check_speed(speed: float) -> float:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be between {MIN_SPEED:g} and {MAX_SPEED:g}, not {speed!r}")
    return float(speed)


class Clock:
    """Maps wall time to simulated time: `sim = sim0 + (wall - wall0) * speed`."""

    def __init__(self, speed: float = 1.0, tick_length: float = TICK_S):
        self.speed = check_speed(speed)
        self.tick_length = tick_length
        self.wall0 = 0.0
        self.sim0_ns = 0
        self.next_tick = 0.0

    def anchor(self, now: float, sim_ns: int) -> None:
        """From wall instant `now`, simulated time starts at `sim_ns`; the first tick is one
        tick away."""
        self.wall0, self.sim0_ns = now, sim_ns
        self.next_tick = now + self.tick_length

    def set_speed(self, speed: float, now: float, sim_ns: int) -> None:
        self.speed = check_speed(speed)
        self.wall0, self.sim0_ns = now, sim_ns  # keep the next tick where it was

    def target_ns(self, now: float) -> int:
        return self.sim0_ns + int(round((now - self.wall0) * self.speed * 1e9))

    def advance_tick(self, now: float) -> None:
        self.next_tick += self.tick_length
        if self.next_tick <= now:  # late (a slow tick, a busy machine): do not queue up ticks
            self.next_tick = now + self.tick_length
