"""The tables a run's viewers were shown, by instant: what a page that joined late needs to look
back before it joined (`tables.at`, docs/websocket-protocol.md; docs/live.md, the private look
back). Kept by the process that hosts the run (`localrun.Run`), read-only: the run never sees it.

What is kept is the `tables` pages themselves, the texts every viewer was sent (the same strings,
no copy): now and then a keyframe (the whole tables as snapshot pages), and the pages of every delta
after it. The tables at an instant are rebuilt as a browser merges what it receives
(static/src/live/tablemodel.js `mergeTables`): the last keyframe at or before the instant, then
its deltas up to the instant. So a look back shows exactly what a page that was there held.

Bounds: at most `limit` characters of page text per run (HISTORY_CHARS); past it the oldest
keyframe goes with its deltas, and the history says from when it keeps the tables (`kept_from`).
A keyframe is taken when the deltas after the last one weigh as much as it does (and at least
KEYFRAME_MIN_CHARS): a rebuild reads at most about twice the whole tables, and keyframes take at
most about half of the history.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field

from designer.simulation.runview import apply_delta

HISTORY_CHARS = 32 * 1024 * 1024  # page text kept per run (a 10,000-node design's tables are 3 MB)
KEYFRAME_MIN_CHARS = 256 * 1024  # deltas after a keyframe before the next one, at least
RECORD_CHARS = 200  # what one kept message counts for besides its text (the lists around it)


def merge_page(held: dict | None, page: dict) -> dict:
    """The tables after one `tables` page, as the browser merges it (tablemodel.js mergeTables):
    a snapshot's first part replaces, every other part and every delta merges in by node id (as
    the host merges the worker's deltas, `runview.apply_delta`), and `removed` drops entries.
    Never mutates `held`."""
    first = page.get("snapshot") and page.get("part", 1) == 1
    return apply_delta(None if first else held, page.get("tables") or {}, page.get("removed"))


@dataclass
class _Segment:
    t: int  # the keyframe's instant (ns)
    keyframe: list[str]
    deltas: list[tuple[int, list[str]]] = field(default_factory=list)
    keyframe_chars: int = 0
    delta_chars: int = 0

    @property
    def chars(self) -> int:
        return self.keyframe_chars + self.delta_chars


def _weight(texts: list[str]) -> int:
    return sum(len(text) for text in texts) + RECORD_CHARS


class TablesHistory:
    def __init__(self, limit: int = HISTORY_CHARS, keyframe_min: int = KEYFRAME_MIN_CHARS):
        self.limit = limit
        self.keyframe_min = keyframe_min
        self.segments: list[_Segment] = []
        self.chars = 0

    def clear(self) -> None:
        self.segments = []
        self.chars = 0

    def kept_from(self) -> int | None:
        """The instant (ns) of the oldest tables kept (None: none)."""
        return self.segments[0].t if self.segments else None

    def cut(self, t: int) -> None:
        """Forget everything at or after `t` (a seek back: it did not happen any more; the seek's
        own tables come as a keyframe right after, as the browser's TableHistory does)."""
        while self.segments and self.segments[-1].t >= t:
            self.chars -= self.segments.pop().chars
        if self.segments:
            last = self.segments[-1]
            while last.deltas and last.deltas[-1][0] >= t:
                gone = _weight(last.deltas.pop()[1])
                last.delta_chars -= gone
                self.chars -= gone

    def keyframe(self, t: int, pages: list[str]) -> None:
        """The whole tables at `t`, as snapshot pages."""
        weight = _weight(pages)
        self.segments.append(_Segment(t, list(pages), keyframe_chars=weight))
        self.chars += weight
        self._trim()

    def delta(self, t: int, pages: list[str]) -> None:
        """The pages of a delta at `t` (ignored with no keyframe before it: nothing to apply it to)."""
        if not self.segments:
            return
        last = self.segments[-1]
        weight = _weight(pages)
        last.deltas.append((t, list(pages)))
        last.delta_chars += weight
        self.chars += weight
        self._trim()

    def wants_keyframe(self) -> bool:
        """Whether the deltas after the last keyframe weigh enough for a new one."""
        if not self.segments:
            return False
        last = self.segments[-1]
        return last.delta_chars >= max(last.keyframe_chars, self.keyframe_min)

    def _trim(self) -> None:
        while self.chars > self.limit and len(self.segments) > 1:
            self.chars -= self.segments.pop(0).chars

    def at(self, t: int) -> dict | None:
        """The tables a page held at instant `t` (ns), or None when `t` is before the oldest kept."""
        picked = self.pick(t)
        return None if picked is None else rebuild(picked)

    def pick(self, t: int) -> tuple[list[str], list[list[str]]] | None:
        """What `rebuild` needs for instant `t`: the keyframe's pages and the pages of each delta
        up to `t`, copied out (cheap: the lists, not the texts), so that the rebuild may run in a
        thread while this history goes on changing. None when `t` is before the oldest kept."""
        starts = [segment.t for segment in self.segments]
        i = bisect.bisect_right(starts, t) - 1
        if i < 0:
            return None
        segment = self.segments[i]
        upto = bisect.bisect_right([when for when, _pages in segment.deltas], t)
        return segment.keyframe, [pages for _when, pages in segment.deltas[:upto]]


def rebuild(picked: tuple[list[str], list[list[str]]]) -> dict:
    """The tables after a keyframe's pages and the deltas' pages, merged as the browser does.
    Pure: a 10,000-node design's tables take about 100 ms, so callers run it off the event loop."""
    keyframe, deltas = picked
    held: dict | None = None
    for text in keyframe:
        held = merge_page(held, json.loads(text))
    for pages in deltas:
        for text in pages:
            held = merge_page(held, json.loads(text))
    return held or {}
