"""The design websocket through the COMPOSED `config.asgi.application` (origin check, session and
auth middleware, router, consumer), as a browser reaches it. One scenario per test."""

import json

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from webhelpers import build_world

from config.asgi import application

GOOD_ORIGIN = "http://127.0.0.1:8000"
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


def session_cookie(world, role: str) -> str:
    client = world.client(role)
    if "sessionid" not in client.cookies:
        session = client.session
        session.save()
    return client.cookies["sessionid"].value


def communicator(design_id, *, origin: str | None = GOOD_ORIGIN, cookie: str | None = None,
                 host: str = "127.0.0.1:8000"):
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    headers.append((b"host", host.encode()))
    return WebsocketCommunicator(application, f"/ws/designs/{design_id}/", headers=headers)


@pytest_asyncio.fixture(autouse=True)
async def _close_consumer_connections():
    """The consumer's database calls run in asgiref's shared thread; close its connection after
    each test, or PostgreSQL refuses to drop the test database at the end of the session."""
    yield
    await database_sync_to_async(connections.close_all)()


async def open_as(role: str, **kwargs):
    world = await sync_to_async(build_world)()
    cookie = None if role == "anonymous" else await sync_to_async(session_cookie)(world, role)
    comm = communicator(world.design.pk, cookie=cookie, **kwargs)
    connected, _ = await comm.connect()
    return world, comm, connected


# ------------------------------------------------------------------ origin check


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://127.0.0.1:8001", False),  # another port of the same host: a prefix or host-only check lets it in
        ("https://127.0.0.1:8000", False),  # another scheme
        ("http://evil.example:8000", False),  # another host
        ("http://127.0.0.1", False),  # default port 80 is not 8000
        ("null", False),
        ("http://127.0.0.1:8000/path", False),
        ("http://user@127.0.0.1:8000", False),
    ],
)
async def test_origin_must_match_scheme_host_and_port(origin, allowed):
    world, comm, connected = await open_as("owner", origin=origin)
    assert connected is allowed
    if allowed:
        hello = await comm.receive_json_from()
        assert hello["type"] == "design.hello"
    await comm.disconnect()


@pytest.mark.parametrize(
    "host, origin, allowed",
    [
        ("127.0.0.1:8123", "http://127.0.0.1:8123", True),  # served on a port PORT did not name
        ("localhost:8123", "http://localhost:8123", True),
        ("127.0.0.1:8123", "http://127.0.0.1:8124", False),  # another page of the same host
        ("127.0.0.1:8123", "https://127.0.0.1:8123", False),  # another scheme than the socket's
        ("evil.example:8123", "http://evil.example:8123", False),  # DNS rebinding: host not allowed
    ],
)
async def test_a_page_may_open_a_socket_to_the_address_it_was_served_from(host, origin, allowed):
    world = await sync_to_async(build_world)()
    cookie = await sync_to_async(session_cookie)(world, "owner")
    comm = communicator(world.design.pk, cookie=cookie, origin=origin, host=host)
    connected, _ = await comm.connect()
    assert connected is allowed
    await comm.disconnect()


async def test_no_origin_is_refused():
    world, comm, connected = await open_as("owner", origin=None)
    assert connected is False


async def test_two_origin_headers_are_refused():
    world = await sync_to_async(build_world)()
    cookie = await sync_to_async(session_cookie)(world, "owner")
    comm = WebsocketCommunicator(application, f"/ws/designs/{world.design.pk}/", headers=[
        (b"origin", GOOD_ORIGIN.encode()), (b"origin", b"http://evil.example"), (b"cookie", f"sessionid={cookie}".encode())])
    connected, _ = await comm.connect()
    assert connected is False


# ------------------------------------------------------------------ access


@pytest.mark.parametrize("role, expected_role", [("owner", "owner"), ("editor", "editor"), ("viewer", "viewer"),
                                                 ("link_viewer", "viewer"), ("link_editor", "editor")])
async def test_hello_tells_role_and_version(role, expected_role):
    world, comm, connected = await open_as(role)
    assert connected
    assert await comm.receive_json_from() == {
        "type": "design.hello", "design": {"id": world.design.pk, "version": 1, "role": expected_role}}
    await comm.disconnect()


@pytest.mark.parametrize("role", ["stranger", "anonymous", "revoked_link", "expired_link"])
async def test_no_access_closes_4404_without_data(role):
    world, comm, connected = await open_as(role)
    assert connected
    output = await comm.receive_output()
    assert output == {"type": "websocket.close", "code": 4404}


async def test_missing_design_closes_4404():
    world = await sync_to_async(build_world)()
    cookie = await sync_to_async(session_cookie)(world, "owner")
    comm = communicator(world.design.pk + 1000, cookie=cookie)
    await comm.connect()
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4404}


