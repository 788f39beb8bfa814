"""A timeline you can trust, in Chromium: dragging the slider moves nothing around it (the thumb
stays under the pointer, the toolbar keeps its height) and the run lands where it was aimed; after
Reset and a new Play, a reload shows none of the old run's events or console output."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import live, wait_live

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "internal-switch.json"
_serial = itertools.count(1)


def box(locator) -> tuple[float, float, float, float]:
    b = locator.bounding_box()
    return (round(b["x"]), round(b["y"]), round(b["width"]), round(b["height"]))


def test_drag_without_layout_shift_then_reset_and_reload_show_no_old_run(new_context):
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_up(page, f"timeline{next(_serial)}")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Internal switch")
    wait_live(page)
    page.get_by_label("Speed").select_option("10")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => window.designer.live().status.t > 12e9", timeout=60_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Paused")

    slider = page.get_by_label("Timeline", exact=True)
    toolbar = page.get_by_role("toolbar", name="Simulation controls")
    before_slider, before_bar = box(slider), box(toolbar)
    maximum = float(slider.get_attribute("max"))
    x, y, w, h = slider.bounding_box().values()
    aim = 3.0  # seconds: where the pointer goes, on the slider's own scale
    thumb = 8  # half a thumb: Chromium's range maps the value between the thumb's centres

    def at(seconds: float) -> float:
        return x + thumb + (w - 2 * thumb) * seconds / maximum

    page.mouse.move(at(maximum * 0.9), y + h / 2)
    page.mouse.down()
    for seconds in (8.0, 5.0, aim):
        page.mouse.move(at(seconds), y + h / 2, steps=4)
        # Mid-drag: the slider and the toolbar have not moved or grown.
        assert box(slider) == before_slider and box(toolbar) == before_bar
    page.mouse.up()
    assert box(slider) == before_slider and box(toolbar) == before_bar
    page.wait_for_function("(aim) => Math.abs(window.designer.live().status.t - aim * 1e9) < 0.2e9", arg=aim)
    assert all(e["t"] <= live(page)["status"]["t"] for e in live(page)["events"])

    # Reset, a new run played a little: a reload gets the new run only.
    old_last = max(e["seq"] for e in live(page)["events"])
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function("() => window.designer.live().status.t === 0 && window.designer.live().events.length === 0")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("() => window.designer.live().status.t > 2e9", timeout=60_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Paused")
    mine = [e["seq"] for e in live(page)["events"]]
    page.reload()
    wait_live(page)
    page.wait_for_function("(seq) => window.designer.live().lastSeq >= seq", arg=max(mine))
    seqs = [e["seq"] for e in live(page)["events"]]
    assert seqs and min(seqs) > old_last, "a reload after Reset showed the old run's events"
    # The script's ping printed once, not twice (the old run's console output is gone).
    log = page.locator(".live-console[data-node='vm1'] [role='log']")
    assert log.inner_text().count("ping -c 3 192.168.56.12") <= 1
