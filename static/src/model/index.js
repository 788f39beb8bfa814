// The editor's document model: pure ES modules over the design document (docs/design-document.md),
// with no DOM and no Cytoscape, tested headless with `node --test static/src/model/tests/`.
//
// Contract of this layer:
// - A document is plain JSON and is never mutated: every edit returns a new document sharing what
//   did not change (document.js, wiring.js, properties.js, clipboard.js).
// - Every edit is a registered command `{name, label, key?, enabled, perform}` (commands.js);
//   perform returns `{doc, ops, inverse, result}` or null for "no change".
// - Changes are operations addressed by node and link id (diff.js); undo/redo records them,
//   local edits only, with grouping for gestures (history.js).
// - Kinds come from the design schema (kinds.js), never from a second hand-written list.
// - Deterministic: no clock, no Math.random; the same document and edit give the same ids,
//   names and MACs. The canvas is a view of the document and reaches the model only through
//   these exports. See docs/editor-model.md.

export * from "./document.js";
export { apply, diff, invert } from "./diff.js";
export { change, createCommands, CommandRegistry, replay } from "./commands.js";
export { History, compact, DEFAULT_LIMIT } from "./history.js";
export { copySelection, paste, isPayload, PAYLOAD_FORMAT, PASTE_OFFSET } from "./clipboard.js";
export { kindsFromSchema, kindOf, SCHEMA_KEYWORDS } from "./kinds.js";
export { missingPrerequisite, requiredDefaults } from "./defaults.js";
export { addCapture, removeCapture, addStep, removeStep } from "./lesson.js";
export { deriveMac, effectiveMac, freshMac, usedMacs } from "./mac.js";
export { SHORTCUTS, chord, commandForKey } from "./keys.js";
export { Editor } from "./editor.js";
