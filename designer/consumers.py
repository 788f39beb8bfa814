"""The design websocket, `/ws/designs/<id>/`: one per open design tab, and the door to the
design's live simulation run (protocol in docs/websocket-protocol.md).

- connect: `access_design(actor, id, VIEW)`; refused -> accept then close 4404 (the same for
  missing and forbidden); more than 10 sockets of one user (all processes together when they
  share Redis) -> error `ws.too_many_sockets`, close 4429; else join group `design.<id>`, send
  `design.hello`, and `run.state` when a run is going.
- group events from `actions.notify`: `design.saved`, `design.trashed` (close 4404),
  `design.access_changed` (re-check). A run's `run.relay` messages come through this process's
  relay (simulation.relay) as pre-serialised text sent as is; a gap in their sequence numbers
  (channel layers drop group messages without a word) is filled from the run's ring buffer.
- incoming frames: size (64 KiB) and rate (20/s) limits, the strict JSON parser, then the message
  table (`simulation.messages.MESSAGES`): the type's schema; the access its row needs, through
  `access_design(actor, id, need)` with the actor read afresh from the session on every message
  (a logout, a revoked link, a demotion count at the next one; for `design.op`, in the commit
  that applies the change: `access_in_handler`); its handler: a `@handles` method
  named for the type (`run.start` -> `run_start`), or the design's run for the types the worker
  handles. Bad frames get `{"type": "error", "code"}`, never a close (an exception escaping a
  Channels handler closes the socket with 1011).
- flow control: the client acknowledges what it received (`events.ack`); past
  `MAX_UNACKED_MESSAGES` messages or `MAX_UNACKED_BYTES` since its last ack, a socket is closed
  with 4008 (Daphne buffers what a client does not read, out of our sight: one stalled viewer grew
  the process by 50 MB).
- several processes: `registry.find` gives a `Run` or a `RemoteRun` (read from Redis, commands
  forwarded to the host's mailbox) with the same methods.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from designer import coedit, limits
from designer.access import Need, access_design, actor_from_scope, design_document, socket_access
from designer.actions import group_name
from designer.errors import DesignerError, DesignNotFound
from designer.jsondoor import parse_json
from designer.simulation import messages
from designer.simulation.registry import REGISTRY
from designer.simulation.relay import RELAY
from designer.simulation.runview import FRAME_LIMIT, RING_SIZE, RunError, table_pages

log = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429
CLOSE_TOO_SLOW = 4008
MAX_UNACKED_MESSAGES = 1000  # settings.DESIGNER_WS_UNACKED = (messages, bytes) overrides
MAX_UNACKED_BYTES = 8 * 1024 * 1024
MAX_MESSAGE_BYTES = limits.MAX_WS_MESSAGE_BYTES  # 64 KiB
MAX_SOCKETS_PER_USER = limits.MAX_SOCKETS_PER_USER
DEFAULT_RATE = (20, 1.0)  # messages per window (s), per socket; settings.DESIGNER_WS_RATE overrides
# tables.at per window (s), per socket: each answer is the whole tables (up to 3 MB at 10,000
# nodes); a page asks once its timeline has stopped moving. settings.DESIGNER_WS_TABLES_AT_RATE overrides.
TABLES_AT_RATE = (4, 2.0)
DEFAULT_SIM_LIMITS = {"max_events": 5_000_000, "max_time_s": 24 * 3600.0, "max_wall_s": 3600.0}

# Open sockets per user, in this process. Several processes (a shared store) also count them all
# together in Redis, one seat per socket (`REGISTRY.socket_opened`, store.py "seats").
_SOCKETS: collections.Counter[str] = collections.Counter()

# The client message types this consumer handles itself, by handler name (`run.start` ->
# `run_start`); the table (simulation/messages.py) says which, and what each needs. A handler's
# `access` is what `access_design` answered: the design (`.design`) and the actor's role on it.
CLIENT_HANDLERS: dict[str, Callable] = {}


def handles(method: Callable) -> Callable:
    CLIENT_HANDLERS[method.__name__] = method
    return method


def _address(scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _budgets(scope, design, what: str) -> list[limits.Budget]:
    """The budgets a socket or run of this scope's actor on `design` is charged to
    (`limits.budget_keys`): its visitor (the account, or the anonymous session the store knows;
    a made-up session id counts under the address) and the creators of the links it came by."""
    actor = actor_from_scope(scope)
    session_key = (scope.get("cookies") or {}).get(settings.SESSION_COOKIE_NAME)
    exists = bool(session_key) and not actor.is_authenticated and _session_exists(session_key)
    visitor = limits.visitor_key(actor, session_key, session_exists=exists)
    return limits.budget_keys(actor, design, visitor=visitor, address=_address(scope), what=what)


def _session_exists(session_key: str) -> bool:
    try:
        return import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key[:64])
    except Exception:  # a key the store cannot even look up is not a session
        return False


CLIENT_HANDLERS.update(coedit.HANDLERS)  # co-editing and presence (designer/coedit.py)


@database_sync_to_async
def _connect_check(scope, design_id) -> tuple[Any, list[limits.Budget]]:
    actor = actor_from_scope(scope)
    access = access_design(actor, design_id, Need.VIEW, document=False)
    return access, _budgets(scope, access.design, "sockets")


@database_sync_to_async
def _run_budgets(scope, design) -> list[limits.Budget]:
    return _budgets(scope, design, "runs")


# The document of a design whose access was checked without it (`socket_access`).
_document = database_sync_to_async(design_document)


def session_group(session_key: str) -> str:
    """The group of every socket opened with this session cookie (a logout closes them at once)."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


