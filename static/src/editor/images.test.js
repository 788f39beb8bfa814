import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { imageChoices, reference } from "./images.js";

const rows = JSON.parse(readFileSync(new URL("../../../simcore/design/images.json", import.meta.url), "utf8")).images;

test("the picker offers every image of the catalogue, named as the engine names them", () => {
  const refs = imageChoices().map((c) => c.ref);
  assert.deepEqual([...refs].sort(), rows.map(reference).sort());
  for (const ref of ["nginx:1.27", "httpd:2.4", "postgres:16", "alpine:3.20", "images:ubuntu/24.04"]) {
    assert.ok(refs.includes(ref), ref);
  }
});

test("images of the host's OS family come first; the others say why they will not run", () => {
  const onLinux = imageChoices("linux");
  const firstWindows = onLinux.findIndex((c) => c.label.includes("Windows"));
  assert.ok(onLinux.slice(firstWindows).every((c) => c.label.endsWith("(not on a linux host)")));
  const windows = imageChoices("windows");
  assert.equal(windows[0].ref.includes("windows"), true);
  assert.match(windows[0].label, /^(Docker|LXD) · Windows · /);
});
