// The palette's registry of node kinds, read from the design schema (simcore/design/schema.json),
// so a kind added to the schema appears in the palette without a second hand-written list
// (design-document.md: "Adding a kind is one place"). The Python twin is simcore/design/kinds.py.
//
// What the schema says, and how it is read:
// - the kinds and their palette order: the enum of `$defs/node/properties/kind`;
// - label and tooltip: `title` and `description` of `$defs/kind_<kind>`;
// - hasNics: the kind's schema has a `nics` property (it has an IP stack);
// - isSwitch: it has no `nics` (design-document.md, Links: "an endpoint on a switch has no nic; an
//   endpoint on a node with NICs must name one", so a kind without NICs is what grows a port per link);
// - placedOn: the kinds named `kind '<k>'` in the description of its `host` property ("a node of
//   kind 'host'"), empty when it has no `host` field; placementRequired: `host` is in `required`.

import { isObject } from "./json.js";

// The id prefix of new nodes ("vm1", "vm2", ...). A kind missing here uses its own name, so a new
// kind in the schema still works; this only makes the common ones read well.
const PREFIXES = Object.freeze({
  host: "host",
  vm: "vm",
  container: "ct",
  vswitch: "vswitch",
  lan_switch: "switch",
  outside_host: "pc",
  internet: "internet",
  dhcp_server: "dhcp",
  nat_network: "natnet",
  distributed_switch: "dvs",
});

/**
 * The kinds of a design schema, in palette order:
 * `[{kind, title, description, hasNics, isSwitch, placedOn, placementRequired, prefix, noun}]`.
 * Throws when the schema does not have the shape described above (a broken palette must be loud).
 */
export function kindsFromSchema(schema) {
  const defs = schema?.$defs;
  const names = defs?.node?.properties?.kind?.enum;
  if (!isObject(defs) || !Array.isArray(names)) {
    throw new TypeError("not a design schema: no $defs/node/properties/kind/enum");
  }
  return Object.freeze(
    names.map((kind) => {
      const def = defs[`kind_${kind}`];
      if (!isObject(def) || !isObject(def.properties)) {
        throw new TypeError(`design schema: kind '${kind}' has no $defs/kind_${kind}`);
      }
      const props = def.properties;
      const hasNics = Object.prototype.hasOwnProperty.call(props, "nics");
      const placedOn = isObject(props.host) ? placementTargets(props.host, names) : [];
      return Object.freeze({
        kind,
        title: String(def.title ?? kind),
        description: String(def.description ?? ""),
        hasNics,
        isSwitch: !hasNics,
        placedOn: Object.freeze(placedOn),
        placementRequired: Array.isArray(def.required) && def.required.includes("host"),
        prefix: PREFIXES[kind] ?? kind.replace(/[^A-Za-z0-9]/g, ""),
        noun: noun(String(def.title ?? kind)),
      });
    }),
  );
}

// The title as a noun inside a sentence: "Virtual machine" -> "virtual machine", but "LAN switch"
// stays (the Python side's references.noun does the same).
function noun(title) {
  return /^[A-Z]{2}/.test(title) ? title : title.slice(0, 1).toLowerCase() + title.slice(1);
}

function placementTargets(hostProperty, names) {
  const text = String(hostProperty.description ?? "");
  const found = [...text.matchAll(/kind '([A-Za-z_]+)'/g)].map((m) => m[1]).filter((k) => names.includes(k));
  return [...new Set(found)];
}

const indexes = new WeakMap();

/** The kind entry for `kind`, from a list made by kindsFromSchema; throws for an unknown kind. */
export function kindOf(kinds, kind) {
  let index = indexes.get(kinds);
  if (!index) {
    index = new Map(kinds.map((entry) => [entry.kind, entry]));
    indexes.set(kinds, index);
  }
  const found = index.get(kind);
  if (!found) throw new RangeError(`unknown node kind '${kind}'`);
  return found;
}
