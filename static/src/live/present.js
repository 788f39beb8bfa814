// The presenter view (templates/designer/design_present.html; docs/live.md "Presenter view"): the
// drawing fitted to the screen, the transport bar, the current event as a caption, a console and
// the live tables, sized for a projector at 1280x720 (the sizes and why: docs/design.md
// "The presenter view"). Keys: Space play/pause, → next event, ← back one event, F full screen; none of
// them while typing in a console or a field.
//
// The drawing is read-only here for everyone (a presentation, not an editor); the run's controls
// and the consoles work for owners and editors, as on the design page. What this person sees
// (viewport, selection, picked event, tabs) is one view state (viewstate.js), read with
// `window.designer.view()`.
import cytoscape from "cytoscape";
import { syncCanvas, viewState } from "../editor/canvas.js";
import { documentToElements, layoutFor } from "../editor/elements.js";
import { canvasStyle } from "../editor/style.js";
import { mountLive } from "./index.js";
import { mountSteps } from "../lessons/steps.js";

// Rendered label sizes (CSS px) the presenter keeps at least, whatever the fit's zoom.
export const NODE_LABEL_PX = 18;
export const EDGE_LABEL_PX = 15;
const FIT_PADDING = 28;
const LEGEND_PX = 36;
const LABEL_CLASS = "present-labels"; // the packet legend's height at the presenter's size (overlay.js)
// What Space, arrows and F must leave alone: typing, and controls that use those keys themselves.
const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable=true], .xterm";
const OWN_SPACE = "button, a[href], summary, [role=tab], [role=checkbox]";
const OWN_ARROWS = "[role=tablist], [role=slider], [role=listbox], [role=group]";

function readDocument() {
  const script = document.getElementById("design-document");
  if (!script) throw new Error("the presenter page has no #design-document script tag");
  return JSON.parse(script.textContent);
}

/** Places the live parts in the presenter's slots (mountLive's `arrange`). */
function presenterLayout(slots) {
  return (root, parts) => {
    slots.transport.replaceChildren(parts.transport.element);
    slots.connection.replaceChildren(parts.connection);
    slots.messages.replaceChildren(...[parts.transport.note, parts.banner].filter(Boolean));
    slots.caption.replaceChildren(parts.caption.element);
    slots.consoles.replaceChildren(slots.consolesHeading, parts.consoles.element);
    if (slots.vms) {
      slots.vms.hidden = !parts.vms.hasVms;
      slots.vms.replaceChildren(slots.vmsHeading, parts.vms.element);
      // The power controls are what a class watches; hardware and snapshots stay folded until opened.
      for (const details of parts.vms.element.querySelectorAll("details")) details.removeAttribute("open");
    }
    slots.tables.replaceChildren(slots.tablesHeading, parts.tables.element);
    root.replaceChildren(parts.events.element, parts.inspector.element, parts.pcap);
  };
}

/** Fits the drawing in view with FIT_PADDING around it and `bottom` px kept free under it (the
 * packet legend sits there). */
function fitAbove(cy, bottom) {
  const box = cy.elements().boundingBox();
  const width = cy.width() - 2 * FIT_PADDING;
  const height = cy.height() - 2 * FIT_PADDING - bottom;
  if (!(box.w > 0 && box.h > 0 && width > 0 && height > 0)) {
    cy.fit(undefined, FIT_PADDING);
    return;
  }
  const zoom = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), Math.min(width / box.w, height / box.h)));
  cy.viewport({ zoom, pan: { x: FIT_PADDING + (width - box.w * zoom) / 2 - box.x1 * zoom,
    y: FIT_PADDING + (height - box.h * zoom) / 2 - box.y1 * zoom } });
}

/** Labels big enough to read on a projector at this zoom (model units = rendered px / zoom). The
 * sizes go in rules of a class that is then set again on every element: changing a rule alone left
 * Cytoscape drawing the labels into their old, smaller boxes (clipped). */
