"""Canvas gestures and the page's safety nets: palette drag and drop, a move as one undo step,
Escape cancelling a drag, a VM, a DHCP server and a NAT network dropped on another host, the
problems panel selecting what a finding is about, and unsaved work kept in localStorage and
offered back after a failed save.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_editor_draw import doc, drag, new_design, palette, screen_point, snapshot, wait_saved

pytestmark = pytest.mark.browser


def position(page, node_id: str) -> dict:
    return next(n for n in doc(page)["nodes"] if n["id"] == node_id).get("position")


def test_palette_drop_places_a_vm_into_the_host_under_it(new_context):
    page = new_design(new_context(), "Drops")
    palette(page, "physical host").click()
    palette(page, "physical host").click()
    x, y = screen_point(page, "host2")
    box = page.locator("#canvas").bounding_box()
    palette(page, "virtual machine").drag_to(page.locator("#canvas"), target_position={"x": x - box["x"], "y": y - box["y"]})
    vm = next(n for n in doc(page)["nodes"] if n["id"] == "vm1")
    assert vm["host"] == "host2"
    assert {n["id"]: n["parent"] for n in snapshot(page)["view"]["nodes"]}["vm1"] == "host2"


def test_a_drag_is_one_undo_step_and_escape_cancels_it(new_context):
    page = new_design(new_context(), "Moves")
    palette(page, "LAN switch").click()
    start = position(page, "switch1")
    x, y = screen_point(page, "switch1")
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(x + 5 * i, y + 3 * i)
    page.mouse.up()
    zoom = snapshot(page)["view"]["zoom"]
    moved = position(page, "switch1")
    assert moved == {"x": round(start["x"] + 100 / zoom), "y": round(start["y"] + 60 / zoom)}
    page.keyboard.press("Control+z")
    assert position(page, "switch1") == start
    page.keyboard.press("Control+y")
    assert position(page, "switch1") == moved
    # Escape in the middle of a drag: the node goes back, nothing is recorded.
    x, y = screen_point(page, "switch1")
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x - 8 * i, y)
    page.keyboard.press("Escape")
    page.mouse.up()
    assert position(page, "switch1") == moved
    view = next(n for n in snapshot(page)["view"]["nodes"] if n["id"] == "switch1")["position"]
    assert (round(view["x"]), round(view["y"])) == (moved["x"], moved["y"])
    page.keyboard.press("Control+z")
    assert position(page, "switch1") == start


def test_a_vm_dragged_onto_another_host_moves_there_in_one_step(new_context):
    page = new_design(new_context(), "Rehome")
    palette(page, "physical host").click()
    palette(page, "physical host").click()
    page.evaluate("() => window.designer.select(['host1'])")
    palette(page, "virtual machine").click()
    assert next(n for n in doc(page)["nodes"] if n["id"] == "vm1")["host"] == "host1"
    before = doc(page)
    x1, y1 = screen_point(page, "vm1")
    x2, y2 = screen_point(page, "host2")
    page.mouse.move(x1, y1)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(x1 + (x2 - x1) * i / 20, y1 + (y2 - y1) * i / 20)
    page.mouse.up()
    assert next(n for n in doc(page)["nodes"] if n["id"] == "vm1")["host"] == "host2"
    page.keyboard.press("Control+z")
    assert doc(page) == before


def host_of(page, node_id: str) -> tuple[str | None, str | None]:
    """Where `node_id` is placed: the document's `host` and the canvas's compound parent."""
    placed = next(n for n in doc(page)["nodes"] if n["id"] == node_id).get("host")
    drawn = {n["id"]: n["parent"] for n in snapshot(page)["view"]["nodes"]}[node_id]
    return placed, drawn


def test_a_dhcp_server_and_a_nat_network_dragged_onto_a_host_are_placed_there(new_context):
    # Which kinds a drag places is the schema's x-placed-on: both are placed on hosts.
    page = new_design(new_context(), "Appliance drops")
    palette(page, "physical host").click()
    palette(page, "physical host").click()
    page.evaluate("() => window.designer.select([])")
    palette(page, "DHCP server").click()
    assert host_of(page, "dhcp1") == (None, None)  # a DHCP appliance may stand alone
    drag(page, "dhcp1", "host2")
    assert host_of(page, "dhcp1") == ("host2", "host2")
    page.evaluate("() => window.designer.select(['host1'])")
    palette(page, "NAT network").click()
    assert host_of(page, "natnet1") == ("host1", "host1")
    before = doc(page)
    drag(page, "natnet1", "host2")
    assert host_of(page, "natnet1") == ("host2", "host2")
    wait_saved(page)
    # The move and the placement are one step.
    page.keyboard.press("Control+z")
    assert doc(page) == before
    assert host_of(page, "natnet1") == ("host1", "host1")


def test_the_problems_panel_selects_what_a_finding_is_about(new_context):
    page = new_design(new_context(), "Problems")
    palette(page, "physical host").click()
    palette(page, "virtual machine").click()
    page.evaluate("() => window.designer.select([])")
    finding = page.locator("#problems-list li[data-code='check.nic_unconnected'] button").filter(has_text="vm1")
    expect(finding).to_have_text("warning: eth0 of vm1 is not connected to anything.")
    finding.click()
    assert snapshot(page)["view"]["selected"] == ["vm1"]
    expect(page.locator("#properties-body").get_by_label("Name", exact=True)).to_be_visible()


def test_unsaved_work_is_offered_back_after_a_failed_save(new_context):
    context = new_context()
    context.add_init_script("delete window.WebSocket")  # the HTTP fallback (co-editing has its own offline queue)
    page = new_design(context, "Offline")
    url = page.url
    page.route("**/api/designs/*", lambda route: route.abort() if route.request.method == "PUT" else route.continue_())
    palette(page, "LAN switch").click()
    expect(page.locator("#save-status")).to_have_attribute("data-state", "offline", timeout=10_000)
    drawn = doc(page)
    page.close()
    again = context.new_page()
    again.goto(url)
    assert doc(again)["nodes"] == []
    banner = again.locator("#editor-banner")
    expect(banner).to_contain_text("This design has unsaved changes from an earlier visit.")
    banner.get_by_role("button", name="Restore them").click()
    assert doc(again) == drawn
    wait_saved(again)
    again.reload()
    assert doc(again) == drawn
    expect(again.locator("#editor-banner")).to_be_hidden()


def test_moving_a_host_moves_its_guests_in_one_step(new_context):
    page = new_design(new_context(), "Host move")
    palette(page, "physical host").click()
    palette(page, "virtual machine").click()
    vm_before = position(page, "vm1")
    x, y = screen_point(page, "host1")
    zoom = snapshot(page)["view"]["zoom"]
    # Grab the host's box in its padding, left of the VM (18 px padding, 28 px VM).
    x -= 24 * zoom
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x + 6 * i, y + 4 * i)
    page.mouse.up()
    vm_after = position(page, "vm1")
    assert (vm_after["x"] - vm_before["x"], vm_after["y"] - vm_before["y"]) == (round(60 / zoom), round(40 / zoom))
    page.keyboard.press("Control+z")
    assert position(page, "vm1") == vm_before
