// The canvas is a view of the document: `syncCanvas` reconciles Cytoscape with the document after
// every change (add, update, re-parent, remove), and the gestures below turn what the user does on
// the canvas into model commands (a drag = one `nodes.arrange` step, a drop on a host = one
// `node.place`, a wire = one `link.connect`), never into direct canvas edits.

import { kindOf } from "../model/index.js";
import { NAT_PARTS, documentToElements } from "./elements.js";

// View choices that are not in the document (which NAT networks are expanded), kept on the
// Cytoscape instance so every syncCanvas call draws them.
const VIEW = "netdesigner-view";

/** The view state of `cy`: {expanded: Set of NAT network ids}. */
export function viewState(cy) {
  let view = cy.scratch(VIEW);
  if (!view) {
    view = { expanded: new Set() };
    cy.scratch(VIEW, view);
  }
  return view;
}

function samePosition(a, b) {
  return Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01;
}

/** Makes `cy` show `doc`; cheap when little changed (the elements are compared one by one). */
export function syncCanvas(cy, doc) {
  const view = viewState(cy);
  for (const id of view.expanded) if (!doc.nodes.some((n) => n.id === id && n.kind === "nat_network")) view.expanded.delete(id);
  const elements = documentToElements(doc, view);
  const wanted = new Map(elements.map((e) => [e.data.id, e]));
  cy.batch(() => {
    cy.elements().forEach((ele) => {
      if (ele.data("handle")) return; // the wire handle is the view's own (wirehandle.js)
      const want = wanted.get(ele.id());
      const group = ele.isNode() ? "nodes" : "edges";
      if (!want || want.group !== group) ele.remove();
      else if (group === "edges" && (ele.data("source") !== want.data.source || ele.data("target") !== want.data.target)) ele.remove();
    });
    // Parents first, so a guest added with its host finds it.
    const nodes = elements.filter((e) => e.group === "nodes");
    nodes.sort((a, b) => Number(Boolean(a.data.parent)) - Number(Boolean(b.data.parent)));
    for (const element of nodes) {
      const existing = cy.getElementById(element.data.id);
      if (existing.empty()) {
        cy.add(element);
        continue;
      }
      if ((existing.data("parent") ?? null) !== (element.data.parent ?? null)) {
        existing.move({ parent: element.data.parent ?? null });
      }
      const node = cy.getElementById(element.data.id);
      if (node.data("label") !== element.data.label) node.data("label", element.data.label);
      if (node.data("kind") !== element.data.kind || Boolean(node.data("expanded")) !== Boolean(element.data.expanded)) {
        node.data("kind", element.data.kind);
        node.data("expanded", element.data.expanded ?? false);
        node.classes(element.classes);
      }
      // A compound node's position is its children's box: moving it would move them all.
      if (element.position && !node.isParent() && !samePosition(node.position(), element.position)) {
        node.position(element.position);
      }
    }
    for (const element of elements.filter((e) => e.group === "edges")) {
      const existing = cy.getElementById(element.data.id);
      if (existing.empty()) cy.add(element);
      else {
        for (const key of ["sourceLabel", "targetLabel", "sourceText", "targetText", "label"]) {
          if (element.data[key] !== undefined && existing.data(key) !== element.data[key]) existing.data(key, element.data[key]);
        }
      }
    }
  });
}

/**
 * The node drawn under model point `p` that can take a guest (one of kinds `targets`, a kind's
 * `placedOn`), other than `except` (a Cytoscape node or null).
 */
export function hostAt(cy, p, except = null, targets = ["host"]) {
  const hosts = cy.nodes().filter((h) => targets.includes(h.data("kind")) && (!except || h.id() !== except.id()));
  let found = null;
  hosts.forEach((h) => {
    const bb = h.boundingBox({ includeLabels: false });
    if (p.x >= bb.x1 && p.x <= bb.x2 && p.y >= bb.y1 && p.y <= bb.y2) found = h;
  });
  return found;
}

/** Model coordinates of a client (page) point over the canvas container. */
export function modelPoint(cy, clientX, clientY) {
  const rect = cy.container().getBoundingClientRect();
  const pan = cy.pan();
  const zoom = cy.zoom();
  return { x: (clientX - rect.left - pan.x) / zoom, y: (clientY - rect.top - pan.y) / zoom };
}

/**
 * Wires the drag gesture: when a drag ends, the positions the canvas shows are written to the
 * document in one step (and a guest dropped on another host is placed there, in the same step).
 * `cancelDrag()` (Escape) puts everything back where the document has it and drops the gesture.
 */
export function installDrag(cy, editor, { onError }) {
  let dragging = false;
  let cancelled = false;
  let pending = null;
  cy.on("drag", "node", () => {
    dragging = true;
  });
  cy.on("free", "node", (event) => {
    if (!dragging) return;
    pending = pending ?? new Set();
    pending.add(event.target.id());
    // A multi-node drag frees every node in one mouseup: commit once, after the last (a
    // microtask, so the document is up to date before the next event is handled).
    queueMicrotask(() => {
      if (!pending) return;
      const freed = [...pending];
      pending = null;
      dragging = false;
      if (cancelled) {
        cancelled = false;
        syncCanvas(cy, editor.doc);
        return;
      }
      commitDrag(cy, editor, freed, onError);
    });
  });
  return {
    get dragging() {
      return dragging;
    },
    cancelDrag() {
      if (!dragging) return false;
      cancelled = true;
      syncCanvas(cy, editor.doc);
      return true;
    },
  };
}

function commitDrag(cy, editor, freed, onError) {
  const positions = {};
  const byId = new Map(editor.doc.nodes.map((n) => [n.id, n]));
  cy.nodes().forEach((n) => {
    const node = byId.get(n.id());
    if (!node) return;
    let p = n.position();
    // An expanded NAT network is a box around its parts: its position is where its parts say.
    if (n.data("expanded")) {
      const part = cy.getElementById(`part:${n.id()}:switch`);
      if (part.empty()) return;
      const at = part.position();
      p = { x: at.x - NAT_PARTS[0].dx, y: at.y - NAT_PARTS[0].dy };
    }
    const before = node.position;
    if (!before || !samePosition(before, p)) positions[n.id()] = { x: Math.round(p.x), y: Math.round(p.y) };
  });
  const placements = [];
  for (const id of freed) {
    const n = cy.getElementById(id);
    const node = byId.get(id);
    // Any kind the schema lets be placed (x-placed-on) moves onto the host it is dropped on.
    const targets = node ? kindOf(editor.kinds, node.kind).placedOn : [];
    if (!targets.length) continue;
    const host = hostAt(cy, n.position(), n.parent().nonempty() ? n.parent()[0] : null, targets);
    if (host && host.id() !== node.host) placements.push({ node: id, host: host.id() });
  }
  editor.begin("Move");
  try {
    if (Object.keys(positions).length) editor.run("nodes.arrange", { positions });
    for (const placement of placements) editor.run("node.place", placement);
  } catch (error) {
    onError(error);
  } finally {
    editor.end();
  }
  syncCanvas(cy, editor.doc);
}
