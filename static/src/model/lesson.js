// The lesson parts of a design: capture points and the timed script (design-document.md,
// Captures and Script). A capture names a node's NIC or a link, never both; a script step types a
// command on a node's console at a simulated second. Both refer to things by id, and the model's
// node, NIC and link edits keep those references sound (document.js, wiring.js).

import { deepEqual, findNode, isObject, list, q } from "./json.js";

/** The capture `{node, nic}` or `{link}` as stored, after checking it names something that exists. */
function captureOf(doc, capture) {
  if (isObject(capture) && typeof capture.link === "string" && capture.node === undefined && capture.nic === undefined) {
    if (!list(doc, "links").some((link) => link.id === capture.link)) throw new RangeError(`unknown link ${q(capture.link)}`);
    return { link: capture.link };
  }
  if (isObject(capture) && typeof capture.node === "string" && typeof capture.nic === "string" && capture.link === undefined) {
    const node = findNode(doc, capture.node);
    if (!node) throw new RangeError(`unknown node ${q(capture.node)}`);
    if (!list(node, "nics").some((nic) => nic.name === capture.nic)) {
      throw new RangeError(`node ${q(capture.node)} has no NIC ${q(capture.nic)}`);
    }
    return { node: capture.node, nic: capture.nic };
  }
  throw new TypeError("a capture names a link, or a node and one of its NICs, never both");
}

/** `doc` capturing at `capture` (no change when that point is already captured). */
export function addCapture(doc, capture) {
  const point = captureOf(doc, capture);
  if (list(doc, "captures").some((c) => deepEqual(c, point))) return doc;
  return { ...doc, captures: [...list(doc, "captures"), point] };
}

/** `doc` no longer capturing at `capture`. */
export function removeCapture(doc, capture) {
  const captures = list(doc, "captures").filter((c) => !deepEqual(c, capture));
  return captures.length === list(doc, "captures").length ? doc : { ...doc, captures };
}

/**
 * `doc` with the step `{at, node, command}` in the script, kept in time order (a step at the same
 * second as others goes after them: the order they were typed in).
 */
export function addStep(doc, step) {
  if (!findNode(doc, step.node)) throw new RangeError(`unknown node ${q(step.node)}`);
  if (typeof step.at !== "number" || !(step.at >= 0)) throw new RangeError(`not a time in seconds: ${q(step.at)}`);
  if (typeof step.command !== "string" || !step.command.trim()) throw new RangeError("a script step needs a command");
  const script = [...list(doc, "script")];
  let at = script.length;
  while (at > 0 && script[at - 1].at > step.at) at -= 1;
  script.splice(at, 0, { at: step.at, node: step.node, command: step.command });
  return { ...doc, script };
}

/** `doc` without script step `index`. */
export function removeStep(doc, index) {
  const script = list(doc, "script");
  if (!Number.isInteger(index) || index < 0 || index >= script.length) throw new RangeError(`no script step ${index}`);
  return { ...doc, script: script.filter((_, i) => i !== index) };
}
