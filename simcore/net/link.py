"""A point-to-point link with a one-way propagation delay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simcore.engine import Engine
from simcore.net.port import Port


class Link:
    """Joins ports ``a`` and ``b``. A frame sent by one end arrives at the other ``delay_ns`` later.

    ``on_transmit(link, from_port, to_port, frame, arrives_ns)`` is called for every frame put on
    the link (the network uses it for the ``frame.sent`` trace event); ``taps`` are link captures.
    """

    __slots__ = ("id", "a", "b", "delay_ns", "engine", "_taps", "on_transmit", "frames")

    def __init__(self, engine: Engine, link_id: str, a: Port, b: Port, delay_ns: int):
        if delay_ns.__class__ is not int or delay_ns < 0:
            raise ValueError(f"link {link_id!r}: delay_ns must be an integer >= 0, not {delay_ns!r}")
        if a is b:
            raise ValueError(f"link {link_id!r}: both ends are the same port {a!r}")
        for end in (a, b):
            if end.link is not None:
                raise ValueError(f"link {link_id!r}: port {end!r} is already on link {end.link.id!r}")
        self.id = link_id
        self.a = a
        self.b = b
        self.delay_ns = delay_ns
        self.engine = engine
        self._taps: list | tuple = ()  # see ``taps``
        self.on_transmit: Callable[..., None] | None = None
        self.frames = 0  # frames carried, both directions
        a.link = self
        b.link = self

    @property
    def taps(self) -> list:
        """Capture objects on the link; the list is made for the first."""
        taps = self._taps
        if taps.__class__ is not list:
            taps = self._taps = []
        return taps

    def other(self, port: Port) -> Port:
        if port is self.a:
            return self.b
        if port is self.b:
            return self.a
        raise ValueError(f"port {port!r} is not an end of link {self.id!r}")

    def transmit(self, from_port: Port, frame: Any) -> None:
        to_port = self.b if from_port is self.a else self.a
        self.frames += 1
        if self._taps:
            for tap in self._taps:
                tap.record(frame)
        if self.on_transmit is not None:
            self.on_transmit(self, from_port, to_port, frame, self.engine.now + self.delay_ns)
        if to_port._taps or to_port.handler is None:
            self.engine.schedule(self.delay_ns, to_port.deliver, frame)
        else:
            # The hot path: hand the frame straight to the device's receive callback (one Python
            # call less per hop). Taps are attached at build time, so none is skipped.
            self.engine.schedule(self.delay_ns, to_port.handler, to_port, frame)

    def __repr__(self) -> str:
        return f"<Link {self.id} {self.a!r}<->{self.b!r} {self.delay_ns}ns>"
