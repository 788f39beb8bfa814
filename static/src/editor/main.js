// The design page's editor bundle. Viewers get the read-only drawing; owners and editors get the
// editor: palette, canvas gestures, toolbar, properties and problems panels, autosave, import and
// export. Every edit goes through the model's commands (static/src/model/); the canvas and the
// panels re-render from the document the model hands back (see docs/editor.md).
//
// Canvas content is not DOM, so tests read it through one small read-only hook:
// `window.designer.snapshot()` -> { document, view: { readOnly, zoom, pan, nodes, edges, selected } }.
import cytoscape from "cytoscape";
import edgehandles from "cytoscape-edgehandles";
import { Editor, change, commandForKey, kindsFromSchema, missingPrerequisite, nearestHost } from "../model/index.js";
import { autoLayout } from "./autolayout.js";
import { hostAt, installDrag, modelPoint, syncCanvas, viewState } from "./canvas.js";
import { installMinimap, minimapState } from "./minimap.js";
import { documentToElements, layoutFor } from "./elements.js";
import { schema } from "./fieldcheck.js";
import { renderPalette } from "./palette.js";
import { freeSpot, guestSpot } from "./placement.js";
import { ProblemsPanel, worstByTarget } from "./problems.js";
import { PropertiesPanel } from "./properties.js";
import { askNic, resolveEnds } from "./nicpick.js";
import { installWireHandle } from "./wirehandle.js";
import { outsideHostWarning } from "./wirecheck.js";
import { SaveState, Saver, saveAsCopy } from "./saving.js";
import { startCoedit } from "./coedit.js";
import { Replica, newClientId } from "../model/coedit.js";
import { installPresence } from "./presence.js";
import { canvasStyle } from "./style.js";
import { exportJson, exportPng, exportSvg, readImport } from "./transfer.js";
import { mountLive } from "../live/index.js";

cytoscape.use(edgehandles);

// Above this many nodes the canvas trades live redraw during pan/zoom for frame rate.
export const LARGE_DESIGN = 300;

function readDocument() {
  const script = document.getElementById("design-document");
  if (!script) throw new Error("the design page has no #design-document script tag");
  return JSON.parse(script.textContent);
}

function snapshotOf(cy, doc, readOnly) {
  return {
    document: structuredClone(doc),
    view: {
      readOnly,
      zoom: cy.zoom(),
      pan: { ...cy.pan() },
      // View-only elements (an expanded NAT network's parts, a distributed switch's spans) are
      // listed apart: `nodes` and `edges` are the document's.
      nodes: cy.nodes("[!part]").map((n) => ({
        id: n.id(),
        kind: n.data("kind"),
        label: n.data("label"),
        parent: n.data("parent") ?? null,
        position: { ...n.position() },
        problem: n.data("problem") ?? null,
      })),
      edges: cy.edges("[!part]").map((e) => ({
        id: e.id(),
        source: e.data("source"),
        target: e.data("target"),
        sourceLabel: e.data("sourceLabel"),
        targetLabel: e.data("targetLabel"),
        sourceText: e.data("sourceText"),
        targetText: e.data("targetText"),
      })),
      parts: cy.elements("[?part][!handle]").map((e) => ({
        id: e.id(),
        group: e.group(),
        label: e.data("label") ?? "",
        parent: e.isNode() ? (e.data("parent") ?? null) : null,
        source: e.isEdge() ? e.data("source") : null,
        target: e.isEdge() ? e.data("target") : null,
        position: e.isNode() ? { ...e.position() } : null,
        // What it covers with its label (model coordinates): tests check nothing is drawn on it.
        box: e.isNode() ? (({ x1, y1, x2, y2 }) => ({ x1, y1, x2, y2 }))(e.boundingBox()) : null,
        // Where a span or part edge is drawn (it follows its ends when they move).
        ends: e.isEdge() ? [{ ...e.sourceEndpoint() }, { ...e.targetEndpoint() }] : null,
      })),
      // The selected node's wire handle (wirehandle.js), when one is shown.
      handle: cy.getElementById("wire-handle").nonempty()
        ? { owner: cy.getElementById("wire-handle").data("owner"), position: { ...cy.getElementById("wire-handle").position() } }
        : null,
      expanded: [...viewState(cy).expanded],
      minimap: minimapState(cy),
      selected: cy.$(":selected").map((e) => e.id()),
    },
  };
}

