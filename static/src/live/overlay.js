// The packet animation: dots moving along the canvas's links as the live run's frames cross them
// (docs/live.md "Packet animation", docs/design.md "Packet animation").
//
//   const overlay = createOverlay(cy);  // cy: the editor's Cytoscape instance
//   overlay.play(events);               // each live batch of trace events, in seq order
//   overlay.clear();                    // after a seek or a reset
//   overlay.setSpeed(speed);            // the run's simulated-time speed (0.1 .. 100)
//   overlay.focus(["vm"]);              // ring the nodes the current event is about ([] for none)
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
//
// While few dots move (a step, a ping: at most LABEL_MAX), each carries its name ("DHCP OFFER",
// "ARP request") on a tag of its colour; a stream (hundreds on screen) is not labelled, which also
// keeps the 1,000 events/s figure (bench/animation.py) what it was. `scale` (the presenter view: 2)
// makes dots, tags and rings bigger, for a projector.
import { ANIM_COLOURS, ANIM_PROTOCOLS, colourOf, tagTextColour } from "./animcolors.js";
import { EventPlanner } from "./animpath.js";
import { DotScheduler } from "./animsched.js";

const DOT_RADIUS = 5; // CSS pixels, whatever the zoom: a 1,000-node design zoomed out still shows them
const TAIL = 0.14; // the tail behind a dot, as a fraction of the link
const PULSE_GROWTH = 16;
// Above this many dots on screen (a stream), tails and fan-out rings are left out: the flow shows
// the direction by then, and each of them would be one more thing to rasterise every frame.
const DETAIL_MAX = 200;
const LABEL_MAX = 24;
const LABEL_FONT_PX = 11;
const FOCUS_COLOUR = "#f59e0b"; // site.css --focus: the ring around the node the caption is about
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

