// The minimap: a small overview of the whole drawing in a corner of the canvas, with the visible
// part as a rectangle; click or drag in it (or focus it and use the arrow keys) to move the view.
// Shown when the design has more than MINIMAP_NODES nodes, or by the "Minimap" toggle button.
//
// Our own code on a <canvas> (the popular Cytoscape navigator extension renders a second
// Cytoscape picture, which at 1,000 nodes costs what the main one costs). Cheap by design:
// the nodes are drawn once into an offscreen layer when they change (add, remove, move), and a
// pan or zoom only copies that layer and strokes the viewport rectangle, once per animation frame.
//
// The geometry (model <-> minimap, viewport rectangle, pan for a point) is pure and tested with
// node --test.

export const MINIMAP_NODES = 30;
export const MINIMAP_SIZE = Object.freeze({ width: 200, height: 140 });
const PAD = 6;
const REFIT_MS = 250;

/** `r` ({x, y, w, h}) clipped to a `size` box, at least 1 px inside; `clamped` when it had to be. */
export function clampRect(r, size) {
  const x1 = Math.max(1, Math.min(r.x, size.width - 1));
  const y1 = Math.max(1, Math.min(r.y, size.height - 1));
  const x2 = Math.max(x1, Math.min(r.x + r.w, size.width - 1));
  const y2 = Math.max(y1, Math.min(r.y + r.h, size.height - 1));
  const clamped = x1 !== r.x || y1 !== r.y || x2 !== r.x + r.w || y2 !== r.y + r.h;
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1, clamped };
}

/**
 * The transform drawing model box `bounds` ({x1, y1, x2, y2}) into a `size` ({width, height})
 * minimap with `pad` pixels of margin, aspect kept and centred: {scale, ox, oy} with
 * minimap = model * scale + offset.
 */
export function fitTransform(bounds, size, pad = PAD) {
  const w = Math.max(bounds.x2 - bounds.x1, 1);
  const h = Math.max(bounds.y2 - bounds.y1, 1);
  const scale = Math.min((size.width - 2 * pad) / w, (size.height - 2 * pad) / h);
  const ox = (size.width - w * scale) / 2 - bounds.x1 * scale;
  const oy = (size.height - h * scale) / 2 - bounds.y1 * scale;
  return { scale, ox, oy };
}

/** A model point in minimap pixels. */
export function toMinimap(t, p) {
  return { x: p.x * t.scale + t.ox, y: p.y * t.scale + t.oy };
}

/** A minimap pixel as a model point. */
export function toModel(t, p) {
  return { x: (p.x - t.ox) / t.scale, y: (p.y - t.oy) / t.scale };
}

/** The viewport rectangle ({x, y, w, h} in minimap pixels) of the model extent `extent`. */
export function viewportRect(t, extent) {
  const a = toMinimap(t, { x: extent.x1, y: extent.y1 });
  return { x: a.x, y: a.y, w: (extent.x2 - extent.x1) * t.scale, h: (extent.y2 - extent.y1) * t.scale };
}

/** The pan that centres the view ({width, height} px at `zoom`) on minimap pixel `p`. */
export function panToCentre(t, p, view, zoom) {
  const m = toModel(t, p);
  return { x: view.width / 2 - m.x * zoom, y: view.height / 2 - m.y * zoom };
}

/** The drawing's bounds: the nodes' box grown to include the visible extent, so the rectangle always fits. */
export function overviewBounds(nodesBox, extent) {
  if (!nodesBox || !Number.isFinite(nodesBox.x1)) return { ...extent };
  return {
    x1: Math.min(nodesBox.x1, extent.x1),
    y1: Math.min(nodesBox.y1, extent.y1),
    x2: Math.max(nodesBox.x2, extent.x2),
    y2: Math.max(nodesBox.y2, extent.y2),
  };
}

const STATE = "netdesigner-minimap";

/** What the test hook reports: {shown, auto, viewport: {x, y, w, h}} or null. */
export function minimapState(cy) {
  const state = cy.scratch(STATE);
  if (!state) return null;
  return { shown: state.shown(), auto: state.auto(), viewport: state.rect ? { ...state.rect } : null };
}

/**
 * Mounts the minimap in `container` (the Cytoscape container) and its toggle button after the
 * page's "Fit to view" button (#canvas-fit) when there is one.
 */
