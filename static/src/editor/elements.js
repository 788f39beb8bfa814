// The design document -> Cytoscape elements, as plain data (no DOM, no Cytoscape import), so the
// mapping is testable headless with `node --test` and the canvas stays only a view of the document.
//
// Hosts are compound parents: whatever is placed on a host (its `host` names a host node: VMs,
// containers, virtual switches, NAT networks, DHCP appliances) is drawn inside it. Links become edges labelled with the NIC at each end (a switch end has none).

import { hostOsLine, hostSummary, modeTitle } from "./platforms.js";

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function finite(value) {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * The text the canvas shows for a node: its name (or id, design-document.md); a host's platform,
 * type, CPU and RAM ("Oracle VirtualBox · type 2 · 4 CPU · 8192 MB RAM"); then a line per NIC with
 * an address or a VirtualBox mode ("NAT dhcp", "10.0.0.5/24").
 */
export function nodeLabel(node) {
  const name = typeof node.name === "string" && node.name.trim() ? node.name : node.id;
  const lines = [name];
  if (node.kind === "host") {
    const summary = hostSummary(node);
    if (summary) lines.push(summary);
  }
  for (const nic of Array.isArray(node.nics) ? node.nics : []) {
    if (!isObject(nic)) continue;
    const words = [modeTitle(nic.mode), typeof nic.ip === "string" ? nic.ip : ""].filter(Boolean);
    if (words.length) lines.push(words.join(" "));
  }
  return lines.join("\n");
}

/**
 * A type 2 host's OS under its hypervisor: a view-only bar inside the host, under its guests,
 * saying how much RAM the host OS keeps ("Host OS (Linux) keeps 2048 MB of 8192 MB RAM"); null
 * for a host that is not type 2. `guests`: the positions of what the host holds.
 */
export function hostOsPart(host, guests) {
  const text = hostOsLine(host);
  if (!text) return null;
  let at;
  let width = 150;
  if (guests.length) {
    const xs = guests.map((g) => g.x);
    at = { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: Math.max(...guests.map((g) => g.y)) + 75 };
    width = Math.max(width, Math.max(...xs) - Math.min(...xs) + 90);
  } else if (isObject(host.position) && finite(host.position.x) && finite(host.position.y)) {
    // Alone in its host, the bar is where the host is: the host's box is drawn around it.
    at = { x: host.position.x, y: host.position.y };
  }
  const element = {
    group: "nodes",
    data: { id: `hostos:${host.id}`, kind: "host_os", label: text, parent: host.id, part: true, width },
    classes: "host-os",
    selectable: false,
    grabbable: false,
  };
  if (at) element.position = at;
  return element;
}

/** A link end's text: the NIC name, its VirtualBox mode and its address ("eth0 10.0.2.15/24", "eth0 Bridged Adapter dhcp"). */
export function endLabel(node, nicName) {
  if (typeof nicName !== "string") return "";
  const nic = (Array.isArray(node?.nics) ? node.nics : []).find((n) => isObject(n) && n.name === nicName);
  // A VirtualBox mode, when the NIC has one and a cable too, is said at the link's end as well.
  const words = [nicName, modeTitle(nic?.mode), nic && typeof nic.ip === "string" ? nic.ip : ""].filter(Boolean);
  return words.join(" ");
}

/**
 * The hosts a distributed switch spans, as view-only dashed edges from the switch to each member
 * host, labelled with the VNI and the host's underlay NIC: [{id, source, target, label}]. They
 * follow the hosts when they move (an edge is redrawn between its ends).
 */
export function dswitchSpans(doc) {
  const nodes = Array.isArray(doc?.nodes) ? doc.nodes.filter((n) => isObject(n) && typeof n.id === "string") : [];
  const hosts = new Set(nodes.filter((n) => n.kind === "host").map((n) => n.id));
  const out = [];
  for (const sw of nodes) {
    if (sw.kind !== "distributed_switch" || !Array.isArray(sw.members)) continue;
    const seen = new Set();
    for (const member of sw.members) {
      if (!isObject(member) || !hosts.has(member.host) || seen.has(member.host)) continue;
      seen.add(member.host);
      const underlay = typeof member.underlay === "string" ? ` via ${member.underlay}` : "";
      out.push({ id: `span:${sw.id}:${member.host}`, source: sw.id, target: member.host, label: `VNI ${sw.vni ?? "?"}${underlay}` });
    }
  }
  return out;
}

// An expanded NAT network shows its three parts around its own position (view only: the document
// keeps one nat_network node). Offsets from the NAT network's position.
export const NAT_PARTS = Object.freeze([
  { part: "switch", dx: 0, dy: -30 },
  { part: "dhcp", dx: -60, dy: 40 },
  { part: "router", dx: 60, dy: 40 },
]);

/** The view-only parts of an expanded NAT network: three nodes and two edges (element definitions). */
export function natParts(node) {
  const at = isObject(node.position) && finite(node.position.x) && finite(node.position.y) ? node.position : { x: 0, y: 0 };
  const gateway = typeof node.gateway === "string" ? node.gateway : "";
  const range = isObject(node.dhcp) ? `${node.dhcp.range_start ?? "?"}–${node.dhcp.range_end ?? "?"}` : "off";
  const labels = {
    switch: "switch",
    dhcp: `DHCP server\n${range}`,
    router: `NAT router\n${gateway}${node.uplink ? ` → ${node.uplink}` : ""}`,
  };
  const id = (part) => `part:${node.id}:${part}`;
  const elements = NAT_PARTS.map(({ part, dx, dy }) => ({
    group: "nodes",
    data: { id: id(part), kind: `nat_${part}`, label: labels[part], parent: node.id, part: true },
    classes: `nat-part nat-${part}`,
    position: { x: at.x + dx, y: at.y + dy },
    selectable: false,
    grabbable: false,
  }));
  for (const part of ["dhcp", "router"]) {
    elements.push({ group: "edges", data: { id: `part:${node.id}:${part}-switch`, source: id(part), target: id("switch"), part: true }, classes: "nat-part", selectable: false });
  }
  return elements;
}

/**
 * Turns a design document into Cytoscape element definitions.
 * Unknown or malformed entries are skipped rather than thrown on: the server validated the
 * document already, and a viewer must still see whatever part of it makes sense.
 * `view.expanded`: ids of NAT networks drawn with their parts (a view choice, not in the document).
 */
export function documentToElements(doc, view = {}) {
  const expanded = view.expanded ?? new Set();
  const nodes = Array.isArray(doc?.nodes) ? doc.nodes.filter((n) => isObject(n) && typeof n.id === "string") : [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const elements = [];
  for (const node of nodes) {
    const data = { id: node.id, kind: String(node.kind ?? "unknown"), label: nodeLabel(node) };
    const host = byId.get(node.host);
    if (host && host.kind === "host" && host.id !== node.id) {
      data.parent = host.id;
    }
    const open = node.kind === "nat_network" && expanded.has(node.id);
    if (open) data.expanded = true;
    const element = { group: "nodes", data, classes: open ? `${data.kind} expanded` : data.kind };
    if (isObject(node.position) && finite(node.position.x) && finite(node.position.y)) {
      element.position = { x: node.position.x, y: node.position.y };
    }
    elements.push(element);
    if (open) elements.push(...natParts(node));
  }
  for (const node of nodes) {
    if (node.kind !== "host") continue;
    const guests = nodes.filter((n) => n.host === node.id && n.id !== node.id && isObject(n.position) && finite(n.position.x) && finite(n.position.y));
    const part = hostOsPart(node, guests.map((n) => n.position));
    if (part) elements.push(part);
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
        // What the canvas writes at each end: the NIC and its address.
        sourceText: endLabel(byId.get(link.a.node), link.a.nic),
        targetText: endLabel(byId.get(link.b.node), link.b.nic),
      },
    });
  });
  for (const span of dswitchSpans(doc)) {
    elements.push({
      group: "edges",
      data: { id: span.id, source: span.source, target: span.target, label: span.label, part: true },
      classes: "dswitch-span",
      selectable: false,
    });
  }
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
