"""Big validations run in a process of their own, never in Daphne's.

A thread is not enough: parsing an 8 MiB body (`json.loads`), serialising it to measure it and
sorting a huge key set are single C calls that hold the GIL for up to a second each, and while
they do, Daphne's event loop and every other request wait. Three 500,000-key validations at once
took `GET /` from 12 ms to seconds (bench/validate.py). So a body over OFFLOAD_BYTES is handed,
as bytes, to a small pool of `spawn` processes (DESIGNER_VALIDATE_WORKERS, default 1: on a
2-core machine the other core stays with the server) and only the bounded answer comes back.
Small bodies (the editor's own validation, every change) stay in the request's thread, where
they take milliseconds. At most MAX_WAITING big validations queue; past that the door answers
503 with Retry-After. A served process starts its pool a second after it starts (`warm_soon`, from
config/asgi.py): a `spawn` worker takes about two seconds to import Django, which the first big
validation would otherwise wait for.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from django.conf import settings

from designer.errors import DesignerError

OFFLOAD_BYTES = 1024 * 1024
MAX_WAITING = 4
WAIT_S = 300  # a big validation not answered by then is answered 503 server.busy

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_waiting = 0


class Busy(DesignerError):
    code = "server.busy"
    status = 503

    def __init__(self, msg: str, *, retry_after: int = 5):
        self.retry_after = retry_after
        super().__init__(msg)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "retry_after": self.retry_after}


def _init_worker() -> None:
    import os

    import django

    # Below the server's priority: when both want the CPU, pages and sockets go first. SCHED_IDLE
    # (Linux) runs the worker only on CPU time nothing else wants; on a busy machine `nice 5` left
    # `GET /` p99 at 33 ms during three 500,000-key floods, SCHED_IDLE 19-29 ms (on a quiet one
    # both measured alike, docs/limits.md). A server busy
    # for minutes makes big validations wait; they are bounded by MAX_WAITING and the timeout.
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux
        os.nice(19)

    django.setup()


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        workers = int(getattr(settings, "DESIGNER_VALIDATE_WORKERS", 1))
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=_init_worker)
    return _pool


def _ready() -> bool:
    return True


def _scheduling() -> tuple[int, int]:
    """The worker's scheduling policy and niceness (for tests)."""
    import os

    return os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0)


def warm_soon(delay_s: float = 1.0) -> None:
    """Start the pool's worker in the background, `delay_s` after the server starts (a daemon
    thread: nothing waits for it, and a failure leaves the pool to start on first use)."""

    def warm() -> None:
        import time

        time.sleep(delay_s)
        try:
            with _lock:
                pool = _get_pool()
            pool.submit(_ready).result(timeout=120)
        except Exception:  # the first big validation starts it instead
            pass

    threading.Thread(target=warm, name="validation-warm", daemon=True).start()


def _validate_bytes(report: Callable[[Any], dict], raw: bytes) -> dict:
    """In the worker: `report` (the door's own answer, passed by reference: this module sits below
    the doors and imports none) of `raw` parsed, or the error it raised (as data: DesignerError's
    keyword-only constructor does not survive pickling)."""
    from designer.jsondoor import parse_json_measured

    try:
        return {"answer": report(*parse_json_measured(raw))}
    except DesignerError as exc:
        return {"error": exc.to_dict(), "status": exc.status}


def validate_bytes(raw: bytes, report: Callable[[Any], dict]) -> dict:
    """`report(parsed body, bound of its serialised size)` for the body `raw` (the answer of `/api/validate`; `report` is a
    module-level function, pickled by name), computed in the pool; raises the
    DesignerError the worker met (same code, sentence and bounded problems)."""
    global _waiting, _pool
    with _lock:
        if _waiting >= MAX_WAITING:
            raise Busy(f"The server is validating {_waiting} large designs; try again in a few seconds.")
        _waiting += 1
        pool = _get_pool()
    try:
        try:
            result = pool.submit(_validate_bytes, report, bytes(raw)).result(timeout=WAIT_S)
        except BrokenProcessPool:  # a worker died (out of memory, killed): start afresh once
            with _lock:
                if _pool is pool:
                    _pool = None
                pool = _get_pool()
            result = pool.submit(_validate_bytes, report, bytes(raw)).result(timeout=WAIT_S)
    except TimeoutError:  # the worker only gets CPU time the server leaves (_init_worker)
        raise Busy(f"The server was too busy to validate this large design within {WAIT_S} s; "
                   "try again in a minute.", retry_after=60) from None
    finally:
        with _lock:
            _waiting -= 1
    if "error" in result:
        error = result["error"]
        raise DesignerError(error["msg"], code=error["code"], status=result["status"],
                            problems=error.get("problems", ()), more_problems=error.get("more_problems", 0))
    return result["answer"]
