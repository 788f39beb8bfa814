// New nodes of kinds whose required fields refer to other objects start valid, and those
// references follow renames and deletions (defaults.js).
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { addNode, addNic, connect, emptyDocument, kindsFromSchema, missingPrerequisite, removeNic, removeNodes, renameNic } from "../index.js";

const schema = JSON.parse(readFileSync(new URL("../../../../simcore/design/schema.json", import.meta.url), "utf8"));
const kinds = kindsFromSchema(schema);
const node = (doc, id) => doc.nodes.find((n) => n.id === id);

function withHosts(n) {
  let doc = emptyDocument();
  for (let i = 1; i <= n; i += 1) doc = addNode(kinds, doc, "host", { x: i * 100, y: 0 }, { id: `hv${i}` });
  return doc;
}

test("a NAT network starts on VirtualBox's subnet with its host's first NIC as uplink", () => {
  const doc = addNode(kinds, withHosts(1), "nat_network", { x: 0, y: 0 }, { id: "nat1" });
  const nat = node(doc, "nat1");
  assert.deepEqual(
    { host: nat.host, gateway: nat.gateway, uplink: nat.uplink, dhcp: nat.dhcp },
    { host: "hv1", gateway: "10.0.2.2/24", uplink: "eth0", dhcp: { range_start: "10.0.2.15", range_end: "10.0.2.50", lease_s: 3600 } },
  );
  const second = node(addNode(kinds, doc, "nat_network", { x: 0, y: 0 }, { id: "nat2" }), "nat2");
  assert.equal(second.gateway, "10.0.3.2/24");
});

test("a NAT network gives its host's uplink a static address when it has none, and only then", () => {
  const doc = addNode(kinds, withHosts(2), "nat_network", { x: 0, y: 0 }, { id: "nat1", host: "hv1" });
  assert.equal(node(doc, "hv1").nics[0].ip, "203.0.113.2/24");
  const again = addNode(kinds, doc, "nat_network", { x: 0, y: 0 }, { id: "nat2", host: "hv2" });
  assert.equal(node(again, "hv2").nics[0].ip, "203.0.113.3/24", "a free address");
  const chosen = structuredClone(withHosts(1));
  chosen.nodes[0].nics[0].ip = "dhcp";
  const kept = addNode(kinds, chosen, "nat_network", { x: 0, y: 0 }, { id: "nat1" });
  assert.equal(node(kept, "hv1").nics[0].ip, "dhcp", "the user's choice stays");
});

test("wiring a host with a static address to the Internet addresses the Internet and routes the host through it", () => {
  let doc = addNode(kinds, withHosts(1), "nat_network", { x: 0, y: 0 }, { id: "nat1", host: "hv1" });
  doc = addNode(kinds, doc, "internet", { x: 0, y: 0 }, { id: "net" });
  const wired = connect(kinds, doc, { node: "net" }, { node: "hv1" });
  assert.equal(node(wired, "net").nics[0].ip, "203.0.113.1/24");
  assert.deepEqual(node(wired, "hv1").routes, [{ to: "default", via: "203.0.113.1" }]);
  // A NIC without a static address, or an Internet NIC already addressed: nothing is guessed.
  const bare = connect(kinds, addNode(kinds, withHosts(1), "internet", null, { id: "net" }), { node: "hv1" }, { node: "net" });
  assert.equal(node(bare, "net").nics[0].ip, undefined);
  assert.equal(node(bare, "hv1").routes, undefined);
  const set = structuredClone(doc);
  node(set, "net").nics[0].ip = "203.0.113.254/24";
  const kept = connect(kinds, set, { node: "hv1" }, { node: "net" });
  assert.equal(node(kept, "net").nics[0].ip, "203.0.113.254/24");
  assert.equal(node(kept, "hv1").routes, undefined);
});

