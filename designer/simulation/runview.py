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
RECENT_ON_JOIN = 200  # events a late joiner gets in run.state
FETCH_LIMIT = 500  # events per events.fetch answer
REQUEST_TIMEOUT_S = 30.0  # a command to a run (local or forwarded) waits this long for its reply
FINAL = frozenset({"stopped", "failed", "interrupted"})
PROCESS_ID = secrets.token_hex(6)  # this Daphne process, in leases, seats and mailbox names


class RunError(DesignerError):
    status = 409


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def public_state(state: dict) -> dict:
    """The run's state as viewers get it (`wall_used` is the host's bookkeeping for the limit)."""
    return {k: v for k, v in state.items() if k != "wall_used"}


def events_text(run_id: str, first: int, last: int, t: int, texts: list[str], sent: float | None = None) -> str:
    """The `run.events` message around already serialised events (joined, not re-encoded).
    `sent`: the wall time (Unix s) the worker emitted the batch, for lag displays and bench/fanout.py."""
    head = dumps({"type": "run.events", "run": run_id, "first": first, "last": last, "t": t,
                  **({"sent": round(sent, 6)} if sent is not None else {})})
    return head[:-1] + ',"events":[' + ",".join(texts) + "]}"


def status_text(run_id: str, state: dict) -> str:
    return dumps({"type": "run.status", "run": run_id, **public_state(state)})


def state_text(run_id: str, design_id: int, state: dict, tables: Any, recent: list[str]) -> str:
    """`run.state` for a late joiner: status, t, speed, seq, tables, the recent events."""
    head = dumps({"type": "run.state", "run": run_id, "design": design_id, **public_state(state),
                  "tables": tables})
    return head[:-1] + ',"recent":[' + ",".join(recent) + "]}"


def ring_answer(entries: list[tuple[int, str, str | None]], after_seq: int, limit: int, oldest: int) -> dict:
    """An `events.fetch` answer from ring entries (seq, slim text, full text) after `after_seq`:
    at most `limit` slim texts, whether there are more, and whether the ring no longer reaches back
    to `after_seq` (`truncated`: the client resyncs with run.state)."""
    return {"texts": [slim for _seq, slim, _full in entries[:limit]], "more": len(entries) > limit,
            "oldest": oldest, "truncated": after_seq + 1 < oldest}
