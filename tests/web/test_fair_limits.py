"""Fair limits (docs/limits.md, "Visitors, sockets, runs, logins"): every visitor has a budget of
its own, a made-up session id is nobody new, share links charge their creator, sign-ups are
limited per address, and the log-in throttle counts failures per account and address."""

import asyncio

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client
from webhelpers import build_world, make_design

from config.asgi import application
from designer import limits

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest_asyncio.fixture(autouse=True)
async def _close_consumer_connections():
    yield
    from designer.simulation.registry import REGISTRY

    await REGISTRY.stop_all()
    await database_sync_to_async(connections.close_all)()


def socket(design_id, cookie: str | None = None, address: str = "10.1.2.3"):
    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
    if cookie is not None:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    comm = WebsocketCommunicator(application, f"/ws/designs/{design_id}/", headers=headers)
    comm.scope["client"] = [address, 40000]
    return comm


async def opened(comm) -> dict:
    """The first message after connecting: `design.hello`, or the refusal (then the close)."""
    # Generous timeouts (the defaults are 1 s): on a loaded machine a connect can take longer.
    connected, _ = await comm.connect(timeout=30)
    assert connected
    first = await comm.receive_json_from(timeout=30)
    if first["type"] == "error":
        assert await comm.receive_output(timeout=30) == {"type": "websocket.close", "code": 4429}
    return first


def example_design():
    world = build_world()
    design = make_design(world.users["owner"], name="Example: two VMs")
    design.is_example = True
    design.save(update_fields=["is_example"])
    return world, design


