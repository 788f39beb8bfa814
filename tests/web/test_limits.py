"""Limits with clear errors: rates (writes, imports) and document sizes (log-ins and sign-ups: test_fair_limits.py)."""

import asyncio
import json
import os
import uuid

import pytest
import pytest_asyncio

from designer import limits
from designer.errors import RateLimited, TooLarge

pytestmark = pytest.mark.django_db


def test_sliding_window_counts_and_forgets(settings):
    settings.DESIGNER_RATE_LIMITS = {"probe": (3, 10)}
    for t in (100.0, 101.0, 102.0):
        limits.hit("probe", "me", now=t)
    with pytest.raises(RateLimited) as refused:
        limits.hit("probe", "me", now=109.0)
    assert refused.value.retry_after == 1
    assert refused.value.msg == "Too many requests: at most 3 per 10 seconds. Try again in 1 s."
    assert refused.value.code == "rate_limited.probe"
    limits.hit("probe", "me", now=110.5)  # the first hit left the window
    limits.hit("probe", "someone else", now=110.5)


def test_long_windows_and_waits_are_said_in_minutes_and_hours(settings):
    settings.DESIGNER_RATE_LIMITS = {"probe": (1, 3600), "other": (1, 300)}
    limits.hit("probe", "me", now=0.0)
    with pytest.raises(RateLimited, match=r"at most 1 per hour\. Try again in 50 minutes\.$"):
        limits.hit("probe", "me", now=600.5)
    limits.hit("other", "me", now=0.0)
    with pytest.raises(RateLimited, match=r"at most 1 per 5 minutes\. Try again in 100 s\.$"):
        limits.hit("other", "me", now=200.0)


def test_refused_requests_are_not_counted(settings):
    settings.DESIGNER_RATE_LIMITS = {"probe": (1, 10)}
    limits.hit("probe", "me", now=0.0)
    for t in (1.0, 2.0, 3.0):
        with pytest.raises(RateLimited):
            limits.hit("probe", "me", now=t)
    limits.hit("probe", "me", now=10.5)


def test_writes_are_rate_limited_per_user(world, settings):
    settings.DESIGNER_RATE_LIMITS = {**settings.DESIGNER_RATE_LIMITS, "write": (2, 60)}
    settings.DESIGNER_RATELIMIT_NAMESPACE = "after-the-world-was-built"
    client = world.client("owner")
    url = f"/api/designs/{world.design.pk}"
    for version in (1, 2):
        answer = client.put(url, data=json.dumps({"base_version": version, "description": str(version)}),
                            content_type="application/json")
        assert answer.status_code == 200
    answer = client.put(url, data=json.dumps({"base_version": 3, "description": "3"}), content_type="application/json")
    assert answer.status_code == 429
    assert answer.json()["code"] == "rate_limited.write"
    assert answer.json()["msg"].startswith("Too many changes: at most 2 per 60 seconds.")
    # The editor has a separate budget.
    answer = world.client("editor").put(url, data=json.dumps({"base_version": 3, "description": "e"}),
                                        content_type="application/json")
    assert answer.status_code == 200


def test_anonymous_link_editors_are_limited_per_link(world, settings):
    from designer.access import Actor

    settings.DESIGNER_RATE_LIMITS = {**settings.DESIGNER_RATE_LIMITS, "write": (1, 60)}
    a = Actor.anonymous()
    limits.check_write(Actor(a.user, ("token-a",)))
    limits.check_write(Actor(a.user, ("token-b",)))
    with pytest.raises(RateLimited):
        limits.check_write(Actor(a.user, ("token-a",)))


@pytest.mark.parametrize(
    "document, code, msg",
    [
        ({"version": 1, "nodes": [{}] * 10_001}, "design.too_many_nodes", "A design has at most 10,000 nodes; this one has 10,001."),
        ({"version": 1, "nodes": [], "links": [{}] * 20_001}, "design.too_many_links",
         "A design has at most 20,000 links; this one has 20,001."),
        ({"version": 1, "nodes": [], "notes": "x" * (8 * 1024 * 1024)}, "design.too_large",
         "A design is at most 8 MiB serialised; this one is 8.0 MiB."),
    ],
)
def test_document_size_limits(document, code, msg):
    with pytest.raises(TooLarge) as refused:
        limits.check_document_size(document)
    assert (refused.value.code, refused.value.msg, refused.value.status) == (code, msg, 413)


def test_document_at_the_limits_is_accepted():
    limits.check_document_size({"version": 1, "nodes": [{}] * 10_000})


