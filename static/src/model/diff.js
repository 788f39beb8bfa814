// Changes as data: a list of small JSON operations that turn one design document into another.
//
// Undo stores these (Excalidraw's store deltas, tldraw's history diffs), not whole documents:
// 200 steps of a 1,000-node design cost 200 small lists, and the same operations can travel over
// the websocket later. Nodes and links are addressed by id, never by index, so a remote edit that
// shifts indexes between an edit and its undo does not make the undo hit the wrong object.
//
// Operations (every one JSON-serialisable; `null` stands for "key absent": no document field is
// ever null, the schema allows none):
//   {op: "insert",  coll, index, prev, value}   put `value` after the element with id `prev`
//                                               (keyed lists), else at `index`
//   {op: "remove",  coll, index, prev, value}   take `value` out (found by id, or by equality)
//   {op: "update",  coll, id, before, after}    set the node's/link's top-level keys in `after`
//   {op: "replace", coll, index, before, after} swap one capture or script step for another
//   {op: "field",   key, before, after}         set (or, with null, remove) a top-level field
// `coll` is one of nodes, links (keyed by id), captures, script (not keyed).
//
// Applying is tolerant, as co-editing needs: an update or removal of an object that is no longer
// there is skipped, an insert of an id that is already there is skipped. On a document nobody
// else touched, apply(diff(a, b)) gives b and apply(invert(diff(a, b))) gives a back, exactly.

import { deepEqual, isObject } from "./json.js";

export const KEYED = Object.freeze(["nodes", "links"]);
export const UNKEYED = Object.freeze(["captures", "script"]);
const COLLECTIONS = new Set([...KEYED, ...UNKEYED]);

/** The operations that turn `before` into `after` (both plain design documents). */
export function diff(before, after) {
  const ops = [];
  // Sorted keys: the same two documents always give the same operations (determinism).
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (a === b) continue;
    if (COLLECTIONS.has(key) && Array.isArray(a) && Array.isArray(b)) {
      const found = KEYED.includes(key) ? diffKeyed(key, a, b) : diffUnkeyed(key, a, b);
      if (found === null) ops.push({ op: "field", key, before: a, after: b });
      else ops.push(...found);
    } else if (!deepEqual(a, b)) {
      ops.push({ op: "field", key, before: a ?? null, after: b ?? null });
    }
  }
  return ops;
}

/** The operations that undo `ops` (applied after them). */
export function invert(ops) {
  const out = [];
  for (let i = ops.length - 1; i >= 0; i -= 1) out.push(invertOne(ops[i]));
  return out;
}

function invertOne(op) {
  switch (op.op) {
    case "insert":
      return { ...op, op: "remove" };
    case "remove":
      return { ...op, op: "insert" };
    case "update":
    case "replace":
    case "field":
      return { ...op, before: op.after, after: op.before };
    default:
      throw new TypeError(`unknown operation ${JSON.stringify(op.op)}`);
  }
}

/** A new document: `doc` with `ops` applied in order. `doc` is not changed. */
export function apply(doc, ops) {
  if (!ops.length) return doc;
  const out = { ...doc };
  const copied = new Set(); // collections already copied in this call: copy each once
  const coll = (name) => {
    if (!copied.has(name)) {
      out[name] = Array.isArray(out[name]) ? [...out[name]] : [];
      copied.add(name);
    }
    return out[name];
  };
  for (const op of ops) {
    if (op.op === "field") {
      if (op.after === null) delete out[op.key];
      else out[op.key] = op.after;
      copied.delete(op.key);
      continue;
    }
    const items = coll(op.coll);
    const keyed = KEYED.includes(op.coll);
    switch (op.op) {
      case "insert": {
        if (keyed && items.some((item) => item.id === op.value.id)) break;
        let at = Math.min(op.index, items.length);
        if (keyed && op.prev !== null && op.prev !== undefined) {
          const prev = items.findIndex((item) => item.id === op.prev);
          if (prev >= 0) at = prev + 1;
        }
        items.splice(at, 0, op.value);
        break;
      }
      case "remove": {
        const at = keyed ? items.findIndex((item) => item.id === op.value.id) : locate(items, op.index, op.value);
        if (at >= 0) items.splice(at, 1);
        break;
      }
      case "update": {
        const at = items.findIndex((item) => item.id === op.id);
        if (at >= 0) items[at] = withProps(items[at], op.after);
        break;
      }
      case "replace": {
        const at = locate(items, op.index, op.before);
        if (at >= 0) items[at] = op.after;
        break;
      }
      default:
        throw new TypeError(`unknown operation ${JSON.stringify(op.op)}`);
    }
  }
  return out;
}

