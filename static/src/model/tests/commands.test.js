import { test } from "node:test";
import assert from "node:assert/strict";
import { apply } from "../diff.js";
import { createCommands } from "../commands.js";
import { copySelection } from "../clipboard.js";
import { example, kinds, problems } from "./helpers.js";

const base = example("internal-switch");
const commands = createCommands(kinds);

// name, args, what the document must show afterwards
const table = [
  ["node.add", { kind: "container", at: { x: 5, y: 5 }, props: { image: "nginx:1.27" } }, (d) => d.nodes.at(-1).id === "ct1" && d.nodes.at(-1).host === "hv"],
  ["design.keep", { node: { id: "hv-c1", kind: "container", name: "c1", host: "hv", image: "images:alpine/3.20", nics: [{ name: "eth0" }], position: { x: 1, y: 2 } }, links: [] },
    (d) => d.nodes.at(-1).id === "hv-c1" && d.links.length === 3],
  ["design.keep", { node: { id: "vm9", kind: "vm", host: "hv", nics: [{ name: "eth0", ip: "10.0.0.9/24" }], position: { x: 1, y: 2 } },
    links: [{ id: "l1", a: { node: "vm9", nic: "eth0" }, b: { node: "intnet" } }, { id: "l8", a: { node: "vm9", nic: "eth0" }, b: { node: "ghost" } }] },
    (d) => d.nodes.at(-1).id === "vm9" && d.links.length === 4 && d.links.at(-1).id === "l4" && d.links.at(-1).b.node === "intnet"],
  ["nodes.move", { ids: ["vm1", "vm2"], dx: 15, dy: 0 }, (d) => d.nodes[2].position.x === 195 && d.nodes[3].position.x === 315],
  ["nodes.arrange", { positions: { hv: { x: 0, y: 0 } } }, (d) => d.nodes[0].position.x === 0],
  ["selection.delete", { nodes: ["hv"] }, (d) => d.nodes.length === 0 && d.script.length === 0],
  ["selection.delete", { links: ["l3"], nodes: ["vm1"] }, (d) => d.links.length === 1 && d.nodes.length === 4],
  ["link.connect", { a: { node: "vm2" }, b: { node: "vm3" } }, (d) => d.links.at(-1).a.nic === "eth1"],
  ["link.disconnect", { ids: ["l1"] }, (d) => d.links.length === 2],
  ["property.set", { path: "nodes[vm1].nics[eth0].ip", value: "dhcp" }, (d) => d.nodes[2].nics[0].ip === "dhcp"],
  ["property.set", { path: "nodes[vm1].nics[eth0].name", value: "enp0s3" }, (d) => d.links[0].a.nic === "enp0s3"],
  ["property.set", { path: "description", value: null }, (d) => !("description" in d)],
  ["nic.add", { node: "vm3", ip: "10.0.0.3/24" }, (d) => d.nodes[4].nics[1].ip === "10.0.0.3/24"],
  ["nic.remove", { node: "vm3", nic: "eth0" }, (d) => d.links.length === 2 && d.captures.length === 2],
  ["node.place", { node: "intnet", host: null }, (d) => !("host" in d.nodes[1])],
  ["capture.add", { capture: { link: "l2" } }, (d) => d.captures.length === 4 && d.captures[3].link === "l2"],
  ["capture.remove", { capture: { node: "vm2", nic: "eth0" } }, (d) => d.captures.length === 2],
  ["script.add", { step: { at: 0.5, node: "vm3", command: "ip addr" } }, (d) => d.script[0].node === "vm3" && d.script.length === 2],
  ["script.remove", { index: 0 }, (d) => d.script.length === 0],
  ["clipboard.paste", { payload: copySelection(base, ["vm1", "intnet"]) }, (d) => d.nodes.length === 7 && d.links.length === 4],
  ["selection.duplicate", { nodes: ["hv"] }, (d) => d.nodes.length === 10 && d.links.length === 6],
];

for (const [name, args, check] of table) {
  test(`${name} ${JSON.stringify(args).slice(0, 60)}: performs, and its inverse restores`, () => {
    const done = commands.perform(name, base, args);
    assert.ok(done, "the command changed something");
    assert.ok(check(done.doc), "the change is the one asked for");
    assert.deepEqual(problems(done.doc), []);
    assert.deepEqual(apply(base, done.ops), done.doc, "the operations replay the change");
    assert.deepEqual(apply(done.doc, done.inverse), base, "the inverse restores the start exactly");
    assert.deepEqual(JSON.parse(JSON.stringify(done.ops)), done.ops, "operations are plain JSON");
  });
}

