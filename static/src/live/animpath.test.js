import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { documentToElements } from "../editor/elements.js";
import { EventPlanner } from "./animpath.js";

const example = (name) => JSON.parse(readFileSync(new URL(`../../../examples/${name}.json`, import.meta.url), "utf8"));

/** The `graph` interface over the elements the canvas draws for a document (what cy holds). */
function graphOf(doc) {
  const elements = documentToElements(doc);
  const nodes = new Map(elements.filter((e) => e.group === "nodes").map((e) => [e.data.id, e.data]));
  const edges = new Map(elements.filter((e) => e.group === "edges").map((e) => [e.data.id, e.data]));
  return {
    hasEdge: (id) => edges.has(id),
    edgeEnds: (id) => ({ source: edges.get(id).source, target: edges.get(id).target }),
    hasNode: (id) => nodes.has(id),
    parentOf: (id) => nodes.get(id)?.parent ?? null,
    edgeAt: (node, nic) => [...edges.values()].find((e) => (e.source === node && e.sourceLabel === nic) || (e.target === node && e.targetLabel === nic))?.id ?? null,
  };
}

const sent = (fields) => ({ kind: "frame.sent", arrives: fields.t + 50_000, ...fields });

test("a frame.sent is a dot on its link, from the sender to the receiver, coloured by protocol", () => {
  const planner = new EventPlanner(graphOf(example("nat-dhcp")));
  const [out] = planner.plan(sent({ t: 1e9, node: "vm", nic: "eth0", link: "l_vm", to_node: "natnet", summary: "DHCP Discover - Transaction ID 0x1" }));
  assert.deepEqual(out, { kind: "dot", edge: "l_vm", from: "vm", to: "natnet", protocol: "DHCP", label: "DHCP DISCOVER", fanout: false, t: 1e9, simNs: 50_000 });
  // The other way on the same link (the edge is drawn vm -> natnet).
  const [back] = planner.plan(sent({ t: 2e9, node: "natnet", port: 2, link: "l_vm", to_node: "vm", summary: "Who has 10.0.2.15? Tell 10.0.2.2" }));
  assert.equal(back.from, "natnet");
  assert.equal(back.to, "vm");
  assert.equal(back.protocol, "ARP");
  const [ping] = planner.plan(sent({ t: 3e9, node: "out", nic: "eth0", link: "l_up", to_node: "hv", summary: "Echo (ping) reply id=0x1, seq=1/256, ttl=64" }));
  assert.deepEqual([ping.edge, ping.from, ping.to, ping.protocol], ["l_up", "out", "hv", "ICMP"]);
});

test("without a link id, node + NIC name finds the drawn link", () => {
  const planner = new EventPlanner(graphOf(example("nat-dhcp")));
  const [out] = planner.plan(sent({ t: 1, node: "hv", nic: "uplink", to_node: "out", summary: "Who has 203.0.113.10? Tell 203.0.113.2" }));
  assert.deepEqual([out.edge, out.from, out.to], ["l_up", "hv", "out"]);
});

test("a frame on a link the canvas does not draw pulses the inner node (NAT network inside its host)", () => {
  const planner = new EventPlanner(graphOf(example("nat-dhcp")));
  const up = planner.plan(sent({ t: 1, node: "natnet", port: 1, link: "natnet-bridge", to_node: "hv", arrives: 1, summary: "DHCP Discover - x" }));
  const down = planner.plan(sent({ t: 2, node: "hv", nic: "natnet", link: "natnet-bridge", to_node: "natnet", arrives: 2, summary: "DHCP Offer - x" }));
  assert.deepEqual(up, [{ kind: "pulse", node: "natnet", protocol: "DHCP", t: 1, why: "inside" }]);
  assert.deepEqual(down.map((p) => [p.kind, p.node]), [["pulse", "natnet"]]);
});

test("an undrawn link between two drawn nodes apart is travelled straight between them", () => {
  const doc = { version: 1, nodes: [{ id: "a", kind: "vm" }, { id: "b", kind: "vm" }], links: [] };
  const [out] = new EventPlanner(graphOf(doc)).plan(sent({ t: 1, node: "a", nic: "eth0", link: "hidden", to_node: "b", summary: "x" }));
  assert.deepEqual([out.kind, out.edge, out.from, out.to, out.protocol], ["dot", null, "a", "b", "Other"]);
  // Ends not drawn at all: nothing.
  assert.deepEqual(new EventPlanner(graphOf(doc)).plan(sent({ t: 1, node: "zz", link: "hidden", to_node: "yy" })), []);
});

