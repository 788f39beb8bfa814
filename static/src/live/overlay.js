// The packet animation: dots moving along the canvas's links as the live run's frames cross them
// (docs/live.md "Packet animation", docs/design.md "Packet animation").
//
//   const overlay = createOverlay(cy);  // cy: the editor's Cytoscape instance
//   overlay.play(events);               // each live batch of trace events, in seq order
//   overlay.clear();                    // after a seek or a reset
//   overlay.setSpeed(speed);            // the run's simulated-time speed (0.1 .. 100)
//   overlay.stats();                    // read-only counters (also canvas.overlayStats())
//   overlay.destroy();
//
// The dots are drawn on a <canvas> of our own laid over Cytoscape's container and redrawn by
// requestAnimationFrame only while something moves, never as Cytoscape elements: adding and
// removing an element per packet restyles and redraws the whole graph, far too slow at 1,000
// events/s. Positions come from Cytoscape (node positions, edge endpoints: cached, forgotten when
// something moves) through the current pan and zoom each frame, so the dots follow the view.
// What to draw for an event is animpath.js, when and for how long animsched.js, the colours
// animcolors.js (all pure and unit-tested). With `prefers-reduced-motion: reduce` nothing moves:
// the link a frame crosses lights up in the protocol's colour with an arrowhead, and fades.
import { ANIM_COLOURS, ANIM_PROTOCOLS, colourOf } from "./animcolors.js";
import { EventPlanner } from "./animpath.js";
import { DotScheduler } from "./animsched.js";

const DOT_RADIUS = 4; // CSS pixels, whatever the zoom: a 1,000-node design zoomed out still shows them
const TAIL = 0.14; // the tail behind a dot, as a fraction of the link
const PULSE_GROWTH = 16;
// Above this many dots on screen (a stream), tails and fan-out rings are left out: the flow shows
// the direction by then, and each of them would be one more thing to rasterise every frame.
const DETAIL_MAX = 200;
const FIRST_MARK = "overlay:first-dot";

/** A `graph` (animpath.js) over a Cytoscape instance, with the NIC -> edge index cached. */
function cyGraph(cy) {
  let byNic = null;
  const graph = {
    hasEdge: (id) => {
      const e = cy.getElementById(id);
      return e.nonempty() && e.isEdge();
    },
    edgeEnds: (id) => {
      const e = cy.getElementById(id);
      return { source: e.data("source"), target: e.data("target") };
    },
    hasNode: (id) => typeof id === "string" && cy.getElementById(id).nonempty() && cy.getElementById(id).isNode(),
    parentOf: (id) => cy.getElementById(id).data("parent") ?? null,
    edgeAt: (node, nic) => {
      if (!byNic) {
        byNic = new Map();
        cy.edges().forEach((e) => {
          if (e.data("sourceLabel")) byNic.set(`${e.data("source")}|${e.data("sourceLabel")}`, e.id());
          if (e.data("targetLabel")) byNic.set(`${e.data("target")}|${e.data("targetLabel")}`, e.id());
        });
      }
      return byNic.get(`${node}|${nic}`) ?? null;
    },
    forget: () => {
      byNic = null;
    },
  };
  return graph;
}

function finitePoint(p) {
  return p && Number.isFinite(p.x) && Number.isFinite(p.y);
}

function makeLegend() {
  const legend = document.createElement("div");
  legend.className = "packet-legend";
  legend.setAttribute("aria-hidden", "true"); // the event list says the same in words
  Object.assign(legend.style, {
    position: "absolute", left: "6px", bottom: "6px", zIndex: "11", pointerEvents: "none",
    display: "none", flexWrap: "wrap", gap: "2px 8px", maxWidth: "calc(100% - 12px)",
    font: "11px/1.3 system-ui, sans-serif", color: "var(--fg, #1b1f24)",
    background: "var(--surface, #ffffff)", border: "1px solid var(--border, #d0d7de)",
    borderRadius: "4px", padding: "2px 6px", opacity: "0.92",
  });
  for (const protocol of ANIM_PROTOCOLS) {
    const item = document.createElement("span");
    const swatch = document.createElement("span");
    Object.assign(swatch.style, { display: "inline-block", width: "9px", height: "9px", borderRadius: "50%",
      background: ANIM_COLOURS[protocol], marginRight: "3px", verticalAlign: "-1px" });
    item.append(swatch, protocol);
    legend.append(item);
  }
  const ring = document.createElement("span");
  ring.className = "packet-legend-fanout";
  legend.append(ring);
  return legend;
}

