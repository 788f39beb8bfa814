"""Design names at the API refuse control and text-direction characters, saying which and where;
nothing is saved."""

import io
import json

import pytest
from webhelpers import example_document

from designer.models import Design

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name, shown", [("Lab\u202e1", "U+202E (RIGHT-TO-LEFT OVERRIDE) at position 4"),
                                         ("Lab\x1b[2J", "U+001B (ESCAPE) at position 4"),
                                         ("A\tB", "U+0009 (TAB) at position 2"),
                                         ("x\u2067y", "U+2067 (RIGHT-TO-LEFT ISOLATE) at position 2")])
def test_create_and_rename_refuse_the_character_and_name_it(world, name, shown):
    client = world.client("owner")
    before = (Design.objects.count(), world.design.name)
    created = client.post("/api/designs", data=json.dumps({"name": name}), content_type="application/json")
    assert created.status_code == 422
    assert shown in created.json()["msg"]
    assert created.json()["problems"][0]["code"] == "name.control_character"
    renamed = client.put(f"/api/designs/{world.design.pk}", data=json.dumps(
        {"base_version": world.design.version, "name": name}), content_type="application/json")
    assert renamed.status_code == 422 and shown in renamed.json()["msg"]
    world.design.refresh_from_db()
    assert (Design.objects.count(), world.design.name) == before


def test_an_imported_node_name_with_an_override_is_refused(world):
    doc = example_document()
    doc["nodes"][0]["name"] = "gw\u202egnp.exe"
    upload = io.BytesIO(json.dumps(doc).encode())
    upload.name = "lab.json"
    answer = world.client("owner").post("/api/designs/import", {"file": upload})
    assert answer.status_code == 422
    problem = answer.json()["problems"][0]
    assert problem["code"] == "schema.control_character" and problem["path"] == "nodes[0].name"
    assert "U+202E" in problem["msg"] and "position 3" in problem["msg"]