# ------------------------------------------------------------------ frames


@pytest.mark.parametrize(
    "frame, code",
    [
        ("{not json", "json.invalid"),
        ('{"type": "ping", "x": NaN}', "json.invalid"),
        ('{"type": "ping", "type": "ping"}', "json.invalid"),
        ("[" * 5000 + "]" * 5000, "json.invalid"),
        ('{"type": "ping", "n": ' + "9" * 5000 + "}", "json.invalid"),
        ('{"type": "ping", "s": "\\u0000"}', "json.invalid"),
        ('{"type": "ping", "s": "\\ud800"}', "json.invalid"),
        ("[1, 2]", "ws.invalid"),
        ('{"kind": "ping"}', "ws.invalid"),
        ('{"type": "nope"}', "ws.unknown_type"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(frame, code):
    world, comm, connected = await open_as("viewer")
    await comm.receive_json_from()
    await comm.send_to(text_data=frame)
    answer = await comm.receive_json_from()
    assert (answer["type"], answer["code"]) == ("error", code)
    await comm.send_json_to({"type": "ping"})
    assert (await comm.receive_json_from())["type"] == "pong"
    await comm.disconnect()


async def test_binary_frames_are_refused():
    world, comm, connected = await open_as("viewer")
    await comm.receive_json_from()
    await comm.send_to(bytes_data=b"\x00\x01")
    assert (await comm.receive_json_from())["code"] == "ws.binary"
    await comm.disconnect()


async def test_access_is_checked_on_every_message():
    world, comm, connected = await open_as("link_viewer")
    await comm.receive_json_from()

    def revoke_quietly():
        from django.utils import timezone

        from designer.models import ShareLink

        ShareLink.objects.filter(pk=world.links["link_viewer"].pk).update(revoked_at=timezone.now())

    await sync_to_async(revoke_quietly)()  # no notification: only the per-message check can see it
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4404}


async def test_logout_takes_effect_on_an_open_socket():
    world = await sync_to_async(build_world)()
    client = await sync_to_async(world.client)("viewer")
    cookie = client.cookies["sessionid"].value
    comm = communicator(world.design.pk, cookie=cookie)
    await comm.connect()
    await comm.receive_json_from()
    await sync_to_async(client.logout)()
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4404}


# ------------------------------------------------------------------ notifications


async def test_a_save_reaches_a_second_tab():
    world, comm, connected = await open_as("viewer")
    await comm.receive_json_from()

    def save():
        client = world.client("owner")
        return client.put(f"/api/designs/{world.design.pk}", data=json.dumps({"base_version": 1, "name": "v2"}),
                          content_type="application/json").status_code

    assert await sync_to_async(save)() == 200
    assert await comm.receive_json_from(timeout=5) == {
        "type": "design.saved", "design": world.design.pk, "version": 2, "by": world.users["owner"].pk}
    # and the change itself, for the editors open on it (co-editing)
    change = await comm.receive_json_from(timeout=5)
    assert change["type"] == "design.ops" and change["changes"][0]["seq"] == 2
    await comm.disconnect()


async def test_revoking_a_link_closes_its_sockets():
    world, comm, connected = await open_as("link_editor")
    await comm.receive_json_from()

    def revoke():
        return world.client("owner").delete(
            f"/api/designs/{world.design.pk}/links/{world.links['link_editor'].pk}").status_code

    assert await sync_to_async(revoke)() == 200
    assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4404}


async def test_trashing_closes_sockets():
    world, comm, connected = await open_as("editor")
    await comm.receive_json_from()
    assert await sync_to_async(lambda: world.client("owner").delete(f"/api/designs/{world.design.pk}").status_code)() == 200
    assert await comm.receive_json_from(timeout=5) == {"type": "design.trashed", "design": world.design.pk}
    assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4404}


async def test_demoting_an_editor_demotes_the_open_socket_at_once():
    """A role taken away reaches the open socket with the change (design.access with the new role),
    and from then on the run's controls are refused to it."""
    world, comm, connected = await open_as("editor")
    hello = await comm.receive_json_from()
    assert hello["design"]["role"] == "editor"

    def demote():
        from designer.access import Actor
        from designer.actions import do_add_member

        do_add_member(Actor(world.users["owner"]), world.design, world.users["editor"], "viewer")

    await sync_to_async(demote)()
    changed = await comm.receive_json_from(timeout=1)
    assert changed["type"] == "design.access" and changed["design"]["role"] == "viewer"
    await comm.send_json_to({"type": "run.start"})
    assert (await comm.receive_json_from(timeout=5))["code"] == "forbidden.run"
    await comm.disconnect()
