"""An exported design downloads under one name, built once (`actions.export_filename`), whichever
door it leaves by: the API (`/api/designs/<id>/export`) and the page (`/designs/<id>/export/`)."""

import json

import pytest
from django.urls import reverse
from webhelpers import example_document, make_design, make_user

from designer import actions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name, expected", [
    ("Lab 1", "lab-1.json"),
    ("Café réseau", "cafe-reseau.json"),
    ("!!!", "design-{pk}.json"),
    ("a" * 200, "a" * 80 + ".json"),
    ("x" * 79 + " y", "x" * 79 + ".json"),  # a cut never leaves a trailing dash
])
def test_api_and_page_give_the_same_download_name(client, name, expected):
    owner = make_user("owner")
    design = make_design(owner, name=name)
    client.force_login(owner)
    api = client.get(f"/api/designs/{design.pk}/export")
    page = client.get(reverse("design_export", args=[design.pk]))
    filename = expected.format(pk=design.pk)
    assert actions.export_filename(design) == filename
    assert api["Content-Disposition"] == page["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert api.content == page.content == actions.export_design(design)


def _reversed_keys(value):
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


def test_the_export_does_not_depend_on_the_order_keys_were_stored_in(client):
    """PostgreSQL's jsonb keeps keys sorted by length, SQLite as written: the file is the same."""
    owner = make_user("owner")
    written = make_design(owner, name="Lab")
    reordered = make_design(owner, name="Lab", document=_reversed_keys(example_document()))
    client.force_login(owner)
    first = client.get(f"/api/designs/{written.pk}/export").content
    assert first == client.get(f"/api/designs/{reordered.pk}/export").content
    nodes = json.loads(first)["nodes"]
    assert all(list(node)[:2] == ["id", "kind"] for node in nodes)  # a node reads from its id and kind
    assert list(json.loads(first))[:2] == ["version", "name"]
