"""The container's image picker: the registries' catalogue (simcore/design/images.json) offered as
suggestions on the Image field, those that run on the host's kernel first; a design check refuses
a Windows image on a Linux host."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_editor_draw import doc, new_design, palette

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def test_the_image_field_suggests_the_catalogue(new_context, tmp_path):
    page = new_design(new_context(), "Image picker")
    palette(page, "physical host").click()
    palette(page, "container").click()
    page.evaluate("() => window.designer.select(['ct1'])")
    panel = page.locator("#properties-body")
    field = panel.get_by_label("Image", exact=True)
    list_id = field.get_attribute("list")
    assert list_id
    options = page.locator(f"datalist#{list_id} option")
    rows = json.loads((ROOT / "simcore" / "design" / "images.json").read_text())["images"]
    assert options.count() == len(rows)
    values = options.evaluate_all("(os) => os.map((o) => o.value)")
    assert values[:1] == ["images:ubuntu/24.04"] and "nginx:1.27" in values
    assert values[-1] == "mcr.microsoft.com/windows/servercore:ltsc2022" or "windows" in values[-1]
    field.fill("nginx:1.27")
    field.press("Tab")
    assert next(n for n in doc(page)["nodes"] if n["id"] == "ct1")["image"] == "nginx:1.27"
    field.focus()
    field.fill("")
    page.screenshot(path=str(tmp_path / "picker.png"))
    expect(field).to_have_attribute("aria-invalid", "false")
