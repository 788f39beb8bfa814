// Import and export: JSON (the document itself), PNG (Cytoscape's own raster of the canvas) and
// SVG (our exporter, svgexport.js). An import is checked before anything changes: JSON syntax,
// then the design schema with ajv, then the model's own needs (unique ids).

import { documentErrors } from "./fieldcheck.js";
import { documentToSvg } from "./svgexport.js";

function fileName(doc, ext) {
  const base = String(doc.name ?? "design").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "design";
  return `${base}.${ext}`;
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function exportJson(doc) {
  download(new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: "application/json" }), fileName(doc, "json"));
}

export function exportPng(cy, doc) {
  download(cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" }), fileName(doc, "png"));
}

/** Each node's drawn box in model coordinates, for the SVG exporter. */
export function drawnBoxes(cy) {
  const boxes = {};
  cy.nodes().forEach((n) => {
    if (n.data("part")) return; // an expanded NAT network's parts are a view, not the document
    const p = n.position();
    // An expanded NAT network is exported as the one object it is in the document.
    if (n.data("expanded")) return;
    boxes[n.id()] = { x: Math.round(p.x), y: Math.round(p.y), w: Math.round(n.width()), h: Math.round(n.height()) };
  });
  return boxes;
}

export function exportSvg(cy, doc) {
  download(new Blob([documentToSvg(doc, drawnBoxes(cy))], { type: "image/svg+xml" }), fileName(doc, "svg"));
}

/** Checks an imported text: `{document, errors}`, errors as sentences (empty when importable). */
export function checkImport(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { document: null, errors: [`not JSON: ${error.message}`] };
  }
  const errors = documentErrors(doc).map((e) => `${e.path}: ${e.msg}`);
  if (!errors.length) {
    const seen = new Set();
    for (const item of [...doc.nodes, ...(doc.links ?? [])]) {
      if (seen.has(item.id)) errors.push(`id '${item.id}' is used twice`);
      seen.add(item.id);
    }
  }
  return { document: errors.length ? null : doc, errors };
}

export async function readImport(file) {
  return checkImport(await file.text());
}
