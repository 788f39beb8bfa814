// Property paths: the spelling of validation problems (`nodes[3].nics[0].mac`, see
// simcore/design/paths.py), plus selectors that survive concurrent edits: `nodes[vm1].nics[eth0].mac`.
//
// An index in brackets is a number; anything else in brackets is an id (nodes, links) or a NIC
// name (nics). Ids and NIC names start with a letter (schema patterns), so the two never clash.
// A key that is not an identifier is written JSON-quoted: `["a key"]`.
//
// setProperty resolves a path to node ids and NIC names before it edits, so a panel that holds
// `nodes[2]...` while a collaborator inserts a node edits the node it showed if it asked
// stablePath first, and the recorded change is addressed by id either way (diff.js).

import { deepEqual, isObject, list, q } from "./json.js";
import { placeOn, updateNode } from "./document.js";
import { renameNic } from "./wiring.js";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `"nodes[vm1].nics[0].mac"` -> `["nodes", {id: "vm1"}, "nics", 0, "mac"]`; throws on bad syntax. */
export function parsePath(path) {
  const out = [];
  let rest = path;
  let first = true;
  while (rest.length) {
    let m;
    if ((m = /^\[([0-9]+)\]/.exec(rest))) out.push(Number(m[1]));
    else if ((m = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest))) out.push(JSON.parse(m[1]));
    else if ((m = /^\[([A-Za-z][A-Za-z0-9_.-]*)\]/.exec(rest))) out.push({ id: m[1] });
    else if ((m = (first ? /^([A-Za-z_][A-Za-z0-9_]*)/ : /^\.([A-Za-z_][A-Za-z0-9_]*)/).exec(rest))) out.push(m[1]);
    else throw new SyntaxError(`not a document path: ${q(path)}`);
    rest = rest.slice(m[0].length);
    first = false;
  }
  if (!out.length) throw new SyntaxError("not a document path: ''");
  return out;
}

/** The inverse of parsePath. */
export function formatPath(elements) {
  return elements
    .map((e, i) => {
      if (typeof e === "number") return `[${e}]`;
      if (isObject(e)) return `[${e.id}]`;
      if (IDENT.test(e)) return i ? `.${e}` : e;
      return `[${JSON.stringify(e)}]`;
    })
    .join("");
}

// The list a selector picks from, and how it names its elements.
const SELECTED_BY = { nodes: "id", links: "id", nics: "name" };

/** Index of the element `sel` (a number or {id}) in `items` of list `key`, or -1. */
function indexIn(items, key, sel) {
  if (typeof sel === "number") return sel < items.length ? sel : -1;
  const field = SELECTED_BY[key];
  return field ? items.findIndex((item) => item[field] === sel.id) : -1;
}

/** The same path with node, link and NIC indexes replaced by their ids and names. */
export function stablePath(doc, path) {
  const elements = parsePath(path);
  let value = doc;
  const out = elements.map((e, i) => {
    const key = elements[i - 1];
    let next = e;
    if (Array.isArray(value) && SELECTED_BY[key]) {
      const at = indexIn(value, key, e);
      if (at < 0) throw new RangeError(`no ${q(formatPath(elements.slice(0, i + 1)))} in the document`);
      next = { id: value[at][SELECTED_BY[key]] };
      value = value[at];
      return next;
    }
    value = Array.isArray(value) && typeof e === "number" ? value[e] : isObject(value) && !isObject(e) ? value[e] : undefined;
    return next;
  });
  return formatPath(out);
}

/** The value at `path`, or undefined. */
export function getProperty(doc, path) {
  let value = doc;
  let key;
  for (const e of parsePath(path)) {
    if (Array.isArray(value)) {
      const at = indexIn(value, key, e);
      value = at < 0 ? undefined : value[at];
    } else if (isObject(value) && !isObject(e)) value = value[e];
    else return undefined;
    key = e;
  }
  return value;
}

// Set `value` (null or undefined: remove) at `elements` inside `container`, copying along the way.
function setIn(container, elements, value, where) {
  const [head, ...rest] = elements;
  if (Array.isArray(container)) {
    const at = indexIn(container, where, head);
    if (at < 0 && !(typeof head === "number" && head === container.length && !rest.length)) {
      throw new RangeError(`no element ${q(formatPath([head]))} in ${q(where)}`);
    }
    if (!rest.length) {
      const copy = [...container];
      if (value === null || value === undefined) copy.splice(at, 1);
      else copy[at < 0 ? container.length : at] = value;
      return copy;
    }
    const copy = [...container];
    copy[at] = setIn(container[at], rest, value, head);
    return copy;
  }
  if (!isObject(container) || isObject(head) || typeof head === "number") {
    throw new RangeError(`cannot set ${q(formatPath([head]))} inside ${q(where)}`);
  }
  if (!rest.length) {
    const out = { ...container };
    if (value === null || value === undefined) delete out[head];
    else out[head] = value;
    return out;
  }
  const inner = container[head] ?? (typeof rest[0] === "number" ? [] : {});
  return { ...container, [head]: setIn(inner, rest, value, head) };
}

/**
 * `doc` with `value` at `path` (null or undefined removes the field or list element).
 * Ids and kinds are stable and refused here; a node's `host` goes through placeOn's rules; a NIC's
 * `name` through renameNic (links, captures and routes follow it); a link's ends through
 * connect/disconnect. The same value as now returns `doc` itself (no change).
 */
export function setProperty(kinds, doc, path, value) {
  const elements = parsePath(path);
  const [top, sel, field, ...rest] = elements;
  if (top === "version" || ((top === "nodes" || top === "links") && elements.length < 3)) {
    throw new RangeError(`${q(path)} is not a property: use the node and link commands`);
  }
  if (top === "nodes" || top === "links") {
    const items = list(doc, top);
    const at = indexIn(items, top, sel);
    if (at < 0) throw new RangeError(`no ${q(formatPath([top, sel]))} in the document`);
    const id = items[at].id;
    if (field === "id" || field === "kind") {
      throw new RangeError(`${q(path)}: ids and kinds are stable (change the name instead)`);
    }
    if (top === "links") {
      if (field === "a" || field === "b") throw new RangeError(`${q(path)}: link ends change by connect and disconnect`);
      if (sameValue(getProperty(doc, path), value)) return doc;
      const links = [...items];
      links[at] = setIn(items[at], [field, ...rest], value, id);
      return { ...doc, links };
    }
    if (field === "host" && !rest.length) return placeOn(kinds, doc, id, value ?? null);
    if (field === "nics" && rest.length === 2 && rest[1] === "name") {
      const nic = list(items[at], "nics")[indexIn(list(items[at], "nics"), "nics", rest[0])];
      if (!nic) throw new RangeError(`no ${q(formatPath([top, sel, field, rest[0]]))} in the document`);
      return renameNic(doc, id, nic.name, value);
    }
    if (sameValue(getProperty(doc, path), value)) return doc;
    return updateNode(doc, id, (node) => setIn(node, [field, ...rest], value, id));
  }
  if (sameValue(getProperty(doc, path), value)) return doc;
  return setIn(doc, elements, value, "");
}

function sameValue(now, value) {
  if ((now === undefined || now === null) && (value === undefined || value === null)) return true;
  return deepEqual(now, value);
}
