"""Canvas benchmark: frame times while panning and zooming designs of 100, 300
and 1,000 nodes in headless Chromium with --disable-gpu (software rendering, the worst case).

What is measured: the design page's bundle (static/dist/editor.js, `npm run build`) draws a
generated design (per 11 nodes: a host holding a virtual switch and 9 VMs, each VM linked to the
switch; positions on a grid) in the read-only view, which renders exactly as the editor does. The
page is served from memory through Playwright routes (no Django needed). A requestAnimationFrame
recorder runs in the page while the mouse pans (60 drag steps on the background) and zooms (40
wheel notches, in then out); a frame time is the gap between two consecutive animation frames, so
anything that blocks the main thread (Cytoscape's redraw, event handling) shows up in it.

Printed per size: the number of frames, median, p95 and max frame time in ms. The last line is
`ratio: <16.7 ms / p95 frame time at 1,000 nodes>` (>= 1 means 60 frames/s held at p95).

Run: ``.venv/bin/python bench/canvas.py`` (Debian's /usr/bin/chromium, as tests/browser uses).
``CANVAS_BENCH_BUNDLE=/path/editor.js`` measures another build instead (an A/B of one change: the
machine's load moves the absolute figures, so compare two builds run back to back).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
# CANVAS_BENCH_BUNDLE: another build to compare (e.g. one without the minimap), same pages.
BUNDLE = Path(os.environ.get("CANVAS_BENCH_BUNDLE", ROOT / "static" / "dist" / "editor.js"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SIZES = (100, 300, 1000)
ORIGIN = "http://bench.invalid"
FRAME_BUDGET_MS = 16.7


def design(nodes: int) -> dict:
    """About `nodes` nodes: groups of host + vswitch + 9 VMs, VMs linked to their group's switch."""
    doc = {"version": 1, "name": f"bench {nodes}", "nodes": [], "links": []}
    groups = max(1, round(nodes / 11))
    per_row = max(1, int(groups**0.5))
    for g in range(groups):
        ox, oy = (g % per_row) * 420, (g // per_row) * 420
        host, switch = f"host{g}", f"vs{g}"
        doc["nodes"].append({"id": host, "kind": "host", "position": {"x": ox + 150, "y": oy + 150}})
        doc["nodes"].append(
            {"id": switch, "kind": "vswitch", "host": host, "position": {"x": ox + 150, "y": oy + 150}}
        )
        for v in range(9):
            vm = f"vm{g}_{v}"
            doc["nodes"].append(
                {
                    "id": vm,
                    "kind": "vm",
                    "host": host,
                    "nics": [{"name": "eth0", "ip": f"10.{g // 250}.{g % 250}.{v + 1}/24"}],
                    "position": {"x": ox + (v % 3) * 120 + 30, "y": oy + (v // 3) * 120 + 30},
                }
            )
            doc["links"].append({"id": f"l{g}_{v}", "a": {"node": vm, "nic": "eth0"}, "b": {"node": switch}})
    return doc


def page_html(doc: dict) -> str:
    data = json.dumps(doc).replace("</", "<\\/")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>bench</title>"
        "<style>body{margin:0}#canvas{width:1200px;height:800px}</style></head><body>"
        '<div id="canvas" data-can-edit="false"></div>'
        f'<script id="design-document" type="application/json">{data}</script>'
        '<script type="module" src="/editor.js"></script></body></html>'
    )


RECORDER = """() => {
  window.__frames = [];
  let last = null;
  const tick = (t) => { if (last !== null) window.__frames.push(t - last); last = t; window.__raf = requestAnimationFrame(tick); };
  window.__raf = requestAnimationFrame(tick);
}"""


def measure(browser, nodes: int) -> list[float]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    bundle = BUNDLE.read_text()
    html = page_html(design(nodes))
    page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.route(
        f"{ORIGIN}/editor.js", lambda route: route.fulfill(body=bundle, content_type="text/javascript")
    )
    page.route(f"{ORIGIN}/editor.js.map", lambda route: route.fulfill(status=404))
    page.goto(f"{ORIGIN}/")
    page.wait_for_function(
        "() => document.getElementById('canvas').dataset.ready === 'true'", timeout=120_000
    )
    page.wait_for_timeout(500)
    page.evaluate(RECORDER)
    # Pan: press on the canvas's top-right corner (background: the bottom-right one holds the
    # minimap, where a drag would centre the view on each point instead), drag in steps.
    page.mouse.move(1190, 10)
    page.mouse.down()
    for i in range(60):
        page.mouse.move(1190 - 8 * i, 10 + 5 * i)
    page.mouse.up()
    # Zoom: wheel notches in, then out, at the centre.
    page.mouse.move(600, 400)
    for delta in [-120] * 20 + [120] * 20:
        page.mouse.wheel(0, delta)
        page.wait_for_timeout(16)
    page.wait_for_timeout(200)
    frames = page.evaluate("() => { cancelAnimationFrame(window.__raf); return window.__frames; }")
    page.close()
    return frames


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> int:
    if not BUNDLE.exists():
        print(f"{BUNDLE} is missing: run npm run build", file=sys.stderr)
        return 1
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for nodes in SIZES:
                frames = measure(browser, nodes)
                results[nodes] = frames
                print(
                    f"{nodes:>5} nodes: {len(frames)} frames, median {statistics.median(frames):.1f} ms, "
                    f"p95 {p95(frames):.1f} ms, max {max(frames):.1f} ms"
                )
        finally:
            browser.close()
    ratio = FRAME_BUDGET_MS / p95(results[1000])
    print(f"ratio: {ratio:.2f} (16.7 ms frame budget / p95 frame time panning and zooming 1,000 nodes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