@receiver(user_logged_out, dispatch_uid="designer.consumers.logout")
def _logout_closes_sockets(sender, request=None, user=None, **kwargs) -> None:
    """Sent before the session is flushed: the sockets of this session are closed (4404), not
    re-checked (the check would still see the session); the client reconnects as who it is now."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    layer = get_channel_layer()
    if not key or layer is None:
        return
    try:
        async_to_sync(layer.group_send)(session_group(key), {"type": "session.logged_out"})
    except Exception:  # the per-message check still catches it
        log.warning("could not tell the sockets of a session about its logout")


def _guarded(handler: Callable) -> Callable:
    @functools.wraps(handler)
    async def guarded(self, event: dict[str, Any]) -> None:
        try:
            await handler(self, event)
        except Exception:
            log.exception("group event %s failed on design %s", event.get("type"), self.design_id)
    return guarded


def _public(access) -> dict:
    return {"id": access.design.pk, "version": access.design.version, "role": access.role}


class DesignConsumer(coedit.CoeditMixin, AsyncWebsocketConsumer):
    groups: list[str] = []

    async def connect(self) -> None:
        self.design_id = self.scope["url_route"]["kwargs"]["design_id"]
        self.joined: str | None = None
        self.relay = None
        self.session_group: str | None = None
        self.counted: tuple[str, ...] | None = None
        self.seat: str | None = None
        self.stamps: collections.deque[float] = collections.deque()
        self.tables_at_stamps: collections.deque[float] = collections.deque()
        self.who: str | None = None
        self.seen: tuple[str, int] | None = None  # (run id, last event seq sent to this socket)
        self.unacked = [0, 0]  # messages, bytes sent since the client's last events.ack
        self.too_slow = False
        await self.accept()
        try:
            access, budgets = await _connect_check(self.scope, self.design_id)
        except DesignNotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Every budget must have room: first this process's count, then (several processes)
        # the seats in Redis, one per budget, all or none.
        full = next((b for b in budgets if _SOCKETS[b.key] >= b.limit), None)
        if full is None:
            self.seat, full = await REGISTRY.socket_opened(budgets)
        if self.seat is None:
            await self.send_error("ws.too_many_sockets", full.msg)
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.counted = tuple(b.key for b in budgets)
        for key in self.counted:
            _SOCKETS[key] += 1
        self.who = budgets[0].key
        self.joined = group_name(access.design.pk)
        REGISTRY.watcher_joined(access.design.pk)
        await self.channel_layer.group_add(self.joined, self.channel_name)
        session_key = (self.scope.get("cookies") or {}).get(settings.SESSION_COOKIE_NAME)
        self.session_group = session_group(session_key) if session_key else None
        if self.session_group:
            await self.channel_layer.group_add(self.session_group, self.channel_name)
        self.relay = RELAY
        await RELAY.join(access.design.pk, self)
        await self.coedit_joined(access)
        await self.send_json({"type": "design.hello", "design": _public(access)})
        try:
            await self.send_run_state()
        except Exception:  # never a 1011 while connecting: the socket stays, and says what failed
            log.exception("design %s: could not send the run's state to a new socket", self.design_id)
            await self.send_error("run.state_failed", "The server could not send the running simulation's state: "
                                  "ask for it again (run.state) or reload the page.")

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch without the `aclose_old_connections()` it awaits before every
        message: a thread hop for each frame and each group event (an `events.ack`, a relayed
        presence), a third of a relaying process's time with a class of followers
        (bench/follow.py). Every database access here goes through `database_sync_to_async`,
        which closes old connections in the database thread itself, before and after
        (tests/web/test_ws_dispatch.py pins both)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def __call__(self, scope, receive, send) -> None:
        """When the channel layer fails under the consumer (a Redis restart: its receive raises),
        Channels ends it without calling `disconnect`: clean up here too, or a dead
        socket stays this process's relay leader and the live sockets hear nothing."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.disconnect(None)

    async def disconnect(self, code) -> None:
        """Idempotent; the local bookkeeping is done even when the layer is down."""
        joined, self.joined = getattr(self, "joined", None), None
        try:
            if joined is not None:
                await self.coedit_left()
                REGISTRY.watcher_left(int(self.design_id))
                try:
                    if self.relay is not None:
                        await self.relay.leave(int(self.design_id), self)
                    await self.channel_layer.group_discard(joined, self.channel_name)
                    if self.session_group:
                        await self.channel_layer.group_discard(self.session_group, self.channel_name)
                except Exception:  # the layer is down; its group memberships expire
                    log.warning("design %s: could not leave the groups of a closed socket", self.design_id)
        finally:
            counted, self.counted = getattr(self, "counted", None), None
            for key in counted or ():
                _SOCKETS[key] -= 1
                if _SOCKETS[key] <= 0:
                    del _SOCKETS[key]
            seat, self.seat = getattr(self, "seat", None), None
            if seat is not None:
                await REGISTRY.socket_closed(seat)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        """Every frame goes out here: counted against the client's acknowledgements."""
        if self.too_slow:
            return
        if text_data is not None:
            size = len(text_data) if text_data.isascii() else len(text_data.encode("utf-8", "surrogatepass"))
            if size > FRAME_LIMIT:
                # Built to fit (runview: pages, cut texts); this is the last guard, never a drop
                # with a traceback in Daphne: the client is told what it missed.
                log.error("design %s: a %d-byte message is over the %d-byte frame limit: not sent",
                          self.design_id, size, FRAME_LIMIT)
                kind = text_data[:80].split('"type":"', 1)[-1].split('"', 1)[0] if '"type":"' in text_data[:80] else "?"
                text_data = json.dumps({"type": "error", "code": "ws.too_large_out", "problems": [],
                                        "msg": f"A {kind} message of {size:,} bytes was too large to send "
                                               f"(the limit is {FRAME_LIMIT:,}); ask for the run's state again."})
            max_messages, max_bytes = getattr(settings, "DESIGNER_WS_UNACKED",
                                              (MAX_UNACKED_MESSAGES, MAX_UNACKED_BYTES))
            self.unacked[0] += 1
            self.unacked[1] += len(text_data)  # characters: a lower bound of the bytes, cheap
            if self.unacked[0] > max_messages or self.unacked[1] > max_bytes:
                self.too_slow = True
                log.warning("design %s: closing a socket that stopped reading (%d messages, %d bytes unacked)",
                            self.design_id, *self.unacked)
                await self.close(code=CLOSE_TOO_SLOW)
                return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content, ensure_ascii=False, allow_nan=False))

    async def send_error(self, code: str, msg: str, problems=(), ref=None, more_problems: int = 0) -> None:
        error = {"type": "error", "code": code, "msg": msg, "problems": list(problems)}
        if more_problems:  # the list stopped at its limit (errors.DesignerError)
            error["more_problems"] = more_problems
        if ref is not None:
            error["ref"] = ref
        await self.send_json(error)

    async def recheck(self) -> Any | None:
        """The design as this socket may still see it, or None after closing it."""
        try:
            return await socket_access(self.scope, self.design_id, Need.VIEW)
        except DesignNotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return None

    async def ack(self, kind: str, data: Any, ref) -> None:
        await self.send_json({"type": "ack", "for": kind, "data": data, **({"ref": ref} if ref is not None else {})})

    # ------------------------------------------------------------ incoming frames

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            await self._receive(text_data, bytes_data)
        except DesignerError as exc:
            await self.send_error(exc.code, exc.msg, exc.problems, ref=getattr(exc, "ref", None),
                                  more_problems=exc.more_problems)
        except Exception:  # one bad frame never takes the socket down
            log.exception("websocket frame failed on design %s", self.design_id)
            await self.send_error("internal", "The server could not handle this message.")

    def _rate_ok(self, stamps: collections.deque | None = None, rate: tuple[int, float] | None = None) -> bool:
        count, window = rate or getattr(settings, "DESIGNER_WS_RATE", DEFAULT_RATE)
        stamps = self.stamps if stamps is None else stamps
        now = time.monotonic()
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) >= count:
            return False
        stamps.append(now)
        return True

    async def _receive(self, text_data, bytes_data) -> None:
        if self.joined is None:
            return
        if not self._rate_ok():
            count, window = getattr(settings, "DESIGNER_WS_RATE", DEFAULT_RATE)
            raise DesignerError(f"At most {count} messages per {window:g} s on one socket: this one was dropped.",
                                code="ws.rate_limited")
        if text_data is None:
            raise DesignerError("Frames are JSON text.", code="ws.binary")
        size = len(text_data.encode("utf-8", "surrogatepass"))  # bounded: Daphne drops messages over 1 MiB
        if size > MAX_MESSAGE_BYTES:
            raise DesignerError(f"A message is at most 64 KiB ({MAX_MESSAGE_BYTES:,} bytes); this one is {size:,} bytes: "
                                f"it was dropped.", code="ws.too_large")
        message = messages.validate(parse_json(text_data))
        row = messages.MESSAGES[message["type"]]
        try:
            access = None
            # Checked again on every message: a role taken away counts at once. A row whose handler
            # checks inside its own database call (`access_in_handler`) saves a thread hop.
            if row.need is not None and not row.access_in_handler:
                try:
                    access = await socket_access(self.scope, self.design_id, row.need)
                except DesignNotFound:
                    await self.close(code=CLOSE_NOT_FOUND)
                    return
                if access is None:
                    raise row.refused()
            if row.by == messages.WORKER:
                run = await self.current_run()
                await self.ack(row.type, await run.request(row.type, **messages.fields_of(message)), message.get("ref"))
            else:
                await CLIENT_HANDLERS[row.handler](self, message, access)
        except DesignerError as exc:
            exc.ref = message.get("ref")
            raise

    async def current_run(self):
        run = await REGISTRY.find(int(self.design_id))
        if run is None:
            raise RunError("No simulation is running for this design: start one with run.start.", code="run.none")
        return run

    # The handlers of the client messages this consumer answers itself (rows `by=CONSUMER`).

    @handles
    async def ping(self, message: dict, access) -> None:
        await self.send_json({"type": "pong", "design": _public(access)})

    @handles
    async def run_state(self, message: dict, access) -> None:
        if not await self.send_run_state():
            await self.send_json({"type": "run.state", "run": None, "status": "none", "design": access.design.pk})

    @handles
    async def run_start(self, message: dict, access) -> None:
        sim_limits = {**DEFAULT_SIM_LIMITS, **getattr(settings, "DESIGNER_SIM_LIMITS", {})}
        budgets = await _run_budgets(self.scope, access.design)  # who asks now, and by which link
        run = await REGISTRY.start(access.design.pk, budgets[0].key, doc=await _document(access),
                                   seed=message.get("seed", 0), speed=float(message.get("speed", 1.0)),
                                   limits=sim_limits, layer=self.channel_layer,
                                   paused=bool(message.get("paused", False)), budgets=budgets)
        await self.ack("run.start", {"run": run.run_id}, message.get("ref"))

    @handles
    async def events_fetch(self, message: dict, access) -> None:
        run, after_seq, ref = await self.current_run(), message["after_seq"], message.get("ref")
        got = await run.fetch(after_seq, message.get("limit", 500))
        head = json.dumps({"type": "events", "run": run.run_id, "after_seq": after_seq, "more": got["more"],
                           "oldest": got["oldest"], "truncated": got["truncated"],
                           **({"ref": ref} if ref is not None else {})}, separators=(",", ":"))
        await self.send(text_data=head[:-1] + ',"events":[' + ",".join(got["texts"]) + "]}")

    @handles
    async def event_detail(self, message: dict, access) -> None:
        run, seq, ref = await self.current_run(), message["seq"], message.get("ref")
        text = await run.detail(seq)
        if text is None:
            raise RunError(f"Event {seq} is no longer kept (the ring buffer holds the last "
                           f"{RING_SIZE:,} events).", code="run.event_gone")
        head = json.dumps({"type": "event.detail", "run": run.run_id, "seq": seq,
                           **({"ref": ref} if ref is not None else {})}, separators=(",", ":"))
        await self.send(text_data=head[:-1] + ',"event":' + text + "}")

    @handles
    async def tables_at(self, message: dict, access) -> None:
        """The tables the run's viewers held at instant `t` (a private look back before this page
        joined): rebuilt by the run's host from what it keeps (simulation/tablehistory.py, reached
        through the host's mailbox from another process), sent to this socket alone as
        `tables.at` pages shaped as `tables` snapshot pages. The run and the live tables of
        every page are not touched."""
        rate = getattr(settings, "DESIGNER_WS_TABLES_AT_RATE", TABLES_AT_RATE)
        if not self._rate_ok(self.tables_at_stamps, rate):
            raise DesignerError(f"At most {rate[0]} tables.at per {rate[1]:g} s on one socket: this one was "
                                "dropped (ask again once the timeline stops).", code="ws.rate_limited")
        run, ref = await self.current_run(), message.get("ref")
        at = int(round(message["t"] * 1e9))
        got = await run.tables_at(at)
        extra = {"at": at, "from": got.get("from"), "lookback": True, **({"ref": ref} if ref is not None else {})}
        # Paged in a thread: a 10,000-node design's tables take about 130 ms to write out.
        pages = await asyncio.to_thread(table_pages, run.run_id, dict(run.state), got["tables"], snapshot=True,
                                        kind="tables.at", extra=extra)
        for text in pages:
            await self.send(text_data=text)

    @handles
    async def events_ack(self, message: dict, access: None) -> None:
        self.unacked = [0, 0]  # grants nothing, so no access check and no answer

    async def send_run_state(self) -> bool:
        run = await REGISTRY.find(int(self.design_id))
        if run is None:
            return False
        texts = await run.snapshot()  # run.state, then the tables as pages
        self.seen = (run.run_id, run.state["seq"])
        for text in texts:
            await self.send(text_data=text)
        return True

    # ------------------------------------------------------------ group events
    # An exception escaping a group handler would close the socket: each one is `_guarded`, and a
    # viewer that missed an event still has the version numbers to notice it.

    @_guarded
    async def design_saved(self, event: dict[str, Any]) -> None:
        access = await self.recheck()
        if access is not None:
            await self.send_json({"type": "design.saved", "design": access.design.pk, "version": event["version"],
                                  "by": event.get("by")})

    @_guarded
    async def design_trashed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "design.trashed", "design": event["design"]})
        await self.close(code=CLOSE_NOT_FOUND)

    @_guarded
    async def design_access_changed(self, event: dict[str, Any]) -> None:
        access = await self.recheck()
        if access is not None:
            await self.send_json({"type": "design.access", "design": _public(access)})

    async def session_logged_out(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_NOT_FOUND)

    @_guarded
    async def run_relay(self, event: dict[str, Any]) -> None:
        """A run message from the group: this socket is its process's relay leader for the design
        (simulation.relay), and hands it to every local socket watching it, itself included."""
        await RELAY.fan_out(self, event)

    @_guarded
    async def deliver_run_message(self, event: dict[str, Any]) -> None:
        if self.joined is None:
            return
        run_id = event["run"]
        if event["kind"] != "events":
            await self.send(text_data=event["text"])
            return
        first, last = event["first"], event["last"]
        seen_run, seen_seq = self.seen if self.seen is not None and self.seen[0] == run_id else (run_id, 0)
        if last <= seen_seq:
            return  # already sent (in run.state's snapshot or a gap fill)
        if first > seen_seq + 1:
            # The channel layer lost something (it drops without a word): fill from the ring buffer,
            # in messages of at most runview.TEXTS_BYTES.
            run = await REGISTRY.find(int(self.design_id))
            after = seen_seq
            while run is not None and run.run_id == run_id and after < first - 1:
                got = await run.fetch(after, limit=RING_SIZE, upto=first - 1)
                if not got["texts"]:
                    break
                if got["truncated"]:
                    after = max(after, got["oldest"] - 1)
                last = after + len(got["texts"])
                head = json.dumps({"type": "run.events", "run": run_id, "first": after + 1,
                                   "last": last, "t": run.state["t"], "refill": True},
                                  separators=(",", ":"))
                await self.send(text_data=head[:-1] + ',"events":[' + ",".join(got["texts"]) + "]}")
                after = last
                if not got["more"]:
                    break
        self.seen = (run_id, last)
        await self.send(text_data=event["text"])
