// The co-editing replica (confirmed + pending, rebased on the server's canonical changes) and the
// history's undo against a document others changed meanwhile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Replica } from "../coedit.js";
import { History, applicable } from "../history.js";
import { apply } from "../diff.js";

const doc = { version: 1, name: "d", nodes: [{ id: "h", kind: "host", position: { x: 0, y: 0 } }], links: [], captures: [], script: [] };
const move = (id, x, before = 0) => [{ op: "update", coll: "nodes", id, before: { position: { x: before, y: 0 } }, after: { position: { x, y: 0 } } }];

test("a local change shows at once, waits for the sync, and leaves pending when the server takes it", () => {
  const r = new Replica({ doc, seq: 5, client: "c" });
  const change = r.local(move("h", 10));
  assert.equal(r.doc.nodes[0].position.x, 10);
  assert.deepEqual(r.outgoing(), [], "not connected");
  assert.deepEqual(r.opened(), { type: "design.sync", after: 5 });
  assert.deepEqual(r.outgoing(), [], "not synced yet");
  r.receive({ type: "design.synced", seq: 5 });
  assert.equal(r.outgoing()[0].change, change);
  assert.deepEqual(r.outgoing(), [], "sent once");
  const out = r.receive({ type: "design.ops", changes: [{ seq: 6, ops: move("h", 10), client: "c", change }] });
  assert.deepEqual(out.events.map((e) => e.kind), ["accepted"]);
  assert.equal(r.pending.length, 0);
  assert.deepEqual(r.doc, r.confirmed);
});

test("a remote change lands under the pending ones; a refused change rolls back", () => {
  const r = new Replica({ doc, seq: 0, client: "c" });
  r.opened();
  r.receive({ type: "design.synced", seq: 0 });
  const change = r.local([{ op: "insert", coll: "nodes", index: 1, prev: "h", value: { id: "vm1", kind: "vm", host: "h" } }]);
  r.receive({ type: "design.ops", changes: [{ seq: 1, ops: move("h", 50), client: "o", change: "o-1" }] });
  assert.deepEqual(r.doc.nodes.map((n) => n.id), ["h", "vm1"]);
  assert.equal(r.doc.nodes[0].position.x, 50);
  const out = r.receive({ type: "design.refused", change, msg: "nodes[1].host: unknown node 'h'" });
  assert.equal(out.events[0].msg, "nodes[1].host: unknown node 'h'");
  assert.deepEqual(r.doc.nodes.map((n) => n.id), ["h"]);
});

test("a gap asks for a sync; a reconnect resends the pending changes with their ids", () => {
  const r = new Replica({ doc, seq: 3, client: "c" });
  r.opened();
  r.receive({ type: "design.synced", seq: 3 });
  const change = r.local(move("h", 7));
  r.outgoing();
  const out = r.receive({ type: "design.ops", changes: [{ seq: 5, ops: move("h", 9), client: "o", change: "o-9" }] });
  assert.deepEqual(out.sync, { type: "design.sync", after: 3 });
  assert.equal(r.seq, 3);
  r.closed();
  r.opened();
  r.receive({ type: "design.synced", seq: 3 });
  assert.deepEqual(r.outgoing().map((m) => m.change), [change]);
});

test("undo skips what someone else changed since and says so; n undos then n redos come back", () => {
  const h = new History();
  let d = doc;
  for (const x of [10, 20, 30]) {
    const ops = move("h", x, d.nodes[0].position.x);
    h.record({ label: "Move", ops });
    d = apply(d, ops);
  }
  const before = d;
  for (let i = 0; i < 3; i += 1) d = h.undo(d).doc;
  assert.equal(d.nodes[0].position.x, 0);
  for (let i = 0; i < 3; i += 1) d = h.redo(d).doc;
  assert.deepEqual(d, before);
  // someone else moved it since: the undo changes nothing and says why
  d = apply(d, move("h", 99, 30));
  const done = h.undo(d);
  assert.deepEqual(done.ops, []);
  assert.deepEqual(done.notes, ["position of h was changed by someone else"]);
  assert.equal(done.doc.nodes[0].position.x, 99);
});

test("undoing a delete never brings back a node whose id is taken again; undoing an add of a node deleted since skips", () => {
  const vm = { id: "vm1", kind: "vm", host: "h" };
  const removed = [{ op: "remove", coll: "nodes", index: 1, prev: "h", value: vm }];
  const withVm = { ...doc, nodes: [...doc.nodes, { ...vm, name: "other" }] };
  assert.deepEqual(applicable(withVm, [{ op: "insert", coll: "nodes", index: 1, prev: "h", value: vm }]).notes, ["vm1 exists again"]);
  assert.deepEqual(applicable(doc, removed).notes, ["node vm1 was deleted by someone else"]);
});
