"""A run as its viewers see it, whichever process hosts it: the texts they receive, its error, the
bounds every side of a run shares. Imported by the local run (`localrun`), the remote proxy
(`remote`), the keeper and the registry; imports nothing of theirs.

The texts are built here around events the worker already serialised: an event is encoded once,
in the worker, and joined into messages as text, never decoded and encoded again (with 100
viewers at 1,000 events/s, re-encoding per message or per viewer is what would cost).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from designer.errors import DesignerError

RING_SIZE = 10_000  # events kept per run for gap fill, events.fetch and event.detail
RING_CHARS = 64 * 1024 * 1024  # and at most this much of their text (slim and full) per run
RECENT_ON_JOIN = 200  # events a late joiner gets in run.state
FETCH_LIMIT = 500  # events per events.fetch answer
REQUEST_TIMEOUT_S = 30.0  # a command to a run (local or forwarded) waits this long for its reply
FINAL = frozenset({"stopped", "failed", "interrupted"})
# Every server -> browser message fits Daphne's outgoing frame limit (1 MiB) by construction:
# texts are cut at these sizes (UTF-8 bytes), and the consumer refuses to send anything over it.
FRAME_LIMIT = 1024 * 1024
TABLES_PAGE_BYTES = 256 * 1024  # one `tables` message (a page of a snapshot, or of a delta)
MAX_TABLE_ROWS = 1000  # rows of one table (a switch's MAC table) sent; the rest are counted
TEXTS_BYTES = 512 * 1024  # the events of one answer (events.fetch, run.state's recent, a refill)


def table_sections(tables: dict) -> list[str]:
    """The sections of net.tables(): every key but `t`, each a dict keyed by node id (a page
    carries some entries of some sections). Read from the tables themselves, so a section the
    engine adds (containers, hosts) is paged and sent as deltas with no change here."""
    return [key for key, value in tables.items() if key != "t" and isinstance(value, dict)]
PROCESS_ID = secrets.token_hex(6)  # this Daphne process, in leases, seats and mailbox names


class RunError(DesignerError):
    status = 409


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def public_state(state: dict) -> dict:
    """The run's state as viewers get it (`wall_used` is the host's bookkeeping for the limit,
    `held` the trace events Steps ran but have not shown yet, for a failover's replay)."""
    return {k: v for k, v in state.items() if k not in ("wall_used", "held")}


def events_text(run_id: str, first: int, last: int, t: int, texts: list[str], sent: float | None = None) -> str:
    """The `run.events` message around already serialised events (joined, not re-encoded).
    `sent`: the wall time (Unix s) the worker emitted the batch, for lag displays and bench/fanout.py."""
    head = dumps({"type": "run.events", "run": run_id, "first": first, "last": last, "t": t,
                  **({"sent": round(sent, 6)} if sent is not None else {})})
    return head[:-1] + ',"events":[' + ",".join(texts) + "]}"


def status_text(run_id: str, state: dict) -> str:
    return dumps({"type": "run.status", "run": run_id, **public_state(state)})


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def fit_texts(texts: list[str], budget: int = TEXTS_BYTES, *, newest: bool = False) -> list[str]:
    """The longest run of `texts` (the first ones, or with `newest` the last ones) whose bytes
    stay within `budget` (a single event text is at most 64 KiB: worker.MAX_EVENT_BYTES)."""
    out, size = [], 0
    for text in (reversed(texts) if newest else texts):
        size += _utf8_len(text) + 1
        if size > budget and out:
            break
        out.append(text)
    return out[::-1] if newest else out


def state_text(run_id: str, design_id: int, state: dict, tables: Any, recent: list[str]) -> str:
    """`run.state` for a late joiner: status, t, speed, seq, the recent events (as many of the
    newest as fit TEXTS_BYTES), and how many `tables` pages follow it (`tables_parts`): the
    tables themselves are never in it (10,000 nodes make 3 MB of them)."""
    parts = len(table_pages(run_id, state, tables, snapshot=True)) if tables is not None else 0
    head = dumps({"type": "run.state", "run": run_id, "design": design_id, **public_state(state),
                  "tables": None, "tables_parts": parts})
    return head[:-1] + ',"recent":[' + ",".join(fit_texts(recent, newest=True)) + "]}"