function readableLabels(cy) {
  const zoom = cy.zoom() || 1;
  const nodePx = Math.max(11, Math.round(NODE_LABEL_PX / zoom));
  const edgePx = Math.max(9, Math.round(EDGE_LABEL_PX / zoom));
  // A link end's label a little further along its link than on the design page, for the bigger
  // node labels. (A length-dependent offset, a function of the edge, left the labels undrawn:
  // Cytoscape sizes a label's cached box before such a function's value is known.)
  const offset = Math.max(22, Math.round(40 / zoom));
  const pad = Math.max(2, Math.round(8 / zoom));
  const key = `${nodePx}/${edgePx}/${offset}`;
  if (cy.scratch("present-labels") === key) return;
  cy.scratch("present-labels", key);
  const eles = cy.elements();
  eles.removeClass(LABEL_CLASS);
  cy.style()
    // The padding widens the box Cytoscape draws a label into: its width is measured at the model
    // size and the text, drawn larger, came out clipped at both ends without it.
    .selector(`node.${LABEL_CLASS}`).style({ "font-size": nodePx, "text-background-opacity": 0.85, "text-background-padding": pad })
    // A link end's label further along its link, clear of the bigger node label.
    .selector(`edge.${LABEL_CLASS}`).style({ "font-size": edgePx, "source-text-offset": offset, "target-text-offset": offset,
      "text-background-padding": Math.round(pad * 1.5) })
    .update();
  eles.addClass(LABEL_CLASS);
}

