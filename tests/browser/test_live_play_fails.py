"""Play on a design the engine cannot build: the panel says why (the status used to stay
"No run yet" without a word: the failed run's status asked for run.state, which found no run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import wait_live

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "nat-dhcp.json"


def test_play_on_a_design_that_cannot_be_built_says_why(new_context, tmp_path):
    doc = json.loads(EXAMPLE.read_text())
    for nic in doc["nodes"][0]["nics"]:  # hv's uplink loses its address: the NAT network needs one
        nic.pop("ip", None)
    broken = tmp_path / "broken-nat.json"
    broken.write_text(json.dumps(doc))
    page = new_context().new_page()
    sign_up(page, "playfails1")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(broken))
    page.get_by_role("button", name="Import").click()
    wait_live(page)
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Failed", timeout=30_000)
    expect(page.locator(".live-message")).to_contain_text("The run could not start")
    expect(page.locator(".live-message")).to_contain_text("needs a static address")
