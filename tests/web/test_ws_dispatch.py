"""The design consumer's dispatch: no thread hop per frame or group event for closing old database
connections (Channels' default awaits `aclose_old_connections()` before every message); the
consumer's database work closes them itself, in the database thread."""

from pathlib import Path

import channels.consumer
import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from webhelpers import build_world

from config.asgi import application

ROOT = Path(__file__).resolve().parents[2]


@pytest_asyncio.fixture
async def _close_consumer_connections():
    yield
    await database_sync_to_async(connections.close_all)()


async def _owner_socket():
    world = await sync_to_async(build_world)()
    client = await sync_to_async(world.client)("owner")
    cookie = client.cookies["sessionid"].value
    comm = WebsocketCommunicator(application, f"/ws/designs/{world.design.pk}/", headers=[
        (b"origin", b"http://127.0.0.1:8000"), (b"cookie", f"sessionid={cookie}".encode()),
        (b"host", b"127.0.0.1:8000")])
    connected, _ = await comm.connect()
    assert connected
    return world, comm


async def _until(comm, kind: str) -> dict:
    while True:
        msg = await comm.receive_json_from(timeout=5)
        if msg["type"] == kind:
            return msg


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(30)
@pytest.mark.usefixtures("_close_consumer_connections")
async def test_frames_and_presence_do_not_hop_to_a_thread_to_close_connections(monkeypatch):
    hops = []

    async def counted():
        hops.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    world, comm = await _owner_socket()
    await _until(comm, "design.hello")
    for _ in range(3):
        await comm.send_json_to({"type": "events.ack", "seq": 0})
        await comm.send_json_to({"type": "ping"})
        assert (await _until(comm, "pong"))["design"]["id"] == world.design.pk
    await comm.send_json_to({"type": "presence", "viewport": {"x": 1, "y": 2, "zoom": 1, "w": 800, "h": 600}})
    await _until(comm, "presence.self")
    await comm.disconnect()
    assert hops == []


def test_the_designer_reaches_the_database_only_through_database_sync_to_async():
    """What makes skipping Channels' per-message cleanup safe: a plain `sync_to_async` doing
    database work would keep a broken or expired connection (CONN_MAX_AGE) in the thread."""
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "designer").rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if "sync_to_async" in line.replace("database_sync_to_async", "")]
    assert found == [], f"plain sync_to_async in the designer: {found}"
