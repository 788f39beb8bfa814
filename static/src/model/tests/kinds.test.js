import { test } from "node:test";
import assert from "node:assert/strict";
import { kindsFromSchema, kindOf } from "../kinds.js";
import { kinds, schema } from "./helpers.js";

test("the palette lists the schema's kinds in the schema's order", () => {
  assert.deepEqual(kinds.map((k) => k.kind), schema.$defs.node.properties.kind.enum);
  const known = ["host", "vm", "container", "vswitch", "lan_switch", "outside_host", "internet", "dhcp_server", "nat_network", "distributed_switch"];
  assert.deepEqual(kinds.map((k) => k.kind).filter((k) => known.includes(k)), known);
});

const rows = [
  // kind, title, hasNics, isSwitch, placedOn, placementRequired, prefix (schema.json's x-id-prefix)
  ["host", "Physical host", true, false, [], false, "host"],
  ["vm", "Virtual machine", true, false, ["host"], true, "vm"],
  ["container", "Container", true, false, ["host"], true, "ct"],
  ["vswitch", "Virtual switch", false, true, ["host"], false, "vswitch"],
  ["lan_switch", "LAN switch", false, true, [], false, "switch"],
  ["outside_host", "Outside host", true, false, [], false, "pc"],
  ["internet", "Internet", true, false, [], false, "internet"],
  ["dhcp_server", "DHCP server", true, false, ["host"], false, "dhcp"],
  ["nat_network", "NAT network", false, true, ["host"], true, "natnet"],
  ["distributed_switch", "Distributed switch", false, true, [], false, "dvs"],
];
for (const [kind, title, hasNics, isSwitch, placedOn, placementRequired, prefix] of rows) {
  test(`kind ${kind} read from the schema`, () => {
    const k = kindOf(kinds, kind);
    assert.deepEqual(
      { title: k.title, hasNics: k.hasNics, isSwitch: k.isSwitch, placedOn: [...k.placedOn], placementRequired: k.placementRequired, prefix: k.prefix },
      { title, hasNics, isSwitch, placedOn, placementRequired, prefix },
    );
    assert.equal(k.description, schema.$defs[`kind_${kind}`].description);
  });
}

test("a kind added to the schema appears without touching the model", () => {
  const grown = structuredClone(schema);
  grown.$defs.node.properties.kind.enum.push("router_box");
  grown.$defs.kind_router_box = {
    title: "Router",
    description: "A box that routes.",
    "x-id-prefix": "r",
    "x-icon": "router",
    "x-placed-on": ["host"],
    "x-panel": ["nics"],
    properties: { nics: {}, host: {} },
  };
  const k = kindOf(kindsFromSchema(grown), "router_box");
  assert.deepEqual([k.title, k.hasNics, k.prefix, k.icon, [...k.placedOn], [...k.panel]], ["Router", true, "r", "router", ["host"], ["nics"]]);
});

// A copy of the schema with kind `kind`'s keyword `keyword` set to `value` (undefined: removed).
function withKeyword(kind, keyword, value) {
  const copy = structuredClone(schema);
  if (value === undefined) delete copy.$defs[`kind_${kind}`][keyword];
  else copy.$defs[`kind_${kind}`][keyword] = value;
  return copy;
}

const broken = [
  [{}, "not a design schema: no $defs/node/properties/kind/enum"],
  [{ $defs: { node: { properties: { kind: { enum: ["ghost"] } } } } }, "design schema: kind 'ghost' has no $defs/kind_ghost"],
  [withKeyword("container", "x-id-prefix", undefined), "design schema: $defs/kind_container has no valid x-id-prefix"],
  [withKeyword("vm", "x-icon", ""), "design schema: $defs/kind_vm has no valid x-icon"],
  [withKeyword("dhcp_server", "x-placed-on", undefined), "design schema: $defs/kind_dhcp_server has no valid x-placed-on"],
  [withKeyword("dhcp_server", "x-placed-on", ["rack"]), "design schema: $defs/kind_dhcp_server/x-placed-on names 'rack', which is not a node kind"],
  [withKeyword("nat_network", "x-panel", "gateway"), "design schema: $defs/kind_nat_network has no valid x-panel"],
];
for (const [bad, message] of broken) {
  test(`a broken schema is refused: ${message}`, () => {
    assert.throws(() => kindsFromSchema(bad), { message });
  });
}

test("a kind's title reads as a noun inside a sentence", () => {
  const nouns = { host: "physical host", vm: "virtual machine", lan_switch: "LAN switch", dhcp_server: "DHCP server", nat_network: "NAT network" };
  for (const [kind, noun] of Object.entries(nouns)) assert.equal(kindOf(kinds, kind).noun, noun);
});

test("an unknown kind is refused by name", () => {
  assert.throws(() => kindOf(kinds, "toaster"), { message: "unknown node kind 'toaster'" });
});
