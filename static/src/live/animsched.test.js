import assert from "node:assert/strict";
import { test } from "node:test";
import { DotScheduler } from "./animsched.js";

const dot = (t, extra = {}) => ({ kind: "dot", t, simNs: 50_000, ...extra });

test("a dot's duration is a readable base, shorter at high speed, longer at low, clamped", () => {
  const s = new DotScheduler({ baseMs: 700, minMs: 250, maxMs: 1200 });
  assert.equal(s.durationMs(50_000), 700);
  s.setSpeed(100);
  assert.equal(s.durationMs(50_000), 250);
  s.setSpeed(0.1);
  assert.equal(s.durationMs(50_000), 1200);
  s.setSpeed(1);
  // A hop that really lasts 0.9 s simulated is shown for 0.9 s at 1x, never past the clamp.
  assert.equal(s.durationMs(900_000_000), 900);
  assert.equal(s.durationMs(60e9), 1200);
  s.setSpeed(0);
  s.setSpeed(Number.NaN);
  assert.equal(s.speed, 1, "a bad speed is ignored");
});

test("hops at later instants chain one after the other; a fan-out at one instant starts together", () => {
  const s = new DotScheduler({ baseMs: 500, minMs: 100, maxMs: 1000, maxLagMs: 10_000 });
  const a = s.schedule(dot(1000), 0);
  const b = s.schedule(dot(1050), 0);
  const c1 = s.schedule(dot(1100), 0);
  const c2 = s.schedule(dot(1100), 0);
  assert.deepEqual([a.start, b.start, c1.start, c2.start], [0, 500, 1000, 1000]);
  assert.equal(a.end, 500);
  // Events arriving later than the chain start when they arrive.
  const d = s.schedule(dot(9e9), 5000);
  assert.equal(d.start, 5000);
});

test("the chain never runs more than maxLagMs ahead: a fast run becomes a stream", () => {
  const s = new DotScheduler({ baseMs: 500, minMs: 100, maxMs: 1000, maxLagMs: 800 });
  const starts = [];
  for (let i = 0; i < 10; i += 1) starts.push(s.schedule(dot(i * 1000), 0).start);
  assert.deepEqual(starts, [0, 500, 800, 800, 800, 800, 800, 800, 800, 800]);
});

test("a seek back (earlier instant) does not push the chain", () => {
  const s = new DotScheduler({ baseMs: 500, minMs: 100, maxMs: 1000 });
  s.schedule(dot(5000), 0);
  assert.equal(s.schedule(dot(10), 0).start, 0);
});

test("tick shows due items, retires finished ones and counts them", () => {
  const s = new DotScheduler({ baseMs: 500, minMs: 100, maxMs: 1000, maxLagMs: 10_000 });
  s.schedule(dot(1), 0);
  s.schedule(dot(2), 0);
  assert.equal(s.tick(0).length, 1);
  assert.equal(s.active.length, 1);
  assert.ok(s.busy);
  const second = s.tick(500);
  assert.equal(second.length, 1);
  assert.equal(s.active.length, 1, "the first dot ended at 500");
  s.tick(1000);
  assert.equal(s.active.length, 0);
  assert.ok(!s.busy);
  assert.deepEqual(s.counts, { scheduled: 2, started: 2, dropped: 0, cut: 0, finished: 2 });
});

test("at most cap dots on screen: the oldest goes for a new one", () => {
  const s = new DotScheduler({ cap: 3, maxPending: 100, baseMs: 500, minMs: 100, maxMs: 1000 });
  for (let i = 0; i < 5; i += 1) s.schedule(dot(7, { id: i }), 0);
  const started = s.tick(10);
  assert.equal(started.length, 5);
  assert.deepEqual(s.active.map((d) => d.id), [2, 3, 4]);
  assert.equal(s.counts.cut, 2);
});

test("at most maxPending wait: the oldest waiting are dropped", () => {
  const s = new DotScheduler({ cap: 10, maxPending: 4, baseMs: 500, minMs: 100, maxMs: 1000, maxLagMs: 5000 });
  for (let i = 0; i < 7; i += 1) s.schedule(dot(i, { id: i }), 0);
  assert.deepEqual(s.pending.map((d) => d.id), [3, 4, 5, 6]);
  assert.equal(s.counts.dropped, 3);
});

test("items whose whole interval passed unseen are dropped, not shown late", () => {
  const s = new DotScheduler({ baseMs: 500, minMs: 100, maxMs: 1000 });
  s.schedule(dot(1), 0);
  assert.equal(s.tick(10_000).length, 0);
  assert.equal(s.counts.dropped, 1);
  assert.equal(s.counts.started, 0);
});

test("clear forgets everything on screen and waiting", () => {
  const s = new DotScheduler();
  s.schedule(dot(1), 0);
  s.tick(0);
  s.schedule(dot(2), 0);
  s.clear();
  assert.ok(!s.busy);
  assert.equal(s.schedule(dot(1), 50).start, 50);
});

test("past streamRate items a second nothing is chained and dots shorten to fit the cap", () => {
  const s = new DotScheduler({ cap: 500, baseMs: 700, minMs: 250, maxMs: 1200, streamRate: 120 });
  // 1,000 items a second in 20 batches of 50, for 3 s.
  let t = 0;
  let last = null;
  for (let now = 0; now < 3000; now += 50) {
    for (let i = 0; i < 50; i += 1) last = s.schedule(dot((t += 50_000)), now);
  }
  assert.ok(s.streaming);
  assert.equal(last.start, 2950, "a stream starts as it arrives: no lag");
  const duration = last.end - last.start;
  assert.ok(duration >= 250 && duration <= 500, `duration ${duration}`);
  // In steady state the cap is (about) never hit: rate x duration < cap.
  const s2 = new DotScheduler({ cap: 500, streamRate: 120 });
  t = 0;
  let warm = null;
  for (let now = 0; now < 6000; now += 50) {
    for (let i = 0; i < 50; i += 1) s2.schedule(dot((t += 50_000)), now);
    s2.tick(now);
    if (now === 1500) warm = { ...s2.counts };
  }
  assert.ok(s2.active.length <= 500);
  assert.equal(s2.counts.cut, warm.cut, `nothing cut once the rate is known: ${JSON.stringify([warm, s2.counts])}`);
  assert.equal(s2.counts.dropped, 0);
});

test("a slow run (a few items a second) is chained, not streamed", () => {
  const s = new DotScheduler({ baseMs: 700, streamRate: 120 });
  const a = s.schedule(dot(1000), 0);
  const b = s.schedule(dot(2000), 0);
  assert.ok(!s.streaming);
  assert.equal(b.start, a.end);
});
