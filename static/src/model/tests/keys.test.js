import { test } from "node:test";
import assert from "node:assert/strict";
import { commandForKey } from "../keys.js";

const table = [
  [{ key: "z", ctrlKey: true }, false, "history.undo"],
  [{ key: "z", metaKey: true }, false, "history.undo"],
  [{ key: "Z", ctrlKey: true, shiftKey: true }, false, "history.redo"],
  [{ key: "y", ctrlKey: true }, false, "history.redo"],
  [{ key: "c", ctrlKey: true }, false, "clipboard.copy"],
  [{ key: "v", ctrlKey: true }, false, "clipboard.paste"],
  [{ key: "d", ctrlKey: true }, false, "selection.duplicate"],
  [{ key: "Delete" }, false, "selection.delete"],
  [{ key: "Backspace" }, false, "selection.delete"],
  [{ key: "Escape" }, false, "gesture.cancel"],
  [{ key: "z" }, false, null],
  [{ key: "z", ctrlKey: true }, true, null],
  [{ key: "Backspace" }, true, null],
  [{ key: "Escape" }, true, "gesture.cancel"],
];
for (const [event, typing, expected] of table) {
  test(`${JSON.stringify(event)}${typing ? " while typing" : ""} -> ${expected}`, () => {
    assert.equal(commandForKey(event, { typing }), expected);
  });
}
