"""The Simulation panel's controls and consoles for an editor, on the internal-switch
example: Step with no run starts one paused and runs to the first event; a ping typed in the
plain-text console runs until the Interrupt button stops it (Ctrl-C: its statistics print); the
device filter keeps only the rows naming that device; a picked event selects its link on the
canvas; the tables highlight the switch learning; Reset empties the list back to t = 0.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import live, open_tab, wait_live

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "internal-switch.json"
_serial = itertools.count(1)


def test_step_console_interrupt_filter_pick_and_reset(new_context):
    page = new_context().new_page()
    sign_up(page, f"livectl{next(_serial)}")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Internal switch")
    wait_live(page)
    expect(page.locator(".live-status")).to_have_text("No run yet")

    # Step with no run: a paused run starts and runs to its first traced event (the script's ping).
    page.get_by_role("button", name="Next event →", exact=True).click()
    # (The run's worker process imports the engine first: slow on a loaded machine.)
    expect(page.locator(".live-status")).to_have_text("Paused", timeout=30_000)
    expect(page.locator(".live-events")).to_contain_text("vm1$ ping -c 3 192.168.56.12", timeout=30_000)
    assert live(page)["events"][0]["kind"] == "command.run"

    # vm2's console in plain text: a ping with no count runs until interrupted.
    open_tab(page, "vm2")
    vm2 = page.locator(".live-console[data-node='vm2']")
    vm2.get_by_label("Plain text").check()
    line = vm2.get_by_role("textbox")
    line.fill("ping 192.168.56.13")
    line.press("Enter")
    expect(vm2.get_by_role("log")).to_contain_text("queued at")
    page.get_by_label("Speed").select_option("5")
    page.get_by_role("button", name="Play", exact=True).click()
    expect(vm2.get_by_role("log")).to_contain_text("vm2$ ping 192.168.56.13", timeout=15_000)
    expect(vm2.get_by_role("log")).to_contain_text("icmp_seq=3", timeout=15_000)
    vm2.get_by_role("button", name="Interrupt (Ctrl-C)").click()
    expect(vm2.get_by_role("log")).to_contain_text("--- 192.168.56.13 ping statistics ---", timeout=15_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Paused")

    # A late joiner (a second tab) gets the state, the tables and the recent events (up to 200),
    # the same ones in the same order.
    late = page.context.new_page()
    late.goto(page.url)
    wait_live(late)
    seq = live(page)["lastSeq"]
    late.wait_for_function("(seq) => window.designer.live().lastSeq === seq", arg=seq)
    theirs = live(late)["events"]
    assert 0 < len(theirs) <= 200 and theirs[-1]["seq"] == seq
    assert theirs == live(page)["events"][-len(theirs) :]
    assert live(late)["status"]["status"] == "paused"
    assert live(late)["tables"]["mac:intnet"] == live(page)["tables"]["mac:intnet"]
    late.close()

    # The switch learned vm3 on its port: a MAC table row for vm3's MAC.
    open_tab(page, "MAC tables")
    expect(page.locator("table[data-section='mac:intnet'] tbody tr")).to_have_count(3)

    # Device filter: only rows naming vm3 (its node or the other end of the link).
    page.get_by_label("Device").select_option("vm3")
    rows = page.locator(".live-event")
    expect(rows.first).to_be_visible()
    texts = rows.all_inner_texts()
    assert texts and all("vm3" in t or "192.168.56.13" in t for t in texts), texts
    # Picking a frame sent by vm3 selects vm3 and its link on the canvas.
    sent = (
        page.locator(".live-event[data-kind='frame.sent']").filter(has_text=re.compile(r"^.*vm3", re.S)).first
    )
    sent.click()
    expect(sent).to_have_attribute("aria-current", "true")
    selected = page.evaluate("() => window.designer.snapshot().view.selected")
    links = {e["id"] for e in page.evaluate("() => window.designer.snapshot().view.edges")}
    assert "vm3" in selected and links & set(selected), selected
    expect(page.locator(".live-inspector details.live-layer").first).to_be_visible()

    # Reset: back to t = 0, paused, the list and the consoles empty.
    page.get_by_label("Device").select_option("")
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function(
        "() => window.designer.live().status.t === 0 && window.designer.live().events.length === 0"
    )
    expect(page.locator(".live-events li")).to_have_count(0)
    assert live(page)["consoles"]["vm2"] == []
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.locator(".live-status")).to_contain_text("Stopped")
