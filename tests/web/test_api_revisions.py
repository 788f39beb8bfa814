"""Revisions: every save is one; restoring an old one writes a NEW revision with its content."""

import json

import pytest

from designer.models import Design, Revision

pytestmark = pytest.mark.django_db


def put(client, design_id, body):
    return client.put(f"/api/designs/{design_id}", data=json.dumps(body), content_type="application/json")


def test_restore_revision_creates_a_new_revision(world, document):
    client = world.client("owner")
    pk = world.design.pk
    document["nodes"][1]["aging_s"] = 60
    assert put(client, pk, {"base_version": 1, "document": document, "name": "Second"}).status_code == 200
    assert put(client, pk, {"base_version": 2, "name": "Third"}).status_code == 200

    answer = client.post(f"/api/designs/{pk}/revisions/1/restore")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["version"], body["name"]) == (4, "Lab 1")
    assert "aging_s" not in body["document"]["nodes"][1]

    listed = client.get(f"/api/designs/{pk}/revisions").json()
    assert [(r["number"], r["name"], r["note"]) for r in listed] == [
        (4, "Lab 1", "Restored revision 1"), (3, "Third", ""), (2, "Second", ""), (1, "Lab 1", "Created")]
    assert Revision.objects.get(design_id=pk, number=4).document == Revision.objects.get(design_id=pk, number=1).document
    assert Design.objects.get(pk=pk).document == Revision.objects.get(design_id=pk, number=1).document


def test_show_revision(world):
    answer = world.client("viewer").get(f"/api/designs/{world.design.pk}/revisions/1")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["number"], body["author"], body["name"]) == (1, "owner", "Lab 1")
    assert body["document"]["nodes"][0]["id"] == "hv"


@pytest.mark.parametrize("number", [0, 2, 99, 2**40])
def test_missing_revision_is_404(world, number):
    client = world.client("owner")
    assert client.get(f"/api/designs/{world.design.pk}/revisions/{number}").json()["code"] == "revision.not_found"
    answer = client.post(f"/api/designs/{world.design.pk}/revisions/{number}/restore")
    assert answer.status_code == 404
    assert Design.objects.get(pk=world.design.pk).version == 1


def test_viewer_cannot_restore(world):
    answer = world.client("viewer").post(f"/api/designs/{world.design.pk}/revisions/1/restore")
    assert answer.status_code == 404
    assert Revision.objects.filter(design=world.design).count() == 1
