// Commands as data (Excalidraw's actions, tldraw's commands): every edit the editor can make is
// one registered object `{name, label, key?, enabled(doc, args), perform(doc, args)}`.
//
// perform returns null when the edit changes nothing (so nothing is recorded), else
// `{doc, ops, inverse, result}`: the next document, the operations that made it (diff.js; what a
// collaborator would receive), the operations that undo it (what history.js records) and what the
// caller needs next (`result.ids`: the nodes or links created, to select them). perform throws on
// a bad call (unknown node, a VM with no host to run on) with a sentence naming the object.
//
// The inverse is computed by diffing the document before and after, so a command cannot forget
// part of its own undo (a deleted host's VMs, their links, captures and script steps all come
// back), and a drag is one `nodes.move` performed when the drag ends with the whole delta.

import { apply, diff, invert } from "./diff.js";
import {
  addNic,
  addNode,
  connect,
  disconnect,
  moveNodes,
  nearestHost,
  nextNodeId,
  placeOn,
  removeNic,
  removeNodes,
  setPositions,
  setProperty,
} from "./document.js";
import { copySelection, paste, PASTE_OFFSET } from "./clipboard.js";
import { addCapture, addStep, removeCapture, removeStep } from "./lesson.js";
import { freshLinkId, takenLinkIds } from "./names.js";
import { list } from "./json.js";
import { missingPrerequisite, withNatHostAddress } from "./defaults.js";

/** `{doc, ops, inverse, result}` for the edit `before` -> `after`, or null when nothing changed. */
export function change(before, after, result = {}) {
  if (after === before) return null;
  const ops = diff(before, after);
  if (!ops.length) return null;
  return { doc: after, ops, inverse: invert(ops), result };
}

