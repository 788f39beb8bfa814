// Run with `npm test` (node --test). The page's one presence queue (presencesend.js): fields of
// several senders merged into one message per interval, the latest of each field winning.
import assert from "node:assert/strict";
import test from "node:test";
import { PRESENCE_EVERY_MS, presenceQueue } from "./presencesend.js";

test("fields queued together go out as one message, the latest of each winning", () => {
  const timers = [];
  const queue = presenceQueue({ setTimeout: (fn, ms) => timers.push({ fn, ms }) });
  const sent = [];
  queue({ cursor: { x: 1, y: 1 }, viewport: { x: 0, y: 0, zoom: 1 } }, (m) => sent.push(["a", m]));
  queue({ picked: 3, viewport: { x: 5, y: 0, zoom: 1 } }, (m) => sent.push(["b", m]));
  assert.equal(timers.length, 1);
  assert.equal(timers[0].ms, PRESENCE_EVERY_MS);
  timers[0].fn();
  assert.deepEqual(sent, [["b", { type: "presence", cursor: { x: 1, y: 1 }, viewport: { x: 5, y: 0, zoom: 1 }, picked: 3 }]]);
  queue({ following: null }, (m) => sent.push(["c", m]));
  timers[1].fn();
  assert.deepEqual(sent[1], ["c", { type: "presence", following: null }]);
});
