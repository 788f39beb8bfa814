// Cables and NICs: connect, disconnect, add, remove and rename NICs (design-document.md, Links).
//
// A link end on a switch names no NIC (a switch grows a port per link); an end on a node with
// NICs names one, and a NIC is on at most one link. connect picks the first free NIC in the
// node's order, or adds "ethN" when all are taken, as plugging a cable into a machine with no
// free port in a simulator adds an adapter rather than refusing.

import { list, q } from "./json.js";
import { kindOf } from "./kinds.js";
import { freshMac, usedMacs } from "./mac.js";
import { freshLinkId, freshNicName, takenLinkIds } from "./names.js";
import { dropDependents, removeNodes, requireNode, updateNode } from "./document.js";
import { addressInternetLink, followHostNic } from "./defaults.js";

const NIC_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;

/** The link that has NIC `nic` of `nodeId` at one end, or undefined. */
export function linkOnNic(doc, nodeId, nic) {
  return list(doc, "links").find(
    (link) => (link.a.node === nodeId && link.a.nic === nic) || (link.b.node === nodeId && link.b.nic === nic),
  );
}

/** The names of the NICs of `nodeId` that are on no link, in the node's order. */
export function freeNics(doc, nodeId) {
  const node = requireNode(doc, nodeId);
  const busy = new Set();
  for (const link of list(doc, "links")) {
    for (const end of [link.a, link.b]) if (end.node === nodeId && end.nic !== undefined) busy.add(end.nic);
  }
  return list(node, "nics")
    .map((nic) => nic.name)
    .filter((name) => !busy.has(name));
}

/**
 * `doc` with NIC `opts.name` (else the first free ethN) added to `nodeId`, with `opts.mac` (else
 * a fresh one) and `opts.ip` when given.
 */
export function addNic(kinds, doc, nodeId, opts = {}) {
  const node = requireNode(doc, nodeId);
  const kind = kindOf(kinds, node.kind);
  if (!kind.hasNics) throw new TypeError(`a ${kind.noun} (${q(nodeId)}) has no NICs: links plug into its ports`);
  const name = opts.name ?? freshNicName(node);
  if (!NIC_NAME.test(name)) throw new RangeError(`not a NIC name: ${q(name)}`);
  if (list(node, "nics").some((nic) => nic.name === name)) {
    throw new RangeError(`node ${q(nodeId)} already has a NIC ${q(name)}`);
  }
  const nic = { name, mac: opts.mac ?? freshMac(usedMacs(doc), node.kind, nodeId, name) };
  if (opts.ip !== undefined) nic.ip = opts.ip;
  return updateNode(doc, nodeId, (n) => ({ ...n, nics: [...list(n, "nics"), nic] }));
}

/**
 * `doc` without NIC `nic` of `nodeId`, and without its link, the captures on it (or on its link)
 * and the routes through it: Linux drops a device's routes when the device goes away.
 */
export function removeNic(doc, nodeId, nic) {
  const node = requireNode(doc, nodeId);
  if (!list(node, "nics").some((n) => n.name === nic)) throw new RangeError(`node ${q(nodeId)} has no NIC ${q(nic)}`);
  let out = updateNode(doc, nodeId, (n) => {
    const next = { ...n, nics: n.nics.filter((x) => x.name !== nic) };
    if (Array.isArray(n.routes) && n.routes.some((r) => r.dev === nic)) {
      next.routes = n.routes.filter((r) => r.dev !== nic);
    }
    return next;
  });
  const link = linkOnNic(doc, nodeId, nic);
  out = dropDependents(out, new Set(), new Set(link ? [link.id] : []));
  const followed = followHostNic(out, nodeId, nic, null);
  out = followed.orphans.length ? removeNodes(followed.doc, followed.orphans) : followed.doc;
  if (Array.isArray(out.captures)) {
    const captures = out.captures.filter((c) => !(c.node === nodeId && c.nic === nic));
    if (captures.length !== out.captures.length) out = { ...out, captures };
  }
  return out;
}

