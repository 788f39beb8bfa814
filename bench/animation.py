"""Packet animation benchmark: frame rate of the 1,000-node design in headless
Chromium (--disable-gpu: software rendering, the worst case) while the packet overlay animates
1,000 frame events per second, against the same page idle, in the same run.

What runs: `static/src/live/animbench.js`, bundled here with esbuild into a temporary directory
(never into static/dist), draws bench/canvas.py's generated design (per 11 nodes: a host holding a
virtual switch and 9 VMs) with the editor's own read-only `mount` and lays the real overlay
(`static/src/live/overlay.js`) over it. Its feeder hands the overlay one batch every 50 ms (the
server's tick), 1,000 events per second: frame.sent on random links both ways, and one broadcast
in 20 flooded by a switch out of its 9 other ports. The page is served from memory through
Playwright routes (no Django).

Phases, alternated to cancel drift: `--pairs` times idle then animating (`--seconds` each). A
requestAnimationFrame recorder in the page measures every frame's time (the gap between two
consecutive frames, so any main-thread work shows up). Printed: fps, p50 and p95 frame time of
both, the overlay's counters; last line `ratio: <fps animating / fps idle>` (goal >= 0.9).

Run: ``.venv/bin/python bench/animation.py [--seconds 4] [--pairs 3] [--rate 1000] [--nodes 1000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from canvas import design  # noqa: E402  (bench/canvas.py's generator)

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "static" / "src" / "live" / "animbench.js"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
ORIGIN = "http://bench.invalid"


def build_bundle(outdir: Path) -> Path:
    """Bundles animbench.js (the editor's mount + the overlay + the feeder) into `outdir`."""
    out = outdir / "animbench.js"
    subprocess.run(
        [
            str(ESBUILD),
            str(ENTRY),
            "--bundle",
            "--format=esm",
            "--target=es2020",
            "--minify",
            f"--outfile={out}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        check=True,
    )
    return out


def page_html(doc: dict) -> str:
    data = json.dumps(doc).replace("</", "<\\/")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>animation bench</title>"
        "<style>body{margin:0}#bench-canvas{width:1200px;height:800px}</style></head><body>"
        '<div id="bench-canvas" data-can-edit="false"></div>'
        f'<script id="design-document" type="application/json">{data}</script>'
        '<script type="module" src="/animbench.js"></script></body></html>'
    )


def open_page(browser, doc: dict, bundle: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    html = page_html(doc)
    script = bundle.read_text()
    page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.route(
        f"{ORIGIN}/animbench.js", lambda route: route.fulfill(body=script, content_type="text/javascript")
    )
    page.goto(f"{ORIGIN}/")
    page.wait_for_function(
        "() => window.animBench && document.getElementById('bench-canvas').dataset.ready === 'true'",
        timeout=120_000,
    )
    page.wait_for_timeout(1000)
    return page


RECORD = """async (ms) => {
  const frames = [];
  let last = null;
  await new Promise((done) => {
    const t0 = performance.now();
    const tick = (t) => {
      if (last !== null) frames.push(t - last);
      last = t;
      if (t - t0 < ms) requestAnimationFrame(tick); else done();
    };
    requestAnimationFrame(tick);
  });
  return frames;
}"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def fps(frames: list[float]) -> float:
    return 1000.0 * len(frames) / sum(frames) if frames else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each phase (default 4)")
    parser.add_argument("--pairs", type=int, default=3, help="idle + animating pairs (default 3)")
    parser.add_argument(
        "--rate", type=int, default=1000, help="events per second while animating (default 1000)"
    )
    parser.add_argument("--nodes", type=int, default=1000, help="size of the generated design (default 1000)")
    args = parser.parse_args()
    if not ESBUILD.exists():
        print("node_modules is missing: run npm ci", file=sys.stderr)
        return 1
    doc = design(args.nodes)
    ms = int(args.seconds * 1000)
    idle: list[float] = []
    busy: list[float] = []
    pairs: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        bundle = build_bundle(Path(tmp))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = open_page(browser, doc, bundle)
            for _ in range(args.pairs):
                calm = page.evaluate(RECORD, ms)
                page.evaluate("(rate) => window.animBench.feeder.start(rate)", args.rate)
                moving = page.evaluate(RECORD, ms)
                page.evaluate("() => window.animBench.feeder.stop()")
                page.wait_for_timeout(1500)  # the last dots finish: the next idle phase is idle
                idle += calm
                busy += moving
                pairs.append(fps(moving) / fps(calm))
            fed = page.evaluate("() => window.animBench.feeder.fed")
            stats = page.evaluate("() => window.animBench.overlay.stats()")
            page.close()
        finally:
            browser.close()
    nodes = len(doc["nodes"])
    print(
        f"design: {nodes} nodes, {len(doc['links'])} links; {args.rate} events/s fed, {args.pairs * args.seconds:.0f} s animating"
    )
    for name, frames in (("idle", idle), ("animating", busy)):
        print(
            f"{name:>9}: {len(frames)} frames, {fps(frames):.1f} fps, p50 {statistics.median(frames):.1f} ms, "
            f"p95 {percentile(frames, 0.95):.1f} ms, max {max(frames):.1f} ms"
        )
    print(
        f"overlay: {fed} events fed, {stats['started']} dots/pulses shown, {stats['cut']} cut short by the cap, {stats['dropped']} never shown, "
        f"{stats['fanout']} fan-out dots, {stats['frames']} frames drawn, "
        f"{stats['busyMs'] / max(1, stats['frames']):.2f} ms of main thread per drawn frame"
    )
    print("fps ratio of each idle/animating pair: " + ", ".join(f"{r:.2f}" for r in pairs))
    print(
        f"ratio: {fps(busy) / fps(idle):.2f} (fps animating {args.rate} events/s / fps idle, {nodes} nodes, headless Chromium --disable-gpu)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
