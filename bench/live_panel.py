"""The Simulation panel under load (the page must stay responsive at 1,000 events/s):
animation frames of the design page while its live panel receives 1,000 events per second, against
the same page idle, in headless Chromium with --disable-gpu.

What is measured: the design page's bundle (static/dist/editor.js, `npm run build`) with the NAT
example, served from memory through Playwright routes (no Django). The page's WebSocket is
replaced, by an init script, with a fake server that says `design.hello` and `run.state`, then,
while feeding, sends one `run.events` of 50 events every 50 ms (20 Hz, the server's tick: 1,000
events/s; frame events with a sentence and a summary, as the slim stream carries them) and one
`tables` message with a changing row per tick (the worst case: the server sends tables only when
they changed). A requestAnimationFrame recorder measures frame gaps for 5 s idle, then 5 s
feeding; anything blocking the main thread (list appends, table redraws, the overlay) shows up.

Printed: frames, frames/s, median and p95 frame gap for each phase, the events the list received.
Last line: `ratio: <frames/s feeding / frames/s idle>` (1.0: no frame lost to the load).

Run: ``.venv/bin/python bench/live_panel.py`` (Debian's /usr/bin/chromium, as tests/browser uses).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "static" / "dist" / "editor.js"
CSS = [
    ROOT / "static" / "css" / "site.css",
    ROOT / "static" / "dist" / "xterm.css",
    ROOT / "static" / "css" / "live.css",
]
EXAMPLE = ROOT / "examples" / "nat-dhcp.json"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
ORIGIN = "http://bench.invalid"
PHASE_MS = 5000

FAKE_SERVER = """
(() => {
  const tablesAt = (n) => ({ t: n * 5e7, switches: { natnet: { name: "NAT network", fdb: [
      { mac: "08:00:27:00:02:15", port: 2, link: "l_vm", age_s: 0 },
      { mac: "02:00:00:00:02:02", port: 1, link: "natnet-bridge", age_s: 0 }] } },
    nodes: { vm: { name: "vm", addresses: [{ dev: "eth0", mac: "08:00:27:00:02:15", ip: "10.0.2.15/24" }], routes: [],
      arp: [{ ip: "10.0.2.2", dev: "eth0", mac: "02:00:00:00:02:02", state: "REACHABLE", age_s: 0, queued: 0 }] } },
    dhcp_leases: {}, services: {},
    nat: { natnet: { host: "hv", conntrack: [{ id: 1, protocol: "icmp", state: "REPLIED", nat: "snat", rule: null,
      inside: "10.0.2.15 id 1", public: "203.0.113.2 id 1", remote: "203.0.113.10", expires_in: 30,
      packets: { original: n, reply: n } }], port_forwards: [] } } });
  let seq = 0;
  const batch = () => {
    const events = [];
    for (let i = 0; i < 50; i += 1) {
      seq += 1;
      const sent = seq % 2 === 1;
      events.push({ seq, t: seq * 1e6, kind: sent ? "frame.sent" : "frame.received", node: sent ? "vm" : "hv",
        nic: "eth0", link: "l_vm", to_node: "natnet", arrives: seq * 1e6 + 50000,
        text: `vm pings out (203.0.113.10) through hv (ICMP echo request, seq ${seq})`,
        summary: `Echo (ping) request  id=0xf8cb, seq=${seq}/256, ttl=64`, tseq: seq, run: "bench" });
    }
    return { type: "run.events", run: "bench", first: seq - 49, last: seq, t: seq * 1e6, events };
  };
  class FakeSocket {
    constructor(url) {
      this.url = url; this.readyState = 0; window.__socket = this;
      setTimeout(() => {
        this.readyState = 1; this.onopen?.();
        this.push({ type: "design.hello", design: { id: 1, version: 1, role: "viewer" } });
        this.push({ type: "run.state", run: "bench", design: 1, status: "playing", t: 0, speed: 1, seq: 0, seed: 0,
          msg: null, tables: tablesAt(0), recent: [] });
      }, 0);
    }
    push(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
    send() {}
    close() {}
  }
  window.WebSocket = FakeSocket;
  window.__feed = () => {
    let n = 0;
    window.__feeding = setInterval(() => {
      n += 1;
      window.__socket.push(batch());
      window.__socket.push({ type: "tables", run: "bench", t: seq * 1e6, seq, tables: tablesAt(n) });
    }, 50);
  };
})();
"""

RECORDER = """() => new Promise((done) => {
  const frames = [];
  let last = null;
  const start = performance.now();
  const tick = (t) => {
    if (last !== null) frames.push(t - last);
    last = t;
    if (t - start < PHASE_MS) requestAnimationFrame(tick); else done(frames);
  };
  requestAnimationFrame(tick);
})""".replace("PHASE_MS", str(PHASE_MS))


def page_html(doc: dict) -> str:
    data = json.dumps(doc).replace("</", "<\\/")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>bench</title>"
        + "".join(f'<link rel="stylesheet" href="/css/{i}.css">' for i in range(len(CSS)))
        + "<style>#canvas{width:1200px;height:500px}</style></head><body>"
        '<div id="canvas" data-can-edit="false" data-design-id="1" data-version="1"></div>'
        '<section id="live-panel" class="live-panel"><div id="live-root"></div></section>'
        f'<script id="design-document" type="application/json">{data}</script>'
        '<script type="module" src="/editor.js"></script></body></html>'
    )


def serve(path: Path, content_type: str):
    return lambda route: route.fulfill(path=str(path), content_type=content_type)


def summary(name: str, frames: list[float]) -> float:
    ordered = sorted(frames)
    fps = len(frames) / (sum(frames) / 1000)
    print(
        f"{name:>8}: {len(frames)} frames, {fps:.1f} frames/s, median {statistics.median(frames):.1f} ms, "
        f"p95 {ordered[int(0.95 * (len(ordered) - 1))]:.1f} ms, max {ordered[-1]:.1f} ms"
    )
    return fps


def main() -> int:
    if not BUNDLE.exists():
        print(f"{BUNDLE.relative_to(ROOT)} is missing: run npm run build", file=sys.stderr)
        return 1
    html = page_html(json.loads(EXAMPLE.read_text()))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.add_init_script(FAKE_SERVER)
            page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=html, content_type="text/html"))
            page.route(
                f"{ORIGIN}/editor.js",
                lambda route: route.fulfill(path=str(BUNDLE), content_type="text/javascript"),
            )
            page.route(f"{ORIGIN}/editor.js.map", lambda route: route.fulfill(status=404))
            for i, css in enumerate(CSS):
                page.route(f"{ORIGIN}/css/{i}.css", serve(css, "text/css"))
            page.goto(f"{ORIGIN}/")
            page.wait_for_function("() => window.designer?.live?.().connected", timeout=60_000)
            page.wait_for_timeout(500)
            idle = page.evaluate(RECORDER)
            page.evaluate("() => window.__feed()")
            feeding = page.evaluate(RECORDER)
            page.evaluate("() => clearInterval(window.__feeding)")
            received = page.evaluate("() => window.designer.live().lastSeq")
            rows = page.evaluate("() => document.querySelectorAll('.live-events li').length")
        finally:
            browser.close()
    fps_idle = summary("idle", idle)
    fps_feed = summary("feeding", feeding)
    print(f"events received {received:,} in {PHASE_MS / 1000:.0f} s; list rows in the DOM: {rows:,}")
    print(f"ratio: {fps_feed / fps_idle:.2f} (frames/s at 1,000 events/s / frames/s idle)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
