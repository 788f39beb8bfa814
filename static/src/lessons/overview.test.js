// Run with `npm test` (node --test). The teacher's overview over a fake class socket: pushes
// written into their cell, the slow poll only while there is no socket, reconnecting with backoff.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RETRY_MS, SLOW_POLL_MS, liveOverview, redrawFromPage } from "./overview.js";

class FakeSocket {
  static last = null;
  constructor(url) { this.url = url; this.listeners = {}; FakeSocket.last = this; }
  addEventListener(kind, fn) { this.listeners[kind] = fn; }
  emit(kind, data) { this.listeners[kind]?.(data === undefined ? {} : { data: JSON.stringify(data) }); }
}

function fakeTimers() {
  const t = { intervals: new Map(), timeouts: [], next: 1 };
  t.setInterval = (fn, ms) => { const id = t.next++; t.intervals.set(id, ms); return id; };
  t.clearInterval = (id) => t.intervals.delete(id);
  t.setTimeout = (fn, ms) => { t.timeouts.push({ fn, ms }); return t.next++; };
  return t;
}

function fakeTable() {
  const span = { textContent: "0%" };
  const td = { dataset: { activity: "nat-network" }, querySelector: () => span };
  const tr = { dataset: { student: "ann" }, querySelectorAll: () => [td] };
  return { span, table: { dataset: { url: "/classes/1/overview/" }, querySelectorAll: () => [tr], querySelector: () => tr } };
}

globalThis.fetch = async () => ({ ok: false });

test("a pushed completion is written into its cell; the poll runs only without the socket", () => {
  const timers = fakeTimers();
  const { span, table } = fakeTable();
  liveOverview(table, { WebSocket: FakeSocket, timers, url: "ws://x/ws/classes/1/", reload: () => assert.fail("reload") });
  assert.equal(FakeSocket.last.url, "ws://x/ws/classes/1/");
  FakeSocket.last.emit("message", { type: "class.hello", class: 1 });
  assert.equal(table.dataset.live, "socket");
  assert.equal(timers.intervals.size, 0);
  FakeSocket.last.emit("message", { type: "class.completion", student: "ann", activity: "nat-network", design: 3, percent: 70 });
  assert.equal(span.textContent, "70%");
  assert.equal(table.dataset.pushed, "1");
  // the socket closes: the slow poll, and the socket tried again with backoff
  FakeSocket.last.emit("close");
  assert.equal(table.dataset.live, "poll");
  assert.deepEqual([...timers.intervals.values()], [SLOW_POLL_MS]);
  assert.equal(timers.timeouts.at(-1).ms, RETRY_MS[0]);
  const first = FakeSocket.last;
  first.emit("close"); // (a second close before the retry changes nothing but the backoff)
  assert.equal(timers.timeouts.at(-1).ms, RETRY_MS[1]);
  timers.timeouts.at(-1).fn();
  assert.notEqual(FakeSocket.last, first);
  FakeSocket.last.emit("message", { type: "class.hello", class: 1 });
  assert.equal(timers.intervals.size, 0);
  assert.equal(table.dataset.live, "socket");
});

test("a browser without WebSocket polls slowly", () => {
  const timers = fakeTimers();
  const { table } = fakeTable();
  liveOverview(table, { WebSocket: null, timers, url: "ws://x/ws/classes/1/" });
  assert.equal(table.dataset.live, "poll");
  assert.deepEqual([...timers.intervals.values()], [SLOW_POLL_MS]);
});

test("a new student's row is drawn from the page's HTML in place of the old rows, without a reload", async () => {
  const imported = [];
  const table = {
    id: "class-overview", dataset: {}, children: ["old row"],
    ownerDocument: { importNode: (node, deep) => { imported.push(deep); return `copy of ${node}`; } },
    replaceChildren(...nodes) { this.children = nodes; },
  };
  const fresh = { childNodes: ["thead", "tbody with ann and ben"] };
  await redrawFromPage(table, {
    fetchPage: async () => ({ ok: true, text: async () => "<html>...</html>" }),
    parse: () => ({ getElementById: (id) => (id === "class-overview" ? fresh : null) }),
  });
  assert.deepEqual(table.children, ["copy of thead", "copy of tbody with ann and ben"]);
  assert.deepEqual(imported, [true, true]);
  assert.equal(table.dataset.redrawn, "1");
  // a failed fetch leaves the table as it is
  await redrawFromPage(table, { fetchPage: async () => ({ ok: false }) });
  assert.equal(table.dataset.redrawn, "1");
});
