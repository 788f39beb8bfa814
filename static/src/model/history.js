// Undo and redo over the design document: two stacks of recorded changes (operations, diff.js),
// capped (200 steps by default), as tldraw's HistoryManager and Excalidraw's history keep deltas
// rather than whole documents.
//
// Capture policy: every change goes through `apply(doc, change,
// {capture})`. Local edits are recorded (capture: true, the default); edits received from a
// collaborator and simulation animation are applied with capture: false and never recorded, so
// Ctrl+Z undoes only what this user did. Recorded operations address nodes and links by id and
// are applied tolerantly, so undo still works after a collaborator's edit shifted indexes; an
// undo of an object a collaborator deleted since is skipped rather than resurrecting it half-way.
//
// Grouping: begin() ... end() makes everything recorded in between one step (a gesture of many
// edits, a drag that updates the document live). Updates of the same node inside a group are
// merged, so a 300-frame drag is one small step; a group that ends where it began records
// nothing. cancel(doc) undoes the open group and forgets it (Escape during a drag).

import { apply, invert } from "./diff.js";
import { deepEqual } from "./json.js";

export const DEFAULT_LIMIT = 200;

/** An entry of the stacks: `{label, ops}`; undoing applies invert(ops), redoing applies ops. */
export class History {
  constructor({ limit = DEFAULT_LIMIT } = {}) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`history limit must be a positive integer, not ${limit}`);
    this.limit = limit;
    this.undoStack = [];
    this.redoStack = [];
    this.group = null; // {label, ops} while begin() is open
    this.depth = 0;
  }

  get canUndo() {
    return this.undoStack.length > 0 || (this.group !== null && this.group.ops.length > 0);
  }

  get canRedo() {
    return this.redoStack.length > 0;
  }

  /** The label of the step Ctrl+Z would undo ("Undo Move"), or null. */
  get undoLabel() {
    return this.undoStack.length ? this.undoStack[this.undoStack.length - 1].label : null;
  }

  get redoLabel() {
    return this.redoStack.length ? this.redoStack[this.redoStack.length - 1].label : null;
  }

  /**
   * The document after `change` ({doc, ops, label?} as commands return, or null for no change),
   * recorded when `capture` is true. A change from elsewhere (capture: false) is only applied:
   * its `ops` are replayed on `doc`, since `change.doc` was computed from someone else's state.
   */
  apply(doc, change, { capture = true } = {}) {
    if (!change) return doc;
    if (!capture) return apply(doc, change.ops);
    this.record({ label: change.label ?? "Edit", ops: change.ops });
    return change.doc;
  }

  /** Records one step (`{label, ops}`); a new step makes the redo stack meaningless, so it is cleared. */
  record(entry) {
    if (!entry.ops.length) return;
    if (this.group) {
      this.group.ops = compact([...this.group.ops, ...entry.ops]);
      if (this.group.label === null) this.group.label = entry.label;
      return;
    }
    this.push({ label: entry.label, ops: entry.ops });
  }

  push(entry) {
    this.undoStack.push(entry);
    if (this.undoStack.length > this.limit) this.undoStack.splice(0, this.undoStack.length - this.limit);
    this.redoStack = [];
  }

  /** Starts a group (nested begins count: only the outermost end closes it). */
  begin(label = null) {
    if (this.depth === 0) this.group = { label, ops: [] };
    this.depth += 1;
  }

  /**
   * Closes the group: what it recorded becomes one step. Nothing is recorded when it recorded
   * nothing, or, given the current `doc`, when undoing it would give the same document (a node
   * added and deleted again within one gesture).
   */
  end(doc) {
    if (this.depth === 0) throw new RangeError("history.end() without begin()");
    this.depth -= 1;
    if (this.depth > 0) return;
    const { label, ops } = this.group;
    this.group = null;
    if (!ops.length) return;
    if (doc !== undefined && deepEqual(apply(doc, invert(ops)), doc)) return;
    this.push({ label: label ?? "Edit", ops });
  }

  /** Undoes the open group on `doc` and forgets it; returns the document as before begin(). */
  cancel(doc) {
    if (this.depth === 0) return doc;
    const ops = this.group.ops;
    this.group = null;
    this.depth = 0;
    return apply(doc, invert(ops));
  }

  /**
   * `{doc, label, ops, notes}` after undoing the last step (an open group is closed first), or
   * null. Co-editing: only what still holds this user's values is reverted (`applicable`); a
   * field someone else changed since, or an object someone deleted, is skipped and named in
   * `notes`. The redo step is what the undo actually did, so n undos then n redos come back.
   */
  undo(doc) {
    while (this.depth > 0) this.end();
    const entry = this.undoStack.pop();
    if (!entry) return null;
    const { ops, notes } = applicable(doc, invert(entry.ops));
    if (ops.length) this.redoStack.push({ label: entry.label, ops: invert(ops), origin: entry });
    return { doc: apply(doc, ops), label: entry.label, ops, notes, entry: this.redoStack.at(-1) };
  }

  /** `{doc, label, ops, notes}` after redoing the last undone step, or null. */
  redo(doc) {
    if (this.depth > 0) return null;
    const entry = this.redoStack.pop();
    if (!entry) return null;
    const { ops, notes } = applicable(doc, entry.ops);
    if (ops.length) this.undoStack.push({ label: entry.label, ops, origin: entry });
    return { doc: apply(doc, ops), label: entry.label, ops, notes, entry: this.undoStack.at(-1) };
  }

  /** The server refused change `change`: its step goes, and an undo or redo it was is put back. */
  refused(change) {
    for (const [from, to] of [[this.undoStack, this.redoStack], [this.redoStack, this.undoStack]]) {
      const at = from.findIndex((e) => e.change === change);
      if (at < 0) continue;
      const [entry] = from.splice(at, 1);
      if (entry.origin) to.push(entry.origin);
    }
  }

  /** The server applied change `change` as `ops` (an id renamed, a value merged): undo that. */
  accepted(change, ops) {
    const undoing = this.undoStack.find((e) => e.change === change);
    if (undoing) undoing.ops = ops;
    const redoing = this.redoStack.find((e) => e.change === change);
    if (redoing) redoing.ops = invert(ops);
  }

  clear() {
    this.undoStack = [];
    this.redoStack = [];
    this.group = null;
    this.depth = 0;
  }
}

