// The page's co-editing glue: a change too big for one websocket message is refused at once and
// rolled back with the reason, never left "Saving…" forever; a small one goes out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_CHANGE_BYTES, keptChanges, startCoedit, tooLarge } from "./coedit.js";

const doc = { version: 1, name: "d", nodes: [{ id: "h", kind: "host", position: { x: 0, y: 0 } }], links: [], captures: [], script: [] };

function memoryStorage() {
  const items = new Map();
  return { getItem: (k) => (items.has(k) ? items.get(k) : null), setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k), items };
}

function page({ storage = null, designId = null, connected = true } = {}) {
  const sent = [];
  const said = [];
  const refused = [];
  const session = new EventTarget();
  session.connected = connected;
  session.role = "owner";
  session.socket = { send: (text) => sent.push(JSON.parse(text)) };
  const editor = {
    doc,
    rebase(next) { editor.doc = next; },
    history: { accepted() {}, refused: (change) => refused.push(change) },
  };
  const states = [];
  const coedit = startCoedit({ editor, session, version: 3, onState: (s, text) => states.push(text), say: (m) => said.push(m),
    storage, designId });
  if (connected) coedit.replica.receive({ type: "design.synced", seq: 3 });
  return { sent, said, refused, editor, states, coedit, session };
}

const flushed = () => new Promise((resolve) => queueMicrotask(resolve));

test("tooLarge measures UTF-8 bytes against the socket's limit", () => {
  assert.equal(tooLarge("x".repeat(MAX_CHANGE_BYTES)), null);
  assert.match(tooLarge("é".repeat(MAX_CHANGE_BYTES / 2 + 1)), /65 KiB and one live change is at most 64 KiB/);
});

test("a change over 64 KiB is refused and rolled back at once; a small one is sent", async () => {
  const p = page();
  const small = [{ op: "update", coll: "nodes", id: "h", before: { position: { x: 0, y: 0 } }, after: { position: { x: 5, y: 0 } } }];
  p.editor.onStep({ ops: small });
  await flushed();
  assert.deepEqual(p.sent.filter((m) => m.type === "design.op").map((m) => m.ops), [small]);

  const big = [{ op: "update", coll: "nodes", id: "h", before: { notes: undefined }, after: { notes: "n".repeat(70_000) } }];
  const change = p.editor.onStep({ ops: big });
  await flushed();
  assert.equal(p.sent.filter((m) => m.type === "design.op").length, 1, "the big change never reaches the socket");
  assert.deepEqual(p.refused, [change]);
  assert.match(p.said.at(-1), /^Your change was not applied: it is 69 KiB and one live change is at most 64 KiB/);
  assert.equal(p.coedit.replica.pending.some((x) => x.change === change), false);
  assert.equal(p.editor.doc.nodes[0].notes, undefined, "the canvas shows the document without it");
  assert.equal(p.editor.doc.nodes[0].position.x, 5, "and still with the small change");
});

test("changes made offline are kept in storage across a reload and sent again under their own ids", async () => {
  const storage = memoryStorage();
  const move = (x) => [{ op: "update", coll: "nodes", id: "h", before: { position: { x: x - 5, y: 0 } }, after: { position: { x, y: 0 } } }];
  const first = page({ storage, designId: 7, connected: false });
  const a = first.editor.onStep({ ops: move(5) });
  const b = first.editor.onStep({ ops: move(10) });
  await flushed();
  assert.equal(first.sent.length, 0, "offline: nothing sent");
  assert.equal(first.states.at(-1), "Offline: 2 changes waiting");
  const kept = keptChanges(storage, 7);
  assert.deepEqual(kept.items.map((i) => i.change), [a, b]);

  // The page is reloaded (the server still has version 3): the two changes come back, on the canvas and on the wire.
  const second = page({ storage, designId: 7, connected: true });
  assert.equal(second.editor.doc.nodes[0].position.x, 10, "shown again at once");
  assert.match(second.said[0], /^2 changes made before this page was reloaded/);
  await flushed();
  second.coedit.replica.receive({ type: "design.synced", seq: 3 });
  for (const m of second.coedit.replica.outgoing()) second.sent.push(m);
  const ops = second.sent.filter((m) => m.type === "design.op");
  assert.deepEqual(ops.map((m) => [m.client, m.change]), [[kept.client, a], [kept.client, b]]);
  // Answered: nothing is kept any more.
  const answer = (detail) => second.session.dispatchEvent(new CustomEvent("message", { detail }));
  answer({ type: "design.ack", change: a, seq: 4, duplicate: true });
  assert.deepEqual(keptChanges(storage, 7).items.map((i) => i.change), [b], "one answered, one still kept");
  answer({ type: "design.ack", change: b, seq: 5, duplicate: true });
  assert.equal(storage.getItem("designer.coedit.pending.7"), null);
  // A third page of another design finds nothing.
  assert.equal(keptChanges(storage, 8), null);
});

test("what storage holds is checked before it is sent again", () => {
  const storage = memoryStorage();
  for (const bad of ["{", "null", '{"client":"x y","count":1,"items":[]}', '{"client":"ab","count":1,"items":[{"change":1}]}']) {
    storage.setItem("designer.coedit.pending.3", bad);
    assert.equal(keptChanges(storage, 3), null, bad);
  }
});