const unchanged = [
  ["design.keep", { node: { id: "vm1", kind: "vm" }, links: [] }],
  ["nodes.move", { ids: ["vm1"], dx: 0, dy: 0 }],
  ["selection.delete", { nodes: ["ghost"] }],
  ["link.disconnect", { ids: ["ghost"] }],
  ["property.set", { path: "nodes[vm1].ram_mb", value: 1024 }],
  ["node.place", { node: "intnet", host: "hv" }],
  ["capture.add", { capture: { node: "vm1", nic: "eth0" } }],
  ["capture.remove", { capture: { link: "l9" } }],
];
for (const [name, args] of unchanged) {
  test(`${name} that changes nothing returns null (nothing to record)`, () => {
    assert.equal(commands.perform(name, base, args), null);
  });
}

test("created ids come back for selection", () => {
  assert.deepEqual(commands.perform("node.add", base, { kind: "vm", at: { x: 0, y: 0 } }).result, { ids: ["vm4"] });
  assert.deepEqual(commands.perform("link.connect", base, { a: { node: "vm1", nic: "eth1" }, b: { node: "intnet" } }).result, { ids: ["l4"] });
});

test("every command has a name, a label and a perform; the keyboard shortcut where it has one", () => {
  const listed = commands.list().map((c) => [c.name, c.label, c.key ?? null]);
  assert.deepEqual(listed, [
    ["node.add", "Add", null],
    ["design.keep", "Keep in design", null],
    ["nodes.move", "Move", null],
    ["nodes.arrange", "Arrange", null],
    ["selection.delete", "Delete", ["Delete", "Backspace"]],
    ["link.connect", "Connect", null],
    ["link.disconnect", "Disconnect", null],
    ["property.set", "Change", null],
    ["nic.add", "Add NIC", null],
    ["nic.remove", "Remove NIC", null],
    ["node.place", "Place on host", null],
    ["capture.add", "Capture", null],
    ["capture.remove", "Stop capturing", null],
    ["script.add", "Add script step", null],
    ["script.remove", "Remove script step", null],
    ["clipboard.paste", "Paste", ["Mod+V"]],
    ["selection.duplicate", "Duplicate", ["Mod+D"]],
  ]);
  assert.throws(() => commands.get("nope"), { message: "unknown command 'nope'" });
  assert.throws(() => commands.register({ name: "node.add" }), { message: "command 'node.add' is already registered" });
});

test("adding a VM is disabled until a host exists", () => {
  const empty = { version: 1, nodes: [] };
  assert.equal(commands.get("node.add").enabled(empty, { kind: "vm" }), false);
  assert.equal(commands.get("node.add").enabled(empty, { kind: "host" }), true);
  assert.equal(commands.get("node.add").enabled(base, { kind: "vm" }), true);
});

const lessonRefused = [
  ["capture.add", { capture: { node: "vm1", nic: "eth7" } }, "node 'vm1' has no NIC 'eth7'"],
  ["capture.add", { capture: { link: "l1", node: "vm1", nic: "eth0" } }, "a capture names a link, or a node and one of its NICs, never both"],
  ["capture.add", { capture: { link: "l9" } }, "unknown link 'l9'"],
  ["script.add", { step: { at: 1, node: "ghost", command: "ls" } }, "unknown node 'ghost'"],
  ["script.add", { step: { at: -1, node: "vm1", command: "ls" } }, "not a time in seconds: '-1'"],
  ["script.add", { step: { at: 1, node: "vm1", command: " " } }, "a script step needs a command"],
  ["script.remove", { index: 3 }, "no script step 3"],
];
for (const [name, args, message] of lessonRefused) {
  test(`${name} refuses: ${message}`, () => {
    assert.throws(() => commands.perform(name, base, args), { message });
  });
}

test("a replica fed only the operations stays equal to the editor that made them", () => {
  let local = base;
  let replica = structuredClone(base);
  const steps = [
    ["node.add", { kind: "vm", at: { x: 1, y: 1 } }],
    ["link.connect", { a: { node: "vm4" }, b: { node: "intnet" } }],
    ["capture.add", { capture: { node: "vm4", nic: "eth0" } }],
    ["selection.duplicate", { nodes: ["vm4"] }],
    ["property.set", { path: "nodes[vm5].nics[eth0].ip", value: "dhcp" }],
    ["selection.delete", { nodes: ["vm1"] }],
  ];
  for (const [name, args] of steps) {
    const done = commands.perform(name, local, args);
    local = done.doc;
    replica = apply(replica, JSON.parse(JSON.stringify(done.ops)));
  }
  assert.deepEqual(replica, local);
  assert.deepEqual(problems(local), []);
});
