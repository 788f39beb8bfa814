// Run with `npm test` (node --test). The document -> elements mapping, as a table of cases.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { COSE_MAX_NODES, NAT_PARTS, documentToElements, dswitchSpans, endLabel, hasPositions, layoutFor, nodeLabel } from "./elements.js";

const example = JSON.parse(readFileSync(new URL("../../../examples/internal-switch.json", import.meta.url)));

test("VMs and the virtual switch are drawn inside their host", () => {
  const nodes = documentToElements(example).filter((e) => e.group === "nodes" && !e.data.part);
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

const dswitch = JSON.parse(readFileSync(new URL("../../../examples/distributed-switch.json", import.meta.url)));

test("a distributed switch gets one dashed span per member host, labelled with VNI and underlay", () => {
  const spans = documentToElements(dswitch).filter((e) => e.classes === "dswitch-span");
  assert.deepEqual(
    spans.map((e) => [e.data.id, e.data.source, e.data.target, e.data.label, e.selectable]),
    [
      ["span:dvs:hvA", "dvs", "hvA", "VNI 100 via underlay", false],
      ["span:dvs:hvB", "dvs", "hvB", "VNI 100 via underlay", false],
    ],
  );
});

test("spans skip members that are not hosts of the design, and duplicates", () => {
  const doc = {
    nodes: [
      { id: "h1", kind: "host" }, { id: "vm", kind: "vm", host: "h1" },
      { id: "d", kind: "distributed_switch", vni: 7, members: [{ host: "h1", underlay: "eth0" }, { host: "h1", underlay: "eth1" }, { host: "vm", underlay: "eth0" }, { host: "gone" }] },
    ],
  };
  assert.deepEqual(dswitchSpans(doc).map((s) => s.target), ["h1"]);
});

test("link ends show the NIC and its address", () => {
  const edges = documentToElements(dswitch).filter((e) => e.group === "edges" && !e.data.part);
  const underlay = edges.find((e) => e.data.id === "l_underlay");
  assert.equal(underlay.data.sourceText, "underlay 172.16.0.1/24");
  assert.equal(underlay.data.targetText, "underlay 172.16.0.2/24");
  assert.equal(edges.find((e) => e.data.id === "l_vmA").data.sourceText, "eth0 dhcp");
  assert.equal(endLabel({ nics: [{ name: "eth0" }] }, "eth0"), "eth0");
  assert.equal(endLabel({ kind: "lan_switch" }, undefined), "");
});

test("an expanded NAT network shows its switch, DHCP server and router inside it (view only)", () => {
  const nat = JSON.parse(readFileSync(new URL("../../../examples/nat-dhcp.json", import.meta.url)));
  const collapsed = documentToElements(nat);
  assert.equal(collapsed.filter((e) => e.data.part).length, 0);
  const open = documentToElements(nat, { expanded: new Set(["natnet"]) });
  const parts = open.filter((e) => e.data.part);
  assert.deepEqual(parts.filter((e) => e.group === "nodes").map((e) => [e.data.id, e.data.parent]), [
    ["part:natnet:switch", "natnet"], ["part:natnet:dhcp", "natnet"], ["part:natnet:router", "natnet"],
  ]);
  assert.deepEqual(parts.filter((e) => e.group === "edges").map((e) => [e.data.source, e.data.target]), [
    ["part:natnet:dhcp", "part:natnet:switch"], ["part:natnet:router", "part:natnet:switch"],
  ]);
  const node = nat.nodes.find((n) => n.id === "natnet");
  const sw = parts.find((e) => e.data.id === "part:natnet:switch");
  assert.deepEqual(sw.position, { x: node.position.x + NAT_PARTS[0].dx, y: node.position.y + NAT_PARTS[0].dy });
  assert.match(parts.find((e) => e.data.id === "part:natnet:router").data.label, new RegExp(node.gateway.replace(/[./]/g, "\\$&")));
  // The document's own elements are the same, the NAT network flagged as expanded.
  const own = (els) => els.filter((e) => !e.data.part).map((e) => e.data.id);
  assert.deepEqual(own(open), own(collapsed));
  assert.equal(open.find((e) => e.data.id === "natnet").classes, "nat_network expanded");
});

test("a host shows its platform, type, CPU and RAM; a type 2 host its OS under the hypervisor", () => {
  const els = documentToElements(example);
  const hv = els.find((e) => e.data.id === "hv");
  assert.equal(hv.data.label.split("\n")[1], "Oracle VirtualBox · type 2 · 8 CPU · 16384 MB RAM");
  const os = els.find((e) => e.data.id === "hostos:hv");
  assert.equal(os.data.parent, "hv");
  assert.equal(os.data.part, true);
  assert.equal(os.data.label, "Host OS (Linux) keeps 2048 MB of 16384 MB RAM");
  // Under the lowest guest, centred under them.
  const guests = example.nodes.filter((n) => n.host === "hv").map((n) => n.position);
  assert.ok(os.position.y > Math.max(...guests.map((g) => g.y)));
  // A type 1 host has no host OS to draw.
  const type1 = { ...example, nodes: example.nodes.map((n) => (n.id === "hv" ? { ...n, hypervisor_type: 1 } : n)) };
  assert.equal(documentToElements(type1).some((e) => e.data.id === "hostos:hv"), false);
  // Alone, the bar sits where the host is (its box is drawn around the bar: no drift on drag).
  const alone = { version: 1, nodes: [{ id: "h", kind: "host", hypervisor_type: 2, position: { x: 10, y: 20 } }] };
  assert.deepEqual(documentToElements(alone).find((e) => e.data.id === "hostos:h").position, { x: 10, y: 20 });
});

test("a VirtualBox NIC's mode is on the drawing, as VirtualBox names it", () => {
  assert.equal(nodeLabel({ id: "vm1", nics: [{ name: "eth0", mode: "nat", ip: "dhcp" }] }), "vm1\nNAT dhcp");
  assert.equal(nodeLabel({ id: "vm1", nics: [{ name: "eth0", mode: "bridged" }, { name: "eth1", ip: "10.0.0.5/24" }] }), "vm1\nBridged Adapter\n10.0.0.5/24");
  // And at a link's end, when such a NIC is cabled too.
  assert.equal(endLabel({ nics: [{ name: "eth0", mode: "bridged", ip: "dhcp" }] }, "eth0"), "eth0 Bridged Adapter dhcp");
  assert.equal(endLabel({ nics: [{ name: "eth0", ip: "10.0.0.5/24" }] }, "eth0"), "eth0 10.0.0.5/24");
});
