// The random command generator shared by the random-walk tests: one plausible user command for
// the current document, some bound to be refused (a busy NIC, a VM taken off its host), as users'
// attempts are.

import { createCommands } from "../commands.js";
import { copySelection } from "../clipboard.js";
import { kinds } from "./helpers.js";

export const commands = createCommands(kinds);
const KINDS = kinds.map((k) => k.kind);

function pick(rand, items) {
  return items[Math.floor(rand() * items.length)];
}

function some(rand, items) {
  return items.filter(() => rand() < 0.3).slice(0, 4);
}

// One random command (name, args) for `doc`; some are bound to fail, as users' attempts do.
export function randomCommand(rand, doc) {
  const ids = doc.nodes.map((n) => n.id);
  const links = (doc.links ?? []).map((l) => l.id);
  const withNics = doc.nodes.filter((n) => Array.isArray(n.nics));
  const at = { x: Math.floor(rand() * 800), y: Math.floor(rand() * 600) };
  switch (pick(rand, ["add", "add", "move", "connect", "connect", "delete", "disconnect", "prop", "prop", "nic", "place", "paste", "dup", "arrange", "lesson"])) {
    case "add":
      return ["node.add", { kind: pick(rand, KINDS), at }];
    case "move":
      return ["nodes.move", { ids: some(rand, ids), dx: Math.floor(rand() * 40) - 20, dy: Math.floor(rand() * 40) - 20 }];
    case "arrange":
      return ["nodes.arrange", { positions: Object.fromEntries(some(rand, ids).map((id) => [id, at])) }];
    case "connect": {
      const a = pick(rand, ids);
      const b = pick(rand, ids);
      const nodeA = doc.nodes.find((n) => n.id === a);
      const nic = rand() < 0.3 && nodeA?.nics?.length ? pick(rand, nodeA.nics).name : undefined;
      return ["link.connect", { a: nic ? { node: a, nic } : { node: a }, b: { node: b } }];
    }
    case "delete":
      return ["selection.delete", { nodes: some(rand, ids).slice(0, 2), links: some(rand, links) }];
    case "disconnect":
      return ["link.disconnect", { ids: some(rand, links) }];
    case "prop": {
      const node = pick(rand, doc.nodes);
      if (!node) return ["property.set", { path: "description", value: rand() < 0.5 ? null : `d${Math.floor(rand() * 9)}` }];
      const nic = node.nics?.length ? pick(rand, node.nics).name : null;
      const choices = [
        [`nodes[${node.id}].name`, rand() < 0.3 ? null : `n${Math.floor(rand() * 50)}`],
        [`nodes[${node.id}].notes`, rand() < 0.5 ? null : "a note"],
        ["name", `design ${Math.floor(rand() * 5)}`],
      ];
      if (nic) {
        choices.push([`nodes[${node.id}].nics[${nic}].ip`, pick(rand, ["dhcp", "10.0.0.1/24", null])]);
        choices.push([`nodes[${node.id}].nics[${nic}].name`, `eth${Math.floor(rand() * 4)}`]);
      }
      if (links.length) choices.push([`links[${pick(rand, links)}].delay_us`, pick(rand, [10, 50, null])]);
      const [path, value] = pick(rand, choices);
      return ["property.set", { path, value }];
    }
    case "nic": {
      const node = pick(rand, withNics);
      if (!node) return ["nic.add", { node: pick(rand, ids) ?? "none" }];
      if (rand() < 0.5 || !node.nics.length) return ["nic.add", { node: node.id }];
      return ["nic.remove", { node: node.id, nic: pick(rand, node.nics).name }];
    }
    case "place": {
      const target = pick(rand, doc.nodes.filter((n) => n.kind === "vswitch" || n.kind === "vm"));
      const host = pick(rand, [null, ...doc.nodes.filter((n) => n.kind === "host").map((n) => n.id)]);
      return ["node.place", { node: target?.id ?? "none", host }];
    }
    case "lesson": {
      const node = pick(rand, withNics);
      const captures = doc.captures ?? [];
      const script = doc.script ?? [];
      const roll = rand();
      if (roll < 0.25 && captures.length) return ["capture.remove", { capture: pick(rand, captures) }];
      if (roll < 0.5 && script.length) return ["script.remove", { index: Math.floor(rand() * script.length) }];
      if (roll < 0.75 && links.length) return ["capture.add", { capture: rand() < 0.5 || !node?.nics?.length ? { link: pick(rand, links) } : { node: node.id, nic: pick(rand, node.nics).name } }];
      return ["script.add", { step: { at: Math.floor(rand() * 10) / 2, node: pick(rand, ids) ?? "none", command: "ping -c 1 10.0.0.1" } }];
    }
    case "paste":
      return ["clipboard.paste", { payload: copySelection(doc, some(rand, ids)) }];
    default:
      return ["selection.duplicate", { nodes: some(rand, ids).slice(0, 2) }];
  }
}

