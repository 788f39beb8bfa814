// Small helpers over plain JSON values. The model never mutates a document it was given: every
// edit builds new objects along the changed path and shares everything else (structural sharing),
// so "did this node change?" is an identity check (`===`) and a diff costs one pass.

/** True for a plain JSON object (not an array, not null). */
export function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Deep equality of two JSON values; object key order does not matter (JSON objects are unordered). */
export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !deepEqual(a[key], b[key])) return false;
  }
  return true;
}

/** A deep copy of a JSON value (used only where a payload must not alias the document). */
export function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** The document's list under `key`, or an empty list when the key is absent (design-document.md: defaults). */
export function list(doc, key) {
  const found = doc?.[key];
  return Array.isArray(found) ? found : [];
}

/** The node with `id`, or undefined. */
export function findNode(doc, id) {
  return list(doc, "nodes").find((node) => node.id === id);
}

/** Quote a value for an error message, as the Python side does: 'vm1'. */
export function q(value) {
  return `'${String(value)}'`;
}
