"""The role x message matrix of the design websocket, generated from the message table
(`designer.simulation.messages.MESSAGES`), as test_permission_matrix.py is from the URLconf.

- every handler of a client message (the consumer's `@handles` methods, the run worker's
  `@command` methods) has a row, and every row its handler: a type left out of the table fails
  `test_every_handler_has_a_row_and_every_row_a_handler`;
- every row x every role is one cell, sent through the composed ASGI application as a browser
  sends it, on a design whose owner has a paused run going. The cell is allowed exactly when the
  role's level meets the row's need. A refusal is the row's `forbidden.*` error for a role that
  can still see the design, and close 4404 for one that cannot; either way nothing changes: not
  the database, not the run (its id, status, instant, stream position, speed, action log).

A role that cannot see the design never gets a socket (4404 at connect, test_websocket.py); its
cells are run on a socket opened by a viewer whose session then becomes that role's, as when a
session changes under an open socket: the check on every message must see it at once.
"""

from __future__ import annotations

import asyncio
import re
from importlib import import_module

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from webhelpers import ROOT, build_world, forget_live_state, stop_live_state

from config.asgi import application
from designer import consumers
from designer.access import Need
from designer.models import Design, Membership, Revision, ShareLink
from designer.simulation.messages import CONSUMER, MESSAGES, REFUSALS, WORKER, validate
from designer.simulation.registry import REGISTRY
from designer.simulation.worker import COMMANDS

GOOD_ORIGIN = "http://127.0.0.1:8000"
# What each role may do on the design (webhelpers.build_world); 0: it may not even see it.
LEVELS = {"owner": Need.OWNER, "editor": Need.EDIT, "link_editor": Need.EDIT, "link_viewer": Need.VIEW,
          "viewer": Need.VIEW, "stranger": 0, "anonymous": 0}
ROLE_NAMES = {Need.OWNER: "owner", Need.EDIT: "editor", Need.VIEW: "viewer"}
# Worker commands no client message reaches, each with what reaches it instead.
SERVER_COMMANDS = {"pcap": "the HTTP capture download (designer/api/runs.py, tests/web/test_sim_pcap.py)"}

CELLS = [(kind, role) for kind in MESSAGES for role in LEVELS]


def allowed(kind: str, role: str) -> bool:
    need = MESSAGES[kind].need
    return need is None or LEVELS[role] >= need


# ------------------------------------------------------------------ the table itself


def test_every_handler_has_a_row_and_every_row_a_handler():
    rows = {side: {row.handler for row in MESSAGES.values() if row.by == side} for side in (CONSUMER, WORKER)}
    assert set(consumers.CLIENT_HANDLERS) == rows[CONSUMER]
    assert set(COMMANDS) - set(SERVER_COMMANDS) == rows[WORKER]
    assert all(row.by in (CONSUMER, WORKER) for row in MESSAGES.values())


def test_every_row_is_well_formed():
    for kind, row in MESSAGES.items():
        assert row.type == kind and row.handler == kind.replace(".", "_")
        assert row.need is None or row.need in Need, kind
        # A need above VIEW must say how a weaker role is refused; VIEW rows are never refused so.
        assert (row.refusal in REFUSALS) if row.need is not None and row.need > Need.VIEW else row.refusal is None, kind
        assert validate({"type": kind, **row.example, "ref": 1}) is not None


def test_the_matrix_covers_every_row_and_role():
    assert {kind for kind, _ in CELLS} == set(MESSAGES)
    assert all(sorted(role for k, role in CELLS if k == kind) == sorted(LEVELS) for kind in MESSAGES)
    assert any(allowed(kind, role) for kind, role in CELLS) and any(not allowed(k, r) for k, r in CELLS)


