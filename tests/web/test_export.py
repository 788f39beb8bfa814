"""An exported design downloads under one name, built once (`actions.export_filename`), whichever
door it leaves by: the API (`/api/designs/<id>/export`) and the page (`/designs/<id>/export/`)."""

import pytest
from django.urls import reverse
from webhelpers import make_design, make_user

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
