// Keyboard shortcuts as data: which command a key press asks for, decided without the DOM so it
// is testable headless. The view passes a plain `{key, ctrlKey, metaKey, shiftKey, altKey}` and
// whether focus is in a text field; shortcuts never fire while typing, except
// Escape, which still cancels a drag.
//
// "Mod" is Ctrl, or Cmd on a Mac (either is accepted: the model does not sniff the platform).

export const SHORTCUTS = Object.freeze({
  "Mod+Z": "history.undo",
  "Mod+Shift+Z": "history.redo",
  "Mod+Y": "history.redo",
  "Mod+C": "clipboard.copy",
  "Mod+X": "clipboard.cut",
  "Mod+V": "clipboard.paste",
  "Mod+D": "selection.duplicate",
  "Mod+A": "selection.all",
  Delete: "selection.delete",
  Backspace: "selection.delete",
  Escape: "gesture.cancel",
});

/** The chord of a key event: "Mod+Shift+Z", "Delete", ... (letters upper-cased). */
export function chord(event) {
  const parts = [];
  if (event.ctrlKey || event.metaKey) parts.push("Mod");
  if (event.altKey) parts.push("Alt");
  if (event.shiftKey) parts.push("Shift");
  const key = event.key.length === 1 ? event.key.toUpperCase() : event.key;
  parts.push(key);
  return parts.join("+");
}

/** The command name for a key event, or null; `typing`: focus is in an input, textarea or editable. */
export function commandForKey(event, { typing = false } = {}) {
  const name = SHORTCUTS[chord(event)] ?? null;
  if (typing && name !== "gesture.cancel") return null;
  return name;
}
