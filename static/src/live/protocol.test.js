// Run with `npm test` (node --test). The client side of "nothing lost on the way": duplicates
// dropped, gaps fetched and paged, a new run and a truncated ring answered with run.state; and
// LiveSession over a fake socket (refs, acks, errors, reconnect with backoff, no retry on 4404).
import assert from "node:assert/strict";
import { test } from "node:test";
import { FETCH_LIMIT, StreamTracker, backoffDelay } from "./protocol.js";
import { GIVE_UP_AFTER, LiveSession, closeReason } from "./session.js";

const ev = (seq, extra = {}) => ({ seq, t: seq * 1000, kind: "frame.sent", node: "vm", text: `event ${seq}`, ...extra });
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => ev(a + i));
const seqs = (out) => out.deliver.flatMap((g) => g.events.map((e) => e.seq));

test("a late joiner gets the recent events as history, then the stream continues after them", () => {
  const tr = new StreamTracker();
  const joined = tr.onState({ type: "run.state", run: "A", seq: 12, recent: range(8, 12) });
  assert.deepEqual(seqs(joined), [8, 9, 10, 11, 12]);
  assert.equal(joined.deliver[0].live, false);
  assert.deepEqual(joined.send, []);
  const live = tr.onEvents({ type: "run.events", run: "A", first: 13, last: 14, events: range(13, 14) });
  assert.deepEqual(seqs(live), [13, 14]);
  assert.equal(live.deliver[0].live, true);
});

test("duplicates are dropped: an event already delivered is never delivered again", () => {
  const tr = new StreamTracker();
  tr.onState({ run: "A", seq: 3, recent: range(1, 3) });
  const again = tr.onEvents({ run: "A", events: range(2, 5) });
  assert.deepEqual(seqs(again), [4, 5]);
  assert.deepEqual(seqs(tr.onEvents({ run: "A", events: range(4, 5) })), []);
  // A server refill that overlaps the stream.
  assert.deepEqual(seqs(tr.onEvents({ run: "A", refill: true, events: range(1, 6) })), [6]);
});

test("a gap holds later events back and asks events.fetch from the last seq delivered", () => {
  const tr = new StreamTracker();
  tr.onState({ run: "A", seq: 2, recent: range(1, 2) });
  const gap = tr.onEvents({ run: "A", events: range(6, 7) });
  assert.deepEqual(seqs(gap), []);
  assert.deepEqual(gap.send, [{ type: "events.fetch", after_seq: 2, limit: FETCH_LIMIT }]);
  // A second batch beyond the same gap does not ask again while the fetch is on its way.
  assert.deepEqual(tr.onEvents({ run: "A", events: range(8, 8) }).send, []);
  const filled = tr.onFetched({ type: "events", run: "A", after_seq: 2, events: range(3, 8), more: false, truncated: false });
  assert.deepEqual(seqs(filled), [3, 4, 5, 6, 7, 8]);
  // Fetched events are not live (no animation for them), the held-back stream events are.
  assert.deepEqual(filled.deliver.map((g) => [g.live, g.events.length]), [[false, 3], [true, 3]]);
  assert.deepEqual(filled.send, []);
});

test("a fetch answered with `more` pages on from the last seq it delivered", () => {
  const tr = new StreamTracker();
  tr.onState({ run: "A", seq: 0, recent: [] });
  const gap = tr.onEvents({ run: "A", events: range(1200, 1200) });
  assert.deepEqual(gap.send, [{ type: "events.fetch", after_seq: 0, limit: FETCH_LIMIT }]);
  const page1 = tr.onFetched({ run: "A", events: range(1, 500), more: true, truncated: false });
  assert.equal(seqs(page1).length, 500);
  assert.deepEqual(page1.send, [{ type: "events.fetch", after_seq: 500, limit: FETCH_LIMIT }]);
  const page2 = tr.onFetched({ run: "A", events: range(501, 1000), more: true, truncated: false });
  assert.deepEqual(page2.send, [{ type: "events.fetch", after_seq: 1000, limit: FETCH_LIMIT }]);
  const page3 = tr.onFetched({ run: "A", events: range(1001, 1199), more: false, truncated: false });
  assert.deepEqual(seqs(page3), range(1001, 1200).map((e) => e.seq));
  assert.deepEqual(page3.send, []);
  assert.equal(tr.lastSeq, 1200);
});

