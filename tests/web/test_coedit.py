"""Co-editing through the real design websocket (config.asgi.application): changes applied in
order, last writer wins per (object, field), the document's rules kept after every change,
every accepted change durable before anyone hears of it, resent changes never applied twice,
the HTTP save and restore reaching open editors, revisions, presence (docs/design.md,
"Co-editing"; docs/websocket-protocol.md)."""

from __future__ import annotations

import asyncio
import copy
import os

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from webhelpers import build_world

from config.asgi import application
from designer import coedit, consumers
from designer.models import Design, DesignOp, Membership, Revision
from designer.simulation.registry import REGISTRY
from designer.simulation.relay import RELAY, relay_group

ROUNDS = int(os.environ.get("COEDIT_ROUNDS", "1000"))
ORIGIN = "http://127.0.0.1:8000"
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]


@pytest_asyncio.fixture
async def world(settings):
    settings.DESIGNER_WS_RATE = (100000, 1.0)
    RELAY.reset()
    coedit.SEQUENCERS.clear()
    w = await sync_to_async(build_world)()
    yield w
    await REGISTRY.stop_all()
    RELAY.reset()
    coedit.SEQUENCERS.clear()
    consumers._SOCKETS.clear()
    await database_sync_to_async(connections.close_all)()


def _cookie(world, role):
    client = world.client(role)
    if "sessionid" not in client.cookies:
        client.session.save()
    return client.cookies["sessionid"].value


class Peer:
    """One browser tab on the design socket, keeping a replica as the JS client does
    (confirmed document + seq; canonical operations applied in seq order)."""

    def __init__(self, comm, doc, seq, name):
        self.comm, self.doc, self.seq, self.name = comm, copy.deepcopy(doc), seq, name
        self.changes = 0
        self.inbox: list[dict] = []
        self.seen: set = set()
        self.answered: set = set()

    async def send_op(self, ops, change=None, base=None):
        self.changes += 1
        change = change or f"{self.name}-{self.changes}"
        await self.comm.send_json_to({"type": "design.op", "client": self.name, "change": change,
                                      "base": self.seq if base is None else base, "ops": ops, "ref": change})
        return change

    async def recv(self, timeout=10):
        msg = await self.comm.receive_json_from(timeout=timeout)
        self.received = getattr(self, "received", 0) + 1
        if self.received % 200 == 0:  # flow control, as the browser does (else: close 4008 past 1,000)
            await self.comm.send_json_to({"type": "events.ack", "seq": 0})
        if msg["type"] == "design.ops":
            for entry in msg["changes"]:
                if entry["seq"] <= self.seq:
                    continue
                assert entry["seq"] == self.seq + 1, (self.name, entry["seq"], self.seq)
                self.doc = apply(self.doc, entry["ops"])
                self.seq = entry["seq"]
                self.seen.add(entry["change"])
        elif msg["type"] in ("design.ack", "design.refused"):
            self.answered.add(msg["change"])
        elif msg["type"] == "design.snapshot":
            self.doc, self.seq = msg["document"], msg["seq"]
        self.inbox.append(msg)
        return msg

    async def until(self, predicate, timeout=10):
        while True:
            msg = await self.recv(timeout)
            if predicate(msg):
                return msg


async def connect(world, role="owner", name=None) -> Peer:
    cookie = await sync_to_async(_cookie)(world, role)
    comm = WebsocketCommunicator(application, f"/ws/designs/{world.design.pk}/", headers=[
        (b"origin", ORIGIN.encode()), (b"cookie", f"sessionid={cookie}".encode()), (b"host", b"127.0.0.1:8000")])
    assert (await comm.connect(timeout=30))[0]
    hello = await comm.receive_json_from(timeout=5)
    assert hello["type"] == "design.hello"
    design = await sync_to_async(Design.objects.get)(pk=world.design.pk)
    return Peer(comm, design.document, design.version, name or role)