/** `doc` with NIC `from` of `nodeId` renamed `to`, and every link end, capture and route following it. */
export function renameNic(doc, nodeId, from, to) {
  const node = requireNode(doc, nodeId);
  if (from === to) return doc;
  if (!NIC_NAME.test(to)) throw new RangeError(`not a NIC name: ${q(to)}`);
  const nics = list(node, "nics");
  if (!nics.some((n) => n.name === from)) throw new RangeError(`node ${q(nodeId)} has no NIC ${q(from)}`);
  if (nics.some((n) => n.name === to)) throw new RangeError(`node ${q(nodeId)} already has a NIC ${q(to)}`);
  let out = updateNode(doc, nodeId, (n) => {
    const next = { ...n, nics: nics.map((x) => (x.name === from ? { ...x, name: to } : x)) };
    if (Array.isArray(n.routes) && n.routes.some((r) => r.dev === from)) {
      next.routes = n.routes.map((r) => (r.dev === from ? { ...r, dev: to } : r));
    }
    return next;
  });
  const end = (e) => (e.node === nodeId && e.nic === from ? { ...e, nic: to } : e);
  if (Array.isArray(out.links) && linkOnNic(out, nodeId, from)) {
    out = { ...out, links: out.links.map((l) => (end(l.a) !== l.a || end(l.b) !== l.b ? { ...l, a: end(l.a), b: end(l.b) } : l)) };
  }
  if (Array.isArray(out.captures) && out.captures.some((c) => c.node === nodeId && c.nic === from)) {
    out = { ...out, captures: out.captures.map((c) => (c.node === nodeId && c.nic === from ? { ...c, nic: to } : c)) };
  }
  return followHostNic(out, nodeId, from, to).doc;
}

/**
 * `doc` with a new link between ends `a` and `b` ({node, nic?}). On a switch the end names no
 * NIC; on a node with NICs it uses `nic` (added when the node has no NIC of that name, refused
 * when that NIC is already on a link), else the first free NIC, else a new ethN.
 * opts: `id` (else l1, l2, ...), `delay_us`.
 */
export function connect(kinds, doc, a, b, opts = {}) {
  if (a.node === b.node) throw new RangeError(`cannot connect ${q(a.node)} to itself`);
  const id = opts.id ?? freshLinkId(takenLinkIds(doc));
  if (takenLinkIds(doc).has(id)) throw new RangeError(`link id ${q(id)} is already taken`);
  let out = doc;
  const ends = [a, b].map((end) => {
    const node = requireNode(out, end.node);
    const kind = kindOf(kinds, node.kind);
    if (kind.isSwitch) {
      if (end.nic !== undefined) {
        throw new TypeError(`${q(end.node)} is a switch: a link end on a switch names no NIC (each link gets its own port)`);
      }
      return { node: end.node };
    }
    let nic = end.nic;
    if (nic === undefined) {
      nic = freeNics(out, end.node)[0];
      if (nic === undefined) {
        nic = freshNicName(node);
        out = addNic(kinds, out, end.node, { name: nic });
      }
    } else if (!list(node, "nics").some((n) => n.name === nic)) {
      out = addNic(kinds, out, end.node, { name: nic });
    } else {
      const busy = linkOnNic(out, end.node, nic);
      if (busy) throw new RangeError(`NIC ${q(nic)} of ${q(end.node)} is already on link ${q(busy.id)}: a NIC takes one link`);
    }
    return { node: end.node, nic };
  });
  const link = { id, a: ends[0], b: ends[1] };
  if (opts.delay_us !== undefined) link.delay_us = opts.delay_us;
  return addressInternetLink({ ...out, links: [...list(out, "links"), link] }, link);
}

/** `doc` without links `ids` and the captures on them (the NICs stay, with their captures). */
export function disconnect(doc, ids) {
  const gone = new Set(ids);
  if (!list(doc, "links").some((link) => gone.has(link.id))) return doc;
  return dropDependents(doc, new Set(), gone);
}