def _entry_text(value: Any) -> str:
    """One node's entry of a section, within a page: lists past MAX_TABLE_ROWS rows are cut (and
    `truncated` says how long they were); one still too big is replaced by what it weighs."""
    text = dumps(value)
    if _utf8_len(text) <= TABLES_PAGE_BYTES - 4096:
        return text
    if isinstance(value, dict):
        cut = {k: (v[:MAX_TABLE_ROWS] if isinstance(v, list) and len(v) > MAX_TABLE_ROWS else v)
               for k, v in value.items()}
        counts = {k: len(v) for k, v in value.items() if isinstance(v, list) and len(v) > MAX_TABLE_ROWS}
        text = dumps({**cut, "truncated": counts})
        if _utf8_len(text) <= TABLES_PAGE_BYTES - 4096:
            return text
    return dumps({"omitted": _utf8_len(text)})


def table_pages(run_id: str, state: dict, tables: dict | None, *, snapshot: bool, removed: dict | None = None,
                t: int | None = None, kind: str = "tables", extra: dict | None = None) -> list[str]:
    """`tables` messages carrying `tables` (whole: `snapshot`, or the entries that changed, and
    the ids `removed` since), each at most TABLES_PAGE_BYTES: `part` k of `parts`. A snapshot's
    first part replaces what the client held; every other part (and every delta) merges in.
    `kind` and `extra`: the same pages as another message (`tables.at`, with its fields)."""
    tables = tables or {}
    entries: list[tuple[str, str, str]] = []
    for section in table_sections(tables):
        for key, value in (tables.get(section) or {}).items():
            entries.append((section, str(key), _entry_text(value)))
    pages: list[list[tuple[str, str, str]]] = [[]]
    size = 0
    for entry in entries:
        n = len(entry[1]) + _utf8_len(entry[2]) + 16
        if size + n > TABLES_PAGE_BYTES - 2048 and pages[-1]:
            pages.append([])
            size = 0
        pages[-1].append(entry)
        size += n
    when = tables.get("t", t if t is not None else state.get("t"))
    out = []
    for k, page in enumerate(pages, 1):
        body: dict[str, list[str]] = {}
        if snapshot and k == 1:  # every section the tables have, empty ones too
            body = {section: [] for section in table_sections(tables)}
        for section, key, text in page:
            body.setdefault(section, []).append(dumps(key) + ":" + text)
        inner = ",".join(f'"{section}":{{' + ",".join(items) + "}" for section, items in body.items())
        head = dumps({"type": kind, "run": run_id, "t": when, "seq": state.get("seq", 0), "snapshot": snapshot,
                      "part": k, "parts": len(pages), **(extra or {}),
                      **({"removed": removed} if removed and k == 1 else {})})
        out.append(head[:-1] + ',"tables":{"t":' + dumps(when) + ("," + inner if inner else "") + "}}")
    return out


def apply_delta(tables: dict | None, delta: dict, removed: dict | None) -> dict:
    """The worker's tables after a delta (the entries that changed, the ids removed)."""
    tables = dict(tables or {})
    for section, entries in delta.items():
        if section == "t":
            tables["t"] = entries
            continue
        tables[section] = {**(tables.get(section) or {}), **entries}
    for section, ids in (removed or {}).items():
        kept = dict(tables.get(section) or {})
        for key in ids:
            kept.pop(key, None)
        tables[section] = kept
    return tables


def ring_answer(entries: list[tuple[int, str, str | None]], after_seq: int, limit: int, oldest: int) -> dict:
    """An `events.fetch` answer from ring entries (seq, slim text, full text) after `after_seq`:
    at most `limit` slim texts, whether there are more, and whether the ring no longer reaches back
    to `after_seq` (`truncated`: the client resyncs with run.state)."""
    texts = fit_texts([slim for _seq, slim, _full in entries[:limit]])
    return {"texts": texts, "more": len(entries) > len(texts),
            "oldest": oldest, "truncated": after_seq + 1 < oldest}