test("a broadcast flooded by a switch: the switch pulses and every port's dot is a fan-out", () => {
  const planner = new EventPlanner(graphOf(example("bridged")));
  const summary = "Who has 198.51.100.20? Tell 198.51.100.100";
  const flood = planner.plan({ kind: "switch.flooded", t: 8000100000, node: "lan", port: 3, out_ports: [1, 2], link: "l_hv", mac: "ff:ff:ff:ff:ff:ff", why: "broadcast", summary });
  assert.deepEqual(flood, [{ kind: "pulse", node: "lan", protocol: "ARP", t: 8000100000, why: "flood" }]);
  const a = planner.plan(sent({ t: 8000100000, node: "lan", port: 1, link: "l_dhcp", to_node: "dhcpsrv", summary }));
  const b = planner.plan(sent({ t: 8000100000, node: "lan", port: 2, link: "l_host2", to_node: "host2", summary }));
  assert.deepEqual([a[0].fanout, a[0].from, a[0].to], [true, "lan", "dhcpsrv"]);
  assert.deepEqual([b[0].fanout, b[0].from, b[0].to], [true, "lan", "host2"]);
  // A third frame from the switch (the flood had two ports) or a later one is not part of it.
  const c = planner.plan(sent({ t: 8000100000, node: "lan", port: 3, link: "l_hv", to_node: "hv", summary }));
  assert.equal(c[0].fanout, false);
  const [fwd] = planner.plan(sent({ t: 9e9, node: "lan", port: 2, link: "l_host2", to_node: "host2", summary: "Echo (ping) request id=0x1, seq=1/256, ttl=64" }));
  assert.equal(fwd.fanout, false);
});

test("the underlay frame of a VXLAN tunnel is coloured VXLAN, the host's own ARP is not", () => {
  const planner = new EventPlanner(graphOf(example("distributed-switch")));
  const inner = "DHCP Discover - Transaction ID 0x67a9c378";
  assert.deepEqual(planner.plan({ kind: "vxlan.encapsulated", t: 1000050000, node: "dvs", host: "hvA", vni: 100, summary: inner }), []);
  const [arp] = planner.plan(sent({ t: 1000050000, node: "hvA", nic: "underlay", link: "l_underlay", to_node: "hvB", summary: "Who has 172.16.0.2? Tell 172.16.0.1" }));
  assert.equal(arp.protocol, "ARP");
  // The tunnelled frame leaves later (it waited for that ARP): still VXLAN, and only once.
  const [tunnel] = planner.plan(sent({ t: 1000150000, node: "hvA", nic: "underlay", link: "l_underlay", to_node: "hvB", summary: inner }));
  assert.deepEqual([tunnel.protocol, tunnel.from, tunnel.to, tunnel.label], ["VXLAN", "hvA", "hvB", "VXLAN: DHCP DISCOVER"]);
  const [again] = planner.plan(sent({ t: 1000250000, node: "hvA", nic: "underlay", link: "l_underlay", to_node: "hvB", summary: inner }));
  assert.equal(again.protocol, "DHCP");
  // reset() forgets pending tunnels and floods (a seek).
  planner.plan({ kind: "vxlan.encapsulated", t: 1, node: "dvs", host: "hvA", summary: inner });
  planner.reset();
  assert.equal(planner.plan(sent({ t: 2, node: "hvA", nic: "underlay", link: "l_underlay", to_node: "hvB", summary: inner }))[0].protocol, "DHCP");
});

test("events that are not a frame on a wire draw nothing; a frame lost for want of a cable pulses", () => {
  const planner = new EventPlanner(graphOf(example("internal-switch")));
  for (const event of [
    { kind: "frame.received", node: "vm2", nic: "eth0", link: "l2", summary: "Who has x? Tell y" },
    { kind: "switch.learned", node: "intnet", port: 1, link: "l1", mac: "08:00:27:00:56:11" },
    { kind: "switch.forwarded", node: "intnet", port: 2, out_port: 1, link: "l2", summary: "x" },
    { kind: "console.output", node: "vm1", line: "PING" },
    { kind: "packet.dropped", node: "vm2", nic: "eth0", reason: "arp.not_for_us" },
    null, "junk", {},
  ]) assert.deepEqual(planner.plan(event), [], JSON.stringify(event));
  assert.deepEqual(planner.plan({ kind: "packet.dropped", t: 5, node: "vm3", nic: "eth0", reason: "nic.no_link", summary: "Who has 1.2.3.4? Tell 1.2.3.5" }),
    [{ kind: "pulse", node: "vm3", protocol: "ARP", t: 5, why: "lost" }]);
});
