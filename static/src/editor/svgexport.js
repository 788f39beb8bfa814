// SVG export written from the design document (the only Cytoscape SVG plugin is GPL, so we draw
// our own): hosts as boxes around their guests, other nodes as labelled shapes, links as lines.
// Pure (no DOM): `boxes` gives each node's drawn box {x, y, w, h} (centre and size), as the canvas
// laid it out; a node missing from `boxes` falls back to its document position.

import { dswitchSpans } from "./elements.js";

const COLOURS = Object.freeze({
  distributed_switch: "#f59e0b", nat_network: "#0ea5e9", dhcp_server: "#22c55e",
  host: "#ffffff", vm: "#3b82f6", container: "#14b8a6", vswitch: "#f59e0b",
  lan_switch: "#d97706", outside_host: "#8b5cf6", internet: "#64748b",
});

/** Text made safe for SVG content and attribute values. */
export function escapeXml(text) {
  return String(text).replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]);
}

function boxOf(node, boxes) {
  const box = boxes?.[node.id];
  if (box) return box;
  const p = node.position ?? { x: 0, y: 0 };
  return node.kind === "distributed_switch" ? { x: p.x, y: p.y, w: 96, h: 14 } : { x: p.x, y: p.y, w: 28, h: 28 };
}

/**
 * Where the line from point `from` to the centre of `box` ({x, y, w, h}, centre and size) meets
 * the box's border (the centre itself when `from` is inside): a distributed switch's span ends
 * on its member host's box, not in the middle of its guests.
 */
export function borderPoint(from, box) {
  const dx = from.x - box.x;
  const dy = from.y - box.y;
  const hw = box.w / 2;
  const hh = box.h / 2;
  if (Math.abs(dx) <= hw && Math.abs(dy) <= hh) return { x: box.x, y: box.y };
  const t = Math.min(dx ? hw / Math.abs(dx) : Infinity, dy ? hh / Math.abs(dy) : Infinity);
  return { x: box.x + dx * t, y: box.y + dy * t };
}

function nodeShape(node, b) {
  const fill = COLOURS[node.kind] ?? "#57606a";
  const left = b.x - b.w / 2;
  const top = b.y - b.h / 2;
  if (node.kind === "host") {
    return `<rect x="${left}" y="${top}" width="${b.w}" height="${b.h}" rx="6" fill="${fill}" fill-opacity="0.6" stroke="#0b62c4" stroke-width="2"/>`;
  }
  if (node.kind === "vswitch" || node.kind === "lan_switch") {
    const pts = [[b.x, top], [left + b.w, b.y], [b.x, top + b.h], [left, b.y]].map((p) => p.join(",")).join(" ");
    return `<polygon points="${pts}" fill="${fill}" stroke="#1b1f24"/>`;
  }
  if (node.kind === "internet") return `<ellipse cx="${b.x}" cy="${b.y}" rx="${b.w / 2}" ry="${b.h / 2}" fill="${fill}" stroke="#1b1f24"/>`;
  return `<rect x="${left}" y="${top}" width="${b.w}" height="${b.h}" rx="4" fill="${fill}" stroke="#1b1f24"/>`;
}

/** The SVG text of `doc` (a standalone file with its XML declaration). */
export function documentToSvg(doc, boxes = {}, { margin = 40 } = {}) {
  const nodes = Array.isArray(doc?.nodes) ? doc.nodes : [];
  const links = Array.isArray(doc?.links) ? doc.links : [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const node of nodes) {
    const b = boxOf(node, boxes);
    minX = Math.min(minX, b.x - b.w / 2); minY = Math.min(minY, b.y - b.h / 2);
    maxX = Math.max(maxX, b.x + b.w / 2); maxY = Math.max(maxY, b.y + b.h / 2 + 16);
  }
  if (!nodes.length) { minX = 0; minY = 0; maxX = 100; maxY = 100; }
  const width = Math.ceil(maxX - minX + 2 * margin);
  const height = Math.ceil(maxY - minY + 2 * margin);
  const parts = [];
  // Hosts first, then links, then the other nodes: guests and link ends stay visible.
  const drawNode = (node) => {
    const b = boxOf(node, boxes);
    const label = escapeXml(node.name ?? node.id);
    const ty = node.kind === "host" ? b.y - b.h / 2 - 4 : b.y + b.h / 2 + 12;
    parts.push(`<g class="node ${escapeXml(node.kind)}" data-id="${escapeXml(node.id)}">${nodeShape(node, b)}` +
      `<text x="${b.x}" y="${ty}" text-anchor="middle" font-size="11">${label}</text></g>`);
  };
  nodes.filter((n) => n.kind === "host").forEach(drawNode);
  parts.push(...drawLinks(links, byId, boxes));
  parts.push(...drawSpans(doc, byId, boxes));
  nodes.filter((n) => n.kind !== "host").forEach(drawNode);
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="${minX - margin} ${minY - margin} ${width} ${height}" font-family="sans-serif">` +
    `<title>${escapeXml(doc?.name ?? "Design")}</title>${parts.join("")}</svg>\n`;
}

function drawLinks(links, byId, boxes) {
  return links.filter((l) => byId.has(l.a?.node) && byId.has(l.b?.node)).map((l) => {
    const a = boxOf(byId.get(l.a.node), boxes);
    const b = boxOf(byId.get(l.b.node), boxes);
    return `<line class="link" data-id="${escapeXml(l.id)}" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="#57606a" stroke-width="2"/>`;
  });
}

// A distributed switch's member hosts: dashed lines from the switch to each host's box, with the
// VNI and underlay NIC written along them (as the canvas draws them).
function drawSpans(doc, byId, boxes) {
  return dswitchSpans(doc).map((span) => {
    const a = boxOf(byId.get(span.source), boxes);
    const b = borderPoint(a, boxOf(byId.get(span.target), boxes));
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2;
    return `<g class="span" data-switch="${escapeXml(span.source)}" data-host="${escapeXml(span.target)}">` +
      `<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="#d97706" stroke-width="2" stroke-dasharray="6 4"/>` +
      `<text x="${mx}" y="${my - 4}" text-anchor="middle" font-size="9">${escapeXml(span.label)}</text></g>`;
  });
}
