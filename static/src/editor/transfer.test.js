import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fieldErrors } from "./fieldcheck.js";
import { checkImport } from "./transfer.js";
import { problemTargets } from "./problems.js";

const example = readFileSync(new URL("../../../examples/internal-switch.json", import.meta.url), "utf8");

test("a valid example imports with no error", () => {
  const read = checkImport(example);
  assert.deepEqual(read.errors, []);
  assert.equal(read.document.name, "Internal switch");
});

const cases = [
  ["not JSON", "{nope", /^not JSON: /],
  ["a wrong MAC", JSON.stringify({ version: 1, name: "x", nodes: [{ id: "h", kind: "host" }, { id: "v", kind: "vm", host: "h", nics: [{ name: "eth0", mac: "zz" }] }], links: [] }),
    /^\/nodes\/1\/nics\/0\/mac: MAC address: Six hexadecimal byte pairs separated by colons/],
  ["no nodes", JSON.stringify({ version: 1, name: "x" }), /^\/: Design document must have required property 'nodes'$/],
  ["a duplicate id", JSON.stringify({ version: 1, name: "x", nodes: [{ id: "s", kind: "lan_switch" }, { id: "s", kind: "lan_switch" }], links: [] }),
    /^id 's' is used twice$/],
];
for (const [what, text, first] of cases) {
  test(`an import with ${what} is refused with its reason`, () => {
    const read = checkImport(text);
    assert.equal(read.document, null);
    assert.match(read.errors[0], first);
  });
}

test("field errors are only those at the field's pointer", () => {
  const doc = JSON.parse(example);
  const vm = doc.nodes.findIndex((n) => n.kind === "vm");
  doc.nodes[vm].nics[0].ip = "10.0.0.1/33";
  assert.deepEqual(fieldErrors(doc, `/nodes/${vm}/nics/0/mac`), []);
  assert.match(fieldErrors(doc, `/nodes/${vm}/nics/0/ip`)[0], /^NIC address: A static IPv4 address/);
});

test("a problem selects its objects, else the node or link of its path", () => {
  const doc = { nodes: [{ id: "a" }, { id: "b" }], links: [{ id: "l1" }] };
  assert.deepEqual(problemTargets({ objects: ["b", "zz"], path: "nodes[0]" }, doc), ["b"]);
  assert.deepEqual(problemTargets({ path: "nodes[1].nics[0]" }, doc), ["b"]);
  assert.deepEqual(problemTargets({ path: "links[0].a" }, doc), ["l1"]);
  assert.deepEqual(problemTargets({ path: "" }, doc), []);
});