def test_a_changed_designs_size_bound_is_never_below_its_size():
    """Co-editing measures a change's document from the one before (`size_bound_after`) instead of
    serialising it whole; the bound may be loose, never short, whatever the change did."""
    import random
    from pathlib import Path

    from designer.coeditops import merge_apply

    rng = random.Random(7)
    doc = json.loads((Path(__file__).resolve().parents[2] / "examples" / "nat-dhcp.json").read_text())
    bound = len(limits.serialise(doc))
    for _ in range(300):
        node = rng.choice(doc["nodes"])
        op = rng.choice([
            {"op": "update", "coll": "nodes", "id": node["id"], "before": {},
             "after": {"notes": "é" * rng.randrange(0, 500) or None}},
            {"op": "insert", "coll": "nodes", "index": 0, "prev": None, "value": {**node, "id": f"n{rng.random()}"}},
            {"op": "remove", "coll": "nodes", "index": 0, "prev": None, "value": node} if len(doc["nodes"]) > 3
            else {"op": "field", "key": "name", "before": None, "after": "N"},
            {"op": "field", "key": "description", "before": None, "after": "x" * rng.randrange(0, 300)},
            {"op": "field", "key": "captures", "before": None, "after": [{"link": "l1"}] * rng.randrange(0, 3)},
        ])
        new, _notes, _made = merge_apply(doc, [op])
        bound = limits.size_bound_after(doc, new, bound)
        exact = len(limits.serialise(new))
        from_exact = limits.size_bound_after(doc, new, len(limits.serialise(doc)))
        assert exact <= from_exact <= bound
        doc = new
    assert bound < 20 * exact  # it grows, but measures what was touched, not the document again


# ------------------------------------------------------------------ per-user limits across processes
# The seats of store.RedisStore (sockets and runs of one user, counted in Redis by every Daphne
# process), against the Redis of REDIS_URL; skipped without it (CI's second pass sets it).

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                                 reason="the cross-process limits live in Redis: needs REDIS_URL")


@pytest_asyncio.fixture
async def redis_store():
    from designer.simulation.store import RedisStore

    store = RedisStore(os.environ["REDIS_URL"], prefix=f"test-limits:{uuid.uuid4().hex}")
    yield store
    client = store.client()
    async for key in client.scan_iter(match=f"{store.prefix}:*"):
        await client.delete(key)
    await store.close()


@needs_redis
@pytest.mark.asyncio
async def test_seats_are_limited_atomically_and_freed(redis_store):
    taken = await asyncio.gather(*(redis_store.take_seat("sockets", "user:1", f"s{i}", 10, 30_000)
                                   for i in range(15)))
    assert taken.count(True) == 10  # 15 at once from many connections: never more than the limit
    first = next(f"s{i}" for i, ok in enumerate(taken) if ok)
    assert await redis_store.take_seat("sockets", "user:1", first, 10, 30_000)  # held already: refreshed
    assert not await redis_store.take_seat("sockets", "user:1", "late", 10, 30_000)
    assert await redis_store.take_seat("sockets", "user:2", "late", 10, 30_000)  # another user counts apart
    await redis_store.drop_seat("sockets", "user:1", first)
    assert await redis_store.take_seat("sockets", "user:1", "late", 10, 30_000)
    held, _now = await redis_store.seats("sockets", "user:1")
    assert len(held) == 10 and first not in held


@needs_redis
@pytest.mark.asyncio
async def test_seats_of_a_dead_process_expire_and_refreshed_ones_stay(redis_store):
    # A process's seats are refreshed by it (the keeper); a killed process's stop being refreshed.
    for seat in ("alive", "dead"):
        assert await redis_store.take_seat("sockets", "user:1", seat, 2, 300)
    assert not await redis_store.take_seat("sockets", "user:1", "new", 2, 300)
    for _ in range(4):
        await asyncio.sleep(0.15)
        await redis_store.refresh_seats("sockets", [("user:1", "alive")], 300)
    held, _now = await redis_store.seats("sockets", "user:1")
    assert set(held) == {"alive"}
    assert await redis_store.take_seat("sockets", "user:1", "new", 2, 300)
    # A Redis restart forgets the seats: the next refresh adds them again.
    await redis_store.client().delete(redis_store.seat_key("sockets", "user:1"))
    await redis_store.refresh_seats("sockets", [("user:1", "alive"), ("user:1", "new")], 30_000)
    held, now = await redis_store.seats("sockets", "user:1")
    assert set(held) == {"alive", "new"} and all(expiry > now + 29_000 for expiry in held.values())


