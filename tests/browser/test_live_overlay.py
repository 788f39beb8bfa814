"""The packet animation overlay in a real browser.

Two ways in. (1) The overlay alone on a bench page: `static/src/live/animbench.js` (the editor's
read-only `mount` + `createOverlay`, bundled here with esbuild, never part of static/dist) draws a
small design, the test hands the overlay batches of trace events and reads what it drew: its
read-only counters (`canvas.overlayStats()`) and the pixels of its <canvas>. (2) The real design
page on a live Daphne: the owner imports the NAT example and presses Play; the overlay (created
by the live panel) draws the run's DHCP, ARP and ICMP frames.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser_smoke import sign_up

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "static" / "src" / "live" / "animbench.js"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
NAT_EXAMPLE = ROOT / "examples" / "nat-dhcp.json"
ORIGIN = "http://overlay.invalid"
_serial = itertools.count(1)

# The animation's colours (static/src/live/animcolors.js), as RGB.
COLOURS = {
    "ARP": (0xE8, 0x59, 0x0C),
    "DHCP": (0x2F, 0x9E, 0x44),
    "ICMP": (0x1C, 0x7E, 0xD6),
    "TCP": (0xAE, 0x3E, 0xC9),
    "UDP": (0x0C, 0x85, 0x99),
}


def small_design() -> dict:
    """One host with a virtual switch and 9 VMs linked to it."""
    doc = {"version": 1, "name": "overlay", "nodes": [], "links": []}
    doc["nodes"].append({"id": "host0", "kind": "host", "position": {"x": 150, "y": 150}})
    doc["nodes"].append({"id": "vs0", "kind": "vswitch", "host": "host0", "position": {"x": 200, "y": 95}})
    for v in range(9):
        vm = f"vm{v}"
        doc["nodes"].append(
            {
                "id": vm,
                "kind": "vm",
                "host": "host0",
                "nics": [{"name": "eth0", "ip": f"10.0.0.{v + 1}/24"}],
                "position": {"x": (v % 3) * 120 + 30, "y": (v // 3) * 120 + 30},
            }
        )
        doc["links"].append({"id": f"l{v}", "a": {"node": vm, "nic": "eth0"}, "b": {"node": "vs0"}})
    return doc


@pytest.fixture(scope="module")
def bench_script(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("overlay") / "animbench.js"
    subprocess.run(
        [
            str(ESBUILD),
            str(ENTRY),
            "--bundle",
            "--format=esm",
            "--target=es2020",
            f"--outfile={out}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        check=True,
    )
    return out.read_text()


def bench_page(browser, script: str, reduced_motion: str = "no-preference"):
    context = browser.new_context(viewport={"width": 900, "height": 700}, reduced_motion=reduced_motion)
    context.set_default_timeout(15_000)
    page = context.new_page()
    data = json.dumps(small_design()).replace("</", "<\\/")
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>overlay</title>"
        "<style>body{margin:0}#bench-canvas{width:800px;height:600px}</style></head><body>"
        '<div id="bench-canvas" data-can-edit="false"></div>'
        f'<script id="design-document" type="application/json">{data}</script>'
        '<script type="module" src="/animbench.js"></script></body></html>'
    )
    page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.route(
        f"{ORIGIN}/animbench.js", lambda route: route.fulfill(body=script, content_type="text/javascript")
    )
    page.goto(f"{ORIGIN}/")
    page.wait_for_function(
        "() => window.animBench && document.getElementById('bench-canvas').dataset.ready === 'true'"
    )
    return context, page


def sent(seq: int, t: int, node: str, link: str, to: str, summary: str, **where) -> dict:
    return {
        "seq": seq,
        "t": t,
        "kind": "frame.sent",
        "node": node,
        **where,
        "link": link,
        "to_node": to,
        "arrives": t + 50_000,
        "summary": summary,
        "text": "...",
    }


def stats(page) -> dict:
    return page.evaluate("() => document.querySelector('canvas.packet-overlay').overlayStats()")


# Pixels of the overlay canvas: how many are painted, and whether one of a colour is near a point.
PAINTED = """() => {
  const c = document.querySelector('canvas.packet-overlay');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
  return n;
}"""
COLOURS_DRAWN = """(colours) => {
  const c = document.querySelector('canvas.packet-overlay');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const seen = {};
  for (const [name, [r, g, b]] of Object.entries(colours)) {
    seen[name] = false;
    for (let i = 0; i < d.length && !seen[name]; i += 4) {
      if (d[i + 3] === 255 && Math.abs(d[i] - r) < 3 && Math.abs(d[i + 1] - g) < 3 && Math.abs(d[i + 2] - b) < 3) seen[name] = true;
    }
  }
  return seen;
}"""
# Painted pixels in a 7x7 square around each rendered point [x, y] (CSS px of the container).
ALPHA_AT = """(points) => {
  const c = document.querySelector('canvas.packet-overlay');
  const ratio = c.width / c.clientWidth;
  const ctx = c.getContext('2d');
  return points.map(([x, y]) => {
    const d = ctx.getImageData(Math.round(x * ratio) - 3, Math.round(y * ratio) - 3, 7, 7).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
    return n;
  });
}"""
# The middle of a link on the screen: halfway between its nodes' centres (the links are straight).
MIDPOINTS = """(ids) => ids.map((id) => {
  const e = window.animBench.cy.getElementById(id);
  const a = e.source().renderedPosition();
  const b = e.target().renderedPosition();
  return [(a.x + b.x) / 2, (a.y + b.y) / 2];
})"""
NEXT_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def test_overlay_draws_one_dot_per_frame_coloured_by_protocol(browser, bench_script):
    context, page = bench_page(browser, bench_script)
    try:
        assert page.evaluate(PAINTED) == 0, "nothing drawn before any event"
        summaries = {
            "ARP": "Who has 10.0.0.2? Tell 10.0.0.1",
            "DHCP": "DHCP Discover - Transaction ID 0x1",
            "ICMP": "Echo (ping) request id=0x1, seq=1/256, ttl=64",
            "TCP": "51000 → 80 [SYN] Seq=0 Win=64240 Len=0",
            "UDP": "40000 → 53 Len=32",
        }
        events = [
            sent(i + 1, 1_000_000_000, f"vm{i}", f"l{i}", "vs0", s, nic="eth0")
            for i, s in enumerate(summaries.values())
        ]
        # Events that are not a frame on a wire draw nothing.
        events.append(
            {
                "seq": 9,
                "t": 1_000_000_000,
                "kind": "console.output",
                "node": "vm0",
                "line": "PING",
                "text": "...",
            }
        )
        page.evaluate("(events) => window.animBench.overlay.play(events)", events)
        page.evaluate(NEXT_FRAMES)
        got = stats(page)
        assert got["played"] == 6
        assert {k: got["byProtocol"][k] for k in summaries} == dict.fromkeys(summaries, 1)
        assert got["started"] == 5 and got["fanout"] == 0
        assert page.evaluate(PAINTED) > 5 * 20, "five dots are painted"
        assert page.evaluate(COLOURS_DRAWN, {k: list(v) for k, v in COLOURS.items()}) == dict.fromkeys(
            COLOURS, True
        )
        assert page.evaluate("() => performance.getEntriesByName('overlay:first-dot').length") == 1
        # The dots finish and the canvas is wiped; clear() drops what was still waiting.
        page.wait_for_function(
            "() => document.querySelector('canvas.packet-overlay').overlayStats().active === 0", timeout=5000
        )
        page.evaluate(NEXT_FRAMES)
        assert page.evaluate(PAINTED) == 0
        page.evaluate(
            "(events) => { window.animBench.overlay.play(events); window.animBench.overlay.clear(); }", events
        )
        page.evaluate(NEXT_FRAMES)
        assert stats(page)["pending"] == 0 and page.evaluate(PAINTED) == 0
    finally:
        context.close()


def test_broadcast_fan_out_lights_every_flooded_port(browser, bench_script):
    # Reduced motion: a crossed link lights up whole (no moving dot), so every port can be checked.
    context, page = bench_page(browser, bench_script, reduced_motion="reduce")
    try:
        page.evaluate("() => window.animBench.overlay.setSpeed(0.1)")  # the longest dots: 1.2 s
        summary = "Who has 10.0.0.9? Tell 10.0.0.1"
        t = 2_000_050_000
        events = [
            sent(1, t - 50_000, "vm0", "l0", "vs0", summary, nic="eth0"),
            {
                "seq": 2,
                "t": t,
                "kind": "switch.flooded",
                "node": "vs0",
                "port": 1,
                "out_ports": list(range(2, 10)),
                "link": "l0",
                "mac": "ff:ff:ff:ff:ff:ff",
                "why": "broadcast",
                "summary": summary,
                "text": "...",
            },
        ]
        events += [
            sent(3 + i, t, "vs0", f"l{v}", f"vm{v}", summary, port=v + 1) for i, v in enumerate(range(1, 9))
        ]
        outs = [f"l{v}" for v in range(1, 9)]
        before = page.evaluate(ALPHA_AT, page.evaluate(MIDPOINTS, outs))
        assert before == [0] * 8
        page.evaluate("(events) => window.animBench.overlay.play(events)", events)
        # The fan-out starts when the first hop (vm0 -> vs0) has arrived.
        page.wait_for_function(
            "() => document.querySelector('canvas.packet-overlay').overlayStats().fanout === 8", timeout=5000
        )
        page.evaluate(NEXT_FRAMES)
        got = stats(page)
        assert got["reducedMotion"] is True
        assert got["fanout"] == 8 and got["pulses"] == 1 and got["byProtocol"]["ARP"] == 9
        lit = page.evaluate(ALPHA_AT, page.evaluate(MIDPOINTS, outs))
        assert all(n > 0 for n in lit), f"every flooded port's link is drawn: {lit}"
    finally:
        context.close()


def test_the_overlay_follows_zoom_and_pan(browser, bench_script):
    context, page = bench_page(browser, bench_script, reduced_motion="reduce")
    try:
        page.evaluate("() => window.animBench.overlay.setSpeed(0.1)")
        page.evaluate(
            "(e) => window.animBench.overlay.play([e])",
            sent(1, 5, "vm0", "l0", "vs0", "DHCP Discover - x", nic="eth0"),
        )
        page.evaluate(NEXT_FRAMES)
        [old] = page.evaluate(MIDPOINTS, ["l0"])
        assert page.evaluate(ALPHA_AT, [old])[0] > 0
        # Zoom 1.6x about the middle of the view and pan: the link's middle moves, still in view.
        page.evaluate(
            "() => { const cy = window.animBench.cy; cy.zoom({level: cy.zoom() * 1.6, renderedPosition: {x: 400, y: 300}}); cy.panBy({x: 60, y: 40}); }"
        )
        page.evaluate(NEXT_FRAMES)
        [new] = page.evaluate(MIDPOINTS, ["l0"])
        assert abs(new[0] - old[0]) + abs(new[1] - old[1]) > 60 and 10 < new[0] < 790 and 10 < new[1] < 590, (
            old,
            new,
        )
        assert page.evaluate(ALPHA_AT, [new])[0] > 0, "drawn where the link now is"
        assert page.evaluate(ALPHA_AT, [old])[0] == 0, "and no longer where it was"
    finally:
        context.close()


def test_nat_example_run_animates_on_the_design_page(new_context):
    page = new_context().new_page()
    sign_up(page, f"overlay{next(_serial)}")
    page.goto("/")
    page.get_by_label("Design file (.json)").set_input_files(str(NAT_EXAMPLE))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("NAT network with DHCP")
    page.wait_for_function(
        "() => window.designer && window.designer.live() && window.designer.live().connected"
    )
    overlay = page.locator("#canvas canvas.packet-overlay")
    expect(overlay).to_have_count(1)
    assert page.evaluate("() => document.querySelector('canvas.packet-overlay').overlayStats().played") == 0
    page.get_by_label("Speed").select_option("10")
    page.get_by_role("button", name="Play", exact=True).click()
    # dhclient at 1 s (DHCP, the server's ARP probes), the ping at 8 s (ARP, ICMP): 1.2 s at 10x.
    page.wait_for_function(
        "() => { const s = document.querySelector('canvas.packet-overlay').overlayStats();"
        " return s.byProtocol.DHCP > 0 && s.byProtocol.ARP > 0 && s.byProtocol.ICMP > 0; }",
        timeout=30_000,
    )
    got = page.evaluate("() => document.querySelector('canvas.packet-overlay').overlayStats()")
    # The NAT network's bridge to hv's stack is not drawn: those frames pulse the NAT network.
    assert got["pulses"] > 0
    assert got["firstDrawnAt"] is not None
    assert page.evaluate("() => performance.getEntriesByName('overlay:first-dot').length") == 1
