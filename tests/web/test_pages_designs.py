"""Design pages with the Django client: home lists, the design page, create, import, export, copy,
delete to the trash and restore. Each forbidden case answers the same 404 with no design data."""

import json
import re
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from designer import actions
from designer.access import Actor
from designer.models import Design
from designer.pages import summary

pytestmark = pytest.mark.django_db
EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "examples" / "internal-switch.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text())
SECRET_NAME = "Zanzibar secret lab"


@pytest.fixture
def users():
    make = get_user_model().objects.create_user
    return {name: make(name, password="pw-" + name + "-12345") for name in ("owner", "member", "stranger")}


@pytest.fixture
def design(users):
    return actions.do_create_design(users["owner"], name=SECRET_NAME, description="Hidden", document=EXAMPLE)


def signed_in(client, user):
    client.force_login(user)
    return client


def test_home_lists_my_designs_shared_ones_and_examples(client, users, design):
    example = actions.do_upsert_example(slug="internal-switch", document=EXAMPLE, owner=users["stranger"])
    actions.do_add_member(Actor(users["owner"]), design, users["member"], "viewer")
    page = signed_in(client, users["member"]).get(reverse("home"))
    assert page.status_code == 200
    assert [d.pk for d in page.context["mine"]] == []
    assert [(d.pk, role) for d, role in page.context["shared"]] == [(design.pk, "viewer")]
    assert [d.pk for d in page.context["examples"]] == [example.pk]
    html = page.content.decode()
    assert html.count('<svg class="thumb"') == 2  # one drawn thumbnail per card
    assert f'href="/designs/{design.pk}/"' in html


def test_home_for_anonymous_shows_examples_and_no_private_design(client, users, design):
    html = client.get(reverse("home")).content.decode()
    assert "Sign up" in html and SECRET_NAME not in html