def visit(client: Client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200
    return client.cookies["sessionid"].value


# ------------------------------------------------------------------ visitors and sockets


@pytest.mark.asyncio
async def test_eleven_anonymous_students_each_open_the_same_example():
    """Every anonymous visitor used to share one `session:none` budget of 10 sockets."""
    _world, design = await sync_to_async(example_design)()
    students = [Client() for _ in range(11)]
    cookies = [await sync_to_async(visit)(student, f"/designs/{design.pk}/") for student in students]
    assert len(set(cookies)) == 11  # each visit made a session of its own
    sockets = [socket(design.pk, cookie, address="192.0.2.7") for cookie in cookies]  # one classroom NAT
    firsts = [await opened(comm) for comm in sockets]
    assert [first["type"] for first in firsts] == ["design.hello"] * 11
    for comm in sockets:
        await comm.disconnect()


@pytest.mark.asyncio
async def test_a_page_visit_keeps_an_existing_session_and_replaces_a_made_up_one():
    _world, design = await sync_to_async(example_design)()
    student = Client()
    first = await sync_to_async(visit)(student, "/")
    assert await sync_to_async(visit)(student, f"/designs/{design.pk}/") == first
    student.cookies["sessionid"] = "madeup" + "x" * 26
    replaced = await sync_to_async(visit)(student, "/")
    assert replaced not in (first, "madeup" + "x" * 26)
    api = Client()
    assert (await sync_to_async(api.get)("/api/designs?scope=examples")).status_code == 200
    assert "sessionid" not in api.cookies  # the API makes no sessions


@pytest.mark.asyncio
@pytest.mark.timeout(900)  # 500 handshakes; with Redis each takes seats there (minutes on a loaded machine)
async def test_made_up_session_ids_are_one_visitor_of_their_address():
    """500 made-up session ids used to be 500 users with 10 sockets each."""
    _world, design = await sync_to_async(example_design)()
    sockets = [socket(design.pk, f"madeup{i:026d}") for i in range(500)]
    firsts = [await opened(comm) for comm in sockets]
    hellos = [f for f in firsts if f["type"] == "design.hello"]
    assert len(hellos) == limits.MAX_SOCKETS_PER_USER
    refusals = {(f["code"], f["msg"]) for f in firsts if f["type"] == "error"}
    assert refusals == {("ws.too_many_sockets", "At most 10 open design sockets per address without a session: "
                                                "reload the page (it gives you one), or close a tab.")}
    # Another address, and a real visitor of the same address, have budgets of their own.
    elsewhere = socket(design.pk, "madeup-elsewhere", address="10.9.9.9")
    assert (await opened(elsewhere))["type"] == "design.hello"
    cookie = await sync_to_async(visit)(Client(), f"/designs/{design.pk}/")
    real = socket(design.pk, cookie)
    assert (await opened(real))["type"] == "design.hello"
    # Every socket closed here: one left open hung the loop's teardown for 900 s once (PostgreSQL + Redis).
    for comm in [*sockets, elsewhere, real]:
        await comm.disconnect()


@pytest.mark.asyncio
async def test_no_cookie_at_all_counts_under_the_address():
    _world, design = await sync_to_async(example_design)()
    sockets = [socket(design.pk, None) for _ in range(11)]
    firsts = [await opened(comm) for comm in sockets]
    assert [f["type"] for f in firsts].count("design.hello") == 10
    for comm in sockets:
        await comm.disconnect()


# ------------------------------------------------------------------ runs through share links


def link_holder_cookie(token: str) -> str:
    """A fresh anonymous visitor that opened the link (its session holds the token)."""
    client = Client()
    assert client.get(f"/s/{token}/").status_code in (200, 302)
    return client.cookies["sessionid"].value


def owner_cookie(world) -> str:
    client = world.client("owner")
    client.session.save()
    return client.cookies["sessionid"].value


async def start_run(comm, ref: str) -> dict:
    """Send run.start (paused) and return its ack or error."""
    await comm.send_json_to({"type": "run.start", "paused": True, "ref": ref})
    while True:
        message = await comm.receive_json_from(timeout=30)
        if message.get("ref") == ref and message["type"] in ("ack", "error"):
            return message


@pytest.mark.asyncio
async def test_a_share_link_run_counts_against_the_link_creator():
    """One account ran 6 runs at once through its own editor links opened in fresh anonymous
    sessions: a run started through a link now counts against the link's creator too."""
    world = await sync_to_async(build_world)()
    owner = world.users["owner"]
    own = [await sync_to_async(make_design)(owner, name=f"Own {i}") for i in (1, 2)]
    cookie = await sync_to_async(owner_cookie)(world)
    owner_sockets = [socket(design.pk, cookie) for design in own]
    for comm in owner_sockets:
        assert (await opened(comm))["type"] == "design.hello"
    assert (await start_run(owner_sockets[0], "own-1"))["type"] == "ack"
    # A visitor with the owner's editor link, in a session of its own: its budget has room, the
    # creator's has one run left.
    visitor_cookie = await sync_to_async(link_holder_cookie)(world.links["link_editor"].token)
    visitor = socket(world.design.pk, visitor_cookie)
    assert (await opened(visitor))["type"] == "design.hello"
    assert (await start_run(visitor, "by-link"))["type"] == "ack"
    # The creator has 2 going now (one of them started by the visitor): the owner's next is refused.
    refused = await start_run(owner_sockets[1], "own-2")
    assert (refused["code"], refused["msg"]) == (
        "run.too_many", "At most 2 running simulations per user: stop one first.")
    # And another link visitor (an empty budget of its own) is refused for the creator's sake.
    other = await sync_to_async(make_design)(owner, name="Shared 2")
    from designer.access import Actor
    from designer.actions import do_create_share_link

    link = await sync_to_async(do_create_share_link)(Actor(owner), other, role="editor")
    second_cookie = await sync_to_async(link_holder_cookie)(link.token)
    second = socket(other.pk, second_cookie)
    assert (await opened(second))["type"] == "design.hello"
    refused = await start_run(second, "by-link-2")
    assert (refused["code"], refused["msg"]) == (
        "run.too_many", "At most 2 running simulations per user, and this share link's creator has 2 going: "
                        "ask them to stop one.")
    # The visitor's run stops: the creator's budget has room again.
    await visitor.send_json_to({"type": "run.stop", "ref": "stop"})
    while (await visitor.receive_json_from(timeout=30)).get("ref") != "stop":
        pass
    from designer.simulation.registry import REGISTRY

    for _ in range(200):
        if REGISTRY.count_for(f"user:{owner.pk}") < 2:
            break
        await asyncio.sleep(0.05)
    assert (await start_run(second, "by-link-3"))["type"] == "ack"
    for comm in (*owner_sockets, visitor, second):
        await comm.disconnect()


def test_budget_keys_name_the_visitor_and_the_link_creator():
    from designer.access import Actor, _tokens_from_session

    world = build_world()
    owner, editor = world.users["owner"], world.users["editor"]
    link_actor = Actor(Actor.anonymous().user, (world.links["link_editor"].token,))
    keys = [b.key for b in limits.budget_keys(link_actor, world.design, visitor="session:abc", address="10.0.0.1",
                                              what="runs")]
    assert keys == ["session:abc", f"user:{owner.pk}"]
    keys = [(b.key, b.limit) for b in limits.budget_keys(link_actor, world.design, visitor="session:abc",
                                                         address="10.0.0.1", what="sockets")]
    assert keys == [("session:abc", 10), (f"links-of:user:{owner.pk}", limits.MAX_LINK_SOCKETS_PER_CREATOR)]
    # The owner, and a direct member: their own budget only.
    for user in (owner, editor):
        keys = [b.key for b in limits.budget_keys(Actor(user), world.design, visitor=f"user:{user.pk}",
                                                  address="10.0.0.1", what="runs")]
        assert keys == [f"user:{user.pk}"]
    # No real session: the address.
    keys = [b.key for b in limits.budget_keys(Actor.anonymous(), world.design, visitor=None, address="10.0.0.1",
                                              what="sockets")]
    assert keys == ["addr:10.0.0.1"]
    assert _tokens_from_session(None) == ()


# ------------------------------------------------------------------ sign-ups and log-ins

PASSWORD = "correct-horse-battery-42"


def sign_up(client: Client, username: str, address: str, password2: str = PASSWORD):
    return client.post("/accounts/signup/", {"username": username, "password1": PASSWORD, "password2": password2},
                       REMOTE_ADDR=address)


def test_sign_up_is_limited_per_address(settings):
    settings.DESIGNER_RATE_LIMITS = {**settings.DESIGNER_RATE_LIMITS, "signup": (3, 3600)}
    from django.contrib.auth import get_user_model

    for i in range(3):
        assert sign_up(Client(), f"student{i}", "198.51.100.4").status_code == 302
    assert sign_up(Client(), "typo", "198.51.100.4", password2="other").status_code == 200  # not counted
    answer = sign_up(Client(), "student3", "198.51.100.4")
    assert answer.status_code == 429
    text = answer.content.decode()
    assert "Too many new accounts from your address: at most 3 per hour. Try again in 60 minutes." in text
    assert not get_user_model().objects.filter(username="student3").exists()
    assert sign_up(Client(), "student3", "198.51.100.5").status_code == 302  # another address


def log_in(client: Client, username: str, password: str, address: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def teacher():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("teacher", password=PASSWORD)


def test_a_guessed_at_account_still_logs_in_from_another_address(settings):
    teacher()
    guesser = Client()
    for i in range(settings.AXES_FAILURE_LIMIT + 5):
        answer = log_in(guesser, "teacher", f"guess-{i}", "203.0.113.66")
        assert answer.status_code in (200, 429)
    # The guesser is locked out, even with the right password, and told why and for how long.
    answer = log_in(guesser, "Teacher ", PASSWORD, "203.0.113.66")
    assert answer.status_code == 429
    assert ("Too many failed log-ins for this account from your address (10 in a row). Wait 15 minutes after "
            "the last attempt, then try again.") in answer.content.decode()
    assert "_auth_user_id" not in guesser.session
    # The teacher, from the classroom: the right password works.
    answer = log_in(Client(), "teacher", PASSWORD, "192.0.2.10")
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_a_class_sharing_one_account_is_not_locked_by_typos(settings):
    """Only failures count, and a success starts the count again: 40 students from one address,
    every fourth one mistyping once, all get in."""
    teacher()
    for i in range(40):
        student = Client()
        if i % 4 == 0:
            assert log_in(student, "teacher", "typo", "192.0.2.10").status_code == 200
        answer = log_in(student, "teacher", PASSWORD, "192.0.2.10")
        assert answer.status_code == 302, i
    # Successes never counted: ten failures in a row now lock this pair (the next try is refused).
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "teacher", "typo", "192.0.2.10")
    assert log_in(Client(), "teacher", PASSWORD, "192.0.2.10").status_code == 429


def test_the_admin_log_in_is_throttled_too(settings):
    teacher()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "teacher", "password": "nope"}, REMOTE_ADDR="203.0.113.9")
    assert log_in(client, "teacher", PASSWORD, "203.0.113.9").status_code == 429


