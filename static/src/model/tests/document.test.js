import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addNode,
  emptyDocument,
  moveNodes,
  nextNodeId,
  placeOn,
  removeNodes,
  setPositions,
} from "../document.js";
import { deepFreeze, example, kinds, problems } from "./helpers.js";

const base = example("internal-switch");

test("addNode numbers per kind prefix, after the highest in use", () => {
  let doc = deepFreeze(emptyDocument());
  doc = addNode(kinds, doc, "host", { x: 0, y: 0 });
  doc = addNode(kinds, doc, "vm", { x: 10, y: 0 });
  doc = addNode(kinds, doc, "vm", { x: 20, y: 0 });
  doc = addNode(kinds, doc, "lan_switch", { x: 30, y: 0 });
  assert.deepEqual(doc.nodes.map((n) => n.id), ["host1", "vm1", "vm2", "switch1"]);
  doc = removeNodes(doc, ["vm1"]);
  assert.equal(nextNodeId(kinds, doc, "vm"), "vm3", "a deleted name is not handed out again");
  assert.deepEqual(problems(doc), []);
});

test("a new node with NICs starts with eth0 and a fresh MAC; a switch has none", () => {
  const doc = addNode(kinds, addNode(kinds, base, "vm", { x: 1, y: 2 }, { host: "hv" }), "lan_switch", null);
  const vm = doc.nodes.find((n) => n.id === "vm4");
  assert.deepEqual(vm, {
    id: "vm4",
    kind: "vm",
    position: { x: 1, y: 2 },
    host: "hv",
    nics: [{ name: "eth0", mac: vm.nics[0].mac }],
  });
  assert.match(vm.nics[0].mac, /^08:00:27(:[0-9a-f]{2}){3}$/);
  assert.deepEqual(doc.nodes.at(-1), { id: "switch1", kind: "lan_switch" });
  assert.equal(doc.nodes[0], base.nodes[0], "untouched nodes are shared, not copied");
});

test("a VM dropped without a host goes on the nearest host", () => {
  let doc = deepFreeze({ version: 1, nodes: [] });
  doc = addNode(kinds, doc, "host", { x: 0, y: 0 });
  doc = addNode(kinds, doc, "host", { x: 1000, y: 0 });
  doc = addNode(kinds, doc, "vm", { x: 900, y: 50 });
  assert.equal(doc.nodes.at(-1).host, "host2");
});

const refused = [
  ["vm", {}, emptyDocument(), "a virtual machine needs a host to run on: add one first"],
  ["vm", { host: "vm1" }, base, "'vm1' is a virtual machine: a virtual machine can only be placed on a host"],
  ["lan_switch", { host: "hv" }, base, "a LAN switch ('switch1') is not placed on a host"],
  ["vm", { id: "vm1" }, base, "node id 'vm1' is already taken"],
  ["vm", { id: "9lives", host: "hv" }, base, "not a node id: '9lives'"],
  ["vm", { host: "nowhere" }, base, "unknown node 'nowhere'"],
  ["toaster", {}, base, "unknown node kind 'toaster'"],
];
for (const [kind, opts, doc, message] of refused) {
  test(`addNode refuses: ${message}`, () => {
    assert.throws(() => addNode(kinds, deepFreeze(doc), kind, { x: 0, y: 0 }, opts), { message });
  });
}

test("moving a host moves what is placed on it; others stay shared", () => {
  const doc = moveNodes(base, ["hv"], { dx: 10, dy: -5 });
  assert.deepEqual(
    doc.nodes.map((n) => [n.id, n.position.x, n.position.y]),
    [["hv", 310, 195], ["intnet", 310, 115], ["vm1", 190, 255], ["vm2", 310, 275], ["vm3", 430, 255]],
  );
  assert.equal(moveNodes(base, ["vm1"], { dx: 0, dy: 0 }), base, "no movement is no change");
  const one = moveNodes(base, ["vm1"], { dx: 1, dy: 1 });
  assert.equal(one.nodes[1], base.nodes[1]);
  assert.equal(one.links, base.links);
});

test("setPositions changes only the nodes whose position differs", () => {
  const doc = setPositions(base, { vm1: { x: 180, y: 260 }, vm2: { x: 0, y: 0 }, ghost: { x: 1, y: 1 } });
  assert.equal(doc.nodes[2], base.nodes[2]);
  assert.deepEqual(doc.nodes[3].position, { x: 0, y: 0 });
  assert.equal(setPositions(base, { vm1: { x: 180, y: 260 } }), base);
});

test("deleting a VM removes its link, its capture and its script steps", () => {
  const doc = removeNodes(base, ["vm1"]);
  assert.deepEqual(doc.nodes.map((n) => n.id), ["hv", "intnet", "vm2", "vm3"]);
  assert.deepEqual(doc.links.map((l) => l.id), ["l2", "l3"]);
  assert.deepEqual(doc.captures, [{ node: "vm2", nic: "eth0" }, { node: "vm3", nic: "eth0" }]);
  assert.deepEqual(doc.script, []);
  assert.deepEqual(problems(doc), []);
});

test("deleting a host deletes what is placed on it, with their links", () => {
  const doc = removeNodes(base, ["hv"]);
  assert.deepEqual(doc, { ...base, nodes: [], links: [], captures: [], script: [] });
});

test("deleting a switch removes its links but keeps the VMs and their NIC captures", () => {
  const doc = removeNodes(base, ["intnet"]);
  assert.deepEqual(doc.links, []);
  assert.deepEqual(doc.captures, base.captures);
  assert.equal(removeNodes(base, ["ghost"]), base, "deleting nothing is no change");
});

test("placeOn moves a virtual switch between hosts and off them; a VM cannot leave", () => {
  let doc = addNode(kinds, base, "host", { x: 0, y: 0 });
  doc = placeOn(kinds, doc, "intnet", "host1");
  assert.equal(doc.nodes.find((n) => n.id === "intnet").host, "host1");
  doc = placeOn(kinds, doc, "intnet", null);
  assert.equal("host" in doc.nodes.find((n) => n.id === "intnet"), false);
  assert.equal(placeOn(kinds, doc, "intnet", null), doc);
  assert.throws(() => placeOn(kinds, doc, "vm1", null), { message: "a virtual machine ('vm1') must stay on a host" });
  assert.throws(() => placeOn(kinds, doc, "vm1", "intnet"), {
    message: "'intnet' is a virtual switch: a virtual machine can only be placed on a host",
  });
});

test("a host given among the props still goes through the placement rules", () => {
  assert.equal(addNode(kinds, base, "vm", null, { props: { host: "hv", guest_os: "Debian 12" } }).nodes.at(-1).host, "hv");
  assert.throws(() => addNode(kinds, base, "vm", null, { props: { host: "intnet" } }), {
    message: "'intnet' is a virtual switch: a virtual machine can only be placed on a host",
  });
});
