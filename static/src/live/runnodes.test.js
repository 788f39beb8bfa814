import assert from "node:assert/strict";
import { test } from "node:test";

import cytoscape from "cytoscape";

import { runClones, runContainers, syncRunContainers } from "./runnodes.js";

const tables = (rows) => ({ containers: { hv: rows } });
const row = (name, state = "RUNNING", runtime = "lxd") => ({ node: `hv-${name}`, name, runtime, image: "images:alpine/3.20", state });

test("the run's containers, except the ones the design draws", () => {
  const found = runContainers({ containers: { hv: [row("c1"), row("web", "running", "docker")] } }, (id) => id === "hv-web");
  assert.deepEqual(found, [{ id: "hv-c1", parent: "hv", label: "c1", image: "images:alpine/3.20", state: "RUNNING", runtime: "lxd" }]);
  assert.deepEqual(runContainers({}), []);
  assert.deepEqual(runContainers({ containers: { hv: [null, { name: "x" }] } }), []);
});

test("a container appears inside its host, dims when stopped, goes when the run no longer has it", () => {
  const cy = cytoscape({ headless: true, elements: [{ group: "nodes", data: { id: "hv", kind: "host" } }] });
  syncRunContainers(cy, tables([row("c1")]));
  const c1 = cy.getElementById("hv-c1");
  assert.equal(c1.data("parent"), "hv");
  assert.equal(c1.data("part"), true);
  assert.ok(c1.hasClass("run-made") && c1.hasClass("container") && !c1.hasClass("stopped"));
  syncRunContainers(cy, tables([row("c1", "STOPPED"), row("c2")]));
  assert.ok(cy.getElementById("hv-c1").hasClass("stopped"));
  assert.equal(cy.nodes("[?runMade]").length, 2);
  syncRunContainers(cy, tables([]));  // a seek to before they were made
  assert.equal(cy.nodes("[?runMade]").length, 0);
  assert.ok(cy.getElementById("hv").nonempty());
});

test("a container the design draws is left alone", () => {
  const cy = cytoscape({ headless: true, elements: [{ group: "nodes", data: { id: "hv-web", kind: "container", label: "web" } }] });
  syncRunContainers(cy, tables([row("web", "running", "docker")]));
  assert.equal(cy.getElementById("hv-web").data("runMade"), undefined);
  assert.equal(cy.getElementById("hv-web").data("label"), "web");
});

test("a VM cloned during the run appears inside its host, dashed, and goes on a seek back before it", () => {
  const cy = cytoscape({ headless: true, elements: [{ group: "nodes", data: { id: "hv", kind: "host" } },
    { group: "nodes", data: { id: "vm1", kind: "vm", parent: "hv" } }] });
  const vms = (extra) => ({ vms: { vm1: { state: "PoweredOff", host: "hv", created_in_run: false }, ...extra } });
  assert.deepEqual(runClones(vms({ vm3: { state: "PoweredOff", host: "hv", created_in_run: true } })),
    [{ id: "vm3", parent: "hv", label: "vm3", state: "PoweredOff", kind: "vm" }]);
  syncRunContainers(cy, vms({ vm3: { state: "Running", host: "hv", created_in_run: true } }));
  const vm3 = cy.getElementById("vm3");
  assert.equal(vm3.data("parent"), "hv");
  assert.equal(vm3.data("kind"), "vm");
  assert.ok(vm3.hasClass("run-made") && vm3.hasClass("vm"));
  assert.equal(cy.getElementById("vm1").data("runMade"), undefined);
  syncRunContainers(cy, vms({}));  // a seek to before the clone
  assert.ok(cy.getElementById("vm3").empty());
  assert.ok(cy.getElementById("vm1").nonempty());
});

test("nodes made during the run go in rows under what their host holds, never on another box", () => {
  const cy = cytoscape({ headless: true, elements: [{ group: "nodes", data: { id: "hv", kind: "host" } },
    { group: "nodes", data: { id: "vm1", kind: "vm", parent: "hv" }, position: { x: 100, y: 100 } },
    { group: "nodes", data: { id: "vm2", kind: "vm", parent: "hv" }, position: { x: 100, y: 200 } }],
  layout: { name: "preset" }, style: [{ selector: "node", style: { width: 60, height: 44 } }] });
  syncRunContainers(cy, tables(["a", "b", "c", "d", "e", "f"].map((name) => row(name))));
  const made = cy.nodes("[?runMade]");
  assert.equal(made.length, 6);
  const lowest = cy.getElementById("vm2").boundingBox().y2;
  const boxes = made.map((n) => n.boundingBox());
  for (const b of boxes) assert.ok(b.y1 > lowest, `${JSON.stringify(b)} is under the design's own nodes`);
  const all = cy.nodes().filter((n) => !n.isParent()).map((n) => n.boundingBox());
  for (let i = 0; i < all.length; i += 1) {
    for (let j = i + 1; j < all.length; j += 1) {
      const [p, q] = [all[i], all[j]];
      const overlap = p.x1 < q.x2 && q.x1 < p.x2 && p.y1 < q.y2 && q.y1 < p.y2;
      assert.ok(!overlap, `boxes ${i} and ${j} overlap`);
    }
  }
  assert.equal(new Set(made.map((n) => n.position("y"))).size, 2, "four to a row: two rows");
});