# ------------------------------------------------------------------ over-size messages


@pytest.mark.asyncio
async def test_an_over_size_message_is_answered_ws_too_large_and_the_socket_stays():
    """docs/websocket-protocol.md: a message over 64 KiB (limits.MAX_WS_MESSAGE_BYTES, counted in
    UTF-8 bytes) gets `ws.too_large` and is dropped; the socket stays open."""
    import json

    _world, design = await sync_to_async(example_design)()
    cookie = await sync_to_async(visit)(Client(), f"/designs/{design.pk}/")
    comm = socket(design.pk, cookie)
    assert (await opened(comm))["type"] == "design.hello"
    frame = json.dumps({"type": "ping", "pad": ""})
    at_limit = json.dumps({"type": "ping", "pad": "x" * (limits.MAX_WS_MESSAGE_BYTES - len(frame))})
    assert len(at_limit.encode()) == limits.MAX_WS_MESSAGE_BYTES
    await comm.send_to(text_data=at_limit)
    assert (await comm.receive_json_from(timeout=30))["code"] == "ws.invalid_fields"  # read, then refused for `pad`
    over = json.dumps({"type": "ping", "pad": "€" * 22_000}, ensure_ascii=False)  # 22,000 characters, 66,000 bytes
    for text in (at_limit[:-2] + "x" + at_limit[-2:], over):
        await comm.send_to(text_data=text)
        error = await comm.receive_json_from(timeout=30)
        size = len(text.encode())
        assert (error["type"], error["code"], error["msg"]) == (
            "error", "ws.too_large", f"A message is at most 64 KiB (65,536 bytes); this one is {size:,} bytes: "
                                     f"it was dropped.")
    await comm.send_json_to({"type": "ping"})
    assert (await comm.receive_json_from(timeout=30))["type"] == "pong"
    await comm.disconnect()
