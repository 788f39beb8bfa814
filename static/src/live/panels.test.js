// Run with `npm test` (node --test). The pure parts of the live panels: the protocol filter's
// classification, the places an event touches, the hex dump, the tables as sections and which rows
// changed between two snapshots.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolClassifier, formatTime, hexDump, layerTitle, placesOf, protocolOf } from "./format.js";
import { changedRows, tableSections } from "./tablemodel.js";

test("protocol of an event: by summary for frames (the stream is slim), by kind otherwise", () => {
  const cases = [
    [{ kind: "frame.sent", summary: "DHCP Discover - Transaction ID 0x42485e3a" }, "DHCP"],
    [{ kind: "frame.sent", summary: "Who has 10.0.2.15? Tell 10.0.2.2" }, "ARP"],
    [{ kind: "switch.flooded", summary: "10.0.2.15 is at 08:00:27:00:02:15" }, "ARP"],
    [{ kind: "frame.received", summary: "Echo (ping) request  id=0xf8cb, seq=1/256, ttl=64" }, "ICMP"],
    [{ kind: "frame.sent", summary: "39924 → 8080 [SYN] Seq=0 Win=64240 Len=0 MSS=1460" }, "TCP"],
    [{ kind: "frame.sent", summary: "40000 → 9 Len=4" }, "UDP"],
    [{ kind: "dhcp.bound" }, "DHCP"],
    [{ kind: "nat.mapping-created" }, "NAT"],
    [{ kind: "tcp.established" }, "TCP"],
    [{ kind: "arp.entry" }, "ARP"],
    [{ kind: "switch.learned" }, "Switch"],
    [{ kind: "vxlan.encapsulated" }, "VXLAN"],
    [{ kind: "console.output" }, "Console"],
    [{ kind: "packet.dropped", reason: "udp.no_listener" }, "UDP"],
    [{ kind: "packet.dropped", reason: "nat.drop.no-mapping" }, "NAT"],
    [{ kind: "ip.forwarded" }, "IP"],
  ];
  assert.deepEqual(cases.map(([e]) => protocolOf(e)), cases.map(([, p]) => p));
});

test("the places of an event: its node, the other end, a VXLAN host and the link", () => {
  assert.deepEqual(placesOf({ node: "vm", to_node: "natnet", link: "l_vm" }), { nodes: ["vm", "natnet"], links: ["l_vm"] });
  assert.deepEqual(placesOf({ node: "dvs", host: "hvA" }), { nodes: ["dvs", "hvA"], links: [] });
  assert.deepEqual(placesOf({ kind: "run.limit" }), { nodes: [], links: [] });
});

test("hex dump rows: offset, 16 bytes split 8+8, printable ASCII else a dot", () => {
  const rows = hexDump("ffffffffffff08002700021508004510" + "4142430a");
  assert.deepEqual(rows[0], { offset: "0000", hex: "ff ff ff ff ff ff 08 00  27 00 02 15 08 00 45 10", ascii: "........'.....E." });
  assert.deepEqual(rows[1], { offset: "0010", hex: "41 42 43 0a", ascii: "ABC." });
  assert.deepEqual(hexDump(""), []);
});

test("time and layer titles", () => {
  assert.equal(formatTime(1_500_000_000), "1.500 s");
  assert.equal(layerTitle({ proto: "udp", sport: 68, dport: 67 }), "User Datagram Protocol, Src Port: 68, Dst Port: 67");
  assert.equal(layerTitle({ proto: "dhcp", message_type: "Discover" }), "Dynamic Host Configuration Protocol, (Discover)");
});

const TABLES = {
  t: 0,
  switches: { natnet: { name: "NAT network", fdb: [{ mac: "08:00:27:00:02:15", port: 2, link: "l_vm", age_s: 0.1 }] } },
  nodes: {
    vm: { name: "vm", addresses: [{ dev: "eth0", mac: "08:00:27:00:02:15", ip: null }], routes: [], arp: [] },
  },
  dhcp_leases: { hv: { natnet: [] } },
  nat: { natnet: { host: "hv", conntrack: [], port_forwards: [{ name: "web", protocol: "tcp", host_ip: "", host_port: 8080, guest_ip: "10.0.2.15", guest_port: 80, hits: 0 }] } },
  services: {},
};

test("tables as sections: one per table and node, rows keyed across snapshots", () => {
  const sections = tableSections(TABLES, { hv: "hv", natnet: "NAT network" });
  assert.deepEqual(sections.map((s) => s.id), ["mac:natnet", "arp:vm", "addr:vm", "route:vm", "dhcp:hv:natnet", "conntrack:natnet", "forward:natnet"]);
  assert.deepEqual(sections.find((s) => s.id === "addr:vm").rows[0].cells, ["eth0", "08:00:27:00:02:15", "—"]);
  assert.deepEqual(sections.find((s) => s.id === "forward:natnet").rows[0].cells, ["web", "tcp", "any", "8080", "10.0.2.15", "80", "0"]);
});

