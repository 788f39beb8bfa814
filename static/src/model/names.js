// Fresh ids and names for new objects: "vm1", "vm2", ... per kind prefix, links "l1", "l2", ...,
// NICs "eth0", "eth1", ... on their node.
//
// A new object takes one more than the highest number in use, not the lowest free one, so a VM
// added after "vm2" was deleted is "vm4", never a second "vm2" that an old pcap, a note or a
// teacher's sentence still means (Packet Tracer numbers the same way). Everything is computed from
// the document alone: the same document and edit give the same ids, with no counter kept aside.

import { list } from "./json.js";

// Ids: a letter, then up to 63 letters, digits, '-' or '_' (schema $defs/id).
const MAX_ID = 64;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The highest N such that `prefix + N` is in `taken` (0 when none; a bare `prefix` counts as 1). */
function highest(prefix, taken) {
  const pattern = new RegExp(`^${escapeRegExp(prefix)}([0-9]{1,9})$`);
  let max = 0;
  for (const name of taken) {
    if (name === prefix) max = Math.max(max, 1);
    const m = pattern.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

/** `prefix` + (highest number in use + 1), not in `taken` (a Set, updated). */
export function nextName(prefix, taken, first = 1) {
  let n = Math.max(first, highest(prefix, taken) + 1);
  let name = `${prefix}${n}`;
  while (taken.has(name)) {
    n += 1;
    name = `${prefix}${n}`;
  }
  taken.add(name);
  return name;
}

/** Everything a new node's id must differ from: node ids and what nodes are called. */
export function takenNodeNames(doc) {
  const taken = new Set();
  for (const node of list(doc, "nodes")) {
    taken.add(node.id);
    if (typeof node.name === "string") taken.add(node.name);
  }
  return taken;
}

/** A fresh node id for `prefix` (its name too, since a node's name defaults to its id). */
export function freshNodeId(prefix, taken) {
  const safe = /^[A-Za-z]/.test(prefix) ? prefix.slice(0, MAX_ID - 9) : `n${prefix}`.slice(0, MAX_ID - 9);
  return nextName(safe, taken);
}

/**
 * A fresh display name from an existing one: "web" -> "web2", "vm3" -> "vm5" when vm4 exists.
 * The trailing number is dropped and the family renumbered, as a copy is named in most editors.
 */
export function freshCopyName(name, taken) {
  const base = name.replace(/[0-9]+$/, "") || name;
  return nextName(base, taken, 2);
}

/** Link ids in use. */
export function takenLinkIds(doc) {
  return new Set(list(doc, "links").map((link) => link.id));
}

/** A fresh link id: "l1", "l2", ... */
export function freshLinkId(taken) {
  return nextName("l", taken);
}

/** The first "ethN" (N from 0, as Linux numbers) not used on `node`. */
export function freshNicName(node) {
  const names = new Set(list(node, "nics").map((nic) => nic.name));
  let n = 0;
  while (names.has(`eth${n}`)) n += 1;
  return `eth${n}`;
}