# The operations' semantics as diff.js applies them (the browser's side), for the replicas here.
def apply(doc, ops):
    out = dict(doc)
    for op in ops:
        if op["op"] == "field":
            if op["after"] is None:
                out.pop(op["key"], None)
            else:
                out[op["key"]] = op["after"]
            continue
        items = out[op["coll"]] = list(out.get(op["coll"]) or [])
        if op["op"] == "insert":
            at = min(op["index"], len(items))
            if op.get("prev") is not None:
                found = [i for i, x in enumerate(items) if x["id"] == op["prev"]]
                at = found[0] + 1 if found else at
            items.insert(at, op["value"])
        elif op["op"] == "remove":
            items[:] = [x for x in items if x["id"] != op["value"]["id"]]
        elif op["op"] == "update":
            for i, x in enumerate(items):
                if x["id"] == op["id"]:
                    x = dict(x)
                    for k, v in op["after"].items():
                        if v is None:
                            x.pop(k, None)
                        else:
                            x[k] = v
                    items[i] = x
    return out


def node(doc, node_id):
    return next((n for n in doc["nodes"] if n["id"] == node_id), None)


def new_vm(node_id, mac, x=10):
    return {"id": node_id, "kind": "vm", "host": "hv", "nics": [{"name": "eth0", "mac": mac}],
            "position": {"x": x, "y": 10}}


def insert(value, coll="nodes", prev=None):
    return {"op": "insert", "coll": coll, "index": 0, "prev": prev, "value": value}


async def stored(world):
    design = await sync_to_async(Design.objects.get)(pk=world.design.pk)
    return design.document, design.version


async def settle(world, *peers, changes=()):
    """Until each sender heard about its `changes` and every peer has every change stored so far."""
    for p in peers:
        while not all(c in p.seen or c in p.answered for c in changes if c.startswith(p.name + "-")):
            await p.recv()
    _, version = await stored(world)
    for p in peers:
        while p.seq < version:
            await p.recv()


async def close(*peers):
    for p in peers:
        await p.comm.disconnect()


async def test_a_change_reaches_every_editor_and_is_stored_before_it_is_acknowledged(world):
    a, b = await connect(world, "owner", "a"), await connect(world, "editor", "b")
    _, version = await stored(world)
    change = await a.send_op([insert(new_vm("vm9", "08:00:27:aa:00:09"), prev="vm3")])
    got_a = await a.until(lambda m: m["type"] == "design.ops")
    got_b = await b.until(lambda m: m["type"] == "design.ops")
    assert got_a == got_b
    entry = got_a["changes"][0]
    assert (entry["seq"], entry["client"], entry["change"], entry["by"]) == (version + 1, "a", change, "owner")
    doc, now = await stored(world)
    assert now == version + 1 and node(doc, "vm9")["host"] == "hv"
    assert a.doc == b.doc == doc
    log = await sync_to_async(list)(DesignOp.objects.filter(design=world.design).values_list("seq", "change"))
    assert (version + 1, change) in log
    await close(a, b)


async def test_a_change_that_breaks_the_document_is_refused_with_the_reason_and_nothing_changes(world):
    a, b = await connect(world, "owner", "a"), await connect(world, "editor", "b")
    before = await stored(world)
    link = {"id": "l9", "a": {"node": "vm_gone", "nic": "eth0"}, "b": {"node": "intnet"}}
    change = await a.send_op([insert(link, "links", prev="l3")])
    refused = await a.until(lambda m: m["type"] == "design.refused")
    assert refused["change"] == change
    assert "vm_gone" in refused["msg"] and refused["msg"].startswith("links[3]")
    assert await stored(world) == before
    assert await b.comm.receive_nothing(timeout=0.3)
    await close(a, b)


