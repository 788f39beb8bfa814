// Nodes made during the run drawn on the canvas inside their host, from the live tables: containers
// (`lxc launch`, `docker run` on a host's console; `tables.containers`, docs/containers.md) and VM
// clones (`VBoxManage clonevm`, the snapshot panel's Clone; `tables.vms` rows with
// `created_in_run`, docs/virt.md). One appears when the run makes it, a container dims while
// stopped (a clone's power shows as its VM badge), and it goes when the run no longer has it
// (deleted, or a seek to before it was made: the tables after a seek are the run as it was then).
// They are view-only parts (`part`), dashed, never saved in the design; "Keep in design"
// (createKeepPanel) asks the run for one as a design node (`run.keep`) and the editor adds it.
import { h } from "./dom.js";

export const KEEP_REASON = "keeping a node in the design is for the design's owner and editors";

// The run's containers as canvas nodes: { id, parent, label, state, runtime } for each container
// the design does not draw itself (`drawn(id)` says which ids the design has).
export function runContainers(tables, drawn = () => false) {
  const out = [];
  for (const [host, rows] of Object.entries(tables?.containers ?? {})) {
    for (const row of rows ?? []) {
      if (!row || typeof row.node !== "string" || drawn(row.node)) continue;
      out.push({ id: row.node, parent: host, label: row.name, image: row.image, state: row.state, runtime: row.runtime });
    }
  }
  return out;
}

// The run's VM clones as canvas nodes: { id, parent, label, state, kind: "vm" } for each VM the run
// made that the design does not draw.
export function runClones(tables, drawn = () => false) {
  const out = [];
  for (const [id, row] of Object.entries(tables?.vms ?? {})) {
    if (!row?.created_in_run || drawn(id)) continue;
    out.push({ id, parent: row.host ?? null, label: id, state: row.state, kind: "vm" });
  }
  return out;
}

const STOPPED = new Set(["STOPPED", "exited", "created"]);

// Bring the canvas in step with the run's containers and clones (a cytoscape instance).
export function syncRunContainers(cy, tables) {
  const drawn = (id) => {
    const node = cy.getElementById(id);
    return node.nonempty() && !node.data("runMade");
  };
  const wanted = [...runContainers(tables, drawn), ...runClones(tables, drawn)];
  const ids = new Set(wanted.map((c) => c.id));
  const added = [];
  cy.batch(() => {
    cy.nodes("[?runMade]").forEach((n) => {
      if (!ids.has(n.id())) n.remove();
    });
    wanted.forEach((c) => {
      const clone = c.kind === "vm";
      const classes = clone ? "vm run-made" : `container run-made${STOPPED.has(c.state) ? " stopped" : ""}`;
      const label = clone ? `${c.label}\n(clone)` : `${c.label}\n${c.image}`;
      const existing = cy.getElementById(c.id);
      if (existing.nonempty()) {
        existing.data({ label, state: c.state });
        existing.classes(classes);
        return;
      }
      const host = cy.getElementById(c.parent);
      const node = cy.add({
        group: "nodes",
        data: { id: c.id, kind: clone ? "vm" : "container", label, part: true, runMade: true, state: c.state,
                ...(host.nonempty() ? { parent: c.parent } : {}) },
        classes,
        position: placeFor(cy, host),
        selectable: true,
        grabbable: false,
      });
      clearOfSiblings(node);
      added.push(node);
    });
  });
  if (added.length) reveal(cy, added);
}

const SPACING = { x: 90, y: 70 }; // a node box with its two-line label, and a gap
const PER_ROW = 4;

