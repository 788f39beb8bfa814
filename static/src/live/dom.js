// A tiny element builder for the live panels: h("button", {type: "button", onclick}, "Play").
// Attributes starting with "on" are listeners; `dataset`/`style` objects are merged; booleans
// set or omit the attribute; children may be strings, nodes, arrays, null or false.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    // Through the CSSOM, never a `style` attribute: the Content-Security-Policy forbids those.
    else if (key === "style") Object.assign(el.style, value);
    else if (key === "className") el.className = value;
    else if (key === "textContent") el.textContent = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

let ids = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** Tabs (WAI-ARIA tabs pattern): [{id, label, panel}] -> {element, select(id)}; arrow keys move. */
export function tabs(items, { label, onSelect } = {}) {
  const list = h("div", { role: "tablist", "aria-label": label, className: "live-tabs" });
  const panels = h("div", { className: "live-tabpanels" });
  const buttons = new Map();
  let selected = null;
  const select = (id, focus = false) => {
    if (!buttons.has(id)) return;
    selected = id;
    for (const [key, { button, panel }] of buttons) {
      const on = key === id;
      button.setAttribute("aria-selected", String(on));
      button.tabIndex = on ? 0 : -1;
      panel.hidden = !on;
      if (on && focus) button.focus();
    }
    onSelect?.(id);
  };
  const add = ({ id, label: text, panel }) => {
    const tabId = uid("tab");
    const panelId = uid("tabpanel");
    const button = h("button", { type: "button", role: "tab", id: tabId, "aria-controls": panelId, "aria-selected": "false", tabindex: "-1",
      dataset: { tab: id }, onclick: () => select(id) }, text);
    panel.id = panelId;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tabId);
    panel.tabIndex = 0; // a scrolling panel must be reachable from the keyboard
    panel.hidden = true;
    buttons.set(id, { button, panel });
    list.append(button);
    panels.append(panel);
    if (buttons.size === 1) select(id);
  };
  list.addEventListener("keydown", (event) => {
    if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    const keys = [...buttons.keys()];
    const at = keys.indexOf(event.target.dataset.tab);
    const next = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: keys.length - 1 }[event.key];
    select(keys[(next + keys.length) % keys.length], true);
    event.preventDefault();
  });
  items.forEach(add);
  return { element: h("div", { className: "live-tabset" }, list, panels), select, add, has: (id) => buttons.has(id),
    selected: () => selected,
    button: (id) => buttons.get(id)?.button, panel: (id) => buttons.get(id)?.panel };
}