async def test_concurrent_edits_of_different_fields_both_stay_and_the_same_field_goes_to_the_last(world):
    a, b = await connect(world, "owner", "a"), await connect(world, "editor", "b")
    vm1 = node(a.doc, "vm1")
    await a.send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {"vcpus": 1}, "after": {"vcpus": 2}}])
    await a.until(lambda m: m["type"] == "design.ops")
    # b has not seen a's change: its before is stale, its field another one
    await b.send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {"ram_mb": 1024},
                      "after": {"ram_mb": 2048}}], base=b.seq)
    await b.until(lambda m: m["type"] == "design.ops" and m["changes"][-1]["client"] == "b")
    # two NICs' fields of one VM, each by one person: both kept (NICs merge by name)
    nics_a = [{**vm1["nics"][0], "ip": "dhcp"}]
    ca = await a.send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {"nics": vm1["nics"]},
                           "after": {"nics": nics_a}}])
    nics_b = [{**vm1["nics"][0], "mac": "08:00:27:00:99:99"}]
    cb = await b.send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {"nics": vm1["nics"]},
                           "after": {"nics": nics_b}}])
    await settle(world, a, b, changes=(ca, cb))  # in either order: two sockets, no order between them
    doc, _ = await stored(world)
    got = node(doc, "vm1")
    assert (got["vcpus"], got["ram_mb"]) == (2, 2048)
    assert got["nics"][0]["ip"] == "dhcp" and got["nics"][0]["mac"] == "08:00:27:00:99:99"
    # the same field: the later change wins
    c1 = await a.send_op([{"op": "update", "coll": "nodes", "id": "vm2", "before": {"vcpus": 1},
                           "after": {"vcpus": 3}}])
    c2 = await b.send_op([{"op": "update", "coll": "nodes", "id": "vm2", "before": {"vcpus": 1},
                           "after": {"vcpus": 4}}])
    await settle(world, a, b, changes=(c1, c2))
    doc, _ = await stored(world)
    log = await sync_to_async(list)(DesignOp.objects.filter(design=world.design).order_by("seq")
                                    .values_list("client", flat=True))
    last_writer = [c for c in log if c in ("a", "b")][-1]
    assert node(doc, "vm2")["vcpus"] == {"a": 3, "b": 4}[last_writer]
    assert a.doc == b.doc == doc
    await close(a, b)


async def test_two_people_adding_the_next_vm_get_two_vms_with_distinct_ids_and_macs(world):
    a, b = await connect(world, "owner", "a"), await connect(world, "editor", "b")
    same_vm = new_vm("vm4", "08:00:27:00:56:44")
    await a.send_op([insert({**same_vm, "position": {"x": 1, "y": 1}}, prev="vm3"),
                     insert({"id": "l4", "a": {"node": "vm4", "nic": "eth0"}, "b": {"node": "intnet"}}, "links", "l3")])
    await b.send_op([insert({**same_vm, "position": {"x": 2, "y": 2}}, prev="vm3"),
                     insert({"id": "l4", "a": {"node": "vm4", "nic": "eth0"}, "b": {"node": "intnet"}}, "links", "l3")],
                    base=b.seq)
    for p in (a, b):
        await p.until(lambda m, p=p: p.seq >= a.seq and any(c.get("client") == "b" for c in m.get("changes", [])))
    noted = [m for m in b.inbox if m["type"] == "design.noted"] or [await b.until(lambda m: m["type"] == "design.noted")]
    doc, _ = await stored(world)
    ids = [n["id"] for n in doc["nodes"]]
    assert "vm4" in ids and "vm5" in ids
    assert node(doc, "vm5")["position"] == {"x": 2, "y": 2}
    assert node(doc, "vm4")["nics"][0]["mac"] != node(doc, "vm5")["nics"][0]["mac"]
    links = {link["id"]: link["a"]["node"] for link in doc["links"]}
    assert links["l4"] == "vm4" and links["l5"] == "vm5", links
    assert noted and "yours is vm5" in " ".join(noted[0]["notes"])
    assert a.doc == b.doc == doc
    await close(a, b)


