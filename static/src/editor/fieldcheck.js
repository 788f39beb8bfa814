// Validation as you type: the properties panel builds the document the edit would make and
// checks it with ajv against the design schema (the same simcore/design/schema.json the server
// uses); the errors at the field's JSON pointer are shown beside it and the value is not saved.

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import schema from "../../../simcore/design/schema.json" with { type: "json" };
import { SCHEMA_KEYWORDS } from "../model/index.js";

export { schema };

let compiled = null;

function validator() {
  if (!compiled) {
    // Strict mode, with the schema's own annotation keywords (x-id-prefix...) declared; verbose
    // gives each error its parentSchema, whose title and description make the sentence shown.
    const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
    ajv.addVocabulary(SCHEMA_KEYWORDS);
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

// Combinators report their own failure beside the real one at the same place: not useful to show.
const NOISE = new Set(["if", "then", "else", "oneOf", "anyOf", "allOf", "not", "$ref"]);

function sentence(error) {
  const parent = error.parentSchema ?? {};
  if (error.keyword === "pattern" || error.keyword === "format") {
    const title = parent.title ?? "Value";
    return parent.description ? `${title}: ${parent.description}` : `${title} is not valid`;
  }
  const what = parent.title ? `${parent.title} ` : "";
  return `${what}${error.message}`.trim();
}

/** The error sentences for `pointer` (e.g. "/nodes/2/nics/0/mac") in `doc`; [] when it is valid. */
export function fieldErrors(doc, pointer) {
  const validate = validator();
  if (validate(doc)) return [];
  const found = [];
  for (const error of validate.errors ?? []) {
    if (NOISE.has(error.keyword)) continue;
    // A required field emptied is reported at its parent object: show it at the field itself.
    const at = error.keyword === "required" ? `${error.instancePath}/${error.params.missingProperty}` : error.instancePath;
    if (at === pointer || at.startsWith(`${pointer}/`)) {
      const text = sentence(error);
      if (!found.includes(text)) found.push(text);
    }
  }
  return found;
}

/** All schema errors of `doc` as {path, msg} (used to refuse an import). */
export function documentErrors(doc) {
  const validate = validator();
  if (validate(doc)) return [];
  const out = [];
  for (const error of validate.errors ?? []) {
    if (NOISE.has(error.keyword)) continue;
    const item = { path: error.instancePath || "/", msg: sentence(error) };
    if (!out.some((o) => o.path === item.path && o.msg === item.msg)) out.push(item);
  }
  return out;
}
