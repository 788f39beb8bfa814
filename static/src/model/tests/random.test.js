// A seeded random walk of commands, undos and redos against a naive model (a plain stack of whole
// documents), as Hypothesis' stateful tests compare a system with a simple reference. After every
// step: the invariants hold, no input was mutated (documents are deep-frozen), and the history's
// undo/redo agrees with the naive stacks. At the end, undoing everything gives the start document
// exactly and redoing everything gives the end again.

import { test } from "node:test";
import assert from "node:assert/strict";
import { History } from "../history.js";
import { deepEqual } from "../json.js";
import { deepFreeze, example, mulberry32, problems } from "./helpers.js";
import { commands, randomCommand } from "./walk.js";

for (const seed of [1, 2, 3, 4, 5, 20261124]) {
  test(`random walk of 600 commands, undos and redos (seed ${seed}) returns to the start`, () => {
    const rand = mulberry32(seed);
    const start = example("internal-switch");
    const history = new History({ limit: 100000 });
    const past = [];
    let future = [];
    let doc = start;
    const counts = { performed: 0, refused: 0, unchanged: 0, undo: 0, redo: 0, groups: 0 };
    for (let step = 0; step < 600; step += 1) {
      const roll = rand();
      if (roll < 0.15) {
        const undone = history.undo(doc);
        assert.equal(undone === null, past.length === 0);
        if (undone) {
          future.push(doc);
          doc = deepFreeze(undone.doc);
          assert.deepEqual(doc, past.pop(), `undo at step ${step}`);
          counts.undo += 1;
        }
      } else if (roll < 0.27) {
        const redone = history.redo(doc);
        assert.equal(redone === null, future.length === 0);
        if (redone) {
          past.push(doc);
          doc = deepFreeze(redone.doc);
          assert.deepEqual(doc, future.pop(), `redo at step ${step}`);
          counts.redo += 1;
        }
      } else {
        // Now and then a gesture: several commands recorded as one step.
        const size = roll > 0.95 ? 2 + Math.floor(rand() * 3) : 1;
        const before = doc;
        history.begin();
        for (let k = 0; k < size; k += 1) {
          const [name, args] = randomCommand(rand, doc);
          let done;
          try {
            done = commands.perform(name, doc, args);
          } catch (error) {
            assert.ok(error instanceof RangeError || error instanceof TypeError, String(error));
            counts.refused += 1;
            continue;
          }
          if (!done) counts.unchanged += 1;
          else counts.performed += 1;
          doc = deepFreeze(history.apply(doc, done));
        }
        history.end(doc);
        if (!deepEqual(doc, before)) {
          past.push(before);
          future = [];
          if (size > 1) counts.groups += 1;
        }
      }
      assert.deepEqual(problems(doc), [], `invariants after step ${step}`);
    }
    assert.ok(counts.performed > 250, JSON.stringify(counts));
    assert.ok(counts.undo > 40 && counts.redo > 5, JSON.stringify(counts));
    const end = doc;
    let undone = 0;
    for (let r = history.undo(doc); r; r = history.undo(doc)) {
      doc = deepFreeze(r.doc);
      undone += 1;
    }
    assert.equal(undone, past.length);
    assert.deepEqual(doc, start, "undone completely: the start document");
    // Redo passes through every state undone, in order: the walk's past, its end, and whatever
    // was still undone when the walk stopped (the naive future, last undone first).
    const states = [...past, end, ...[...future].reverse()];
    let redone = 0;
    for (let r = history.redo(doc); r; r = history.redo(doc)) {
      doc = deepFreeze(r.doc);
      redone += 1;
      assert.deepEqual(doc, states[redone], `redo ${redone} of ${states.length - 1}`);
    }
    assert.equal(redone, states.length - 1);
    assert.deepEqual(doc, states.at(-1), "redone completely: the furthest state reached");
  });
}