async def test_an_edit_of_a_node_deleted_meanwhile_changes_nothing_and_says_so(world):
    a, b = await connect(world, "owner", "a"), await connect(world, "editor", "b")
    vm3 = node(a.doc, "vm3")
    l3 = next(x for x in a.doc["links"] if x["id"] == "l3")
    captures = a.doc["captures"]
    await a.send_op([{"op": "field", "key": "captures", "before": captures,
                      "after": [c for c in captures if c.get("node") != "vm3"]},
                     {"op": "remove", "coll": "links", "index": 2, "prev": "l2", "value": l3},
                     {"op": "remove", "coll": "nodes", "index": 4, "prev": "vm2", "value": vm3}])
    await a.until(lambda m: m["type"] == "design.ops")
    before = await stored(world)
    await b.send_op([{"op": "update", "coll": "nodes", "id": "vm3", "before": {"vcpus": 1}, "after": {"vcpus": 2}}],
                    base=before[1] - 1)
    ack = await b.until(lambda m: m["type"] == "design.ack")
    assert ack["seq"] is None and ack["notes"] == ["node vm3 was deleted meanwhile: not changed"]
    assert await stored(world) == before
    await close(a, b)


async def test_a_resent_change_is_answered_not_applied_twice(world):
    a = await connect(world, "owner", "a")
    ops = [{"op": "update", "coll": "nodes", "id": "vm1", "before": {"vcpus": 1}, "after": {"vcpus": 2}}]
    await a.send_op(ops, change="c1")
    first = await a.until(lambda m: m["type"] == "design.ops")
    await a.comm.disconnect()
    # a reconnect on a new socket (a new process would find it in the log the same way)
    coedit.SEQUENCERS.clear()
    a2 = await connect(world, "owner", "a")
    a2.seq = first["changes"][0]["seq"] - 1
    await a2.comm.send_json_to({"type": "design.sync", "after": a2.seq})
    await a2.send_op(ops, change="c1", base=a2.seq)
    await a2.until(lambda m: m["type"] == "design.synced")
    ack = await a2.until(lambda m: m["type"] == "design.ack")
    assert ack == {"type": "design.ack", "change": "c1", "seq": first["changes"][0]["seq"], "duplicate": True}
    count = await sync_to_async(DesignOp.objects.filter(design=world.design, change="c1").count)()
    assert count == 1
    await close(a2)


async def test_a_socket_that_missed_changes_gets_them_in_order_from_the_log(world):
    a, b = await connect(world, "owner", "a"), await connect(world, "editor", "b")
    for i in range(3):
        await a.send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {}, "after": {"vcpus": i + 2}}])
        await a.until(lambda m: m["type"] == "design.ops")
    await settle(world, a, b)
    # b's page lost the last two (a reload from an old copy): it asks for what came after
    b_sock_seq = a.seq - 2
    await b.comm.send_json_to({"type": "design.sync", "after": b_sock_seq})
    got = await b.comm.receive_json_from(timeout=5)
    assert [c["seq"] for c in got["changes"]] == [b_sock_seq + 1, b_sock_seq + 2]
    # a group message lost on the way: the next one is preceded by the gap, filled from the log
    consumer_seq = a.seq
    await database_sync_to_async(coedit.commit)(world.design.pk, [coedit.Item("x", "lost", None, [
        {"op": "update", "coll": "nodes", "id": "vm2", "before": {}, "after": {"vcpus": 7}}], None)],
        coedit.sequencer(world.design.pk).cache)
    await a.send_op([{"op": "update", "coll": "nodes", "id": "vm3", "before": {}, "after": {"vcpus": 8}}])
    got = await a.until(lambda m: m["type"] == "design.ops")
    assert [c["seq"] for c in got["changes"]] == [consumer_seq + 1, consumer_seq + 2]
    doc, _ = await stored(world)
    assert a.doc == doc
    # b, reached through the process's relay, fills the same gap on its own
    await settle(world, a, b)
    assert b.doc == doc
    await close(a, b)


async def test_a_change_crosses_the_channel_layer_once_per_process_not_once_per_socket(world, monkeypatch):
    peers = [await connect(world, "owner", "a"), await connect(world, "editor", "b"), await connect(world, "editor", "c")]
    layer = consumers.get_channel_layer()
    sent, real = [], layer.group_send

    async def spy(group, message):
        sent.append((group, message["type"]))
        await real(group, message)

    monkeypatch.setattr(layer, "group_send", spy)
    change = await peers[0].send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {}, "after": {"vcpus": 3}}])
    for p in peers:
        got = await p.until(lambda m: m["type"] == "design.ops")
        assert got["changes"][0]["change"] == change
    assert [s for s in sent if "ops" in s[1]] == [(f"simrelay.{world.design.pk}", "design.ops_relay")]
    await close(*peers)


