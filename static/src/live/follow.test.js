// Run with `npm test` (node --test). Following a presenter (follow.js): the viewport fitted to
// another canvas, presence in and out, following, leaving by one's own move, a hold, bring
// everyone, the presenter leaving.
import assert from "node:assert/strict";
import test from "node:test";
import { FollowModel, fitViewport, initials, presenceOf, textOn, viewOf } from "./follow.js";

const near = (a, b) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test("a viewport on a canvas of the same size is copied as it is", () => {
  assert.deepEqual(fitViewport({ x: 30, y: -12, zoom: 1.5, w: 800, h: 600 }, { w: 800, h: 600 }), { zoom: 1.5, pan: { x: 30, y: -12 } });
});

test("on another canvas the same centre is kept and the presenter's area fits inside", () => {
  const v = { x: 100, y: 50, zoom: 2, w: 1000, h: 500 };
  const got = fitViewport(v, { w: 500, h: 500 });
  near(got.zoom, 1); // the width is the tighter fit: half as wide
  const centre = (vp, w, h) => ({ x: (w / 2 - vp.pan.x) / vp.zoom, y: (h / 2 - vp.pan.y) / vp.zoom });
  const theirs = centre({ zoom: 2, pan: { x: 100, y: 50 } }, 1000, 500);
  const mine = centre(got, 500, 500);
  near(mine.x, theirs.x);
  near(mine.y, theirs.y);
  // Without a size on either side the numbers are copied.
  assert.deepEqual(fitViewport({ x: 1, y: 2, zoom: 3 }, null), { zoom: 3, pan: { x: 1, y: 2 } });
  assert.equal(fitViewport(null, { w: 1, h: 1 }), null);
});

test("one's view state goes out as presence fields and comes back as a view state", () => {
  const view = { viewport: { zoom: 1.234, pan: { x: 10.04, y: -3.06 } }, selection: ["vm1"], picked: 7,
    tables: { tab: "arp", node: "" }, console: "vm2" };
  const fields = presenceOf(view, { w: 640.4, h: 480 }, 2.5);
  assert.deepEqual(fields, { selection: ["vm1"], picked: 7, tables: { tab: "arp", node: null }, console: "vm2", at: 2.5,
    viewport: { x: 10, y: -3.1, zoom: 1.234, w: 640, h: 480 } });
  const back = viewOf(fields, { w: 640, h: 480 });
  assert.deepEqual(back, { viewport: { zoom: 1.234, pan: { x: 10, y: -3.1 } }, selection: ["vm1"], picked: 7,
    tables: { tab: "arp", node: null }, console: "vm2", at: 2.5 });
  // A cursor-only presence carries no view state.
  assert.deepEqual(viewOf({ type: "presence", peer: "p", cursor: { x: 1, y: 2 } }, null), {});
});

test("initials and a readable text colour", () => {
  assert.equal(initials("Ana Lima"), "AL");
  assert.equal(initials("bob"), "B");
  assert.equal(initials("jo.smith"), "JS");
  assert.equal(initials(""), "?");
  assert.equal(textOn("#edae49"), "#000"); // yellow: black text
  assert.equal(textOn("#2e4057"), "#fff"); // dark blue: white text
});

const ana = { type: "presence", peer: "aaaaaaaaaaaa", name: "Ana", colour: "#00798c", role: "owner",
  viewport: { x: 5, y: 6, zoom: 1, w: 800, h: 600 }, selection: ["vm1"], picked: 3 };

test("following copies the followed person's view, and only theirs", () => {
  const m = new FollowModel();
  m.receive({ type: "presence.self", peer: "bbbbbbbbbbbb" });
  assert.deepEqual(m.receive(ana), { roster: true });
  const bob = { type: "presence", peer: "cccccccccccc", name: "Bob", viewport: { x: 0, y: 0, zoom: 2 } };
  m.receive(bob);
  assert.deepEqual(m.follow(ana.peer).apply.selection, ["vm1"]);
  assert.equal(m.following, ana.peer);
  assert.deepEqual(m.receive({ type: "presence", peer: ana.peer, picked: 4 }), { roster: true, apply: { type: "presence", peer: ana.peer, picked: 4 } });
  assert.equal(m.receive({ ...bob, selection: ["vm2"] }).apply, undefined);
  assert.deepEqual(m.watchers().map((p) => p.name), ["Ana", "Bob"]);
  assert.deepEqual(m.follow("bbbbbbbbbbbb"), {}, "never oneself");
});

test("one's own move leaves, and says so; under a hold it takes the held view back instead", () => {
  const m = new FollowModel();
  m.receive(ana);
  assert.deepEqual(m.ownMove(), {}, "not following: nothing to leave");
  m.follow(ana.peer);
  assert.deepEqual(m.ownMove(), { left: "You moved the view: you stopped following Ana." });
  assert.equal(m.following, null);

  m.follow(ana.peer);
  m.receive({ type: "presence", peer: ana.peer, holding: true });
  assert.equal(m.held, true);
  const out = m.ownMove();
  assert.equal(out.refused, true);
  assert.deepEqual(out.apply.viewport, ana.viewport);
  assert.equal(m.following, ana.peer);
  m.receive({ type: "presence", peer: ana.peer, holding: false });
  assert.equal(m.held, false);
  assert.equal(m.stop().left, "You stopped following Ana.");
});

test("bring everyone makes every other person follow; the presenter leaving ends it", () => {
  const m = new FollowModel();
  m.receive({ type: "presence.self", peer: "bbbbbbbbbbbb" });
  assert.deepEqual(m.receive({ type: "follow.brought", peer: "bbbbbbbbbbbb", name: "me" }), {}, "not told to follow oneself");
  const out = m.receive({ type: "follow.brought", peer: ana.peer, name: "Ana" });
  assert.equal(out.brought, "Ana");
  assert.equal(m.following, ana.peer);
  m.receive(ana);
  m.receive({ type: "presence", peer: "dddddddddddd", name: "Cy", following: "bbbbbbbbbbbb" });
  assert.equal(m.followers(), 1);
  assert.deepEqual(m.receive({ type: "presence.left", peer: ana.peer }), { roster: true, left: "Ana left: you are no longer following." });
  assert.equal(m.following, null);
});
