"""The designs API: create, get, list, update, trash/restore, duplicate, export, validate."""

import json

import pytest
from webhelpers import example_document, make_design, make_user

from designer.models import Design, Revision

pytestmark = pytest.mark.django_db


def put(client, design_id, body):
    return client.put(f"/api/designs/{design_id}", data=json.dumps(body), content_type="application/json")


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body) if body is not None else "", content_type="application/json")


def test_owner_creates_a_design_with_revision_1(world):
    client = world.client("owner")
    response = post(client, "/api/designs", {"name": "My lab", "document": example_document()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["version"], body["role"], body["owner"]) == ("My lab", 1, "owner", "owner")
    assert body["document"]["name"] == "My lab"
    design = Design.objects.get(pk=body["id"])
    assert list(design.revisions.values_list("number", "note")) == [(1, "Created")]


def test_create_without_document_starts_empty(world):
    response = post(world.client("owner"), "/api/designs", {"name": "Blank"})
    assert response.status_code == 201
    assert response.json()["document"]["nodes"] == []


def test_anonymous_cannot_create(world):
    response = post(world.client("anonymous"), "/api/designs", {"name": "x"})
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


@pytest.mark.parametrize(
    "scope, role, expected",
    [
        ("mine", "owner", ["Lab 1"]),
        ("mine", "editor", []),
        ("shared", "editor", ["Lab 1"]),
        ("shared", "viewer", ["Lab 1"]),
        ("shared", "link_viewer", ["Lab 1"]),
        ("shared", "revoked_link", []),
        ("shared", "expired_link", []),
        ("shared", "stranger", []),
        ("shared", "owner", []),
        ("mine", "anonymous", []),
    ],
)
def test_list_scopes(world, scope, role, expected):
    response = world.client(role).get(f"/api/designs?scope={scope}")
    assert response.status_code == 200
    assert [d["name"] for d in response.json()] == expected


def test_examples_are_listed_for_everyone(world):
    world.design.is_example = True
    world.design.save()
    response = world.client("anonymous").get("/api/designs?scope=examples")
    assert [(d["name"], d["role"]) for d in response.json()] == [("Lab 1", "viewer")]


def test_update_bumps_version_and_writes_revision(world, document):
    document["nodes"][0]["ram_mb"] = 32768
    response = put(world.client("editor"), world.design.pk, {"base_version": 1, "document": document})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["role"] == "editor"
    revision = Revision.objects.get(design=world.design, number=2)
    assert revision.author.username == "editor"
    assert revision.document["nodes"][0]["ram_mb"] == 32768


def test_update_with_stale_version_is_409_and_changes_nothing(world, document):
    before = Design.objects.get(pk=world.design.pk).document
    response = put(world.client("owner"), world.design.pk, {"base_version": 7, "document": document, "name": "x"})
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["current_version"]) == ("design.version_conflict", 1)
    after = Design.objects.get(pk=world.design.pk)
    assert (after.document, after.name, after.version) == (before, "Lab 1", 1)


def test_rename_mirrors_into_document(world):
    response = put(world.client("owner"), world.design.pk, {"base_version": 1, "name": "Renamed"})
    assert response.status_code == 200
    assert response.json()["document"]["name"] == "Renamed"


def test_invalid_document_is_422_with_problems(world):
    response = put(world.client("owner"), world.design.pk, {"base_version": 1, "document": {"version": 1}})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "design.invalid"
    assert body["problems"] and all({"code", "path", "msg"} <= set(p) for p in body["problems"])
    assert Design.objects.get(pk=world.design.pk).version == 1


def test_trash_then_restore(world):
    client = world.client("owner")
    assert client.delete(f"/api/designs/{world.design.pk}").status_code == 200
    assert client.get(f"/api/designs/{world.design.pk}").status_code == 404
    assert [d["id"] for d in client.get("/api/trash").json()] == [world.design.pk]
    assert world.client("editor").get(f"/api/designs/{world.design.pk}").status_code == 404
    assert post(client, f"/api/designs/{world.design.pk}/restore").status_code == 200
    assert client.get(f"/api/designs/{world.design.pk}").status_code == 200
    assert client.get("/api/trash").json() == []


def test_duplicate_of_a_read_only_share_is_owned_by_the_copier(world):
    response = post(world.client("viewer"), f"/api/designs/{world.design.pk}/duplicate")
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["owner"], body["role"], body["version"]) == ("Copy of Lab 1", "viewer", "owner", 1)
    assert body["document"]["nodes"] == world.design.document["nodes"]


def test_anonymous_link_viewer_cannot_duplicate(world):
    response = post(world.client("link_viewer"), f"/api/designs/{world.design.pk}/duplicate")
    assert response.status_code == 401


def test_export_is_the_document(world):
    response = world.client("viewer").get(f"/api/designs/{world.design.pk}/export")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="lab-1.json"'
    assert json.loads(response.content) == Design.objects.get(pk=world.design.pk).document


def test_validate_a_document(world, document):
    response = post(world.client("anonymous"), "/api/validate", document)
    assert response.status_code == 200, response.content
    assert response.json()["problems"] == []


def test_validate_reports_schema_problems(world):
    response = post(world.client("anonymous"), "/api/validate", {"version": 1, "nodes": [{"id": "1bad", "kind": "vm"}]})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert any(p["path"].startswith("nodes[0]") for p in body["problems"])


def test_validate_stored_design(world):
    response = world.client("viewer").get(f"/api/designs/{world.design.pk}/validate")
    assert response.status_code == 200
    assert response.json()["problems"] == []


def test_huge_design_id_is_404_not_500(world):
    assert world.client("owner").get("/api/designs/99999999999999999999999").status_code == 404


def test_second_user_design_not_visible(db):
    alice, bob = make_user("alice"), make_user("bob")
    design = make_design(alice)
    from django.test import Client

    client = Client()
    client.force_login(bob)
    response = client.get(f"/api/designs/{design.pk}")
    assert response.status_code == 404
    assert response.json() == {"code": "design.not_found", "msg": "No such design.", "problems": []}
