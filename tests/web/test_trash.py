"""The trash's retention: reading never deletes. A design trashed more than DESIGNER_TRASH_DAYS
(30) ago is not found nor listed on any door, yet stays in the table until `manage.py
purge_trash` (designer.actions.do_purge_trash) deletes it."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from webhelpers import make_design

from designer.access import Actor, Need, access_design, trashed_designs
from designer.actions import do_purge_trash, do_restore_design
from designer.errors import DesignNotFound
from designer.models import Design, Membership, Revision, ShareLink

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def trash_since(design, **ago) -> None:
    Design.objects.filter(pk=design.pk).update(deleted_at=timezone.now() - dt.timedelta(**ago))


def table():
    return (
        list(Design.objects.order_by("pk").values_list("pk", "version", "deleted_at")),
        Revision.objects.count(), ShareLink.objects.count(), Membership.objects.count(),
    )


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_reading_the_trash_writes_nothing(world):
    """Reading the trash used to purge what was past retention: GET /api/trash deleted designs."""
    trash_since(world.design, days=31)
    recent = make_design(world.users["owner"], name="Recent")
    trash_since(recent, days=1)
    before = table()
    client = world.client("owner")
    with CaptureQueriesContext(connection) as api:
        listed = client.get("/api/trash")
    with CaptureQueriesContext(connection) as page:
        shown = client.get(reverse("trash"))
    assert [d["id"] for d in listed.json()] == [recent.pk]
    assert [item["design"].pk for item in shown.context["designs"]] == [recent.pk]
    # The session's own bookkeeping (last activity) is not a design write; designer tables only.
    assert [sql for sql in writes(api.captured_queries + page.captured_queries) if "designer_" in sql] == []
    assert table() == before


def test_an_expired_trashed_design_is_invisible_on_every_door_and_still_stored(world):
    trash_since(world.design, days=30, seconds=1)
    pk = world.design.pk
    before = table()
    owner = world.client("owner")
    api_answers = [
        owner.get(f"/api/designs/{pk}"),
        owner.get(f"/api/designs/{pk}/export"),
        owner.get(f"/api/designs/{pk}/revisions"),
        owner.get(f"/api/designs/{pk}/links"),
        owner.post(f"/api/designs/{pk}/restore", data="", content_type="application/json"),
    ]
    assert [a.status_code for a in api_answers] == [404] * len(api_answers)
    assert {json.dumps(a.json()) for a in api_answers} == {json.dumps(
        {"code": "design.not_found", "msg": "No such design.", "problems": []})}
    assert owner.get("/api/trash").json() == []
    pages = [
        owner.get(reverse("design_detail", args=[pk])),
        owner.get(reverse("design_export", args=[pk])),
        owner.post(reverse("design_restore", args=[pk])),
    ]
    assert [p.status_code for p in pages] == [404, 404, 404]
    assert owner.get(reverse("trash")).context["designs"] == []
    # The websocket's door is access_design itself (designer.consumers), trash door included.
    actor = Actor(world.users["owner"])
    for trashed in (False, True):
        with pytest.raises(DesignNotFound):
            access_design(actor, pk, Need.VIEW, trashed=trashed)
    assert list(trashed_designs(actor)) == []
    assert table() == before


def test_a_design_inside_retention_is_listed_and_restorable(world):
    trash_since(world.design, days=29, hours=23)
    owner = world.client("owner")
    assert [d["id"] for d in owner.get("/api/trash").json()] == [world.design.pk]
    answer = owner.post(f"/api/designs/{world.design.pk}/restore", data="", content_type="application/json")
    assert answer.status_code == 200
    assert Design.objects.get(pk=world.design.pk).deleted_at is None


def test_restore_refuses_a_design_whose_retention_ended_after_it_was_fetched(world):
    trash_since(world.design, days=1)
    actor = Actor(world.users["owner"])
    design = access_design(actor, world.design.pk, Need.OWNER, trashed=True).design
    trash_since(world.design, days=31)  # as if the door's fetch were a month ago
    with pytest.raises(DesignNotFound):
        do_restore_design(actor, design)
    assert Design.objects.get(pk=world.design.pk).deleted_at is not None


def test_purge_trash_command_deletes_only_what_is_past_retention(world):
    recent = make_design(world.users["owner"], name="Recent")
    alive = make_design(world.users["owner"], name="Alive")
    trash_since(world.design, days=31)
    trash_since(recent, days=29)
    out = StringIO()
    call_command("purge_trash", stdout=out)
    assert out.getvalue() == "Purged 1 design(s) from the trash.\n"
    assert sorted(Design.objects.values_list("name", flat=True)) == ["Alive", "Recent"]
    # The purged design's revisions, links and memberships went with it.
    assert not Revision.objects.filter(design_id=world.design.pk).exists()
    assert not ShareLink.objects.filter(design_id=world.design.pk).exists()
    assert not Membership.objects.filter(design_id=world.design.pk).exists()
    out = StringIO()
    call_command("purge_trash", stdout=out)
    assert out.getvalue() == "Purged 0 design(s) from the trash.\n"
    assert alive.pk in set(Design.objects.values_list("pk", flat=True))


def test_purge_counts_designs_across_batches(world, monkeypatch):
    from designer import actions

    designs = [make_design(world.users["owner"], name=f"Lab {i}") for i in range(4)]
    for design in [world.design, *designs[:3]]:
        trash_since(design, days=40)
    monkeypatch.setattr(actions, "PURGE_BATCH", 3)
    assert do_purge_trash() == 4
    assert list(Design.objects.values_list("pk", flat=True)) == [designs[3].pk]


def test_retention_follows_the_setting(world, settings):
    trash_since(world.design, days=8)
    settings.DESIGNER_TRASH_DAYS = 7
    assert list(trashed_designs(Actor(world.users["owner"]))) == []
    assert do_purge_trash() == 1