@needs_redis
@pytest.mark.asyncio
async def test_counting_runs_prunes_the_stale_ones(redis_store):
    from designer.simulation import store as stores

    async def run_state(design: int, run: str, status: str) -> None:
        await redis_store.write(design, meta={"run": run, "starter": "user:1"}, pos={"status": status, "seq": 0})

    await run_state(1, "r1", "playing")  # live
    await run_state(2, "r2", "stopped")  # ended, its seat not dropped (Redis was down then)
    await run_state(3, "old", "stopped")  # the design's previous run: r3 is starting, not written yet
    await run_state(4, "other", "playing")  # another run of the design now: r4 ended long ago
    # r5: its keys are gone (expired) and nobody refreshed its seat for a while (its process died)
    fresh, old = stores.RUN_TTL_MS, stores.RUN_TTL_MS - stores.RUN_STALE_MS - 1000
    for member, ttl in (("1:r1", fresh), ("2:r2", fresh), ("3:r3", fresh), ("4:r4", old), ("5:r5", old)):
        assert await redis_store.take_seat("runs", "user:1", member, 10, ttl)
    assert await redis_store.count_runs("user:1") == 2  # r1 and r3
    held, _now = await redis_store.seats("runs", "user:1")
    assert set(held) == {"1:r1", "3:r3"}
    # A seat whose run is final is pruned whatever its age; one past its expiry is gone.
    await run_state(1, "r1", "failed")
    assert await redis_store.count_runs("user:1") == 1
    assert await redis_store.take_seat("runs", "user:2", "9:r9", 2, 100)
    await asyncio.sleep(0.25)
    assert await redis_store.count_runs("user:2") == 0


@pytest_asyncio.fixture
async def shared_store(settings):
    """This process uses the Redis store (as one of several Daphne processes would), under a
    prefix of its own; what "other processes" hold is written straight into it."""
    from designer.simulation import store as stores
    from designer.simulation.registry import REGISTRY
    from designer.simulation.relay import RELAY

    settings.DESIGNER_SIM_STORE = "redis"
    settings.DESIGNER_SIM_PREFIX = f"test-limits:{uuid.uuid4().hex}"
    stores._STORE = None
    RELAY.reset()
    store = stores.store()
    yield store
    await REGISTRY.stop_all()
    RELAY.reset()
    client = store.client()
    async for key in client.scan_iter(match=f"{store.prefix}:*"):
        await client.delete(key)
    await store.close()
    stores._STORE = None


async def _socket(world, role: str, design=None):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    def cookie() -> str:
        client = world.client(role)
        if "sessionid" not in client.cookies:
            client.session.save()
        return client.cookies["sessionid"].value

    value = await sync_to_async(cookie)()
    comm = WebsocketCommunicator(application, f"/ws/designs/{(design or world.design).pk}/", headers=[
        (b"origin", b"http://127.0.0.1:8000"), (b"cookie", f"sessionid={value}".encode()),
        (b"host", b"127.0.0.1:8000")])
    connected, _ = await comm.connect()
    assert connected
    return comm


@needs_redis
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
async def test_sockets_held_in_other_processes_count(shared_store):
    from asgiref.sync import sync_to_async
    from webhelpers import build_world

    world = await sync_to_async(build_world)()
    who = f"user:{world.users['viewer'].pk}"
    for i in range(10):  # ten sockets of this user on other processes
        assert await shared_store.take_seat("sockets", who, f"elsewhere:{i}", 10, 30_000)
    comm = await _socket(world, "viewer")
    error = await comm.receive_json_from()
    assert (error["code"], error["msg"]) == (
        "ws.too_many_sockets", "At most 10 open design sockets per user: close a tab.")
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4429}
    await shared_store.drop_seat("sockets", who, "elsewhere:0")  # one of them closed
    comm = await _socket(world, "viewer")
    assert (await comm.receive_json_from())["type"] == "design.hello"
    held, _now = await shared_store.seats("sockets", who)
    assert len(held) == 10 and "elsewhere:0" not in held  # this socket holds the freed seat
    await comm.disconnect()
    held, _now = await shared_store.seats("sockets", who)
    assert len(held) == 9  # and gives it back when it closes


@needs_redis
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
async def test_runs_going_in_other_processes_count(shared_store):
    from asgiref.sync import sync_to_async
    from webhelpers import build_world

    world = await sync_to_async(build_world)()
    who = f"user:{world.users['owner'].pk}"
    for design in (900001, 900002):  # two runs of this user hosted by other processes
        await shared_store.write(design, meta={"run": f"r{design}", "starter": who}, pos={"status": "playing"})
        assert await shared_store.take_seat("runs", who, f"{design}:r{design}", 2, 30_000)
    comm = await _socket(world, "owner")
    assert (await comm.receive_json_from())["type"] == "design.hello"
    await comm.send_json_to({"type": "run.start", "paused": True})
    error = await comm.receive_json_from()
    assert (error["code"], error["msg"]) == ("run.too_many", "At most 2 running simulations per user: stop one first.")
    assert await shared_store.holder(world.design.pk) is None  # the lease went back
    # One of them is stopped (its host wrote the final state; the seat is pruned when counting).
    await shared_store.write(900001, pos={"status": "stopped"})
    await comm.send_json_to({"type": "run.start", "paused": True, "ref": "go"})
    while (ack := await comm.receive_json_from(timeout=20))["type"] != "ack":
        assert ack["type"] != "error", ack
    held, _now = await shared_store.seats("runs", who)
    assert set(held) == {"900002:r900002", f"{world.design.pk}:{ack['data']['run']}"}
    await comm.send_json_to({"type": "run.stop"})
    for _ in range(100):  # the run's end gives its seat back
        held, _now = await shared_store.seats("runs", who)
        if len(held) == 1:
            break
        await asyncio.sleep(0.05)
    assert set(held) == {"900002:r900002"}
    await comm.disconnect()


