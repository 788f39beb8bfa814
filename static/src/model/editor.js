// The one object a view holds: the current document, the command registry and the history,
// with a listener list so the canvas and panels re-render from the document after each change
// (the canvas is only a view of the document: it never edits itself and reports back).
//
// Capture policy in one place: run() records (a local edit), receive() never does (a
// collaborator's operations, or anything else that must not be undone by this user).

import { createCommands } from "./commands.js";
import { copySelection } from "./clipboard.js";
import { History } from "./history.js";
import { apply } from "./diff.js";

export class Editor {
  /** `kinds` from kindsFromSchema; `doc` the document to start from; `limit` history steps. */
  constructor({ kinds, doc, limit } = {}) {
    this.kinds = kinds;
    this.commands = createCommands(kinds);
    this.history = new History(limit === undefined ? {} : { limit });
    this.current = doc;
    this.listeners = [];
    // Co-editing (coedit.js): called with each step this user makes, undoes or redoes, as
    // `{ops, label, kind}`; returns the change id the step travels as (kept on the history entry).
    this.onStep = null;
  }

  #step(ops, label, kind, entry) {
    if (!this.onStep || !ops.length) return;
    const change = this.onStep({ ops, label, kind });
    if (entry && change !== undefined) entry.change = change;
  }

  /** A document computed elsewhere (co-editing: the server's plus this user's pending steps). */
  rebase(doc, info = {}) {
    this.set(doc, { source: "remote", ops: [], ...info });
  }

  /** A change computed outside the commands (an import): recorded and sent like a command's. */
  applyLocal(done, name) {
    const doc = this.history.apply(this.current, done);
    if (this.history.depth === 0) this.#step(done.ops, done.label ?? name, "do", this.history.undoStack.at(-1));
    this.set(doc, { source: "local", name, ops: done.ops });
  }

  get doc() {
    return this.current;
  }

  /** Calls `listener(doc, info)` after every change; returns the function that unsubscribes. */
  subscribe(listener) {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  set(doc, info) {
    if (doc === this.current) return;
    this.current = doc;
    for (const listener of [...this.listeners]) listener(doc, info);
  }

  /** Performs command `name` on the document; returns its `result` (created ids), or null for no change. */
  run(name, args = {}, { capture = true } = {}) {
    const done = this.commands.perform(name, this.current, args);
    if (!done) return null;
    const doc = capture ? this.history.apply(this.current, done) : done.doc;
    if (capture && this.history.depth === 0) this.#step(done.ops, done.label ?? name, "do", this.history.undoStack.at(-1));
    this.set(doc, { source: capture ? "local" : "silent", name, ops: done.ops });
    return done.result;
  }

  /** Applies operations from elsewhere (a collaborator): shown, never recorded. */
  receive(ops) {
    this.set(apply(this.current, ops), { source: "remote", ops });
  }

  /** Replaces the document (a reload, an import): the history no longer applies to it. */
  load(doc) {
    this.history.clear();
    this.set(doc, { source: "load", ops: [] });
  }

  undo() {
    const done = this.history.undo(this.current);
    if (done) {
      this.#step(done.ops, done.label, "undo", done.ops.length ? done.entry : null);
      this.set(done.doc, { source: "undo", label: done.label, notes: done.notes });
    }
    return done !== null;
  }

  redo() {
    const done = this.history.redo(this.current);
    if (done) {
      this.#step(done.ops, done.label, "redo", done.ops.length ? done.entry : null);
      this.set(done.doc, { source: "redo", label: done.label, notes: done.notes });
    }
    return done !== null;
  }

  /** A gesture (a drag updating the document live): everything run until end() is one step. */
  begin(label) {
    this.history.begin(label);
  }

  end() {
    const top = this.history.undoStack.at(-1);
    this.history.end(this.current);
    const now = this.history.undoStack.at(-1);
    if (this.history.depth === 0 && now && now !== top) this.#step(now.ops, now.label, "do", now);
  }

  /** Escape during a gesture: back to the document before begin(), nothing recorded. */
  cancel() {
    this.set(this.history.cancel(this.current), { source: "cancel" });
  }

  /** The clipboard payload for the selected nodes (not an edit: nothing is recorded). */
  copy(ids) {
    return copySelection(this.current, ids);
  }
}