/**
 * The same change in fewer operations: an update of a node or link merges into the previous
 * operation on that object when that was an update too (updates of different objects commute,
 * so moving one next to another is safe); an update that ends where it began disappears.
 */
export function compact(ops) {
  const out = [];
  for (const op of ops) {
    if (op.op !== "update") {
      out.push(op);
      continue;
    }
    let j = out.length - 1;
    while (j >= 0 && !touches(out[j], op)) j -= 1;
    if (j < 0 || out[j].op !== "update") {
      out.push(op);
      continue;
    }
    const before = { ...op.before, ...out[j].before };
    const after = { ...out[j].after, ...op.after };
    for (const key of Object.keys(after)) {
      if (deepEqual(before[key], after[key])) {
        delete before[key];
        delete after[key];
      }
    }
    if (Object.keys(after).length) out[j] = { ...out[j], before, after };
    else out.splice(j, 1);
  }
  return out;
}

// Whether `earlier` concerns the object `update` changes (or the whole list it lives in).
function touches(earlier, update) {
  if (earlier.op === "field") return earlier.key === update.coll;
  if (earlier.coll !== update.coll) return false;
  if (earlier.op === "update") return earlier.id === update.id;
  return earlier.value?.id === update.id;
}

/**
 * The part of `ops` that still applies to `doc` as recorded: an update or field only where the
 * document still holds the recorded `before`; a removal only of what is there; a re-insert only
 * of an id that is free. `notes` names what was skipped, in words.
 */
export function applicable(doc, ops) {
  const out = [];
  const notes = [];
  let current = doc;
  for (const op of ops) {
    const items = op.coll ? (current[op.coll] ?? []) : null;
    const keyed = op.coll === "nodes" || op.coll === "links";
    const what = op.coll === "nodes" ? "node" : "link";
    let kept = op;
    if (op.op === "update") {
      const item = items.find((i) => i.id === op.id);
      if (!item) {
        notes.push(`${what} ${op.id} was deleted by someone else`);
        continue;
      }
      const before = {};
      const after = {};
      for (const key of Object.keys(op.after)) {
        if (deepEqual(item[key] ?? null, op.before?.[key] ?? null)) {
          before[key] = op.before?.[key] ?? null;
          after[key] = op.after[key];
        } else if (!deepEqual(item[key] ?? null, op.after[key])) {
          notes.push(`${key} of ${op.id} was changed by someone else`);
        }
      }
      if (!Object.keys(after).length) continue;
      kept = { ...op, before, after };
    } else if (op.op === "field") {
      if (!deepEqual(current[op.key] ?? null, op.before ?? null)) {
        if (!deepEqual(current[op.key] ?? null, op.after ?? null)) notes.push(`the design's ${op.key} was changed by someone else`);
        continue;
      }
    } else if (op.op === "insert" && keyed) {
      if (items.some((i) => i.id === op.value.id)) {
        notes.push(`${op.value.id} exists again`);
        continue;
      }
    } else if (op.op === "remove" && keyed) {
      const item = items.find((i) => i.id === op.value.id);
      if (!item) {
        notes.push(`${what} ${op.value.id} was deleted by someone else`);
        continue;
      }
      kept = { ...op, value: item };
    } else if (op.op === "remove" || op.op === "replace") {
      const value = op.op === "remove" ? op.value : op.before;
      if (!items.some((i) => deepEqual(i, value))) {
        notes.push(`a ${op.coll === "script" ? "script step" : "capture"} was changed by someone else`);
        continue;
      }
    }
    out.push(kept);
    current = apply(current, [kept]);
  }
  return { ops: out, notes };
}