def test_the_protocol_page_documents_every_row():
    page = (ROOT / "docs" / "websocket-protocol.md").read_text()
    section = page.split("## Messages from the client", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z.]+)`(?: / `([a-z.]+)`)?", section, re.M))
    assert {kind for pair in documented for kind in pair if kind} == set(MESSAGES)


# ------------------------------------------------------------------ the cells


@pytest_asyncio.fixture
async def clean_runs():
    forget_live_state()
    yield
    await stop_live_state()


def session_cookie(world, role: str) -> str:
    client = world.client(role)
    if "sessionid" not in client.cookies:
        client.session.save()
    return client.cookies["sessionid"].value


def become(world, cookie: str, role: str) -> None:
    """The session behind `cookie` now holds what `role`'s session holds."""
    data = dict(world.client(role).session.items())
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie)
    session.clear()
    session.update(data)
    session.save()


def database_state():
    return (
        list(Design.objects.order_by("pk").values_list("pk", "version", "name", "document", "deleted_at")),
        list(ShareLink.objects.order_by("pk").values_list("pk", "role", "revoked_at")),
        list(Revision.objects.order_by("pk").values_list("pk", "number")),
        list(Membership.objects.order_by("pk").values_list("pk", "user_id", "role")),
    )


async def state(world):
    run = REGISTRY.get(world.design.pk)
    kept = None if run is None else (run.run_id, *(run.state[k] for k in ("status", "t", "seq", "speed", "actions")),
                                     list(run.log))
    return await sync_to_async(database_state)(), kept


async def connect(world, role: str) -> WebsocketCommunicator:
    cookie = await sync_to_async(session_cookie)(world, role)
    comm = WebsocketCommunicator(application, f"/ws/designs/{world.design.pk}/", headers=[
        (b"origin", GOOD_ORIGIN.encode()), (b"cookie", f"sessionid={cookie}".encode()), (b"host", b"127.0.0.1:8000")])
    comm.cookie = cookie
    assert (await comm.connect())[0]
    hello = await comm.receive_json_from(timeout=5)
    assert hello["type"] == "design.hello", hello
    comm.role = hello["design"]["role"]
    return comm


async def receive_until(comm, predicate, timeout: float = 10.0) -> list[dict]:
    got = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not got or not predicate(got[-1]):
        got.append(await comm.receive_json_from(timeout=max(0.01, deadline - loop.time())))
    return got


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind, role", CELLS, ids=[f"{kind}-{role}" for kind, role in CELLS])
async def test_cell(kind, role, clean_runs):
    world = await sync_to_async(build_world)()
    sockets = [await connect(world, "owner")]
    try:
        await run_cell(world, sockets, kind, role)
    finally:  # every consumer ends in this test's event loop (channels-redis keeps a receive lock)
        for comm in sockets:
            await comm.disconnect()


async def run_cell(world, sockets: list, kind: str, role: str) -> None:
    row = MESSAGES[kind]
    await sockets[0].send_json_to({"type": "run.start", "paused": True})
    await receive_until(sockets[0], lambda m: m["type"] == "run.seeked" and m["started"])
    sees = LEVELS[role] >= Need.VIEW
    comm = await connect(world, role if sees else "viewer")
    sockets.append(comm)
    assert comm.role == ROLE_NAMES[LEVELS[role] if sees else Need.VIEW]
    joined = await comm.receive_json_from(timeout=5)
    assert joined["type"] == "run.state"  # the run going, for a joiner
    for _ in range(joined["tables_parts"]):  # then its tables, in pages
        assert (await comm.receive_json_from(timeout=5))["type"] == "tables"
    if not sees:
        await sync_to_async(become)(world, comm.cookie, role)
    before = await state(world)

    await comm.send_json_to({"type": kind, **row.example, "ref": "cell"})
    if not sees:
        if allowed(kind, role):  # no check, no answer, the socket stays
            assert await comm.receive_nothing(timeout=0.3)
        else:
            assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4404}
            assert await state(world) == before
        return
    # A message every role that sees the design may send, answered with its ref: everything the
    # cell's message caused on this socket came before its answer.
    await comm.send_json_to({"type": "events.fetch", "after_seq": 0, "ref": "fence"})
    got = (await receive_until(comm, lambda m: m.get("ref") == "fence"))[:-1]
    # A joiner gets the run's tables as snapshot pages after run.state (and a seek sends them
    # again): the run's view, not an answer to the cell's message.
    got = [m for m in got if not (m["type"] == "tables" and m.get("snapshot"))]
    errors = [m for m in got if m["type"] == "error"]
    if allowed(kind, role):
        assert [e["code"] for e in errors if not e["code"].startswith("run.")] == [], errors
        if kind == "events.ack":
            assert got == []
    else:
        code, msg = REFUSALS[row.refusal]
        assert got == [{"type": "error", "code": code, "msg": msg, "problems": [], "ref": "cell"}]
        assert await state(world) == before