test("changed rows: new or different rows, not the ones whose age alone moved", () => {
  const before = tableSections(TABLES);
  const later = structuredClone(TABLES);
  later.switches.natnet.fdb[0].age_s = 5.2; // time alone
  later.dhcp_leases.hv.natnet.push({ mac: "08:00:27:00:02:15", ip: "10.0.2.15", hostname: "vm", expires_at_ns: 3.6e12, state: "bound" });
  later.nat.natnet.port_forwards[0].hits = 1; // a hit counter grew
  const changed = changedRows(before, tableSections(later));
  assert.deepEqual([...changed].sort(), ["dhcp:hv:natnet\n08:00:27:00:02:15", "forward:natnet\nweb"]);
  assert.equal(changedRows(null, before).size, 0, "a first snapshot (or one after a seek) highlights nothing");
});

test("the event list's classifier: a distributed switch's tunnelled frames are VXLAN, as its own events", async () => {
  const { readFileSync } = await import("node:fs");
  // The first 110 events of examples/distributed-switch.json as the live stream delivers them (slim:
  // no layers), written by `python -m simcore run examples/distributed-switch.json --trace`.
  const trace = readFileSync(new URL("./testdata/distributed-switch.jsonl", import.meta.url), "utf8")
    .trim().split("\n").map((line) => JSON.parse(line));
  const classifier = new ProtocolClassifier();
  const got = trace.map((event) => [event, classifier.classify(event)]);
  const vxlan = got.filter(([, p]) => p === "VXLAN").map(([e]) => e);
  // Before: protocolOf alone found no VXLAN event at all in this trace.
  assert.equal(trace.filter((e) => protocolOf(e) === "VXLAN").length, trace.filter((e) => e.kind.startsWith("vxlan.")).length);
  assert.ok(vxlan.some((e) => e.kind === "vxlan.encapsulated") && vxlan.some((e) => e.kind === "vxlan.decapsulated"));
  // Every datagram to UDP 4789 on the underlay, sent and received, and nothing else.
  const underlay = trace.filter((e) => (e.kind === "frame.sent" || e.kind === "frame.received") && / 4789\b|to 4789\)/.test(e.text));
  assert.ok(underlay.length >= 10);
  for (const e of underlay) assert.equal(got.find(([x]) => x === e)[1], "VXLAN", e.text);
  const framesCalledVxlan = vxlan.filter((e) => e.kind.startsWith("frame."));
  assert.equal(framesCalledVxlan.length, underlay.length);
  // The host's own ARP on the underlay is ARP.
  const hostArp = trace.find((e) => e.kind === "frame.sent" && e.node === "hvA" && e.summary.startsWith("Who has 172.16.0.2"));
  assert.equal(got.find(([x]) => x === hostArp)[1], "ARP");
});

test("tables pages and deltas merge into the whole tables: a snapshot's first part replaces, removed drops", async () => {
  const { mergeTables } = await import("./tablemodel.js");
  const fdb = (mac) => ({ fdb: [{ mac, port: "p1", link: "l1", age_s: 1 }] });
  let held = { nodes: { old: { arp: [] } } };
  held = mergeTables(held, { snapshot: true, part: 1, parts: 2, tables: { t: 5, switches: { sw1: fdb("a") } } });
  assert.deepEqual(Object.keys(held.nodes ?? {}), []); // replaced, not merged
  held = mergeTables(held, { snapshot: true, part: 2, parts: 2, tables: { t: 5, switches: { sw2: fdb("b") }, nodes: { h1: { arp: [] } } } });
  assert.deepEqual(Object.keys(held.switches).sort(), ["sw1", "sw2"]);
  const before = held;
  held = mergeTables(held, { snapshot: false, part: 1, parts: 1, tables: { t: 9, switches: { sw1: fdb("c") } }, removed: { nodes: ["h1"] } });
  assert.equal(held.t, 9);
  assert.equal(held.switches.sw1.fdb[0].mac, "c");
  assert.equal(held.switches.sw2.fdb[0].mac, "b");
  assert.deepEqual(held.nodes, {});
  assert.equal(before.switches.sw1.fdb[0].mac, "a"); // never mutates what it was given
  assert.ok(tableSections(held).some((s) => s.id === "mac:sw2"));
});

test("a table the server cut says how long it was", () => {
  const sections = tableSections({ switches: { sw: { fdb: [{ mac: "m", port: "p", link: "l", age_s: 0 }], truncated: { fdb: 10000 } } } });
  assert.equal(sections[0].title, "MAC table of sw (first 1 of 10000)");
});

