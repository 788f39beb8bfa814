// Where palette clicks put new nodes: beside what they attach to, never in one row, never touching.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CELL, freeSpot, guestSpot } from "./placement.js";

const box = (p, w = 90, h = 80) => ({ x1: p.x - w / 2, y1: p.y - h / 2, x2: p.x + w / 2, y2: p.y + h / 2 });
const touches = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

test("guests fill their host's grid three to a row, in the first free cell", () => {
  const guests = [];
  for (let i = 0; i < 7; i += 1) guests.push(guestSpot(guests, { x: 100, y: 100 }));
  assert.deepEqual(guests.slice(0, 4), [{ x: 100, y: 100 }, { x: 100 + CELL.w, y: 100 }, { x: 100 + 2 * CELL.w, y: 100 }, { x: 100, y: 100 + CELL.h }]);
  // Not a single row: seven guests take three rows.
  assert.equal(new Set(guests.map((g) => g.y)).size, 3);
  // A gap left by a deleted guest is filled first.
  const gap = [guests[0], guests[2], guests[3]];
  assert.deepEqual(guestSpot(gap, { x: 0, y: 0 }), guests[1]);
});

test("a new node goes beside the selected one, and never touches another box", () => {
  const host = { x1: 0, y1: 0, x2: 400, y2: 300 };
  const p = freeSpot([host], { x: 200, y: 150 }, host);
  assert.ok(p.x > host.x2 && p.y > host.y1 && p.y < host.y2, `right of the host: ${JSON.stringify(p)}`);
  assert.equal(touches(box(p), host), false);
});

test("ten nodes added in the middle of the view touch none of each other, in no single row", () => {
  const boxes = [];
  const spots = [];
  for (let i = 0; i < 10; i += 1) {
    const p = freeSpot(boxes, { x: 0, y: 0 });
    for (const b of boxes) assert.equal(touches(box(p), b), false);
    boxes.push(box(p));
    spots.push(p);
  }
  assert.ok(new Set(spots.map((s) => s.y)).size >= 3, "spread around the middle, not a row");
  const far = Math.max(...spots.map((s) => Math.hypot(s.x, s.y)));
  assert.ok(far < 400, "and kept near the middle of the view");
});
