// Properties-panel fields generated from the design schema (simcore/design/schema.json), so a
// property the schema gains (a NIC's `network`, a service's option) shows up in the panel without
// a second hand-written list. Pure: no DOM, tested with `node --test`.
//
// A field spec is {key, label, type, options?, placeholder?, description?, required?}; type is
// one of text, int, num, bool (a yes/no/default select), enum (a select of `options`), list (comma
// separated values -> an array) or nic (a select of the node's NIC names). A field's placeholder
// is its schema `default`.

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
export function fieldSpec(schema, key, prop, required = false) {
  if (prop === true || prop === undefined) return null;
  const nic = prop.$ref === "#/$defs/nic_name";
  const p = resolve(schema, prop);
  const base = { key, label: p.title ?? key, description: p.description };
  if (required) base.required = true;
  if (p.default !== undefined) base.placeholder = Array.isArray(p.default) ? p.default.join(", ") : String(p.default);
  if (nic) return { ...base, type: "nic" };
  // `x-choices`: a friendly title per value for the select, and the sentence shown when chosen.
  if (Array.isArray(p["x-choices"])) base.choices = p["x-choices"];
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
  const resolved = resolve(schema, obj);
  const props = resolved.properties ?? {};
  const required = resolved.required ?? [];
  return Object.entries(props)
    .filter(([key]) => !skip.includes(key))
    .map(([key, prop]) => fieldSpec(schema, key, prop, required.includes(key)))
    .filter(Boolean);
}

// The properties panel's list sections: properties edited as rows of their own (properties.js
// has one renderer per name), never as a single field.
export const LIST_SECTIONS = Object.freeze(["nics", "routes", "services", "members", "port_forwards", "disks"]);

/**
 * What the properties panel shows for `kind` (an entry of kindsFromSchema), in the order of its
 * `x-panel`: `{key, as: "field", spec}`, `{key, as: "group", title, fields}` (an object property,
 * drawn as a group of its own fields) or `{key, as: "list"}` (one of LIST_SECTIONS). Throws for
 * an entry the panel cannot draw, so a schema mistake is loud, not a silently missing field.
 */
export function panelEntries(schema, kind) {
  const def = kindSchema(schema, kind.kind);
  const props = def.properties ?? {};
  const common = schema.$defs?.node?.properties ?? {};
  return kind.panel.map((key) => {
    const where = `$defs/kind_${kind.kind}/x-panel: '${key}'`;
    if (!Object.prototype.hasOwnProperty.call(props, key)) throw new TypeError(`${where} is not a property of the kind`);
    if (LIST_SECTIONS.includes(key)) return { key, as: "list" };
    // `true`: a field common to every node (notes), described once at $defs/node.
    const prop = props[key] === true ? common[key] : props[key];
    const resolved = resolve(schema, prop ?? {});
    if (resolved.type === "object") {
      const fields = fieldsOf(schema, resolved);
      if (fields.length !== Object.keys(resolved.properties ?? {}).length) throw new TypeError(`${where} has fields the panel cannot show`);
      return { key, as: "group", title: resolved.title ?? key, fields };
    }
    const spec = fieldSpec(schema, key, prop, (def.required ?? []).includes(key));
    if (!spec) throw new TypeError(`${where} is not a field the panel can show`);
    return { key, as: "field", spec };
  });
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
 * A schema-valid new service of `kind` for `node`, so adding one never saves an invalid list: the
 * schema's `default` of `$defs/service_<kind>` (its kind and every required field), fitted to the
 * node: a NIC field names the node's first statically addressed NIC (else its first NIC), and an
 * IPv4 field moves into that NIC's /24, keeping its last byte (a DHCP service leases .100-.200 of
 * the node's own subnet).
 */
export function newService(schema, node, kind) {
  const def = schema.$defs?.[`service_${kind}`] ?? {};
  const start = structuredClone(def.default ?? { kind });
  const at = firstStatic(node);
  for (const [key, value] of Object.entries(start)) {
    const prop = def.properties?.[key];
    if (!prop || typeof prop !== "object") continue;
    if (prop.$ref === "#/$defs/nic_name") start[key] = at?.nic ?? node.nics?.[0]?.name ?? value;
    else if (at && typeof value === "string" && resolve(schema, prop).format === "ipv4") start[key] = inSubnet(at.address, value.split(".")[3]);
  }
  return start;
}

/** A schema-valid new static route for `node`: the default route via .1 of its first static subnet. */
export function newRoute(node) {
  const at = firstStatic(node);
  const taken = new Set((node.routes ?? []).map((r) => r.to));
  const to = taken.has("default") ? "10.0.0.0/8" : "default";
  return { to, via: at ? inSubnet(at.address, 1) : "192.168.1.1" };
}