async def test_this_process_hands_a_change_to_its_sockets_without_waiting_for_the_relay_leader(world, monkeypatch):
    """A consumer handles one message at a time: the relay leader's socket busy with its own
    message (here: never handling the relay) must not hold the change back from the others."""
    peers = [await connect(world, "owner", "a"), await connect(world, "editor", "b"), await connect(world, "editor", "c")]

    async def stuck(self, event):
        await asyncio.sleep(3600)

    monkeypatch.setattr(coedit.CoeditMixin, "design_ops_relay", stuck)
    change = await peers[1].send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {}, "after": {"vcpus": 3}}])
    for p in peers:
        got = await p.until(lambda m: m["type"] == "design.ops")
        assert got["changes"][0]["change"] == change
    await close(*peers)


async def test_batches_of_other_processes_arriving_out_of_order_are_handed_out_in_order(world, monkeypatch):
    a, b = await connect(world, "owner", "a"), await connect(world, "editor", "b")
    pk = world.design.pk
    elsewhere = coedit.Cache()  # another process's sequencer: commits here, broadcasts by hand below

    async def committed(change, vcpus):
        got = await database_sync_to_async(coedit.commit)(pk, [coedit.Item("x", change, None, [
            {"op": "update", "coll": "nodes", "id": "vm1", "before": {}, "after": {"vcpus": vcpus}}], None)], elsewhere)
        return {**coedit.ops_event([got[0]["ok"]]), "type": "design.ops_relay", "design": pk}

    reads, real = [], coedit._changes_since

    async def spy(*args):
        reads.append(args)
        return await real(*args)

    monkeypatch.setattr(coedit, "_changes_since", spy)
    layer = consumers.get_channel_layer()
    first, second = await committed("x1", 2), await committed("x2", 3)
    await layer.group_send(relay_group(pk), second)
    await layer.group_send(relay_group(pk), first)
    await settle(world, a, b)  # Peer.recv asserts each change comes right after the one before
    assert reads == [] and a.doc == b.doc == (await stored(world))[0]
    # a batch whose predecessor never comes: after the wait, the sockets read the log
    await committed("x3", 4)
    await layer.group_send(relay_group(pk), await committed("x4", 5))
    await settle(world, a, b)
    assert len(reads) == 2 and a.doc == b.doc == (await stored(world))[0]
    await close(a, b)


async def test_after_a_first_whole_check_a_change_is_checked_by_what_it_touched(world, monkeypatch):
    """A process validates the stored document whole once; each change after that only by what it
    touched (simcore.design.validate_change), until someone else writes the design."""
    import simcore.design
    from designer.access import Actor
    from designer.actions import do_update_design

    pk, cache, whole = world.design.pk, coedit.Cache(), []
    real = simcore.design.validate
    monkeypatch.setattr(simcore.design, "validate", lambda doc: whole.append(1) or real(doc))

    def change(name, ops):
        return coedit.commit(pk, [coedit.Item("x", name, None, ops, None)], cache)[0]

    def move(name, x):
        return change(name, [{"op": "update", "coll": "nodes", "id": "vm1", "before": {}, "after": {"position": {"x": x, "y": 5}}}])

    assert "ok" in await database_sync_to_async(move)("c1", 1) and len(whole) == 1
    assert "ok" in await database_sync_to_async(move)("c2", 2) and len(whole) == 1
    gone = await database_sync_to_async(change)("c3", [{"op": "remove", "coll": "nodes", "index": 0, "prev": None,
                                                         "value": {"id": "hv"}}])
    problems = gone["refused"].problems
    assert problems and {p["code"] if isinstance(p, dict) else p.code for p in problems} == {"ref.unknown_node"}
    assert "ok" in await database_sync_to_async(move)("c4", 3) and len(whole) == 1

    def saved_elsewhere():
        design = Design.objects.get(pk=pk)
        do_update_design(Actor(world.users["owner"]), design, base_version=design.version, description="saved over HTTP")

    await database_sync_to_async(saved_elsewhere)()
    assert "ok" in await database_sync_to_async(move)("c5", 4) and len(whole) == 2  # read again: whole once
    assert "ok" in await database_sync_to_async(move)("c6", 5) and len(whole) == 2


