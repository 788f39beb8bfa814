// Panel fields generated from the design schema, and the values new rows start with.
import assert from "node:assert/strict";
import { test } from "node:test";
import { kindsFromSchema } from "../model/index.js";
import { documentErrors, schema } from "./fieldcheck.js";
import { PropertiesPanel } from "./properties.js";
import { LIST_SECTIONS, fieldsOf, kindSchema, newRoute, newService, panelEntries, parseValue, serviceKinds } from "./schemafields.js";

const kinds = kindsFromSchema(schema);

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
    const node = { ...vm, services: [newService(schema, vm, kind)], routes: [newRoute(vm)] };
    const doc = { version: 1, nodes: [{ id: "h", kind: "host" }, node], links: [] };
    assert.deepEqual(documentErrors(doc), [], kind);
  }
  assert.deepEqual(newService(schema, vm, "dhcp"), { kind: "dhcp", nic: "eth0", range_start: "192.168.56.100", range_end: "192.168.56.200" });
  assert.deepEqual(newService(schema, vm, "http"), { kind: "http" }); // its port shows the schema's default
  assert.deepEqual(newService(schema, vm, "udp_traffic"), { kind: "udp_traffic", to: "random" });
  assert.deepEqual(newRoute(vm), { to: "default", via: "192.168.56.1" });
  assert.equal(newRoute({ ...vm, routes: [{ to: "default", via: "192.168.56.1" }] }).to, "10.0.0.0/8");
});

test("a new service starts as the schema's default of its kind, fitted to the node", () => {
  const plain = { id: "pc", kind: "outside_host", nics: [{ name: "lan0" }, { name: "wan0", ip: "10.1.2.3/24" }] };
  assert.deepEqual(newService(schema, plain, "dhcp"), { kind: "dhcp", nic: "wan0", range_start: "10.1.2.100", range_end: "10.1.2.200" });
  // No static address: the schema's own starting values, on the node's first NIC.
  const bare = { id: "pc", kind: "outside_host", nics: [{ name: "lan0", ip: "dhcp" }] };
  assert.deepEqual(newService(schema, bare, "dhcp"), { ...schema.$defs.service_dhcp.default, nic: "lan0" });
  // The result is a copy: editing it leaves the schema alone.
  newService(schema, bare, "udp_traffic").to = "10.0.0.1";
  assert.equal(schema.$defs.service_udp_traffic.default.to, "random");
});

test("every kind's panel entries are fields, groups or list sections the panel draws", () => {
  const renderers = PropertiesPanel.prototype.lists;
  for (const section of LIST_SECTIONS) assert.equal(typeof renderers[section], "function", section);
  for (const kind of kinds) {
    const entries = panelEntries(schema, kind);
    assert.deepEqual(entries.map((e) => e.key), [...kind.panel], kind.kind);
    for (const entry of entries) {
      if (entry.as === "list") assert.ok(LIST_SECTIONS.includes(entry.key));
      else if (entry.as === "group") assert.ok(entry.fields.length > 0, `${kind.kind}.${entry.key}`);
      else assert.equal(entry.as, "field");
    }
  }
});

test("a NAT network's panel: its gateway, uplink (a required NIC of its host), DHCP group, rules", () => {
  const entries = panelEntries(schema, kinds.find((k) => k.kind === "nat_network"));
  assert.deepEqual(entries.map((e) => [e.key, e.as]), [
    ["gateway", "field"], ["gateway_mac", "field"], ["uplink", "field"], ["dhcp", "group"],
    ["aging_s", "field"], ["notes", "field"], ["port_forwards", "list"],
  ]);
  const uplink = entries.find((e) => e.key === "uplink").spec;
  assert.deepEqual([uplink.type, uplink.required], ["nic", true]);
  const dhcp = entries.find((e) => e.key === "dhcp");
  assert.equal(dhcp.title, "DHCP server");
  assert.deepEqual(dhcp.fields.map((f) => f.label), ["Range start", "Range end", "Lease time (s)", "Router", "DNS servers", "Probe before offering"]);
  assert.equal(dhcp.fields.find((f) => f.key === "lease_s").placeholder, "3600");
});

test("a panel entry the panel cannot draw is refused by name", () => {
  const vm = kinds.find((k) => k.kind === "vm");
  assert.throws(() => panelEntries(schema, { ...vm, panel: ["vcpus", "cpus"] }), { message: "$defs/kind_vm/x-panel: 'cpus' is not a property of the kind" });
  const grown = structuredClone(schema);
  grown.$defs.kind_vm.properties.tapes = { type: "array", items: { type: "object" } };
  assert.throws(() => panelEntries(grown, { ...vm, panel: ["tapes"] }), { message: "$defs/kind_vm/x-panel: 'tapes' is not a field the panel can show" });
});
