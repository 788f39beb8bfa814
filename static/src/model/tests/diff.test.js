import { test } from "node:test";
import assert from "node:assert/strict";
import { apply, diff, invert } from "../diff.js";
import { deepFreeze, example } from "./helpers.js";

const base = example("internal-switch");
const node = (id) => ({ id, kind: "lan_switch" });

// name, before, after, expected operations
const table = [
  ["a node added at the end", { version: 1, nodes: [node("a")] }, { version: 1, nodes: [node("a"), node("b")] },
    [{ op: "insert", coll: "nodes", index: 1, prev: "a", value: node("b") }]],
  ["a node removed from the middle", { version: 1, nodes: [node("a"), node("b"), node("c")] }, { version: 1, nodes: [node("a"), node("c")] },
    [{ op: "remove", coll: "nodes", index: 1, prev: "a", value: node("b") }]],
  ["one field of a node", { version: 1, nodes: [{ ...node("a"), aging_s: 5 }] }, { version: 1, nodes: [{ ...node("a"), name: "A" }] },
    [{ op: "update", coll: "nodes", id: "a", before: { aging_s: 5, name: null }, after: { aging_s: null, name: "A" } }]],
  ["a top-level field", { version: 1, nodes: [], name: "x" }, { version: 1, nodes: [] },
    [{ op: "field", key: "name", before: "x", after: null }]],
  ["a list that did not exist", { version: 1, nodes: [] }, { version: 1, nodes: [], script: [] },
    [{ op: "field", key: "script", before: null, after: [] }]],
  ["captures removed here and there", { version: 1, nodes: [], captures: [{ link: "a" }, { link: "b" }, { link: "c" }, { link: "d" }] },
    { version: 1, nodes: [], captures: [{ link: "b" }, { link: "d" }] },
    [{ op: "remove", coll: "captures", index: 2, prev: null, value: { link: "c" } }, { op: "remove", coll: "captures", index: 0, prev: null, value: { link: "a" } }]],
  ["a capture changed in place", { version: 1, nodes: [], captures: [{ link: "a" }, { link: "b" }] }, { version: 1, nodes: [], captures: [{ link: "a" }, { link: "z" }] },
    [{ op: "replace", coll: "captures", index: 1, before: { link: "b" }, after: { link: "z" } }]],
  ["reordered nodes: the whole list as one field", { version: 1, nodes: [node("a"), node("b")] }, { version: 1, nodes: [node("b"), node("a")] },
    [{ op: "field", key: "nodes", before: [node("a"), node("b")], after: [node("b"), node("a")] }]],
];
for (const [name, before, after, ops] of table) {
  test(`diff: ${name}`, () => {
    deepFreeze(before);
    deepFreeze(after);
    assert.deepEqual(diff(before, after), ops);
    assert.deepEqual(apply(before, ops), after);
    assert.deepEqual(apply(after, invert(ops)), before);
  });
}

test("the same document gives no operations, and applying none returns the document itself", () => {
  assert.deepEqual(diff(base, structuredClone(base)), []);
  assert.equal(apply(base, []), base);
});

test("apply is tolerant: updates and removals of objects gone elsewhere are skipped", () => {
  const ops = [
    { op: "update", coll: "nodes", id: "ghost", before: { name: null }, after: { name: "x" } },
    { op: "remove", coll: "links", index: 0, prev: null, value: { id: "ghost" } },
    { op: "insert", coll: "nodes", index: 0, prev: null, value: base.nodes[2] },
  ];
  assert.deepEqual(apply(base, ops), base);
});

test("an insert goes after its anchor even when indexes shifted", () => {
  const doc = deepFreeze({ version: 1, nodes: [node("x"), node("y"), node("a"), node("c")] });
  const out = apply(doc, [{ op: "insert", coll: "nodes", index: 1, prev: "a", value: node("b") }]);
  assert.deepEqual(out.nodes.map((n) => n.id), ["x", "y", "a", "b", "c"]);
});

test("an unknown operation is refused by name", () => {
  assert.throws(() => apply(base, [{ op: "zap", coll: "nodes" }]), { message: 'unknown operation "zap"' });
  assert.throws(() => invert([{ op: "zap" }]), { message: 'unknown operation "zap"' });
});