async def test_an_http_save_and_a_restore_reach_open_editors_and_revisions_are_cut(world, settings):
    from designer.access import Actor
    from designer.actions import do_restore_revision, do_update_design

    settings.DESIGNER_COEDIT_QUIET_S = 0.2
    a = await connect(world, "owner", "a")
    await a.send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {}, "after": {"vcpus": 2}}])
    await a.until(lambda m: m["type"] == "design.ops")
    await asyncio.sleep(0.6)  # a quiet spell: a revision of this version
    numbers = await sync_to_async(lambda: list(Revision.objects.filter(design=world.design)
                                               .values_list("number", "note")))()
    assert (a.seq, "After a quiet minute") in numbers

    await a.comm.send_json_to({"type": "design.revision", "note": "before the lab", "ref": "r"})
    assert (await a.until(lambda m: m["type"] == "ack"))["data"] == {"number": a.seq}

    def http_save():
        design = Design.objects.get(pk=world.design.pk)
        doc = copy.deepcopy(design.document)
        node(doc, "vm2")["vcpus"] = 4
        return do_update_design(Actor(world.users["editor"]), design, base_version=design.version, document=doc)
    await sync_to_async(http_save)()
    got = await a.until(lambda m: m["type"] == "design.ops")
    assert got["changes"][0]["by"] == "editor" and node(a.doc, "vm2")["vcpus"] == 4

    def restore():
        design = Design.objects.get(pk=world.design.pk)
        return do_restore_revision(Actor(world.users["owner"]), design, 1)
    await a.send_op([{"op": "update", "coll": "nodes", "id": "vm3", "before": {}, "after": {"vcpus": 6}}])
    await a.until(lambda m: m["type"] == "design.ops")
    edited = a.seq
    await sync_to_async(restore)()
    await a.until(lambda m: m["type"] == "design.ops")
    doc, version = await stored(world)
    assert a.doc == doc and node(doc, "vm3")["vcpus"] == 1
    notes = await sync_to_async(lambda: dict(Revision.objects.filter(design=world.design).values_list("number", "note")))()
    assert notes[edited] == "Before restoring revision 1" and notes[version] == "Restored revision 1"
    await close(a)


async def test_presence_is_relayed_with_who_and_a_colour_and_never_stored(world):
    a, b = await connect(world, "owner", "a"), await connect(world, "viewer", "b")
    await b.comm.send_json_to({"type": "presence", "cursor": {"x": 5, "y": 6}, "selection": ["vm1"],
                               "viewport": {"x": 0, "y": 0, "zoom": 1.5}, "tab": "canvas"})
    got = await a.until(lambda m: m["type"] == "presence")
    assert got["name"] == "viewer" and got["role"] == "viewer" and got["colour"].startswith("#")
    assert (got["cursor"], got["selection"], got["viewport"], got["tab"]) == (
        {"x": 5, "y": 6}, ["vm1"], {"x": 0, "y": 0, "zoom": 1.5}, "canvas")
    # not echoed to its sender, which hears only who it is among the peers (once)
    assert await b.comm.receive_json_from(timeout=5) == {"type": "presence.self", "peer": got["peer"]}
    assert await b.comm.receive_nothing(timeout=0.2)
    # a joiner learns who is there
    c = await connect(world, "editor", "c")
    await c.comm.send_json_to({"type": "design.sync", "after": c.seq})
    there = await c.until(lambda m: m["type"] == "presence")
    assert there["peer"] == got["peer"]
    before = await stored(world)
    await b.comm.disconnect()
    left = await a.until(lambda m: m["type"] == "presence.left")
    assert left["peer"] == got["peer"]
    assert await stored(world) == before
    await close(a, c)


