"""The class overview socket (/ws/classes/<id>/, designer/lessons/live.py) through the composed ASGI
application, as a browser reaches it: the class's teacher only (a student of the class, a stranger,
anonymous and a missing class get the same close 4404); a student's join, start, save and
completion change are pushed to it; a logout closes it; its pushes are declared and documented."""

from __future__ import annotations

import re

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from webhelpers import ROOT, forget_live_state, stop_live_state

from config.asgi import application
from designer import actions
from designer.access import Actor
from designer.lessons import live
from designer.lessons.models import Attempt, Classroom
from designer.simulation.messages import CLASS_PUSHES
from simcore.lessons import instantiate, pack

GOOD_ORIGIN = "http://127.0.0.1:8000"
LIVE = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def live_test(fn):
    for mark in LIVE:
        fn = mark(fn)
    return fn


@pytest_asyncio.fixture(autouse=True)
async def _clean():
    forget_live_state()
    yield
    await stop_live_state()


def _setup():
    make = get_user_model().objects.create_user
    users = {n: make(n, password="pw-" + n + "-12345") for n in ("teacher", "ann", "stranger")}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    clients["anonymous"] = Client()
    clients["teacher"].post(reverse("class_list"), {"name": "Virtualization"})
    klass = Classroom.objects.get(teacher=users["teacher"])
    clients["teacher"].post(reverse("class_assign", args=[klass.pk]), {"activity": "nat-network"})
    clients["ann"].post(reverse("class_join"), {"code": klass.code})
    return users, clients, klass


def _cookie(client) -> str:
    if "sessionid" not in client.cookies:
        client.session.save()
    return client.cookies["sessionid"].value


async def _open(client, class_id: int) -> tuple[WebsocketCommunicator, dict]:
    cookie = await sync_to_async(_cookie)(client)
    comm = WebsocketCommunicator(application, f"/ws/classes/{class_id}/", headers=[
        (b"origin", GOOD_ORIGIN.encode()), (b"cookie", f"sessionid={cookie}".encode()), (b"host", b"127.0.0.1:8000")])
    connected, _ = await comm.connect()
    assert connected
    return comm, await comm.receive_output(timeout=5)


@live_test
@pytest.mark.parametrize("who", ["teacher", "ann", "stranger", "anonymous", "missing"])
async def test_only_the_teacher_gets_the_class_socket(who):
    _, clients, klass = await sync_to_async(_setup)()
    comm, first = await _open(clients["teacher" if who == "missing" else who], klass.pk + (1000 if who == "missing" else 0))
    try:
        if who == "teacher":
            assert first["type"] == "websocket.send" and '"class.hello"' in first["text"]
            await comm.send_json_to({"type": "ping"})
            assert (await comm.receive_json_from(timeout=5))["code"] == "ws.unknown_type"
        else:
            assert first == {"type": "websocket.close", "code": live.CLOSE_NOT_FOUND}
    finally:
        await comm.disconnect()


@live_test
async def test_a_students_start_and_completion_are_pushed_to_the_teacher():
    users, clients, klass = await sync_to_async(_setup)()
    comm, hello = await _open(clients["teacher"], klass.pk)
    try:
        assert '"class.hello"' in hello["text"]
        ann = clients["ann"]
        await sync_to_async(ann.post)(reverse("class_start", args=[klass.pk, "nat-network"]))
        assert await comm.receive_json_from(timeout=5) == {"type": "class.changed"}
        attempt = await sync_to_async(Attempt.objects.select_related("design").get)(owner=users["ann"])
        # the student's page asks for the Check: 0%, recorded, pushed once
        score = await sync_to_async(ann.get)(reverse("activity_score", args=[attempt.design_id]))
        assert score.json()["percent"] == 0
        assert await comm.receive_json_from(timeout=5) == {
            "type": "class.completion", "student": "ann", "activity": "nat-network", "design": attempt.design_id,
            "percent": 0}
        await sync_to_async(ann.get)(reverse("activity_score", args=[attempt.design_id]))
        assert await comm.receive_nothing(timeout=0.3)  # unchanged: nothing pushed
        solution = instantiate(pack.shipped().activities["nat-network"], attempt.seed)["solution"]
        await sync_to_async(actions.do_update_design)(Actor(users["ann"]), attempt.design, base_version=1,
                                                      document=dict(solution, name=attempt.design.name))
        # saved (a new revision of the copy): the overview is told to ask for its table
        assert await comm.receive_json_from(timeout=5) == {"type": "class.changed"}
        await sync_to_async(ann.get)(reverse("activity_score", args=[attempt.design_id]))
        pushed = await comm.receive_json_from(timeout=10)
        assert (pushed["type"], pushed["student"], pushed["percent"]) == ("class.completion", "ann", 100)
    finally:
        await comm.disconnect()


@live_test
async def test_a_teacher_holds_at_most_ten_class_sockets():
    _, clients, klass = await sync_to_async(_setup)()
    opened = []
    try:
        for _ in range(live.limits.MAX_SOCKETS_PER_USER):
            comm, hello = await _open(clients["teacher"], klass.pk)
            opened.append(comm)
            assert '"class.hello"' in hello["text"]
        comm, refused = await _open(clients["teacher"], klass.pk)
        opened.append(comm)
        assert '"ws.too_many_sockets"' in refused["text"]
        assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": live.CLOSE_TOO_MANY}
        await opened[0].disconnect()  # one closed: one more may open
        comm, hello = await _open(clients["teacher"], klass.pk)
        opened.append(comm)
        assert '"class.hello"' in hello["text"]
    finally:
        for comm in opened[1:]:
            await comm.disconnect()
    assert live._OPEN == {}


@live_test
async def test_a_logout_closes_the_class_socket():
    _, clients, klass = await sync_to_async(_setup)()
    comm, hello = await _open(clients["teacher"], klass.pk)
    try:
        assert '"class.hello"' in hello["text"]
        await sync_to_async(clients["teacher"].post)(reverse("logout"))
        assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": live.CLOSE_NOT_FOUND}
    finally:
        await comm.disconnect()


def test_the_pushes_are_handled_and_documented():
    handled = {name.replace("_", ".") for name in vars(live.ClassOverviewConsumer) if name.startswith("class_")}
    assert handled == set(CLASS_PUSHES) - {"class.hello"}
    page = (ROOT / "docs" / "websocket-protocol.md").read_text()
    section = page.split("## The class overview socket", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"`(class\.[a-z]+)`", section)) == set(CLASS_PUSHES)
