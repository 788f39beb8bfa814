import assert from "node:assert/strict";
import { test } from "node:test";

import { hostBadges, hostRefusals, hostState } from "./hostpower.js";

test("a host missing from tables.hosts is running: it shuts down and reboots, it does not boot", () => {
  assert.equal(hostState({ hosts: {} }, "hv"), "running");
  assert.deepEqual(hostRefusals({ hosts: {} }, "hv", "hv"),
    { shutdown: null, reboot: null, boot: "hv is running: only a host that is off boots" });
  assert.deepEqual(hostBadges({ hosts: {} }), {});
});

test("a host that is not running: the engine's refusals enable the buttons, and it gets a badge", () => {
  const tables = { hosts: { hv: { power: "off", actions: { shutdown: "hv is off already", reboot: "hv is off already", boot: null } },
    h2: { power: "shutting down" } } };
  assert.equal(hostState(tables, "hv"), "off");
  assert.deepEqual(hostRefusals(tables, "hv"), { shutdown: "hv is off already", reboot: "hv is off already", boot: null });
  assert.deepEqual(hostRefusals(tables, "h2", "h2").boot, "h2 is shutting down: only a host that is off boots");
  assert.deepEqual(hostBadges(tables), { hv: "PoweredOff", h2: "Stopping" });
});
