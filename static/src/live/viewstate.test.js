// Run with `npm test` (node --test). One person's view state (viewstate.js) over a small fake of
// the canvas and the panels: read, applied, and heard once per change the person makes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createViewState } from "./viewstate.js";

function fakeCy() {
  const handlers = [];
  const selected = new Set();
  const cy = {
    z: 1, p: { x: 0, y: 0 },
    zoom: () => cy.z,
    pan: () => cy.p,
    viewport: ({ zoom, pan }) => { cy.z = zoom; cy.p = { ...pan }; cy.emit(); },
    $: () => ({ map: (fn) => [...selected].map((id) => fn({ id: () => id })) }),
    elements: () => ({ unselect: () => { selected.clear(); cy.emit(); } }),
    getElementById: (id) => ({ select: () => { selected.add(id); cy.emit(); } }),
    batch: (fn) => fn(),
    on: (events, fn) => handlers.push(fn),
    emit: () => handlers.forEach((fn) => fn()),
  };
  return cy;
}

function fakePanels() {
  const state = { picked: null, tab: "mac", node: "", console: "vm" };
  return {
    state,
    events: { picked: () => state.picked, pickSeq: (seq) => { state.picked = seq; return true; } },
    tables: { current: () => ({ tab: state.tab, node: state.node }), show: ({ tab, node }) => { state.tab = tab ?? state.tab; state.node = node ?? state.node; } },
    consoles: { current: () => state.console, select: (id) => { state.console = id; } },
  };
}

test("get reads the viewport, selection, picked event, tables tab and console in one object", () => {
  const cy = fakeCy();
  const panels = fakePanels();
  const view = createViewState({ cy, panels: () => panels, root: null, frame: (fn) => fn() });
  assert.deepEqual(view.get(), { viewport: { zoom: 1, pan: { x: 0, y: 0 } }, selection: [], picked: null,
    tables: { tab: "mac", node: "" }, console: "vm" });
});

test("set applies another person's view; subscribe hears the person's own changes only, once each", () => {
  const cy = fakeCy();
  const panels = fakePanels();
  const frames = [];
  const view = createViewState({ cy, panels: () => panels, root: null, frame: (fn) => frames.push(fn) });
  const heard = [];
  view.subscribe((state) => heard.push(state));
  view.set({ viewport: { zoom: 2, pan: { x: 10, y: 20 } }, selection: ["vm", "l_vm"], picked: 42,
    tables: { tab: "nat", node: "natnet" }, console: "hv" });
  frames.splice(0).forEach((fn) => fn());
  assert.deepEqual(view.get(), { viewport: { zoom: 2, pan: { x: 10, y: 20 } }, selection: ["l_vm", "vm"], picked: 42,
    tables: { tab: "nat", node: "natnet" }, console: "hv" });
  assert.deepEqual(heard, [], "what was applied from outside is not echoed back");
  // The person pans: one call for several viewport events in a frame.
  cy.viewport({ zoom: 2, pan: { x: 30, y: 20 } });
  cy.viewport({ zoom: 2, pan: { x: 40, y: 20 } });
  frames.splice(0).forEach((fn) => fn());
  assert.equal(heard.length, 1);
  assert.deepEqual(heard[0].viewport, { zoom: 2, pan: { x: 40, y: 20 } });
  // Nothing changed: nothing heard.
  cy.emit();
  frames.splice(0).forEach((fn) => fn());
  assert.equal(heard.length, 1);
});
