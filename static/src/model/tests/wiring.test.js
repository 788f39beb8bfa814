import { test } from "node:test";
import assert from "node:assert/strict";
import { addNic, addNode, connect, disconnect, freeNics, removeNic, renameNic } from "../document.js";
import { deepFreeze, example, kinds, problems } from "./helpers.js";

const base = example("internal-switch");
// internal-switch plus vm4 (eth0 free) and a LAN switch.
const roomy = deepFreeze(addNode(kinds, addNode(kinds, base, "vm", { x: 0, y: 0 }, { host: "hv" }), "lan_switch", null));

test("connect uses the first free NIC and a new port on the switch", () => {
  const doc = connect(kinds, roomy, { node: "vm4" }, { node: "intnet" });
  assert.deepEqual(doc.links.at(-1), { id: "l4", a: { node: "vm4", nic: "eth0" }, b: { node: "intnet" } });
  assert.deepEqual(problems(doc), []);
});

test("connect adds ethN when every NIC of the node is taken", () => {
  const doc = connect(kinds, roomy, { node: "vm1" }, { node: "switch1" }, { delay_us: 7 });
  const vm1 = doc.nodes.find((n) => n.id === "vm1");
  assert.deepEqual(vm1.nics.map((n) => n.name), ["eth0", "eth1"]);
  assert.match(vm1.nics[1].mac, /^08:00:27:/);
  assert.deepEqual(doc.links.at(-1), { id: "l4", a: { node: "vm1", nic: "eth1" }, b: { node: "switch1" }, delay_us: 7 });
  assert.deepEqual(problems(doc), []);
});

test("connect with a NIC name the node lacks creates that NIC", () => {
  const doc = connect(kinds, roomy, { node: "vm4", nic: "enp0s8" }, { node: "vm1" });
  assert.deepEqual(doc.links.at(-1), { id: "l4", a: { node: "vm4", nic: "enp0s8" }, b: { node: "vm1", nic: "eth1" } });
  assert.deepEqual(freeNics(doc, "vm4"), ["eth0"]);
  assert.deepEqual(problems(doc), []);
});

const refused = [
  [{ node: "vm1", nic: "eth0" }, { node: "intnet" }, "NIC 'eth0' of 'vm1' is already on link 'l1': a NIC takes one link"],
  [{ node: "intnet", nic: "p1" }, { node: "vm4" }, "'intnet' is a switch: a link end on a switch names no NIC (each link gets its own port)"],
  [{ node: "vm4" }, { node: "vm4" }, "cannot connect 'vm4' to itself"],
  [{ node: "ghost" }, { node: "vm4" }, "unknown node 'ghost'"],
];
for (const [a, b, message] of refused) {
  test(`connect refuses: ${message}`, () => {
    assert.throws(() => connect(kinds, roomy, a, b), { message });
  });
}

test("disconnect removes the link and the captures on it, not the NICs", () => {
  const doc = deepFreeze({ ...base, captures: [...base.captures, { link: "l2" }] });
  const out = disconnect(doc, ["l2"]);
  assert.deepEqual(out.links.map((l) => l.id), ["l1", "l3"]);
  assert.deepEqual(out.captures, base.captures);
  assert.equal(out.nodes, doc.nodes);
  assert.equal(disconnect(doc, ["nope"]), doc);
});

test("addNic gives the next ethN and a fresh MAC; a switch has no NICs", () => {
  const doc = addNic(kinds, base, "vm2", { ip: "dhcp" });
  assert.deepEqual(doc.nodes[3].nics[1].name, "eth1");
  assert.equal(doc.nodes[3].nics[1].ip, "dhcp");
  assert.throws(() => addNic(kinds, base, "intnet"), { message: "a virtual switch ('intnet') has no NICs: links plug into its ports" });
  assert.throws(() => addNic(kinds, base, "vm2", { name: "eth0" }), { message: "node 'vm2' already has a NIC 'eth0'" });
});

test("removeNic takes its link, its captures and routes through it", () => {
  const doc = deepFreeze({
    ...base,
    nodes: base.nodes.map((n) => (n.id === "vm1" ? { ...n, routes: [{ to: "default", via: "192.168.56.1", dev: "eth0" }, { to: "10.0.0.0/8", via: "192.168.56.2" }] } : n)),
  });
  const out = removeNic(doc, "vm1", "eth0");
  const vm1 = out.nodes.find((n) => n.id === "vm1");
  assert.deepEqual([vm1.nics, vm1.routes], [[], [{ to: "10.0.0.0/8", via: "192.168.56.2" }]]);
  assert.deepEqual(out.links.map((l) => l.id), ["l2", "l3"]);
  assert.deepEqual(out.captures.map((c) => c.node), ["vm2", "vm3"]);
  assert.deepEqual(problems(out), []);
});

test("renameNic carries links, captures and routes along", () => {
  const out = renameNic(base, "vm1", "eth0", "enp0s3");
  assert.deepEqual(out.links[0], { id: "l1", a: { node: "vm1", nic: "enp0s3" }, b: { node: "intnet" } });
  assert.deepEqual(out.captures[0], { node: "vm1", nic: "enp0s3" });
  assert.equal(out.links[1], base.links[1]);
  assert.deepEqual(problems(out), []);
  assert.throws(() => renameNic(base, "vm1", "eth0", "bad name"), { message: "not a NIC name: 'bad name'" });
});
