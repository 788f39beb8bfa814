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
