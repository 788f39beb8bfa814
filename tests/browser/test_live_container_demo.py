"""The lecture's containers demo, typed on the host's console in the browser as a teacher would at
1280x720: launch a system container (it appears inside its host), write a file in it with `lxc
exec`, stop it and publish it as an image, launch a second container from that image and read
the file there, then `reboot` the host: its containers go down with it and the running one comes
back after the boot (LXD's last state). Screenshots for the eye: $CTDEMO_SCREENSHOTS (default:
the test's tmp dir)."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import wait_live
from test_live_runui import DOC, parts

pytestmark = pytest.mark.browser

_serial = itertools.count(1)


def typed(page, line: str, answer: str, timeout: int = 30_000) -> None:
    """Type `line` on hv's console and wait until a console line contains `answer`."""
    before = page.evaluate("() => (window.designer.live().consoles.hv || []).length")
    box = page.locator(".live-console[data-node='hv']").get_by_role("textbox")
    box.fill(line)
    box.press("Enter")
    page.wait_for_function(
        "([n, text]) => (window.designer.live().consoles.hv || []).slice(n).some((l) => l.includes(text))",
        arg=[before, answer], timeout=timeout)


def test_launch_exec_publish_a_second_container_from_the_image_and_reboot_the_host(new_context, tmp_path):
    shots = Path(os.environ.get("CTDEMO_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    design = tmp_path / "ctdemo.json"
    design.write_text(json.dumps({**DOC, "name": "Containers demo"}))
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_up(page, f"ctdemo{next(_serial)}")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(design))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Containers demo")
    wait_live(page)
    page.get_by_label("Speed").select_option("5")
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Playing", timeout=30_000)
    page.get_by_role("tab", name="hv", exact=True).click()
    console = page.locator(".live-console[data-node='hv']")
    console.get_by_label("Plain text").check()
    log = console.get_by_role("log")

    typed(page, "lxc launch images:alpine/3.20 a1", "Starting a1")
    page.wait_for_function("() => window.designer.snapshot().view.parts.some((p) => p.id === 'hv-a1')")
    typed(page, "lxc exec a1 -- sh -c 'echo written in a1 > /etc/motd'", "hv$ lxc exec a1")
    typed(page, "lxc publish a1 --alias mine", "Error:")  # LXD refuses a running instance
    expect(log).to_contain_text("Error: The instance is currently running. Use --force to have it stopped")
    typed(page, "lxc stop a1", "hv$ lxc stop a1")
    typed(page, "lxc publish a1 --alias mine", "Instance published with fingerprint: ")
    typed(page, "lxc launch mine a2", "Starting a2")
    page.wait_for_function("() => window.designer.snapshot().view.parts.some((p) => p.id === 'hv-a2')")
    typed(page, "lxc exec a2 -- cat /etc/motd", "written in a1")  # the file came with the image
    # Side by side inside hv, a1's label ("images:alpine/3.20", wider than a box) clear of a2.
    boxes = {p["id"]: p["box"] for p in page.evaluate("() => window.designer.snapshot().view.parts")}
    a1, a2 = boxes["hv-a1"], boxes["hv-a2"]
    assert a1["x2"] <= a2["x1"] or a2["x2"] <= a1["x1"] or a1["y2"] <= a2["y1"] or a2["y2"] <= a1["y1"], (a1, a2)
    page.screenshot(path=str(shots / "ctdemo-1-published.png"))

    # The host reboots: a2 (running) goes down and comes back, a1 (stopped) stays stopped.
    typed(page, "reboot", "hv$ reboot")
    badge = page.locator(".vm-badge[data-node='hv']")
    expect(badge).to_be_visible(timeout=30_000)
    expect(badge).to_have_count(0, timeout=60_000)
    page.wait_for_function(
        "() => (window.designer.live().consoles.hv || []).some((l) => l.includes('login'))"
        " || document.querySelector('.vm-badge[data-node=\"hv\"]') === null", timeout=30_000)
    typed(page, "lxc list", "| a2", timeout=60_000)
    rows = [line for line in page.evaluate("() => window.designer.live().consoles.hv") if line.startswith("| a")]
    assert any(r.startswith("| a2 ") and "RUNNING" in r for r in rows[-2:]), rows
    assert any(r.startswith("| a1 ") and "STOPPED" in r for r in rows[-2:]), rows
    assert {"hv-a1", "hv-a2"} <= set(parts(page))
    # The plain log follows the output as a terminal does: the last answer is in view.
    assert log.evaluate("e => e.scrollHeight - e.scrollTop - e.clientHeight") < 24
    expect(log).to_contain_text("| a2 ")
    page.screenshot(path=str(shots / "ctdemo-2-rebooted.png"))
