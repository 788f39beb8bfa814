"""Containers made during a live run appear on the canvas: the Docker ports example played in the
browser draws `web` inside hv once its script's `docker run` has run, dimmed once stopped; a seek
back to before it was made takes it away again. A screenshot for the eye: /tmp is not kept."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import seek, wait_live

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "docker-ports.json"
_serial = itertools.count(1)


def parts(page) -> dict:
    return {p["id"]: p for p in page.evaluate("() => window.designer.snapshot().view.parts")}


def test_a_container_made_during_the_run_is_drawn_inside_its_host(new_context, tmp_path):
    page = new_context().new_page()
    sign_up(page, f"ctowner{next(_serial)}")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Docker port publishing")
    wait_live(page)
    assert "hv-web" not in parts(page)
    page.get_by_label("Speed").select_option("5")
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Playing", timeout=30_000)
    page.wait_for_function("() => window.designer.snapshot().view.parts.some((p) => p.id === 'hv-web')",
                           timeout=30_000)
    web = parts(page)["hv-web"]
    assert web["parent"] == "hv" and web["label"] == "web\nnginx:1.27"
    page.screenshot(path=str(tmp_path / "live-container.png"))
    page.get_by_role("button", name="Pause", exact=True).click()
    seek(page, 0.5)
    page.wait_for_function("() => !window.designer.snapshot().view.parts.some((p) => p.id === 'hv-web')",
                           timeout=30_000)
