// The minimap's geometry: model <-> minimap pixels, the viewport rectangle, pan to a point.
import assert from "node:assert/strict";
import { test } from "node:test";
import { clampRect, fitTransform, overviewBounds, panToCentre, toMinimap, toModel, viewportRect } from "./minimap.js";

const size = { width: 200, height: 140 };

test("the drawing fits the minimap, aspect kept and centred", () => {
  const t = fitTransform({ x1: 0, y1: 0, x2: 1000, y2: 500 }, size, 10);
  assert.equal(t.scale, 0.18); // (200 - 20) / 1000, narrower than (140 - 20) / 500
  assert.deepEqual(toMinimap(t, { x: 0, y: 0 }), { x: 10, y: 25 });
  assert.deepEqual(toMinimap(t, { x: 1000, y: 500 }), { x: 190, y: 115 });
});

test("toModel inverts toMinimap", () => {
  const t = fitTransform({ x1: -300, y1: 40, x2: 900, y2: 700 }, size);
  for (const p of [{ x: -300, y: 40 }, { x: 0, y: 0 }, { x: 123.5, y: 456.25 }]) {
    const back = toModel(t, toMinimap(t, p));
    assert.ok(Math.abs(back.x - p.x) < 1e-9 && Math.abs(back.y - p.y) < 1e-9);
  }
});

test("an empty or single-point drawing does not divide by zero", () => {
  const t = fitTransform({ x1: 5, y1: 5, x2: 5, y2: 5 }, size);
  assert.ok(Number.isFinite(t.scale) && t.scale > 0);
});

test("the viewport rectangle is the visible extent in minimap pixels", () => {
  const t = fitTransform({ x1: 0, y1: 0, x2: 1000, y2: 500 }, size, 10);
  assert.deepEqual(viewportRect(t, { x1: 0, y1: 0, x2: 500, y2: 250 }), { x: 10, y: 25, w: 90, h: 45 });
});

test("a click centres the view on the model point under it", () => {
  const t = fitTransform({ x1: 0, y1: 0, x2: 1000, y2: 500 }, size, 10);
  const pan = panToCentre(t, { x: 190, y: 115 }, { width: 800, height: 600 }, 2); // model (1000, 500)
  // After the pan, model (1000, 500) is drawn at the view's centre: 1000 * 2 + pan.x = 400.
  assert.deepEqual(pan, { x: 400 - 2000, y: 300 - 1000 });
});

test("the overview always includes the visible extent", () => {
  assert.deepEqual(overviewBounds({ x1: 0, y1: 0, x2: 100, y2: 100 }, { x1: -50, y1: 20, x2: 60, y2: 300 }), { x1: -50, y1: 0, x2: 100, y2: 300 });
  assert.deepEqual(overviewBounds(null, { x1: 1, y1: 2, x2: 3, y2: 4 }), { x1: 1, y1: 2, x2: 3, y2: 4 });
});

test("a rectangle leaving the minimap is drawn clamped inside it, and says so", () => {
  assert.deepEqual(clampRect({ x: 10, y: 10, w: 50, h: 40 }, size), { x: 10, y: 10, w: 50, h: 40, clamped: false });
  assert.deepEqual(clampRect({ x: -100, y: 20, w: 500, h: 30 }, size), { x: 1, y: 20, w: 198, h: 30, clamped: true });
  assert.deepEqual(clampRect({ x: 300, y: 300, w: 10, h: 10 }, size), { x: 199, y: 139, w: 0, h: 0, clamped: true });
});
