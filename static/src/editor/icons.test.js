// The palette's icons: every kind's `x-icon` in the design schema is drawn.
import assert from "node:assert/strict";
import { test } from "node:test";
import { kindsFromSchema } from "../model/index.js";
import { schema } from "./fieldcheck.js";
import { hasIcon, iconSvg } from "./icons.js";

test("every kind of the schema has its icon drawn", () => {
  const missing = kindsFromSchema(schema).filter((k) => !hasIcon(k.icon)).map((k) => `${k.kind}: ${k.icon}`);
  assert.deepEqual(missing, []);
});

test("an icon name not drawn gets the generic circle, never an error", () => {
  assert.equal(hasIcon("toaster"), false);
  assert.match(iconSvg("toaster"), /<circle cx="12" cy="12" r="8"/);
  assert.doesNotMatch(iconSvg("dhcp"), /<circle cx="12" cy="12" r="8"/);
});

test("on the canvas every kind but the host has its own icon, none the generic circle", async () => {
  const { kindIconStyles } = await import("./icons.js");
  const kinds = kindsFromSchema(schema);
  const rules = kindIconStyles(kinds);
  assert.deepEqual(rules.map((r) => r.selector), kinds.filter((k) => k.kind !== "host").map((k) => `node.${k.kind}`));
  const images = rules.map((r) => r.style["background-image"]);
  assert.equal(new Set(images).size, images.length, "no two kinds look alike");
  const generic = encodeURIComponent('<circle cx="12" cy="12" r="8"');
  assert.equal(images.filter((i) => i.includes(generic)).length, 0);
  // A VM and a NAT network, once the same blue squares, differ in icon and colour.
  const vm = rules.find((r) => r.selector === "node.vm").style;
  const nat = rules.find((r) => r.selector === "node.nat_network").style;
  assert.notEqual(vm["background-image"], nat["background-image"]);
  assert.notEqual(vm["border-color"], nat["border-color"]);
});
