"""Run-made nodes and host power in the live panel, as an editor at 1280x720: a container launched
on the host's console (`lxc launch`) appears dashed inside its host; "Keep in design" adds it to
the design (saved: it is there after a reload, no longer dashed); a viewer's Keep button says why
not. The host is shut down from the Host power controls (its badge shows on the canvas, Shut down
says why not while it is off) and booted again. Screenshots for the eye: $RUNUI_SCREENSHOTS
(default: the test's tmp dir). It fails when the containers and hosts tables do not reach the browser (runview.table_sections)."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import live, wait_live

pytestmark = pytest.mark.browser

_serial = itertools.count(1)
DOC = {
    "version": 1, "name": "Run-made nodes",
    "nodes": [
        {"id": "hv", "kind": "host", "os": "linux", "nics": [{"name": "eth0", "ip": "192.168.1.10/24"}],
         "position": {"x": 300, "y": 200}},
        {"id": "pc", "kind": "outside_host", "nics": [{"name": "eth0", "ip": "192.168.1.20/24"}],
         "position": {"x": 600, "y": 200}},
        {"id": "sw", "kind": "lan_switch", "position": {"x": 450, "y": 350}},
    ],
    "links": [{"id": "l1", "a": {"node": "hv", "nic": "eth0"}, "b": {"node": "sw"}},
              {"id": "l2", "a": {"node": "pc", "nic": "eth0"}, "b": {"node": "sw"}}],
}


def parts(page) -> list[str]:
    return [p["id"] for p in page.evaluate("() => window.designer.snapshot().view.parts")]


def saved_ids(page) -> list[str]:
    return [n["id"] for n in page.evaluate("() => window.designer.snapshot().document.nodes")]


def host_button(page, label: str):
    return page.locator(".live-host-power").get_by_role("button", name=label, exact=True)


def test_keep_a_container_made_on_the_console_and_power_the_host(new_context, tmp_path):
    shots = Path(os.environ.get("RUNUI_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    design = tmp_path / "runmade.json"
    design.write_text(json.dumps(DOC))
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_up(page, f"runui{next(_serial)}")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(design))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Run-made nodes")
    wait_live(page)
    keep = page.get_by_role("button", name="Keep in design")
    expect(keep).to_have_attribute("aria-disabled", "true")
    expect(host_button(page, "Shut down")).to_have_attribute("aria-disabled", "true")  # no run yet

    # A container launched on hv's console.
    page.get_by_label("Speed").select_option("5")
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Playing", timeout=30_000)
    page.get_by_role("tab", name="hv", exact=True).click()
    console = page.locator(".live-console[data-node='hv']")
    console.get_by_label("Plain text").check()
    line = console.get_by_role("textbox")
    line.fill("lxc launch images:alpine/3.20 c1")
    line.press("Enter")
    page.wait_for_function("() => window.designer.snapshot().view.parts.some((p) => p.id === 'hv-c1')", timeout=30_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.evaluate("() => window.designer.select(['hv-c1'])")
    expect(page.locator(".live-keep-panel")).to_contain_text("Made during the run: c1")
    expect(keep).to_have_attribute("aria-disabled", "false")
    page.screenshot(path=str(shots / "runui-1-container.png"))
    keep.click()
    expect(page.locator(".live-keep-message")).to_contain_text("c1 is in the design now")
    assert "hv-c1" in saved_ids(page) and "hv-c1" not in parts(page)
    page.wait_for_function("() => window.designer.saveState() === 'saved'", timeout=15_000)

    # Host power: shut hv down; its badge shows; Shut down says why not; boot it.
    page.evaluate("() => window.designer.select(['hv'])")
    expect(host_button(page, "Boot")).to_have_attribute("aria-disabled", "true")
    expect(host_button(page, "Boot")).to_have_attribute("title", "Not now: hv is running: only a host that is off boots")
    host_button(page, "Shut down").click()
    expect(page.locator(".live-host-message")).to_contain_text("Shut down hv: sent")
    page.get_by_role("button", name="Play", exact=True).click()
    badge = page.locator(".vm-badge[data-node='hv']")
    expect(badge).to_have_text("■ Powered off", timeout=30_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(host_button(page, "Shut down")).to_have_attribute("aria-disabled", "true")
    assert live(page)["hosts"]["panel"]["buttons"]["shutdown"] == "hv is off already"
    page.screenshot(path=str(shots / "runui-2-host-off.png"))
    host_button(page, "Boot").click()
    expect(page.locator(".live-host-message")).to_contain_text("Boot hv: sent")
    page.get_by_role("button", name="Play", exact=True).click()
    expect(badge).to_have_count(0, timeout=30_000)
    expect(host_button(page, "Shut down")).to_have_attribute("aria-disabled", "false")

    # Reloaded: the kept container is in the saved design, drawn as a design node.
    page.reload()
    wait_live(page)
    assert "hv-c1" in saved_ids(page) and "hv-c1" not in parts(page)
