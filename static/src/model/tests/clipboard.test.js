import { test } from "node:test";
import assert from "node:assert/strict";
import { copySelection, isPayload, paste } from "../clipboard.js";
import { addNode } from "../document.js";
import { usedMacs } from "../mac.js";
import { deepFreeze, example, kinds, problems } from "./helpers.js";

const base = example("internal-switch");

test("copying a host takes its guests and the links among them, not captures or script", () => {
  const payload = copySelection(base, ["hv"]);
  assert.deepEqual(payload.nodes.map((n) => n.id), ["hv", "intnet", "vm1", "vm2", "vm3"]);
  assert.deepEqual(payload.links.map((l) => l.id), ["l1", "l2", "l3"]);
  assert.deepEqual(Object.keys(payload).sort(), ["format", "links", "nodes", "version"]);
  assert.ok(isPayload(JSON.parse(JSON.stringify(payload))), "the payload survives the text clipboard");
});

test("copying two VMs leaves out the link to the switch that was not selected", () => {
  assert.deepEqual(copySelection(base, ["vm1", "vm2"]).links, []);
});

test("paste gives fresh ids, names and MACs, offsets positions and re-points links", () => {
  const named = deepFreeze({ ...base, nodes: base.nodes.map((n) => (n.id === "vm2" ? { ...n, name: "web" } : n)) });
  const { doc, created, links, dropped } = paste(kinds, named, copySelection(named, ["hv"]));
  assert.deepEqual(created, { hv: "host1", intnet: "vswitch1", vm1: "vm4", vm2: "vm5", vm3: "vm6" });
  assert.deepEqual(links, { l1: "l4", l2: "l5", l3: "l6" });
  assert.deepEqual(dropped, []);
  const byId = Object.fromEntries(doc.nodes.map((n) => [n.id, n]));
  assert.equal(byId.vm5.name, "web2");
  assert.equal(byId.vm4.host, "host1");
  assert.deepEqual(byId.vm4.position, { x: 220, y: 300 });
  assert.deepEqual(doc.links.at(-1), { id: "l6", a: { node: "vm6", nic: "eth0" }, b: { node: "vswitch1" } });
  const before = usedMacs(named);
  for (const id of ["vm4", "vm5", "vm6"]) {
    const mac = byId[id].nics[0].mac;
    assert.match(mac, /^08:00:27:/);
    assert.equal(before.has(mac), false, `${mac} is new`);
  }
  assert.deepEqual(problems(doc), []);
  assert.deepEqual(doc.captures, named.captures);
});

test("pasting twice never collides, and the same paste gives the same result", () => {
  const payload = copySelection(base, ["vm1", "intnet"]);
  const once = paste(kinds, base, payload).doc;
  const twice = paste(kinds, once, payload).doc;
  assert.deepEqual(problems(twice), []);
  assert.equal(new Set(twice.nodes.map((n) => n.id)).size, 9);
  assert.deepEqual(paste(kinds, base, payload).doc, once, "deterministic");
});

test("a MAC already in the document is never handed out, even a derived one", () => {
  const payload = copySelection(base, ["vm1"]);
  const plain = paste(kinds, base, payload).doc;
  const mac = plain.nodes.at(-1).nics[0].mac;
  // A document that already holds that very address on another NIC.
  const crowded = deepFreeze({ ...base, nodes: base.nodes.map((n) => (n.id === "vm3" ? { ...n, nics: [{ ...n.nics[0], mac }] } : n)) });
  const other = paste(kinds, crowded, payload).doc.nodes.at(-1).nics[0].mac;
  assert.notEqual(other, mac);
  assert.match(other, /^08:00:27:/);
  assert.deepEqual(problems(paste(kinds, crowded, payload).doc), []);
});

test("a VM pasted without its host stays on that host, or goes to the asked or nearest host", () => {
  const payload = copySelection(base, ["vm1"]);
  assert.equal(paste(kinds, base, payload).doc.nodes.at(-1).host, "hv");
  const withHost2 = addNode(kinds, base, "host", { x: 0, y: 0 });
  assert.equal(paste(kinds, withHost2, payload, { host: "host1" }).doc.nodes.at(-1).host, "host1");
  const elsewhere = deepFreeze({ version: 1, nodes: [{ id: "pc", kind: "host", position: { x: 0, y: 0 } }] });
  assert.equal(paste(kinds, elsewhere, payload).doc.nodes.at(-1).host, "pc");
  assert.throws(() => paste(kinds, base, payload, { host: "intnet" }), { message: "cannot paste onto 'intnet': not a host" });
});

test("with no host anywhere a pasted VM is dropped and reported; a virtual switch is kept, unplaced", () => {
  const empty = deepFreeze({ version: 1, nodes: [] });
  const { doc, dropped } = paste(kinds, empty, copySelection(base, ["vm1", "intnet"]));
  assert.deepEqual(dropped, ["vm1"]);
  assert.deepEqual(doc.nodes, [{ id: "vswitch1", kind: "vswitch", position: { x: 340, y: 160 } }]);
  assert.equal(doc.links, undefined);
});

test("a payload that is not ours is refused", () => {
  assert.throws(() => paste(kinds, base, { nodes: [] }), { message: "not a copied selection" });
});
