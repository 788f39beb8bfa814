// Run with `npm test` (node --test). The document -> elements mapping, as a table of cases.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { COSE_MAX_NODES, documentToElements, hasPositions, layoutFor, nodeLabel } from "./elements.js";

const example = JSON.parse(readFileSync(new URL("../../../examples/internal-switch.json", import.meta.url)));

test("VMs and the virtual switch are drawn inside their host", () => {
  const nodes = documentToElements(example).filter((e) => e.group === "nodes");
  const parents = Object.fromEntries(nodes.map((n) => [n.data.id, n.data.parent ?? null]));
  assert.deepEqual(parents, { hv: null, intnet: "hv", vm1: "hv", vm2: "hv", vm3: "hv" });
});

test("a NAT network is drawn inside the host it lives on, like the VMs on it", () => {
  const nat = JSON.parse(readFileSync(new URL("../../../examples/nat-dhcp.json", import.meta.url)));
  const nodes = documentToElements(nat).filter((e) => e.group === "nodes");
  const parents = Object.fromEntries(nodes.map((n) => [n.data.id, n.data.parent ?? null]));
  assert.deepEqual(parents, { hv: null, natnet: "hv", vm: "hv", out: null });
});

test("links become edges labelled with the NIC at each end", () => {
  const edges = documentToElements(example).filter((e) => e.group === "edges");
  assert.deepEqual(
    edges.map((e) => [e.data.id, e.data.source, e.data.target, e.data.sourceLabel, e.data.targetLabel]),
    [
      ["l1", "vm1", "intnet", "eth0", ""],
      ["l2", "vm2", "intnet", "eth0", ""],
      ["l3", "vm3", "intnet", "eth0", ""],
    ],
  );
});

const labelCases = [
  [{ id: "vm1" }, "vm1"],
  [{ id: "vm1", name: "Web server" }, "Web server"],
  [{ id: "vm1", name: "  " }, "vm1"],
  [{ id: "pc", nics: [{ name: "eth0", ip: "10.0.0.2/24" }, { name: "eth1" }] }, "pc\n10.0.0.2/24"],
];
for (const [node, expected] of labelCases) {
  test(`label of ${JSON.stringify(node)}`, () => assert.equal(nodeLabel(node), expected));
}

const skipCases = [
  ["a link to an unknown node", { nodes: [{ id: "a", kind: "internet" }], links: [{ id: "l", a: { node: "a" }, b: { node: "zz" } }] }, 1],
  ["a node without an id", { nodes: [{ kind: "vm" }, { id: "b", kind: "internet" }], links: [] }, 1],
  ["a VM whose host is not a host", { nodes: [{ id: "s", kind: "lan_switch" }, { id: "v", kind: "vm", host: "s" }] }, 2],
];
for (const [name, doc, count] of skipCases) {
  test(`tolerates ${name}`, () => {
    const elements = documentToElements(doc);
    assert.equal(elements.length, count);
    assert.ok(elements.every((e) => e.data.parent === undefined));
  });
}

test("positions: a host with children needs none, a lone node does", () => {
  assert.equal(hasPositions(example), true);
  assert.equal(hasPositions({ nodes: [{ id: "a", kind: "internet" }] }), false);
});

const layoutCases = [
  ["its own positions", example, "preset"],
  ["a small design without positions", { nodes: [{ id: "a", kind: "internet" }] }, "cose"],
  ["a huge design without positions", { nodes: Array.from({ length: COSE_MAX_NODES + 1 }, (_, i) => ({ id: `n${i}`, kind: "vm" })) }, "grid"],
];
for (const [name, doc, expected] of layoutCases) {
  test(`layout for ${name} is ${expected}`, () => assert.equal(layoutFor(doc).name, expected));
}