async def test_bad_changes_get_errors_naming_the_operation(world):
    a = await connect(world, "owner", "a")
    await a.comm.send_json_to({"type": "design.op", "client": "a", "change": "x", "ref": "x",
                               "ops": [{"op": "update", "coll": "captures", "id": "vm1", "after": {}}, {"op": "zap"}]})
    error = await a.until(lambda m: m["type"] == "error")
    assert error["code"] == "ws.invalid_fields" and error["ref"] == "x"
    assert {p["path"] for p in error["problems"]} == {"ops[0].coll", "ops[0].after", "ops[1].op"}
    await close(a)


@pytest.mark.timeout(900)
async def test_a_thousand_rounds_of_two_conflicting_edits_lose_nothing_and_repeat_nothing(world):
    """Two editors change the same field of the same VM at the same instant, 1,000 times: every
    acknowledged change is in the log exactly once, in the order the server took them, and the
    stored document is what the log gives."""
    a, b = await connect(world, "owner", "a"), await connect(world, "editor", "b")
    start_doc, start = await stored(world)
    acked: dict[str, int] = {}
    sent = {a: [], b: []}
    for round_ in range(ROUNDS):  # each round: both at once, the next round without waiting
        if round_ % 100 == 0:  # what the browser's periodic ack does (else: close 4008 past 1,000 unread)
            for peer in (a, b):
                await peer.comm.send_json_to({"type": "events.ack", "seq": 0})
        sent[a].append(await a.send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {"vcpus": 1},
                                         "after": {"vcpus": 1 + round_ % 7, "position": {"x": round_, "y": 0}}}]))
        sent[b].append(await b.send_op([{"op": "update", "coll": "nodes", "id": "vm1", "before": {"vcpus": 1},
                                         "after": {"vcpus": 2 + round_ % 5, "position": {"x": -round_, "y": 1}}}]))
    for peer in (a, b):
        while not all(c in peer.seen or c in peer.answered for c in sent[peer]):
            msg = await peer.recv(timeout=60)
            for entry in msg.get("changes", []):
                if entry["client"] == peer.name:
                    assert entry["change"] not in acked, "acknowledged twice"
                    acked[entry["change"]] = entry["seq"]
    while a.seq < b.seq or b.seq < a.seq:
        await (a if a.seq < b.seq else b).recv(timeout=60)
    log = await sync_to_async(lambda: list(DesignOp.objects.filter(design=world.design, seq__gt=start)
                                           .order_by("seq").values_list("seq", "change", "ops")))()
    assert len(acked) == 2 * ROUNDS
    assert sorted(acked.values()) == [seq for seq, _, _ in log]
    assert len({change for _, change, _ in log}) == len(log) == 2 * ROUNDS
    replay = start_doc
    for _, _, ops in log:
        replay = apply(replay, ops)
    doc, version = await stored(world)
    assert version == start + 2 * ROUNDS and replay == doc == a.doc == b.doc
    await close(a, b)


async def test_two_people_adding_equal_vms_get_two(world):
    """Two people with the same host selected add "the next VM": equal objects, both kept."""
    a, b = await connect(world, "owner", "a"), await connect(world, "editor", "b")
    vm = new_vm("vm4", "08:00:27:00:56:44")
    c1 = await a.send_op([insert(vm, prev="vm3")])
    c2 = await b.send_op([insert(vm, prev="vm3")], base=b.seq)
    await settle(world, a, b, changes=(c1, c2))
    doc, _ = await stored(world)
    assert {"vm4", "vm5"} <= {n["id"] for n in doc["nodes"]}
    assert node(doc, "vm4")["nics"][0]["mac"] != node(doc, "vm5")["nics"][0]["mac"]
    assert a.doc == b.doc == doc
    await close(a, b)