/** The commands of the editor, bound to a kind registry (kinds.js, from the design schema). */
export function createCommands(kinds) {
  const always = () => true;
  const commands = [
    {
      name: "node.add",
      label: "Add",
      // args: {kind, at?: {x, y}, host?, name?, props?}
      enabled: (doc, { kind, host }) => {
        const k = kinds.find((entry) => entry.kind === kind);
        if (!k) return false;
        if (missingPrerequisite(doc, kind, host ?? nearestHost(kinds, doc, kind, null))) return false;
        if (!k.placementRequired || host) return true;
        return list(doc, "nodes").some((node) => k.placedOn.includes(node.kind));
      },
      perform(doc, { kind, at, host, name, props }) {
        const id = nextNodeId(kinds, doc, kind);
        return change(doc, addNode(kinds, doc, kind, at, { id, host, name, props }), { ids: [id] });
      },
    },
    {
      name: "design.keep",
      label: "Keep in design",
      // args: {node, links}: a node made during a live run (a container, a VM clone) as run.keep
      // handed it back, and its links; added as one edit (one undo step). A link whose id is
      // taken gets a fresh one; a link to a node the design does not have is left out.
      enabled: (doc, { node }) => Boolean(node?.id) && !list(doc, "nodes").some((n) => n.id === node.id),
      perform(doc, { node, links = [] }) {
        if (!node?.id || list(doc, "nodes").some((n) => n.id === node.id)) return null;
        const ids = new Set([...list(doc, "nodes").map((n) => n.id), node.id]);
        const taken = takenLinkIds(doc);
        const added = [];
        for (const link of links) {
          if (!ids.has(link?.a?.node) || !ids.has(link?.b?.node)) continue;
          const id = link.id && !taken.has(link.id) ? link.id : freshLinkId(taken);
          taken.add(id);
          added.push({ ...structuredClone(link), id });
        }
        const after = { ...doc, nodes: [...list(doc, "nodes"), structuredClone(node)], links: [...list(doc, "links"), ...added] };
        return change(doc, after, { ids: [node.id], links: added.map((l) => l.id) });
      },
    },
    {
      name: "nodes.move",
      label: "Move",
      // args: {ids, dx, dy}: the whole drag, performed once when it ends.
      enabled: (doc, { ids }) => ids.length > 0,
      perform: (doc, { ids, dx, dy }) => change(doc, moveNodes(doc, ids, { dx, dy })),
    },
    {
      name: "nodes.arrange",
      label: "Arrange",
      // args: {positions: {id: {x, y}}}, e.g. what an automatic layout computed.
      enabled: always,
      perform: (doc, { positions }) => change(doc, setPositions(doc, positions)),
    },
    {
      name: "selection.delete",
      label: "Delete",
      key: ["Delete", "Backspace"],
      // args: {nodes?: ids, links?: ids}
      enabled: (doc, { nodes = [], links = [] }) => nodes.length + links.length > 0,
      perform: (doc, { nodes = [], links = [] }) => change(doc, removeNodes(disconnect(doc, links), nodes)),
    },
    {
      name: "link.connect",
      label: "Connect",
      // args: {a: {node, nic?}, b: {node, nic?}, delay_us?}
      enabled: (doc, { a, b }) => Boolean(a && b && a.node !== b.node),
      perform(doc, { a, b, delay_us }) {
        const id = freshLinkId(takenLinkIds(doc));
        return change(doc, connect(kinds, doc, a, b, { id, delay_us }), { ids: [id] });
      },
    },
    {
      name: "link.disconnect",
      label: "Disconnect",
      // args: {ids}
      enabled: (doc, { ids }) => ids.length > 0,
      perform: (doc, { ids }) => change(doc, disconnect(doc, ids)),
    },
    {
      name: "property.set",
      label: "Change",
      // args: {path, value}: value null removes the field (properties.js).
      enabled: always,
      perform: (doc, { path, value }) => {
        let next = setProperty(kinds, doc, path, value);
        // A VM NIC put in NAT mode needs its host's address to go out from (defaults.js).
        const nat = /^nodes\[([^\]]+)\]\.nics\[([^\]]+)\]\.mode$/.exec(path);
        if (nat) next = withNatHostAddress(next, nat[1], nat[2]);
        return change(doc, next);
      },
    },
    {
      name: "nic.add",
      label: "Add NIC",
      // args: {node, name?, mac?, ip?}
      enabled: always,
      perform: (doc, { node, ...opts }) => change(doc, addNic(kinds, doc, node, opts)),
    },
    {
      name: "nic.remove",
      label: "Remove NIC",
      // args: {node, nic}
      enabled: always,
      perform: (doc, { node, nic }) => change(doc, removeNic(doc, node, nic)),
    },
    {
      name: "node.place",
      label: "Place on host",
      // args: {node, host}: host null takes a virtual switch off its host.
      enabled: always,
      perform: (doc, { node, host }) => change(doc, placeOn(kinds, doc, node, host)),
    },
    {
      name: "capture.add",
      label: "Capture",
      // args: {capture: {node, nic} | {link}}
      enabled: always,
      perform: (doc, { capture }) => change(doc, addCapture(doc, capture)),
    },
    {
      name: "capture.remove",
      label: "Stop capturing",
      enabled: always,
      perform: (doc, { capture }) => change(doc, removeCapture(doc, capture)),
    },
    {
      name: "script.add",
      label: "Add script step",
      // args: {step: {at, node, command}}
      enabled: always,
      perform: (doc, { step }) => change(doc, addStep(doc, step)),
    },
    {
      name: "script.remove",
      label: "Remove script step",
      // args: {index}
      enabled: always,
      perform: (doc, { index }) => change(doc, removeStep(doc, index)),
    },
    {
      name: "clipboard.paste",
      label: "Paste",
      key: ["Mod+V"],
      // args: {payload, offset?, host?}
      enabled: (doc, { payload }) => Boolean(payload),
      perform(doc, { payload, offset, host }) {
        const pasted = paste(kinds, doc, payload, { offset, host });
        return change(doc, pasted.doc, resultOf(pasted));
      },
    },
    {
      name: "selection.duplicate",
      label: "Duplicate",
      key: ["Mod+D"],
      // args: {nodes: ids, offset?}
      enabled: (doc, { nodes }) => nodes.length > 0,
      perform(doc, { nodes, offset = PASTE_OFFSET }) {
        const pasted = paste(kinds, doc, copySelection(doc, nodes), { offset });
        return change(doc, pasted.doc, resultOf(pasted));
      },
    },
  ];
  return new CommandRegistry(commands);
}

function resultOf(pasted) {
  return { ids: Object.values(pasted.created), links: Object.values(pasted.links), dropped: pasted.dropped };
}

/** The registered commands, by name, in registration order. */
export class CommandRegistry {
  constructor(commands) {
    this.byName = new Map();
    for (const command of commands) this.register(command);
  }

  /** Adds a command; a second command of the same name is a programming error. */
  register(command) {
    if (this.byName.has(command.name)) throw new RangeError(`command '${command.name}' is already registered`);
    this.byName.set(command.name, Object.freeze({ enabled: () => true, ...command }));
  }

  get(name) {
    const command = this.byName.get(name);
    if (!command) throw new RangeError(`unknown command '${name}'`);
    return command;
  }

  list() {
    return [...this.byName.values()];
  }

  /** Performs command `name`: `{doc, ops, inverse, result, name, label}` or null for no change. */
  perform(name, doc, args = {}) {
    const command = this.get(name);
    const done = command.perform(doc, args);
    return done && { ...done, name: command.name, label: command.label };
  }
}

/** Re-applies recorded operations (a redo, or an edit received from a collaborator). */
export function replay(doc, ops) {
  return apply(doc, ops);
}
