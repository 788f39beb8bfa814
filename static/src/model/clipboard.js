// Copy and paste of a selection, as a JSON payload that can sit on the system clipboard as text.
//
// Copy takes the selected nodes, what is placed on them (a host's VMs come with it, as they are
// drawn inside it) and the links among them. Captures and script steps stay behind: they belong
// to the lesson, and a pasted copy that pinged on its own at second 1 would surprise.
//
// Paste gives every node a fresh id and name (vm1 -> vm4, "web" -> "web2"), every NIC a fresh
// MAC (mac.js: VirtualBox's 08:00:27 for VMs, locally administered 02: otherwise, never one the
// document already uses), offsets positions so the copy does not hide the original, and re-points
// links and placements to the new ids. A guest whose host was not copied stays on that host when
// it is in the document (duplicating a VM clones it on the same machine, as VirtualBox does),
// else goes to `opts.host` or the nearest host; with no host at all a VM or container cannot be
// pasted and is reported in `dropped`. Addresses are copied as they are: the design checks then
// point at the IP conflict, which is what a clone of a statically addressed machine really has.

import { clone, isObject, list, q } from "./json.js";
import { kindOf } from "./kinds.js";
import { freshMac, usedMacs } from "./mac.js";
import { freshCopyName, freshLinkId, freshNodeId, takenLinkIds, takenNodeNames } from "./names.js";
import { nearestHost, withPlaced } from "./document.js";

export const PAYLOAD_FORMAT = "netdesigner/selection";
export const PASTE_OFFSET = Object.freeze({ dx: 40, dy: 40 });

/** The payload for nodes `ids` of `doc` (plus their placed guests and the links among them). */
export function copySelection(doc, ids) {
  const chosen = withPlaced(doc, ids);
  const nodes = list(doc, "nodes").filter((node) => chosen.has(node.id));
  const links = list(doc, "links").filter((link) => chosen.has(link.a.node) && chosen.has(link.b.node));
  return { format: PAYLOAD_FORMAT, version: 1, nodes: clone(nodes), links: clone(links) };
}

/** True when `value` looks like a payload made by copySelection (e.g. text read back from the clipboard). */
export function isPayload(value) {
  return (
    isObject(value) &&
    value.format === PAYLOAD_FORMAT &&
    value.version === 1 &&
    Array.isArray(value.nodes) &&
    Array.isArray(value.links) &&
    value.nodes.every((n) => isObject(n) && typeof n.id === "string" && typeof n.kind === "string")
  );
}

/**
 * `{doc, created, dropped}`: `doc` with `payload` pasted; `created` maps each payload node id to
 * its new id (also `created` links under `links`), `dropped` lists payload node ids that could
 * not be placed. opts: `offset` {dx, dy} (default PASTE_OFFSET), `host` (where guests whose host
 * was not copied go).
 */
export function paste(kinds, doc, payload, opts = {}) {
  if (!isPayload(payload)) throw new TypeError("not a copied selection");
  const offset = opts.offset ?? PASTE_OFFSET;
  const taken = takenNodeNames(doc);
  const macs = usedMacs(doc);
  const inPayload = new Set(payload.nodes.map((n) => n.id));
  const newIds = new Map();
  // Fresh ids first, so placements can point at hosts pasted later in the list.
  for (const node of payload.nodes) newIds.set(node.id, freshNodeId(kindOf(kinds, node.kind).prefix, taken));
  const nodes = [];
  const created = {};
  const dropped = [];
  let out = doc;
  for (const node of payload.nodes) {
    const kind = kindOf(kinds, node.kind);
    const id = newIds.get(node.id);
    const next = { ...clone(node), id };
    if (typeof node.name === "string") next.name = freshCopyName(node.name, taken);
    if (isObject(node.position)) {
      next.position = { x: node.position.x + offset.dx, y: node.position.y + offset.dy };
    }
    if (typeof node.host === "string") {
      const host = placementFor(kinds, out, kind, node, inPayload, newIds, opts.host, next.position);
      if (host === null && kind.placementRequired) {
        dropped.push(node.id);
        continue;
      }
      if (host === null) delete next.host;
      else next.host = host;
    }
    if (Array.isArray(node.nics)) {
      next.nics = node.nics.map((nic) => ({ ...nic, mac: freshMac(macs, node.kind, id, nic.name) }));
    }
    nodes.push(next);
    created[node.id] = id;
  }
  const kept = new Set(nodes.map((n) => n.id));
  const linkIds = takenLinkIds(doc);
  const createdLinks = {};
  const links = [];
  for (const link of payload.links) {
    const a = { ...link.a, node: newIds.get(link.a.node) };
    const b = { ...link.b, node: newIds.get(link.b.node) };
    if (!kept.has(a.node) || !kept.has(b.node)) continue;
    const id = freshLinkId(linkIds);
    createdLinks[link.id] = id;
    links.push({ ...clone(link), id, a, b });
  }
  if (!nodes.length) return { doc, created: {}, links: {}, dropped };
  out = { ...out, nodes: [...list(out, "nodes"), ...nodes] };
  if (links.length) out.links = [...list(out, "links"), ...links];
  return { doc: out, created, links: createdLinks, dropped };
}

function placementFor(kinds, doc, kind, node, inPayload, newIds, preferred, position) {
  if (inPayload.has(node.host)) return newIds.get(node.host);
  const fits = (id) => {
    const target = list(doc, "nodes").find((n) => n.id === id);
    return target !== undefined && kind.placedOn.includes(target.kind);
  };
  if (preferred !== undefined && preferred !== null) {
    if (!fits(preferred)) throw new RangeError(`cannot paste onto ${q(preferred)}: not a ${kind.placedOn.join(" or ")}`);
    return preferred;
  }
  if (fits(node.host)) return node.host;
  return kind.placementRequired ? nearestHost(kinds, doc, kind.kind, position) : null;
}