function isTyping(target) {
  return Boolean(target?.closest?.("input, textarea, select, [contenteditable=''], [contenteditable=true]"));
}

export function mount(container) {
  const initial = readDocument();
  const readOnly = container.dataset.canEdit !== "true";
  const cy = cytoscape({
    container,
    elements: documentToElements(initial),
    style: canvasStyle(),
    layout: layoutFor(initial),
    autoungrabify: readOnly,
    boxSelectionEnabled: !readOnly,
    wheelSensitivity: 0.3,
    minZoom: 0.01, // a 10,000-node design must still fit the view
    maxZoom: 4,
    // Large designs: pan and zoom move a cached picture and redraw once the gesture ends
    // (bench/canvas.py measures the difference; docs/editor.md has the figures).
    ...(initial.nodes?.length > LARGE_DESIGN ? { textureOnViewport: true, hideEdgesOnViewport: true } : {}),
  });
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", () => cy.style(canvasStyle()));
  document.getElementById("canvas-fit")?.addEventListener("click", () => cy.fit(undefined, 30));
  installMinimap(cy, container);
  // A NAT network is one object; a double click (or the properties panel's button) shows its
  // switch, DHCP server and router (view only: the document keeps one nat_network node).
  viewState(cy).getDoc = () => initial;
  cy.on("dbltap", "node.nat_network", (event) => toggleNat(cy, event.target.id()));
  // The Simulation panel (static/src/live/, docs/live.md), for everyone who can see the design;
  // the packet animation draws on this `cy`.
  const liveRoot = document.getElementById("live-root");
  let live = null;
  try {
    live = liveRoot ? mountLive({ cy, designId: container.dataset.designId, canEdit: !readOnly, root: liveRoot, doc: initial,
      getDoc: () => viewState(cy).getDoc() }) : null;
  } catch (error) {
    // The drawing and the editor must work even if the live panel cannot start.
    console.error("the Simulation panel could not start:", error);
  }
  if (readOnly) {
    // A viewer watches the editors' changes arrive (the same replica, with no changes of its own).
    let shown = initial;
    const session = live?.session;
    if (session) {
      const replica = new Replica({ doc: initial, seq: Number(container.dataset.version), client: newClientId() });
      const send = (m) => { if (m && session.connected) session.socket.send(JSON.stringify(m)); };
      session.addEventListener("hello", () => send(replica.opened()));
      session.addEventListener("connection", ({ detail }) => { if (!detail.connected) replica.closed(); });
      session.addEventListener("message", ({ detail }) => {
        if (!detail.type?.startsWith("design.")) return;
        const result = replica.receive(detail);
        send(result.sync);
        if (result.changed) {
          shown = replica.doc;
          syncCanvas(cy, shown);
        }
      });
      viewState(cy).getDoc = () => shown;
    }
    window.designer = Object.freeze({ snapshot: () => snapshotOf(cy, shown, true), live: () => live?.snapshot() });
  } else {
    mountEditor(container, cy, initial, live);
  }
  container.dataset.ready = "true";
  container.setAttribute("aria-busy", "false");
  return cy;
}

/** Expands or collapses NAT network `id` on the canvas (a view choice, no command, no undo step). */
function toggleNat(cy, id) {
  const view = viewState(cy);
  if (view.expanded.has(id)) view.expanded.delete(id);
  else view.expanded.add(id);
  syncCanvas(cy, view.getDoc());
  cy.emit("netdesigner:view");
}

