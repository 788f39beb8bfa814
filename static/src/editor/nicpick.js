// Which NIC a new link uses: when a wire is dropped and an end is a node with more than one free
// NIC, the editor asks (a small menu, Escape cancels with nothing changed); with one free NIC or
// none (connect then adds ethN), or on a switch (no NIC), it does not ask.
// `nicQuestion` is pure (tested with node --test); `askNic` is the accessible menu.

import { freeNics } from "../model/index.js";

/** The free NICs of `nodeId` to choose from ([{name, label}]), or null when there is nothing to ask. */
export function nicQuestion(kinds, doc, nodeId) {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) return null;
  const kind = kinds.find((k) => k.kind === node.kind);
  if (!kind?.hasNics) return null;
  const free = freeNics(doc, nodeId);
  if (free.length < 2) return null;
  const byName = new Map((node.nics ?? []).map((n) => [n.name, n]));
  return free.map((name) => {
    const ip = byName.get(name)?.ip;
    return { name, label: ip ? `${name} (${ip})` : name };
  });
}

/**
 * Resolves the ends of a wire from `a` to `b` (node ids), asking through `ask(nodeId, choices)`
 * (a promise of a NIC name, or null when cancelled) for each end that has several free NICs.
 * Returns the link.connect args, or null when the user cancelled.
 */
export async function resolveEnds(kinds, doc, a, b, ask) {
  const ends = [];
  for (const id of [a, b]) {
    const choices = nicQuestion(kinds, doc, id);
    if (!choices) {
      ends.push({ node: id });
      continue;
    }
    const nic = await ask(id, choices);
    if (nic === null || nic === undefined) return null;
    ends.push({ node: id, nic });
  }
  return { a: ends[0], b: ends[1] };
}

/**
 * A menu of `choices` at page point {x, y} inside `parent`, titled "Which NIC of <name>?".
 * Arrow keys move, Enter or a click picks, Escape (or a click elsewhere) cancels. Resolves with
 * the NIC name or null; focus goes back to where it was.
 */
export function askNic(parent, { x, y }, nodeName, choices) {
  return new Promise((resolve) => {
    const before = document.activeElement;
    const menu = document.createElement("div");
    menu.className = "nic-picker";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", `Which NIC of ${nodeName}?`);
    menu.style.left = `${Math.round(x)}px`;
    menu.style.top = `${Math.round(y)}px`;
    const title = document.createElement("p");
    title.textContent = `Which NIC of ${nodeName}?`;
    title.setAttribute("aria-hidden", "true");
    menu.append(title);
    const items = choices.map((choice) => {
      const item = document.createElement("button");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.dataset.nic = choice.name;
      item.textContent = choice.label;
      item.tabIndex = -1;
      item.addEventListener("click", () => done(choice.name));
      return item;
    });
    menu.append(...items);
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.setAttribute("role", "menuitem");
    cancel.tabIndex = -1;
    cancel.textContent = "Cancel (Escape)";
    cancel.addEventListener("click", () => done(null));
    menu.append(cancel);
    const all = [...items, cancel];
    const onKey = (event) => {
      const at = all.indexOf(document.activeElement);
      if (event.key === "Escape") done(null);
      else if (event.key === "ArrowDown") all[(at + 1) % all.length].focus();
      else if (event.key === "ArrowUp") all[(at - 1 + all.length) % all.length].focus();
      else if (event.key === "Home") all[0].focus();
      else if (event.key === "End") all[all.length - 1].focus();
      else if (event.key === "Tab") done(null);
      else return;
      event.preventDefault();
      event.stopPropagation();
    };
    const onOutside = (event) => {
      if (!menu.contains(event.target)) done(null);
    };
    let finished = false;
    function done(value) {
      if (finished) return;
      finished = true;
      menu.removeEventListener("keydown", onKey, true);
      document.removeEventListener("pointerdown", onOutside, true);
      menu.remove();
      before?.focus?.();
      resolve(value);
    }
    menu.addEventListener("keydown", onKey, true);
    document.addEventListener("pointerdown", onOutside, true);
    parent.append(menu);
    // Kept inside the window when the node is near its right or bottom edge.
    const box = menu.getBoundingClientRect();
    if (box.right > window.innerWidth - 4) menu.style.left = `${Math.max(4, window.innerWidth - box.width - 4)}px`;
    if (box.bottom > window.innerHeight - 4) menu.style.top = `${Math.max(4, window.innerHeight - box.height - 4)}px`;
    items[0].focus();
  });
}
