import { test } from "node:test";
import assert from "node:assert/strict";
import { formatPath, getProperty, parsePath, setProperty, stablePath } from "../document.js";
import { example, kinds, problems } from "./helpers.js";

const base = example("internal-switch");

const paths = [
  ["nodes[2].nics[0].mac", ["nodes", 2, "nics", 0, "mac"]],
  ["nodes[vm1].nics[eth0].ip", ["nodes", { id: "vm1" }, "nics", { id: "eth0" }, "ip"]],
  ['nodes[0]["odd key"]', ["nodes", 0, "odd key"]],
  ["name", ["name"]],
];
for (const [text, elements] of paths) {
  test(`path ${text} parses and formats back`, () => {
    assert.deepEqual(parsePath(text), elements);
    assert.equal(formatPath(elements), text);
  });
}

for (const bad of ["", "nodes[", "nodes..x", "[0]x"]) {
  test(`path ${JSON.stringify(bad)} is refused`, () => {
    assert.throws(() => parsePath(bad), { message: `not a document path: '${bad}'` });
  });
}

test("stablePath names nodes, links and NICs by id", () => {
  assert.equal(stablePath(base, "nodes[2].nics[0].mac"), "nodes[vm1].nics[eth0].mac");
  assert.equal(stablePath(base, "links[1].delay_us"), "links[l2].delay_us");
  assert.equal(stablePath(base, "captures[0].nic"), "captures[0].nic");
  assert.throws(() => stablePath(base, "nodes[9].name"), { message: "no 'nodes[9]' in the document" });
});

const sets = [
  // path, value, where to read it back (by id), expected
  ["nodes[2].nics[0].mac", "08:00:27:aa:bb:cc", "nodes[vm1].nics[eth0].mac", "08:00:27:aa:bb:cc"],
  ["nodes[vm2].name", "web", "nodes[2].name", undefined],
  ["nodes[vm2].name", "web", "nodes[3].name", "web"],
  ["nodes[vm3].ram_mb", null, "nodes[vm3].ram_mb", undefined],
  ["nodes[hv].position.x", 5, "nodes[hv].position", { x: 5, y: 200 }],
  ["nodes[vm1].services", [{ kind: "http" }], "nodes[vm1].services[0].kind", "http"],
  ["links[l1].delay_us", 9, "links[0].delay_us", 9],
  ["name", "Renamed", "name", "Renamed"],
  ["script[0].at", 2.5, "script[0].at", 2.5],
];
for (const [path, value, readAt, expected] of sets) {
  test(`setProperty ${path} = ${JSON.stringify(value)}`, () => {
    const doc = setProperty(kinds, base, path, value);
    assert.deepEqual(getProperty(doc, readAt), expected);
    assert.deepEqual(problems(doc), []);
  });
}

test("setting the value already there is no change", () => {
  assert.equal(setProperty(kinds, base, "nodes[vm1].ram_mb", 1024), base);
  assert.equal(setProperty(kinds, base, "nodes[vm1].notes", null), base);
});

test("a NIC's name goes through renameNic; a node's host through placeOn", () => {
  const doc = setProperty(kinds, base, "nodes[2].nics[0].name", "enp0s3");
  assert.deepEqual(doc.links[0].a, { node: "vm1", nic: "enp0s3" });
  assert.throws(() => setProperty(kinds, base, "nodes[vm1].host", "intnet"), {
    message: "'intnet' is a virtual switch: a virtual machine can only be placed on a host",
  });
});

const refused = [
  ["nodes[vm1].id", "x", "'nodes[vm1].id': ids and kinds are stable (change the name instead)"],
  ["nodes[vm1].kind", "container", "'nodes[vm1].kind': ids and kinds are stable (change the name instead)"],
  ["links[l1].a", { node: "vm2" }, "'links[l1].a': link ends change by connect and disconnect"],
  ["nodes[3]", {}, "'nodes[3]' is not a property: use the node and link commands"],
  ["version", 2, "'version' is not a property: use the node and link commands"],
  ["nodes[ghost].name", "x", "no 'nodes[ghost]' in the document"],
  ["nodes[vm1].nics[7].ip", "dhcp", "no element '[7]' in 'nics'"],
];
for (const [path, value, message] of refused) {
  test(`setProperty refuses ${path}`, () => {
    assert.throws(() => setProperty(kinds, base, path, value), { message });
  });
}