function legendFanout(legend, still) {
  legend.querySelector(".packet-legend-fanout").textContent = still ? "thick: broadcast fan-out" : "◯ broadcast fan-out";
}

export function createOverlay(cy, { reducedMotion } = {}) {
  const container = cy.container();
  if (!container) throw new Error("the packet animation needs a Cytoscape instance drawn in a container");
  const canvas = document.createElement("canvas");
  canvas.className = "packet-overlay";
  canvas.setAttribute("aria-hidden", "true");
  Object.assign(canvas.style, { position: "absolute", left: "0", top: "0", width: "100%", height: "100%",
    pointerEvents: "none", zIndex: "10" });
  const legend = makeLegend();
  container.append(canvas, legend);
  const ctx = canvas.getContext("2d");

  const graph = cyGraph(cy);
  const planner = new EventPlanner(graph);
  const scheduler = new DotScheduler();
  const counters = { played: 0, frames: 0, busyMs: 0, pulses: 0, fanout: 0, byProtocol: Object.fromEntries(ANIM_PROTOCOLS.map((p) => [p, 0])) };
  let firstScheduledAt = null;
  let firstDrawnAt = null;
  let firstDrawnT = null;
  let raf = 0;
  let painted = false; // whether the canvas holds anything (to clear it once when idle)
  let destroyed = false;

  // Reduced motion: asked for by the caller, else the user's setting (followed live).
  const media = reducedMotion === undefined ? window.matchMedia?.("(prefers-reduced-motion: reduce)") : null;
  let still = reducedMotion ?? Boolean(media?.matches);
  legendFanout(legend, still);
  const onMedia = (event) => {
    still = event.matches;
    legendFanout(legend, still);
  };
  media?.addEventListener?.("change", onMedia);

  // Positions in model coordinates, cached until something moves.
  let nodeCache = new Map();
  let edgeCache = new Map();
  const forgetPositions = () => {
    nodeCache = new Map();
    edgeCache = new Map();
  };
  const forgetAll = () => {
    forgetPositions();
    graph.forget();
  };
  const nodeAt = (id) => {
    let hit = nodeCache.get(id);
    if (hit === undefined) {
      const n = cy.getElementById(id);
      hit = null;
      if (n.nonempty()) {
        const p = n.position();
        if (finitePoint(p)) hit = { x: p.x, y: p.y, r: Math.min(40, Math.max(n.width(), n.height()) / 2) };
      }
      nodeCache.set(id, hit);
    }
    return hit;
  };
  /** The segment a dot travels, model coordinates, oriented from -> to. */
  const segmentOf = (item) => {
    const key = `${item.edge ?? ""}|${item.from}|${item.to}`;
    let hit = edgeCache.get(key);
    if (hit !== undefined) return hit;
    hit = null;
    const a = nodeAt(item.from);
    const b = nodeAt(item.to);
    if (a && b) {
      hit = { ax: a.x, ay: a.y, bx: b.x, by: b.y };
      const e = item.edge ? cy.getElementById(item.edge) : null;
      if (e?.nonempty()) {
        // Where the drawn edge meets its nodes' borders (Cytoscape's own endpoints).
        let s = null;
        let t = null;
        try {
          s = e.sourceEndpoint();
          t = e.targetEndpoint();
        } catch {
          s = t = null;
        }
        if (finitePoint(s) && finitePoint(t)) {
          const forward = e.data("source") === item.from;
          hit = forward ? { ax: s.x, ay: s.y, bx: t.x, by: t.y } : { ax: t.x, ay: t.y, bx: s.x, by: s.y };
        }
      }
    }
    edgeCache.set(key, hit);
    return hit;
  };

  const onMove = () => forgetPositions();
  const onGraph = () => forgetAll();
  const onViewport = () => wake();
  cy.on("position", "node", onMove);
  cy.on("layoutstop", onMove);
  cy.on("add remove data", onGraph);
  cy.on("viewport resize", onViewport);

  let cssWidth = 0;
  let cssHeight = 0;
  let dpr = 1;
  const fit = () => {
    const w = container.clientWidth;
    const h = container.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    if (w === cssWidth && h === cssHeight && ratio === dpr) return;
    cssWidth = w;
    cssHeight = h;
    dpr = ratio;
    canvas.width = Math.max(1, Math.round(w * ratio));
    canvas.height = Math.max(1, Math.round(h * ratio));
  };
  const resizeObserver = typeof ResizeObserver === "function" ? new ResizeObserver(() => wake()) : null;
  resizeObserver?.observe(container);

  function wake() {
    if (!raf && !destroyed && (scheduler.busy || painted)) raf = requestAnimationFrame(frame);
  }

  function frame(now) {
    raf = 0;
    if (destroyed) return;
    if (cy.destroyed?.()) {
      destroy();
      return;
    }
    const began = performance.now();
    fit();
    const started = scheduler.tick(now);
    for (const item of started) {
      if (item.kind === "pulse") counters.pulses += 1;
      else {
        counters.byProtocol[item.protocol] = (counters.byProtocol[item.protocol] ?? 0) + 1;
        if (item.fanout) counters.fanout += 1;
      }
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    painted = false;
    if (scheduler.active.length) {
      const zoom = cy.zoom();
      const pan = cy.pan();
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      if (still) drawStill(now, zoom, pan);
      else drawMoving(now, zoom, pan);
      painted = true;
      counters.frames += 1;
      if (firstDrawnAt === null) {
        firstDrawnAt = now;
        firstDrawnT = scheduler.active[0]?.t ?? null;
        legend.style.display = "flex";
        try {
          performance.mark(FIRST_MARK);
        } catch {
          // performance.mark is optional
        }
      }
    }
    counters.busyMs += performance.now() - began;
    if (scheduler.busy || painted) raf = requestAnimationFrame(frame);
  }

  /** Moving dots with a short tail (the direction), grouped by colour: a few paths per frame. */
  function drawMoving(now, zoom, pan) {
    const heads = new Map();
    const tails = new Map();
    const rings = new Map();
    const pulses = [];
    const detail = scheduler.active.length <= DETAIL_MAX;
    for (const item of scheduler.active) {
      const p = Math.min(1, Math.max(0, (now - item.start) / (item.end - item.start)));
      if (item.kind === "pulse") {
        pulses.push([item, p]);
        continue;
      }
      const s = segmentOf(item);
      if (!s) continue;
      const ax = s.ax * zoom + pan.x;
      const ay = s.ay * zoom + pan.y;
      const dx = (s.bx - s.ax) * zoom;
      const dy = (s.by - s.ay) * zoom;
      const x = ax + dx * p;
      const y = ay + dy * p;
      const colour = colourOf(item.protocol);
      if (detail) {
        const q = Math.max(0, p - TAIL);
        let tail = tails.get(colour);
        if (!tail) tails.set(colour, (tail = new Path2D()));
        tail.moveTo(ax + dx * q, ay + dy * q);
        tail.lineTo(x, y);
      }
      let head = heads.get(colour);
      if (!head) heads.set(colour, (head = new Path2D()));
      head.moveTo(x + DOT_RADIUS, y);
      head.arc(x, y, DOT_RADIUS, 0, Math.PI * 2);
      if (item.fanout && detail) {
        let ring = rings.get(colour);
        if (!ring) rings.set(colour, (ring = new Path2D()));
        ring.moveTo(x + DOT_RADIUS + 3, y);
        ring.arc(x, y, DOT_RADIUS + 3, 0, Math.PI * 2);
      }
    }
    ctx.lineCap = "round";
    ctx.lineWidth = 2.5;
    ctx.globalAlpha = 0.55;
    for (const [colour, path] of tails) {
      ctx.strokeStyle = colour;
      ctx.stroke(path);
    }
    ctx.globalAlpha = 1;
    for (const [colour, path] of heads) {
      ctx.fillStyle = colour;
      ctx.fill(path);
    }
    ctx.lineWidth = 1.5;
    for (const [colour, path] of rings) {
      ctx.strokeStyle = colour;
      ctx.stroke(path);
    }
    for (const [item, p] of pulses) drawPulse(item, p, zoom, pan, true);
    ctx.globalAlpha = 1;
  }

  /** Reduced motion: the link lights up (with an arrowhead towards the receiver) and fades. */
  function drawStill(now, zoom, pan) {
    ctx.lineCap = "round";
    for (const item of scheduler.active) {
      const p = Math.min(1, Math.max(0, (now - item.start) / (item.end - item.start)));
      if (item.kind === "pulse") {
        drawPulse(item, p, zoom, pan, false);
        continue;
      }
      const s = segmentOf(item);
      if (!s) continue;
      const ax = s.ax * zoom + pan.x;
      const ay = s.ay * zoom + pan.y;
      const bx = s.bx * zoom + pan.x;
      const by = s.by * zoom + pan.y;
      const colour = colourOf(item.protocol);
      ctx.globalAlpha = 1 - 0.6 * p;
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = item.fanout ? 5 : 4;
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      ctx.stroke();
      const len = Math.hypot(bx - ax, by - ay) || 1;
      const ux = (bx - ax) / len;
      const uy = (by - ay) / len;
      const tipX = ax + (bx - ax) * 0.7;
      const tipY = ay + (by - ay) * 0.7;
      ctx.beginPath();
      ctx.moveTo(tipX + ux * 6, tipY + uy * 6);
      ctx.lineTo(tipX - ux * 6 - uy * 6, tipY - uy * 6 + ux * 6);
      ctx.lineTo(tipX - ux * 6 + uy * 6, tipY - uy * 6 - ux * 6);
      ctx.closePath();
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }

  function drawPulse(item, p, zoom, pan, grow) {
    const n = nodeAt(item.node);
    if (!n) return;
    const x = n.x * zoom + pan.x;
    const y = n.y * zoom + pan.y;
    const r = Math.max(DOT_RADIUS + 2, n.r * zoom) + (grow ? p * PULSE_GROWTH : 4);
    ctx.globalAlpha = grow ? 1 - p : 1 - 0.6 * p;
    ctx.strokeStyle = colourOf(item.protocol);
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.stroke();
  }

  function play(events) {
    if (destroyed || !Array.isArray(events)) return;
    const now = performance.now();
    counters.played += events.length;
    for (const event of events) {
      for (const item of planner.plan(event)) scheduler.schedule(item, now);
    }
    if (firstScheduledAt === null && scheduler.counts.scheduled > 0) firstScheduledAt = now;
    wake();
  }

  function clear() {
    scheduler.clear();
    planner.reset();
    wake(); // one more frame wipes what is drawn
  }

  function stats() {
    return {
      played: counters.played,
      scheduled: scheduler.counts.scheduled,
      started: scheduler.counts.started,
      dropped: scheduler.counts.dropped,
      cut: scheduler.counts.cut,
      active: scheduler.active.length,
      pending: scheduler.pending.length,
      frames: counters.frames,
      busyMs: counters.busyMs, // main-thread time spent in the overlay's frames (the bench's cost figure)
      pulses: counters.pulses,
      fanout: counters.fanout,
      byProtocol: { ...counters.byProtocol },
      reducedMotion: still,
      firstScheduledAt, // performance.now() when play() first got something to draw
      firstDrawnAt, // performance.now() of the first frame that drew something (also the mark "overlay:first-dot")
      firstDrawnT, // the simulated instant (ns) of what it drew
    };
  }

  function destroy() {
    if (destroyed) return;
    destroyed = true;
    if (raf) cancelAnimationFrame(raf);
    raf = 0;
    cy.off("position", "node", onMove);
    cy.off("layoutstop", onMove);
    cy.off("add remove data", onGraph);
    cy.off("viewport resize", onViewport);
    media?.removeEventListener?.("change", onMedia);
    resizeObserver?.disconnect();
    canvas.remove();
    legend.remove();
  }

  // Read-only counters for tests and benchmarks (a function: nothing here can change the overlay).
  Object.defineProperty(canvas, "overlayStats", { value: stats });

  return {
    play,
    clear,
    setSpeed: (speed) => scheduler.setSpeed(speed),
    stats,
    destroy,
  };
}
