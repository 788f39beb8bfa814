// Run with `npm test` (node --test). The caption's pacing (caption.js CaptionPacer): readable while
// a run plays 20 batches a second, at once for a pick, a step or a seek.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CaptionPacer } from "./caption.js";

function clock() {
  const c = { now: 0, queue: [] };
  c.timers = {
    setTimeout: (fn, ms) => c.queue.push({ fn, at: c.now + ms }) - 1,
    clearTimeout: (id) => { c.queue[id] = null; },
  };
  c.advance = (ms) => {
    c.now += ms;
    for (const [i, t] of c.queue.entries()) {
      if (t && t.at <= c.now) {
        c.queue[i] = null;
        t.fn();
      }
    }
  };
  return c;
}

test("while playing, the newest event shows at most once per hold, the last one offered wins", () => {
  const c = clock();
  const shown = [];
  const pacer = new CaptionPacer({ show: (e) => shown.push(e), holdMs: 900, timers: c.timers, now: () => c.now });
  pacer.offer("a");
  assert.deepEqual(shown, ["a"], "a still caption shows the first event at once");
  for (const e of ["b", "c", "d"]) {
    c.advance(50);
    pacer.offer(e);
  }
  assert.deepEqual(shown, ["a"], "within the hold nothing replaces it");
  c.advance(750);
  assert.deepEqual(shown, ["a", "d"], "then the newest offered, not each one");
  c.advance(2000);
  assert.deepEqual(shown, ["a", "d"]);
});

test("a pick, a step or a seek shows at once and drops what was waiting", () => {
  const c = clock();
  const shown = [];
  const pacer = new CaptionPacer({ show: (e) => shown.push(e), holdMs: 900, timers: c.timers, now: () => c.now });
  pacer.offer("a");
  c.advance(100);
  pacer.offer("b");
  pacer.offer("picked", { immediate: true });
  assert.deepEqual(shown, ["a", "picked"]);
  c.advance(2000);
  assert.deepEqual(shown, ["a", "picked"], "the waiting 'b' is not shown after the pick");
  pacer.offer(null, { immediate: true });
  assert.deepEqual(shown, ["a", "picked", null], "a reset empties the caption");
});
