// The palette: one button per node kind, generated from the kinds registry (the schema's kinds,
// titles and descriptions), with our own icon (the kind's `x-icon`). Click adds the node; dragging the button onto the
// canvas adds it where it is dropped (the drop handler lives with the canvas, in main.js).

import { iconSvg } from "./icons.js";

export const DRAG_TYPE = "application/x-netdesigner-kind";

/**
 * `missing(kind)` lists why a node of that kind cannot be added to the design as it is now (e.g. a
 * distributed switch with no host to span): such a kind is shown but disabled, with the reason as
 * tooltip. Returns `refresh()`, to call after each change of the design: it updates the buttons in
 * place, so keyboard focus stays where it is.
 */
export function renderPalette(root, kinds, { onAdd, missing = () => [] }) {
  const buttons = kinds.map((kind) => {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.kind = kind.kind;
    button.setAttribute("aria-label", `Add ${kind.noun}`);
    button.innerHTML = iconSvg(kind.icon);
    button.append(document.createTextNode(kind.title));
    button.addEventListener("click", () => onAdd(kind.kind));
    button.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData(DRAG_TYPE, kind.kind);
      event.dataTransfer.effectAllowed = "copy";
    });
    return button;
  });
  const refresh = () => {
    kinds.forEach((kind, i) => {
      const lacking = missing(kind.kind);
      const button = buttons[i];
      button.disabled = lacking.length > 0;
      button.draggable = !button.disabled;
      button.title = lacking.length ? `${kind.description} (${lacking.join("; ")})` : kind.description;
    });
  };
  refresh();
  root.replaceChildren(...buttons);
  return refresh;
}
