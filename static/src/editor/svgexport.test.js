import { test } from "node:test";
import assert from "node:assert/strict";
import { borderPoint, documentToSvg, escapeXml } from "./svgexport.js";

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

test("a span line ends on the border of its host box", () => {
  const box = { x: 0, y: 0, w: 100, h: 40 };
  assert.deepEqual(borderPoint({ x: 0, y: 100 }, box), { x: 0, y: 20 });
  assert.deepEqual(borderPoint({ x: 200, y: 0 }, box), { x: 50, y: 0 });
  assert.deepEqual(borderPoint({ x: 100, y: 40 }, box), { x: 50, y: 20 });
  assert.deepEqual(borderPoint({ x: 10, y: 5 }, box), { x: 0, y: 0 }); // inside: the centre
});

test("a distributed switch is drawn with a dashed span to each member host, VNI written on it", () => {
  const d = {
    version: 1, name: "dvs",
    nodes: [
      { id: "a", kind: "host" }, { id: "b", kind: "host" },
      { id: "d", kind: "distributed_switch", vni: 42, members: [{ host: "a", underlay: "eth0" }, { host: "b", underlay: "eth0" }], position: { x: 150, y: 200 } },
    ],
    links: [],
  };
  const svg = documentToSvg(d, { a: { x: 0, y: 0, w: 100, h: 60 }, b: { x: 300, y: 0, w: 100, h: 60 } });
  const spans = [...svg.matchAll(/<g class="span" data-switch="d" data-host="([ab])"><line x1="150" y1="200" x2="([^"]+)" y2="([^"]+)"[^>]*stroke-dasharray/g)];
  assert.deepEqual(spans.map((m) => m[1]), ["a", "b"]);
  for (const m of spans) assert.equal(Number(m[3]), 30); // on the bottom edge of the box
  assert.equal((svg.match(/VNI 42 via eth0/g) ?? []).length, 2);
});