export function installMinimap(cy, container, { threshold = MINIMAP_NODES } = {}) {
  if (getComputedStyle(container).position === "static") container.style.position = "relative";
  const canvas = document.createElement("canvas");
  const ratio = Math.min(window.devicePixelRatio || 1, 2);
  canvas.width = MINIMAP_SIZE.width * ratio;
  canvas.height = MINIMAP_SIZE.height * ratio;
  canvas.className = "minimap";
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "Minimap of the whole drawing: click or drag to move the view, or use the arrow keys");
  Object.assign(canvas.style, {
    position: "absolute", right: "8px", bottom: "8px", zIndex: "10",
    width: `${MINIMAP_SIZE.width}px`, height: `${MINIMAP_SIZE.height}px`,
    cursor: "crosshair", touchAction: "none",
    border: "1px solid var(--border, #d0d7de)", borderRadius: "4px", background: "var(--surface, #ffffff)",
    boxShadow: "0 1px 4px rgba(0, 0, 0, .2)",
  });
  canvas.hidden = true; // the first frame decides, by the node count
  container.append(canvas);
  const layer = document.createElement("canvas");
  layer.width = canvas.width;
  layer.height = canvas.height;

  let userChoice = null; // null: automatic (by node count); true/false: the toggle's choice
  let transform = null;
  let nodesDirty = true;
  let frame = 0;
  let countDirty = true;
  let palette = null;
  const state = { rect: null, shown: () => !canvas.hidden, auto: () => userChoice === null };
  cy.scratch(STATE, state);

  const colours = () => {
    const css = getComputedStyle(document.documentElement);
    return {
      surface: css.getPropertyValue("--surface").trim() || "#ffffff",
      fg: css.getPropertyValue("--fg").trim() || "#1b1f24",
      accent: css.getPropertyValue("--accent").trim() || "#0b62c4",
      muted: css.getPropertyValue("--muted").trim() || "#57606a",
    };
  };

  // The node layer: hosts as boxes, everything else as a dot, in the overview's transform.
  const drawNodes = () => {
    const real = cy.nodes("[!part]");
    const box = real.nonempty() ? real.boundingBox({ includeLabels: false }) : null;
    // The drawing and the visible part, so the rectangle fits (re-fitted only when idle, below).
    transform = fitTransform(overviewBounds(box && box.w > 0 ? box : null, cy.extent()), MINIMAP_SIZE);
    const g = layer.getContext("2d");
    const c = colours();
    palette = c;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, MINIMAP_SIZE.width, MINIMAP_SIZE.height);
    g.globalAlpha = 0.9;
    g.fillStyle = c.surface;
    g.fillRect(0, 0, MINIMAP_SIZE.width, MINIMAP_SIZE.height);
    g.globalAlpha = 1;
    g.strokeStyle = c.accent;
    g.lineWidth = 1;
    real.parents().forEach((host) => {
      const b = host.boundingBox({ includeLabels: false });
      const a = toMinimap(transform, { x: b.x1, y: b.y1 });
      g.strokeRect(a.x, a.y, b.w * transform.scale, b.h * transform.scale);
    });
    g.fillStyle = c.muted;
    real.forEach((n) => {
      if (n.isParent()) return;
      const p = toMinimap(transform, n.position());
      g.fillRect(p.x - 1.5, p.y - 1.5, 3, 3);
    });
    nodesDirty = false;
  };

  // A frame: copy the node layer, stroke the viewport rectangle.
  const draw = () => {
    frame = 0;
    if (countDirty) {
      countDirty = false;
      if (userChoice === null) canvas.hidden = cy.nodes("[!part]").length <= threshold;
      toggle?.setAttribute("aria-pressed", String(!canvas.hidden));
    }
    if (canvas.hidden) return;
    const extent = cy.extent();
    // A pan or zoom never redraws the nodes: a rectangle that left the overview is drawn clamped
    // to its edge, and the overview is re-fitted once the view has been still for a moment.
    if (nodesDirty) drawNodes();
    const g = canvas.getContext("2d");
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.drawImage(layer, 0, 0);
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    const r = viewportRect(transform, extent);
    state.rect = r;
    const c = clampRect(r, MINIMAP_SIZE);
    g.strokeStyle = palette?.fg ?? "#1b1f24";
    g.lineWidth = 1.5;
    g.strokeRect(c.x, c.y, c.w, c.h);
    if (c.clamped) {
      clearTimeout(refit);
      refit = setTimeout(nodesChanged, REFIT_MS);
    }
  };
  let refit = 0;
  const schedule = () => {
    if (!frame && (!canvas.hidden || countDirty)) frame = requestAnimationFrame(draw);
  };
  const nodesChanged = () => {
    nodesDirty = true;
    schedule();
  };

  const show = (on) => {
    canvas.hidden = !on;
    toggle?.setAttribute("aria-pressed", String(on));
    if (on) nodesChanged();
  };
  // Whether to show it by the node count is decided in the next frame (one count per batch of adds).
  const autoShow = () => {
    countDirty = true;
    schedule();
  };

  // Pointer: click or drag centres the view on the point under the pointer.
  const panTo = (event) => {
    if (!transform) return;
    const rect = canvas.getBoundingClientRect();
    const view = { width: cy.width(), height: cy.height() };
    cy.pan(panToCentre(transform, { x: event.clientX - rect.left, y: event.clientY - rect.top }, view, cy.zoom()));
  };
  let dragging = false;
  // Cytoscape listens on its container: the minimap's own events stop here.
  for (const type of ["mousedown", "mouseup", "mousemove", "touchstart", "touchmove", "touchend", "wheel", "click", "dblclick", "contextmenu"]) {
    canvas.addEventListener(type, (event) => event.stopPropagation());
  }
  canvas.addEventListener("pointerdown", (event) => {
    event.stopPropagation();
    event.preventDefault();
    dragging = true;
    canvas.setPointerCapture?.(event.pointerId);
    panTo(event);
  });
  canvas.addEventListener("pointermove", (event) => {
    event.stopPropagation();
    if (dragging) panTo(event);
  });
  const stop = (event) => {
    event.stopPropagation();
    dragging = false;
  };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  // Keyboard: the arrow keys move the view by a fifth of its size.
  canvas.addEventListener("keydown", (event) => {
    const step = { ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[event.key];
    if (!step) return;
    event.preventDefault();
    event.stopPropagation();
    cy.panBy({ x: (step[0] * cy.width()) / 5, y: (step[1] * cy.height()) / 5 });
  });

  const fit = document.getElementById("canvas-fit");
  let toggle = null;
  if (fit) {
    toggle = document.createElement("button");
    toggle.type = "button";
    toggle.id = "minimap-toggle";
    toggle.textContent = "Minimap";
    toggle.title = "Show or hide the overview of the whole drawing";
    toggle.addEventListener("click", () => {
      userChoice = canvas.hidden;
      show(userChoice);
    });
    fit.after(toggle);
  }

  cy.on("viewport resize", schedule);
  cy.on("add remove position", nodesChanged);
  cy.on("add remove", autoShow);
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", nodesChanged);
  autoShow();
  return { show, redraw: nodesChanged };
}
