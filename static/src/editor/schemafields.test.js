// Panel fields generated from the design schema, and the values new rows start with.
import assert from "node:assert/strict";
import { test } from "node:test";
import { documentErrors, schema } from "./fieldcheck.js";
import { fieldsOf, kindSchema, newRoute, newService, parseValue, serviceKinds } from "./schemafields.js";

const byKey = (fields) => Object.fromEntries(fields.map((f) => [f.key, f]));

test("NIC fields come from the schema: attachment mode as a choice, network name as text", () => {
  const fields = byKey(fieldsOf(schema, schema.$defs.nic, ["name", "mac", "ip"]));
  assert.deepEqual(Object.keys(fields).sort(), ["mode", "network"]); // port_forwards has its own rows
  assert.equal(fields.mode.type, "enum");
  assert.deepEqual(fields.mode.options, ["nat", "natnetwork", "bridged", "internal", "hostonly"]);
  assert.equal(fields.network.type, "text");
  assert.equal(fields.network.label, "Network name");
});

test("every service kind of the schema has its fields, NIC references as a NIC choice", () => {
  const kinds = serviceKinds(schema);
  assert.deepEqual(kinds.map((k) => k.kind), ["http", "dhcp", "udp_traffic", "udp_sink"]);
  const dhcp = byKey(fieldsOf(schema, kinds.find((k) => k.kind === "dhcp").schema, ["kind"]));
  assert.deepEqual(Object.keys(dhcp), ["nic", "range_start", "range_end", "lease_s", "router", "dns", "probe"]);
  assert.equal(dhcp.nic.type, "nic");
  assert.equal(dhcp.dns.type, "list");
  assert.equal(dhcp.probe.type, "bool");
  assert.equal(dhcp.lease_s.placeholder, "3600");
  const http = byKey(fieldsOf(schema, kinds.find((k) => k.kind === "http").schema, ["kind"]));
  assert.deepEqual(Object.keys(http), ["port", "body", "server"]);
  assert.deepEqual(http.server.options, ["http.server", "nginx", "apache"]);
  assert.equal(byKey(fieldsOf(schema, kinds.find((k) => k.kind === "udp_traffic").schema))["interval_s"].type, "num");
});

test("host fields: resources, platform, hypervisor type as a choice of 1 or 2", () => {
  const host = byKey(fieldsOf(schema, kindSchema(schema, "host")));
  for (const key of ["platform", "hypervisor_type", "cpu_cores", "ram_mb", "virtualization_extensions", "os", "ip_forward"]) assert.ok(host[key], key);
  assert.deepEqual(host.hypervisor_type.options, [1, 2]);
  assert.equal(host.nics, undefined);
});

test("typed text becomes the document's value", () => {
  assert.equal(parseValue({ type: "int" }, " 42 "), 42);
  assert.equal(parseValue({ type: "int" }, "4.5"), "4.5"); // left for the schema to refuse
  assert.equal(parseValue({ type: "num" }, "0.25"), 0.25);
  assert.equal(parseValue({ type: "bool" }, "false"), false);
  assert.equal(parseValue({ type: "enum", options: [1, 2] }, "2"), 2);
  assert.deepEqual(parseValue({ type: "list", itemType: "string" }, "1.1.1.1, 8.8.8.8,"), ["1.1.1.1", "8.8.8.8"]);
  assert.equal(parseValue({ type: "text" }, "   "), null);
});

test("a new service of each kind, and a new route, keep the document schema-valid", () => {
  const vm = { id: "vm1", kind: "vm", host: "h", nics: [{ name: "eth0", ip: "192.168.56.10/24" }] };
  for (const { kind } of serviceKinds(schema)) {
    const node = { ...vm, services: [newService(vm, kind)], routes: [newRoute(vm)] };
    const doc = { version: 1, nodes: [{ id: "h", kind: "host" }, node], links: [] };
    assert.deepEqual(documentErrors(doc), [], kind);
  }
  assert.deepEqual(newService(vm, "dhcp"), { kind: "dhcp", nic: "eth0", range_start: "192.168.56.100", range_end: "192.168.56.200" });
  assert.deepEqual(newRoute(vm), { to: "default", via: "192.168.56.1" });
  assert.equal(newRoute({ ...vm, routes: [{ to: "default", via: "192.168.56.1" }] }).to, "10.0.0.0/8");
});