export function mountPresenter(container) {
  const doc = readDocument();
  const canEdit = container.dataset.canEdit === "true";
  const cy = cytoscape({
    container,
    elements: documentToElements(doc),
    style: canvasStyle(),
    layout: layoutFor(doc),
    autoungrabify: true,
    boxSelectionEnabled: false,
    wheelSensitivity: 0.3,
    minZoom: 0.01,
    maxZoom: 4,
  });
  viewState(cy).getDoc = () => doc;
  cy.on("add", (event) => {
    if (cy.scratch("present-labels")) event.target.addClass(LABEL_CLASS);
  });
  // A NAT network's parts, as on the design page: a double click shows or hides them.
  cy.on("dbltap", "node.nat_network", (event) => {
    const view = viewState(cy);
    const id = event.target.id();
    if (view.expanded.has(id)) view.expanded.delete(id);
    else view.expanded.add(id);
    syncCanvas(cy, doc);
  });

  // Fitted on open, and again when the screen changes size (full screen) unless the presenter
  // has moved the view since.
  let fitted = true;
  let fitting = false;
  const fit = () => {
    fitting = true;
    cy.resize();
    fitAbove(cy, LEGEND_PX);
    readableLabels(cy);
    fitAbove(cy, LEGEND_PX); // the bigger labels change the drawing's box
    fitting = false;
    fitted = true;
  };
  cy.on("viewport", () => {
    if (!fitting) fitted = false;
  });
  if (typeof ResizeObserver === "function") {
    let last = "";
    new ResizeObserver(() => {
      const size = `${container.clientWidth}x${container.clientHeight}`;
      if (size === last) return;
      last = size;
      if (fitted) requestAnimationFrame(fit);
      else cy.resize();
    }).observe(container);
  }
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", () => {
    cy.style(canvasStyle());
    cy.scratch("present-labels", null);
    readableLabels(cy);
  });
  document.getElementById("present-fit")?.addEventListener("click", fit);

  const slot = (id) => document.getElementById(id);
  const heading = (section) => section.querySelector("h2");
  const slots = {
    transport: slot("present-transport"), connection: slot("present-connection"), messages: slot("present-messages"),
    caption: slot("present-caption"), consoles: slot("present-consoles"), tables: slot("present-tables"),
    vms: slot("present-vms"),
  };
  slots.vmsHeading = slots.vms ? heading(slots.vms) : null;
  slots.consolesHeading = heading(slots.consoles);
  slots.tablesHeading = heading(slots.tables);
  let live = null;
  try {
    live = mountLive({ cy, designId: container.dataset.designId, canEdit, root: slot("live-root"), doc,
      arrange: presenterLayout(slots), overlayScale: 2, consoleFontSize: 17, viewRoot: slot("present-main") });
  } catch (error) {
    console.error("the live run could not start:", error);
  }

  // A lesson's steps (?lesson=<id>): Previous/Next seek the run to each step's moment.
  const stepsData = document.getElementById("lesson-steps-data");
  let lessonSteps = null;
  let seekChain = Promise.resolve();
  if (stepsData && live) {
    lessonSteps = mountSteps({
      panel: slot("lesson-steps"),
      steps: JSON.parse(stepsData.textContent),
      highlight: (look) => {
        cy.elements().unselect();
        if (look.node) cy.getElementById(look.node).select();
        if (look.link) cy.getElementById(look.link).select();
      },
      // A seek needs a run: with none yet, one is started paused first (as the transport's step does).
      // Seeks go one after the other, so a quick second Next lands after the first.
      seek: (t) => { seekChain = seekChain.then(() => seekTo(t)); },
    });
  }

  async function seekTo(t) {
    try {
      await live.session.send("run.seek", { t });
    } catch {
      try {
        await live.session.send("run.start", { paused: true });
        await live.session.send("run.seek", { t });
      } catch (error) {
        console.warn("the lesson step could not move the run:", error);
      }
    }
  }

  // Full screen: the whole page (bar, drawing, caption, console, tables).
  const fullButton = slot("present-fullscreen");
  const toggleFullscreen = () => {
    if (document.fullscreenElement) return document.exitFullscreen?.().catch(() => {});
    return document.documentElement.requestFullscreen?.().catch(() => {});
  };
  fullButton?.addEventListener("click", toggleFullscreen);
  document.addEventListener("fullscreenchange", () => {
    if (fullButton) fullButton.textContent = document.fullscreenElement ? "Leave full screen" : "Full screen";
  });

  const stage = slot("present-stage");
  installKeys({ live, toggleFullscreen, stage });

  cy.ready(() => requestAnimationFrame(() => {
    fit();
    container.dataset.ready = "true";
    container.setAttribute("aria-busy", "false");
  }));

  window.designer = Object.freeze({
    snapshot: () => ({
      view: {
        readOnly: true,
        zoom: cy.zoom(),
        pan: { ...cy.pan() },
        nodes: cy.nodes("[!part]").map((n) => ({ id: n.id(), label: n.data("label"), position: { ...n.position() } })),
        selected: cy.$(":selected").map((e) => e.id()),
        labelPx: { node: Number.parseFloat(cy.nodes().first().style("font-size")) * cy.zoom() },
      },
    }),
    live: () => live?.snapshot(),
    view: () => live?.view.get(),
    fullscreen: () => Boolean(document.fullscreenElement),
    lessonStep: () => (lessonSteps ? lessonSteps.current() + 1 : null),
  });
  return cy;
}

/** Space, → , ← and F for the whole page, except while typing or on a control that owns the key. */
function installKeys({ live, toggleFullscreen, stage }) {
  document.addEventListener("keydown", (event) => {
    if (!live || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest(TYPING)) return;
    const keys = live.keys();
    let done = true;
    if (event.key === " " || event.key === "Spacebar") {
      if (target?.closest(OWN_SPACE)) return;
      keys.playPause();
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      if (target?.closest(OWN_ARROWS)) return;
      if (event.key === "ArrowRight") keys.step();
      else keys.back();
    } else if (event.key === "f" || event.key === "F") {
      toggleFullscreen();
    } else {
      done = false;
    }
    if (done) event.preventDefault();
  });
  // After a mouse click on a button the focus goes back to the stage, so that Space plays or
  // pauses again instead of pressing that button a second time (keyboard users keep their focus).
  document.addEventListener("click", (event) => {
    if (event.detail > 0 && event.target instanceof Element && event.target.closest("button") && !event.target.closest("[role=tab]")) {
      stage?.focus({ preventScroll: true });
    }
  });
}

const container = document.getElementById("canvas");
if (container) mountPresenter(container);
