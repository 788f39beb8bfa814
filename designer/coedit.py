"""Live co-editing on the design websocket (docs/websocket-protocol.md, "Co-editing"; the choice
and its reasons in docs/design.md, "Co-editing").

- `design.op` (editor+): one change (the editor model's operations). This process's `Sequencer`
  of the design queues it; changes arriving together are applied one by one to the stored
  document (`coeditops.merge_apply`: last writer wins per object and field), each checked
  (`actions.validate_document`: the schema and the references, plus no newly shared MAC), and
  committed in ONE transaction (the document written once, one `DesignOp` row per change, the
  version up by one per change). Only then is anyone told: the sender gets its change back in
  `design.ops` (or `design.refused` with the reason), every other socket of the design gets it
  through the run's relay (`simrelay.<id>`: one copy per process, handed to its sockets); a
  change saved over HTTP comes through the group `design.<id>`.
- every socket remembers the last `seq` it delivered (`op_seq`) and fills a gap from the log
  before delivering more (group messages can be lost without a word); a log that no longer has
  the gap gives a `design.snapshot`.
- `design.sync {after}` (viewer+): what this socket missed since `after`.
- `design.revision` (editor+): cut a revision now. One is also cut after a quiet minute.
- `presence` (viewer+): cursor, selection, viewport, tab, and the rest of the person's view state
  (picked event, tables, console, whom they follow, a private instant); merged into what this
  socket said before and relayed whole with who and a colour, never stored; `presence.left` when a
  socket closes; a joiner asks the others (`presence.query`), at `design.sync` or its first
  `presence` (the presenter view has no co-editing replica to sync).
- `follow.bring` (editor+): every other socket of the design is told to follow this one
  (`follow.brought`). Presence and `follow.brought` travel through the run's relay (one copy per
  process, handed to the local sockets), `presence.left` and `presence.query` through the design's
  group; `follow.hold {on}` (editor+) marks this socket's presence `holding`, which
  its followers read as "the view is held" (docs/design.md, "Following a presenter").

Consumer changes live here (a mixin, and handlers registered into the consumer's table) so
designer/consumers.py only calls `coedit_joined` / `coedit_left`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from designer import coeditops, limits
from designer.access import Need, access_for_socket, socket_access
from designer.actions import check_description, check_name, cut_revision, group_name
from designer.errors import DesignerError, DesignInvalid, DesignNotFound, Invalid
from designer.models import Design, DesignOp
from designer.simulation import messages
from designer.simulation.relay import RELAY, relay_group
from designer.simulation.runview import PROCESS_ID

log = logging.getLogger(__name__)

QUIET_S = 60.0  # settings.DESIGNER_COEDIT_QUIET_S overrides: a revision after this long without a change
SYNC_MAX = 500  # a socket further behind than this many changes gets a snapshot instead
# Batches committed by other processes may reach this one out of order (each process has its
# own sequencer): a batch that comes too early waits this long for the ones before it, then the
# sockets still missing them read the log.
REORDER_WAIT_S = 0.25
COLOURS = ("#d1495b", "#00798c", "#edae49", "#66a182", "#8d6cab", "#2e4057", "#e07a5f", "#3d5a80")

# Handlers of client messages, by name (`design.op` -> `design_op`): merged into the consumer's table.
HANDLERS: dict[str, Callable] = {}


def _handles(method: Callable) -> Callable:
    HANDLERS[method.__name__] = method
    return method


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


ops_text, ops_event = coeditops.ops_text, coeditops.ops_event


def _entry(op: DesignOp) -> dict:
    return {"seq": op.seq, "ops": op.ops, "client": op.client or None, "change": op.change or None,
            "by": op.author.get_username() if op.author_id else None}


# ---------------------------------------------------------------- the database side (sync)


@dataclass
class Item:
    client: str
    change: str
    base: int | None
    ops: list[dict]
    user: Any  # the author (None for an anonymous link editor)
    future: asyncio.Future | None = None
    # The sender's socket scope: its right to edit is checked by `commit`, in the thread call that
    # applies the change (None: checked by the caller).
    scope: Any = None


@dataclass
class Cache:
    """What this process knows of a design between writes: re-read when the version moved."""

    version: int = -1
    document: dict | None = None
    clean: bool = False  # `document` passed `checked` here: a change to it is checked by what it touched
    size: int | None = None  # an upper bound of `document`'s serialised size (limits.size_bound_after)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)  # (client, change) -> seq
    clients: set[str] = field(default_factory=set)  # clients whose earlier changes were looked up
    renames: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)  # client -> (seq, old, new)


def commit(design_id: int, items: list[Item], cache: Cache) -> list[dict]:
    """Applies `items` in order and commits them in one transaction; one result per item:
    `{"ok": entry}`, `{"dup": seq}`, `{"noop": notes}`, `{"forbidden": True}` (its sender may see
    the design but not edit it) or `{"refused": DesignerError}`."""
    # Each sender's right to edit, checked in this same thread call but before the row lock (the
    # lock serialises every process's commits: it is held for the writing only).
    refusals = [None if item.scope is None else _refusal(item.scope, design_id) for item in items]
    results: list[dict] = []
    with transaction.atomic():
        row = (Design.objects.select_for_update().filter(pk=design_id, deleted_at__isnull=True)
               .only("id", "version", "name", "description").first())
        if row is None:
            return [{"refused": DesignNotFound()} for _ in items]
        if cache.version != row.version or cache.document is None:
            cache.document = Design.objects.filter(pk=design_id).values_list("document", flat=True).get()
            cache.version, cache.clean, cache.size = row.version, False, None
        doc, version, name, description = cache.document, row.version, row.name, row.description
        clean, size = cache.clean, cache.size
        rows = []
        for item, refusal in zip(items, refusals, strict=True):
            if refusal is not None:
                results.append(refusal)
                continue
            key = (item.client, item.change)
            if item.client not in cache.clients:
                cache.clients.add(item.client)
                cache.seen.update({(item.client, c): s for c, s in DesignOp.objects.filter(
                    design_id=design_id, client=item.client).values_list("change", "seq")})
            if key in cache.seen:
                results.append({"dup": cache.seen[key]})
                continue
            renames = {old: new for seq, old, new in cache.renames.get(item.client, ())
                       if item.base is None or seq > item.base}
            try:
                new, notes, made = coeditops.merge_apply(doc, item.ops, renames)
                new_name = check_name(new.get("name") or name)
                new_description = check_description(new.get("description", description))
                new["name"], new["description"] = new_name, new_description
                ops = coeditops.canonical(doc, new)
                if not ops:
                    results.append({"noop": notes})
                    continue
                bound = None if size is None else limits.size_bound_after(doc, new, size)
                if bound is None or bound > limits.MAX_DOCUMENT_BYTES:
                    bound = len(limits.serialise(new))  # measured exactly
                stored = checked(new, doc if clean else None, size_bound=bound)
                shared = coeditops.new_shared_macs(doc, stored)
                if shared is not None:
                    raise shared
            except DesignerError as exc:
                results.append({"refused": exc})
                continue
            version += 1
            doc, name, description, clean, size = stored, new_name, new_description, True, bound
            for old, new_id in made.items():
                cache.renames.setdefault(item.client, []).append((version, old, new_id))
            cache.seen[key] = version
            rows.append(DesignOp(design_id=design_id, seq=version, ops=ops, client=item.client,
                                 change=item.change, author=item.user))
            results.append({"ok": {"seq": version, "ops": ops, "client": item.client, "change": item.change,
                                   "by": item.user.get_username() if item.user else None}, "notes": notes})
        if rows:
            Design.objects.filter(pk=design_id).update(document=doc, version=version, name=name,
                                                       description=description, updated_at=timezone.now())
            DesignOp.objects.bulk_create(rows)
    cache.document, cache.version, cache.clean, cache.size = doc, version, clean, size
    return results


def _refusal(scope, design_id: int) -> dict | None:
    try:
        return None if access_for_socket(scope, design_id, Need.EDIT) is not None else {"forbidden": True}
    except DesignNotFound as exc:
        return {"refused": exc}


def checked(document: dict, before: dict | None = None, size_bound: int | None = None) -> dict:
    """`document` if it may be stored, else DesignInvalid / TooLarge with every problem. What
    `actions.validate_document` checks, minus its strict JSON round trip: the operations came
    through the strict parser at the socket and the rest from the database. `before`: the
    problem-free document `document` was made from by `merge_apply`; then only what the change
    touched is validated (`simcore.design.validate_change`: 4,000 nodes in 8 ms, not 55 ms).
    `size_bound`: an upper bound of its serialised size, as `limits.check_document_size` takes."""
    from simcore.design import validate, validate_change

    limits.check_document_size(document, size_bound)
    found = validate(document) if before is None else validate_change(before, document)
    problems = [p for p in found if getattr(p, "severity", "error") == "error"]
    if problems:
        raise DesignInvalid(f"The design document has {len(problems)} problem(s).", problems=problems)
    return document


def changes_since(design_id: int, after: int, upto: int | None = None) -> list[dict] | None:
    """The logged changes with `after < seq <= upto` (the latest when None), or None when the log
    no longer has all of them (or there are more than SYNC_MAX)."""
    version = Design.objects.filter(pk=design_id).values_list("version", flat=True).first()
    if version is None:
        return None
    upto = version if upto is None else min(upto, version)
    if upto <= after:
        return []
    if upto - after > SYNC_MAX:
        return None
    rows = list(DesignOp.objects.filter(design_id=design_id, seq__gt=after, seq__lte=upto)
                .select_related("author").order_by("seq"))
    if [r.seq for r in rows] != list(range(after + 1, upto + 1)):
        return None
    return [_entry(r) for r in rows]


def snapshot(design_id: int) -> dict | None:
    found = Design.objects.filter(pk=design_id, deleted_at__isnull=True).values_list("version", "document").first()
    return None if found is None else {"type": "design.snapshot", "seq": found[0], "document": found[1]}


# ---------------------------------------------------------------- the sequencer (one per design per process)


class Sequencer:
    """Queues the changes of one design arriving on this process's sockets; one writer at a time
    commits everything queued so far (group commit). Several processes serialise on the row lock."""

    def __init__(self, design_id: int) -> None:
        self.design_id = design_id
        self.queue: list[Item] = []
        self.running = False
        self.cache = Cache()
        self.quiet: asyncio.TimerHandle | None = None

    async def submit(self, item: Item, layer) -> dict:
        item.future = asyncio.get_running_loop().create_future()
        self.queue.append(item)
        if not self.running:
            self.running = True
            asyncio.get_running_loop().create_task(self._drain(layer))
        return await item.future

    async def _drain(self, layer) -> None:
        try:
            while self.queue:
                batch, self.queue = self.queue, []
                try:
                    results = await database_sync_to_async(commit)(self.design_id, batch, self.cache)
                except Exception as exc:  # the database failed: nothing was acknowledged
                    log.exception("design %s: committing %d changes failed", self.design_id, len(batch))
                    self.cache = Cache()
                    for item in batch:
                        if not item.future.done():
                            item.future.set_exception(exc)
                    continue
                accepted = [r["ok"] for r in results if "ok" in r]
                if accepted:
                    self._quiet_later()
                    event = ops_event(accepted)
                    for r in results:
                        if "ok" in r:
                            r["batch"] = event
                    try:  # once per other process, through its relay leader (CoeditMixin.design_ops_relay)
                        await layer.group_send(relay_group(self.design_id), {
                            **event, "type": "design.ops_relay", "design": self.design_id, "origin": PROCESS_ID})
                    except Exception:  # sockets fill the gap from the log at their next change
                        log.warning("design %s: could not broadcast changes %s-%s", self.design_id,
                                    accepted[0]["seq"], accepted[-1]["seq"])
                    # This process's sockets at once, not behind whatever the relay leader's socket
                    # is busy with (a consumer handles one message at a time), in a task of its own
                    # so that the next batch's commit does not wait for the sends.
                    asyncio.get_running_loop().create_task(REORDER.arrived({**event, "design": self.design_id}))
                for item, result in zip(batch, results, strict=True):
                    if not item.future.done():
                        item.future.set_result(result)
        finally:
            self.running = False

    def _quiet_later(self) -> None:
        if self.quiet is not None:
            self.quiet.cancel()
        delay = getattr(settings, "DESIGNER_COEDIT_QUIET_S", QUIET_S)
        loop = asyncio.get_running_loop()
        self.quiet = loop.call_later(delay, lambda: loop.create_task(self._cut_quiet()))

    async def _cut_quiet(self) -> None:
        self.quiet = None
        try:
            await database_sync_to_async(cut_revision)(self.design_id, note="After a quiet minute")
        except Exception:
            log.exception("design %s: could not cut a revision", self.design_id)


SEQUENCERS: dict[int, Sequencer] = {}


def sequencer(design_id: int) -> Sequencer:
    found = SEQUENCERS.get(design_id)
    if found is None:
        found = SEQUENCERS[design_id] = Sequencer(design_id)
    return found


# ---------------------------------------------------------------- the consumer's side


class Reorder:
    """The batches of changes this process's relay received for each design and could not yet
    hand to every local socket because an earlier batch had not arrived. A socket takes the
    batch starting right after its `op_seq`; the rest wait, at most REORDER_WAIT_S, after which
    the sockets still behind read the log (`catch_up`) instead of each doing it at once."""

    def __init__(self) -> None:
        self.waiting: dict[int, dict[int, tuple[dict, float]]] = {}  # design -> first seq -> (event, arrival)
        self.timers: dict[int, asyncio.TimerHandle] = {}

    async def arrived(self, event: dict) -> None:
        design_id = event["design"]
        self.waiting.setdefault(design_id, {})[event["first"]] = (event, time.monotonic())
        for member in list(RELAY.watchers.get(design_id, ())):
            await self.hand_out_to(member, design_id)
        self._forget_delivered(design_id)

    async def hand_out_to(self, member, design_id: int) -> None:
        waiting = self.waiting.get(design_id)
        while waiting:
            seq = getattr(member, "op_seq", None)
            found = waiting.get(seq + 1) if seq is not None else None
            if found is None:
                return
            event = found[0]
            try:
                await member.deliver_changes(event["first"], event["last"], event["text"])
            except Exception:
                log.exception("design %s: delivering changes to a socket failed", design_id)
                return
            if getattr(member, "op_seq", None) == seq:
                return  # not taken (the socket is closing): no loop

    def _forget_delivered(self, design_id: int) -> None:
        waiting = self.waiting.get(design_id)
        if waiting is None:
            return
        seqs = [m.op_seq for m in RELAY.watchers.get(design_id, ()) if getattr(m, "op_seq", None) is not None]
        floor = min(seqs, default=None)
        for first, (event, _at) in list(waiting.items()):
            if floor is None or event["last"] <= floor:
                del waiting[first]
        if not waiting:
            del self.waiting[design_id]
            timer = self.timers.pop(design_id, None)
            if timer is not None:
                timer.cancel()
        elif design_id not in self.timers:
            oldest = min(at for _event, at in waiting.values())
            loop = asyncio.get_running_loop()
            self.timers[design_id] = loop.call_later(max(0.0, oldest + REORDER_WAIT_S - time.monotonic()),
                                                     self._waited, design_id)

    def _waited(self, design_id: int) -> None:
        """The oldest waiting batch waited long enough: the sockets behind it read the log up to
        it; batches that came later wait on (their own time)."""
        self.timers.pop(design_id, None)
        waiting = self.waiting.get(design_id)
        if not waiting:
            return
        due = time.monotonic() - REORDER_WAIT_S + 1e-3
        lasts = [event["last"] for event, at in waiting.values() if at <= due]
        if not lasts:  # woken early: wait on
            self._forget_delivered(design_id)
            return
        top = max(lasts)
        loop = asyncio.get_running_loop()
        for member in list(RELAY.watchers.get(design_id, ())):
            seq = getattr(member, "op_seq", None)
            if seq is not None and seq < top:
                target = getattr(member, "catch_target", None)
                member.catch_target = max(target or 0, top)
                loop.create_task(member.catch_up())
        for first, (event, _at) in list(waiting.items()):
            if event["last"] <= top:
                del waiting[first]
        if not waiting:
            del self.waiting[design_id]
        else:
            self._forget_delivered(design_id)

    def forget(self, design_id: int | None) -> None:
        """The design's last local socket left (None: every design)."""
        for key in list(self.timers) if design_id is None else [design_id]:
            timer = self.timers.pop(key, None)
            if timer is not None:
                timer.cancel()
        if design_id is None:
            self.waiting.clear()
        else:
            self.waiting.pop(design_id, None)


