// The registry of node kinds, read from the design schema (simcore/design/schema.json), the one
// place where a kind is described; the Python twin is simcore/design/kinds.py, and
// simcore/design/annotations.py explains and checks every keyword read here.
//
// What the schema says, and how it is read:
// - the kinds and their palette order: the enum of `$defs/node/properties/kind`;
// - label and tooltip: `title` and `description` of `$defs/kind_<kind>`;
// - hasNics: the kind's schema has a `nics` property (it has an IP stack); isSwitch: it has none
//   (a link end on a kind without NICs names no NIC: the switch grows a port per link);
// - placementRequired: `host` is in its `required`;
// - the id prefix of new nodes (`x-id-prefix`), the palette icon (`x-icon`), the kinds its
//   `host` may name (`x-placed-on`) and the properties panel's fields in order (`x-panel`).

import { isObject } from "./json.js";

// The schema's own keywords, declared to ajv (strict mode refuses keywords it does not know):
// annotations only, each with the shape ajv checks when it compiles the schema.
const NAMES = { type: "array", items: { type: "string", minLength: 1 }, uniqueItems: true };
export const SCHEMA_KEYWORDS = Object.freeze([
  { keyword: "x-id-prefix", schemaType: "string", metaSchema: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_-]{0,39}$" } },
  { keyword: "x-icon", schemaType: "string", metaSchema: { type: "string", minLength: 1 } },
  { keyword: "x-placed-on", schemaType: "array", metaSchema: NAMES },
  { keyword: "x-panel", schemaType: "array", metaSchema: NAMES },
  // On an enum property: a friendly title and a sentence or two per value (editor/platforms.js).
  {
    keyword: "x-choices",
    metaSchema: { type: "array", items: { type: "object", required: ["value", "title", "description"], properties: { value: true, title: { type: "string" }, description: { type: "string" } } } },
  },
]);

function annotation(def, kind, keyword, check) {
  const value = def[keyword];
  if (!check(value)) throw new TypeError(`design schema: $defs/kind_${kind} has no valid ${keyword}`);
  return value;
}

const isNameList = (v) => Array.isArray(v) && v.every((s) => typeof s === "string" && s.length > 0);
const isText = (v) => typeof v === "string" && v.length > 0;

/**
 * The kinds of a design schema, in palette order: `[{kind, title, description, icon, hasNics,
 * isSwitch, placedOn, placementRequired, prefix, panel, noun}]`. Throws when the schema does not
 * have the shape described above (a broken palette must be loud).
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
      const hasNics = Object.prototype.hasOwnProperty.call(def.properties, "nics");
      const placedOn = annotation(def, kind, "x-placed-on", isNameList);
      const unknown = placedOn.find((k) => !names.includes(k));
      if (unknown) throw new TypeError(`design schema: $defs/kind_${kind}/x-placed-on names '${unknown}', which is not a node kind`);
      const title = String(def.title ?? kind);
      return Object.freeze({
        kind,
        title,
        description: String(def.description ?? ""),
        icon: annotation(def, kind, "x-icon", isText),
        hasNics,
        isSwitch: !hasNics,
        placedOn: Object.freeze([...placedOn]),
        placementRequired: Array.isArray(def.required) && def.required.includes("host"),
        prefix: annotation(def, kind, "x-id-prefix", isText),
        panel: Object.freeze([...annotation(def, kind, "x-panel", isNameList)]),
        noun: noun(title),
      });
    }),
  );
}

// The title as a noun inside a sentence: "Virtual machine" -> "virtual machine", but "LAN switch"
// stays (the Python side's references.noun does the same).
function noun(title) {
  return /^[A-Z]{2}/.test(title) ? title : title.slice(0, 1).toLowerCase() + title.slice(1);
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