def test_design_page_carries_the_document_and_loads_the_bundle(client, users, design):
    page = signed_in(client, users["owner"]).get(reverse("design_detail", args=[design.pk]))
    html = page.content.decode()
    embedded = re.search(r'<script id="design-document" type="application/json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(embedded) == design.document
    assert re.search(r'<script type="module" src="/static/dist/editor\.js">', html)
    assert page.context["role_label"] == "owner"
    assert [row.id for row in page.context["node_rows"]] == ["hv", "intnet", "vm1", "vm2", "vm3"]
    assert [(r.a, r.b) for r in page.context["link_rows"]][0] == ("vm1 eth0", "intnet")
    for control in ("Share", "Delete", "Revisions", "Export"):
        assert f">{control}</a>" in html


def test_member_viewer_sees_no_owner_controls(client, users, design):
    actions.do_add_member(Actor(users["owner"]), design, users["member"], "viewer")
    html = signed_in(client, users["member"]).get(reverse("design_detail", args=[design.pk])).content.decode()
    assert ">Share</a>" not in html and ">Delete</a>" not in html
    assert "Read-only view." in html


@pytest.mark.parametrize("name", ["design_detail", "design_export", "design_revisions", "design_delete", "design_share"])
def test_stranger_gets_the_same_404_as_for_a_missing_design(client, users, design, name):
    signed_in(client, users["stranger"])
    forbidden = client.get(reverse(name, args=[design.pk]))
    missing = client.get(reverse(name, args=[design.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content
    assert SECRET_NAME.encode() not in forbidden.content


def test_new_design_is_created_and_opened(client, users):
    answer = signed_in(client, users["owner"]).post(reverse("design_new"), {"name": "My lab"})
    design = Design.objects.get(owner=users["owner"])
    assert answer.status_code == 302 and answer["Location"] == f"/designs/{design.pk}/"
    assert (design.name, design.document["nodes"], design.version) == ("My lab", [], 1)


def test_import_creates_a_design_from_the_file(client, users):
    upload = SimpleUploadedFile("lab.json", EXAMPLE_PATH.read_bytes(), content_type="application/json")
    answer = signed_in(client, users["owner"]).post(reverse("design_import"), {"file": upload})
    design = Design.objects.get(owner=users["owner"])
    assert answer["Location"] == f"/designs/{design.pk}/"
    assert design.document["nodes"] == EXAMPLE["nodes"]


@pytest.mark.parametrize(
    "content, status, sentence",
    [
        (b'{"version": 1, "nodes": [], "nodes": []}', 400, "Not acceptable JSON"),
        (b'{"version": 1, "nodes": [{"id": "a", "kind": "vm", "x": NaN}]}', 400, "Not acceptable JSON"),
        (b"[1, 2]", 422, "An imported file holds one design document: a JSON object."),
        (b'{"version": 1, "nodes": [{"id": "a", "kind": "teapot"}]}', 422, "The design document has"),
        (b"\xff\xfe", 400, "The body is not UTF-8 text"),
    ],
)
def test_import_of_a_bad_file_says_why_and_saves_nothing(client, users, content, status, sentence):
    upload = SimpleUploadedFile("bad.json", content, content_type="application/json")
    answer = signed_in(client, users["owner"]).post(reverse("design_import"), {"file": upload})
    assert answer.status_code == status
    assert sentence in answer.content.decode()
    assert not Design.objects.exists()


def test_export_downloads_the_stored_document(client, users, design):
    answer = signed_in(client, users["owner"]).get(reverse("design_export", args=[design.pk]))
    assert answer["Content-Disposition"] == 'attachment; filename="zanzibar-secret-lab.json"'
    design.refresh_from_db()  # as stored: PostgreSQL's jsonb keeps its own key order
    assert answer.content == actions.export_design(design)
    assert json.loads(answer.content) == EXAMPLE | {"name": SECRET_NAME, "description": "Hidden"}


def test_make_a_copy_of_an_example_as_a_stranger(client, users):
    example = actions.do_upsert_example(slug="internal-switch", document=EXAMPLE, owner=users["owner"])
    answer = signed_in(client, users["stranger"]).post(reverse("design_copy", args=[example.pk]))
    copy = Design.objects.get(owner=users["stranger"])
    assert answer["Location"] == f"/designs/{copy.pk}/"
    assert (copy.name, copy.is_example, copy.document["nodes"]) == ("Copy of Internal switch", False, EXAMPLE["nodes"])


def test_copy_needs_an_account(client, users):
    example = actions.do_upsert_example(slug="internal-switch", document=EXAMPLE, owner=users["owner"])
    answer = client.post(reverse("design_copy", args=[example.pk]))
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert Design.objects.count() == 1


def test_delete_asks_first_then_trashes_and_restore_brings_it_back(client, users, design):
    signed_in(client, users["owner"])
    confirm = client.get(reverse("design_delete", args=[design.pk]))
    assert "Move to trash" in confirm.content.decode()
    design.refresh_from_db()
    assert design.deleted_at is None  # a GET changes nothing

    assert client.post(reverse("design_delete", args=[design.pk]))["Location"] == "/"
    design.refresh_from_db()
    assert design.deleted_at is not None
    assert client.get(reverse("design_detail", args=[design.pk])).status_code == 404
    trash = client.get(reverse("trash"))
    assert [item["design"].pk for item in trash.context["designs"]] == [design.pk]

    assert client.post(reverse("design_restore", args=[design.pk]))["Location"] == f"/designs/{design.pk}/"
    design.refresh_from_db()
    assert design.deleted_at is None


def test_only_the_owner_sees_or_restores_a_trashed_design(client, users, design):
    actions.do_add_member(Actor(users["owner"]), design, users["member"], "editor")
    actions.do_trash_design(Actor(users["owner"]), design)
    signed_in(client, users["member"])
    assert client.get(reverse("trash")).context["designs"] == []
    assert client.post(reverse("design_restore", args=[design.pk])).status_code == 404
    design.refresh_from_db()
    assert design.deleted_at is not None


def test_design_page_lists_the_design_checks(client, users):
    document = json.loads(json.dumps(EXAMPLE))
    document["nodes"][3]["nics"][0]["ip"] = "192.168.56.11/24"  # vm2 takes vm1's address
    design = actions.do_create_design(users["owner"], name="Conflict", document=document)
    page = signed_in(client, users["owner"]).get(reverse("design_detail", args=[design.pk]))
    assert [(p["code"], p["severity"], p["path"]) for p in page.context["problems"]] == [
        ("check.duplicate_ip", "error", "nodes[3].nics[0].ip")
    ]
    assert '<li data-code="check.duplicate_ip"><strong>error</strong>: eth0 of vm1 and eth0 of vm2 both use' in page.content.decode()


def test_design_page_of_a_sound_design_says_no_problems(client, users, design):
    page = signed_in(client, users["owner"]).get(reverse("design_detail", args=[design.pk]))
    assert page.context["problems"] == []
    assert "No problems found." in page.content.decode()


def test_checks_are_computed_once_per_document(client, users, monkeypatch):
    # A document of its own (the cache is content-addressed and, with REDIS_URL, outlives a
    # test run): no other test or earlier run can have computed it.
    document = json.loads(json.dumps(EXAMPLE))
    document["nodes"][2]["guest_os"] = f"Debian 13 {uuid.uuid4().hex}"
    design = actions.do_create_design(users["owner"], name="Cached", document=document)
    calls = []
    real = summary.design_problems
    monkeypatch.setattr(summary, "design_problems", lambda doc: calls.append(1) or real(doc))
    signed_in(client, users["owner"])
    for _ in range(3):
        client.get(reverse("design_detail", args=[design.pk]))
    assert len(calls) == 1
    document["nodes"][2]["ram_mb"] = 2048
    actions.do_update_design(Actor(users["owner"]), design, base_version=1, document=document)
    client.get(reverse("design_detail", args=[design.pk]))
    assert len(calls) == 2