test("a tab draws at most 200 tables and says how many there are", async () => {
  const { drawable, MAX_DRAWN_SECTIONS } = await import("./tablemodel.js");
  const nodes = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`h${i}`, { addresses: [{ dev: "eth0", mac: "m", ip: `10.0.${i >> 8}.${i & 255}/8` }] }]));
  const withRows = tableSections({ nodes }).filter((s) => s.tab === "ip" && s.rows.length);
  const { sections, more } = drawable(withRows);
  assert.equal(sections.length, MAX_DRAWN_SECTIONS);
  assert.equal(more, "Showing 200 of 10000 tables: pick a node to see its own.");
  assert.deepEqual(drawable(withRows.slice(0, 3)), { sections: withRows.slice(0, 3), more: null });
});

test("the tables kept for a private look back: the newest at or before an instant, a seek back drops what follows", async () => {
  const { TableHistory } = await import("./tablemodel.js");
  const history = new TableHistory(3);
  assert.equal(history.at(5), null);
  history.push(10, ["a"]);
  history.push(20, ["b"]);
  history.push(20, ["b2"]); // the same instant again: the newer drawing
  history.push(30, ["c"]);
  assert.equal(history.at(9), null);
  assert.deepEqual([history.at(10).sections, history.at(25).sections, history.at(99).sections], [["a"], ["b2"], ["c"]]);
  history.push(40, ["d"]); // past the limit: the oldest goes
  assert.equal(history.first(), 20);
  history.push(25, ["seek"]); // a seek back to 25: what came after it is gone
  assert.deepEqual(history.items.map((i) => i.t), [20, 25]);
  history.clear();
  assert.equal(history.first(), null);
});

// -- PastTables: the tables before the page joined, asked of the server ---------------------------

function pastTables({ every = 600 } = {}) {
  const asked = [];
  const changes = [];
  const timers = { queue: [], setTimeout: (fn, ms) => timers.queue.push({ fn, ms }), clearTimeout: () => {} };
  let clock = 0;
  return import("./tablemodel.js").then(({ PastTables }) => {
    const past = new PastTables({
      ask: (at) => new Promise((resolve, reject) => asked.push({ at, resolve, reject })),
      onChange: (answer) => changes.push(answer), timers, now: () => clock, every,
    });
    return { past, asked, changes, timers, tick: (ms) => { clock += ms; } };
  });
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("past tables: loading, then the answer for the instant asked", async () => {
  const { past, asked, changes } = await pastTables();
  assert.deepEqual(past.get(1e9), { at: 1e9, loading: true });
  await settle();
  assert.deepEqual(asked.map((a) => a.at), [1e9]);
  assert.deepEqual(past.get(1e9), { at: 1e9, loading: true }, "asked once while it comes");
  await settle();
  assert.equal(asked.length, 1);
  asked[0].resolve({ tables: { t: 0.8e9, nodes: {} }, t: 0.8e9 });
  await settle();
  assert.deepEqual(past.get(1e9), { at: 1e9, t: 0.8e9, tables: { t: 0.8e9, nodes: {} } });
  assert.equal(changes.length, 1);
});

test("past tables: a stale answer is dropped, the instant wanted now is asked next, at most one per interval", async () => {
  const { past, asked, changes, timers, tick } = await pastTables();
  past.get(1e9);
  await settle();
  past.get(2e9); // dragged on while the first was on its way
  past.get(3e9);
  await settle();
  assert.equal(asked.length, 1, "one question at a time");
  tick(100);
  asked[0].resolve({ tables: { t: 1e9 }, t: 1e9 });
  await settle();
  assert.deepEqual(changes, [], "the answer for 1 s is not shown: the user is at 3 s");
  assert.deepEqual(past.get(3e9), { at: 3e9, loading: true });
  assert.equal(asked.length, 1);
  assert.equal(timers.queue.at(-1).ms, 500, "the next question waits for the interval");
  tick(500);
  timers.queue.at(-1).fn();
  await settle();
  assert.deepEqual(asked.map((a) => a.at), [1e9, 3e9]);
  asked[1].reject(Object.assign(new Error("The tables of this run are kept from 2.000 s"), { code: "run.tables_gone" }));
  await settle();
  assert.equal(past.get(3e9).error, "The tables of this run are kept from 2.000 s");
  // Back to the run: an answer still on its way is dropped.
  tick(1000);
  past.get(4e9);
  await settle();
  past.forget();
  asked[2].resolve({ tables: {}, t: 4e9 });
  await settle();
  assert.equal(changes.length, 1);
});

test("past tables: a rate limit or a lost connection asks again; a new run forgets every answer", async () => {
  const { past, asked, timers, tick } = await pastTables();
  past.get(1e9);
  await settle();
  asked[0].reject(Object.assign(new Error("slow down"), { code: "ws.rate_limited" }));
  await settle();
  assert.deepEqual(past.get(1e9), { at: 1e9, loading: true }, "not shown as a refusal");
  tick(600);
  timers.queue.at(-1).fn();
  await settle();
  assert.equal(asked.length, 2);
  past.clear(); // a new run
  asked[1].resolve({ tables: {}, t: 1e9 });
  await settle();
  assert.equal(past.answer, null);
});