test("a truncated answer skips to the oldest event kept and asks run.state", () => {
  const tr = new StreamTracker();
  tr.onState({ run: "A", seq: 5, recent: range(1, 5) });
  tr.onEvents({ run: "A", events: range(20000, 20001) });
  const out = tr.onFetched({ run: "A", events: range(10002, 10500), more: true, truncated: true, oldest: 10002 });
  assert.equal(seqs(out)[0], 10002);
  assert.deepEqual(out.send.map((m) => m.type), ["run.state", "events.fetch"]);
  assert.equal(out.send[1].after_seq, 10500);
});

test("a new run id resets the sequence and asks run.state; the old run's answers are ignored", () => {
  const tr = new StreamTracker();
  tr.onState({ run: "A", seq: 50, recent: range(41, 50) });
  const out = tr.onEvents({ run: "B", events: range(1, 3) });
  assert.deepEqual(seqs(out), [1, 2, 3]);
  assert.deepEqual(out.send, [{ type: "run.state" }]);
  assert.equal(tr.run, "B");
  assert.deepEqual(seqs(tr.onFetched({ run: "A", events: range(51, 60), more: false })), []);
  // The snapshot of the same run B adds nothing already delivered.
  assert.deepEqual(seqs(tr.onState({ run: "B", seq: 4, recent: range(1, 4) })), [4]);
});

test("a run that starts (run.seeked started) is followed from seq 0; a seek continues after its seq", () => {
  const tr = new StreamTracker();
  tr.onSeeked({ run: "C", seq: 0, started: true });
  assert.deepEqual(seqs(tr.onEvents({ run: "C", events: range(1, 4) })), [1, 2, 3, 4]);
  tr.onSeeked({ run: "C", seq: 9 }); // events 5..9 happened before the seek message
  assert.deepEqual(seqs(tr.onEvents({ run: "C", events: range(10, 11) })), [10, 11]);
  assert.deepEqual(tr.onEvents({ run: "C", events: range(12, 12) }).send, []);
});

test("a run.state on reconnect fills the gap between what was shown and its recent events", () => {
  const tr = new StreamTracker();
  tr.onState({ run: "A", seq: 10, recent: range(1, 10) });
  assert.deepEqual(tr.reconnected().send, [{ type: "run.state" }, { type: "events.fetch", after_seq: 10, limit: FETCH_LIMIT }]);
  const out = tr.onState({ run: "A", seq: 400, recent: range(201, 400) });
  assert.deepEqual(seqs(out), []);
  assert.deepEqual(out.send, [], "the fetch sent on reconnect is still on its way");
  assert.deepEqual(seqs(tr.onFetched({ run: "A", events: range(11, 210), more: false })).at(-1), 400);
});

test("no run: the tracker forgets the old one", () => {
  const tr = new StreamTracker();
  tr.onState({ run: "A", seq: 3, recent: range(1, 3) });
  tr.onState({ type: "run.state", run: null, status: "none" });
  assert.equal(tr.run, null);
  assert.equal(tr.lastSeq, 0);
});

test("backoff: 0.25 s, 0.5 s, 1 s, 2 s, then every 2 s, with jitter below the plain delay", () => {
  const plain = [0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, { random: () => 0 }));
  assert.deepEqual(plain, [250, 500, 1000, 2000, 2000, 2000, 2000]);
  assert.equal(backoffDelay(2, { random: () => 1 }), 750);
});

