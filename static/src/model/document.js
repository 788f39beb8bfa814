// Pure edits of a design document (docs/design-document.md): each takes a document and returns a
// new one, never changing its input, sharing every node, link and list it did not touch. An edit
// that changes nothing returns its input itself, so `next === doc` means "no change".
//
// Bad calls throw at once, naming the object and the value: an unknown node,
// a kind that cannot be placed there, an id already taken. A valid document stays valid in the
// ways the model controls (unique ids, links to existing nodes and NICs, a NIC on at most one
// link, placements on hosts); field values are the properties panel's to validate (ajv).
//
// Kind knowledge (which kinds have NICs, which are switches, what may be placed on what) comes
// from the registry made by kindsFromSchema (kinds.js), passed as the first argument `kinds`.
//
// Wiring (connect, disconnect, NICs) lives in wiring.js and property paths in properties.js;
// both are re-exported here, so this module is the one door to document edits.

import { isObject, list, findNode, q } from "./json.js";
import { kindOf } from "./kinds.js";
import { freshMac, usedMacs } from "./mac.js";
import { freshNodeId, takenNodeNames } from "./names.js";
import { leaveHosts, requiredDefaults, withUplinkAddress } from "./defaults.js";

export { connect, disconnect, addNic, removeNic, renameNic, freeNics, linkOnNic } from "./wiring.js";
export { setProperty, getProperty, parsePath, formatPath, stablePath } from "./properties.js";

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** An empty design (version 1). */
export function emptyDocument(name = "Untitled design") {
  return { version: 1, name, nodes: [], links: [] };
}

/** The node `id`, or a thrown error naming it. */
export function requireNode(doc, id) {
  const node = findNode(doc, id);
  if (!node) throw new RangeError(`unknown node ${q(id)}`);
  return node;
}

/** `doc` with node `id` replaced by `update(node)`; the same `doc` when update returns the node. */
export function updateNode(doc, id, update) {
  const nodes = list(doc, "nodes");
  const at = nodes.findIndex((node) => node.id === id);
  if (at < 0) throw new RangeError(`unknown node ${q(id)}`);
  const next = update(nodes[at]);
  if (next === nodes[at]) return doc;
  const copy = [...nodes];
  copy[at] = next;
  return { ...doc, nodes: copy };
}

/** The id addNode would give a new node of `kind` ("vm3" after vm1 and vm2). */
export function nextNodeId(kinds, doc, kind) {
  return freshNodeId(kindOf(kinds, kind).prefix, takenNodeNames(doc));
}

/** The nodes placed on `hostId` (its VMs, containers, virtual switches). */
export function placedOn(doc, hostId) {
  return list(doc, "nodes").filter((node) => node.host === hostId);
}

/**
 * A host for a new node of a kind that must be placed: the one nearest to `at` (ties: the first
 * in the document), or null when the design has none.
 */
export function nearestHost(kinds, doc, kind, at) {
  const targets = kindOf(kinds, kind).placedOn;
  let best = null;
  let bestDistance = Infinity;
  for (const node of list(doc, "nodes")) {
    if (!targets.includes(node.kind)) continue;
    const p = isObject(node.position) ? node.position : { x: 0, y: 0 };
    const distance = at ? (p.x - at.x) ** 2 + (p.y - at.y) ** 2 : 0;
    if (distance < bestDistance) {
      best = node.id;
      bestDistance = distance;
    }
  }
  return best;
}

function checkPlacement(kinds, doc, node, hostId) {
  const kind = kindOf(kinds, node.kind);
  if (!kind.placedOn.length) throw new TypeError(`a ${kind.noun} (${q(node.id)}) is not placed on a host`);
  const host = findNode(doc, hostId);
  if (!host) throw new RangeError(`unknown node ${q(hostId)}`);
  if (!kind.placedOn.includes(host.kind)) {
    throw new TypeError(`${q(hostId)} is a ${kindOf(kinds, host.kind).noun}: a ${kind.noun} can only be placed on a ${kind.placedOn.join(" or ")}`);
  }
}

/**
 * `doc` with a new node of `kind` at `at` ({x, y}, optional).
 * opts: `id` (else the next free one: vm1, vm2, ...), `name`, `host` (for kinds placed on a host;
 * a VM or container without one goes on the nearest host, and throws when there is none),
 * `props` (more fields, e.g. {guest_os: "Ubuntu 24.04"}). A kind with NICs starts with one, eth0,
 * with a fresh MAC, as VirtualBox gives a new VM its first adapter.
 */