REORDER = Reorder()
RELAY.forget_hooks.append(REORDER.forget)


def _colour(who: str) -> str:
    return COLOURS[int(hashlib.sha256(who.encode()).hexdigest()[:8], 16) % len(COLOURS)]


@database_sync_to_async
def _changes_since(design_id, after, upto=None):
    return changes_since(design_id, after, upto)


@database_sync_to_async
def _snapshot(design_id):
    return snapshot(design_id)


@database_sync_to_async
def _read_user(scope):
    from designer.access import actor_from_scope

    actor = actor_from_scope(scope)
    return (actor.user if actor.is_authenticated else None), (actor.user.get_username() if actor.is_authenticated
                                                              else "Guest")


async def _user_of(consumer) -> tuple[Any, str]:
    """Who this socket is, for authorship and presence: read once (a logout closes the socket;
    access itself is checked on every message by the consumer)."""
    found = getattr(consumer, "_coedit_user", None)
    if found is None:
        found = consumer._coedit_user = await _read_user(consumer.scope)
    return found


class CoeditMixin:
    """Mixed into `DesignConsumer`: the group events of co-editing and presence."""

    async def coedit_joined(self, access) -> None:
        self.op_seq = access.design.version
        self.peer = hashlib.sha256(self.channel_name.encode()).hexdigest()[:12]
        self.presence: dict | None = None

    async def coedit_left(self) -> None:
        if getattr(self, "presence", None) is not None and getattr(self, "joined_design", None):
            try:
                await self.channel_layer.group_send(self.joined_design, {"type": "presence.left", "peer": self.peer})
            except Exception:
                log.warning("design %s: could not say that a peer left", self.design_id)
        self.presence = None

    # -- delivering changes in order

    async def deliver_changes(self, first: int, last: int, text: str | None, changes: list[dict] | None = None) -> None:
        """Sends changes `first..last` unless already sent; a gap before them is filled first."""
        seq = getattr(self, "op_seq", None)
        if seq is None or last <= seq:
            return
        if first != seq + 1:
            filled = await _changes_since(int(self.design_id), seq, last)
            # A catch-up (its own task) may have sent some of them while the log was read.
            seq = self.op_seq
            if last <= seq:
                return
            if filled is None or not filled or filled[-1]["seq"] != last:
                await self.send_snapshot()
                return
            text = ops_text([c for c in filled if c["seq"] > seq])
        elif text is None:
            text = ops_text(changes)
        self.op_seq = last
        await self.send(text_data=text)

    async def catch_up(self) -> None:
        last, self.catch_target = self.catch_target, None
        try:
            if self.joined is None or last is None or self.op_seq >= last:
                return
            filled = await _changes_since(int(self.design_id), self.op_seq, last)
            if self.op_seq >= last:
                return  # delivered meanwhile, through the group
            if not filled or filled[-1]["seq"] != last:
                await self.send_snapshot()
                return
            filled = [c for c in filled if c["seq"] > self.op_seq]  # some may have come meanwhile
            if filled and filled[0]["seq"] == self.op_seq + 1:
                self.op_seq = last
                await self.send(text_data=ops_text(filled))
        except Exception:
            log.exception("design %s: catching up failed", self.design_id)

    async def send_snapshot(self) -> None:
        snap = await _snapshot(int(self.design_id))
        if snap is not None:
            self.op_seq = snap["seq"]
            await self.send(text_data=_dumps(snap))

    async def design_ops(self, event: dict) -> None:
        """A change saved over HTTP (the design's group): then what waited for it, if anything."""
        try:
            await self.deliver_changes(event["first"], event["last"], event["text"])
            await REORDER.hand_out_to(self, int(self.design_id))
        except Exception:
            log.exception("design %s: delivering changes failed", self.design_id)

    async def design_ops_relay(self, event: dict) -> None:
        """Changes a sequencer accepted, reaching each process once (its relay leader's channel,
        as presence does) and handed to the process's sockets of the design as direct calls: a
        group send to each socket cost 30 editors a channel-layer message per socket and change.
        Handed out in order (`Reorder`): with several processes, a batch may arrive before an
        earlier one another process committed."""
        if RELAY.leader(event["design"]) is not self or event.get("origin") == PROCESS_ID:
            return  # a stale member's copy (the leader's counts), or this process's own: handed out already
        await REORDER.arrived(event)

    # -- presence

    async def presence_update(self, event: dict) -> None:
        if event.get("peer") != getattr(self, "peer", None):
            await self.send(text_data=event["text"])

    async def _relay(self, design_id: int, text: str) -> None:
        """A presence or follow message to every other socket of the design, through the run's relay
        (simulation/relay.py): one copy per process, handed to its local sockets as direct calls.
        A group send to each socket cost a class of 100 followers 3-4 times the p99 of an echo
        (bench/follow.py)."""
        await self.channel_layer.group_send(relay_group(design_id), {"type": "presence.relay", "design": design_id,
                                                                     "peer": self.peer, "text": text})

    async def presence_relay(self, event: dict) -> None:
        design_id = event["design"]
        if RELAY.leader(design_id) is not self:
            return  # a stale member's copy; the leader's counts
        for member in list(RELAY.watchers.get(design_id, ())):
            if getattr(member, "peer", None) in (None, event["peer"]) or getattr(member, "joined", None) is None:
                continue
            try:
                await member.send(text_data=event["text"])
            except Exception:
                log.exception("design %s: relaying presence to a socket failed", design_id)

    async def presence_left(self, event: dict) -> None:
        if event.get("peer") != getattr(self, "peer", None):
            await self.send_json({"type": "presence.left", "peer": event["peer"]})

    async def presence_query(self, event: dict) -> None:
        if event.get("peer") != getattr(self, "peer", None) and getattr(self, "presence", None) is not None:
            try:
                await self.channel_layer.send(event["reply_to"], {"type": "presence.update", "peer": self.peer,
                                                                  "text": _dumps(self.presence)})
            except Exception:
                log.warning("design %s: could not answer a presence query", self.design_id)

    # -- client messages

    @_handles
    async def design_op(self, message: dict, _access: None) -> None:
        """A change from the editor. Its sender's right to edit is checked in the commit that
        applies it (`Item.scope`; the row's `access_in_handler`): one thread hop less per change."""
        row = messages.MESSAGES["design.op"]
        problems = coeditops.check_change(message["ops"])
        if problems:
            # A refusal first, as for any other message: the shape is nobody's business but an editor's.
            try:
                access = await socket_access(self.scope, self.design_id, row.need)
            except DesignNotFound:
                await self.close(code=4404)
                return
            if access is None:
                raise row.refused()
            raise Invalid("The change does not have the shape of the editor's operations (see problems).",
                          code="ws.invalid_fields", problems=problems)
        user, _name = await _user_of(self)
        item = Item(client=message["client"], change=message["change"], base=message.get("base"),
                    ops=message["ops"], user=user, scope=self.scope)
        result = await sequencer(int(self.design_id)).submit(item, self.channel_layer)
        if "forbidden" in result:
            raise row.refused()
        if "ok" in result:
            entry, batch = result["ok"], result["batch"]
            if self.op_seq >= batch["first"] - 1:
                await self.deliver_changes(batch["first"], batch["last"], batch["text"])
            else:
                # Earlier changes are still in this socket's queue (it was busy with this one):
                # they and this batch come through the group in order. Should the layer lose them,
                # the log fills in after a second.
                target = getattr(self, "catch_target", None)
                self.catch_target = max(target or 0, batch["last"])
                if target is None:  # one pending catch-up per socket, whatever the number of changes
                    loop = asyncio.get_running_loop()
                    loop.call_later(1.0, lambda: loop.create_task(self.catch_up()))
            if result.get("notes"):
                await self.send_json({"type": "design.noted", "change": item.change, "seq": entry["seq"],
                                      "notes": result["notes"]})
        elif "dup" in result:
            await self.send_json({"type": "design.ack", "change": item.change, "seq": result["dup"], "duplicate": True})
        elif "noop" in result:
            await self.send_json({"type": "design.ack", "change": item.change, "seq": None, "notes": result["noop"]})
        else:
            exc = result["refused"]
            if isinstance(exc, DesignNotFound):
                await self.close(code=4404)
                return
            first = exc.problems[0] if exc.problems else None
            reason = f"{first['path']}: {first['msg']}" if first and first.get("path") else (first or {}).get("msg")
            await self.send_json({"type": "design.refused", "change": item.change, "code": exc.code,
                                  "msg": reason or exc.msg, "problems": list(exc.problems)[:20]})

    @_handles
    async def design_sync(self, message: dict, access) -> None:
        after = message["after"]
        changes = await _changes_since(access.design.pk, after)
        if changes is None or after > access.design.version:
            await self.send_snapshot()
        else:
            self.op_seq = after
            if changes:
                await self.deliver_changes(changes[0]["seq"], changes[-1]["seq"], None, changes)
            else:
                self.op_seq = max(after, self.op_seq)
        await self.send_json({"type": "design.synced", "seq": self.op_seq, "peer": self.peer,
                              **({"ref": message["ref"]} if "ref" in message else {})})
        self.joined_design = group_name(access.design.pk)
        await self.channel_layer.group_send(self.joined_design, {"type": "presence.query", "peer": self.peer,
                                                                 "reply_to": self.channel_name})

    @_handles
    async def design_revision(self, message: dict, access) -> None:
        user, _ = await _user_of(self)
        revision = await database_sync_to_async(cut_revision)(access.design.pk, author=user,
                                                              note=message.get("note") or "Saved by hand")
        await self.ack("design.revision", {"number": revision.number if revision else None}, message.get("ref"))

    async def _announce(self, access, fields: dict) -> None:
        """Merges `fields` into this socket's presence and relays the whole of it; the first one
        also asks the others where they are."""
        _user, name = await _user_of(self)
        who = getattr(self, "who", None) or self.peer
        first = getattr(self, "presence", None) is None
        self.presence = {**(self.presence or {}), "type": "presence", "peer": self.peer, "name": name,
                         "colour": _colour(who), "role": access.role, **fields}
        self.joined_design = group_name(access.design.pk)
        await self._relay(access.design.pk, _dumps(self.presence))
        if first:
            # Who this socket is among the peers (a follower names whom it follows by peer).
            await self.send_json({"type": "presence.self", "peer": self.peer})
            await self.channel_layer.group_send(self.joined_design, {"type": "presence.query", "peer": self.peer,
                                                                     "reply_to": self.channel_name})

    @_handles
    async def presence(self, message: dict, access) -> None:
        await self._announce(access, {k: v for k, v in message.items() if k not in ("type", "ref")})

    @_handles
    async def follow_bring(self, message: dict, access) -> None:
        _user, name = await _user_of(self)
        if getattr(self, "presence", None) is None:  # the followers need this socket's view to follow it
            await self._announce(access, {})
        await self._relay(access.design.pk, _dumps({"type": "follow.brought", "peer": self.peer, "name": name}))
        await self.ack("follow.bring", {"peer": self.peer}, message.get("ref"))

    @_handles
    async def follow_hold(self, message: dict, access) -> None:
        await self._announce(access, {"holding": bool(message["on"])})
        await self.ack("follow.hold", {"holding": bool(message["on"])}, message.get("ref"))

