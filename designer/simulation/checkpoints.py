"""Checkpoints for seeking: forks of the network taken as the run advances.

A seek back to instant t restores the latest checkpoint at or before t (a fork of it, so the
checkpoint stays reusable), schedules the user actions recorded after that checkpoint, and runs
to t: the run is (document, seed, action log), so the result is what the run was at t.
Memory is bounded: past `limit` checkpoints every other one is dropped and the interval doubles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Checkpoint:
    t: int  # engine time, ns
    actions: int  # how many user actions the run had recorded when it was taken
    net: Any  # an untraced fork of the network; None: the origin (t = 0), built from the document


class Checkpoints:
    def __init__(self, every_ns: int, limit: int = 64):
        if every_ns <= 0 or limit < 2:
            raise ValueError(f"checkpoints need every_ns > 0 and limit >= 2, not {every_ns!r}, {limit!r}")
        self.every_ns = every_ns
        self.limit = limit
        self.items: list[Checkpoint] = []

    def add(self, net, actions: int) -> None:
        self.items.append(Checkpoint(net.now_ns, actions, net.fork(trace=None)))
        if len(self.items) > self.limit:
            # Keep the first (t = 0 after a reset) and every other one after it.
            self.items = [self.items[0], *self.items[2::2]]
            self.every_ns *= 2

    def add_origin(self, actions: int) -> None:
        """The checkpoint at t = 0 without a fork: a seek back to it builds the document again
        (a fork costs about as much as a build, and a design of 10,000 nodes takes seconds)."""
        self.items.append(Checkpoint(0, actions, None))

    def maybe_add(self, net, actions: int) -> None:
        if not self.items or net.now_ns >= self.items[-1].t + self.every_ns:
            self.add(net, actions)

    def before(self, t: int) -> Checkpoint:
        best = self.items[0]
        for ck in self.items:
            if ck.t <= t:
                best = ck
            else:
                break
        return best

    def drop_after(self, t: int) -> None:
        """After a seek back to t, later checkpoints may miss actions recorded from now on."""
        self.items = [ck for ck in self.items if ck.t <= t] or self.items[:1]

    def clear(self) -> None:
        self.items = []