async def test_a_gap_filled_while_a_catch_up_sends_is_not_sent_twice(monkeypatch):
    """A socket behind by a gap reads the log; its one pending catch-up (a task of its own) may send
    part of the same changes while it reads. What was sent meanwhile is not sent again (3 Daphnes
    with Redis delivered 271 changes twice in bench/coedit.py before)."""
    entries = {s: {"seq": s, "ops": [], "client": "c", "change": f"c-{s}", "by": None} for s in range(1, 10)}
    gate = asyncio.Event()
    calls = []

    async def changes_since(design_id, after, upto=None):
        calls.append((after, upto))
        if len(calls) == 1:  # the gap fill waits on the database while the catch-up runs
            await gate.wait()
        return [entries[s] for s in range(after + 1, upto + 1)]

    monkeypatch.setattr(coedit, "_changes_since", changes_since)

    class Socket(coedit.CoeditMixin):
        design_id = 1
        joined = "design.1"

        def __init__(self):
            self.op_seq = 3
            self.sent = []

        async def send(self, text_data):
            import json

            self.sent.extend(c["seq"] for c in json.loads(text_data)["changes"])

    async def scenario():
        socket = Socket()
        gap = asyncio.create_task(socket.deliver_changes(6, 6, None))
        await asyncio.sleep(0)
        socket.catch_target = 5
        await socket.catch_up()  # sends 4 and 5
        gate.set()
        await gap
        return socket

    socket = await scenario()
    assert socket.sent == [4, 5, 6]
    assert socket.op_seq == 6


async def test_a_change_is_checked_against_its_senders_role_when_it_is_committed(world, monkeypatch):
    """`design.op` is authorised in the sequencer's commit (the row's `access_in_handler`), not
    before: a viewer is refused with the row's words whatever the shape of its change, an editor
    demoted after connecting is refused at its next change, and neither changes the design."""
    viewer = await connect(world, "viewer", "v")
    before = await stored(world)
    for ops in ([{"op": "bogus"}], [{"op": "field", "key": "description", "before": None, "after": "x"}]):
        await viewer.comm.send_json_to({"type": "design.op", "client": "v", "change": "v-1", "ops": ops, "ref": "r"})
        error = await viewer.recv()
        assert (error["type"], error["code"], error["ref"]) == ("error", "forbidden.edit", "r")
    editor = await connect(world, "editor", "e")
    separate_checks = []

    async def counted(*args):
        separate_checks.append(args)
        return await checked_alone(*args)

    checked_alone = consumers.socket_access
    monkeypatch.setattr(consumers, "socket_access", counted)
    await editor.send_op([{"op": "field", "key": "description", "before": None, "after": "by the editor"}])
    await editor.until(lambda m: m["type"] == "design.ops")
    assert separate_checks == []  # no thread call of its own before the commit's
    await sync_to_async(Membership.objects.filter(design=world.design, user__username="editor").update)(role="viewer")
    change = await editor.send_op([{"op": "field", "key": "description", "before": "by the editor",
                                    "after": "after the demotion"}])
    error = await editor.until(lambda m: m["type"] == "error")
    assert (error["code"], error["ref"]) == ("forbidden.edit", change)
    doc, version = await stored(world)
    assert doc["description"] == "by the editor" and version == before[1] + 1
    await close(viewer, editor)


@pytest.mark.parametrize("ops", [[{"op": "bogus"}], [{"op": "field", "key": "description", "before": None,
                                                       "after": "x"}]], ids=["malformed", "well-formed"])
async def test_a_change_from_someone_who_can_no_longer_see_the_design_closes_the_socket(world, ops):
    """As for any other message: 4404, whether the change is refused for its shape or in its commit."""
    editor = await connect(world, "editor", "e")
    await sync_to_async(Membership.objects.filter(design=world.design, user__username="editor").delete)()
    await editor.comm.send_json_to({"type": "design.op", "client": "e", "change": "e-1", "ops": ops, "ref": "r"})
    closed = await editor.comm.receive_output(timeout=10)
    assert closed == {"type": "websocket.close", "code": 4404}
    await editor.comm.disconnect()
