"""The tracer: numbers events, stamps them with the engine's clock, decodes frames once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simcore.engine import Engine


def _adapt(sink: Any) -> tuple[Callable[[dict], None] | None, Callable[[], None] | None]:
    """(add, flush) for any supported sink."""
    if sink is None:
        return None, None
    if isinstance(sink, list):
        return sink.append, None
    if hasattr(sink, "add"):
        return sink.add, getattr(sink, "flush", None)
    if callable(sink):
        # A bare callable receives batches, like CallbackSink with its default batch size.
        from simcore.trace.sinks import CallbackSink

        cb = CallbackSink(sink)
        return cb.add, cb.flush
    raise TypeError(f"trace sink must be None, a list, a callable or have .add(event), not {sink!r}")


class Tracer:
    """Builds trace events. Devices check ``tracer.on`` first so an untraced run builds nothing.

    ``frames``: include ``layers`` and ``frame`` (hex) for frame events; ``summary`` is always
    included. Turning it off makes a traced run several times cheaper.
    """

    __slots__ = ("engine", "on", "frames", "seq", "_add", "_flush", "_last_frame", "_last_info")

    def __init__(self, engine: Engine, sink: Any = None, *, frames: bool = True):
        self.engine = engine
        self._add, self._flush = _adapt(sink)
        self.on = self._add is not None
        self.frames = frames
        self.seq = 0
        # A frame is usually traced several times in a row (sent, learned, forwarded, received):
        # decode it once. Frames are frozen values, so identity means same bytes.
        self._last_frame: object = None
        self._last_info: dict = {}

    def attach(self, sink: Any) -> None:
        """Send events to ``sink`` from now on (``None``: stop tracing)."""
        self._add, self._flush = _adapt(sink)
        self.on = self._add is not None

    def frame_info(self, frame: Any) -> dict:
        if frame is self._last_frame:
            return self._last_info
        from simcore.packets import layers, summary

        info: dict = {"summary": summary(frame)}
        if self.frames:
            info["layers"] = layers(frame)
            info["frame"] = frame.emit().hex()
        self._last_frame = frame
        self._last_info = info
        return info

    def emit(self, kind: str, text: str, frame: Any = None, **fields: Any) -> dict | None:
        """Record one event. ``fields`` say where it happened and what; order is kept."""
        if self._add is None:
            return None
        self.seq += 1
        event = {"seq": self.seq, "t": self.engine.now, "kind": kind}
        event.update(fields)
        event["text"] = text
        if frame is not None:
            event.update(self.frame_info(frame))
        self._add(event)
        return event

    def flush(self) -> None:
        if self._flush is not None:
            self._flush()
