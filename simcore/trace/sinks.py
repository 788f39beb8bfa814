"""Where trace events go: batched JSON lines, batched callbacks, a bounded ring."""

from __future__ import annotations

import collections
import json
from collections.abc import Callable
from typing import IO

# One encoder for every event: json.dumps with keyword arguments builds a new encoder per call,
# which is most of its cost on small dicts; per event it cost about 4x an engine event.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def dumps_event(event: dict) -> str:
    """The canonical JSON form of one event (compact, ASCII, key order as built)."""
    return _ENCODER.encode(event)


class JsonLinesSink:
    """Writes one JSON object per line, serialising and writing ``batch`` events at a time."""

    def __init__(self, target: str | IO[str], batch: int = 1024):
        if batch < 1:
            raise ValueError(f"batch must be >= 1, not {batch!r}")
        if isinstance(target, str):
            self._file: IO[str] = open(target, "w", encoding="ascii", newline="\n")  # noqa: SIM115
            self._owned = True
        else:
            self._file = target
            self._owned = False
        self._batch = batch
        self._pending: list[dict] = []
        self.count = 0

    def add(self, event: dict) -> None:
        self._pending.append(event)
        if len(self._pending) >= self._batch:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            encode = _ENCODER.encode
            self._file.write("".join([encode(e) + "\n" for e in self._pending]))
            self.count += len(self._pending)
            self._pending = []
        self._file.flush()

    def close(self) -> None:
        self.flush()
        if self._owned:
            self._file.close()


class CallbackSink:
    """Hands events to ``fn(list_of_events)`` in batches of up to ``batch`` (and at each flush)."""

    def __init__(self, fn: Callable[[list[dict]], object], batch: int = 256):
        if not callable(fn):
            raise TypeError(f"fn must be callable, not {fn!r}")
        if batch < 1:
            raise ValueError(f"batch must be >= 1, not {batch!r}")
        self._fn = fn
        self._batch = batch
        self._pending: list[dict] = []

    def add(self, event: dict) -> None:
        self._pending.append(event)
        if len(self._pending) >= self._batch:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self._fn(batch)

    def close(self) -> None:
        self.flush()


class RingSink:
    """Keeps only the last ``maxlen`` events (a late joiner's scroll-back, bounded memory)."""

    def __init__(self, maxlen: int = 10_000):
        if maxlen < 1:
            raise ValueError(f"maxlen must be >= 1, not {maxlen!r}")
        self.events: collections.deque[dict] = collections.deque(maxlen=maxlen)

    def add(self, event: dict) -> None:
        self.events.append(event)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass
