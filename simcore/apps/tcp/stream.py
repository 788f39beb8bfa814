"""Applications over a byte stream, and the pump that joins them to a socket.

An application (the HTTP server, curl) never holds a socket: it is told what happened
(``on_connected``, ``on_data``, ``on_eof``, ``on_closed``, ``on_deadline``, and, if it has the
method, ``on_all_acked`` when everything it wrote has been acknowledged) and answers with a
``StreamOps`` value (bytes to send, close, abort, a deadline). ``pump`` applies those answers to
the socket and splices the socket's resulting actions in place, so the actions come out in the
order they happen (an ACK, then the data that the application wrote in reply).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .actions import Action, AllAcked, Closed, CloseReason, Connected, Deliver, EndOfStream
from .socket import TcpSocket


@dataclass(frozen=True, slots=True)
class StreamOps:
    send: bytes = b""
    close: bool = False  # shutdown + close: FIN after the data
    abort: bool = False  # RST
    deadline_ns: int | None = None  # call on_deadline at this instant (curl's -m)


NOTHING = StreamOps()


class StreamApp(Protocol):
    def on_connected(self, now: int) -> StreamOps: ...
    def on_data(self, now: int, data: bytes) -> StreamOps: ...
    def on_eof(self, now: int) -> StreamOps: ...
    def on_closed(self, now: int, reason: CloseReason) -> StreamOps: ...
    def on_deadline(self, now: int) -> StreamOps: ...


def apply_ops(now: int, sock: TcpSocket, ops: StreamOps) -> list[Action]:
    acts: list[Action] = []
    if ops.abort:
        return sock.abort(now)
    if ops.send:
        acts += sock.send(now, ops.send)
    if ops.close:
        acts += sock.close(now)
    return acts


def pump(now: int, sock: TcpSocket, app: StreamApp | None, actions: list[Action],
         deadlines: list[int] | None = None) -> list[Action]:
    """Hand the socket's notifications to ``app`` and splice in what its answers cause.
    Deadlines the application asks for are appended to ``deadlines`` (the table arms them)."""
    if app is None:
        return actions
    out: list[Action] = []
    todo = list(actions)
    todo.reverse()  # a stack: pop() takes the next action in order
    while todo:
        act = todo.pop()
        out.append(act)
        if isinstance(act, Deliver):
            ops = app.on_data(now, act.data)
        elif isinstance(act, Connected):
            ops = app.on_connected(now)
        elif isinstance(act, EndOfStream):
            ops = app.on_eof(now)
        elif isinstance(act, AllAcked):
            step = getattr(app, "on_all_acked", None)  # optional: apps that write in steps
            if step is None:
                continue
            ops = step(now)
        elif isinstance(act, Closed):
            ops = app.on_closed(now, act.reason)
            if ops.deadline_ns is not None and deadlines is not None:
                deadlines.append(ops.deadline_ns)
            continue  # nothing more can be done on a closed socket
        else:
            continue
        if ops.deadline_ns is not None and deadlines is not None:
            deadlines.append(ops.deadline_ns)
        more = apply_ops(now, sock, ops)
        todo.extend(reversed(more))
    return out
