// The NIC choice when wiring: ask only when an end has more than one free NIC.
import assert from "node:assert/strict";
import { test } from "node:test";
import { kindsFromSchema } from "../model/index.js";
import { nicQuestion, resolveEnds } from "./nicpick.js";
import { schema } from "./fieldcheck.js";

const kinds = kindsFromSchema(schema);
const doc = {
  version: 1,
  nodes: [
    { id: "h", kind: "host", nics: [{ name: "eth0" }] },
    { id: "vm1", kind: "vm", host: "h", nics: [{ name: "eth0", ip: "10.0.0.5/24" }, { name: "eth1", ip: "dhcp" }, { name: "eth2" }] },
    { id: "vm2", kind: "vm", host: "h", nics: [{ name: "eth0" }] },
    { id: "vm3", kind: "vm", host: "h", nics: [] },
    { id: "sw", kind: "lan_switch" },
  ],
  links: [{ id: "l1", a: { node: "vm1", nic: "eth2" }, b: { node: "sw" } }],
};

test("several free NICs: the choices are the free ones, with their addresses", () => {
  assert.deepEqual(nicQuestion(kinds, doc, "vm1"), [
    { name: "eth0", label: "eth0 (10.0.0.5/24)" },
    { name: "eth1", label: "eth1 (dhcp)" },
  ]);
});

test("one free NIC, none, a switch or an unknown node: no question", () => {
  assert.equal(nicQuestion(kinds, doc, "vm2"), null);
  assert.equal(nicQuestion(kinds, doc, "vm3"), null);
  assert.equal(nicQuestion(kinds, doc, "sw"), null);
  assert.equal(nicQuestion(kinds, doc, "nope"), null);
});

test("once the other NICs are taken, the last free one is not asked about", () => {
  const busy = { ...doc, links: [...doc.links, { id: "l2", a: { node: "vm1", nic: "eth0" }, b: { node: "sw" } }] };
  assert.equal(nicQuestion(kinds, busy, "vm1"), null);
});

test("resolveEnds asks only for the end that has a choice and uses the answer", async () => {
  const asked = [];
  const ends = await resolveEnds(kinds, doc, "vm1", "sw", async (id, choices) => {
    asked.push([id, choices.map((c) => c.name)]);
    return "eth1";
  });
  assert.deepEqual(asked, [["vm1", ["eth0", "eth1"]]]);
  assert.deepEqual(ends, { a: { node: "vm1", nic: "eth1" }, b: { node: "sw" } });
});

test("resolveEnds with no question leaves the NIC to the model", async () => {
  const ends = await resolveEnds(kinds, doc, "vm2", "sw", () => assert.fail("must not ask"));
  assert.deepEqual(ends, { a: { node: "vm2" }, b: { node: "sw" } });
});

test("a cancelled question (Escape) gives null: nothing is connected", async () => {
  assert.equal(await resolveEnds(kinds, doc, "sw", "vm1", async () => null), null);
});
