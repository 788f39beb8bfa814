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
