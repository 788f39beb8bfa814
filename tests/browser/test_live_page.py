"""The design page's live panel as a class meets it: the drawing and the panel on screen together at
1440x900; the timeline dragged with the mouse to 3 s lands at 3 s and nothing moves under the pointer
on the way; the VXLAN filter shows the distributed switch's tunnelled frames; the NAT tables fit
their panel; a socket the server refuses ends in a sentence saying so, not "Reconnecting…" forever.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up
from test_live_nat import import_nat_example, live, open_tab, wait_live

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_serial = itertools.count(1)


def owner_with(new_context, example: str, viewport: dict) -> tuple:
    page = new_context().new_page()
    page.set_viewport_size(viewport)
    sign_up(page, f"livepage{next(_serial)}")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(EXAMPLES / f"{example}.json"))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#present-link")).to_be_visible()
    wait_live(page)
    return page


def play_until(page, seconds: float, speed: str = "100") -> None:
    page.get_by_label("Speed").select_option(speed)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(f"() => window.designer.live().status.t >= {seconds * 1e9}", timeout=60_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator(".live-status")).to_have_text("Paused")


def test_canvas_and_live_panel_together_at_1440x900(new_context):
    page = owner_with(new_context, "nat-dhcp", {"width": 1440, "height": 900})
    canvas = page.locator("#canvas").bounding_box()
    controls = page.get_by_role("toolbar", name="Simulation controls").bounding_box()
    events = page.locator(".live-events").bounding_box()
    # Side by side: the controls are right of the drawing and both are on screen.
    assert controls["x"] >= canvas["x"] + canvas["width"], (canvas, controls)
    assert canvas["y"] < 900 and min(canvas["y"] + canvas["height"], 900) - canvas["y"] >= 500, canvas
    assert 0 <= controls["y"] and controls["y"] + controls["height"] <= 900, controls
    assert events["y"] + 100 <= 900, events
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth")


def test_dragging_the_timeline_to_3s_lands_at_3s_and_nothing_moves(new_context):
    page = owner_with(new_context, "nat-dhcp", {"width": 1280, "height": 720})
    play_until(page, 30)
    timeline = page.get_by_label("Timeline")
    toolbar = page.get_by_role("toolbar", name="Simulation controls")
    max_t = float(timeline.get_attribute("max"))
    assert max_t >= 30
    box = timeline.bounding_box()
    bar = toolbar.bounding_box()
    thumb = 16  # Chromium's range thumb, px: its centre runs from left + 8 to right - 8
    span = box["width"] - thumb
    at = lambda value: box["x"] + thumb / 2 + span * value / max_t  # noqa: E731
    start = float(timeline.input_value())
    y = box["y"] + box["height"] / 2
    page.mouse.move(at(start), y)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(at(start + (3.0 - start) * i / 20), y)
        # Nothing moves under the pointer: the slider and the bar keep their boxes.
        assert timeline.bounding_box() == box, (i, timeline.bounding_box(), box)
        assert toolbar.bounding_box() == bar, (i, toolbar.bounding_box(), bar)
    aimed = float(timeline.input_value())
    expect(page.locator(".live-clock")).to_have_text(f"{aimed:.3f} s")
    page.mouse.up()
    step = max_t / span  # the seconds one pixel of travel is worth
    page.wait_for_function(f"() => Math.abs(window.designer.live().status.t - {aimed * 1e9}) < 2e6")
    landed = live(page)["status"]["t"] / 1e9
    assert abs(landed - 3.0) <= step + 0.01, (landed, step)
    assert all(e["t"] <= live(page)["status"]["t"] for e in live(page)["events"])
    expect(page.locator(".live-clock")).to_have_text(re.compile(rf"^{landed:.3f} s$"))


def test_vxlan_filter_shows_the_tunnelled_frames(new_context):
    page = owner_with(new_context, "distributed-switch", {"width": 1440, "height": 900})
    play_until(page, 3, speed="5")
    page.get_by_label("Protocol").select_option("VXLAN")
    rows = page.locator(".live-event")
    expect(rows.first).to_be_visible()
    expect(page.locator(".live-count")).not_to_contain_text(", 0 shown")
    assert set(rows.evaluate_all("(rows) => rows.map((r) => r.dataset.protocol)")) == {"VXLAN"}
    kinds = set(rows.evaluate_all("(rows) => rows.map((r) => r.dataset.kind)"))
    assert {"vxlan.encapsulated", "frame.sent"} <= kinds, kinds
    assert rows.filter(has_text="port 4789").count() > 0
    # A sentence shows whole on hover (the row's tooltip) and in the caption when picked.
    first = rows.first
    text = first.locator(".live-event-text").inner_text()
    assert first.get_attribute("title").startswith(text)
    first.click()
    expect(page.locator(".live-caption")).to_contain_text(text)


def test_nat_tables_fit_their_panel(new_context):
    page = owner_with(new_context, "port-forward", {"width": 1440, "height": 900})
    play_until(page, 14, speed="10")
    open_tab(page, "NAT")
    expect(page.locator("table[data-section='conntrack:natnet'] tbody tr").first).to_be_visible()
    for section in ("conntrack:natnet", "forward:natnet"):
        # Looked up and measured in one go: the panel redraws its tables when a row's highlight
        # ends, so a handle found first could be detached by the time it is measured.
        fits = page.evaluate(
            """(section) => {
                const table = document.querySelector(`table[data-section='${section}']`);
                const panel = table.closest('.live-tablepanel');
                const t = table.getBoundingClientRect(), p = panel.getBoundingClientRect();
                return {fits: t.right <= p.right + 0.5 && panel.scrollWidth <= panel.clientWidth, table: t.width, panel: p.width};
            }""",
            section,
        )
        assert fits["fits"], (section, fits)
    # The connection's addresses are all there (drawn as labelled cells in this narrow panel).
    row = page.locator("table[data-section='conntrack:natnet'] tbody tr").first
    for text in ("10.0.2.15:80", "203.0.113.2:8080", "dnat (web)"):
        expect(row).to_contain_text(text)


def test_a_refused_socket_says_why_and_stops(new_context):
    context = new_context()
    # Every socket of this page goes to a path the server has no door for: its handshake is
    # refused, closed before it ever opens, as a refused origin (HTTP 403) looks to a page. (Not
    # another port: the page's connect-src 'self' would block it, and a blocked socket never closes.)
    context.add_init_script(
        """(() => {
            const Real = window.WebSocket;
            window.WebSocket = class extends Real {
                constructor(url, protocols) {
                    super(url.replace(/\\/ws\\/.*$/, '/ws/no-such-door/'), protocols);
                    window.socketsMade = (window.socketsMade ?? 0) + 1;
                }
            };
        })();"""
    )
    page = context.new_page()
    sign_up(page, f"refused{next(_serial)}")
    import_nat_example(page)
    expect(page.locator(".live-connection")).to_contain_text("Not connected", timeout=15_000)
    expect(page.get_by_role("alert").filter(has_text="could not be opened")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="refused the live connection")).to_be_visible(timeout=40_000)
    expect(page.get_by_role("alert")).to_contain_text("gave up after 8 tries")
    expect(page.locator(".live-connection")).to_contain_text("Disconnected")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    # It stopped: no socket is made any more, until Try again starts a new round.
    made = page.evaluate("() => window.socketsMade")
    assert made == 8, made
    page.wait_for_timeout(3000)
    assert page.evaluate("() => window.socketsMade") == made
    page.get_by_role("button", name="Try again").click()
    page.wait_for_function(f"() => window.socketsMade > {made}")
