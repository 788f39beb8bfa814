// Timing of the model's commands and undo on generated designs of 1,000 and 10,000 nodes (a host
// per 11 nodes: a virtual switch and 9 VMs each). Run: `node bench/editor_model.mjs`.
// Speed is measured here, never asserted in tests.

import { readFileSync } from "node:fs";
import { copySelection, createCommands, History, kindsFromSchema } from "../static/src/model/index.js";

const schema = JSON.parse(readFileSync(new URL("../simcore/design/schema.json", import.meta.url), "utf8"));
const commands = createCommands(kindsFromSchema(schema));

function generated(n) {
  const nodes = [];
  const links = [];
  for (let h = 0; nodes.length < n; h += 1) {
    nodes.push({ id: `h${h}`, kind: "host", position: { x: h * 100, y: 0 }, nics: [{ name: "eth0" }] });
    nodes.push({ id: `s${h}`, kind: "vswitch", host: `h${h}`, position: { x: h * 100, y: 50 } });
    for (let v = 0; v < 9 && nodes.length < n; v += 1) {
      nodes.push({ id: `v${h}_${v}`, kind: "vm", host: `h${h}`, position: { x: h * 100 + v, y: 100 }, nics: [{ name: "eth0" }] });
      links.push({ id: `l${h}_${v}`, a: { node: `v${h}_${v}`, nic: "eth0" }, b: { node: `s${h}` } });
    }
  }
  return { version: 1, nodes, links };
}

const REPS = 20;
for (const n of [1000, 10000]) {
  const doc = generated(n);
  const hundred = doc.nodes.slice(0, 100).map((node) => node.id);
  const cases = [
    ["node.add", { kind: "vm", at: { x: 5, y: 5 } }],
    ["nodes.move", { ids: hundred, dx: 3, dy: 4 }],
    ["selection.delete", { nodes: ["h3"] }],
    ["property.set", { path: "nodes[v5_3].nics[eth0].ip", value: "dhcp" }],
    ["link.connect", { a: { node: "v1_1" }, b: { node: "s2" } }],
    ["clipboard.paste", { payload: copySelection(doc, hundred) }],
  ];
  for (const [name, args] of cases) {
    let done;
    const t0 = performance.now();
    for (let i = 0; i < REPS; i += 1) done = commands.perform(name, doc, args);
    const t1 = performance.now();
    const history = new History();
    let current = history.apply(doc, done);
    const t2 = performance.now();
    for (let i = 0; i < REPS; i += 1) current = history.redo(history.undo(current).doc).doc;
    const t3 = performance.now();
    const ms = (t) => t.toFixed(2).padStart(7);
    console.log(`${String(n).padStart(5)} nodes  ${name.padEnd(18)} perform ${ms((t1 - t0) / REPS)} ms  undo+redo ${ms((t3 - t2) / REPS)} ms  ops ${done.ops.length}`);
  }
}
