// The page's co-editing glue: a change too big for one websocket message is refused at once and
// rolled back with the reason, never left "Saving…" forever; a small one goes out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_CHANGE_BYTES, startCoedit, tooLarge } from "./coedit.js";

const doc = { version: 1, name: "d", nodes: [{ id: "h", kind: "host", position: { x: 0, y: 0 } }], links: [], captures: [], script: [] };

function page() {
  const sent = [];
  const said = [];
  const refused = [];
  const session = new EventTarget();
  session.connected = true;
  session.role = "owner";
  session.socket = { send: (text) => sent.push(JSON.parse(text)) };
  const editor = {
    doc,
    rebase(next) { editor.doc = next; },
    history: { accepted() {}, refused: (change) => refused.push(change) },
  };
  const states = [];
  const coedit = startCoedit({ editor, session, version: 3, onState: (s, text) => states.push(text), say: (m) => said.push(m) });
  coedit.replica.receive({ type: "design.synced", seq: 3 });
  return { sent, said, refused, editor, states, coedit };
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