// -- LiveSession over a fake socket ---------------------------------------------------------------

class FakeSocket {
  static made = [];
  constructor(url) {
    this.url = url;
    this.sent = [];
    this.readyState = 0;
    FakeSocket.made.push(this);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  server(msg) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  close(code = 1000, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function fakeTimers() {
  const timers = { queue: [], setTimeout: (fn, ms) => timers.queue.push({ fn, ms }) - 1, clearTimeout: () => {} };
  return timers;
}

function session({ now = () => 0 } = {}) {
  FakeSocket.made = [];
  const timers = fakeTimers();
  const s = new LiveSession({ designId: 7, url: "ws://x/ws/designs/7/", WebSocket: FakeSocket, timers, random: () => 0, now });
  const seen = [];
  for (const type of ["state", "events", "tables", "seeked", "console", "error", "connection"]) {
    s.addEventListener(type, (e) => seen.push([type, e.detail]));
  }
  s.connect();
  FakeSocket.made[0].open();
  return { s, timers, seen, sock: () => FakeSocket.made.at(-1) };
}

test("send() resolves with the ack of its ref and rejects with the error of its ref", async () => {
  const { s, sock, seen } = session();
  const started = s.send("run.start", { speed: 2 });
  const refused = s.send("run.pause");
  const [m1, m2] = sock().sent;
  assert.equal(m1.type, "run.start");
  assert.equal(m1.speed, 2);
  sock().server({ type: "error", code: "run.none", msg: "No simulation is running", problems: [], ref: m2.ref });
  sock().server({ type: "ack", for: "run.start", data: { run: "abc" }, ref: m1.ref });
  assert.deepEqual(await started, { run: "abc" });
  await assert.rejects(refused, (e) => e.code === "run.none");
  // An error nobody awaits becomes an `error` event.
  sock().server({ type: "error", code: "ws.rate_limited", msg: "slow down", problems: [] });
  assert.deepEqual(seen.filter(([t]) => t === "error").map(([, d]) => d.code), ["ws.rate_limited"]);
});

test("the stream is dispatched in order, once; a gap sends events.fetch; console lines come out", () => {
  const { sock, seen } = session();
  sock().server({ type: "run.state", run: "R", status: "playing", t: 5, speed: 1, seq: 2, seed: 0, msg: null,
    tables: { nodes: {} }, recent: [ev(1, { kind: "command.run", line: "ip addr" }), ev(2)] });
  sock().server({ type: "run.events", run: "R", first: 5, last: 5, t: 9, events: [ev(5, { kind: "console.output", line: "hello" })] });
  const fetch = sock().sent.find((m) => m.type === "events.fetch");
  assert.equal(fetch.after_seq, 2);
  sock().server({ type: "events", run: "R", after_seq: 2, events: [ev(3), ev(4)], more: false, truncated: false, oldest: 1, ref: fetch.ref });
  sock().server({ type: "run.events", run: "R", first: 4, last: 5, t: 9, events: [ev(4), ev(5)] });
  const delivered = seen.filter(([t]) => t === "events").flatMap(([, d]) => d.events.map((e) => e.seq));
  assert.deepEqual(delivered, [1, 2, 3, 4, 5]);
  const consoleLines = seen.filter(([t]) => t === "console").map(([, d]) => [d.kind, d.line, d.live]);
  assert.deepEqual(consoleLines, [["command.run", "ip addr", false], ["console.output", "hello", true]]);
  assert.equal(seen.find(([t]) => t === "state")[1].status, "playing");
  assert.ok(seen.some(([t]) => t === "tables"));
});

test("a closed socket reconnects with backoff and resyncs with run.state; 4404 does not retry", () => {
  const { s, timers, sock, seen } = session();
  const pending = assert.rejects(s.send("run.pause"), (e) => e.code === "ws.closed");
  sock().close(1006);
  assert.equal(timers.queue.length, 1);
  assert.equal(timers.queue[0].ms, 250);
  timers.queue[0].fn();
  assert.equal(FakeSocket.made.length, 2);
  sock().open();
  assert.deepEqual(sock().sent.map((m) => m.type), ["run.state"]);
  sock().close(1006);
  assert.equal(timers.queue[1].ms, 500, "the second failure waits longer");
  timers.queue[1].fn();
  sock().close(4404);
  assert.equal(timers.queue.length, 2, "4404: no retry");
  assert.ok(seen.some(([t, d]) => t === "error" && d.code === "ws.not_found"));
  return pending;
});

test("events.ack goes out from the message handler at most twice a second, with the last seq", () => {
  let clock = 0;
  const { sock } = session({ now: () => clock });
  const acks = () => sock().sent.filter((m) => m.type === "events.ack");
  sock().server({ type: "run.state", run: "R", status: "playing", t: 0, speed: 1, seq: 2, recent: range(1, 2) });
  assert.deepEqual(acks(), [{ type: "events.ack", seq: 2 }]);
  clock = 200;
  sock().server({ type: "run.events", run: "R", first: 3, last: 3, t: 1, events: [ev(3)] });
  assert.equal(acks().length, 1, "not again within 500 ms");
  clock = 600;
  sock().server({ type: "run.events", run: "R", first: 4, last: 4, t: 1, events: [ev(4)] });
  assert.deepEqual(acks().at(-1), { type: "events.ack", seq: 4 });
  assert.equal(acks()[1].ref, undefined, "never answered: no ref");
});

test("closed for being too slow (4008): reconnect, then run.state and events.fetch from the last seq", () => {
  const { timers, sock } = session();
  sock().server({ type: "run.state", run: "R", status: "playing", t: 0, speed: 1, seq: 7, recent: range(1, 7) });
  sock().close(4008);
  timers.queue[0].fn();
  sock().open();
  assert.deepEqual(sock().sent.map((m) => [m.type, m.after_seq]), [["run.state", undefined], ["events.fetch", 7]]);
});

test("forget: the next run.state is a first join again, its recent events delivered anew", () => {
  const tracker = new StreamTracker();
  const state = { type: "run.state", run: "r1", seq: 2, recent: [{ seq: 1, kind: "a" }, { seq: 2, kind: "b" }] };
  assert.equal(tracker.onState(state).deliver.flatMap((g) => g.events).length, 2);
  assert.equal(tracker.onState(state).deliver.flatMap((g) => g.events).length, 0, "duplicates dropped");
  tracker.forget();
  assert.deepEqual(tracker.onState(state).deliver.flatMap((g) => g.events).map((e) => e.seq), [1, 2]);
});

test("a socket refused before it opens is retried, then given up with the reason; Try again starts over", () => {
  const { s, timers, seen } = session();
  FakeSocket.made[0].close(1006); // an open socket dropped: retried, no sentence
  const why = () => seen.filter(([t]) => t === "connection").map(([, d]) => d).at(-1);
  assert.equal(why().why, null);
  assert.equal(why().retrying, true);
  let scheduled = 0;
  for (let i = 1; i <= GIVE_UP_AFTER; i += 1) {
    timers.queue.at(-1).fn();
    scheduled = timers.queue.length;
    FakeSocket.made.at(-1).close(1006); // never opened: a refused handshake looks like this
    if (i === 2) assert.match(why().why, /could not be opened \(tried 2 times\): retrying/);
  }
  assert.equal(timers.queue.length, scheduled, "no retry scheduled after giving up");
  assert.equal(why().retrying, false);
  assert.equal(why().opened, false);
  assert.match(why().why, /refused the live connection .*gave up after 8 tries/);
  s.retry();
  FakeSocket.made.at(-1).open();
  assert.equal(s.connected, true);
  assert.equal(s.unopened, 0);
});

test("a close reason from the server is said; 4429 says why and keeps retrying", () => {
  const { timers, seen } = session();
  const last = () => seen.filter(([t]) => t === "connection").map(([, d]) => d).at(-1);
  FakeSocket.made[0].close(4429);
  assert.match(last().why, /Too many live connections .* retries every 2 s/);
  assert.equal(last().retrying, true);
  timers.queue.at(-1).fn();
  FakeSocket.made.at(-1).open();
  FakeSocket.made.at(-1).close(4403, "origin http://10.0.0.5:8001 is not allowed");
  assert.equal(last().why, "The server closed the live connection: origin http://10.0.0.5:8001 is not allowed");
  assert.equal(closeReason(4404, ""), "This design is not available to you any more (deleted, or access removed).");
});

test("run.state comes without tables; the tables pages that follow are merged and emitted whole", () => {
  const { s, sock, seen } = session();
  sock().server({ type: "run.state", run: "R", status: "playing", t: 5, speed: 1, seq: 0, seed: 0, msg: null,
    tables: null, tables_parts: 2, recent: [] });
  assert.ok(!seen.some(([t]) => t === "tables"));
  sock().server({ type: "tables", run: "R", t: 5, seq: 0, snapshot: true, part: 1, parts: 2, tables: { t: 5, nodes: { a: { arp: [] } } } });
  sock().server({ type: "tables", run: "R", t: 5, seq: 0, snapshot: true, part: 2, parts: 2, tables: { t: 5, nodes: { b: { arp: [] } } } });
  sock().server({ type: "tables", run: "R", t: 7, seq: 0, snapshot: false, part: 1, parts: 1, tables: { t: 7, nodes: { c: { arp: [] } } }, removed: { nodes: ["a"] } });
  const got = seen.filter(([t]) => t === "tables").map(([, d]) => [Object.keys(d.tables.nodes).sort().join(","), d.replace]);
  assert.deepEqual(got, [["a", true], ["a,b", true], ["b,c", false]]);
  assert.deepEqual(Object.keys(s.tables.nodes).sort(), ["b", "c"]);
});

test("a look back's tables (tables.at) are folded from their pages for the asker, apart from the live tables", async () => {
  const { s, sock, seen } = session();
  sock().server({ type: "tables", run: "R", t: 9, seq: 3, snapshot: true, part: 1, parts: 1, tables: { t: 9, nodes: { live: {} } } });
  const asked = s.tablesAt(1.5e9);
  const q = sock().sent.at(-1);
  assert.deepEqual([q.type, q.t], ["tables.at", 1.5]);
  const page = { type: "tables.at", run: "R", t: 1e9, seq: 3, snapshot: true, parts: 2, lookback: true, at: 1.5e9, from: 0, ref: q.ref };
  sock().server({ ...page, part: 1, tables: { t: 1e9, nodes: { a: { arp: [] } }, switches: {} } });
  sock().server({ ...page, part: 2, tables: { t: 1e9, nodes: { b: { arp: [] } } } });
  assert.deepEqual(await asked, { tables: { t: 1e9, nodes: { a: { arp: [] }, b: { arp: [] } }, switches: {} }, t: 1e9, at: 1.5e9, from: 0 });
  assert.deepEqual(s.tables, { t: 9, nodes: { live: {} } }, "the live tables are untouched");
  assert.equal(seen.filter(([type]) => type === "tables").length, 1);
  // A refusal comes back to the asker; an answer nobody waits for is dropped.
  const early = s.tablesAt(0.2e9);
  sock().server({ type: "error", code: "run.tables_gone", msg: "The tables of this run are kept from 1.000 s", problems: [], ref: sock().sent.at(-1).ref });
  await assert.rejects(early, (e) => e.code === "run.tables_gone");
  sock().server({ ...page, part: 1, ref: "nobody", tables: { t: 1 } });
  assert.deepEqual(s.tables, { t: 9, nodes: { live: {} } });
});
