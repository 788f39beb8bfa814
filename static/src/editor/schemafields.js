// Properties-panel fields generated from the design schema (simcore/design/schema.json), so a
// property the schema gains (a NIC's `network`, a service's option) shows up in the panel without
// a second hand-written list. Pure: no DOM, tested with `node --test`.
//
// A field spec is {key, label, type, options?, placeholder?, description?}; type is one of
// text, int, num, bool (a yes/no/default select), enum (a select of `options`), list (comma
// separated values -> an array) or nic (a select of the node's NIC names).

/** The schema object at a local `$ref` ("#/$defs/ipv4"), or the object itself. */
export function resolve(schema, prop) {
  let out = prop;
  const seen = new Set();
  while (out && typeof out.$ref === "string" && out.$ref.startsWith("#/") && !seen.has(out.$ref)) {
    seen.add(out.$ref);
    const target = out.$ref.slice(2).split("/").reduce((o, k) => (o ? o[k] : undefined), schema);
    // The referring property's own title and description win over the definition's.
    out = { ...target, ...Object.fromEntries(Object.entries(out).filter(([k]) => k !== "$ref")) };
  }
  return out ?? {};
}

/** One field spec for property `key` of schema `prop` (after resolving its $ref), or null. */
export function fieldSpec(schema, key, prop) {
  if (prop === true || prop === undefined) return null;
  const nic = prop.$ref === "#/$defs/nic_name";
  const p = resolve(schema, prop);
  const base = { key, label: p.title ?? key, description: p.description };
  if (p.default !== undefined) base.placeholder = String(p.default);
  if (nic) return { ...base, type: "nic" };
  if (Array.isArray(p.enum)) return { ...base, type: "enum", options: p.enum };
  if (p.type === "boolean") return { ...base, type: "bool" };
  if (p.type === "integer") return { ...base, type: "int" };
  if (p.type === "number") return { ...base, type: "num" };
  if (p.type === "string") return { ...base, type: "text" };
  if (p.type === "array") {
    const item = resolve(schema, p.items ?? {});
    if (item.type === "string" || item.type === "integer" || item.type === "number") return { ...base, type: "list", itemType: item.type };
    return null; // a list of objects (NICs, routes, rules) has its own rows
  }
  return null;
}

/** Field specs for the scalar properties of object schema `obj`, minus the keys in `skip`. */
export function fieldsOf(schema, obj, skip = []) {
  const props = resolve(schema, obj).properties ?? {};
  return Object.entries(props)
    .filter(([key]) => !skip.includes(key))
    .map(([key, prop]) => fieldSpec(schema, key, prop))
    .filter(Boolean);
}

/** The schema of one node kind (`$defs.kind_<kind>`), or {}. */
export function kindSchema(schema, kind) {
  return schema.$defs?.[`kind_${kind}`] ?? {};
}

/** The kinds of service the schema knows, with their own schema (`$defs.service_<kind>`). */
export function serviceKinds(schema) {
  const kinds = schema.$defs?.service?.properties?.kind?.enum ?? [];
  return kinds.map((kind) => ({ kind, schema: schema.$defs?.[`service_${kind}`] ?? {}, title: schema.$defs?.[`service_${kind}`]?.title ?? kind }));
}

/** What an input shows for `value` under `spec`. */
export function formatValue(spec, value) {
  if (value === undefined || value === null) return "";
  if (spec.type === "list") return Array.isArray(value) ? value.join(", ") : String(value);
  return String(value);
}

/**
 * The document value for what the user typed or chose: null (remove the field) when empty; a
 * number for int/num fields that look like one (anything else is passed through so the schema
 * check names the problem); true/false for bool; the enum value itself (1, not "1"); an array
 * for a list.
 */
export function parseValue(spec, raw) {
  const text = String(raw ?? "").trim();
  if (text === "") return null;
  switch (spec.type) {
    case "int":
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case "num":
      return /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(text) ? Number(text) : text;
    case "bool":
      return text === "true" ? true : text === "false" ? false : text;
    case "enum":
      return (spec.options ?? []).find((o) => String(o) === text) ?? text;
    case "list": {
      const items = text.split(",").map((s) => s.trim()).filter(Boolean);
      const numeric = spec.itemType === "integer" || spec.itemType === "number";
      return items.map((s) => (numeric && /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s));
    }
    default:
      return text;
  }
}

function firstStatic(node) {
  const nic = (node.nics ?? []).find((n) => typeof n.ip === "string" && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(n.ip));
  return nic ? { nic: nic.name, address: nic.ip.split("/")[0] } : null;
}

function inSubnet(address, last) {
  return address.replace(/\.\d+$/, `.${last}`);
}

/**
 * A schema-valid new service of `kind` for `node`, so adding one never saves an invalid list: a
 * DHCP service on the node's first statically addressed NIC leasing .100-.200 of its /24.
 */
export function newService(node, kind) {
  if (kind === "http") return { kind, port: 80 };
  if (kind === "udp_sink") return { kind, port: 9 };
  if (kind === "udp_traffic") return { kind, to: "random" };
  if (kind === "dhcp") {
    const at = firstStatic(node) ?? { nic: node.nics?.[0]?.name ?? "eth0", address: "192.168.1.1" };
    return { kind, nic: at.nic, range_start: inSubnet(at.address, 100), range_end: inSubnet(at.address, 200) };
  }
  return { kind };
}

/** A schema-valid new static route for `node`: the default route via .1 of its first static subnet. */
export function newRoute(node) {
  const at = firstStatic(node);
  const taken = new Set((node.routes ?? []).map((r) => r.to));
  const to = taken.has("default") ? "10.0.0.0/8" : "default";
  return { to, via: at ? inSubnet(at.address, 1) : "192.168.1.1" };
}