export function addNode(kinds, doc, kind, at, opts = {}) {
  const k = kindOf(kinds, kind);
  const id = opts.id ?? nextNodeId(kinds, doc, kind);
  if (!ID.test(id)) throw new RangeError(`not a node id: ${q(id)}`);
  if (findNode(doc, id)) throw new RangeError(`node id ${q(id)} is already taken`);
  // id, kind and host are the model's to set: a `host` in props goes through the placement rules.
  const { host: propsHost, ...props } = opts.props ?? {};
  const node = { ...props, id, kind };
  if (typeof opts.name === "string" && opts.name !== id) node.name = opts.name;
  if (at) node.position = { x: at.x, y: at.y };
  let host = opts.host ?? propsHost ?? null;
  if (host === null && k.placementRequired) {
    host = nearestHost(kinds, doc, kind, at);
    if (host === null) throw new RangeError(`a ${k.noun} needs a ${k.placedOn.join(" or ")} to run on: add one first`);
  }
  if (host !== null) {
    checkPlacement(kinds, doc, node, host);
    node.host = host;
  }
  if (k.hasNics && !Array.isArray(node.nics)) {
    node.nics = [{ name: "eth0", mac: freshMac(usedMacs(doc), kind, id, "eth0") }];
  }
  for (const [field, value] of Object.entries(requiredDefaults(doc, node))) {
    if (!(field in node)) node[field] = value;
  }
  const added = { ...doc, nodes: [...list(doc, "nodes"), node] };
  return node.kind === "nat_network" ? withUplinkAddress(added, node) : added;
}

/** The ids plus every node placed on one of them (moving or deleting a host takes its guests). */
export function withPlaced(doc, ids) {
  const set = new Set(ids);
  for (const node of list(doc, "nodes")) {
    if (typeof node.host === "string" && set.has(node.host)) set.add(node.id);
  }
  return set;
}

/**
 * `doc` with nodes `ids` (and what is placed on them, as the canvas draws guests inside their
 * host) moved by `delta` {dx, dy}. A node without a position has nowhere to move from: skipped.
 */
export function moveNodes(doc, ids, delta) {
  if (!delta.dx && !delta.dy) return doc;
  const moving = withPlaced(doc, ids);
  let changed = false;
  const nodes = list(doc, "nodes").map((node) => {
    if (!moving.has(node.id) || !isObject(node.position)) return node;
    changed = true;
    return { ...node, position: { x: node.position.x + delta.dx, y: node.position.y + delta.dy } };
  });
  return changed ? { ...doc, nodes } : doc;
}

/** `doc` with the positions in `positions` ({id: {x, y}}), e.g. after an automatic layout. */
export function setPositions(doc, positions) {
  let changed = false;
  const nodes = list(doc, "nodes").map((node) => {
    const p = Object.prototype.hasOwnProperty.call(positions, node.id) ? positions[node.id] : undefined;
    if (!p || (isObject(node.position) && node.position.x === p.x && node.position.y === p.y)) return node;
    changed = true;
    return { ...node, position: { x: p.x, y: p.y } };
  });
  return changed ? { ...doc, nodes } : doc;
}

/**
 * `doc` without nodes `ids`, and without what depended on them: the nodes placed on them (a VM
 * cannot exist without its host, and the canvas draws it inside the host, so it goes with it, as
 * a compound node's children do; one undo brings all back), their links, the captures on those
 * nodes or links, and the script steps typed on them.
 */
export function removeNodes(doc, ids) {
  let gone = withPlaced(doc, ids);
  const nodes = list(doc, "nodes");
  if (!nodes.some((node) => gone.has(node.id))) return doc;
  // A distributed switch left spanning no host goes too (defaults.js: leaveHosts).
  const { doc: left, orphans } = leaveHosts(doc, gone);
  if (orphans.length) gone = withPlaced(left, [...gone, ...orphans]);
  doc = left;
  const links = list(doc, "links");
  const goneLinks = new Set(
    links.filter((link) => gone.has(link.a.node) || gone.has(link.b.node)).map((link) => link.id),
  );
  const out = { ...doc, nodes: list(doc, "nodes").filter((node) => !gone.has(node.id)) };
  return dropDependents(out, gone, goneLinks);
}

/** `doc` without links `goneLinks`, and captures/script steps on nodes `gone` or those links. */
export function dropDependents(doc, gone, goneLinks) {
  const out = { ...doc };
  if (goneLinks.size && Array.isArray(doc.links)) out.links = doc.links.filter((link) => !goneLinks.has(link.id));
  if (Array.isArray(doc.captures)) {
    const captures = doc.captures.filter((c) => !gone.has(c.node) && !goneLinks.has(c.link));
    if (captures.length !== doc.captures.length) out.captures = captures;
  }
  if (Array.isArray(doc.script)) {
    const script = doc.script.filter((step) => !gone.has(step.node));
    if (script.length !== doc.script.length) out.script = script;
  }
  return out;
}

/**
 * `doc` with node `nodeId` placed on host `hostId`, or taken off any host with null (refused for
 * a VM or container, which cannot run outside a hypervisor). Links and position are kept.
 */
export function placeOn(kinds, doc, nodeId, hostId) {
  const node = requireNode(doc, nodeId);
  const kind = kindOf(kinds, node.kind);
  if (hostId === null || hostId === undefined) {
    if (kind.placementRequired) throw new TypeError(`a ${kind.noun} (${q(nodeId)}) must stay on a host`);
    if (node.host === undefined) return doc;
    return updateNode(doc, nodeId, ({ host: _dropped, ...rest }) => rest);
  }
  if (node.host === hostId) return doc;
  checkPlacement(kinds, doc, node, hostId);
  return updateNode(doc, nodeId, (n) => ({ ...n, host: hostId }));
}