// Where a node made during the run goes: in a row under what its host already holds (the
// design's own nodes first, then the run's, four to a row), never on top of another box.
export function placeFor(cy, host) {
  if (!host?.nonempty()) {
    const made = cy.nodes("[?runMade]").filter((n) => !n.isChild()).length;
    const bb = cy.nodes().length ? cy.nodes().boundingBox() : { x1: 0, y2: 0 };
    return { x: bb.x1 + SPACING.x * (made % PER_ROW), y: bb.y2 + SPACING.y * (1 + Math.floor(made / PER_ROW)) };
  }
  const own = host.children().filter((n) => !n.data("runMade"));
  const made = host.children().filter((n) => n.data("runMade")).length;
  const bb = own.length ? own.boundingBox() : { x1: host.position().x - SPACING.x, y2: host.position().y - SPACING.y / 2 };
  return { x: bb.x1 + 30 + SPACING.x * (made % PER_ROW), y: bb.y2 + SPACING.y * (0.75 + Math.floor(made / PER_ROW)) };
}

// A label wider than the spacing (an image's name under its box) ran under the next box: a new
// node moves right until its box and label clear those of the run-made nodes beside it.
function clearOfSiblings(node) {
  const others = node.siblings("[?runMade]");
  for (let tries = 0; tries < 8; tries += 1) {
    const b = node.boundingBox();
    const hit = others.filter((o) => {
      const c = o.boundingBox();
      return b.x1 < c.x2 && c.x1 < b.x2 && b.y1 < c.y2 && c.y1 < b.y2;
    });
    if (hit.empty()) return;
    node.shift({ x: Math.max(...hit.map((o) => o.boundingBox().x2)) - b.x1 + 12, y: 0 });
  }
}

// A node the class should see appear is brought into view: when one lands outside what the
// canvas shows, the view is fitted to the whole drawing (a headless canvas has nothing to show).
function reveal(cy, nodes) {
  if (cy.headless?.() || !cy.width?.()) return;
  const ext = cy.extent();
  const outside = nodes.some((n) => {
    const b = n.boundingBox();
    return b.x1 < ext.x1 || b.x2 > ext.x2 || b.y1 < ext.y1 || b.y2 > ext.y2;
  });
  if (outside) cy.animate({ fit: { eles: cy.elements(), padding: 30 } }, { duration: 300 });
}

/** "Keep in design": the selected run-made node (a container or a clone) kept as a design node.
 * `keep(id)` does it (index.js: run.keep, then the editor's design.keep); viewers, and a page
 * with no editor, see the button disabled with the reason. */
export function createKeepPanel({ canEdit, keep }) {
  let current = null; // {id, label}
  const what = h("span", {}, "Select a dashed node (made during the run) to keep it in the design.");
  const message = h("p", { className: "live-keep-message", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "button", className: "live-keep" }, "Keep in design");
  const reason = () => (!canEdit ? `${KEEP_REASON}.` : !current ? "select a node made during the run (drawn dashed)" : null);
  const refresh = () => {
    const why = reason();
    button.setAttribute("aria-disabled", String(Boolean(why)));
    button.title = why ? `Not now: ${why}` : "";
    what.textContent = current ? `Made during the run: ${current.label}` : "Select a dashed node (made during the run) to keep it in the design.";
  };
  button.addEventListener("click", () => {
    const why = reason();
    if (why) {
      message.textContent = `Not possible now: ${why}`;
      return;
    }
    const { id, label } = current;
    message.textContent = `Keeping ${label}…`;
    Promise.resolve(keep(id)).then(
      () => { message.textContent = `${label} is in the design now (undo takes it out).`; },
      (error) => { message.textContent = `Not kept: ${error?.message ?? error}`; });
  });
  refresh();
  return {
    element: h("section", { className: "live-keep-panel", "aria-label": "Nodes made during the run" }, what, " ", button, message),
    /** A node picked on the canvas: a run-made one becomes the one to keep. */
    select(node) {
      current = node?.data?.("runMade") ? { id: node.id(), label: String(node.data("label") ?? node.id()).split("\n")[0] } : null;
      refresh();
    },
    snapshot: () => ({ selected: current?.id ?? null, disabled: button.getAttribute("aria-disabled") === "true", why: reason() }),
  };
}