test("a distributed switch spans every host with a NIC, on the first free VNI from 100", () => {
  const doc = addNode(kinds, withHosts(2), "distributed_switch", null, { id: "dvs1" });
  assert.deepEqual(node(doc, "dvs1").members, [{ host: "hv1", underlay: "eth0" }, { host: "hv2", underlay: "eth0" }]);
  assert.equal(node(doc, "dvs1").vni, 100);
  assert.equal(node(addNode(kinds, doc, "distributed_switch", null, { id: "dvs2" }), "dvs2").vni, 101);
});

test("without a host, a distributed switch cannot be added and says why", () => {
  assert.match(missingPrerequisite(emptyDocument(), "distributed_switch"), /add a host with a NIC first/);
  assert.throws(() => addNode(kinds, emptyDocument(), "distributed_switch", null), /add a host with a NIC first/);
});

test("renaming a host NIC carries the uplink, the bridge and the underlay along", () => {
  let doc = addNode(kinds, withHosts(1), "nat_network", null, { id: "nat1" });
  doc = addNode(kinds, doc, "distributed_switch", null, { id: "dvs1" });
  doc = addNode(kinds, doc, "vswitch", null, { id: "vs1", host: "hv1", props: { bridged_to: "eth0" } });
  doc = renameNic(doc, "hv1", "eth0", "enp1s0");
  assert.equal(node(doc, "nat1").uplink, "enp1s0");
  assert.equal(node(doc, "vs1").bridged_to, "enp1s0");
  assert.deepEqual(node(doc, "dvs1").members, [{ host: "hv1", underlay: "enp1s0" }]);
});

test("removing the NIC moves the NAT uplink, unbridges the switch and empties the distributed switch away", () => {
  let doc = addNic(kinds, withHosts(1), "hv1", { name: "eth1" });
  doc = addNode(kinds, doc, "nat_network", null, { id: "nat1" });
  doc = addNode(kinds, doc, "distributed_switch", null, { id: "dvs1" });
  doc = addNode(kinds, doc, "vswitch", null, { id: "vs1", host: "hv1", props: { bridged_to: "eth0" } });
  doc = removeNic(doc, "hv1", "eth0");
  assert.equal(node(doc, "nat1").uplink, "eth1");
  assert.equal(node(doc, "vs1").bridged_to, undefined);
  assert.equal(node(doc, "dvs1"), undefined);
});

test("deleting a host takes it out of every distributed switch", () => {
  let doc = addNode(kinds, withHosts(2), "distributed_switch", null, { id: "dvs1" });
  doc = removeNodes(doc, ["hv2"]);
  assert.deepEqual(node(doc, "dvs1").members, [{ host: "hv1", underlay: "eth0" }]);
  assert.equal(node(removeNodes(doc, ["hv1"]), "dvs1"), undefined);
});

test("a VM NIC put in NAT mode gives its host an address to go out from, in the same step", async () => {
  const { createCommands, Editor } = await import("../index.js");
  let doc = addNode(kinds, withHosts(1), "vm", { x: 0, y: 0 }, { id: "vm1", host: "hv1" });
  const editor = new Editor({ kinds, doc });
  editor.run("property.set", { path: "nodes[vm1].nics[eth0].mode", value: "nat" });
  assert.equal(node(editor.doc, "hv1").nics[0].ip, "203.0.113.2/24");
  editor.undo();
  assert.equal(node(editor.doc, "hv1").nics[0].ip, undefined);
  assert.equal(node(editor.doc, "vm1").nics[0].mode, undefined);
  // Bridged needs no address of the host's; a host with one keeps it.
  editor.run("property.set", { path: "nodes[vm1].nics[eth0].mode", value: "bridged" });
  assert.equal(node(editor.doc, "hv1").nics[0].ip, undefined);
  editor.run("property.set", { path: "nodes[hv1].nics[eth0].ip", value: "dhcp" });
  editor.run("property.set", { path: "nodes[vm1].nics[eth0].mode", value: "natnetwork" });
  assert.equal(node(editor.doc, "hv1").nics[0].ip, "dhcp");
  assert.equal(typeof createCommands, "function");
});
