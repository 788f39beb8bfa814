"""A VM's NIC re-attached from the live panel, at a projector's 1280x720: the vbox-modes example
played by its owner; vmnat's eth0 moved from NAT to the host-only network with the Hardware
section's Attach. The event list then says the NIC left its NAT engine, that VirtualBox holds the
link down for 3 s, and that it is attached to the host-only network; the select shows the new
attachment. A screenshot goes to $VM_SCREENSHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import live, wait_live

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vbox-modes.json"


def test_a_nic_reattached_from_the_panel_moves_on_the_wire(new_context, tmp_path):
    shots = Path(os.environ.get("VM_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_up(page, "reattacher")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("VirtualBox")
    wait_live(page)
    page.get_by_label("Speed").select_option("0.5")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(  # (the panel's events carry seq, t, kind and text)
        "() => window.designer.live().events.some((e) => e.kind === 'dhcp.bound' && e.text.startsWith('vmnat '))",
        timeout=30_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Paused")

    panel = page.locator(".live-vms")
    hardware = panel.locator(".live-vm-hardware")
    hardware.locator("summary").click()
    select = hardware.get_by_label("Attachment of eth0")
    expect(select).to_have_value("nat")  # the NIC's attachment now
    select.select_option("hostonly")
    hardware.get_by_role("button", name="Attach").click()
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "() => window.designer.live().events.some((e) => e.text.startsWith(\"vmnat's eth0 has a carrier again\"))",
        timeout=30_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    events = [e for e in live(page)["events"] if e["text"].startswith("vmnat's") and e["t"] > 0
              and e["kind"] in ("vbox.detached", "vbox.attached", "link.carrier")]
    assert [e["kind"] for e in events] == ["vbox.detached", "link.carrier", "vbox.attached", "link.carrier"]
    assert events[0]["text"].startswith("vmnat's NIC eth0 leaves VirtualBox NAT")
    assert "holds the link down for 3 s" in events[1]["text"]
    assert events[2]["text"].startswith("vmnat's NIC eth0 is attached to VirtualBox host-only network 'vboxnet0'")
    assert events[3]["t"] - events[1]["t"] == 3_000_000_000
    expect(select).to_have_value("hostonly")
    page.screenshot(path=str(shots / "vm-reattached.png"))