@needs_redis
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
async def test_share_link_runs_and_sockets_count_against_the_creator_across_processes(shared_store):
    from asgiref.sync import sync_to_async
    from webhelpers import build_world

    from designer.limits import MAX_LINK_SOCKETS_PER_CREATOR

    world = await sync_to_async(build_world)()
    creator = f"user:{world.users['owner'].pk}"
    # The link's creator has two runs going on other processes.
    for design in (900011, 900012):
        await shared_store.write(design, meta={"run": f"r{design}", "starter": creator}, pos={"status": "playing"})
        assert await shared_store.take_seat("runs", creator, f"{design}:r{design}", 2, 30_000)
    comm = await _socket(world, "link_editor")
    assert (await comm.receive_json_from(timeout=30))["type"] == "design.hello"
    await comm.send_json_to({"type": "run.start", "paused": True})
    error = await comm.receive_json_from(timeout=30)
    assert (error["code"], error["msg"]) == (
        "run.too_many", "At most 2 running simulations per user, and this share link's creator has 2 going: "
                        "ask them to stop one.")
    assert await shared_store.holder(world.design.pk) is None  # the lease went back
    # The sockets through the creator's links are full on other processes: this one is refused,
    # and gives back the visitor's seat it took first.
    await comm.disconnect()
    for i in range(MAX_LINK_SOCKETS_PER_CREATOR):
        assert await shared_store.take_seat("sockets", f"links-of:{creator}", f"elsewhere:{i}",
                                            MAX_LINK_SOCKETS_PER_CREATOR, 30_000)
    comm = await _socket(world, "link_viewer")
    error = await comm.receive_json_from(timeout=30)
    assert (error["code"], error["msg"]) == (
        "ws.too_many_sockets", "At most 200 open design sockets through the share links of one person: "
                               "try again when others have left.")
    assert await comm.receive_output(timeout=30) == {"type": "websocket.close", "code": 4429}
    from designer.simulation.registry import REGISTRY

    assert REGISTRY.sockets == {}


@needs_redis
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
async def test_a_taken_over_run_keeps_counting_against_every_budget(shared_store):
    """A run started through a share link holds a seat in the visitor's budget and the creator's;
    when its process dies and another takes it over, the new host refreshes both (meta.charged)."""
    from designer.simulation import store as stores
    from designer.simulation.registry import REGISTRY
    from designer.simulation.runview import PROCESS_ID

    design, run_id = 900021, "deadbeefdeadbeef"
    charged = ["session:visitor", "user:7"]
    from webhelpers import example_document

    await shared_store.write(design, meta={"run": run_id, "design": design, "starter": "session:visitor",
                                           "charged": charged, "seed": 0, "doc": example_document(),
                                           "limits": {}, "host": "gone", "process": "dead", "pid": 1},
                             pos={"status": "paused", "seq": 0, "t": 0, "speed": 1.0}, actions=[])
    member = f"{design}:{run_id}"
    for key in charged:
        assert await shared_store.take_seat("runs", key, member, 2, 30_000)
        await shared_store.client().zadd(shared_store.seat_key("runs", key), {member: 1})  # about to expire
    token = f"{PROCESS_ID}:test"
    assert await shared_store.acquire(design, token)
    await REGISTRY.keeper._take_over(shared_store, design, token)
    run = REGISTRY.get(design)
    assert run is not None and run.charged == tuple(charged)
    await REGISTRY.keeper._refresh_seats(shared_store)
    for key in charged:
        held, now = await shared_store.seats("runs", key)
        assert held.get(member, 0) > now + stores.RUN_TTL_MS - 5_000, key
    await run.stop()

    async def held_anywhere() -> list[str]:
        return [key for key in charged if (await shared_store.seats("runs", key))[0]]

    for _ in range(100):  # its end gives every seat back
        if not await held_anywhere():
            break
        await asyncio.sleep(0.05)
    assert await held_anywhere() == []