function mountEditor(container, cy, initial, live) {
  const kinds = kindsFromSchema(schema);
  const editor = new Editor({ kinds, doc: initial });
  viewState(cy).getDoc = () => editor.doc;
  const designId = container.dataset.designId;
  const status = document.getElementById("save-status");
  const banner = document.getElementById("editor-banner");
  let clipboard = null;

  const say = (message, kind = "error", actions = []) => {
    banner.hidden = false;
    banner.dataset.kind = kind;
    const text = document.createElement("span");
    if (Array.isArray(message)) {
      const list = document.createElement("ul");
      list.append(...message.map((m) => Object.assign(document.createElement("li"), { textContent: m })));
      text.append(list);
    } else text.textContent = message;
    const close = Object.assign(document.createElement("button"), { type: "button", textContent: "Dismiss" });
    close.addEventListener("click", () => { banner.hidden = true; });
    banner.replaceChildren(text, ...actions, close);
  };
  const button = (label, onClick) => {
    const b = Object.assign(document.createElement("button"), { type: "button", textContent: label });
    b.addEventListener("click", onClick);
    return b;
  };
  const onError = (error) => say(error.message);

  const selection = () => ({
    nodes: cy.nodes(":selected").map((n) => n.id()),
    links: cy.edges(":selected").map((e) => e.id()),
  });
  const select = (ids) => {
    cy.elements().unselect();
    for (const id of ids) cy.getElementById(id).select();
  };

  const saver = new Saver({
    designId,
    version: Number(container.dataset.version),
    getDocument: () => editor.doc,
    onState: (state, label) => {
      status.dataset.state = state;
      status.textContent = label;
      if (state === SaveState.CONFLICT) {
        say("This design changed elsewhere: your changes are not saved.", "error", [
          button("Reload", () => { saver.forget(); location.reload(); }),
          button("Save as a copy", async () => {
            try {
              const id = await saveAsCopy(`${editor.doc.name ?? "Design"} (copy)`, editor.doc);
              saver.forget();
              location.assign(`/designs/${id}/`);
            } catch (e) { onError(e); }
          }),
        ]);
      }
    },
  });

  const properties = new PropertiesPanel(document.getElementById("properties-body"), editor, {
    kinds,
    nat: { isExpanded: (id) => viewState(cy).expanded.has(id), toggle: (id) => toggleNat(cy, id) },
  });
  cy.on("netdesigner:view", () => properties.render());
  const problems = new ProblemsPanel(document.getElementById("problems-list"), {
    getDocument: () => editor.doc,
    select,
    // The same problems marked on the canvas (a red or amber glow on what they are about) and
    // listed in the properties panel for the selected object.
    onProblems: (found) => {
      const worst = worstByTarget(found);
      cy.batch(() => {
        cy.elements("[!part]").forEach((ele) => {
          const severity = worst[ele.id()];
          // data(key, undefined) is a read in Cytoscape: a mark that went away is removed.
          if (!severity) {
            if (ele.data("problem") !== undefined) ele.removeData("problem");
          } else if (ele.data("problem") !== severity) ele.data("problem", severity);
        });
      });
      properties.setProblems(found);
    },
  });
  const toolbar = document.getElementById("editor-toolbar");
  const refreshToolbar = () => {
    const sel = selection();
    toolbar.querySelector("[data-action='history.undo']").disabled = !editor.history.canUndo;
    toolbar.querySelector("[data-action='history.redo']").disabled = !editor.history.canRedo;
    for (const action of ["clipboard.copy", "selection.duplicate"]) toolbar.querySelector(`[data-action='${action}']`).disabled = sel.nodes.length === 0;
    toolbar.querySelector("[data-action='selection.delete']").disabled = sel.nodes.length + sel.links.length === 0;
    toolbar.querySelector("[data-action='clipboard.paste']").disabled = !clipboard;
  };

  // Co-editing over the design socket (editor/coedit.js) when the browser has websockets; the
  // HTTP autosave (saving.js, with its 409) is the fallback without one.
  const session = live?.session ?? null;
  let coedit = null;
  let presence = null;
  if (session && typeof WebSocket !== "undefined") {
    const send = (message) => { if (session.connected) session.socket.send(JSON.stringify(message)); };
    presence = installPresence({ cy, container, send });
    coedit = startCoedit({
      editor, session, version: Number(container.dataset.version), designId: container.dataset.designId,
      onState: (state, label) => { status.dataset.state = state; status.textContent = label; },
      say: (message, kind) => say(message, kind),
      onMessage: (msg) => {
        presence.receive(msg);
        if (msg.type === "design.synced") presence.resend();
      },
    });
  }

  editor.subscribe((doc, info) => {
    syncCanvas(cy, doc);
    properties.render();
    refreshToolbar();
    problems.changed();
    if (info.notes?.length) say(`${info.source === "redo" ? "Redo" : "Undo"} skipped: ${info.notes.join("; ")}.`, "info");
    if (!coedit && info.source !== "remote") saver.changed();
  });
  cy.on("select unselect", () => {
    properties.show(selection());
    refreshToolbar();
  });

  const run = (name, args) => {
    try {
      const result = editor.run(name, args);
      if (result?.ids?.length) select(result.ids);
      return result;
    } catch (error) {
      onError(error);
      return null;
    }
  };

  // "Keep in design" in the live panel (live/runnodes.js): a node made during the run, as run.keep
  // handed it back, added with its links as one undoable edit, saved like any other.
  live?.setKeeper?.(({ node, links }) => {
    if (editor.doc.nodes?.some((n) => n.id === node?.id)) throw new Error(`${node.id} is in the design already`);
    if (!run("design.keep", { node, links })) throw new Error("the design did not take it (see the message above the canvas)");
  });

  const drag = installDrag(cy, editor, { onError });

  // Wiring: drag from a node to another in "Wire" mode, or Shift+drag from a node at any time.
  const eh = cy.edgehandles({ snap: true, canConnect: (source, target) => source.id() !== target.id() && !target.data("part") });
  // The selected node's wire handle (wirehandle.js): press it and drag to another node.
  installWireHandle(cy, { start: (node) => eh.start(node) });
  // A node with several free NICs is asked which one (nicpick.js); Escape cancels, nothing changes.
  const askFor = (nodeId, choices) => {
    const node = cy.getElementById(nodeId);
    const rect = container.getBoundingClientRect();
    const p = node.renderedPosition();
    const name = editor.doc.nodes.find((n) => n.id === nodeId)?.name ?? nodeId;
    return askNic(document.body, { x: rect.left + p.x + 16, y: rect.top + p.y + 16 }, name, choices);
  };
  cy.on("ehcomplete", async (event, source, target, added) => {
    added.remove();
    const ends = await resolveEnds(kinds, editor.doc, source.id(), target.id(), askFor);
    if (!ends) return;
    const before = editor.doc;
    const result = run("link.connect", ends);
    const link = result?.ids?.length ? editor.doc.links.find((l) => l.id === result.ids[0]) : null;
    // A VM wired outside its host: said at once (wirecheck.js), the link stays (Undo takes it back).
    const warning = link ? outsideHostWarning(before, editor.doc, link) : null;
    if (warning) say(warning, "warning");
  });
  cy.on("tapstart", "node", (event) => {
    if (event.originalEvent?.shiftKey) eh.start(event.target);
  });
  const wire = document.createElement("button");
  wire.type = "button";
  wire.textContent = "Wire mode";
  wire.title = "Drag from a node to another to link them (or Shift+drag at any time)";
  wire.setAttribute("aria-pressed", "false");
  wire.addEventListener("click", () => {
    const on = wire.getAttribute("aria-pressed") !== "true";
    wire.setAttribute("aria-pressed", String(on));
    if (on) eh.enableDrawMode();
    else eh.disableDrawMode();
  });
  toolbar.querySelector(".toolbar-sep").before(wire);
  const arrange = document.createElement("button");
  arrange.type = "button";
  arrange.textContent = "Auto layout";
  arrange.title = "Arrange the drawing automatically (fcose); one Undo puts it back";
  arrange.addEventListener("click", () => autoLayout(cy, run, () => syncCanvas(cy, editor.doc)));
  wire.after(arrange);

  // Adding nodes: click a palette button (placed in view, a guest into the selected or nearest
  // host) or drag it onto the canvas (a guest into the host it is dropped on).
  const addAt = (kind, at, host) => run("node.add", { kind, at: { x: Math.round(at.x), y: Math.round(at.y) }, host: host ?? undefined });
  const addByClick = (kind) => {
    const entry = kinds.find((k) => k.kind === kind);
    const doc = editor.doc;
    const selected = cy.nodes(":selected").first();
    const selectedDoc = selected.nonempty() ? doc.nodes.find((n) => n.id === selected.id()) : null;
    // The host a guest goes on: the selected host, the host of the selected guest, else (a kind
    // that must be placed) the host nearest the middle of the view.
    let host = null;
    if (entry.placedOn.length && selectedDoc) {
      if (entry.placedOn.includes(selectedDoc.kind)) host = selectedDoc.id;
      else if (selectedDoc.host && entry.placedOn.includes(doc.nodes.find((n) => n.id === selectedDoc.host)?.kind)) host = selectedDoc.host;
    }
    const ext = cy.extent();
    const middle = { x: (ext.x1 + ext.x2) / 2, y: (ext.y1 + ext.y2) / 2 };
    if (!host && entry.placementRequired) host = nearestHost(kinds, doc, kind, middle);
    if (host) {
      const hostNode = doc.nodes.find((n) => n.id === host);
      const guests = doc.nodes.filter((n) => n.host === host && n.position).map((n) => n.position);
      const origin = cy.getElementById(host).nonempty() && !cy.getElementById(host).isParent()
        ? cy.getElementById(host).position()
        : hostNode?.position ?? middle;
      addAt(kind, guestSpot(guests, origin), host);
      return;
    }
    // Anything else: beside the selected node (or its host), else near the middle of the view,
    // where its box touches no other box.
    const boxes = cy.nodes("[!part]").map((n) => n.boundingBox({ includeLabels: true }));
    const anchor = selected.nonempty() ? (selected.isChild() ? selected.parent() : selected) : null;
    addAt(kind, freeSpot(boxes, middle, anchor ? anchor.boundingBox({ includeLabels: true }) : null));
  };
  // The model fills a new node's required fields (model/defaults.js); a kind whose prerequisite
  // is missing from the design (a distributed switch with no host to span) is disabled, saying why.
  const missing = (kind) => {
    const why = missingPrerequisite(editor.doc, kind);
    return why ? [why] : [];
  };
  const refreshPalette = renderPalette(document.getElementById("palette"), kinds, { onAdd: addByClick, missing });
  editor.subscribe(() => refreshPalette());
  container.addEventListener("dragover", (event) => {
    if (event.dataTransfer?.types.includes("application/x-netdesigner-kind")) event.preventDefault();
  });
  container.addEventListener("drop", (event) => {
    const kind = event.dataTransfer?.getData("application/x-netdesigner-kind");
    if (!kind) return;
    event.preventDefault();
    const at = modelPoint(cy, event.clientX, event.clientY);
    const entry = kinds.find((k) => k.kind === kind);
    const host = entry?.placedOn.length ? hostAt(cy, at, null, entry.placedOn) : null;
    addAt(kind, at, host?.id());
  });

  // Commands by name: the toolbar's buttons and the keyboard share them.
  const actions = {
    "history.undo": () => editor.undo(),
    "history.redo": () => editor.redo(),
    "clipboard.copy": () => {
      const ids = selection().nodes;
      if (!ids.length) return false; // nothing on the canvas: the browser copies page text
      clipboard = editor.copy(ids);
      navigator.clipboard?.writeText(JSON.stringify(clipboard)).catch(() => {});
      refreshToolbar();
    },
    "clipboard.cut": () => {
      actions["clipboard.copy"]();
      actions["selection.delete"]();
    },
    "clipboard.paste": () => clipboard && run("clipboard.paste", { payload: clipboard }),
    "selection.duplicate": () => {
      const ids = selection().nodes;
      if (ids.length) run("selection.duplicate", { nodes: ids });
    },
    "selection.delete": () => {
      const sel = selection();
      if (sel.nodes.length + sel.links.length) run("selection.delete", sel);
    },
    "selection.all": () => cy.elements().select(),
    "gesture.cancel": () => {
      if (drag.cancelDrag()) return;
      if (wire.getAttribute("aria-pressed") === "true") wire.click();
      eh.stop();
      cy.elements().unselect();
    },
    "export.json": () => exportJson(editor.doc),
    "export.png": () => exportPng(cy, editor.doc),
    "export.svg": () => exportSvg(cy, editor.doc),
  };
  toolbar.addEventListener("click", (event) => {
    const name = event.target.closest("[data-action]")?.dataset.action;
    if (name && actions[name]) actions[name]();
  });
  document.addEventListener("keydown", (event) => {
    const typing = isTyping(event.target);
    const name = commandForKey(event, { typing });
    if (!name || !actions[name]) return;
    // Escape in a field cancels a drag at most: the field keeps the selection it is editing.
    if (typing) {
      drag.cancelDrag();
      return;
    }
    // An action answering false did not apply: the key keeps its browser meaning.
    if (actions[name]() !== false) event.preventDefault();
  });

  // Import: the file is checked (JSON, then the schema) before anything changes.
  document.getElementById("import-file").addEventListener("change", async (event) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    const read = await readImport(file);
    if (read.errors.length) {
      say([`${file.name} was not imported, nothing changed:`, ...read.errors]);
      return;
    }
    replaceDocument(read.document);
  });
  // An import replaces the whole document as one undoable step (its operations computed by the
  // model's diff, like any command's).
  const replaceDocument = (doc) => {
    const done = change(editor.doc, doc);
    if (!done) return;
    editor.applyLocal({ ...done, label: "Import" }, "import");
    if (!doc.nodes.every((n) => n.position || doc.nodes.some((g) => g.host === n.id))) cy.layout(layoutFor(doc)).run();
    cy.fit(undefined, 30);
  };

  // Work a previous visit left unsaved is offered back, never applied silently.
  const unsaved = Saver.unsaved(designId);
  if (!coedit && unsaved?.document && JSON.stringify(unsaved.document) !== JSON.stringify(initial)) {
    say("This design has unsaved changes from an earlier visit.", "info", [
      button("Restore them", () => {
        banner.hidden = true;
        // Saved against the version it started from: a design changed since answers 409.
        saver.version = unsaved.base_version ?? saver.version;
        editor.load(unsaved.document);
      }),
      button("Discard them", () => { banner.hidden = true; saver.forget(); }),
    ]);
  }

  properties.show(selection());
  refreshToolbar();
  problems.refresh();
  window.designer = Object.freeze({
    snapshot: () => snapshotOf(cy, editor.doc, false),
    saveState: () => (coedit ? status.dataset.state : saver.state),
    coedit: () => (coedit ? { ...coedit.state(), peers: presence.peers() } : null),
    select: (ids) => select(ids),
    live: () => live?.snapshot(),
  });
}

const container = document.getElementById("canvas");
if (container) mount(container);
