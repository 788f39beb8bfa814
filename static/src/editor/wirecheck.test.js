import assert from "node:assert/strict";
import { test } from "node:test";
import { outsideHostWarning } from "./wirecheck.js";

const before = {
  version: 1,
  nodes: [
    { id: "host1", kind: "host", nics: [{ name: "eth0" }] },
    { id: "vm1", kind: "vm", host: "host1", nics: [{ name: "eth0" }] },
    { id: "nat1", kind: "nat_network", host: "host1" },
    { id: "inet", kind: "internet", name: "Internet", nics: [{ name: "eth0" }] },
    { id: "dvs", kind: "distributed_switch", members: [{ host: "host1", underlay: "eth0" }] },
  ],
  links: [],
};
const wired = (a, b, nics = {}) => {
  const doc = structuredClone(before);
  for (const [id, nic] of Object.entries(nics)) doc.nodes.find((n) => n.id === id).nics.push({ name: nic });
  return doc;
};

test("a VM wired to the Internet is warned about, naming the NIC the wire added", () => {
  const doc = wired("vm1", "inet", { vm1: "eth1" });
  const said = outsideHostWarning(before, doc, { a: { node: "vm1", nic: "eth1" }, b: { node: "inet", nic: "eth0" } });
  assert.match(said, /^vm1 is wired to Internet, outside its host host1 \(the wire gave vm1 a new NIC, eth1\)\./);
  assert.match(said, /drag from the handle/);
  // Either way round.
  assert.match(outsideHostWarning(before, before, { a: { node: "inet", nic: "eth0" }, b: { node: "vm1", nic: "eth0" } }), /^vm1 is wired to Internet, outside its host host1\. /);
});

test("wires inside the host, to the host or to a switch spanning it say nothing", () => {
  assert.equal(outsideHostWarning(before, before, { a: { node: "vm1", nic: "eth0" }, b: { node: "nat1" } }), null);
  assert.equal(outsideHostWarning(before, before, { a: { node: "vm1", nic: "eth0" }, b: { node: "dvs" } }), null);
  assert.equal(outsideHostWarning(before, before, { a: { node: "host1", nic: "eth0" }, b: { node: "inet", nic: "eth0" } }), null);
});

test("the canvas marks each object with the worst severity of the problems about it", async () => {
  const { worstByTarget } = await import("./problems.js");
  const found = [
    { severity: "info", targets: ["hv", "vm1"] },
    { severity: "warning", targets: ["hv"] },
    { severity: "error", targets: ["vm2"] },
    { severity: "info", targets: ["vm2"] },
  ];
  assert.deepEqual(worstByTarget(found), { hv: "warning", vm1: "info", vm2: "error" });
});
