"""Drawing without hesitation, as a teacher: the lecture's VirtualBox NAT demo from an empty canvas
in a counted number of user actions, then Play shows the lease; a visible handle to wire from a
host; a warning when a VM is wired outside its host; the platform explained in the panel; problems
marked on the canvas. Screenshots at 1280x720 go to $SCREENSHOTS (when set) for a human to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_editor_draw import Actions, doc, new_design, palette, screen_point, snapshot, wait_saved
from test_live_nat import open_tab, wait_live

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def teacher(new_context):
    context = new_context()
    page = new_design(context, "Drawing lab")
    page.set_viewport_size({"width": 1280, "height": 720})
    return page


class Counted(Actions):
    """Actions plus a select's choice (one action, as a click on an option)."""

    def choose(self, locator, label):
        self.count += 1
        locator.select_option(label=label)

    def check(self, locator):
        self.count += 1
        locator.check()


def test_the_virtualbox_nat_demo_from_an_empty_canvas_in_at_most_12_actions(new_context):
    page = teacher(new_context)
    wait_live(page)
    shot(page, "0-empty")
    act = Counted(page)
    props = page.locator("#properties-body")
    act.click(palette(page, "physical host"))
    act.choose(props.get_by_label("Platform"), "Oracle VirtualBox")
    # VirtualBox is only ever type 2: the type follows, and both are explained.
    expect(props.get_by_label("Hypervisor type")).to_have_value("2")
    expect(props.locator("[data-help=platform]")).to_contain_text("VirtualBox is a type 2 hypervisor")
    expect(props.locator("[data-help=hypervisor_type]")).to_contain_text("Type 2 (hosted)")
    act.click(palette(page, "virtual machine"))
    act.choose(props.get_by_label("Attachment mode (eth0)"), "NAT")
    act.click(props.get_by_role("radio", name="DHCP"))
    expect(props.locator("[data-help=mode]")).to_contain_text("NAT: the VM sits alone")
    wait_saved(page)
    document = doc(page)
    host, vm = document["nodes"]
    assert (host["platform"], host["hypervisor_type"]) == ("virtualbox", 2)
    # NAT mode gave the host an address for the NAT engine to go out from.
    assert host["nics"][0]["ip"] == "203.0.113.2/24"
    assert (vm["host"], vm["nics"][0]["mode"], vm["nics"][0]["ip"]) == ("host1", "nat", "dhcp")
    labels = {n["id"]: n["label"] for n in snapshot(page)["view"]["nodes"]}
    assert labels["host1"] == "host1\nOracle VirtualBox · type 2\n203.0.113.2/24"
    assert labels["vm1"] == "vm1\nNAT dhcp"
    shot(page, "1-drawn")

    act.click(page.get_by_role("button", name="Play", exact=True))
    expect(page.locator(".live-status")).to_have_text("Playing", timeout=30_000)
    act.click(page.get_by_role("tab", name="vm1", exact=True))
    console = page.locator(".live-console[data-node='vm1']")
    act.check(console.get_by_label("Plain text"))
    line = console.get_by_role("textbox")
    act.count += 1
    line.fill("dhclient eth0")
    act.press("Enter")
    act.click(page.get_by_role("tab", name="DHCP leases", exact=True))
    lease = page.locator("table[data-section^='dhcp:'] tbody tr").filter(has_text="10.0.2.15")
    expect(lease).to_have_count(1, timeout=30_000)
    shot(page, "2-lease")
    # The figure quoted in docs/editor.md.
    assert act.count == 11


def handle_point(page) -> tuple[float, float]:
    """Where the selected node's wire handle is drawn on the screen."""
    return page.evaluate(
        """() => {
            const s = window.designer.snapshot();
            const r = document.getElementById('canvas').getBoundingClientRect();
            const p = s.view.handle.position;
            return [r.left + p.x * s.view.zoom + s.view.pan.x, r.top + p.y * s.view.zoom + s.view.pan.y];
        }"""
    )


def drag_from(page, start: tuple[float, float], node_id: str) -> None:
    x1, y1 = start
    x2, y2 = screen_point(page, node_id)
    page.mouse.move(x1, y1)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x1 + (x2 - x1) * i / 10, y1 + (y2 - y1) * i / 10)
    page.mouse.up()


def test_a_host_is_wired_from_its_handle_and_a_vm_wired_outside_its_host_is_warned_about(new_context):
    page = teacher(new_context)
    act = Counted(page)
    act.click(palette(page, "physical host"))
    # The new host is selected and shows its handle at the top-right corner of its box.
    assert snapshot(page)["view"]["handle"]["owner"] == "host1"
    act.click(palette(page, "virtual machine"))
    act.click(palette(page, "virtual machine"))
    page.evaluate("() => window.designer.select(['host1'])")
    act.click(palette(page, "internet"))
    view = snapshot(page)["view"]
    at = {n["id"]: n["position"] for n in view["nodes"]}
    # Guests side by side in the host, the Internet beside the host (to its right), nothing touching.
    assert at["vm1"]["y"] == at["vm2"]["y"] and at["vm2"]["x"] - at["vm1"]["x"] >= 120
    assert at["internet1"]["x"] > at["vm2"]["x"] + 80
    page.evaluate("() => window.designer.select(['host1'])")
    handle = snapshot(page)["view"]["handle"]
    assert handle["owner"] == "host1"
    shot(page, "3-handle")
    drag_from(page, handle_point(page), "internet1")
    links = doc(page)["links"]
    assert [(l["a"]["node"], l["b"]["node"]) for l in links] == [("host1", "internet1")]
    expect(page.locator("#editor-banner")).to_be_hidden()
    # A VM wired to the Internet from its own handle: done, but said at once.
    page.evaluate("() => window.designer.select(['vm1'])")
    drag_from(page, handle_point(page), "internet1")
    assert [(l["a"]["node"], l["b"]["node"]) for l in doc(page)["links"]][1] == ("vm1", "internet1")
    banner = page.locator("#editor-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-kind", "warning")
    expect(banner).to_contain_text("vm1 is wired to internet1, outside its host host1")
    shot(page, "4-warning")


