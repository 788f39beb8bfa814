// The design document -> Cytoscape elements, as plain data (no DOM, no Cytoscape import), so the
// mapping is testable headless with `node --test` and the canvas stays only a view of the document.
//
// Hosts are compound parents: whatever is placed on a host (its `host` names a host node: VMs,
// containers, virtual switches, NAT networks, DHCP appliances) is drawn inside it. Links become edges labelled with the NIC at each end (a switch end has none).

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function finite(value) {
  return typeof value === "number" && Number.isFinite(value);
}

/** The text the canvas shows for a node: its name, or its id (design-document.md). */
export function nodeLabel(node) {
  const name = typeof node.name === "string" && node.name.trim() ? node.name : node.id;
  const addresses = (Array.isArray(node.nics) ? node.nics : [])
    .filter((nic) => isObject(nic) && typeof nic.ip === "string")
    .map((nic) => nic.ip);
  return addresses.length ? `${name}\n${addresses.join("\n")}` : name;
}

/**
 * Turns a design document into Cytoscape element definitions.
 * Unknown or malformed entries are skipped rather than thrown on: the server validated the
 * document already, and a viewer must still see whatever part of it makes sense.
 */
export function documentToElements(doc) {
  const nodes = Array.isArray(doc?.nodes) ? doc.nodes.filter((n) => isObject(n) && typeof n.id === "string") : [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const elements = [];
  for (const node of nodes) {
    const data = { id: node.id, kind: String(node.kind ?? "unknown"), label: nodeLabel(node) };
    const host = byId.get(node.host);
    if (host && host.kind === "host" && host.id !== node.id) {
      data.parent = host.id;
    }
    const element = { group: "nodes", data, classes: data.kind };
    if (isObject(node.position) && finite(node.position.x) && finite(node.position.y)) {
      element.position = { x: node.position.x, y: node.position.y };
    }
    elements.push(element);
  }
  const links = Array.isArray(doc?.links) ? doc.links : [];
  links.forEach((link, index) => {
    if (!isObject(link) || !isObject(link.a) || !isObject(link.b)) return;
    if (!byId.has(link.a.node) || !byId.has(link.b.node)) return;
    elements.push({
      group: "edges",
      data: {
        id: typeof link.id === "string" ? link.id : `link-${index}`,
        source: link.a.node,
        target: link.b.node,
        sourceLabel: typeof link.a.nic === "string" ? link.a.nic : "",
        targetLabel: typeof link.b.nic === "string" ? link.b.nic : "",
      },
    });
  });
  return elements;
}

/** True when every node of the document carries a usable position (else a layout is run). */
export function hasPositions(doc) {
  const nodes = Array.isArray(doc?.nodes) ? doc.nodes : [];
  // A compound parent's position follows its children, so hosts with children need none.
  const parents = new Set(nodes.filter((n) => isObject(n) && typeof n.host === "string").map((n) => n.host));
  return nodes.every(
    (n) => isObject(n) && (parents.has(n.id) || (isObject(n.position) && finite(n.position.x) && finite(n.position.y))),
  );
}

// cose is a force-directed layout: fine for a lesson-sized design, far too slow for thousands of
// nodes (the document allows 10,000), where a grid keeps the page responsive.
export const COSE_MAX_NODES = 500;

/** The Cytoscape layout for a document: its own positions when it has them. */
export function layoutFor(doc) {
  if (hasPositions(doc)) return { name: "preset", fit: true, padding: 30 };
  const count = Array.isArray(doc?.nodes) ? doc.nodes.length : 0;
  if (count > COSE_MAX_NODES) return { name: "grid", fit: true, padding: 30, avoidOverlap: true };
  return { name: "cose", animate: false, randomize: false, fit: true, padding: 30 };
}
