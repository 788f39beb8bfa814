// The documents the model produces are valid for the server too: a random walk's documents are
// handed to simcore's own validator (JSON Schema + reference checks, simcore.design.validate),
// an implementation this model shares no code with. Skipped when the project's virtualenv is
// missing (the JS tests must also run on a machine with node only).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { example, mulberry32 } from "./helpers.js";
import { commands, randomCommand } from "./walk.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const python = join(root, ".venv", "bin", "python");

const SCRIPT = `
import json, sys
from simcore.design.validate import validate
for i, doc in enumerate(json.load(open(sys.argv[1]))):
    for p in validate(doc):
        print(i, p.code, p.path, p.msg)
`;

test("documents along a random walk pass simcore's validator", { skip: !existsSync(python) && "no .venv" }, () => {
  const rand = mulberry32(7);
  let doc = example("internal-switch");
  const samples = [];
  for (let step = 0; step < 300; step += 1) {
    const [name, args] = randomCommand(rand, doc);
    try {
      doc = commands.perform(name, doc, args)?.doc ?? doc;
    } catch {
      continue; // refused, as the editor would show an error and change nothing
    }
    if (step % 10 === 0) samples.push(doc);
  }
  samples.push(doc);
  const dir = mkdtempSync(join(tmpdir(), "model-validity-"));
  try {
    const file = join(dir, "docs.json");
    writeFileSync(file, JSON.stringify(samples));
    const run = spawnSync(python, ["-c", SCRIPT, file], { cwd: root, encoding: "utf8" });
    assert.equal(run.stderr, "");
    assert.equal(run.stdout, "", "simcore found problems");
    assert.ok(doc.nodes.length > 20, `the walk grew a design (${doc.nodes.length} nodes)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
