"""The editor's controls are reachable and named: axe finds no serious
violation with the properties form and the problems panel filled and the conflict banner shown,
in both themes; the palette and the toolbar work from the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_browser_a11y import violations
from test_editor_draw import doc, drag, new_design, snapshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_editor_panels_have_no_serious_violation(new_context, scheme):
    page = new_design(new_context(), f"Axe {scheme}")
    page.emulate_media(color_scheme=scheme)
    page.get_by_role("button", name="Add physical host", exact=True).click()
    page.get_by_role("button", name="Add virtual machine", exact=True).click()
    expect(page.locator("#problems-list li[data-code='check.nic_unconnected']").first).to_be_visible()
    expect(page.locator("#properties-body").get_by_label("MAC address")).to_be_visible()
    page.locator("#properties-body").get_by_label("MAC address").fill("bad")
    expect(page.locator("#properties-body .field-error").filter(has_text="MAC address:")).to_be_visible()
    assert violations(page) == []


def test_palette_and_toolbar_from_the_keyboard(new_context):
    page = new_design(new_context(), "Keyboard only")
    page.get_by_role("button", name="Undo", exact=True).focus()
    # Tab order: toolbar, then the palette; Enter on a palette button adds its node.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.kind") == "lan_switch":
            break
    else:
        pytest.fail("Tab never reached the palette's LAN switch button")
    page.keyboard.press("Enter")
    assert [n["kind"] for n in doc(page)["nodes"]] == ["lan_switch"]
    assert snapshot(page)["view"]["selected"] == ["switch1"]
    page.keyboard.press("Delete")
    assert doc(page)["nodes"] == []
    page.keyboard.press("Control+z")
    assert [n["id"] for n in doc(page)["nodes"]] == ["switch1"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_new_panel_rows_minimap_and_nic_picker_have_no_serious_violation(new_context, scheme):
    """Services, routes, NIC mode rows, the minimap and the open NIC picker, through axe."""
    page = new_design(new_context(), f"Axe rows {scheme}")
    page.emulate_media(color_scheme=scheme)
    page.get_by_role("button", name="Add physical host", exact=True).click()
    page.get_by_role("button", name="Add virtual machine", exact=True).click()
    panel = page.locator("#properties-body")
    panel.get_by_role("button", name="Add a NIC").click()
    panel.get_by_label("New service kind").select_option("dhcp")
    panel.get_by_role("button", name="Add a service").click()
    panel.get_by_role("button", name="Add a route").click()
    panel.get_by_label("Attachment mode (eth0)", exact=True).select_option("nat")
    panel.get_by_role("button", name="Add a port forward (eth0)").click()
    page.get_by_role("button", name="Minimap", exact=True).click()
    page.get_by_role("button", name="Add LAN switch", exact=True).click()
    expect(page.locator("#canvas canvas.minimap")).to_be_visible()
    assert violations(page) == []
    # The NIC picker, open: vm1 has two free NICs.
    page.get_by_role("button", name="Wire mode").click()
    drag(page, "vm1", "switch1")
    expect(page.get_by_role("menu", name="Which NIC of vm1?")).to_be_visible()
    assert violations(page) == []
    page.keyboard.press("Escape")