/** `item` with the top-level keys of `props` set (null: removed). */
export function withProps(item, props) {
  const out = { ...item };
  for (const [key, value] of Object.entries(props)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

// An unkeyed element is found by value: at its recorded index when it is still there, else the
// first equal one (a remote edit may have shifted it).
function locate(items, index, value) {
  if (index < items.length && deepEqual(items[index], value)) return index;
  return items.findIndex((item) => deepEqual(item, value));
}

function diffKeyed(coll, a, b) {
  const ops = [];
  const inB = new Map(b.map((item, i) => [item.id, i]));
  const inA = new Map(a.map((item, i) => [item.id, i]));
  // Removals from the end, so each recorded index is right when its inverse re-inserts it.
  for (let i = a.length - 1; i >= 0; i -= 1) {
    if (!inB.has(a[i].id)) ops.push({ op: "remove", coll, index: i, prev: i ? a[i - 1].id : null, value: a[i] });
  }
  const survivorsA = a.filter((item) => inB.has(item.id)).map((item) => item.id);
  const survivorsB = b.filter((item) => inA.has(item.id)).map((item) => item.id);
  // No command reorders; if something did, the whole list is one field operation (still exact).
  if (survivorsA.some((id, i) => id !== survivorsB[i])) return null;
  for (const item of a) {
    const next = inB.has(item.id) ? b[inB.get(item.id)] : undefined;
    if (next === undefined || next === item) continue;
    const change = propsDiff(item, next);
    if (change) ops.push({ op: "update", coll, id: item.id, ...change });
  }
  b.forEach((item, j) => {
    if (!inA.has(item.id)) ops.push({ op: "insert", coll, index: j, prev: j ? b[j - 1].id : null, value: item });
  });
  return ops;
}

/** `{before, after}` of the top-level keys that differ between two objects, or null. */
export function propsDiff(a, b) {
  const before = {};
  const after = {};
  let changed = false;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    if (a[key] === b[key] || deepEqual(a[key], b[key])) continue;
    before[key] = a[key] ?? null;
    after[key] = b[key] ?? null;
    changed = true;
  }
  return changed ? { before, after } : null;
}

function same(x, y) {
  return x === y || deepEqual(x, y);
}

function diffUnkeyed(coll, a, b) {
  let start = 0;
  while (start < a.length && start < b.length && same(a[start], b[start])) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && same(a[endA - 1], b[endB - 1])) {
    endA -= 1;
    endB -= 1;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const ops = [];
  if (midA.length === midB.length) {
    midA.forEach((item, k) => {
      if (!same(item, midB[k])) ops.push({ op: "replace", coll, index: start + k, before: item, after: midB[k] });
    });
    return ops;
  }
  // Pure removals (deleting a node drops its captures here and there) or pure insertions.
  // keepA[k]: midA[k] survives; keepB[k]: midB[k] was already there. Otherwise all of midA goes
  // and all of midB comes (still exact, only larger).
  const keptA = subsequence(midB, midA);
  const keptB = keptA ? null : subsequence(midA, midB);
  const keepA = keptA ?? midA.map(() => keptB !== null);
  const keepB = keptB ?? midB.map(() => keptA !== null);
  for (let k = midA.length - 1; k >= 0; k -= 1) {
    if (!keepA[k]) ops.push({ op: "remove", coll, index: start + k, prev: null, value: midA[k] });
  }
  midB.forEach((item, k) => {
    if (!keepB[k]) ops.push({ op: "insert", coll, index: start + k, prev: null, value: item });
  });
  return ops;
}

// For each element of `longer`, whether it is matched by `shorter` taken in order (greedy), or
// null when `shorter` is not a subsequence of `longer`.
function subsequence(shorter, longer) {
  if (shorter.length > longer.length) return null;
  const kept = longer.map(() => false);
  let s = 0;
  for (let k = 0; k < longer.length && s < shorter.length; k += 1) {
    if (same(longer[k], shorter[s])) {
      kept[k] = true;
      s += 1;
    }
  }
  return s === shorter.length ? kept : null;
}
