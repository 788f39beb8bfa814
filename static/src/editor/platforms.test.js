// The platform facts the editor shows come from the schema's x-choices (one place).
import assert from "node:assert/strict";
import { test } from "node:test";
import { schema } from "./fieldcheck.js";
import { contradiction, explainHost, hostOsReserve, hostSummary, platformTypes } from "./platforms.js";

test("every platform and type has a friendly name and a sentence, from the schema", () => {
  const host = schema.$defs.kind_host.properties;
  assert.deepEqual(host.platform["x-choices"].map((c) => c.value), host.platform.enum);
  assert.equal(explainHost({ platform: "virtualbox" })[0], host.platform["x-choices"][0].description);
  assert.equal(hostSummary({ platform: "vmware", hypervisor_type: 1, cpu_cores: 4, ram_mb: 8192 }), "VMware Workstation / ESXi · type 1 · 4 CPU · 8192 MB RAM");
});

test("KVM's type is debated; VirtualBox as type 1 is a contradiction", () => {
  assert.equal(platformTypes("kvm"), "debated (1 or 2)");
  assert.equal(platformTypes("virtualbox"), "2");
  assert.equal(platformTypes("vmware"), "1 or 2");
  assert.equal(contradiction("virtualbox", 1), "Oracle VirtualBox is not a type 1 hypervisor: it is type 2.");
  assert.equal(contradiction("kvm", 2), null);
  const said = explainHost({ platform: "virtualbox", hypervisor_type: 1 });
  assert.equal(said.length, 3);
  assert.match(said[2], /not a type 1 hypervisor/);
});

test("a type 2 host's OS keeps RAM, a type 1 host none", () => {
  assert.equal(hostOsReserve({ hypervisor_type: 2 }), 2048);
  assert.equal(hostOsReserve({ hypervisor_type: 1 }), 0);
  assert.equal(hostOsReserve({}), 0);
});
