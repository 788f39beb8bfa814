import { test } from "node:test";
import assert from "node:assert/strict";
import { createCommands } from "../commands.js";
import { History, compact } from "../history.js";
import { Editor } from "../editor.js";
import { example, kinds } from "./helpers.js";

const base = example("internal-switch");
const commands = createCommands(kinds);

test("undo and redo across add, connect, delete and property", () => {
  const history = new History();
  const steps = [
    ["node.add", { kind: "vm", at: { x: 0, y: 0 } }],
    ["link.connect", { a: { node: "vm4" }, b: { node: "intnet" } }],
    ["selection.delete", { nodes: ["vm2"] }],
    ["property.set", { path: "nodes[vm4].nics[eth0].ip", value: "192.168.56.14/24" }],
  ];
  const states = [base];
  for (const [name, args] of steps) states.push(history.apply(states.at(-1), commands.perform(name, states.at(-1), args)));
  assert.deepEqual([history.undoLabel, history.canRedo], ["Change", false]);
  let doc = states.at(-1);
  for (let i = steps.length - 1; i >= 0; i -= 1) {
    doc = history.undo(doc).doc;
    assert.deepEqual(doc, states[i]);
  }
  assert.equal(history.undo(doc), null);
  for (let i = 1; i <= steps.length; i += 1) {
    doc = history.redo(doc).doc;
    assert.deepEqual(doc, states[i]);
  }
  assert.equal(history.redo(doc), null);
});

test("a new edit after an undo clears the redo stack", () => {
  const history = new History();
  let doc = history.apply(base, commands.perform("nodes.move", base, { ids: ["vm1"], dx: 1, dy: 0 }));
  doc = history.undo(doc).doc;
  assert.equal(history.canRedo, true);
  doc = history.apply(doc, commands.perform("nodes.move", doc, { ids: ["vm2"], dx: 1, dy: 0 }));
  assert.equal(history.canRedo, false);
});

test("a drag updating the document live is one step, merged to one update per node", () => {
  const history = new History();
  let doc = base;
  history.begin("Move");
  for (let frame = 0; frame < 300; frame += 1) {
    doc = history.apply(doc, commands.perform("nodes.move", doc, { ids: ["vm1", "vm3"], dx: 1, dy: -1 }));
  }
  history.end();
  assert.equal(history.undoStack.length, 1);
  assert.deepEqual(history.undoStack[0].ops.map((op) => [op.op, op.id]), [["update", "vm1"], ["update", "vm3"]]);
  assert.deepEqual(doc.nodes[2].position, { x: 480, y: -40 });
  assert.deepEqual(history.undo(doc).doc, base);
});

test("a drag back to where it started records nothing; Escape cancels an open drag", () => {
  const history = new History();
  history.begin("Move");
  let doc = history.apply(base, commands.perform("nodes.move", base, { ids: ["vm1"], dx: 5, dy: 0 }));
  doc = history.apply(doc, commands.perform("nodes.move", doc, { ids: ["vm1"], dx: -5, dy: 0 }));
  history.end();
  assert.equal(history.canUndo, false);
  history.begin("Move");
  doc = history.apply(doc, commands.perform("nodes.move", doc, { ids: ["vm2"], dx: 50, dy: 50 }));
  assert.deepEqual(history.cancel(doc), base);
  assert.equal(history.canUndo, false);
});

test("the stacks are capped: the oldest steps go", () => {
  const history = new History({ limit: 3 });
  let doc = base;
  for (let i = 0; i < 5; i += 1) doc = history.apply(doc, commands.perform("nodes.move", doc, { ids: ["vm1"], dx: 1, dy: 0 }));
  let undone = 0;
  for (let r = history.undo(doc); r; r = history.undo(doc)) {
    doc = r.doc;
    undone += 1;
  }
  assert.equal(undone, 3);
  assert.equal(doc.nodes[2].position.x, 182);
  assert.throws(() => new History({ limit: 0 }), { message: "history limit must be a positive integer, not 0" });
});

test("remote edits are applied but never recorded, and undo still finds its node by id", () => {
  const history = new History();
  let doc = history.apply(base, commands.perform("property.set", base, { path: "nodes[vm3].name", value: "db" }));
  // A collaborator inserts a node at the front: every index shifts.
  const remote = commands.perform("node.add", doc, { kind: "lan_switch" });
  const shifted = { ops: remote.ops.map((op) => ({ ...op, index: 0, prev: null })) };
  doc = history.apply(doc, shifted, { capture: false });
  assert.equal(doc.nodes[0].id, "switch1");
  assert.equal(history.undoStack.length, 1);
  doc = history.undo(doc).doc;
  assert.equal(doc.nodes.find((n) => n.id === "vm3").name, undefined);
  assert.equal(doc.nodes[0].id, "switch1", "the collaborator's node stays");
});

test("compact drops updates that cancel out and keeps the first 'before'", () => {
  const ops = [
    { op: "update", coll: "nodes", id: "a", before: { name: null }, after: { name: "x" } },
    { op: "update", coll: "nodes", id: "b", before: { ram_mb: 1 }, after: { ram_mb: 2 } },
    { op: "update", coll: "nodes", id: "a", before: { name: "x", notes: null }, after: { name: null, notes: "n" } },
  ];
  assert.deepEqual(compact(ops), [
    { op: "update", coll: "nodes", id: "a", before: { notes: null }, after: { notes: "n" } },
    { op: "update", coll: "nodes", id: "b", before: { ram_mb: 1 }, after: { ram_mb: 2 } },
  ]);
});

test("the Editor records local runs, not received operations, and tells listeners", () => {
  const editor = new Editor({ kinds, doc: base });
  const seen = [];
  editor.subscribe((doc, info) => seen.push(info.source));
  assert.deepEqual(editor.run("node.add", { kind: "host", at: { x: 0, y: 0 } }), { ids: ["host1"] });
  const remote = commands.perform("nodes.move", editor.doc, { ids: ["vm1"], dx: 3, dy: 3 });
  editor.receive(remote.ops);
  assert.equal(editor.undo(), true);
  assert.equal(editor.undo(), false);
  assert.equal(editor.doc.nodes.length, 5);
  assert.deepEqual(editor.doc.nodes[2].position, { x: 183, y: 263 });
  assert.equal(editor.run("nodes.move", { ids: ["vm1"], dx: 0, dy: 0 }), null);
  assert.deepEqual(seen, ["local", "remote", "undo"]);
});

test("Editor: a gesture is one undo step, and Escape puts everything back", () => {
  const editor = new Editor({ kinds, doc: base });
  editor.begin("Move");
  editor.begin();
  editor.run("nodes.move", { ids: ["vm1"], dx: 4, dy: 0 });
  editor.end();
  editor.run("nodes.move", { ids: ["vm1"], dx: 4, dy: 0 });
  editor.end();
  assert.equal(editor.history.undoLabel, "Move");
  assert.equal(editor.doc.nodes[2].position.x, 188);
  editor.begin("Move");
  editor.run("nodes.move", { ids: ["vm2"], dx: 9, dy: 9 });
  editor.cancel();
  assert.deepEqual(editor.doc.nodes[3], base.nodes[3]);
  assert.equal(editor.undo(), true);
  assert.deepEqual(editor.doc, base);
  assert.throws(() => editor.end(), { message: "history.end() without begin()" });
});
