// Verdicts of ajv 8 (draft 2020-12, strict mode) + ajv-formats on the design schema, for
// test_design_ajv.py: reads {schema_path, node_modules, cases: [{def, value}]} on stdin and
// prints one boolean per case. `def` names a $defs entry, or is null for the whole document.
// The schema's own annotation keywords are declared as the editor declares them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const input = JSON.parse(readFileSync(0, "utf8"));
const load = async (rel) => (await import(pathToFileURL(join(input.node_modules, rel)).href)).default;
const Ajv2020 = await load("ajv/dist/2020.js");
const addFormats = await load("ajv-formats/dist/index.js");

const { SCHEMA_KEYWORDS } = await import(new URL("../../../static/src/model/kinds.js", import.meta.url).href);

const schema = JSON.parse(readFileSync(input.schema_path, "utf8"));
const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addVocabulary(SCHEMA_KEYWORDS);
addFormats(ajv);
ajv.addSchema(schema);
const verdicts = input.cases.map(({ def, value }) => {
  const ref = def === null ? schema.$id : `${schema.$id}#/$defs/${def}`;
  return ajv.validate(ref, value);
});
process.stdout.write(JSON.stringify(verdicts));