def test_platform_explained_and_a_contradiction_marked_on_canvas_panel_and_problems(new_context):
    page = teacher(new_context)
    props = page.locator("#properties-body")
    palette(page, "physical host").click()
    props.get_by_label("Platform").select_option(label="KVM (Linux)")
    # KVM's type is said to be debated; it keeps the type the host has (none yet).
    expect(props.locator("[data-help=platform]")).to_contain_text("Hypervisor type: debated (1 or 2).")
    expect(props.get_by_label("Hypervisor type")).to_have_value("")
    props.get_by_label("Hypervisor type").select_option(label="Type 1 (bare metal)")
    expect(props.locator("[data-help=hypervisor_type]")).to_contain_text("runs directly on the hardware")
    expect(props.locator("[data-help=contradiction]")).to_have_count(0)
    props.get_by_label("CPU cores").fill("8")
    props.get_by_label("CPU cores").press("Enter")
    props.get_by_label("RAM (MB)").fill("16384")
    props.get_by_label("RAM (MB)").press("Enter")
    # Its NIC, unconnected, would be warned about: removed, the host has no problem at all.
    props.get_by_role("button", name="Remove eth0").click()
    page.wait_for_function(
        "() => window.designer.snapshot().view.nodes.find((n) => n.id === 'host1').problem === null")
    palette(page, "virtual machine").click()
    palette(page, "virtual machine").click()
    palette(page, "virtual machine").click()
    palette(page, "virtual machine").click()
    page.evaluate("() => window.designer.select(['host1'])")
    labels = {n["id"]: n["label"] for n in snapshot(page)["view"]["nodes"]}
    assert labels["host1"] == "host1\nKVM (Linux) · type 1 · 8 CPU · 16384 MB RAM"
    at = {n["id"]: n["position"] for n in snapshot(page)["view"]["nodes"]}
    # Four guests: three in a row, the fourth starts the next row.
    assert at["vm1"]["y"] == at["vm2"]["y"] == at["vm3"]["y"] < at["vm4"]["y"] and at["vm4"]["x"] == at["vm1"]["x"]
    shot(page, "5-host-with-vms")
    # VirtualBox drawn as type 1: the type is left as it was chosen, and contradicted everywhere.
    props.get_by_label("Platform").select_option(label="Oracle VirtualBox")
    # VirtualBox is only type 2: choosing it sets the type (one undo step with the platform).
    expect(props.get_by_label("Hypervisor type")).to_have_value("2")
    props.get_by_label("Hypervisor type").select_option(label="Type 1 (bare metal)")
    note = props.locator("[data-help=contradiction]")
    expect(note).to_contain_text("Oracle VirtualBox is not a type 1 hypervisor: it is type 2.")
    sentence = ("host1 runs Oracle VirtualBox as a type 1 hypervisor, but Oracle VirtualBox is not a type 1 "
                "hypervisor: it is type 2.")
    problems = page.locator("#problems-list li[data-code='check.platform_type_mismatch']")
    expect(problems).to_contain_text(sentence)
    expect(props.locator(".node-problems li[data-code='check.platform_type_mismatch']")).to_contain_text(sentence)
    page.wait_for_function(
        "() => window.designer.snapshot().view.nodes.find((n) => n.id === 'host1').problem === 'warning'")
    props.locator("[data-help=platform]").scroll_into_view_if_needed()
    shot(page, "6-contradiction")
    # Fixed: the mark goes from the canvas, the panel and the list alike.
    props.get_by_label("Hypervisor type").select_option(label="Type 2 (hosted)")
    expect(problems).to_have_count(0)
    expect(props.locator(".node-problems li[data-code='check.platform_type_mismatch']")).to_have_count(0)
    page.wait_for_function(
        "() => window.designer.snapshot().view.nodes.find((n) => n.id === 'host1').problem === null")
    labels = {n["id"]: n["label"] for n in snapshot(page)["view"]["nodes"]}
    assert labels["host1"] == "host1\nOracle VirtualBox · type 2 · 8 CPU · 16384 MB RAM"
    parts = {p["id"]: p["label"] for p in snapshot(page)["view"]["parts"]}
    assert parts["hostos:host1"] == "Host OS keeps 2048 MB of 16384 MB RAM"
    shot(page, "7-type2")
