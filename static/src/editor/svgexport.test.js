import { test } from "node:test";
import assert from "node:assert/strict";
import { documentToSvg, escapeXml } from "./svgexport.js";

const doc = {
  version: 1, name: "Lab <1>",
  nodes: [
    { id: "hv", kind: "host", name: "hv & co" },
    { id: "vm1", kind: "vm", host: "hv", position: { x: 10, y: 20 } },
    { id: "sw", kind: "lan_switch", position: { x: 100, y: 20 } },
  ],
  links: [{ id: "l1", a: { node: "vm1", nic: "eth0" }, b: { node: "sw" } }],
};

test("escapes text for XML", () => {
  assert.equal(escapeXml(`a<b>&"'`), "a&lt;b&gt;&amp;&quot;&apos;");
});

test("draws every node and link, hosts first, names escaped", () => {
  const svg = documentToSvg(doc, { hv: { x: 10, y: 20, w: 80, h: 60 } });
  assert.match(svg, /^<\?xml version="1.0"/);
  assert.match(svg, /<title>Lab &lt;1&gt;<\/title>/);
  const order = [...svg.matchAll(/data-id="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(order, ["hv", "l1", "vm1", "sw"]);
  assert.match(svg, /<rect x="-30" y="-10" width="80" height="60"/);
  assert.match(svg, />hv &amp; co</);
  assert.match(svg, /<line class="link" data-id="l1" x1="10" y1="20" x2="100" y2="20"/);
});

test("an empty design is still a valid frame", () => {
  assert.match(documentToSvg({ version: 1, name: "x", nodes: [], links: [] }), /width="180" height="180"/);
});