function makeLegend(scale) {
  const legend = document.createElement("div");
  legend.className = "packet-legend";
  legend.setAttribute("aria-hidden", "true"); // the event list says the same in words
  Object.assign(legend.style, {
    position: "absolute", left: "6px", bottom: "6px", zIndex: "11", pointerEvents: "none",
    display: "none", flexWrap: "wrap", gap: "2px 8px", maxWidth: "calc(100% - 12px)",
    font: `${Math.round(11 * (1 + (scale - 1) / 5))}px/1.3 system-ui, sans-serif`, color: "var(--fg, #1b1f24)",
    background: "var(--surface, #ffffff)", border: "1px solid var(--border, #d0d7de)",
    borderRadius: "4px", padding: "2px 6px", opacity: "0.92",
  });
  for (const protocol of ANIM_PROTOCOLS) {
    const item = document.createElement("span");
    const swatch = document.createElement("span");
    const dot = `${Math.round(9 * (1 + (scale - 1) / 5))}px`;
    Object.assign(swatch.style, { display: "inline-block", width: dot, height: dot, borderRadius: "50%",
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

export function createOverlay(cy, { reducedMotion, scale = 1 } = {}) {
  const radius = DOT_RADIUS * scale;
  const labelFont = `600 ${Math.round(LABEL_FONT_PX * scale)}px system-ui, sans-serif`;
  const labelWidths = new Map(); // label -> measured width (the same few labels every frame)
  const tagInk = new Map(); // tag colour -> its text colour
  const container = cy.container();
  if (!container) throw new Error("the packet animation needs a Cytoscape instance drawn in a container");
  const canvas = document.createElement("canvas");
  canvas.className = "packet-overlay";
  canvas.setAttribute("aria-hidden", "true");
  Object.assign(canvas.style, { position: "absolute", left: "0", top: "0", width: "100%", height: "100%",
    pointerEvents: "none", zIndex: "10" });
  const legend = makeLegend(scale);
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
  let painted = false; // whether the canvas holds moving things (to clear it once when idle)
  let focused = []; // node ids ringed (overlay.focus)
  let ringed = false; // whether the canvas holds a focus ring
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
  let boxCache = new Map();
  const forgetPositions = () => {
    nodeCache = new Map();
    edgeCache = new Map();
    boxCache = new Map();
  };
  const boxOf = (id) => {
    let hit = boxCache.get(id);
    if (hit === undefined) {
      const n = cy.getElementById(id);
      hit = null;
      if (n.nonempty() && n.visible()) {
        const b = n.boundingBox({ includeLabels: true, includeOverlays: false });
        if (Number.isFinite(b.x1) && Number.isFinite(b.y2)) hit = { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 };
      }
      boxCache.set(id, hit);
    }
    return hit;
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
    if (!raf && !destroyed && (scheduler.busy || painted || ringed || focused.length)) raf = requestAnimationFrame(frame);
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
    ringed = false;
    if (focused.length) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ringed = drawFocus(cy.zoom(), cy.pan());
    }
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
    // A ring alone is drawn once (again when the view moves: wake), not every frame.
    if (scheduler.busy || painted) raf = requestAnimationFrame(frame);
  }

  /** Rings around the focused nodes (their drawn box, whatever the zoom). */
  function drawFocus(zoom, pan) {
    let any = false;
    ctx.strokeStyle = FOCUS_COLOUR;
    ctx.lineWidth = 4 * scale;
    ctx.globalAlpha = 0.95;
    for (const id of focused) {
      const box = boxOf(id);
      if (!box) continue;
      const pad = 6 * scale;
      const x = box.x1 * zoom + pan.x - pad;
      const y = box.y1 * zoom + pan.y - pad;
      const w = (box.x2 - box.x1) * zoom + 2 * pad;
      const hgt = (box.y2 - box.y1) * zoom + 2 * pad;
      ctx.beginPath();
      if (ctx.roundRect) ctx.roundRect(x, y, w, hgt, 8 * scale);
      else ctx.rect(x, y, w, hgt);
      ctx.stroke();
      any = true;
    }
    ctx.globalAlpha = 1;
    return any;
  }

  /** Moving dots with a short tail (the direction), grouped by colour: a few paths per frame. */
  function drawMoving(now, zoom, pan) {
    const heads = new Map();
    const tails = new Map();
    const rings = new Map();
    const pulses = [];
    const tags = [];
    const detail = scheduler.active.length <= DETAIL_MAX;
    const labelled = scheduler.active.length <= LABEL_MAX;
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
      head.moveTo(x + radius, y);
      head.arc(x, y, radius, 0, Math.PI * 2);
      if (item.fanout && detail) {
        let ring = rings.get(colour);
        if (!ring) rings.set(colour, (ring = new Path2D()));
        ring.moveTo(x + radius + 3 * scale, y);
        ring.arc(x, y, radius + 3 * scale, 0, Math.PI * 2);
      }
      if (labelled && item.label) tags.push([item.label, colour, x, y]);
    }
    ctx.lineCap = "round";
    ctx.lineWidth = 2.5 * scale;
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
    if (tags.length) drawTags(tags);
  }

  /** Name tags above the dots: the protocol's colour, white or black text (≥ 4.5:1 for each). */
  function drawTags(tags) {
    ctx.font = labelFont;
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    const size = LABEL_FONT_PX * scale;
    const padX = 4 * scale;
    const height = size + 5 * scale;
    for (const [label, colour, x, y] of tags) {
      let width = labelWidths.get(label);
      if (width === undefined) {
        width = ctx.measureText(label).width;
        if (labelWidths.size > 256) labelWidths.clear();
        labelWidths.set(label, width);
      }
      const w = width + 2 * padX;
      const left = Math.min(Math.max(2, x - w / 2), cssWidth - w - 2);
      const top = Math.max(2, y - radius - 4 * scale - height);
      ctx.fillStyle = colour;
      ctx.beginPath();
      if (ctx.roundRect) ctx.roundRect(left, top, w, height, 4 * scale);
      else ctx.rect(left, top, w, height);
      ctx.fill();
      let ink = tagInk.get(colour);
      if (!ink) tagInk.set(colour, (ink = tagTextColour(colour)));
      ctx.fillStyle = ink;
      ctx.fillText(label, left + padX, top + height / 2 + 0.5);
    }
  }

  /** Reduced motion: the link lights up (with an arrowhead towards the receiver) and fades. */
  function drawStill(now, zoom, pan) {
    ctx.lineCap = "round";
    const tags = [];
    const labelled = scheduler.active.length <= LABEL_MAX;
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
      ctx.lineWidth = (item.fanout ? 5 : 4) * scale;
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
      if (labelled && item.label) tags.push([item.label, colour, tipX, tipY]);
    }
    ctx.globalAlpha = 1;
    if (tags.length) drawTags(tags);
  }

  function drawPulse(item, p, zoom, pan, grow) {
    const n = nodeAt(item.node);
    if (!n) return;
    const x = n.x * zoom + pan.x;
    const y = n.y * zoom + pan.y;
    const r = Math.max(radius + 2, n.r * zoom) + (grow ? p * PULSE_GROWTH * scale : 4);
    ctx.globalAlpha = grow ? 1 - p : 1 - 0.6 * p;
    ctx.strokeStyle = colourOf(item.protocol);
    ctx.lineWidth = 3 * scale;
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

  /** Rings `ids` (the nodes the current event is about) until the next call; [] removes them. */
  function focus(ids) {
    const next = (ids ?? []).filter((id) => typeof id === "string" && cy.getElementById(id).nonempty());
    if (next.length === focused.length && next.every((id, i) => id === focused[i])) return;
    focused = next;
    wake();
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
    focus,
    focused: () => [...focused],
    setSpeed: (speed) => scheduler.setSpeed(speed),
    stats,
    destroy,
  };
}
